/*-------------------------------------------------------------------------
 *
 * ruleset.h
 *	  The binary form of a compiled compensation policy (compensation.ruleset).
 *
 * A ruleset is one flat varlena with no pointers inside: a header followed by
 * arrays (sections) that refer to each other by int32 index, and a pool of
 * NUL-terminated strings referred to by byte offset.  The evaluator walks it
 * in place; nothing is unpacked per row.  The parser builds it in canonical
 * order (see ruleset_build.c), so two policies that print alike are also
 * equal byte for byte, which is what '=' and the hash opclass rely on.
 *
 * The text form is the policy language; see docs/policy-language.md.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_H
#define COMPENSATION_RULESET_H

#include "fmgr.h"
#include "lib/stringinfo.h"

#define CP_FORMAT_VERSION	1

/* "no node", "no string" */
#define CP_NONE_IDX			(-1)

/*
 * The documented limits of a policy (docs/policy-language.md, "Limits").
 * Each is checked while compiling, before the memory it bounds is
 * allocated, and exceeding it is an error with SQLSTATE 54000
 * (program_limit_exceeded).
 */
#define CP_MAX_POLICY_BYTES		(16 * 1024 * 1024)	/* policy text */
#define CP_MAX_RULES			250000
#define CP_MAX_AWARD_LINES		500000	/* award lines of a policy: the
										 * most lines one row's award can
										 * have */
#define CP_MAX_COMPILED_BYTES	(128 * 1024 * 1024)	/* the ruleset value */
#define CP_MAX_ARGS				100 /* arguments of one function call */

/*
 * Deepest expression nesting: the height of an expression tree (through
 * lets), and how deep parentheses, "not", unary minus, function calls and
 * tiers may nest.  The evaluator recurses over the tree and refuses a
 * deeper one when it binds the policy (eval.c), so the parser refuses it
 * first: a policy that compiles can be evaluated.
 */
#define CP_MAX_DEPTH		1000

/* Node operators.  Children are node indexes unless stated otherwise. */
typedef enum CpOp
{
	/* literals */
	CP_OP_NUM = 1,				/* v = mantissa, a = scale: value is v / 10^a */
	CP_OP_STR,					/* a = string offset */
	CP_OP_BOOL,					/* v = 0 or 1 */
	CP_OP_NULL,
	CP_OP_DATE,					/* a calendar day in the policy time zone: a =
								 * local DateADT, v = first instant, w = first
								 * instant of the next day */
	CP_OP_TIMESTAMP,			/* a = local DateADT, b = local seconds since
								 * midnight, v = the instant, w = v + 1 */
	CP_OP_DURATION,				/* a = child (number), b = CpUnit */

	/* references */
	CP_OP_COLUMN,				/* a = column index (CpColumn) */
	CP_OP_LET,					/* a = let index (CpLet) */
	CP_OP_BUILTIN,				/* a = CpBuiltin */

	/* arithmetic; a, b children */
	CP_OP_NEG,					/* a */
	CP_OP_PERCENT,				/* a: a / 100 */
	CP_OP_ADD,
	CP_OP_SUB,
	CP_OP_MUL,
	CP_OP_DIV,
	CP_OP_CALL,					/* a = first arg (in args[]), c = nargs, b =
								 * CpFunc */
	CP_OP_MODE,					/* a rounding mode given as a function
								 * argument: a = CpRounding */
	CP_OP_TIER,					/* a = subject, b = first arg, c = number of
								 * "upto" steps; args hold bound, result pairs,
								 * then the else result if flags has
								 * CP_NODE_HAS_ELSE */
	CP_OP_REVIEW,				/* a = string offset of the reason */
	CP_OP_NOAWARD,				/* "none": no award */

	/* conditions; a, b children */
	CP_OP_EQ,
	CP_OP_NE,
	CP_OP_LT,
	CP_OP_LE,
	CP_OP_GT,
	CP_OP_GE,
	CP_OP_AND,
	CP_OP_OR,
	CP_OP_NOT,					/* a */
	CP_OP_IS_NULL,				/* a; CP_NODE_NEGATED for "is not null" */
	CP_OP_IN_LIST,				/* a = subject, b = first arg, c = count;
								 * CP_NODE_NEGATED for "not in" */
	CP_OP_IN_RANGE,				/* a = subject, b = low, c = high;
								 * CP_NODE_EXCLUSIVE for "..<",
								 * CP_NODE_NEGATED for "not in" */
	CP_OP_IN_OUTAGE,			/* a = subject: "during outage";
								 * CP_NODE_NEGATED for "not during outage" */

	/* calendars (calendar.h); only ever the expression of a policy let */
	CP_OP_CALENDAR,				/* a = first holiday (DATE nodes in args[],
								 * ascending), c = number of holidays, b =
								 * weekend days (bit 0 Monday .. bit 6
								 * Sunday) */
	/*
	 * Issue 11, conditionals and half-open tiers (ruleset_parse_tables.c,
	 * eval_table.c).  "x between lo and hi" is CP_OP_IN_RANGE.
	 */
	CP_OP_TIER_BELOW,			/* as CP_OP_TIER, but a bound may be a
								 * CP_OP_BELOW node: a tier with a "below" */
	CP_OP_BELOW,				/* a = the bound of a "below" step (the
								 * subject must be strictly less) */
	CP_OP_CASE,					/* case when C then R ... [else E] end: a =
								 * first arg, c = number of when-then pairs;
								 * args hold condition, result pairs, then
								 * the else result if CP_NODE_HAS_ELSE */
	CP_OP_CASE_SIMPLE,			/* case S when V, ... then R ... end: a =
								 * subject, b = first arg, c = arms; args
								 * hold CP_OP_CASE_VALUES, result pairs, then
								 * the else result if CP_NODE_HAS_ELSE */
	CP_OP_CASE_VALUES,			/* the values of an arm of a simple case: a =
								 * first arg, c = count; in a decision table,
								 * a list cell */
	CP_OP_DTABLE,				/* a decision table: a = first arg, b = inputs,
								 * c = rows; args hold the b inputs, then per
								 * row b cells and its output, then the else
								 * output if CP_NODE_HAS_ELSE; the hit policy
								 * in flags (CP_NODE_HIT_*) */
	CP_OP_CELL_ANY,				/* a cell that any value passes ("any") */
	CP_OP_CELL_TEST,			/* a cell "OP v": a = v, b = CpOp (EQ for a
								 * bare value) */
	CP_OP_CELL_RANGE			/* a cell "lo .. hi": a = lo, b = hi;
								 * CP_NODE_EXCLUSIVE for "..<" */
} CpOp;

/* CpNode.flags */
#define CP_NODE_NEGATED		0x01
#define CP_NODE_EXCLUSIVE	0x02
#define CP_NODE_HAS_ELSE	0x04
#define CP_NODE_HIT_FIRST	0x08	/* decision table: first row that matches */
#define CP_NODE_HIT_COLLECT	0x10	/* decision table: sum of the rows that
									 * match; neither: unique */

typedef enum CpUnit
{
	CP_UNIT_DAYS = 1,
	CP_UNIT_HOURS,
	CP_UNIT_MINUTES,
	CP_UNIT_MONTHS,				/* calendar months (end of month clamped) */
	CP_UNIT_YEARS,				/* 12 months */
	CP_UNIT_WORKING_DAYS		/* working days of the policy's calendar */
} CpUnit;

typedef enum CpBuiltin
{
	CP_BUILTIN_OUTAGE_START = 1,	/* first instant of the first window */
	CP_BUILTIN_OUTAGE_END,		/* end (exclusive) of the last window */
	CP_BUILTIN_OUTAGE_HOURS,	/* total length of all windows, in hours */
	CP_BUILTIN_OUTAGE_DAYS		/* total length of all windows, in days */
} CpBuiltin;

typedef enum CpFunc
{
	CP_FUNC_MIN = 1,			/* min(a, b, ...) */
	CP_FUNC_MAX,				/* max(a, b, ...) */
	CP_FUNC_ROUND,				/* round(x, mode [, increment]) */
	CP_FUNC_HOURS,				/* hours(from, to): exact number of hours */
	CP_FUNC_DAYS,				/* days(from, to): exact number of days */
	CP_FUNC_DAYS_IN_MONTH,		/* days_in_month(t), in the policy time zone */
	CP_FUNC_COALESCE,			/* coalesce(a, b, ...) */
	CP_FUNC_ABS,				/* abs(x) */
	/* local calendar (calendar.h), in the policy time zone */
	CP_FUNC_DATE,				/* date(t): the local day of t */
	CP_FUNC_WORKING_DAYS,		/* working_days(from, to), policy calendar */
	CP_FUNC_YEAR,				/* year(t) */
	CP_FUNC_MONTH,				/* month(t): 1 to 12 */
	CP_FUNC_DAY,				/* day(t): day of the month */
	CP_FUNC_WEEKDAY,			/* weekday(t): ISO, 1 Monday to 7 Sunday */
	CP_FUNC_HOUR,				/* hour(t): local hour, 0 to 23 */
	/* issue 11, text tests (eval_table.c) */
	CP_FUNC_LOWER,				/* lower(t): ASCII letters in lower case */
	CP_FUNC_STARTS_WITH,		/* starts_with(t, prefix) */
	CP_FUNC_CONTAINS			/* contains(t, part) */
} CpFunc;

#define CP_FUNC_LAST	CP_FUNC_CONTAINS
#define CP_UNIT_LAST	CP_UNIT_WORKING_DAYS

typedef enum CpRounding
{
	CP_ROUND_UNSET = 0,			/* award: use the policy's; policy: none, so an
								 * inexact amount is an error */
	CP_ROUND_HALF_UP,			/* half away from zero */
	CP_ROUND_HALF_EVEN,
	CP_ROUND_FLOOR,				/* toward minus infinity */
	CP_ROUND_CEILING			/* toward plus infinity */
} CpRounding;

typedef enum CpHit
{
	CP_HIT_COLLECT = 1,			/* every matching rule awards (default) */
	CP_HIT_FIRST,				/* the first matching rule awards, in order */
	CP_HIT_UNIQUE				/* at most one rule may match; two is an error */
} CpHit;

typedef enum CpAwardKind
{
	CP_AWARD_CREDIT = 1,		/* credit INSTRUMENT amount */
	CP_AWARD_WAIVE,				/* waive INSTRUMENT amount */
	CP_AWARD_EXTEND_BY,			/* extend COLUMN by duration */
	CP_AWARD_EXTEND_TO,			/* extend COLUMN to time */
	CP_AWARD_EXTEND_OUTAGE,		/* extend COLUMN by outage */
	CP_AWARD_GRANT,				/* grant ITEM [amount] [for duration] */
	CP_AWARD_FLAG,				/* flag NAME */
	CP_AWARD_REVIEW				/* review "reason" */
} CpAwardKind;

/* How an instrument's amounts are counted. */
typedef enum CpUnitKind
{
	CP_INSTR_MONEY = 1,			/* minor units of the policy currency */
	CP_INSTR_COUNT				/* whole units (points, coupons) */
} CpUnitKind;

/* An expression or condition node: 32 bytes. */
typedef struct CpNode
{
	uint8		op;				/* CpOp */
	uint8		flags;			/* CP_NODE_* */
	uint16		pad;
	int32		a;
	int32		b;
	int32		c;
	int64		v;
	int64		w;
} CpNode;

/* A time window: [lo, hi) once resolved; ends are nodes for printing. */
typedef struct CpWindow
{
	int32		lo_node;
	int32		hi_node;
	int32		exclusive;		/* 1 if written "..<" */
	int32		pad;
	int64		lo;				/* first instant inside */
	int64		hi;				/* first instant after */
} CpWindow;

typedef struct CpRule
{
	int32		name;			/* string offset */
	int32		cond;			/* node, or CP_NONE_IDX for "always" */
	int32		first_let;
	int32		n_lets;
	int32		first_award;
	int32		n_awards;
} CpRule;

typedef struct CpLet
{
	int32		name;			/* string offset */
	int32		expr;			/* node */
	int32		rule;			/* owning rule, or CP_NONE_IDX: policy level */
	int32		kind;			/* CpLetKind (was padding: 0 in every value
								 * of before it) */
} CpLet;

/* What a policy-level let is (issue 11/12). */
typedef enum CpLetKind
{
	CP_LET_PLAIN = 0,			/* let NAME = EXPR */
	CP_LET_PARAM,				/* param NAME = LITERAL: a what-if parameter,
								 * overridden by compensation.with_params() */
	CP_LET_CAP,					/* cap INSTRUMENT EXPR: name is the
								 * instrument; a row's lines of it total at
								 * most EXPR (eval_limits.c) */
	CP_LET_MINIMUM,				/* minimum INSTRUMENT EXPR: a row's lines of
								 * it are not paid if they total less */
	CP_LET_MINOR_UNITS			/* column COLUMN minor: name is the column,
								 * expr a CP_OP_COLUMN node of it; the
								 * column holds minor units of the currency */
} CpLetKind;

typedef struct CpAwardSpec
{
	uint8		kind;			/* CpAwardKind */
	uint8		rounding;		/* CpRounding; UNSET: the policy's */
	uint8		unit;			/* CpUnitKind of the instrument, 0 if none */
	uint8		window_kind;	/* CpWindowKind */
	int32		instrument;		/* string offset: instrument, item, flag or
								 * (extend) column name */
	int32		column;			/* extend: column index; else CP_NONE_IDX */
	int32		amount;			/* node: amount, target time (extend to),
								 * duration (extend by); or CP_NONE_IDX */
	int32		duration;		/* grant ... for DURATION: node, or
								 * CP_NONE_IDX */
	int32		window_lo;		/* node, or CP_NONE_IDX */
	int32		window_hi;		/* node */
	int32		window_exclusive;
	int64		increment;		/* rounding increment in minor units; 0: the
								 * policy's */
	int32		reason;			/* review: string offset */
	int32		bearer;			/* who bears the line's cost: 0 the company,
								 * else 1 + the node of a text expression
								 * (a partner's column or name; issue 12,
								 * ruleset_parse_bearer.c).  Was padding:
								 * 0 in every value made before it. */
} CpAwardSpec;

/* The node of an award's bearer, or CP_NONE_IDX: the company. */
#define CpAwardBearerNode(spec)	((spec)->bearer - 1)

typedef enum CpWindowKind
{
	CP_WINDOW_NONE = 0,
	CP_WINDOW_CLAIM,			/* "claim LO .. HI": when the customer may claim */
	CP_WINDOW_VALID,			/* "valid LO .. HI": validity of what is granted */
	CP_WINDOW_DUE				/* "due by HI": to be paid by then; window_lo
								 * is CP_NONE_IDX, window_hi the deadline
								 * (its whole span: a date is due by the
								 * end of the day), window_exclusive 0 */
} CpWindowKind;

typedef struct CpColumn
{
	int32		name;			/* string offset */
} CpColumn;

typedef struct CpInstrument
{
	int32		name;			/* string offset */
	int32		unit;			/* CpUnitKind */
} CpInstrument;

/*
 * The varlena.  Sections follow the header in this order, each starting at
 * a MAXALIGNed offset: nodes, windows, args, rules, lets, awards, columns,
 * instruments, strings.
 */
typedef struct CpRulesetData
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		format;			/* CP_FORMAT_VERSION */
	uint64		fingerprint;	/* hash of everything after this field: a
								 * cheap "same policy?" test for caches */
	int32		name;			/* string offset: policy name */
	char		currency[4];	/* ISO 4217 code, NUL-terminated */
	int16		exponent;		/* minor-unit digits of the currency */
	uint8		hit;			/* CpHit */
	uint8		rounding;		/* CpRounding: policy default */
	int64		increment;		/* policy default rounding increment, minor
								 * units (1 if unset) */
	int32		timezone;		/* string offset: IANA time zone name */
	int32		n_nodes;
	int32		n_windows;
	int32		n_args;
	int32		n_rules;
	int32		n_lets;
	int32		n_awards;
	int32		n_columns;
	int32		n_instruments;
	int32		strings_len;
} CpRulesetData;

typedef CpRulesetData *CpRuleset;

/* Section access (ruleset_format.c, which owns the format). */
extern Size cp_ruleset_section_offset(const CpRulesetData *rs, int section);

#define CP_SECTION_NODES		0
#define CP_SECTION_WINDOWS		1
#define CP_SECTION_ARGS			2
#define CP_SECTION_RULES		3
#define CP_SECTION_LETS			4
#define CP_SECTION_AWARDS		5
#define CP_SECTION_COLUMNS		6
#define CP_SECTION_INSTRUMENTS	7
#define CP_SECTION_STRINGS		8
#define CP_SECTION_END			9

#define CP_SECTION(rs, sec, type) \
	((type *) ((char *) (rs) + cp_ruleset_section_offset((rs), (sec))))

#define CpNodes(rs)			CP_SECTION(rs, CP_SECTION_NODES, CpNode)
#define CpWindows(rs)		CP_SECTION(rs, CP_SECTION_WINDOWS, CpWindow)
#define CpArgs(rs)			CP_SECTION(rs, CP_SECTION_ARGS, int32)
#define CpRules(rs)			CP_SECTION(rs, CP_SECTION_RULES, CpRule)
#define CpLets(rs)			CP_SECTION(rs, CP_SECTION_LETS, CpLet)
#define CpAwards(rs)		CP_SECTION(rs, CP_SECTION_AWARDS, CpAwardSpec)
#define CpColumns(rs)		CP_SECTION(rs, CP_SECTION_COLUMNS, CpColumn)
#define CpInstruments(rs)	CP_SECTION(rs, CP_SECTION_INSTRUMENTS, CpInstrument)
#define CpStrings(rs)		CP_SECTION(rs, CP_SECTION_STRINGS, char)
#define CpString(rs, off)	(CpStrings(rs) + (off))

#define DatumGetCpRuleset(d)	((CpRuleset) PG_DETOAST_DATUM(d))
#define PG_GETARG_CPRULESET(n)	DatumGetCpRuleset(PG_GETARG_DATUM(n))
#define PG_RETURN_CPRULESET(x)	PG_RETURN_POINTER(x)

/* ruleset_parse.c: policy text to ruleset; errors are ereport(ERROR). */
extern CpRuleset cp_parse_policy(const char *text);
/* The same, with parameters overridden (ruleset_params.c); NULL: none. */
struct CpParamOverrides;
extern CpRuleset cp_parse_policy_with(const char *text,
									  struct CpParamOverrides *overrides);
extern bool cp_is_reserved_word(const char *word);

/* ruleset_print.c: canonical text of a ruleset, and of one node. */
extern char *cp_print_policy(const CpRulesetData *rs);
extern void cp_print_node(StringInfo out, const CpRulesetData *rs, int32 node);

/* The words of the enums above, from the keyword table (keywords.c). */
extern const char *cp_rounding_name(CpRounding mode);
extern const char *cp_hit_name(CpHit hit);
extern const char *cp_func_name(CpFunc func);
extern const char *cp_builtin_name(CpBuiltin b);
extern const char *cp_unit_name(CpUnit unit);
extern const char *cp_award_kind_name(CpAwardKind kind);

/* Currencies (currency.c). Returns the exponent, or -1 if unknown. */
extern int	cp_currency_exponent(const char *code);

#endif							/* COMPENSATION_RULESET_H */
