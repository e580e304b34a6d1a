/*-------------------------------------------------------------------------
 *
 * ruleset_parse_tables.c
 *	  The grammar of the constructs that replace repeated rules (issue 11):
 *	  tiers with half-open "below" steps, "case" expressions (searched and
 *	  simple, a lookup of a value by a text column), "between", what-if
 *	  parameters, and the reserved-word error for a bare keyword where a
 *	  value is expected.
 *
 * The core grammar (ruleset_parse.c) calls in here where each construct
 * begins; the two share the parser's state and helpers (ruleset_parse.h).
 * Evaluation is in eval_table.c, printing in ruleset_print.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "ruleset_params.h"
#include "ruleset_parse.h"
#include "strutil.h"

/*
 * A node whose argument list is known only at its end (tier, case): the
 * else flag is set before the node is checked, since it says how many
 * arguments the node has.
 */
static int32
list_node(Parser *ps, const Token *at, CpOp op, int32 a, int32 b, int32 c,
		  bool has_else)
{
	int32		n = cp_builder_node(&ps->b, op);
	CpBuildNode *nd = CpBuilderNode(&ps->b, n);

	nd->a = a;
	nd->b = b;
	nd->c = c;
	if (has_else)
		nd->flags |= CP_NODE_HAS_ELSE;
	cp_check_node(&ps->b, n, at);
	return n;
}

/*
 * tier SUBJECT (upto B => R | below B => R)+ [else R] end
 *
 * "upto B" takes a subject at most B, "below B" one less than B: the SLA
 * bands "less than 99.99%", and the delay band "3 hours or more but less
 * than 6".  A tier with no "below" is the CP_OP_TIER of before, so its
 * value is unchanged; one with a "below" is CP_OP_TIER_BELOW, its below
 * bounds wrapped in CP_OP_BELOW.  Constant bounds must ascend strictly, of
 * either kind (a step after one of the same bound would never be reached,
 * but for "below B" then "upto B", which takes exactly B: write that as
 * "upto B" alone after the "below" steps, or use a bound above B).
 */
int32
cp_parse_tier(Parser *ps, const Token *tier_tok)
{
	int32		subject;
	NodeList	items = {0};
	int			steps = 0;
	bool		has_else = false;
	bool		any_below = false;
	CpConstBound top = {0};
	int32		first;

	nest_enter(ps);
	subject = parse_expr(ps);
	for (;;)
	{
		bool		below;
		Token		at;
		int32		bound;

		if (accept_word(ps, "upto"))
			below = false;
		else if (accept_word(ps, "below"))
			below = true;
		else
			break;
		at = ps->tok;
		bound = parse_expr(ps);
		cp_check_tier_bound(&ps->b, &top, bound, &at);
		if (below)
		{
			bound = node_at(ps, &at, CP_OP_BELOW, bound, CP_NONE_IDX, CP_NONE_IDX);
			any_below = true;
		}
		nodelist_add(&items, bound);
		expect_op(ps, "=>");
		nodelist_add(&items, parse_expr(ps));
		steps++;
	}
	if (steps == 0)
		syntax_error(ps, "\"upto\" or \"below\"");
	if (accept_word(ps, "else"))
	{
		nodelist_add(&items, parse_expr(ps));
		has_else = true;
	}
	expect_word(ps, "end");
	nest_leave(ps);

	first = nodelist_to_args(ps, &items);
	return list_node(ps, tier_tok, any_below ? CP_OP_TIER_BELOW : CP_OP_TIER,
					 subject, first, steps, has_else);
}

/*
 * case when COND then R ... [else R] end
 * case SUBJECT when V [, V ...] then R ... [else R] end
 *
 * The first arm whose condition is true (or one of whose values equals the
 * subject) gives the result; with none and no else, the result is null, as
 * in SQL (an award of null gives no line).  The simple form is the lookup
 * of a value by a column: case ticket_type when 'adult' then 0.25 ... end.
 */
int32
cp_parse_case(Parser *ps, const Token *case_tok)
{
	NodeList	items = {0};
	int32		subject = CP_NONE_IDX;
	int			arms = 0;
	bool		has_else = false;
	int32		first;

	/* "when case = 1": a column named case, which must be quoted */
	if (ps->tok.kind == TOK_OP && !is_op(&ps->tok, "(") && !is_op(&ps->tok, "-"))
		cp_error_at(case_tok, ERRCODE_SYNTAX_ERROR,
					"syntax error: expected a value, found the reserved word \"case\"",
					"If it names a column, write it in double quotes: \"case\". See docs/policy-language.md for the grammar.");
	nest_enter(ps);
	if (!is_word(&ps->tok, "when"))
		subject = parse_expr(ps);
	while (is_word(&ps->tok, "when"))
	{
		Token		at;

		next(ps);
		at = ps->tok;
		if (subject == CP_NONE_IDX)
		{
			int32		cond = parse_expr(ps);

			cp_check_condition(&ps->b, cond, &at);
			nodelist_add(&items, cond);
		}
		else
		{
			NodeList	values = {0};
			int32		count;

			do
				nodelist_add(&values, parse_expr(ps));
			while (accept_op(ps, ","));
			count = values.n;
			nodelist_add(&items, node_at(ps, &at, CP_OP_CASE_VALUES,
										 nodelist_to_args(ps, &values),
										 CP_NONE_IDX, count));
		}
		expect_word(ps, "then");
		nodelist_add(&items, parse_expr(ps));
		arms++;
	}
	if (arms == 0)
		syntax_error(ps, "\"when\"");
	if (accept_word(ps, "else"))
	{
		nodelist_add(&items, parse_expr(ps));
		has_else = true;
	}
	expect_word(ps, "end");
	nest_leave(ps);

	first = nodelist_to_args(ps, &items);
	if (subject == CP_NONE_IDX)
		return list_node(ps, case_tok, CP_OP_CASE, first, CP_NONE_IDX, arms, has_else);
	return list_node(ps, case_tok, CP_OP_CASE_SIMPLE, subject, first, arms, has_else);
}

/* ---------------------------------------------------------------------
 * Decision tables
 * ---------------------------------------------------------------------
 */

/* Is the current token the word "table" followed by "(" (spaces allowed)? */
bool
cp_dtable_follows(Parser *ps)
{
	const char *q = ps->p;

	while (*q == ' ' || *q == '\t')
		q++;
	return *q == '(';
}

/*
 * One cell of a row: any | OP value | in (v, ...) | value | lo .. hi |
 * lo ..< hi.  Values bind like sums, so the commas and "then" of the row
 * end them.
 */
static int32
parse_cell(Parser *ps)
{
	static const struct
	{
		const char *op;
		CpOp		node;
	}			tests[] = {
		{"<=", CP_OP_LE}, {">=", CP_OP_GE}, {"<>", CP_OP_NE}, {"!=", CP_OP_NE},
		{"<", CP_OP_LT}, {">", CP_OP_GT}, {"=", CP_OP_EQ}, {NULL, 0}
	};
	Token		at = ps->tok;
	int32		lo;
	int			i;

	if (accept_word(ps, "any"))
		return node_at(ps, &at, CP_OP_CELL_ANY, CP_NONE_IDX, CP_NONE_IDX, CP_NONE_IDX);
	for (i = 0; tests[i].op; i++)
		if (accept_op(ps, tests[i].op))
			return node_at(ps, &at, CP_OP_CELL_TEST, parse_sum(ps), tests[i].node, CP_NONE_IDX);
	if (accept_word(ps, "in"))
	{
		NodeList	values = {0};
		int32		count;

		expect_op(ps, "(");
		nest_enter(ps);
		do
			nodelist_add(&values, parse_expr(ps));
		while (accept_op(ps, ","));
		expect_op(ps, ")");
		nest_leave(ps);
		count = values.n;
		return node_at(ps, &at, CP_OP_CASE_VALUES, nodelist_to_args(ps, &values),
					   CP_NONE_IDX, count);
	}
	lo = parse_sum(ps);
	if (is_op(&ps->tok, "..") || is_op(&ps->tok, "..<"))
	{
		bool		exclusive = is_op(&ps->tok, "..<");
		int32		n;

		next(ps);
		n = node_at(ps, &at, CP_OP_CELL_RANGE, lo, parse_sum(ps), CP_NONE_IDX);
		if (exclusive)
			CpBuilderNode(&ps->b, n)->flags |= CP_NODE_EXCLUSIVE;
		return n;
	}
	return node_at(ps, &at, CP_OP_CELL_TEST, lo, CP_OP_EQ, CP_NONE_IDX);
}

/*
 * table (INPUT, ...) [first | unique | collect]
 *   when CELL, ... then OUTPUT
 *   ...
 *   [else OUTPUT]
 * end
 *
 * A DMN-style decision table: a row matches when each input passes its
 * cell (a NULL input passes only "any").  Hit policy: unique (the default,
 * as in DMN: two rows that match are an error), first (the first row that
 * matches), collect (the sum of the outputs of every row that matches,
 * DMN's C+).  No row and no else: null.
 */
int32
cp_parse_dtable(Parser *ps, const Token *table_tok)
{
	NodeList	items = {0};
	int			inputs = 0;
	int			rows = 0;
	bool		has_else = false;
	int			hit;
	uint8		flags = 0;
	int32		first;
	int32		n;
	CpBuildNode *nd;

	next(ps);					/* "table" */
	nest_enter(ps);
	expect_op(ps, "(");
	do
	{
		if (inputs == CP_MAX_ARGS)
			cp_error_at(&ps->tok, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						"too many inputs of a decision table", NULL);
		nodelist_add(&items, parse_expr(ps));
		inputs++;
	} while (accept_op(ps, ","));
	expect_op(ps, ")");
	if ((hit = word_value(&ps->tok, CP_WORDS_HIT)) != 0)
	{
		next(ps);
		if (hit == CP_HIT_FIRST)
			flags |= CP_NODE_HIT_FIRST;
		else if (hit == CP_HIT_COLLECT)
			flags |= CP_NODE_HIT_COLLECT;
	}
	while (is_word(&ps->tok, "when"))
	{
		Token		row_at = ps->tok;
		int			cells = 0;

		next(ps);
		do
		{
			if (cells == inputs)
				cp_error_at(&ps->tok, ERRCODE_SYNTAX_ERROR,
							psprintf("decision table row %d has more cells than the table has inputs (%d)",
									 rows + 1, inputs),
							"Give each row one cell per input, in order; \"any\" lets every value pass.");
			nodelist_add(&items, parse_cell(ps));
			cells++;
		} while (accept_op(ps, ","));
		if (cells < inputs)
			cp_error_at(&row_at, ERRCODE_SYNTAX_ERROR,
						psprintf("decision table row %d has %d cell%s, the table has %d inputs",
								 rows + 1, cells, cells == 1 ? "" : "s", inputs),
						"Give each row one cell per input, in order; \"any\" lets every value pass.");
		expect_word(ps, "then");
		nodelist_add(&items, parse_expr(ps));
		rows++;
	}
	if (rows == 0)
		syntax_error(ps, "\"when\" (a row of the decision table)");
	if (accept_word(ps, "else"))
	{
		nodelist_add(&items, parse_expr(ps));
		has_else = true;
	}
	expect_word(ps, "end");
	nest_leave(ps);

	first = nodelist_to_args(ps, &items);
	n = cp_builder_node(&ps->b, CP_OP_DTABLE);
	nd = CpBuilderNode(&ps->b, n);
	nd->a = first;
	nd->b = inputs;
	nd->c = rows;
	nd->flags = flags | (has_else ? CP_NODE_HAS_ELSE : 0);
	cp_check_node(&ps->b, n, table_tok);
	return n;
}

/* Is the token after the current one the word "between"? */
static bool
between_follows(Parser *ps)
{
	Parser		save = *ps;
	bool		yes;

	next(ps);
	yes = is_word(&ps->tok, "between");
	*ps = save;
	return yes;
}

/*
 * SUBJECT [not] between LO and HI: both ends inclusive, the same as
 * "SUBJECT [not] in LO .. HI", which is how it prints.  The ends bind like
 * sums, so the "and" between them is never read as a condition's.
 */
int32
cp_parse_between(Parser *ps, int32 subject)
{
	Token		at = ps->tok;
	bool		negated = false;
	int32		lo,
				hi,
				n;

	if (is_word(&ps->tok, "not") && between_follows(ps))
	{
		next(ps);
		negated = true;
		at = ps->tok;
	}
	if (!accept_word(ps, "between"))
		return CP_NONE_IDX;
	lo = parse_sum(ps);
	expect_word(ps, "and");
	hi = parse_sum(ps);
	n = node_at(ps, &at, CP_OP_IN_RANGE, subject, lo, hi);
	if (negated)
		CpBuilderNode(&ps->b, n)->flags |= CP_NODE_NEGATED;
	return n;
}

/*
 * A reserved word where a value is expected.  The unit words (hours, days,
 * minutes and their singulars) follow a value when they are units and
 * precede "(" when they are functions, so where a value begins they can
 * only be a column: "when hours > 3" reads the column hours.  Any other
 * reserved word is an error that names it (before, the message only said a
 * value was expected).
 */
int32
cp_parse_reserved_value(Parser *ps, const Token *t)
{
	if (t->kind == TOK_IDENT &&
		(word_value(t, CP_WORDS_UNIT) != 0 || word_value(t, CP_WORDS_UNIT_ONE) != 0))
	{
		char	   *name = pnstrdup(t->start, t->len);

		next(ps);
		return node_at(ps, t, CP_OP_COLUMN, cp_builder_column(&ps->b, name),
					   CP_NONE_IDX, CP_NONE_IDX);
	}
	if (t->kind == TOK_IDENT && is_reserved(t))
		cp_error_at(t, ERRCODE_SYNTAX_ERROR,
					psprintf("syntax error: expected a value, found the reserved word \"%.*s\"",
							 t->len, t->start),
					psprintf("If it names a column, write it in double quotes: \"%.*s\". See docs/policy-language.md for the grammar.",
							 t->len, t->start));
	syntax_error(ps, "a value");
}

/* ---------------------------------------------------------------------
 * Parameters: param NAME = LITERAL
 * ---------------------------------------------------------------------
 */

const char *
cp_param_kind_name(CpParamKind kind)
{
	switch (kind)
	{
		case CP_PARAM_NUMBER:
			return "a number";
		case CP_PARAM_TEXT:
			return "text";
		case CP_PARAM_BOOL:
			return "a boolean";
		case CP_PARAM_TIME:
			return "a date or time";
		case CP_PARAM_DURATION:
			return "a duration";
	}
	return "a value";
}

static const char *
json_type_name(CpParamJsonType type)
{
	switch (type)
	{
		case CP_PJ_NUMBER:
			return "a number";
		case CP_PJ_STRING:
			return "a string";
		case CP_PJ_BOOL:
			return "a boolean";
		case CP_PJ_NULL:
			return "null";
		case CP_PJ_OTHER:
			break;
	}
	return "an array or object";
}

/*
 * The text the parser reads for an override: a JSON number is the number
 * (1.3, not 130%); a JSON string is the string itself for a text parameter
 * (quoted here), and policy notation for the others ("130%", "2025-07-01",
 * "7 days"); a JSON boolean is true or false.
 */
const char *
cp_param_override_take(CpParamOverrides *ov, const char *name, CpParamKind kind)
{
	int			i;

	for (i = 0; i < ov->n; i++)
	{
		CpParamOverride *o = &ov->items[i];
		bool		ok;

		if (strcmp(o->name, name) != 0)
			continue;
		o->used = true;
		switch (o->type)
		{
			case CP_PJ_NUMBER:
				ok = kind == CP_PARAM_NUMBER;
				break;
			case CP_PJ_BOOL:
				ok = kind == CP_PARAM_BOOL;
				break;
			case CP_PJ_STRING:
				ok = kind != CP_PARAM_BOOL;
				if (ok && kind == CP_PARAM_TEXT)
				{
					StringInfoData q;

					initStringInfo(&q);
					cp_append_quoted(&q, o->text, '\'');
					return q.data;
				}
				break;
			default:
				ok = false;
				break;
		}
		if (ok)
			return o->text;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" is %s, not %s",
						name, cp_param_kind_name(kind), json_type_name(o->type)),
				 kind == CP_PARAM_NUMBER ?
				 errhint("Give a JSON number (1.3 for 130%%) or a string in the policy's notation (\"130%%\").") :
				 kind == CP_PARAM_BOOL ? errhint("Give true or false.") :
				 kind == CP_PARAM_TEXT ? errhint("Give a JSON string.") :
				 errhint("Give a JSON string in the policy's notation, such as \"%s\".",
						 kind == CP_PARAM_TIME ? "2025-07-01" : "7 days")));
	}
	return NULL;
}

/* The lexer's place, to read a stretch of text twice or another text. */
typedef struct LexState
{
	const char *src;
	const char *p;
	int			line;
	const char *line_start;
	Token		tok;
} LexState;

static void
lex_save(const Parser *ps, LexState *st)
{
	st->src = ps->src;
	st->p = ps->p;
	st->line = ps->line;
	st->line_start = ps->line_start;
	st->tok = ps->tok;
}

static void
lex_restore(Parser *ps, const LexState *st)
{
	ps->src = st->src;
	ps->p = st->p;
	ps->line = st->line;
	ps->line_start = st->line_start;
	ps->tok = st->tok;
}

/*
 * The kind of the literal at the current token, read without building
 * anything: [-] NUMBER [% | UNIT], STRING, DATE, TIME, true, false.  Only
 * literals, so that a parameter's kind is known without a row and an
 * override can be checked against it.
 */
static CpParamKind
scan_literal(Parser *ps)
{
	if (is_op(&ps->tok, "-") || ps->tok.kind == TOK_NUMBER)
	{
		accept_op(ps, "-");
		if (ps->tok.kind != TOK_NUMBER)
			syntax_error(ps, "a number after \"-\"");
		next(ps);
		if (accept_op(ps, "%"))
			return CP_PARAM_NUMBER;
		if (word_value(&ps->tok, CP_WORDS_UNIT) != 0 ||
			word_value(&ps->tok, CP_WORDS_UNIT_ONE) != 0)
		{
			next(ps);
			return CP_PARAM_DURATION;
		}
		return CP_PARAM_NUMBER;
	}
	if (ps->tok.kind == TOK_STRING)
	{
		next(ps);
		return CP_PARAM_TEXT;
	}
	if (ps->tok.kind == TOK_DATE || ps->tok.kind == TOK_TIMESTAMP)
	{
		next(ps);
		return CP_PARAM_TIME;
	}
	if (accept_word(ps, "true") || accept_word(ps, "false"))
		return CP_PARAM_BOOL;
	syntax_error(ps, "a number, string, date, time, duration, true or false");
}

/*
 * The literal at the current token: its kind, and its nodes, made by the
 * expression grammar (so that it is the value a let of the same text
 * would have).  What the expression grammar reads must be the literal and
 * nothing more ("param a = 5 + x" is refused).
 */
static int32
param_literal(Parser *ps, CpParamKind *kind)
{
	LexState	start;
	const char *end;
	Token		at = ps->tok;
	int32		n;

	lex_save(ps, &start);
	*kind = scan_literal(ps);
	end = ps->tok.start;
	lex_restore(ps, &start);
	n = parse_expr(ps);
	if (ps->tok.start != end)
		cp_error_at(&at, ERRCODE_SYNTAX_ERROR,
					"a parameter's value must be a single literal",
					"Write a number (130%, -5, 12.5), a string, a date or time, a duration (7 days), true or false; compute with it in a let.");
	return n;
}

/* Error context while an override's text is read. */
static void
override_context(void *arg)
{
	errcontext("value of parameter \"%s\" given to with_params", (const char *) arg);
}

/*
 * The override's text, read alone as a literal of the parameter's kind,
 * the lexer's place in the policy set aside and restored.
 */
static int32
override_literal(Parser *ps, const Token *name_tok, const char *name,
				 CpParamKind want, const char *text)
{
	LexState	policy;
	LexState	start;
	ErrorContextCallback cb;
	CpParamKind kind;
	bool		ok;
	int32		n = CP_NONE_IDX;

	cb.callback = override_context;
	cb.arg = (void *) name;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	lex_save(ps, &policy);
	ps->src = ps->p = ps->line_start = text;
	ps->line = 1;
	next(ps);
	lex_save(ps, &start);
	/* the kind first, so that a wrong one is said as such */
	ok = (ps->tok.kind == TOK_NUMBER || ps->tok.kind == TOK_STRING ||
		  ps->tok.kind == TOK_DATE || ps->tok.kind == TOK_TIMESTAMP ||
		  is_op(&ps->tok, "-") || is_word(&ps->tok, "true") ||
		  is_word(&ps->tok, "false"));
	if (ok)
	{
		kind = scan_literal(ps);
		ok = kind == want && ps->tok.kind == TOK_EOF;
	}
	if (ok)
	{
		lex_restore(ps, &start);
		n = parse_expr(ps);
	}
	error_context_stack = cb.previous;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value %s for parameter \"%s\" is not %s",
						text, name, cp_param_kind_name(want)),
				 errhint("Parameter \"%s\" is declared at line %d of the policy with %s.",
						 name, name_tok->line, cp_param_kind_name(want))));
	lex_restore(ps, &policy);
	return n;
}

static void
parse_param(Parser *ps)
{
	Token		at = ps->tok;
	char	   *name = expect_ident(ps, "a parameter name");
	CpParamKind kind;
	const char *override;
	LexState	start;
	int32		expr;
	int32		i;
	CpLet	   *let;

	if (lookup_let(ps, name) != CP_NONE_IDX)
		cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
					psprintf("\"%s\" is already defined", name), NULL);
	expect_op(ps, "=");
	lex_save(ps, &start);
	kind = scan_literal(ps);
	override = ps->overrides ?
		cp_param_override_take(ps->overrides, name, kind) : NULL;
	if (override != NULL)
	{
		/* the default was read for its kind only: none of its nodes is made */
		expr = override_literal(ps, &at, name, kind, override);
	}
	else
	{
		lex_restore(ps, &start);
		expr = param_literal(ps, &kind);
	}
	i = cp_builder_let(&ps->b);
	let = CpBuilderLet(&ps->b, i);
	let->name = cp_builder_string(&ps->b, name, strlen(name));
	let->expr = expr;
	let->rule = CP_NONE_IDX;
	let->kind = CP_LET_PARAM;
	(void) cp_names_add(ps->let_names, name, strlen(name), i);
}

/* ---------------------------------------------------------------------
 * Payout limits: cap INSTRUMENT EXPR, minimum INSTRUMENT EXPR
 * ---------------------------------------------------------------------
 */

/*
 * A limit on a row's lines of one instrument, across rules: "cap cash
 * 300" (the lines total at most 300: the line that crosses it is cut, the
 * ones after it dropped), "minimum cash 4.00" (lines that total less are
 * not paid: EU rail, "nothing under EUR 4").  The amount is an expression
 * in major units (it may read the row: cap cash ticket_price), evaluated
 * after rounding, per row that has lines of the instrument.  Kept as a
 * policy-level let of kind CP_LET_CAP or CP_LET_MINIMUM whose name is the
 * instrument; no expression can name it.
 */
static void
parse_limit(Parser *ps, CpLetKind kind, const char *word)
{
	Token		at = ps->tok;
	char	   *name = expect_ident(ps, "an instrument");
	int32		expr;
	int32		i;
	CpLet	   *let;

	(void) instrument_unit(ps, &at, name);
	for (i = 0; i < ps->b.n_lets; i++)
	{
		CpLet	   *l = CpBuilderLet(&ps->b, i);

		if (l->kind == kind && strcmp(CpBuilderString(&ps->b, l->name), name) == 0)
			cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
						psprintf("%s of instrument \"%s\" is given twice", word, name),
						"Give one limit of each kind per instrument.");
	}
	expr = parse_expr(ps);
	i = cp_builder_let(&ps->b);
	let = CpBuilderLet(&ps->b, i);
	let->name = cp_builder_string(&ps->b, name, strlen(name));
	let->expr = expr;
	let->rule = CP_NONE_IDX;
	let->kind = kind;
}

/*
 * column COLUMN minor: the column holds minor units of the policy's
 * currency (cents), so the policy reads it divided by 10^exponent, as
 * every other money column is read in major units.  Without it a bigint
 * cents column pays 100 times over, with no error.  Kept as a policy-level
 * let of kind CP_LET_MINOR_UNITS whose expression is the column.
 */
static void
parse_column_unit(Parser *ps)
{
	Token		at = ps->tok;
	char	   *name = ps->tok.kind == TOK_NAME ? expect_name(ps, "a column") :
		expect_ident(ps, "a column");
	int32		col;
	int32		i;
	CpLet	   *let;

	for (i = 0; i < ps->b.n_lets; i++)
	{
		CpLet	   *l = CpBuilderLet(&ps->b, i);

		if (l->kind == CP_LET_MINOR_UNITS && strcmp(CpBuilderString(&ps->b, l->name), name) == 0)
			cp_error_at(&at, ERRCODE_DUPLICATE_OBJECT,
						psprintf("the unit of column \"%s\" is given twice", name), NULL);
	}
	if (!accept_word(ps, "minor"))
		syntax_error(ps, "\"minor\" (the column holds minor units of the currency)");
	col = node_at(ps, &at, CP_OP_COLUMN, cp_builder_column(&ps->b, name),
				  CP_NONE_IDX, CP_NONE_IDX);
	i = cp_builder_let(&ps->b);
	let = CpBuilderLet(&ps->b, i);
	let->name = cp_builder_string(&ps->b, name, strlen(name));
	let->expr = col;
	let->rule = CP_NONE_IDX;
	let->kind = CP_LET_MINOR_UNITS;
}

/* The header lines of this file; false when the token begins none. */
bool
cp_parse_table_header(Parser *ps)
{
	if (accept_word(ps, "param"))
		parse_param(ps);
	else if (accept_word(ps, "cap"))
		parse_limit(ps, CP_LET_CAP, "cap");
	else if (accept_word(ps, "minimum"))
		parse_limit(ps, CP_LET_MINIMUM, "minimum");
	else if (accept_word(ps, "column"))
		parse_column_unit(ps);
	else
		return false;
	return true;
}
