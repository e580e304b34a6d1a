/*-------------------------------------------------------------------------
 *
 * eval_int.h
 *	  What the evaluator's files share: values, the evaluator (CpEval), the
 *	  rule index, and the few functions one file calls in another.
 *
 * The evaluator is split by lifetime, as PostgreSQL splits execExpr.c
 * (compile once) from execExprInterp.c (run per row):
 *
 *	 eval_bind.c     once per call site: bind a checked ruleset to a row
 *	                 type, fold constants, build the rule index; the cache
 *	 eval_exec.c     per row: columns, expressions and conditions (the
 *	                 interpreter, the hot path, one translation unit)
 *	 eval_award.c    per row: the rules to try (rule index), hit policy,
 *	                 award lines, the award
 *	 eval_explain.c  explain only: the trace, and values as text
 *
 * The format of the ruleset itself (its check, the node walker) belongs to
 * ruleset_format.c.  Nothing outside the eval files includes this header;
 * the rest of the extension sees eval.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_EVAL_INT_H
#define COMPENSATION_EVAL_INT_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

#include "award.h"
#include "calendar.h"
#include "eval.h"
#include "exact.h"
#include "ruleset.h"
#include "timezone.h"

/* ---------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------
 */

/* The first three kinds propagate through arithmetic. */
typedef enum CpValKind
{
	CPV_NULL = 0,
	CPV_REVIEW,					/* "review 'reason'": a person decides */
	CPV_NOAWARD,				/* "none" */
	CPV_NUM,
	CPV_BOOL,
	CPV_TEXT,
	CPV_TIME,
	CPV_DURATION
} CpValKind;

#define CPV_IS_SPECIAL(k)	((k) <= CPV_NOAWARD)

typedef struct CpValue
{
	uint8		kind;			/* CpValKind */
	bool		working;		/* a duration of u.dur.days working days of
								 * the policy's calendar (nothing else) */
	union
	{
		CpRational	num;
		bool		b;
		struct
		{
			const char *p;
			int32		len;
		}			text;
		struct
		{
			int64		lo;		/* first instant inside */
			int64		hi;		/* first instant after */
		}			time;
		struct
		{
			int64		usecs;
			int32		days;
			int32		months; /* calendar months, applied first */
		}			dur;
		const char *reason;
	}			u;
} CpValue;

/* Three-valued logic */
#define CP_FALSE	0
#define CP_TRUE		1
#define CP_UNKNOWN	2

/* Infinite times: [MIN, MIN+1) and [MAX-1, MAX) */
#define TIME_NEG_INF_LO		PG_INT64_MIN
#define TIME_POS_INF_HI		PG_INT64_MAX
#define TIME_IS_FINITE(v)	((v)->u.time.lo != TIME_NEG_INF_LO && (v)->u.time.hi != TIME_POS_INF_HI)

#define USECS_PER_HOUR_I	INT64CONST(3600000000)
#define USECS_PER_MINUTE_I	INT64CONST(60000000)

/* ---------------------------------------------------------------------
 * The evaluator
 * ---------------------------------------------------------------------
 */

typedef enum CpColClass
{
	CPC_INT2 = 1,
	CPC_INT4,
	CPC_INT8,
	CPC_NUMERIC,
	CPC_BOOL,
	CPC_TEXT,					/* text, varchar and other string varlenas */
	CPC_BPCHAR,					/* compared without trailing spaces */
	CPC_NAME,
	CPC_CSTRING,				/* a literal of type unknown */
	CPC_ENUM,
	CPC_DATE,
	CPC_TIMESTAMP,				/* local time in the policy zone */
	CPC_TIMESTAMPTZ,
	CPC_MINOR					/* an integer or numeric column declared in
								 * minor units ("column C minor"): minor_cls
								 * is its class, its value / 10^exponent */
} CpColClass;

#define CP_ENUM_CACHE	16

typedef struct CpEnumLabel
{
	Oid			oid;
	int32		len;
	char	   *label;
} CpEnumLabel;

typedef struct CpColBind
{
	int			attno;			/* 0-based attribute index */
	int			argidx;			/* cp_eval_award_columns(): its place among
								 * the values passed (-1: not passed) */
	CpColClass	cls;
	const char *name;
	int			n_enum;
	int			next_enum;
	CpEnumLabel *enums;
	CpColClass	minor_cls;		/* CPC_MINOR: the class it is read as */
} CpColBind;

/* An award line waiting to be built into the result. */
typedef struct CpPending
{
	CpAwardLine line;
	const char *rule;
	const char *instrument;
	const char *note;
	int32		rule_no;		/* index of the rule */
	bool		dropped;		/* by a payout limit (eval_limits.c) */
} CpPending;

/*
 * A condition leaf the interpreter tests from the column's datum, without
 * making a CpValue (eval_fast.c binds them, eval_exec.c tests them): a
 * column of a class whose reading cannot fail, compared with constants of
 * its kind.  The result is the general path's, test for test; where the
 * datum is one the general path treats apart (an infinite or far date, the
 * smallest bigint), the test answers CP_FAST_SLOW and the general path runs.
 */
typedef enum CpFastKind
{
	CPF_NONE = 0,
	CPF_TIME_CMP,				/* time column op constant time */
	CPF_TIME_RANGE,				/* time column in lo .. hi (or ..<) */
	CPF_TIME_OUTAGE,			/* time column during outage */
	CPF_INT_CMP,				/* integer column op constant number */
	CPF_TEXT_EQ,				/* text column = or <> constant text */
	CPF_BOOL,					/* boolean column as a condition */
	CPF_IS_NULL					/* column is null */
} CpFastKind;

#define CP_FAST_SLOW	(-1)

typedef struct CpFastCond
{
	uint8		kind;			/* CpFastKind; CPF_NONE: no fast test */
	uint8		op;				/* CPF_TIME_CMP, CPF_INT_CMP, CPF_TEXT_EQ:
								 * the comparison; CPF_TIME_RANGE: that of
								 * the upper end (CP_OP_LE or CP_OP_LT) */
	bool		negated;		/* "not in", "not during", "is not null",
								 * "not column" */
	int32		col;			/* column index (ev->cols) */
	int32		k1;				/* constant node: the right operand, or a
								 * range's lower end */
	int32		k2;				/* a range's upper end */
} CpFastCond;

struct CpEval
{
	MemoryContext mcxt;			/* owns everything below */
	const int16 *columns_checked;	/* the attnos cp_eval_award_columns() last checked */
	MemoryContext rowcxt;		/* reset at the start of every row */

	/* the ruleset, a private copy, and how to recognise it again */
	CpRulesetData *rs;
	Size		rs_size;
	uint64		fingerprint;
	char	   *raw_key;		/* compressed or toast-pointer bytes, or NULL */
	Size		raw_key_len;

	/* the row type */
	Oid			rowtype;
	int32		rowtypmod;
	TupleDesc	tupdesc;

	/* sections */
	const CpNode *nodes;
	const CpWindow *windows;
	const int32 *args;
	const CpRule *rules;
	const CpLet *lets;
	const CpAwardSpec *awards;
	const CpColumn *columns;
	const char *strings;
	int32		n_nodes;
	int32		n_windows;
	int32		n_args;
	int32		n_rules;
	int32		n_lets;
	int32		n_awards;
	int32		n_columns;
	int32		strings_len;

	CpColBind  *cols;
	int			max_att;		/* attributes needed: highest attno + 1 */

	/*
	 * The rule index (see find_guards).  A rule whose condition starts
	 * (leftmost "and" leaf) with COLUMN = CONSTANT, for a number or text
	 * column and a constant of the same kind, is "guarded": on a row whose
	 * column holds another non-NULL value the condition is false without
	 * walking it, exactly what the "and" would conclude.  Per row, each
	 * guard column is read once and looked up in a hash table from (column,
	 * value) to the rules with that guard; only those and the unguarded rules
	 * are evaluated, merged in rule order.  Rule lists are chains through
	 * the next_* arrays (indexed by rule, -1 ends), so they are sorted.
	 */
	int			n_gcols;		/* guard columns */
	struct CpGuardCol *gcols;
	struct cpguard_hash *guards;	/* (column, value) -> rules */
	int32		first_unguarded;	/* rules without a guard */
	int32	   *next_unguarded;
	int32	   *next_key;		/* the next rule with the same guard */
	int32	   *next_col;		/* the next rule guarded on the same column */
	int32	   *next_null;		/* ... whose condition is more than the guard */
	/*
	 * A guarded rule found through its guard's own list has a true guard:
	 * only the rest of its condition is evaluated.  guard_rest[i] is where
	 * rule i's rest starts in rest_conds (-1: not guarded): a count, then
	 * the right operands of the "and"s above the guard, innermost first.
	 */
	int32	   *guard_rest;
	int32	   *rest_conds;
	struct CpCursor *cursors;	/* per row: 1 + n_gcols rule lists to merge */

	/* constant folding: konst[i] is valid when is_const[i] */
	bool	   *is_const;
	CpValue    *konst;

	/* fast[i]: node i's test from the datum, if it has one (eval_fast.c) */
	CpFastCond *fast;
	bool		fast_off;		/* explain's evaluator: every fast[i] is none */

	/* the outage */
	bool		have_outage;
	int64		outage_usecs;	/* total length of all windows */
	int32		outage_days;	/* whole local days in all windows, or -1 */

	/* the policy time zone, and its local days (timezone.h) */
	CpTzCache	tzc;

	/* the policy's calendar (calendar.h), or NULL */
	CpCalendar *cal;

	/* explain: what calendar arithmetic skipped, for the rule's detail */
	StringInfo	notes;

	/* per row */
	uint32		gen;			/* row generation for the memo stamps */
	uint32	   *col_gen;
	CpValue    *col_val;
	uint32	   *let_gen;
	uint32	   *let_busy;
	CpValue    *let_val;
	HeapTupleHeader tup;
	Datum	   *values;
	bool	   *isnull;
	/*
	 * cp_eval_award_columns(): the values as the caller passed them, read in
	 * place (no copy per row): column c is row_args[cols[c].argidx].
	 * row_args is NULL for a row.
	 */
	const NullableDatum *row_args;
	int			nvalid;			/* attributes deformed so far */
	uint32		off;
	bool		slow;
	int			cur_rule;

	/* award lines of this row */
	CpPending  *pending;
	int			n_pending;
	int			max_pending;

	/* explain: why a matched rule's awards gave no line, else NULL */
	StringInfo	skips;

	/* the award with no lines, in the policy currency */
	CpAward		empty_award;

	/* payout limits (cap, minimum; eval_limits.c): their lets, in order */
	int32		n_limits;
	int32	   *limits;
	/* eval_memo.c: the group of equal evaluators (0: none) and its key map */
	bool		memo_checked;
	uint64		memo_group;
	const int16 *memo_attnos;
	struct CpMemoCol *memo_cols;
	void	   *memo_store;
};

/*
 * The rule index: a guard is (column, value), value a number (a reduced
 * rational, so 1.0 and 1 are one key) or text (its bytes, as fetch_column
 * gives them: bpchar without trailing spaces).
 */
typedef struct CpGuardKey
{
	int32		col;
	uint8		kind;			/* CPV_NUM or CPV_TEXT */
	int32		len;			/* text */
	const char *p;				/* text */
	CpRational	num;			/* number */
} CpGuardKey;

typedef struct CpGuardEntry
{
	CpGuardKey	key;
	int32		first;			/* first rule with this guard, chained by
								 * next_key */
	int32		last;
	char		status;			/* simplehash */
} CpGuardEntry;

static inline uint32
guard_hash(const CpGuardKey *k)
{
	uint32		h = murmurhash32((uint32) k->col);

	if (k->kind == CPV_NUM)
		return hash_combine(h, hash_bytes((const unsigned char *) &k->num,
										  sizeof(CpRational)));
	return hash_combine(h, hash_bytes((const unsigned char *) k->p, k->len));
}

static inline bool
guard_equal(const CpGuardKey *a, const CpGuardKey *b)
{
	if (a->col != b->col || a->kind != b->kind)
		return false;
	if (a->kind == CPV_NUM)
		return a->num.num == b->num.num && a->num.den == b->num.den;
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

#define SH_PREFIX		cpguard
#define SH_ELEMENT_TYPE	CpGuardEntry
#define SH_KEY_TYPE		CpGuardKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	guard_hash(&(k))
#define SH_EQUAL(tb, a, b)	guard_equal(&(a), &(b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/*
 * Up to this many values of one guard column are looked up by a linear
 * search of the column's own array (a length or number compare each, no
 * hash), beyond that in the hash table.
 */
#define CP_GUARD_LINEAR	8

typedef struct CpGuardSmall
{
	int32		len;			/* text */
	const char *p;				/* text */
	CpRational	num;			/* number */
	int32		first;			/* as CpGuardEntry.first */
} CpGuardSmall;

/* A column that guards rules. */
typedef struct CpGuardCol
{
	int32		n_small;		/* values in small[], or -1: use the hash */
	CpGuardSmall small[CP_GUARD_LINEAR];
	int32		col;
	int32		first_col;		/* rules guarded on it (next_col) */
	int32		first_null;		/* those whose condition goes on after the
								 * guard (next_null): when the column is
								 * NULL, the rest is still evaluated */
} CpGuardCol;

/* A sorted list of rules being merged. */
typedef struct CpCursor
{
	int32		cur;
	const int32 *next;
	bool		guard_true;		/* the rules of one guard's list, which
								 * holds on this row */
} CpCursor;

/* ---------------------------------------------------------------------
 * Small helpers every file uses
 * ---------------------------------------------------------------------
 */

static inline const char *
str_at(const CpEval *ev, int32 off)
{
	return ev->strings + off;
}

/* A time value's start (or end) as a timestamptz, infinities mapped back. */
static inline TimestampTz
time_point(const CpValue *v, bool end)
{
	if (v->u.time.lo == TIME_NEG_INF_LO)
		return DT_NOBEGIN;
	if (v->u.time.hi == TIME_POS_INF_HI)
		return DT_NOEND;
	return end ? v->u.time.hi : v->u.time.lo;
}

/*
 * The eval files call each other only through the declarations below.
 * They are no part of the library's interface, so they are hidden: a call
 * from one eval file to another is a direct call, not one through the
 * procedure linkage table, and the compiler may inline one within its own
 * file as it would a static function.
 */
#if defined(__GNUC__) || defined(__clang__)
#define CP_EVAL_INTERNAL __attribute__((visibility("hidden")))
#else
#define CP_EVAL_INTERNAL
#endif

/* ---------------------------------------------------------------------
 * eval_exec.c: the interpreter, for the other files.  These are cold
 * entry points: the interpreter's own calls stay static inside it.
 * ---------------------------------------------------------------------
 */

/* The value of node idx on this row. */
extern CP_EVAL_INTERNAL void EvalNode(CpEval *ev, int32 idx, CpValue *out);

/* Condition idx on this row: CP_TRUE, CP_FALSE or CP_UNKNOWN. */
extern CP_EVAL_INTERNAL int	EvalCond(CpEval *ev, int32 idx);

/* The "and" of conditions conds[0..n-1], in order, as nested "and"s. */
extern CP_EVAL_INTERNAL int EvalCondAll(CpEval *ev, const int32 *conds, int n);

/* l op r (a comparison) in three-valued logic; node names it in errors. */
extern CP_EVAL_INTERNAL int EvalCompare(CpEval *ev, int32 node, CpOp op,
										const CpValue *l, const CpValue *r);

/* Column c of this row, memoized. */
extern CP_EVAL_INTERNAL void EvalColumn(CpEval *ev, int c, CpValue *out);

/*
 * Guard column c's value on this row, read once; NULL when reading it
 * fails (then the rules that read it raise the error).
 */
extern CP_EVAL_INTERNAL const CpValue *EvalGuardValue(CpEval *ev, int32 c);

/* t + d (t - d if negate) in the policy zone; node names the expression. */
extern CP_EVAL_INTERNAL void EvalTimeShift(CpEval *ev, int32 node,
										   const CpValue *t, const CpValue *d,
										   bool negate, CpValue *out);

/* ---------------------------------------------------------------------
 * eval_dates.c: local calendar functions, months and working days
 * ---------------------------------------------------------------------
 */

/* date(), year(), month(), day(), weekday(), hour(), working_days(). */
extern CP_EVAL_INTERNAL void EvalDateCall(CpEval *ev, int32 node, const CpNode *n,
										  CpValue *out);

/*
 * The months or working days of duration d (negated if negate) applied to
 * the finite time t, into out; the caller applies d's days and time after.
 */
extern CP_EVAL_INTERNAL void EvalShiftCalendar(CpEval *ev, int32 node,
											   const CpValue *t, const CpValue *d,
											   bool negate, CpValue *out);

/*
 * Two durations of which one has months or working days: their order
 * (-1, 0, 1), only like with like; and l / r of two durations of one
 * measure, a number.  Type errors (42804) otherwise.
 */
extern CP_EVAL_INTERNAL int EvalDurationOrder(CpEval *ev, int32 node,
											  const CpValue *l, const CpValue *r);
extern CP_EVAL_INTERNAL void EvalDurationRatio(CpEval *ev, int32 node,
											   const CpValue *l, const CpValue *r,
											   CpValue *out);

/* Local calendar days from a to b (local wall clock), in microseconds. */
extern CP_EVAL_INTERNAL int64 EvalLocalDaysUsecs(CpEval *ev, int32 node,
												 int64 a, int64 b);

/* Start a row: row is a composite datum's header, or NULL (columns). */
extern CP_EVAL_INTERNAL void EvalBeginRow(CpEval *ev, HeapTupleHeader row);

/*
 * Rule i on this row: its condition, and its awards when it matches (with
 * hit unique, the caller evaluates the awards of the one that matched).
 * *matched is the first rule that matched, or -1.  trace is explain's, or
 * NULL.
 */
extern CP_EVAL_INTERNAL void EvalRule(CpEval *ev, int i, int *matched,
									  CpExplainRule *trace);

/* Rule i's awards for explain, skipped lines' reasons in tr->detail. */
extern CP_EVAL_INTERNAL void EvalTraceAwards(CpEval *ev, int i, CpExplainRule *tr);

/* The award of pending lines [from, to), allocated in cxt. */
extern CP_EVAL_INTERNAL CpAward EvalBuildAward(CpEval *ev, int from, int to,
											   MemoryContext cxt);

/* For error messages: the current rule's name, a node's text, a kind. */
/* Error context callback naming the rule being evaluated (arg: the CpEval). */
extern CP_EVAL_INTERNAL void EvalErrorContext(void *arg);
extern CP_EVAL_INTERNAL const char *EvalRuleName(const CpEval *ev);
extern CP_EVAL_INTERNAL char *EvalNodeText(const CpEval *ev, int32 node);
extern CP_EVAL_INTERNAL const char *EvalKindName(uint8 kind);
extern CP_EVAL_INTERNAL void EvalTypeError(CpEval *ev, int32 node,
										   const char *what) pg_attribute_noreturn();
extern CP_EVAL_INTERNAL void EvalOverflowError(CpEval *ev,
											   int32 node) pg_attribute_noreturn();

/* ---------------------------------------------------------------------
 * eval_table.c: issue 11's constructs (tiers with "below", case)
 * ---------------------------------------------------------------------
 */
extern CP_EVAL_INTERNAL void EvalTableNode(CpEval *ev, int32 idx, CpValue *out);

/* lower(), starts_with(), contains(): call node n (index node). */
extern CP_EVAL_INTERNAL void EvalTextCall(CpEval *ev, int32 node, const CpNode *n,
										  CpValue *out);

/* Columns declared in minor units: bind them (once), read one (per row). */
extern CP_EVAL_INTERNAL void EvalBindColumnUnits(CpEval *ev);
/*
 * A numeric column value a policy cannot use: NaN (22000), infinite or out
 * of range (22003), naming the column and the rule (eval_exec.c).
 */
extern CP_EVAL_INTERNAL void EvalColumnValueError(CpEval *ev, CpColBind *cb,
												  CpExactStatus st) pg_attribute_noreturn();
extern CP_EVAL_INTERNAL void EvalMinorColumn(CpEval *ev, CpColBind *cb, Datum d,
											 CpValue *out);

/* ---------------------------------------------------------------------
 * eval_fast.c: the condition leaves tested from the datum (CpFastCond)
 * ---------------------------------------------------------------------
 */
extern CP_EVAL_INTERNAL void EvalBindFastConds(CpEval *ev);
extern CP_EVAL_INTERNAL void EvalDisableFastConds(CpEval *ev);

/* ---------------------------------------------------------------------
 * eval_limits.c: payout limits over a row's pending lines
 * ---------------------------------------------------------------------
 */

/* Find the limits of the ruleset (bind time). */
extern CP_EVAL_INTERNAL void EvalBindLimits(CpEval *ev);

/*
 * Apply them to the pending lines of the row: cut or drop lines (dropped,
 * which EvalBuildAward skips).  trace is explain's (one per rule), to note
 * what each limit did to a rule's lines, or NULL.
 */
extern CP_EVAL_INTERNAL void EvalApplyLimits(CpEval *ev, CpExplainRule *trace);

/* ---------------------------------------------------------------------
 * eval_award.c
 * ---------------------------------------------------------------------
 */

/* "credit deposit": an award spec, for messages. */
extern CP_EVAL_INTERNAL const char *EvalSpecText(const CpEval *ev, const CpAwardSpec *spec);

/* ---------------------------------------------------------------------
 * eval_explain.c
 * ---------------------------------------------------------------------
 */

/*
 * Explain: why a matched rule's award gave no line.  Only when tracing, so
 * that evaluate() never formats the reason: NOTE_SKIP evaluates its
 * arguments only then.
 */
extern CP_EVAL_INTERNAL void EvalNoteSkip(CpEval *ev, const CpAwardSpec *spec,
										  const char *why);

#define NOTE_SKIP(ev, spec, why) \
	do { \
		if (unlikely((ev)->skips != NULL)) \
			EvalNoteSkip((ev), (spec), (why)); \
	} while (0)

/* Explain: the first part of condition cond that was not true, and why. */
extern CP_EVAL_INTERNAL void EvalExplainFailure(CpEval *ev, int32 cond,
												int truth, CpExplainRule *tr);

/* A value as a policy would write it (for messages and explain). */
extern CP_EVAL_INTERNAL void EvalAppendValue(CpEval *ev, StringInfo out,
											 const CpValue *v);
extern CP_EVAL_INTERNAL char *EvalValueText(CpEval *ev, const CpValue *v);

/*
 * eval_memo.c: the award a grouped evaluator of the same policy made for
 * the same column values (a copy in CurrentMemoryContext), or NULL; and
 * keeping an award for the others (a no-op for a lone evaluator).
 */
extern CpAward cp_eval_memo_get(CpEval *ev, int n, const int16 *attnos,
								const NullableDatum *columns);
extern void cp_eval_memo_put(CpEval *ev, const NullableDatum *columns,
							 const CpAward aw);

#endif							/* COMPENSATION_EVAL_INT_H */
