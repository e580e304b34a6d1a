/*-------------------------------------------------------------------------
 *
 * ruleset_print.c
 *	  The canonical text of a ruleset (see docs/policy-language.md).
 *
 * The printer is the inverse of the parser: parsing what it prints gives
 * back the same bytes.  So it prints every construct one way only: header
 * lines in a fixed order, one construct per line, keywords in lower case,
 * single spaces, and only the parentheses that the grammar needs, decided
 * by one precedence table.  cp_print_node prints any subtree, which is how
 * explain shows the condition that failed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "miscadmin.h"
#include "utils/datetime.h"

#include "calendar.h"
#include "keywords.h"
#include "ruleset_build.h"
#include "ruleset_format.h"
#include "strutil.h"

/*
 * Binding strength, loosest first, as in the parser: an operand whose
 * operator binds more loosely than its context requires is parenthesized.
 */
typedef enum Prec
{
	PREC_TOP = 0,				/* anywhere a whole expression may stand */
	PREC_OR,
	PREC_AND,
	PREC_NOT,
	PREC_PREDICATE,				/* comparisons, in, is, during */
	PREC_SUM,					/* + - */
	PREC_PRODUCT,				/* * / */
	PREC_UNARY,					/* unary - */
	PREC_POSTFIX,				/* % and units */
	PREC_PRIMARY
} Prec;

/* Binary operators: their spelling, strength and associativity. */
typedef struct BinaryOp
{
	const char *symbol;
	Prec		prec;
	bool		left_assoc;		/* false: neither operand may be another one */
} BinaryOp;

static const BinaryOp binary_ops[] = {
	[CP_OP_ADD] = {"+", PREC_SUM, true},
	[CP_OP_SUB] = {"-", PREC_SUM, true},
	[CP_OP_MUL] = {"*", PREC_PRODUCT, true},
	[CP_OP_DIV] = {"/", PREC_PRODUCT, true},
	[CP_OP_EQ] = {"=", PREC_PREDICATE, false},
	[CP_OP_NE] = {"<>", PREC_PREDICATE, false},
	[CP_OP_LT] = {"<", PREC_PREDICATE, false},
	[CP_OP_LE] = {"<=", PREC_PREDICATE, false},
	[CP_OP_GT] = {">", PREC_PREDICATE, false},
	[CP_OP_GE] = {">=", PREC_PREDICATE, false},
	[CP_OP_AND] = {"and", PREC_AND, true},
	[CP_OP_OR] = {"or", PREC_OR, true},
};

/* The sections a printer reads, located once. */
typedef struct Printer
{
	StringInfo	out;
	const CpRulesetData *rs;
	const CpNode *nodes;
	const int32 *args;
	const CpLet *lets;
	const CpColumn *columns;
	const char *strings;
	/*
	 * The names of the lets visible where the printer is, as the parser
	 * sees them: a column of such a name is printed in double quotes.  The
	 * policy printer adds each let after printing it and removes a rule's
	 * at its end, as the parser does; cp_print_node, which has no place in
	 * the policy, counts every let as visible (made at first need).
	 */
	CpNames    *visible;
	bool		all_lets;
} Printer;

static void print_expr(Printer *p, int32 idx, Prec context);
static void print_range(Printer *p, int32 lo, int32 hi, bool exclusive);
static void print_list(Printer *p, int32 first, int32 count);

static void
printer_init(Printer *p, StringInfo out, const CpRulesetData *rs)
{
	p->out = out;
	p->rs = rs;
	p->nodes = CpNodes(rs);
	p->args = CpArgs(rs);
	p->lets = CpLets(rs);
	p->columns = CpColumns(rs);
	p->strings = CpStrings(rs);
	p->visible = NULL;
	p->all_lets = false;
}

/*
 * Checked access: a ruleset comes from the parser, so a bad index is a
 * corrupt value, reported rather than followed.
 */
static const CpNode *
get_node(Printer *p, int32 idx)
{
	if (idx < 0 || idx >= p->rs->n_nodes)
		elog(ERROR, "ruleset node %d out of range", idx);
	return &p->nodes[idx];
}

static int32
get_arg(Printer *p, int32 first, int32 i)
{
	if (first < 0 || i < 0 || first + i >= p->rs->n_args)
		elog(ERROR, "ruleset argument %d out of range", first + i);
	return p->args[first + i];
}

static const char *
get_string(Printer *p, int32 off)
{
	if (off < 0 || off >= p->rs->strings_len)
		elog(ERROR, "ruleset string offset %d out of range", off);
	return p->strings + off;
}

/*
 * Literals
 */

/* v / 10^scale with exactly scale fraction digits: 5, 2 gives "0.05". */
static void
append_number(StringInfo out, int64 v, int32 scale)
{
	uint64		u = (v < 0) ? -((uint64) v) : (uint64) v;
	uint64		pow10 = 1;
	int32		i;

	if (scale < 0 || scale > 19)
		elog(ERROR, "ruleset number has invalid scale %d", scale);
	if (v < 0)
		appendStringInfoChar(out, '-');
	if (scale == 0)
	{
		appendStringInfo(out, UINT64_FORMAT, u);
		return;
	}
	for (i = 0; i < scale; i++)
		pow10 *= 10;
	appendStringInfo(out, UINT64_FORMAT ".%0*" INT64_MODIFIER "u",
					 u / pow10, (int) scale, u % pow10);
}

static void
append_date(StringInfo out, int32 date)
{
	int			year,
				month,
				day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
}

/* A local time: "HH:MM", or "HH:MM:SS" when the seconds are not zero. */
static void
append_time(StringInfo out, int32 secs)
{
	appendStringInfo(out, " %02d:%02d", secs / SECS_PER_HOUR,
					 (secs / SECS_PER_MINUTE) % MINS_PER_HOUR);
	if (secs % SECS_PER_MINUTE != 0)
		appendStringInfo(out, ":%02d", secs % SECS_PER_MINUTE);
}

/* Can name be written bare, as an identifier that is no keyword? */
static bool
plain_identifier(const char *name)
{
	const char *s = name;

	if (!(isalpha((unsigned char) *s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char) *s) || *s == '_'))
			return false;
	return !cp_is_reserved_word(name);
}

/* Let i is visible from here on. */
static void
let_visible(Printer *p, int32 i)
{
	const char *let = get_string(p, p->lets[i].name);

	if (p->visible == NULL)
		p->visible = cp_names_create(CurrentMemoryContext);
	(void) cp_names_add(p->visible, let, strlen(let), i);
}

static void
let_hidden(Printer *p, int32 i)
{
	const char *let = get_string(p, p->lets[i].name);

	cp_names_remove(p->visible, let, strlen(let));
}

/* Would the parser read name, here, as a let? */
static bool
names_a_let(Printer *p, const char *name)
{
	if (p->all_lets && p->visible == NULL)
	{
		int32		i;

		for (i = 0; i < p->rs->n_lets; i++)
		{
			CHECK_FOR_INTERRUPTS();
			let_visible(p, i);
		}
	}
	return p->visible != NULL &&
		cp_names_get(p->visible, name, strlen(name)) != CP_NONE_IDX;
}

/*
 * A column: bare when the parser reads that back as the column, else in
 * double quotes (a keyword such as "end", a name that is no identifier, or
 * one that a let also has).
 */
static void
print_column(Printer *p, const char *name, bool lets_visible)
{
	if (plain_identifier(name) && !(lets_visible && names_a_let(p, name)))
		appendStringInfoString(p->out, name);
	else
		cp_append_quoted(p->out, name, '"');
}

/*
 * Expressions and conditions
 */
static Prec
node_prec(const CpNode *n)
{
	switch ((CpOp) n->op)
	{
		case CP_OP_ADD:
		case CP_OP_SUB:
		case CP_OP_MUL:
		case CP_OP_DIV:
		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
		case CP_OP_AND:
		case CP_OP_OR:
			return binary_ops[n->op].prec;
		case CP_OP_NOT:
			return PREC_NOT;
		case CP_OP_IS_NULL:
		case CP_OP_IN_LIST:
		case CP_OP_IN_RANGE:
		case CP_OP_IN_OUTAGE:
			return PREC_PREDICATE;
		case CP_OP_NEG:
			return PREC_UNARY;
		case CP_OP_PERCENT:
		case CP_OP_DURATION:
			return PREC_POSTFIX;
		case CP_OP_NUM:
			/* a negative literal reads as unary minus */
			return n->v < 0 ? PREC_UNARY : PREC_PRIMARY;
		default:
			return PREC_PRIMARY;
	}
}

/* "a, b, c": each a whole expression. */
static void
print_list(Printer *p, int32 first, int32 count)
{
	int32		i;

	for (i = 0; i < count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (i > 0)
			appendStringInfoString(p->out, ", ");
		print_expr(p, get_arg(p, first, i), PREC_TOP);
	}
}

/* "lo .. hi" or "lo ..< hi"; the ends bind like sums (the parser's). */
static void
print_range(Printer *p, int32 lo, int32 hi, bool exclusive)
{
	print_expr(p, lo, PREC_SUM);
	appendStringInfoString(p->out, exclusive ? " ..< " : " .. ");
	print_expr(p, hi, PREC_SUM);
}

/*
 * The expression a cell starts with, binding like a sum.  A cell whose text
 * would start with the word any is the any cell to the parser, so a column
 * named any is quoted, and an expression that starts with one (any% or any
 * + 1) is put in parentheses.
 */
static void
print_cell_start(Printer *p, int32 idx)
{
	const CpNode *v = get_node(p, idx);
	StringInfo	out = p->out;
	StringInfoData text;

	if (v->op == CP_OP_COLUMN && v->a >= 0 && v->a < p->rs->n_columns &&
		pg_strcasecmp(get_string(p, p->columns[v->a].name), "any") == 0)
	{
		cp_append_quoted(out, get_string(p, p->columns[v->a].name), '"');
		return;
	}
	initStringInfo(&text);
	p->out = &text;
	print_expr(p, idx, PREC_SUM);
	p->out = out;
	if (pg_strncasecmp(text.data, "any", 3) == 0 &&
		!(isalnum((unsigned char) text.data[3]) || text.data[3] == '_'))
		appendStringInfo(out, "(%s)", text.data);
	else
		appendBinaryStringInfo(out, text.data, text.len);
	pfree(text.data);
}

/* A cell of a decision table; its values bind like sums, as the parser reads them. */
static void
print_cell(Printer *p, int32 idx)
{
	const CpNode *n = get_node(p, idx);
	StringInfo	out = p->out;

	switch ((CpOp) n->op)
	{
		case CP_OP_CELL_ANY:
			appendStringInfoString(out, "any");
			return;
		case CP_OP_CELL_TEST:
			if (n->b != CP_OP_EQ)
				appendStringInfo(out, "%s ", binary_ops[n->b].symbol);
			print_cell_start(p, n->a);
			return;
		case CP_OP_CELL_RANGE:
			print_cell_start(p, n->a);
			appendStringInfoString(out, (n->flags & CP_NODE_EXCLUSIVE) ? " ..< " : " .. ");
			print_expr(p, n->b, PREC_SUM);
			return;
		case CP_OP_CASE_VALUES:
			appendStringInfoString(out, "in (");
			print_list(p, n->a, n->c);
			appendStringInfoChar(out, ')');
			return;
		default:
			/* a forged value: print it as an expression */
			print_expr(p, idx, PREC_SUM);
	}
}

/*
 * The constructs of issue 11 (ruleset_parse_tables.c): a tier with
 * "below" steps, and case.  Each is bracketed by its own words (tier/case
 * ... end), so it binds like a primary.
 */
static void
print_table_node(Printer *p, const CpNode *n)
{
	StringInfo	out = p->out;
	int32		i;

	switch ((CpOp) n->op)
	{
		case CP_OP_TIER_BELOW:
			appendStringInfoString(out, "tier ");
			print_expr(p, n->a, PREC_TOP);
			for (i = 0; i < n->c; i++)
			{
				int32		bound = get_arg(p, n->b, 2 * i);
				const CpNode *bn = get_node(p, bound);

				if (bn->op == CP_OP_BELOW)
				{
					appendStringInfoString(out, " below ");
					bound = bn->a;
				}
				else
					appendStringInfoString(out, " upto ");
				print_expr(p, bound, PREC_TOP);
				appendStringInfoString(out, " => ");
				print_expr(p, get_arg(p, n->b, 2 * i + 1), PREC_TOP);
			}
			if (n->flags & CP_NODE_HAS_ELSE)
			{
				appendStringInfoString(out, " else ");
				print_expr(p, get_arg(p, n->b, 2 * n->c), PREC_TOP);
			}
			appendStringInfoString(out, " end");
			break;
		case CP_OP_BELOW:
			/* only inside a tier; alone (explain of a part), as written */
			appendStringInfoString(out, "below ");
			print_expr(p, n->a, PREC_TOP);
			break;
		case CP_OP_CASE:
		case CP_OP_CASE_SIMPLE:
			{
				int32		first = n->op == CP_OP_CASE ? n->a : n->b;

				appendStringInfoString(out, "case");
				if (n->op == CP_OP_CASE_SIMPLE)
				{
					appendStringInfoChar(out, ' ');
					print_expr(p, n->a, PREC_TOP);
				}
				for (i = 0; i < n->c; i++)
				{
					appendStringInfoString(out, " when ");
					print_expr(p, get_arg(p, first, 2 * i), PREC_TOP);
					appendStringInfoString(out, " then ");
					print_expr(p, get_arg(p, first, 2 * i + 1), PREC_TOP);
				}
				if (n->flags & CP_NODE_HAS_ELSE)
				{
					appendStringInfoString(out, " else ");
					print_expr(p, get_arg(p, first, 2 * n->c), PREC_TOP);
				}
				appendStringInfoString(out, " end");
			}
			break;
		case CP_OP_CASE_VALUES:
			print_list(p, n->a, n->c);
			break;
		case CP_OP_DTABLE:
			{
				int32		r,
							k;
				int32		at = n->b;	/* the first row's first cell */

				appendStringInfoString(out, "table (");
				print_list(p, n->a, n->b);
				appendStringInfo(out, ") %s",
								 (n->flags & CP_NODE_HIT_FIRST) ? "first" :
								 (n->flags & CP_NODE_HIT_COLLECT) ? "collect" : "unique");
				for (r = 0; r < n->c; r++)
				{
					CHECK_FOR_INTERRUPTS();
					appendStringInfoString(out, " when ");
					for (k = 0; k < n->b; k++)
					{
						if (k > 0)
							appendStringInfoString(out, ", ");
						print_cell(p, get_arg(p, n->a, at++));
					}
					appendStringInfoString(out, " then ");
					print_expr(p, get_arg(p, n->a, at++), PREC_TOP);
				}
				if (n->flags & CP_NODE_HAS_ELSE)
				{
					appendStringInfoString(out, " else ");
					print_expr(p, get_arg(p, n->a, at), PREC_TOP);
				}
				appendStringInfoString(out, " end");
			}
			break;
		case CP_OP_CELL_ANY:
		case CP_OP_CELL_TEST:
		case CP_OP_CELL_RANGE:
			/* alone (explain of a part): as in its table */
			print_cell(p, (int32) (n - p->nodes));
			break;
		default:
			elog(ERROR, "unrecognized ruleset node operator: %d", (int) n->op);
	}
}

/* One node, its operands parenthesized as their strength requires. */
static void
print_node(Printer *p, int32 idx)
{
	const CpNode *n = get_node(p, idx);
	StringInfo	out = p->out;
	bool		negated = (n->flags & CP_NODE_NEGATED) != 0;
	int32		i;

	check_stack_depth();

	switch ((CpOp) n->op)
	{
		case CP_OP_NUM:
			append_number(out, n->v, n->a);
			break;
		case CP_OP_STR:
			cp_append_quoted(out, get_string(p, n->a), '\'');
			break;
		case CP_OP_BOOL:
			appendStringInfoString(out, n->v ? "true" : "false");
			break;
		case CP_OP_NULL:
			appendStringInfoString(out, "null");
			break;
		case CP_OP_DATE:
			append_date(out, n->a);
			break;
		case CP_OP_TIMESTAMP:
			append_date(out, n->a);
			append_time(out, n->b);
			break;
		case CP_OP_DURATION:
			{
				const CpNode *count = &p->nodes[n->a];
				bool		one = count->op == CP_OP_NUM && count->v == 1 &&
					count->a == 0;

				print_expr(p, n->a, PREC_POSTFIX);
				/* "1 day", not "1 days": the parser reads both alike */
				appendStringInfo(out, " %s%s",
								 n->b == CP_UNIT_WORKING_DAYS ? "working " : "",
								 cp_word_name(one ? CP_WORDS_UNIT_ONE : CP_WORDS_UNIT,
											  n->b));
			}
			break;
		case CP_OP_COLUMN:
			if (n->a < 0 || n->a >= p->rs->n_columns)
				elog(ERROR, "ruleset column %d out of range", n->a);
			print_column(p, get_string(p, p->columns[n->a].name), true);
			break;
		case CP_OP_LET:
			if (n->a < 0 || n->a >= p->rs->n_lets)
				elog(ERROR, "ruleset let %d out of range", n->a);
			appendStringInfoString(out, get_string(p, p->lets[n->a].name));
			break;
		case CP_OP_BUILTIN:
			appendStringInfoString(out, cp_builtin_name((CpBuiltin) n->a));
			break;
		case CP_OP_NEG:
			appendStringInfoChar(out, '-');
			/* "--" would start a comment: -(-x) */
			if (node_prec(get_node(p, n->a)) == PREC_UNARY)
			{
				appendStringInfoChar(out, '(');
				print_node(p, n->a);
				appendStringInfoChar(out, ')');
			}
			else
				print_expr(p, n->a, PREC_UNARY);
			break;
		case CP_OP_PERCENT:
			print_expr(p, n->a, PREC_POSTFIX);
			appendStringInfoChar(out, '%');
			break;
		case CP_OP_ADD:
		case CP_OP_SUB:
		case CP_OP_MUL:
		case CP_OP_DIV:
		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
		case CP_OP_AND:
		case CP_OP_OR:
			{
				const BinaryOp *op = &binary_ops[n->op];

				/* a - (b - c); and a = b = c is no expression at all */
				print_expr(p, n->a, op->left_assoc ? op->prec : op->prec + 1);
				appendStringInfo(out, " %s ", op->symbol);
				print_expr(p, n->b, op->prec + 1);
			}
			break;
		case CP_OP_CALL:
			appendStringInfo(out, "%s(", cp_func_name((CpFunc) n->b));
			print_list(p, n->a, n->c);
			appendStringInfoChar(out, ')');
			break;
		case CP_OP_MODE:
			appendStringInfoString(out, cp_rounding_name((CpRounding) n->a));
			break;
		case CP_OP_TIER:
			appendStringInfoString(out, "tier ");
			print_expr(p, n->a, PREC_TOP);
			for (i = 0; i < n->c; i++)
			{
				appendStringInfoString(out, " upto ");
				print_expr(p, get_arg(p, n->b, 2 * i), PREC_TOP);
				appendStringInfoString(out, " => ");
				print_expr(p, get_arg(p, n->b, 2 * i + 1), PREC_TOP);
			}
			if (n->flags & CP_NODE_HAS_ELSE)
			{
				appendStringInfoString(out, " else ");
				print_expr(p, get_arg(p, n->b, 2 * n->c), PREC_TOP);
			}
			appendStringInfoString(out, " end");
			break;
		case CP_OP_REVIEW:
			appendStringInfoString(out, "review ");
			cp_append_quoted(out, get_string(p, n->a), '\'');
			break;
		case CP_OP_NOAWARD:
			appendStringInfoString(out, "none");
			break;
		case CP_OP_NOT:
			appendStringInfoString(out, "not ");
			print_expr(p, n->a, PREC_NOT);
			break;
		case CP_OP_IS_NULL:
			print_expr(p, n->a, PREC_SUM);
			appendStringInfoString(out, negated ? " is not null" : " is null");
			break;
		case CP_OP_IN_LIST:
			print_expr(p, n->a, PREC_SUM);
			appendStringInfoString(out, negated ? " not in (" : " in (");
			print_list(p, n->b, n->c);
			appendStringInfoChar(out, ')');
			break;
		case CP_OP_IN_RANGE:
			print_expr(p, n->a, PREC_SUM);
			appendStringInfoString(out, negated ? " not in " : " in ");
			print_range(p, n->b, n->c, (n->flags & CP_NODE_EXCLUSIVE) != 0);
			break;
		case CP_OP_IN_OUTAGE:
			print_expr(p, n->a, PREC_SUM);
			appendStringInfoString(out, negated ? " not during outage" : " during outage");
			break;
		case CP_OP_TIER_BELOW:
		case CP_OP_BELOW:
		case CP_OP_CASE:
		case CP_OP_CASE_SIMPLE:
		case CP_OP_CASE_VALUES:
		case CP_OP_DTABLE:
		case CP_OP_CELL_ANY:
		case CP_OP_CELL_TEST:
		case CP_OP_CELL_RANGE:
			print_table_node(p, n);
			break;
		default:
			elog(ERROR, "unrecognized ruleset node operator: %d", (int) n->op);
	}
}

/* A node where context is the weakest binding allowed without parentheses. */
static void
print_expr(Printer *p, int32 idx, Prec context)
{
	if (node_prec(get_node(p, idx)) < context)
	{
		appendStringInfoChar(p->out, '(');
		print_node(p, idx);
		appendStringInfoChar(p->out, ')');
	}
	else
		print_node(p, idx);
}

/*
 * Whether idx, printed in context, begins with a word after which the parser
 * does not read the optional amount of "grant ITEM [EXPR]": "review" (there
 * it begins the next award line), "not", and the functions whose names are
 * reserved words.  Such an amount is printed in parentheses.
 */
static bool
starts_with_non_amount_word(Printer *p, int32 idx, Prec context)
{
	for (;;)
	{
		const CpNode *n = get_node(p, idx);

		if (node_prec(n) < context)
			return false;		/* it starts with "(" */
		switch ((CpOp) n->op)
		{
			case CP_OP_REVIEW:
			case CP_OP_NOT:
				return true;
			case CP_OP_CALL:
				return n->b == CP_FUNC_ROUND || n->b == CP_FUNC_DAYS ||
					n->b == CP_FUNC_HOURS || n->b == CP_FUNC_DAY ||
					n->b == CP_FUNC_HOUR;
			case CP_OP_ADD:
			case CP_OP_SUB:
			case CP_OP_MUL:
			case CP_OP_DIV:
			case CP_OP_EQ:
			case CP_OP_NE:
			case CP_OP_LT:
			case CP_OP_LE:
			case CP_OP_GT:
			case CP_OP_GE:
			case CP_OP_AND:
			case CP_OP_OR:
				/* the left operand comes first, as print_node prints it */
				context = binary_ops[n->op].left_assoc ?
					binary_ops[n->op].prec : binary_ops[n->op].prec + 1;
				break;
			case CP_OP_IS_NULL:
			case CP_OP_IN_LIST:
			case CP_OP_IN_RANGE:
			case CP_OP_IN_OUTAGE:
				context = PREC_SUM;
				break;
			case CP_OP_PERCENT:
			case CP_OP_DURATION:
				context = PREC_POSTFIX;
				break;
			default:
				return false;
		}
		idx = n->a;
	}
}

/*
 * The text of one expression or condition of rs, as the policy would say
 * it, appended to out.
 */
void
cp_print_node(StringInfo out, const CpRulesetData *rs, int32 node)
{
	Printer		p;

	printer_init(&p, out, rs);
	p.all_lets = true;
	print_expr(&p, node, PREC_TOP);
}

/*
 * Policies
 */

/* " round MODE[ to N]" if the award names a rounding; increment 0: the policy's. */
static void
print_award_rounding(Printer *p, const CpAwardSpec *spec)
{
	if (spec->rounding == CP_ROUND_UNSET)
		return;
	appendStringInfo(p->out, " round %s", cp_rounding_name((CpRounding) spec->rounding));
	if (spec->increment != 0)
		appendStringInfo(p->out, " to " INT64_FORMAT, spec->increment);
}

/* " claim LO .. HI" or " valid LO .. HI", if the award has a window. */
static void
print_window_clause(Printer *p, const CpAwardSpec *spec)
{
	if (spec->window_kind == CP_WINDOW_NONE)
		return;
	if (spec->window_kind == CP_WINDOW_DUE)
	{
		appendStringInfoString(p->out, " due by ");
		print_expr(p, spec->window_hi, PREC_SUM);
		return;
	}
	appendStringInfo(p->out, " %s ",
					 cp_word_name(CP_WORDS_WINDOW_KIND, spec->window_kind));
	print_range(p, spec->window_lo, spec->window_hi, spec->window_exclusive != 0);
}

/*
 * " bearer EXPR", if the award names who bears it (ruleset_parse_bearer.c):
 * a literal, a column or a let as it is, anything else (and a column or let
 * named bearer in any case: the word is read case-insensitively) in parentheses, so
 * that after a grant the parser reads the word as the clause.
 */
static void
print_bearer(Printer *p, const CpAwardSpec *spec)
{
	const CpNode *n;
	const char *name = NULL;

	if (spec->bearer == 0)
		return;
	n = get_node(p, CpAwardBearerNode(spec));
	if (n->op == CP_OP_COLUMN && n->a >= 0 && n->a < p->rs->n_columns)
		name = get_string(p, p->columns[n->a].name);
	else if (n->op == CP_OP_LET && n->a >= 0 && n->a < p->rs->n_lets)
		name = get_string(p, p->lets[n->a].name);
	appendStringInfoString(p->out, " bearer ");
	if (n->op == CP_OP_STR || (name != NULL && pg_strcasecmp(name, "bearer") != 0))
		print_expr(p, CpAwardBearerNode(spec), PREC_TOP);
	else
	{
		appendStringInfoChar(p->out, '(');
		print_node(p, CpAwardBearerNode(spec));
		appendStringInfoChar(p->out, ')');
	}
}

/* One award line of a rule, indented, without the newline. */
static void
print_award(Printer *p, const CpAwardSpec *spec)
{
	StringInfo	out = p->out;
	const char *name = get_string(p, spec->instrument);

	appendStringInfoString(out, "  ");
	switch ((CpAwardKind) spec->kind)
	{
		case CP_AWARD_CREDIT:
		case CP_AWARD_WAIVE:
			appendStringInfo(out, "%s %s ",
							 cp_award_kind_name((CpAwardKind) spec->kind), name);
			print_expr(p, spec->amount, PREC_TOP);
			print_award_rounding(p, spec);
			print_window_clause(p, spec);
			break;
		case CP_AWARD_EXTEND_OUTAGE:
		case CP_AWARD_EXTEND_BY:
		case CP_AWARD_EXTEND_TO:
			/* the extended column: a let's name does not hide it here */
			appendStringInfoString(out, "extend ");
			print_column(p, name, false);
			if (spec->kind == CP_AWARD_EXTEND_OUTAGE)
				appendStringInfoString(out, " by outage");
			else
			{
				appendStringInfoString(out, spec->kind == CP_AWARD_EXTEND_BY ? " by " : " to ");
				print_expr(p, spec->amount, PREC_TOP);
			}
			break;
		case CP_AWARD_GRANT:
			appendStringInfo(out, "grant %s", name);
			if (spec->amount != CP_NONE_IDX)
			{
				appendStringInfoChar(out, ' ');
				if (starts_with_non_amount_word(p, spec->amount, PREC_TOP))
				{
					appendStringInfoChar(out, '(');
					print_node(p, spec->amount);
					appendStringInfoChar(out, ')');
				}
				else
					print_expr(p, spec->amount, PREC_TOP);
			}
			if (spec->duration != CP_NONE_IDX)
			{
				appendStringInfoString(out, " for ");
				print_expr(p, spec->duration, PREC_TOP);
			}
			print_award_rounding(p, spec);
			print_window_clause(p, spec);
			break;
		case CP_AWARD_FLAG:
			appendStringInfo(out, "flag %s", name);
			print_window_clause(p, spec);
			break;
		case CP_AWARD_REVIEW:
			appendStringInfoString(out, "review ");
			cp_append_quoted(out, get_string(p, spec->reason), '\'');
			break;
		default:
			elog(ERROR, "unrecognized award kind: %d", (int) spec->kind);
	}
	print_bearer(p, spec);
}

/* Does the condition at idx read a let of rule r (not through other lets)? */
typedef struct LetSearch
{
	Printer    *p;
	int32		rule;
} LetSearch;

static bool
reads_rule_let(int32 idx, void *context)
{
	LetSearch  *ls = (LetSearch *) context;
	const CpNode *n = get_node(ls->p, idx);

	if (n->op == CP_OP_LET)
		return n->a >= 0 && n->a < ls->p->rs->n_lets &&
			ls->p->lets[n->a].rule == ls->rule;
	return cp_node_walk_children(ls->p->nodes, ls->p->args, idx, reads_rule_let, ls);
}

static bool
cond_reads_rule_let(Printer *p, int32 cond, int32 rule)
{
	LetSearch	ls = {p, rule};

	return reads_rule_let(cond, &ls);
}

/* "let NAME = EXPR", indented as given, without the newline. */
static void
print_let(Printer *p, const CpLet *let, const char *indent)
{
	if (let->kind == CP_LET_MINOR_UNITS)
	{
		/* "column C minor" (issue 11); the column as the parser reads it there */
		appendStringInfo(p->out, "%scolumn ", indent);
		print_column(p, get_string(p, let->name), false);
		appendStringInfoString(p->out, " minor");
		return;
	}
	if (let->kind == CP_LET_CAP || let->kind == CP_LET_MINIMUM)
	{
		/* payout limits (issue 11): "cap cash EXPR", "minimum cash EXPR" */
		appendStringInfo(p->out, "%s%s %s ", indent,
						 let->kind == CP_LET_CAP ? "cap" : "minimum",
						 get_string(p, let->name));
		print_expr(p, let->expr, PREC_TOP);
		return;
	}
	appendStringInfo(p->out, "%s%s %s = ", indent,
					 let->kind == CP_LET_PARAM ? "param" : "let",
					 get_string(p, let->name));
	print_expr(p, let->expr, PREC_TOP);
}

/*
 * The canonical text of a policy: lines separated by newlines, no newline
 * after the last one.
 */
char *
cp_print_policy(const CpRulesetData *rs)
{
	StringInfoData out;
	Printer		p;
	const CpInstrument *instruments = CpInstruments(rs);
	const CpWindow *windows = CpWindows(rs);
	const CpRule *rules = CpRules(rs);
	const CpAwardSpec *awards = CpAwards(rs);
	int32		i,
				j;
	bool		lets_first;

	initStringInfo(&out);
	printer_init(&p, &out, rs);

	appendStringInfoString(&out, "policy ");
	cp_append_quoted(&out, get_string(&p, rs->name), '"');
	appendStringInfo(&out, "\ncurrency %.3s", rs->currency);
	appendStringInfoString(&out, "\ntimezone ");
	cp_append_quoted(&out, get_string(&p, rs->timezone), '"');
	appendStringInfo(&out, "\nhit %s", cp_hit_name((CpHit) rs->hit));
	if (rs->rounding != CP_ROUND_UNSET)
	{
		appendStringInfoString(&out, "\nrounding ");
		appendStringInfoString(&out, cp_rounding_name((CpRounding) rs->rounding));
		if (rs->increment != 1)
			appendStringInfo(&out, " to " INT64_FORMAT, rs->increment);
	}

	for (i = 0; i < rs->n_instruments; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfo(&out, "\ninstrument %s %s",
						 get_string(&p, instruments[i].name),
						 cp_word_name(CP_WORDS_UNIT_KIND, instruments[i].unit));
	}

	for (i = 0; i < rs->n_windows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&out, "\noutage ");
		print_range(&p, windows[i].lo_node, windows[i].hi_node,
					windows[i].exclusive != 0);
	}

	for (i = 0; i < rs->n_lets; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (p.lets[i].rule != CP_NONE_IDX)
			continue;
		appendStringInfoChar(&out, '\n');
		if (get_node(&p, p.lets[i].expr)->op == CP_OP_CALENDAR)
		{
			/* a calendar: no let a policy can name (calendar.h) */
			cp_print_calendar(&out, rs, i);
			continue;
		}
		print_let(&p, &p.lets[i], "");
		if (p.lets[i].kind == CP_LET_PLAIN || p.lets[i].kind == CP_LET_PARAM)
			let_visible(&p, i);
	}

	for (i = 0; i < rs->n_rules; i++)
	{
		const CpRule *rule = &rules[i];

		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&out, "\n\nrule ");
		cp_append_quoted(&out, get_string(&p, rule->name), '"');
		/* the lets first when the condition reads one of them (issue 11) */
		lets_first = rule->cond != CP_NONE_IDX && cond_reads_rule_let(&p, rule->cond, i);
		if (rule->cond != CP_NONE_IDX && !lets_first)
		{
			appendStringInfoString(&out, "\n  when ");
			print_expr(&p, rule->cond, PREC_TOP);
		}
		for (j = 0; j < rule->n_lets; j++)
		{
			if (rule->first_let + j >= rs->n_lets)
				elog(ERROR, "ruleset let %d out of range", rule->first_let + j);
			appendStringInfoChar(&out, '\n');
			print_let(&p, &p.lets[rule->first_let + j], "  ");
			let_visible(&p, rule->first_let + j);
		}
		if (lets_first)
		{
			appendStringInfoString(&out, "\n  when ");
			print_expr(&p, rule->cond, PREC_TOP);
		}
		for (j = 0; j < rule->n_awards; j++)
		{
			if (rule->first_award + j >= rs->n_awards)
				elog(ERROR, "ruleset award %d out of range", rule->first_award + j);
			appendStringInfoChar(&out, '\n');
			print_award(&p, &awards[rule->first_award + j]);
		}
		appendStringInfoString(&out, "\nend");
		for (j = 0; j < rule->n_lets; j++)
			let_hidden(&p, rule->first_let + j);
	}

	return out.data;
}
