/*-------------------------------------------------------------------------
 *
 * ruleset_check.c
 *	  The checks the compiler makes on a policy beyond its grammar: how deep
 *	  its expressions nest, type errors between constants, tier bounds that
 *	  do not ascend, and time zone names.
 *
 * The parser calls cp_check_node for each node it makes, children first;
 * the answer is kept in the builder node itself, so checking costs no
 * memory and no second walk.  Errors point at the token the parser passes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "datatype/timestamp.h"

#include "ruleset_format.h"
#include "ruleset_parse.h"

/*
 * What the parser knows of each node, kept in the builder node's pad field
 * (ruleset_build.h; the flattener zeroes it): the height of its tree, and
 * its static kind.  A node's children are made before it, so both are
 * computed once, when the node is made.
 *
 * The height is the evaluator's (eval.c, node_height): 1 for a leaf, and
 * through a let the height of its expression.  The evaluator refuses a
 * policy deeper than CP_MAX_DEPTH when it binds it, so the parser refuses
 * it first.
 *
 * The static kind is the kind of value a node always has, when that does
 * not depend on the row: literals, built-ins and operators on them.  Where
 * the evaluator would raise a type error whatever the row, the parser
 * raises it instead, with the line and column.  Only a certain error is
 * raised: an operand whose value depends on the row (SK_UNKNOWN), or that
 * is null, a review or none (SK_SPECIAL, which the evaluator passes on
 * without looking at the other operand), stops the check, and so does any
 * operand the evaluator may skip (the right side of "and", later list
 * elements).
 */
typedef enum StaticKind
{
	SK_UNKNOWN = 0,
	SK_SPECIAL,
	SK_NUM,
	SK_BOOL,
	SK_TEXT,
	SK_TIME,
	SK_DURATION,
	SK_MODE
} StaticKind;

#define SK_KNOWN(k)		((k) >= SK_NUM && (k) != SK_MODE)
#define ANN_HEIGHT_BITS	11
#define ANN_HEIGHT(nd)	((int) ((nd)->pad & ((1 << ANN_HEIGHT_BITS) - 1)))
#define ANN_KIND(nd)	((StaticKind) ((nd)->pad >> ANN_HEIGHT_BITS))
StaticAssertDecl(CP_MAX_DEPTH < (1 << ANN_HEIGHT_BITS) - 1,
				 "the height of a node must fit its annotation");

static const char *
kind_name(StaticKind k)
{
	switch (k)
	{
		case SK_NUM:
			return "a number";
		case SK_BOOL:
			return "a boolean";
		case SK_TEXT:
			return "text";
		case SK_TIME:
			return "a time";
		case SK_DURATION:
			return "a duration";
		default:
			return "a value";
	}
}

static int
height_of(const CpBuilder *b, int32 idx)
{
	return idx == CP_NONE_IDX ? 0 : ANN_HEIGHT(CpBuilderNode(b, idx));
}

static StaticKind
kind_of(const CpBuilder *b, int32 idx)
{
	return idx == CP_NONE_IDX ? SK_UNKNOWN : ANN_KIND(CpBuilderNode(b, idx));
}

static void type_error(const Token *at, const char *what) pg_attribute_noreturn();

static void
type_error(const Token *at, const char *what)
{
	cp_error_at(at, ERRCODE_DATATYPE_MISMATCH, psprintf("cannot %s", what),
			 "The operands do not depend on the row, so this would fail for every row that reaches it.");
}

void
cp_check_depth_error(const Token *at)
{
	cp_error_at(at, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
			 psprintf("expression nests more than %d deep", CP_MAX_DEPTH),
			 "Write a long chain of alternatives as x in (a, b, c), or split the condition into several rules.");
}

/* A comparison of two known kinds must compare like with like. */
static void
check_compare(const Token *at, StaticKind l, StaticKind r)
{
	if (SK_KNOWN(l) && SK_KNOWN(r) && l != r)
		type_error(at, psprintf("compare %s with %s", kind_name(l), kind_name(r)));
}

/* An operand read as a condition must be a boolean. */
static void
check_condition(const Token *at, StaticKind k)
{
	if (SK_KNOWN(k) && k != SK_BOOL)
		type_error(at, psprintf("use %s as a condition", kind_name(k)));
}

/* The kind of l op r, as eval.c's arith() decides it. */
static StaticKind
arith_kind(const Token *at, CpOp op, StaticKind l, StaticKind r)
{
	if (l == SK_SPECIAL)
		return SK_SPECIAL;
	if (!SK_KNOWN(l))
		return SK_UNKNOWN;
	if (r == SK_SPECIAL)
		return SK_SPECIAL;
	if (!SK_KNOWN(r))
		return SK_UNKNOWN;
	if (l == SK_NUM && r == SK_NUM)
		return SK_NUM;
	if (op == CP_OP_ADD || op == CP_OP_SUB)
	{
		if (l == SK_TIME && r == SK_DURATION)
			return SK_TIME;
		if (op == CP_OP_ADD && l == SK_DURATION && r == SK_TIME)
			return SK_TIME;
		if (l == SK_DURATION && r == SK_DURATION)
			return SK_DURATION;
		if (op == CP_OP_SUB && l == SK_TIME && r == SK_TIME)
			cp_error_at(at, ERRCODE_DATATYPE_MISMATCH, "cannot subtract a time from a time",
					 "Use hours(from, to) or days(from, to) for the time between two times.");
	}
	if (op == CP_OP_MUL &&
		((l == SK_DURATION && r == SK_NUM) || (l == SK_NUM && r == SK_DURATION)))
		return SK_DURATION;
	/* 15 hours / 720 hours: a number (units that mix are the evaluator's) */
	if (op == CP_OP_DIV && l == SK_DURATION && r == SK_DURATION)
		return SK_NUM;
	switch (op)
	{
		case CP_OP_ADD:
			type_error(at, psprintf("add %s and %s", kind_name(l), kind_name(r)));
		case CP_OP_SUB:
			type_error(at, psprintf("subtract %s from %s", kind_name(r), kind_name(l)));
		case CP_OP_MUL:
			type_error(at, psprintf("multiply %s by %s", kind_name(l), kind_name(r)));
		default:
			type_error(at, psprintf("divide %s by %s", kind_name(l), kind_name(r)));
	}
}

/* The kind of a function call, as eval.c's eval_call() decides it. */
static StaticKind
call_kind(CpBuilder *b, const Token *at, CpFunc func, int32 first, int32 nargs)
{
	StaticKind	k0 = nargs > 0 ? kind_of(b, *CpBuilderArg(b, first)) : SK_UNKNOWN;
	StaticKind	k1 = nargs > 1 ? kind_of(b, *CpBuilderArg(b, first + 1)) : SK_UNKNOWN;
	int32		i;

	switch (func)
	{
		case CP_FUNC_MIN:
		case CP_FUNC_MAX:
			{
				StaticKind	k = SK_UNKNOWN;

				for (i = 0; i < nargs; i++)
				{
					StaticKind	ki = kind_of(b, *CpBuilderArg(b, first + i));

					if (!SK_KNOWN(ki))
						return SK_UNKNOWN;
					if (ki != SK_NUM && ki != SK_TIME)
						type_error(at, psprintf("take the %s of %s", cp_func_name(func),
												kind_name(ki)));
					if (k != SK_UNKNOWN && ki != k)
						type_error(at, psprintf("take the %s of %s and %s", cp_func_name(func),
												kind_name(k), kind_name(ki)));
					k = ki;
				}
				return k;
			}
		case CP_FUNC_ROUND:
			if (k0 == SK_SPECIAL)
				return SK_SPECIAL;
			if (SK_KNOWN(k0) && k0 != SK_NUM)
				type_error(at, psprintf("round %s", kind_name(k0)));
			if (nargs == 3)
			{
				StaticKind	k2 = kind_of(b, *CpBuilderArg(b, first + 2));

				if (k0 == SK_NUM && SK_KNOWN(k2) && k2 != SK_NUM)
					type_error(at, psprintf("round to an increment that is %s", kind_name(k2)));
				return (k0 == SK_NUM && k2 == SK_NUM) ? SK_NUM : SK_UNKNOWN;
			}
			return k0 == SK_NUM ? SK_NUM : SK_UNKNOWN;
		case CP_FUNC_HOURS:
		case CP_FUNC_DAYS:
			if (SK_KNOWN(k0) && SK_KNOWN(k1) && (k0 != SK_TIME || k1 != SK_TIME))
				type_error(at, psprintf("count %s between %s and %s", cp_func_name(func),
										kind_name(k0), kind_name(k1)));
			return (k0 == SK_TIME && k1 == SK_TIME) ? SK_NUM : SK_UNKNOWN;
		case CP_FUNC_DAYS_IN_MONTH:
			if (SK_KNOWN(k0) && k0 != SK_TIME)
				type_error(at, psprintf("count the days in the month of %s", kind_name(k0)));
			return k0 == SK_TIME ? SK_NUM : SK_UNKNOWN;
		case CP_FUNC_ABS:
			if (SK_KNOWN(k0) && k0 != SK_NUM)
				type_error(at, psprintf("take the absolute value of %s", kind_name(k0)));
			return k0 == SK_NUM ? SK_NUM : (k0 == SK_SPECIAL ? SK_SPECIAL : SK_UNKNOWN);
		case CP_FUNC_WORKING_DAYS:
			if (SK_KNOWN(k0) && SK_KNOWN(k1) && (k0 != SK_TIME || k1 != SK_TIME))
				type_error(at, psprintf("count %s between %s and %s", cp_func_name(func),
										kind_name(k0), kind_name(k1)));
			return (k0 == SK_TIME && k1 == SK_TIME) ? SK_NUM : SK_UNKNOWN;
		case CP_FUNC_DATE:
		case CP_FUNC_YEAR:
		case CP_FUNC_MONTH:
		case CP_FUNC_DAY:
		case CP_FUNC_WEEKDAY:
		case CP_FUNC_HOUR:
			if (SK_KNOWN(k0) && k0 != SK_TIME)
				type_error(at, psprintf("take the %s of %s", cp_func_name(func), kind_name(k0)));
			if (k0 == SK_SPECIAL)
				return SK_SPECIAL;
			return k0 == SK_TIME ? (func == CP_FUNC_DATE ? SK_TIME : SK_NUM) : SK_UNKNOWN;
		case CP_FUNC_COALESCE:
			break;
		case CP_FUNC_LOWER:
		case CP_FUNC_STARTS_WITH:
		case CP_FUNC_CONTAINS:
			if (SK_KNOWN(k0) && k0 != SK_TEXT)
				type_error(at, psprintf("apply %s() to %s", cp_func_name(func), kind_name(k0)));
			if (func != CP_FUNC_LOWER && SK_KNOWN(k1) && k1 != SK_TEXT)
				type_error(at, psprintf("apply %s() to %s", cp_func_name(func), kind_name(k1)));
			return func == CP_FUNC_LOWER ? (k0 == SK_TEXT ? SK_TEXT : SK_UNKNOWN) :
				(k0 == SK_TEXT && k1 == SK_TEXT ? SK_BOOL : SK_UNKNOWN);
	}
	return SK_UNKNOWN;
}

void
cp_check_node(CpBuilder *b, int32 n, const Token *at)
{
	CpBuildNode *nd = CpBuilderNode(b, n);
	int			h = 0;
	StaticKind	k = SK_UNKNOWN;
	StaticKind	ka = SK_UNKNOWN;	/* the kind of child a, where a is one */
	int32		i,
				nargs;

#define KID(x) (h = Max(h, height_of(b, (x))))
#define ARG(i) (*CpBuilderArg(b, (i)))

	switch ((CpOp) nd->op)
	{
		case CP_OP_NUM:
			k = SK_NUM;
			break;
		case CP_OP_STR:
			k = SK_TEXT;
			break;
		case CP_OP_BOOL:
			k = SK_BOOL;
			break;
		case CP_OP_NULL:
		case CP_OP_REVIEW:
		case CP_OP_NOAWARD:
			k = SK_SPECIAL;
			break;
		case CP_OP_DATE:
		case CP_OP_TIMESTAMP:
			k = SK_TIME;
			break;
		case CP_OP_MODE:
			k = SK_MODE;
			break;
		case CP_OP_COLUMN:
			break;
		case CP_OP_LET:
			{
				int32		e = CpBuilderLet(b, nd->a)->expr;

				h = height_of(b, e);
				k = kind_of(b, e);
			}
			break;
		case CP_OP_BUILTIN:
			k = (nd->a == CP_BUILTIN_OUTAGE_START || nd->a == CP_BUILTIN_OUTAGE_END) ?
				SK_TIME : SK_NUM;
			break;
		case CP_OP_DURATION:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			if (SK_KNOWN(ka) && ka != SK_NUM)
				type_error(at, psprintf("make a duration of %s", kind_name(ka)));
			k = ka == SK_NUM ? SK_DURATION : (ka == SK_SPECIAL ? SK_SPECIAL : SK_UNKNOWN);
			break;
		case CP_OP_NEG:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			if (SK_KNOWN(ka) && ka != SK_NUM && ka != SK_DURATION)
				type_error(at, psprintf("negate %s", kind_name(ka)));
			k = ka;
			break;
		case CP_OP_PERCENT:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			if (SK_KNOWN(ka) && ka != SK_NUM)
				type_error(at, psprintf("take a percentage of %s", kind_name(ka)));
			k = ka;
			break;
		case CP_OP_ADD:
		case CP_OP_SUB:
		case CP_OP_MUL:
		case CP_OP_DIV:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			KID(nd->b);
			k = arith_kind(at, (CpOp) nd->op, ka, kind_of(b, nd->b));
			break;
		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			KID(nd->b);
			check_compare(at, ka, kind_of(b, nd->b));
			k = (SK_KNOWN(ka) && SK_KNOWN(kind_of(b, nd->b))) ? SK_BOOL : SK_UNKNOWN;
			break;
		case CP_OP_AND:
		case CP_OP_OR:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			KID(nd->b);
			check_condition(at, ka);
			k = (ka == SK_BOOL && kind_of(b, nd->b) == SK_BOOL) ? SK_BOOL : SK_UNKNOWN;
			break;
		case CP_OP_NOT:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			check_condition(at, ka);
			k = (ka == SK_BOOL || ka == SK_SPECIAL) ? ka : SK_UNKNOWN;
			break;
		case CP_OP_IS_NULL:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			k = SK_BOOL;
			break;
		case CP_OP_IN_OUTAGE:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			if (SK_KNOWN(ka) && ka != SK_TIME)
				type_error(at, psprintf("ask whether %s is during the outage", kind_name(ka)));
			break;
		case CP_OP_IN_RANGE:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			KID(nd->b);
			KID(nd->c);
			check_compare(at, ka, kind_of(b, nd->b));
			break;
		case CP_OP_IN_LIST:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			for (i = 0; i < nd->c; i++)
				KID(ARG(nd->b + i));
			if (nd->c > 0)
				check_compare(at, ka, kind_of(b, ARG(nd->b)));
			break;
		case CP_OP_CALL:
			for (i = 0; i < nd->c; i++)
				KID(ARG(nd->a + i));
			k = call_kind(b, at, (CpFunc) nd->b, nd->a, nd->c);
			break;
		case CP_OP_CALENDAR:
			for (i = 0; i < nd->c; i++)
				KID(ARG(nd->a + i));
			break;
		case CP_OP_TIER:
			KID(nd->a);
			ka = kind_of(b, nd->a);
			nargs = 2 * nd->c + ((nd->flags & CP_NODE_HAS_ELSE) ? 1 : 0);
			for (i = 0; i < nargs; i++)
				KID(ARG(nd->b + i));
			if (nd->c > 0)
				check_compare(at, ka, kind_of(b, ARG(nd->b)));
			break;
		default:
			/*
			 * The operators of issue 11 (below, case): their height through
			 * the shape table, their kind unknown but for a below bound's.
			 */
			{
				const CpOpShape *s = &cp_op_shapes[nd->op];
				int32		first;

				if (s->n_fields > 0)
					KID(nd->a);
				if (s->n_fields > 1)
					KID(nd->b);
				if (s->list != CP_LIST_NONE)
				{
					first = s->n_fields == 0 ? nd->a : nd->b;
					nargs = s->list == CP_LIST_C ? nd->c :
						s->list == CP_LIST_DTABLE ?
						nd->b + nd->c * (nd->b + 1) + ((nd->flags & CP_NODE_HAS_ELSE) ? 1 : 0) :
						2 * nd->c + ((nd->flags & CP_NODE_HAS_ELSE) ? 1 : 0);
					for (i = 0; i < nargs; i++)
						KID(ARG(first + i));
				}
				if (nd->op == CP_OP_BELOW)
					k = kind_of(b, nd->a);
				if (nd->op == CP_OP_TIER_BELOW && nd->c > 0)
					check_compare(at, kind_of(b, nd->a), kind_of(b, ARG(nd->b)));
			}
			break;
	}
#undef KID
#undef ARG

	h++;
	if (h > CP_MAX_DEPTH)
		cp_check_depth_error(at);
	nd->pad = (uint16) (h | (k << ANN_HEIGHT_BITS));
}


/* Node cond is read as a condition (a rule's "when"). */
void
cp_check_condition(CpBuilder *b, int32 cond, const Token *at)
{
	check_condition(at, kind_of(b, cond));
}

void
cp_check_deadline(CpBuilder *b, int32 deadline, const Token *at)
{
	StaticKind	k = kind_of(b, deadline);

	if (SK_KNOWN(k) && k != SK_TIME)
		type_error(at, psprintf("use %s as a deadline", kind_name(k)));
}

void
cp_check_bearer(CpBuilder *b, int32 expr, const Token *at)
{
	StaticKind	k = kind_of(b, expr);

	if (SK_KNOWN(k) && k != SK_TEXT)
		type_error(at, psprintf("use %s as a bearer", kind_name(k)));
}

/*
 * The value of a tier bound, when it is a constant the parser can order:
 * a number, a date or time, or a whole number of days, hours or minutes.
 */
static bool
const_bound(CpBuilder *b, int32 idx, CpConstBound *cb)
{
	const CpBuildNode *nd = CpBuilderNode(b, idx);

	switch ((CpOp) nd->op)
	{
		case CP_OP_NUM:
			cb->kind = SK_NUM;
			return cp_rat_from_decimal(cp_builder_value(b, idx), nd->a, &cb->num);
		case CP_OP_NEG:
			if (!const_bound(b, nd->a, cb) || cb->kind != SK_NUM)
				return false;
			cb->num = cp_rat_neg(cb->num);
			return true;
		case CP_OP_PERCENT:
			{
				CpRational	hundredth = {1, 100};

				return const_bound(b, nd->a, cb) && cb->kind == SK_NUM &&
					cp_rat_mul(cb->num, hundredth, &cb->num);
			}
		case CP_OP_DATE:
		case CP_OP_TIMESTAMP:
			/* "subject <= bound" holds when the subject starts before the bound ends */
			cb->kind = SK_TIME;
			cb->value = cp_builder_instants(b, idx).w;
			return true;
		case CP_OP_DURATION:
			{
				int64		per = nd->b == CP_UNIT_HOURS ? USECS_PER_HOUR :
					nd->b == CP_UNIT_MINUTES ? USECS_PER_MINUTE :
					nd->b == CP_UNIT_YEARS ? 12 : 1;

				if (!const_bound(b, nd->a, cb) || cb->kind != SK_NUM || cb->num.den != 1 ||
					pg_mul_s64_overflow(cb->num.num, per, &cb->value))
					return false;
				cb->kind = SK_DURATION;
				/* what orders against what: days, time, months, working days */
				switch ((CpUnit) nd->b)
				{
					case CP_UNIT_DAYS:
					case CP_UNIT_WORKING_DAYS:
						cb->unit = (CpUnit) nd->b;
						break;
					case CP_UNIT_MONTHS:
					case CP_UNIT_YEARS:
						cb->unit = CP_UNIT_MONTHS;
						break;
					default:
						cb->unit = CP_UNIT_HOURS;
				}
				return true;
			}
		default:
			return false;
	}
}

/* Is b above a (both constants of the same kind)?  -1: they do not compare. */
static int
bound_above(const CpConstBound *a, const CpConstBound *b)
{
	if (a->kind != b->kind || (a->kind == SK_DURATION && a->unit != b->unit))
		return -1;
	if (a->kind == SK_NUM)
		return cp_rat_cmp(b->num, a->num) > 0;
	return b->value > a->value;
}


void
cp_check_tier_bound(CpBuilder *b, CpConstBound *top, int32 bound, const Token *at)
{
	CpConstBound cb = {0};
	int			above;

	/*
	 * A tier gives the result of the first step whose bound is at least the
	 * subject, so a step whose bound is not above an earlier one is never
	 * reached: the policy cannot mean that.
	 */
	if (!const_bound(b, bound, &cb))
		return;
	above = top->kind == SK_UNKNOWN ? 1 : bound_above(top, &cb);
	if (above == 0)
		cp_error_at(at, ERRCODE_INVALID_PARAMETER_VALUE, "tier bounds do not ascend",
					"A tier gives the result of the first step whose bound is at least the subject, so a step whose bound is not above an earlier bound is never reached.");
	if (above == 1)
		*top = cb;
}

/*
 * Is zone a name from the IANA tz database: Area/Location (Asia/Seoul), a
 * name of the backward file (UTC, US/Pacific), or one of its legacy names
 * with digits (EST5EDT, Etc/GMT+9)?  PostgreSQL would also accept names
 * that are not the database's: "localtime" and "posixrules", which follow
 * the host's settings, so the same policy would pay differently on another
 * machine; the "posix/" and "right/" copies; and POSIX TZ strings such as
 * "JST-9" or "<+09>-9".  The policy carries its own zone, so only a name
 * that means the same everywhere will do.
 */
bool
cp_iana_zone_name(const char *zone)
{
	static const char *const legacy[] = {
		"CST6CDT", "EST5EDT", "GMT+0", "GMT-0", "GMT0", "MST7MDT", "PST8PDT", NULL
	};
	const char *p;
	bool		start = true;	/* at the start of a component */
	bool		slash = false;
	bool		digit = false;
	int			i;

	for (p = zone; *p; p++)
	{
		unsigned char ch = (unsigned char) *p;

		if (ch == '/')
		{
			if (start)
				return false;
			start = slash = true;
			continue;
		}
		if (start ? !isalpha(ch) : !(isalnum(ch) || ch == '_' || ch == '-' || ch == '+'))
			return false;
		if (isdigit(ch))
			digit = true;
		start = false;
	}
	if (start)
		return false;			/* empty, or ends with "/" */
	if (pg_strcasecmp(zone, "localtime") == 0 || pg_strcasecmp(zone, "posixrules") == 0 ||
		pg_strncasecmp(zone, "posix/", 6) == 0 || pg_strncasecmp(zone, "right/", 6) == 0)
		return false;
	if (!digit)
		return true;
	/* digits: only Etc/GMT+N and the legacy names; anything else is a POSIX string */
	if (slash)
		return pg_strncasecmp(zone, "Etc/", 4) == 0;
	for (i = 0; legacy[i]; i++)
		if (pg_strcasecmp(zone, legacy[i]) == 0)
			return true;
	return false;
}

