/*-------------------------------------------------------------------------
 *
 * ruleset_parse.c
 *	  The policy language: a lexer and a recursive-descent parser that
 *	  compile policy text into a ruleset (see docs/policy-language.md).
 *
 * Every error names the line and column it was found at.  Names are
 * resolved here (lets, columns, instruments) and literal dates are turned
 * into instants in the policy's time zone, so evaluation has nothing left
 * to look up but the row's columns.  Every name is found through a hash
 * table and every loop reads a token per turn (next() checks for
 * interrupts), so compiling is linear in the policy and can be cancelled;
 * ruleset_check.c checks each node as it is made.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "keywords.h"
#include "ruleset_parse.h"
#include "ruleset_format.h"
#include "timezone.h"



/* Instruments every policy knows; others are declared with "instrument". */
static const struct
{
	const char *name;
	CpUnitKind	unit;
}			builtin_instruments[] = {
	{"cash", CP_INSTR_MONEY},
	{"coupon", CP_INSTR_COUNT},
	{"deposit", CP_INSTR_MONEY},
	{"fee", CP_INSTR_MONEY},
	{"pass", CP_INSTR_COUNT},
	{"points", CP_INSTR_COUNT},
	{"refund", CP_INSTR_MONEY},
	{"voucher", CP_INSTR_MONEY},
	{NULL, 0}
};

/*
 * The unit of a built-in instrument, or -1: what the compiler falls back
 * to for an undeclared name, and what the format check asks to tell
 * whether a stored award's instrument prints as text that compiles.
 */
int
cp_builtin_instrument_unit(const char *name)
{
	int			i;

	for (i = 0; builtin_instruments[i].name; i++)
		if (strcmp(builtin_instruments[i].name, name) == 0)
			return builtin_instruments[i].unit;
	return -1;
}

/* How many arguments each function takes (names: keywords.c). */
static const struct
{
	int			min_args;
	int			max_args;
}			functions[] = {
	[CP_FUNC_MIN] = {1, 100},
	[CP_FUNC_MAX] = {1, 100},
	[CP_FUNC_ROUND] = {2, 3},
	[CP_FUNC_HOURS] = {2, 2},
	[CP_FUNC_DAYS] = {2, 2},
	[CP_FUNC_DAYS_IN_MONTH] = {1, 1},
	[CP_FUNC_COALESCE] = {1, 100},
	[CP_FUNC_ABS] = {1, 1},
	[CP_FUNC_DATE] = {1, 1},
	[CP_FUNC_WORKING_DAYS] = {2, 2},
	[CP_FUNC_YEAR] = {1, 1},
	[CP_FUNC_MONTH] = {1, 1},
	[CP_FUNC_DAY] = {1, 1},
	[CP_FUNC_WEEKDAY] = {1, 1},
	[CP_FUNC_HOUR] = {1, 1},
	[CP_FUNC_LOWER] = {1, 1},
	[CP_FUNC_STARTS_WITH] = {2, 2},
	[CP_FUNC_CONTAINS] = {2, 2},
};

static CpRounding parse_mode(Parser *ps);

/*
 * Errors
 */
static const char *
token_desc(const Token *t)
{
	if (t->kind == TOK_EOF)
		return "end of policy";
	if (t->kind == TOK_NAME)	/* already in double quotes */
		return psprintf("%.*s", t->len, t->start);
	return psprintf("\"%.*s\"", t->len, t->start);
}

void
cp_error_at(const Token *t, int sqlstate, const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s at line %d, column %d of policy", msg, t->line, t->col),
			 errdetail("Found %s.", token_desc(t)),
			 hint ? errhint("%s", hint) : 0));
}


void
syntax_error(Parser *ps, const char *expected)
{
	cp_error_at(&ps->tok, ERRCODE_SYNTAX_ERROR,
			 psprintf("syntax error: expected %s", expected),
			 "See docs/policy-language.md for the grammar.");
}

/*
 * Lexer
 */
static void lex_error_len(Parser *ps, const char *at, int len, const char *msg) pg_attribute_noreturn();
#define lex_error(ps, at, msg) lex_error_len((ps), (at), 0, (msg))

/* An error at "at", showing len bytes of the source (0: one character). */
static void
lex_error_len(Parser *ps, const char *at, int len, const char *msg)
{
	Token		t;

	memset(&t, 0, sizeof(t));
	t.kind = TOK_OP;
	t.start = at;
	t.len = len > 0 ? len : (*at != '\0') ? pg_mblen(at) : 0;
	t.line = ps->line;
	t.col = (int) (at - ps->line_start) + 1;
	if (*at == '\0')
		t.kind = TOK_EOF;
	cp_error_at(&t, ERRCODE_SYNTAX_ERROR, msg, NULL);
}

static bool
digits_at(const char *s, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return true;
}

static int
two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD[ HH:MM[:SS]] at p; returns its length, 0 if none. */
static int
lex_datetime(Parser *ps, const char *p, Token *t)
{
	int			year,
				month,
				day;
	const char *q;

	if (!(digits_at(p, 4) && p[4] == '-' && digits_at(p + 5, 2) &&
		  p[7] == '-' && digits_at(p + 8, 2) && !isalnum((unsigned char) p[10])))
		return 0;
	year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + two_digits(p + 2);
	month = two_digits(p + 5);
	day = two_digits(p + 8);
	if (month < 1 || month > 12 || day < 1 ||
		day > day_tab[isleap(year)][month - 1])
		lex_error_len(ps, p, 10, "invalid date");
	t->kind = TOK_DATE;
	t->date = date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
	t->usecs = 0;

	/* an optional time of day, on the same line */
	q = p + 10;
	while (*q == ' ' || *q == '\t')
		q++;
	if (q > p + 10 && digits_at(q, 2) && q[2] == ':' && digits_at(q + 3, 2))
	{
		int			hour = two_digits(q),
					minute = two_digits(q + 3),
					second = 0;
		const char *end = q + 5;

		if (end[0] == ':' && digits_at(end + 1, 2))
		{
			second = two_digits(end + 1);
			end += 3;
		}
		if (hour > 23 || minute > 59 || second > 59)
			lex_error_len(ps, q, end - q, "invalid time of day");
		if (isalnum((unsigned char) *end))
			lex_error(ps, end, "invalid time of day");
		t->kind = TOK_TIMESTAMP;
		t->usecs = ((int64) hour * SECS_PER_HOUR + minute * SECS_PER_MINUTE + second) *
			USECS_PER_SEC;
		return end - p;
	}
	return 10;
}

static void
lex_number(Parser *ps, const char *p, Token *t)
{
	const char *q = p;
	int64		m = 0;
	int32		scale = 0;
	bool		fraction = false;

	for (;; q++)
	{
		if (isdigit((unsigned char) *q))
		{
			if (pg_mul_s64_overflow(m, 10, &m) || pg_add_s64_overflow(m, *q - '0', &m))
			{
				while (isdigit((unsigned char) *q) || *q == '_' || *q == '.')
					q++;
				lex_error_len(ps, p, q - p, "number too large");
			}
			if (fraction)
				scale++;
		}
		else if (*q == '_' && isdigit((unsigned char) q[1]) && q > p)
			continue;
		else if (*q == '.' && !fraction && isdigit((unsigned char) q[1]))
			fraction = true;
		else
			break;
	}
	if (scale > 18)
		lex_error(ps, p, "number has more than 18 decimal places");
	if (isalpha((unsigned char) *q) && !isspace((unsigned char) q[-1]))
	{
		/* "5days" is allowed; "5x1" is a typo worth reporting */
		if (!(pg_strncasecmp(q, "day", 3) == 0 || pg_strncasecmp(q, "hour", 4) == 0 ||
			  pg_strncasecmp(q, "minute", 6) == 0))
			lex_error(ps, q, "invalid number");
	}
	t->kind = TOK_NUMBER;
	t->mantissa = m;
	t->scale = scale;
	t->len = q - p;
}

/*
 * The value of the quoted token at p, and its length in the source.  Sized
 * to the token, not a StringInfo: a policy has a quoted name per rule, and a
 * 1 kB buffer each made large policies allocate (and fault in) megabytes.
 */
static char *
lex_quoted(Parser *ps, const char *p, int *len)
{
	char		quote = *p;
	const char *q;
	char	   *out;
	char	   *o;

	/* find the closing quote; a doubled quote stands for one */
	for (q = p + 1;; q++)
	{
		if (*q == '\0' || *q == '\n')
			lex_error(ps, p, quote == '\'' ? "unterminated string" : "unterminated name");
		if (*q == quote)
		{
			if (q[1] != quote)
				break;
			q++;
		}
	}
	*len = q + 1 - p;

	/* copy, undoubling; the value is never longer than the token */
	o = out = palloc(*len);
	for (q = p + 1; *q != quote || q[1] == quote; q++)
	{
		if (*q == quote)
			q++;
		*o++ = *q;
	}
	*o = '\0';
	return out;
}

/* Reads the next token into ps->tok. */
void
next(Parser *ps)
{
	const char *p = ps->p;
	Token	   *t = &ps->tok;
	int			n;

	/*
	 * Every loop of the parser whose length the policy controls reads a
	 * token per turn, so this keeps a large policy cancellable.
	 */
	CHECK_FOR_INTERRUPTS();

	/* white space and comments */
	for (;;)
	{
		if (*p == '\n')
		{
			ps->line++;
			ps->line_start = ++p;
		}
		else if (isspace((unsigned char) *p))
			p++;
		else if (p[0] == '-' && p[1] == '-')
		{
			while (*p != '\0' && *p != '\n')
				p++;
		}
		else
			break;
	}

	memset(t, 0, sizeof(*t));
	t->start = p;
	t->line = ps->line;
	t->col = (int) (p - ps->line_start) + 1;

	if (*p == '\0')
		t->kind = TOK_EOF;
	else if (isalpha((unsigned char) *p) || *p == '_')
	{
		const char *q = p;

		while (isalnum((unsigned char) *q) || *q == '_')
			q++;
		t->kind = TOK_IDENT;
		t->len = q - p;
	}
	else if (isdigit((unsigned char) *p))
	{
		if ((n = lex_datetime(ps, p, t)) > 0)
			t->len = n;
		else
			lex_number(ps, p, t);
	}
	else if (*p == '"' || *p == '\'')
	{
		t->kind = (*p == '"') ? TOK_NAME : TOK_STRING;
		t->text = lex_quoted(ps, p, &t->len);
	}
	else
	{
		static const char *const ops[] = {
			"..<", "..", "=>", "<>", "<=", ">=", "!=",
			"=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", NULL
		};
		int			i;

		for (i = 0; ops[i]; i++)
			if (strncmp(p, ops[i], strlen(ops[i])) == 0)
				break;
		if (ops[i] == NULL)
			lex_error(ps, p, "unexpected character");
		t->kind = TOK_OP;
		t->len = strlen(ops[i]);
	}
	ps->p = p + t->len;
}

/*
 * Token tests.  The parser tries keyword after keyword at most tokens, some
 * hundreds per rule, so these are cheap when the word does not match: the
 * first letter is compared inline, and the word's length is never taken.
 */

/* Case-insensitive order of an identifier token and a lowercase word. */
static int
word_cmp(const Token *t, const char *word)
{
	int			c = pg_strncasecmp(t->start, word, t->len);

	return c != 0 ? c : (word[t->len] == '\0' ? 0 : -1);
}

bool
is_word(const Token *t, const char *word)
{
	/* every word the grammar reads is in the keyword table (kwlist.h) */
	Assert(cp_keyword_lookup(word, strlen(word), false) != CP_NOT_KEYWORD);
	return t->kind == TOK_IDENT &&
		pg_ascii_tolower((unsigned char) t->start[0]) == word[0] &&
		word_cmp(t, word) == 0;
}

bool
is_op(const Token *t, const char *op)
{
	return t->kind == TOK_OP &&
		strncmp(t->start, op, t->len) == 0 && op[t->len] == '\0';
}

bool
accept_word(Parser *ps, const char *word)
{
	if (!is_word(&ps->tok, word))
		return false;
	next(ps);
	return true;
}

bool
accept_op(Parser *ps, const char *op)
{
	if (!is_op(&ps->tok, op))
		return false;
	next(ps);
	return true;
}

void
expect_word(Parser *ps, const char *word)
{
	if (!accept_word(ps, word))
		syntax_error(ps, psprintf("\"%s\"", word));
}

void
expect_op(Parser *ps, const char *op)
{
	if (!accept_op(ps, op))
		syntax_error(ps, psprintf("\"%s\"", op));
}

/* CP_RESERVED in kwlist.h */
bool
is_reserved(const Token *t)
{
	return t->kind == TOK_IDENT && cp_keyword_is_reserved(t->start, t->len);
}

/* The value of an enum of ruleset.h that the token spells, or 0. */
int
word_value(const Token *t, CpWords words)
{
	return t->kind == TOK_IDENT ? cp_word_value(words, t->start, t->len, true) : 0;
}

/*
 * Is word reserved (CP_RESERVED in kwlist.h)?  The printer asks, to write a
 * column of that name in double quotes.
 */
bool
cp_is_reserved_word(const char *word)
{
	return cp_keyword_is_reserved(word, strlen(word));
}

/* An identifier that is not a keyword: a column, let or instrument name. */
char *
expect_ident(Parser *ps, const char *what)
{
	char	   *s;

	if (ps->tok.kind != TOK_IDENT || is_reserved(&ps->tok))
	{
		if (ps->tok.kind == TOK_IDENT)
			cp_error_at(&ps->tok, ERRCODE_SYNTAX_ERROR,
					 psprintf("syntax error: expected %s", what),
					 psprintf("This word is reserved by the policy language; to name a column %.*s, write it in double quotes: \"%.*s\".",
							  ps->tok.len, ps->tok.start, ps->tok.len, ps->tok.start));
		syntax_error(ps, what);
	}
	s = pnstrdup(ps->tok.start, ps->tok.len);
	next(ps);
	return s;
}

char *
expect_name(Parser *ps, const char *what)
{
	char	   *s;

	if (ps->tok.kind != TOK_NAME)
		syntax_error(ps, psprintf("%s in double quotes", what));
	if (ps->tok.text[0] == '\0')
		cp_error_at(&ps->tok, ERRCODE_SYNTAX_ERROR, "a name cannot be empty", NULL);
	s = ps->tok.text;
	next(ps);
	return s;
}

/*
 * A new node, annotated; at is the token an error about it points to (the
 * operator, for an operator).  A node's flags, which do not change its
 * height or kind, may be set after.
 */
int32
node_at(Parser *ps, const Token *at, CpOp op, int32 a, int32 b, int32 c)
{
	int32		n = cp_builder_node(&ps->b, op);
	CpBuildNode *nd = CpBuilderNode(&ps->b, n);

	nd->a = a;
	nd->b = b;
	nd->c = c;
	cp_check_node(&ps->b, n, at);
	return n;
}

int32
node(Parser *ps, CpOp op, int32 a, int32 b, int32 c)
{
	return node_at(ps, &ps->tok, op, a, b, c);
}

/* Syntactic nesting (parentheses, not, unary minus, calls, tiers). */
void
nest_enter(Parser *ps)
{
	if (++ps->depth > CP_MAX_DEPTH)
		cp_check_depth_error(&ps->tok);
}

void
nest_leave(Parser *ps)
{
	ps->depth--;
}

/*
 * Dates and times: local in the policy's time zone.
 */
static pg_tz *
policy_tz(Parser *ps)
{
	if (ps->tz == NULL)
	{
		ps->tz = cp_tz_lookup("UTC");
		ps->b.timezone = cp_builder_string(&ps->b, "UTC", 3);
	}
	ps->tz_used = true;
	return ps->tz;
}

static int32
parse_datetime_literal(Parser *ps)
{
	pg_tz	   *tz = policy_tz(ps);
	Token		t = ps->tok;
	int32		n;

	next(ps);
	if (t.kind == TOK_DATE)
	{
		n = node(ps, CP_OP_DATE, t.date, 0, CP_NONE_IDX);
		cp_builder_set_instants(&ps->b, n, cp_local_to_instant(tz, t.date, 0),
								cp_local_to_instant(tz, t.date + 1, 0));
	}
	else
	{
		int64		v = cp_local_to_instant(tz, t.date, t.usecs);

		n = node(ps, CP_OP_TIMESTAMP, t.date, (int32) (t.usecs / USECS_PER_SEC),
				 CP_NONE_IDX);
		cp_builder_set_instants(&ps->b, n, v, v + 1);
	}
	return n;
}

/*
 * Expressions, loosest first: or, and, not, predicates, + -, * /, unary -,
 * postfix % and units, primaries.
 */
/*
 * The let of that name visible here: the policy's, or the current rule's
 * (a rule's lets leave the table at its "end"; a rule cannot redefine a
 * policy's let, so one table holds both).
 */
int32
lookup_let(Parser *ps, const char *name)
{
	return cp_names_get(ps->let_names, name, strlen(name));
}

static void
note_outage_use(Parser *ps, const Token *t)
{
	if (!ps->uses_outage)
	{
		ps->uses_outage = true;
		ps->outage_line = t->line;
		ps->outage_col = t->col;
	}
}

static int32
parse_call(Parser *ps, const Token *name_tok, CpFunc fi)
{
	int32		argv[CP_MAX_ARGS];
	int			argc = 0;
	int32		first;
	int			i;
	nest_enter(ps);
	expect_op(ps, "(");
	if (!is_op(&ps->tok, ")"))
	{
		do
		{
			if (argc == lengthof(argv))
				cp_error_at(&ps->tok, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						 "too many arguments", NULL);
			if (fi == CP_FUNC_ROUND && argc == 1)
			{
				/* round(x, MODE [, increment]) */
				argv[argc++] = node(ps, CP_OP_MODE, parse_mode(ps),
									CP_NONE_IDX, CP_NONE_IDX);
			}
			else
				argv[argc++] = parse_expr(ps);
		} while (accept_op(ps, ","));
	}
	expect_op(ps, ")");
	nest_leave(ps);
	if (argc < functions[fi].min_args || argc > functions[fi].max_args)
		cp_error_at(name_tok, ERRCODE_SYNTAX_ERROR,
				 psprintf("wrong number of arguments to %s()", cp_func_name(fi)),
				 functions[fi].min_args == functions[fi].max_args ?
				 psprintf("%s() takes %d.", cp_func_name(fi), functions[fi].min_args) :
				 psprintf("%s() takes %d to %d.", cp_func_name(fi),
						  functions[fi].min_args, functions[fi].max_args));
	if (fi == CP_FUNC_WORKING_DAYS)
		cp_parse_need_calendar(ps, name_tok);
	first = cp_builder_args(&ps->b, argc);
	for (i = 0; i < argc; i++)
		*CpBuilderArg(&ps->b, first + i) = argv[i];
	return node_at(ps, name_tok, CP_OP_CALL, first, fi, argc);
}


void
nodelist_add(NodeList *l, int32 item)
{
	if (l->n == l->max)
	{
		l->max = l->max ? l->max * 2 : 16;
		l->items = l->items ? repalloc_huge(l->items, sizeof(int32) * (Size) l->max)
			: palloc(sizeof(int32) * l->max);
	}
	l->items[l->n++] = item;
}

/* The list as an argument list of the builder; returns its first index. */
int32
nodelist_to_args(Parser *ps, NodeList *l)
{
	int32		first = cp_builder_args(&ps->b, l->n);
	int32		i;

	for (i = 0; i < l->n; i++)
		*CpBuilderArg(&ps->b, first + i) = l->items[i];
	if (l->items)
		pfree(l->items);
	l->items = NULL;
	return first;
}

static int32
parse_primary(Parser *ps)
{
	Token		t = ps->tok;
	int32		n;
	int			i;

	check_stack_depth();
	switch (t.kind)
	{
		case TOK_NUMBER:
			next(ps);
			n = node(ps, CP_OP_NUM, t.scale, CP_NONE_IDX, CP_NONE_IDX);
			cp_builder_set_value(&ps->b, n, t.mantissa);
			return n;
		case TOK_STRING:
			next(ps);
			return node(ps, CP_OP_STR, cp_builder_string(&ps->b, t.text, strlen(t.text)),
						CP_NONE_IDX, CP_NONE_IDX);
		case TOK_DATE:
		case TOK_TIMESTAMP:
			return parse_datetime_literal(ps);
		case TOK_OP:
			if (accept_op(ps, "("))
			{
				nest_enter(ps);
				n = parse_expr(ps);
				expect_op(ps, ")");
				nest_leave(ps);
				return n;
			}
			break;
		case TOK_NAME:
			/* "name": always a column, even one named like a keyword */
			return node(ps, CP_OP_COLUMN,
						cp_builder_column(&ps->b, expect_name(ps, "a column name")),
						CP_NONE_IDX, CP_NONE_IDX);
		case TOK_IDENT:
			if (accept_word(ps, "true") || accept_word(ps, "false"))
			{
				n = node(ps, CP_OP_BOOL, CP_NONE_IDX, CP_NONE_IDX, CP_NONE_IDX);
				cp_builder_set_value(&ps->b, n, is_word(&t, "true") ? 1 : 0);
				return n;
			}
			if (accept_word(ps, "null"))
				return node(ps, CP_OP_NULL, CP_NONE_IDX, CP_NONE_IDX, CP_NONE_IDX);
			if (accept_word(ps, "none"))
				return node(ps, CP_OP_NOAWARD, CP_NONE_IDX, CP_NONE_IDX, CP_NONE_IDX);
			if (accept_word(ps, "review"))
			{
				char	   *reason;

				if (ps->tok.kind != TOK_STRING)
					syntax_error(ps, "a reason in single quotes");
				reason = ps->tok.text;
				next(ps);
				return node(ps, CP_OP_REVIEW, cp_builder_string(&ps->b, reason, strlen(reason)),
							CP_NONE_IDX, CP_NONE_IDX);
			}
			if (accept_word(ps, "tier"))
				return cp_parse_tier(ps, &t);
			if (accept_word(ps, "case"))
				return cp_parse_case(ps, &t);
			if (is_word(&t, "table") && cp_dtable_follows(ps))
				return cp_parse_dtable(ps, &t);
			if ((i = word_value(&t, CP_WORDS_BUILTIN)) != 0)
			{
				next(ps);
				note_outage_use(ps, &t);
				return node(ps, CP_OP_BUILTIN, i, CP_NONE_IDX, CP_NONE_IDX);
			}
			/* a function call: a name followed by "(" */
			if (*ps->p == '(')
			{
				if ((i = word_value(&t, CP_WORDS_FUNC)) != 0)
				{
					next(ps);
					return parse_call(ps, &t, (CpFunc) i);
				}
				cp_error_at(&t, ERRCODE_UNDEFINED_FUNCTION, "unknown function",
						 "The functions are min, max, round, hours, days, days_in_month, coalesce, abs, date, working_days, year, month, day, weekday, hour, lower, starts_with and contains.");
			}
			if (!is_reserved(&t))
			{
				char	   *name = expect_ident(ps, "a value");
				int32		let = lookup_let(ps, name);

				if (let != CP_NONE_IDX)
					return node(ps, CP_OP_LET, let, CP_NONE_IDX, CP_NONE_IDX);
				return node(ps, CP_OP_COLUMN, cp_builder_column(&ps->b, name),
							CP_NONE_IDX, CP_NONE_IDX);
			}
			/* a unit word (hours, days...) or another reserved word */
			return cp_parse_reserved_value(ps, &t);
		default:
			break;
	}
	syntax_error(ps, "a value");
}

static int32
parse_postfix(Parser *ps)
{
	int32		n = parse_primary(ps);
	int			unit;

	for (;;)
	{
		Token		at = ps->tok;

		if (accept_op(ps, "%"))
			n = node_at(ps, &at, CP_OP_PERCENT, n, CP_NONE_IDX, CP_NONE_IDX);
		else if ((unit = word_value(&ps->tok, CP_WORDS_UNIT)) != 0 ||
				 (unit = word_value(&ps->tok, CP_WORDS_UNIT_ONE)) != 0)
		{
			next(ps);
			n = node_at(ps, &at, CP_OP_DURATION, n, unit, CP_NONE_IDX);
		}
		else if (is_word(&ps->tok, "working"))
			n = cp_parse_working_days(ps, n);
		else
			return n;
	}
}

static int32
parse_unary(Parser *ps)
{
	Token		at = ps->tok;

	check_stack_depth();
	if (accept_op(ps, "-"))
	{
		int32		n;

		nest_enter(ps);
		n = parse_unary(ps);
		nest_leave(ps);
		return node_at(ps, &at, CP_OP_NEG, n, CP_NONE_IDX, CP_NONE_IDX);
	}
	return parse_postfix(ps);
}

static int32
parse_product(Parser *ps)
{
	int32		n = parse_unary(ps);

	for (;;)
	{
		Token		at = ps->tok;

		if (accept_op(ps, "*"))
			n = node_at(ps, &at, CP_OP_MUL, n, parse_unary(ps), CP_NONE_IDX);
		else if (accept_op(ps, "/"))
			n = node_at(ps, &at, CP_OP_DIV, n, parse_unary(ps), CP_NONE_IDX);
		else
			return n;
	}
}

int32
parse_sum(Parser *ps)
{
	int32		n = parse_product(ps);

	for (;;)
	{
		Token		at = ps->tok;

		if (accept_op(ps, "+"))
			n = node_at(ps, &at, CP_OP_ADD, n, parse_product(ps), CP_NONE_IDX);
		else if (accept_op(ps, "-"))
			n = node_at(ps, &at, CP_OP_SUB, n, parse_product(ps), CP_NONE_IDX);
		else
			return n;
	}
}

/* "LO .. HI" or "LO ..< HI"; returns whether the end is exclusive. */
static bool
parse_range(Parser *ps, int32 *lo, int32 *hi)
{
	bool		exclusive;

	*lo = parse_sum(ps);
	if (accept_op(ps, ".."))
		exclusive = false;
	else if (accept_op(ps, "..<"))
		exclusive = true;
	else
		syntax_error(ps, "\"..\" or \"..<\"");
	*hi = parse_sum(ps);
	return exclusive;
}

static int32
parse_in_list(Parser *ps, const Token *in_tok, int32 subject)
{
	NodeList	items = {0};
	int32		count;

	nest_enter(ps);
	do
		nodelist_add(&items, parse_expr(ps));
	while (accept_op(ps, ","));
	expect_op(ps, ")");
	nest_leave(ps);
	count = items.n;
	return node_at(ps, in_tok, CP_OP_IN_LIST, subject, nodelist_to_args(ps, &items), count);
}

static int32
parse_predicate(Parser *ps)
{
	static const struct
	{
		const char *op;
		CpOp		node;
	}			cmps[] = {
		{"=", CP_OP_EQ}, {"<>", CP_OP_NE}, {"!=", CP_OP_NE}, {"<", CP_OP_LT},
		{"<=", CP_OP_LE}, {">", CP_OP_GT}, {">=", CP_OP_GE}, {NULL, 0}
	};
	int32		n = parse_sum(ps);
	bool		negated = false;
	int			i;

	Token		at = ps->tok;

	for (i = 0; cmps[i].op; i++)
		if (accept_op(ps, cmps[i].op))
			return node_at(ps, &at, cmps[i].node, n, parse_sum(ps), CP_NONE_IDX);

	if (accept_word(ps, "is"))
	{
		negated = accept_word(ps, "not");
		expect_word(ps, "null");
		n = node(ps, CP_OP_IS_NULL, n, CP_NONE_IDX, CP_NONE_IDX);
		if (negated)
			CpBuilderNode(&ps->b, n)->flags |= CP_NODE_NEGATED;
		return n;
	}

	/* [not] between lo and hi (ruleset_parse_tables.c) */
	if ((i = cp_parse_between(ps, n)) != CP_NONE_IDX)
		return i;

	/* [not] in ( list ) | [not] in range | [not] during outage */
	if (is_word(&ps->tok, "not"))
	{
		next(ps);
		negated = true;
		if (!is_word(&ps->tok, "in") && !is_word(&ps->tok, "during"))
			syntax_error(ps, "\"in\", \"between\" or \"during\" after \"not\"");
	}
	at = ps->tok;
	if (accept_word(ps, "in"))
	{
		if (accept_op(ps, "("))
			n = parse_in_list(ps, &at, n);
		else
		{
			int32		lo,
						hi;
			bool		exclusive = parse_range(ps, &lo, &hi);

			n = node_at(ps, &at, CP_OP_IN_RANGE, n, lo, hi);
			if (exclusive)
				CpBuilderNode(&ps->b, n)->flags |= CP_NODE_EXCLUSIVE;
		}
	}
	else if (is_word(&ps->tok, "during"))
	{
		Token		t = ps->tok;

		next(ps);
		expect_word(ps, "outage");
		note_outage_use(ps, &t);
		n = node_at(ps, &t, CP_OP_IN_OUTAGE, n, CP_NONE_IDX, CP_NONE_IDX);
	}
	else
		return n;
	if (negated)
		CpBuilderNode(&ps->b, n)->flags |= CP_NODE_NEGATED;
	return n;
}

static int32
parse_not(Parser *ps)
{
	Token		at = ps->tok;

	check_stack_depth();
	if (accept_word(ps, "not"))
	{
		int32		n;

		nest_enter(ps);
		n = parse_not(ps);
		nest_leave(ps);
		return node_at(ps, &at, CP_OP_NOT, n, CP_NONE_IDX, CP_NONE_IDX);
	}
	return parse_predicate(ps);
}

static int32
parse_and(Parser *ps)
{
	int32		n = parse_not(ps);
	Token		at = ps->tok;

	while (accept_word(ps, "and"))
	{
		n = node_at(ps, &at, CP_OP_AND, n, parse_not(ps), CP_NONE_IDX);
		at = ps->tok;
	}
	return n;
}

int32
parse_expr(Parser *ps)
{
	int32		n = parse_and(ps);
	Token		at = ps->tok;

	while (accept_word(ps, "or"))
	{
		n = node_at(ps, &at, CP_OP_OR, n, parse_and(ps), CP_NONE_IDX);
		at = ps->tok;
	}
	return n;
}

/*
 * Policy structure
 */
static CpRounding
parse_mode(Parser *ps)
{
	CpRounding	mode = (CpRounding) word_value(&ps->tok, CP_WORDS_ROUNDING);

	if (mode == CP_ROUND_UNSET)
		syntax_error(ps, "a rounding mode (half_up, half_even, floor or ceiling)");
	next(ps);
	return mode;
}

/* "to N": a positive whole number of minor units. */
static int64
parse_increment(Parser *ps)
{
	Token		t = ps->tok;

	if (t.kind != TOK_NUMBER || t.scale != 0 || t.mantissa <= 0)
		syntax_error(ps, "a positive whole number of minor units after \"to\"");
	next(ps);
	return t.mantissa;
}

CpUnitKind
instrument_unit(Parser *ps, const Token *at, const char *name)
{
	int			i = cp_names_get(ps->instrument_names, name, strlen(name));

	if (i != CP_NONE_IDX)
		return CpBuilderInstrument(&ps->b, i)->unit;
	i = cp_builtin_instrument_unit(name);
	if (i >= 0)
		return (CpUnitKind) i;
	cp_error_at(at, ERRCODE_UNDEFINED_OBJECT,
			 psprintf("unknown instrument \"%s\"", name),
			 psprintf("Declare it in the policy header: instrument %s money (or count). "
					  "Known without declaring: cash, coupon, deposit, fee, pass, points, refund, voucher.",
					  name));
}

/* Can the current token begin an expression (an optional grant amount)? */
static bool
starts_expr(Parser *ps)
{
	const Token *t = &ps->tok;

	if (t->kind == TOK_NUMBER || t->kind == TOK_STRING || t->kind == TOK_DATE ||
		t->kind == TOK_TIMESTAMP || t->kind == TOK_NAME)
		return true;
	if (t->kind == TOK_OP)
		return is_op(t, "(") || is_op(t, "-");
	if (t->kind == TOK_IDENT)
		return (!is_reserved(t) && !cp_due_by_follows(ps)) ||
			*ps->p == '(' || is_word(t, "not") ||
			is_word(t, "true") || is_word(t, "false") ||
			is_word(t, "null") || is_word(t, "tier") || is_word(t, "none") ||
			is_word(t, "case") ||
			word_value(t, CP_WORDS_BUILTIN) != 0;
	return false;
}

static void
parse_award_tail(Parser *ps, CpAwardSpec *spec, bool allow_round)
{
	if (allow_round && accept_word(ps, "round"))
	{
		spec->rounding = parse_mode(ps);
		if (accept_word(ps, "to"))
			spec->increment = parse_increment(ps);
	}
	/* "due" can only begin "due by" here: no award begins with it */
	if (is_word(&ps->tok, "due"))
		cp_parse_due_by(ps, spec);
	else if ((spec->window_kind = word_value(&ps->tok, CP_WORDS_WINDOW_KIND)) != CP_WINDOW_NONE)
	{
		next(ps);
		spec->window_exclusive = parse_range(ps, &spec->window_lo, &spec->window_hi) ? 1 : 0;
	}
}

/* One award line of a rule; false at "end". */
static bool
parse_award(Parser *ps)
{
	Token		t = ps->tok;
	CpAwardSpec spec;
	char	   *name;
	int32		i;

	if (is_word(&t, "end"))
		return false;

	memset(&spec, 0, sizeof(spec));
	spec.instrument = spec.column = spec.amount = spec.duration = CP_NONE_IDX;
	spec.window_lo = spec.window_hi = spec.reason = CP_NONE_IDX;

	if (accept_word(ps, "credit") || accept_word(ps, "waive"))
	{
		Token		at = ps->tok;

		spec.kind = is_word(&t, "credit") ? CP_AWARD_CREDIT : CP_AWARD_WAIVE;
		name = expect_ident(ps, "an instrument");
		spec.unit = instrument_unit(ps, &at, name);
		spec.instrument = cp_builder_string(&ps->b, name, strlen(name));
		spec.amount = parse_expr(ps);
		parse_award_tail(ps, &spec, true);
	}
	else if (accept_word(ps, "extend"))
	{
		/* a column: "quoted", or an identifier */
		name = ps->tok.kind == TOK_NAME ? expect_name(ps, "a date column") :
			expect_ident(ps, "a date column");
		spec.instrument = cp_builder_string(&ps->b, name, strlen(name));
		spec.column = cp_builder_column(&ps->b, name);
		if (accept_word(ps, "to"))
		{
			spec.kind = CP_AWARD_EXTEND_TO;
			spec.amount = parse_expr(ps);
		}
		else
		{
			expect_word(ps, "by");
			if (is_word(&ps->tok, "outage"))
			{
				note_outage_use(ps, &ps->tok);
				next(ps);
				spec.kind = CP_AWARD_EXTEND_OUTAGE;
			}
			else
			{
				spec.kind = CP_AWARD_EXTEND_BY;
				spec.amount = parse_expr(ps);
			}
		}
	}
	else if (accept_word(ps, "grant"))
	{
		Token		at = ps->tok;

		spec.kind = CP_AWARD_GRANT;
		name = expect_ident(ps, "an item");
		spec.instrument = cp_builder_string(&ps->b, name, strlen(name));
		if (starts_expr(ps) && !cp_bearer_follows(ps))
		{
			spec.unit = instrument_unit(ps, &at, name);
			spec.amount = parse_expr(ps);
		}
		if (accept_word(ps, "for"))
			spec.duration = parse_expr(ps);
		parse_award_tail(ps, &spec, spec.amount != CP_NONE_IDX);
	}
	else if (accept_word(ps, "flag"))
	{
		spec.kind = CP_AWARD_FLAG;
		name = expect_ident(ps, "a flag name");
		spec.instrument = cp_builder_string(&ps->b, name, strlen(name));
		parse_award_tail(ps, &spec, false);
	}
	else if (accept_word(ps, "review"))
	{
		spec.kind = CP_AWARD_REVIEW;
		if (ps->tok.kind != TOK_STRING)
			syntax_error(ps, "a reason in single quotes");
		spec.instrument = cp_builder_string(&ps->b, "review", 6);
		spec.reason = cp_builder_string(&ps->b, ps->tok.text, strlen(ps->tok.text));
		next(ps);
	}
	else
		syntax_error(ps, "an award (credit, waive, extend, grant, flag, review) or \"end\"");
	cp_parse_bearer(ps, &spec);

	if (ps->b.n_awards >= CP_MAX_AWARD_LINES)
		cp_error_at(&t, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
				 psprintf("policy has more than %d award lines", CP_MAX_AWARD_LINES),
				 "A row's award has at most one line per award line of the policy; split the policy.");
	i = cp_builder_award(&ps->b);
	*CpBuilderAward(&ps->b, i) = spec;
	return true;
}

void
parse_let(Parser *ps)
{
	Token		at = ps->tok;
	char	   *name = expect_ident(ps, "a name");
	int32		expr;
	CpLet	   *let;

	int32		i;

	if (lookup_let(ps, name) != CP_NONE_IDX)
		cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
				 psprintf("\"%s\" is already defined", name), NULL);
	expect_op(ps, "=");
	/* the expression first: a let cannot refer to itself */
	expr = parse_expr(ps);
	i = cp_builder_let(&ps->b);
	let = CpBuilderLet(&ps->b, i);
	let->name = cp_builder_string(&ps->b, name, strlen(name));
	let->expr = expr;
	let->rule = ps->rule;
	(void) cp_names_add(ps->let_names, name, strlen(name), i);
}

static void
parse_rule(Parser *ps)
{
	Token		at = ps->tok;
	char	   *name = expect_name(ps, "a rule name");
	int32		r;
	int32		i;
	CpRule	   *rule;			/* stays put: builder elements never move */

	if (cp_names_get(ps->rule_names, name, strlen(name)) != CP_NONE_IDX)
		cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
				 psprintf("rule \"%s\" is defined twice", name),
				 "Rule names must be unique within a policy.");
	if (ps->b.n_rules >= CP_MAX_RULES)
		cp_error_at(&at, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
				 psprintf("policy has more than %d rules", CP_MAX_RULES),
				 "Split the policy, or merge rules that award alike into one with a wider condition.");

	r = cp_builder_rule(&ps->b);
	rule = CpBuilderRule(&ps->b, r);
	rule->name = cp_builder_string(&ps->b, name, strlen(name));
	(void) cp_names_add(ps->rule_names, name, strlen(name), r);
	ps->rule = r;
	/* lets may come before "when", which then sees them (issue 11) */
	rule->first_let = ps->b.n_lets;
	while (accept_word(ps, "let"))
		parse_let(ps);
	if (accept_word(ps, "when"))
	{
		Token		cond_at = ps->tok;

		rule->cond = parse_expr(ps);
		cp_check_condition(&ps->b, rule->cond, &cond_at);
	}
	while (accept_word(ps, "let"))
		parse_let(ps);
	rule->n_lets = ps->b.n_lets - rule->first_let;
	rule->first_award = ps->b.n_awards;
	while (parse_award(ps))
		;
	rule->n_awards = ps->b.n_awards - rule->first_award;
	expect_word(ps, "end");
	/* the rule's lets go out of scope */
	for (i = rule->first_let; i < rule->first_let + rule->n_lets; i++)
	{
		const char *let = CpBuilderString(&ps->b, CpBuilderLet(&ps->b, i)->name);

		cp_names_remove(ps->let_names, let, strlen(let));
	}
	ps->rule = CP_NONE_IDX;
}

static void
duplicate_header(Parser *ps, const Token *t) pg_attribute_noreturn();

static void
duplicate_header(Parser *ps, const Token *t)
{
	cp_error_at(t, ERRCODE_SYNTAX_ERROR,
			 psprintf("\"%.*s\" is given twice", t->len, t->start),
			 "Each header line may appear once.");
}

/* One header line; false when the headers are over. */
static bool
parse_header(Parser *ps)
{
	Token		t = ps->tok;

	if (accept_word(ps, "policy"))
	{
		char	   *name;

		if (ps->seen_policy)
			duplicate_header(ps, &t);
		name = expect_name(ps, "a policy name");
		ps->b.name = cp_builder_string(&ps->b, name, strlen(name));
		ps->seen_policy = true;
	}
	else if (accept_word(ps, "currency"))
	{
		Token		at = ps->tok;
		char	   *code;
		int			exponent;

		if (ps->seen_currency)
			duplicate_header(ps, &t);
		if (at.kind != TOK_IDENT || at.len != 3)
			syntax_error(ps, "a three-letter ISO 4217 currency code");
		code = pnstrdup(at.start, 3);
		next(ps);
		exponent = cp_currency_exponent(code);
		if (exponent < 0)
			cp_error_at(&at, ERRCODE_INVALID_PARAMETER_VALUE,
					 psprintf("unknown currency \"%s\"", code),
					 "Use an ISO 4217 code in capitals, such as KRW, USD or KWD.");
		memcpy(ps->b.currency, code, 3);
		ps->b.exponent = (int16) exponent;
		ps->seen_currency = true;
	}
	else if (accept_word(ps, "timezone"))
	{
		Token		at = ps->tok;
		char	   *zone;

		if (ps->seen_timezone)
			duplicate_header(ps, &t);
		if (ps->tz_used)
			cp_error_at(&t, ERRCODE_SYNTAX_ERROR,
					 "\"timezone\" must come before the first date",
					 "Move the timezone line above the outage lines.");
		zone = expect_name(ps, "a time zone name");
		if (!cp_iana_zone_name(zone))
			cp_error_at(&at, ERRCODE_INVALID_PARAMETER_VALUE,
					 psprintf("time zone \"%s\" is not an IANA time zone name", zone),
					 "Use a name from the tz database such as \"Asia/Seoul\" or \"UTC\": \"localtime\" follows the host, and a POSIX time zone string is not a name.");
		ps->tz = pg_tzset(zone);
		if (ps->tz == NULL || !pg_tz_acceptable(ps->tz))
			cp_error_at(&at, ERRCODE_INVALID_PARAMETER_VALUE,
					 psprintf("time zone \"%s\" not recognized", zone),
					 "Use an IANA time zone name such as \"Asia/Seoul\" or \"UTC\".");
		ps->b.timezone = cp_builder_string(&ps->b, zone, strlen(zone));
		ps->seen_timezone = true;
	}
	else if (accept_word(ps, "hit"))
	{
		if (ps->seen_hit)
			duplicate_header(ps, &t);
		if ((ps->b.hit = word_value(&ps->tok, CP_WORDS_HIT)) == 0)
			syntax_error(ps, "collect, first or unique");
		next(ps);
		ps->seen_hit = true;
	}
	else if (accept_word(ps, "rounding"))
	{
		if (ps->seen_rounding)
			duplicate_header(ps, &t);
		ps->b.rounding = parse_mode(ps);
		if (accept_word(ps, "to"))
			ps->b.increment = parse_increment(ps);
		ps->seen_rounding = true;
	}
	else if (accept_word(ps, "instrument"))
	{
		Token		at = ps->tok;
		char	   *name = expect_ident(ps, "an instrument name");
		CpInstrument *instr;
		int32		i;

		if (cp_names_get(ps->instrument_names, name, strlen(name)) != CP_NONE_IDX)
			cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
					 psprintf("instrument \"%s\" is declared twice", name), NULL);
		i = cp_builder_instrument(&ps->b);
		(void) cp_names_add(ps->instrument_names, name, strlen(name), i);
		instr = CpBuilderInstrument(&ps->b, i);
		instr->name = cp_builder_string(&ps->b, name, strlen(name));
		if ((instr->unit = word_value(&ps->tok, CP_WORDS_UNIT_KIND)) == 0)
			syntax_error(ps, "money or count");
		next(ps);
	}
	else if (accept_word(ps, "outage"))
	{
		Token		at = ps->tok;
		int32		i = cp_builder_window(&ps->b);
		CpWindow	w;
		CpBuildNode *lo,
				   *hi;

		memset(&w, 0, sizeof(w));
		w.exclusive = parse_range(ps, &w.lo_node, &w.hi_node) ? 1 : 0;
		lo = CpBuilderNode(&ps->b, w.lo_node);
		hi = CpBuilderNode(&ps->b, w.hi_node);
		if ((lo->op != CP_OP_DATE && lo->op != CP_OP_TIMESTAMP) ||
			(hi->op != CP_OP_DATE && hi->op != CP_OP_TIMESTAMP))
			cp_error_at(&at, ERRCODE_SYNTAX_ERROR,
					 "an outage window must be two dates or times", NULL);
		w.lo = cp_builder_instants(&ps->b, w.lo_node).v;
		w.hi = w.exclusive ? cp_builder_instants(&ps->b, w.hi_node).v :
			cp_builder_instants(&ps->b, w.hi_node).w;
		if (w.hi <= w.lo)
			cp_error_at(&at, ERRCODE_INVALID_PARAMETER_VALUE,
					 "outage window ends before it starts", NULL);
		*CpBuilderWindow(&ps->b, i) = w;
	}
	else if (accept_word(ps, "let"))
		parse_let(ps);
	else if (is_word(&ps->tok, "calendar"))
	{
		if (ps->calendar != CP_NONE_IDX)
			duplicate_header(ps, &t);
		ps->calendar = cp_parse_calendar(ps);
	}
	else
		return cp_parse_table_header(ps);
	return true;
}

/*
 * The parser, for the grammar of ruleset_parse_dates.c (ruleset_parse.h).
 */
Token *
cp_parser_token(Parser *ps)
{
	return &ps->tok;
}

void
cp_parser_next(Parser *ps)
{
	next(ps);
}

bool
cp_parser_accept_word(Parser *ps, const char *word)
{
	return accept_word(ps, word);
}

bool
cp_parser_accept_op(Parser *ps, const char *op)
{
	return accept_op(ps, op);
}

bool
cp_parser_is_word(Parser *ps, const char *word)
{
	return is_word(&ps->tok, word);
}

void
cp_parser_syntax_error(Parser *ps, const char *expected)
{
	syntax_error(ps, expected);
}

CpBuilder *
cp_parser_builder(Parser *ps)
{
	return &ps->b;
}

char *
cp_parser_expect_name(Parser *ps, const char *what)
{
	return expect_name(ps, what);
}

int32
cp_parser_node_at(Parser *ps, const Token *at, CpOp op, int32 a, int32 b, int32 c)
{
	return node_at(ps, at, op, a, b, c);
}

int32
cp_parser_date_node(Parser *ps, DateADT date, const Token *at)
{
	pg_tz	   *tz = policy_tz(ps);
	int32		n = node_at(ps, at, CP_OP_DATE, date, 0, CP_NONE_IDX);

	cp_builder_set_instants(&ps->b, n, cp_local_to_instant(tz, date, 0),
							cp_local_to_instant(tz, date + 1, 0));
	return n;
}

int32
cp_parser_calendar(Parser *ps)
{
	return ps->calendar;
}

CpRuleset
cp_parse_policy(const char *text)
{
	return cp_parse_policy_with(text, NULL);
}

CpRuleset
cp_parse_policy_with(const char *text, struct CpParamOverrides *overrides)
{
	Parser		ps;
	CpRuleset	rs;
	size_t		len = strlen(text);

	/* before anything is allocated for it */
	if (len > CP_MAX_POLICY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("policy text is too long"),
				 errdetail("A policy may have at most %d bytes of text; this one has %zu.",
						   CP_MAX_POLICY_BYTES, len),
				 errhint("Split the policy.")));

	memset(&ps, 0, sizeof(ps));
	ps.src = ps.p = ps.line_start = text;
	ps.line = 1;
	ps.rule = CP_NONE_IDX;
	ps.calendar = CP_NONE_IDX;
	ps.overrides = overrides;
	ps.cxt = CurrentMemoryContext;
	ps.build_cxt = AllocSetContextCreate(ps.cxt, "compensation policy builder",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(ps.build_cxt);
	cp_builder_init(&ps.b);
	ps.rule_names = cp_names_create(ps.build_cxt);
	ps.let_names = cp_names_create(ps.build_cxt);
	ps.instrument_names = cp_names_create(ps.build_cxt);
	ps.scratch = AllocSetContextCreate(ps.build_cxt, "compensation policy parser",
									   ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(ps.scratch);
	next(&ps);

	while (parse_header(&ps))
		;
	while (ps.tok.kind != TOK_EOF)
	{
		if (!is_word(&ps.tok, "rule"))
			syntax_error(&ps, ps.b.n_rules == 0 ?
						 "a header line or \"rule\"" : "\"rule\"");
		/* the one token alive is "rule", which has no value in scratch */
		MemoryContextReset(ps.scratch);
		next(&ps);
		parse_rule(&ps);
	}

	if (!ps.seen_policy)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("policy has no name"),
				 errhint("Begin the policy with a line such as: policy \"refunds-2025\"")));
	if (!ps.seen_currency)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("policy \"%s\" has no currency", CpBuilderString(&ps.b, ps.b.name)),
				 errhint("Add a header line such as: currency KRW")));
	if (ps.uses_outage && ps.b.n_windows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("policy uses the outage at line %d, column %d but declares no outage window",
						ps.outage_line, ps.outage_col),
				 errhint("Add a header line such as: outage 2025-06-09 .. 2025-06-13")));
	if (ps.b.timezone == CP_NONE_IDX)
		ps.b.timezone = cp_builder_string(&ps.b, "UTC", 3);

	MemoryContextDelete(ps.scratch);
	MemoryContextSwitchTo(ps.build_cxt);
	rs = cp_builder_finish(&ps.b, ps.cxt);
	MemoryContextSwitchTo(ps.cxt);
	MemoryContextDelete(ps.build_cxt);
	return rs;
}
