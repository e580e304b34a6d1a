/*-------------------------------------------------------------------------
 *
 * eval.c
 *	  Binding a compiled policy to a row type, and evaluating it per row.
 *
 * Binding happens once per call site (see cp_eval_prepare): the ruleset is
 * copied, validated, its columns mapped to attributes of the row type and
 * classified, its time zone resolved, and its constant sub-expressions
 * folded.  Per row, attributes are deformed lazily up to the highest one a
 * rule actually asks for, converted on first use and memoized; lets are
 * memoized the same way.  Scratch memory lives in a context that is reset
 * at the start of every row.
 *
 * Values are exact: numbers are rationals (exact.h), times are half-open
 * intervals of instants [lo, hi) so that a calendar day and an instant
 * compare the way a policy owner reads them ("cancelled on or before
 * 2025-06-20" includes all of that day).  See docs/policy-language.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "access/tupmacs.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "award.h"
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

/* Deepest expression nesting a policy may have (checked at bind time). */
#define CP_MAX_DEPTH		1000

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
	CPC_TIMESTAMPTZ
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
	CpColClass	cls;
	const char *name;
	int			n_enum;
	int			next_enum;
	CpEnumLabel *enums;
} CpColBind;

/* Local midnights of one calendar day, cached. */
typedef struct CpDayEntry
{
	int32		date;			/* DateADT; PG_INT32_MIN: empty */
	bool		uniform;		/* no UTC offset change inside [m0, m1) */
	int64		m0;				/* local midnight */
	int64		m1;				/* next local midnight */
} CpDayEntry;

#define CP_DAY_CACHE	512

/* An award line waiting to be built into the result. */
typedef struct CpPending
{
	CpAwardLine line;
	const char *rule;
	const char *instrument;
	const char *note;
} CpPending;

struct CpEval
{
	const int16 *columns_checked;	/* the attnos cp_eval_award_columns() last checked */
	MemoryContext mcxt;			/* owns everything below */
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

	pg_tz	   *tz;
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
	struct CpCursor *cursors;	/* per row: 1 + n_gcols rule lists to merge */

	/* constant folding: konst[i] is valid when is_const[i] */
	bool	   *is_const;
	CpValue    *konst;

	/* the outage */
	bool		have_outage;
	int64		outage_usecs;	/* total length of all windows */
	int32		outage_days;	/* whole local days in all windows, or -1 */

	/* time zone caches */
	CpDayEntry	days[CP_DAY_CACHE];
	int64		guess_offset;	/* usecs east of UTC, last seen */

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
};

/* The per-call-site cache: a few evaluators, most recently used first. */
#define CP_EVAL_SLOTS	4

typedef struct CpEvalHolder
{
	int			n;
	CpEval	   *slot[CP_EVAL_SLOTS];
} CpEvalHolder;

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

/* A column that guards rules. */
typedef struct CpGuardCol
{
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
} CpCursor;

static void eval_node(CpEval *ev, int32 idx, CpValue *out);
static int	eval_cond(CpEval *ev, int32 idx);
static void append_value(CpEval *ev, StringInfo out, const CpValue *v);

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

static inline const char *
str_at(const CpEval *ev, int32 off)
{
	return ev->strings + off;
}

static const char *
rule_name(const CpEval *ev)
{
	if (ev->cur_rule >= 0 && ev->cur_rule < ev->n_rules)
		return str_at(ev, ev->rules[ev->cur_rule].name);
	return str_at(ev, ev->rs->name);
}

static char *
node_text(const CpEval *ev, int32 node)
{
	StringInfoData buf;

	initStringInfo(&buf);
	cp_print_node(&buf, ev->rs, node);
	return buf.data;
}

static const char *
kind_name(uint8 kind)
{
	switch ((CpValKind) kind)
	{
		case CPV_NULL:
			return "null";
		case CPV_REVIEW:
			return "a review";
		case CPV_NOAWARD:
			return "none";
		case CPV_NUM:
			return "a number";
		case CPV_BOOL:
			return "a boolean";
		case CPV_TEXT:
			return "text";
		case CPV_TIME:
			return "a time";
		case CPV_DURATION:
			return "a duration";
	}
	return "a value";
}

static void pg_attribute_noreturn()
type_error(CpEval *ev, int32 node, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("cannot %s in rule \"%s\"", what, rule_name(ev)),
			 errdetail("The failing expression is %s.", node_text(ev, node))));
}

static void pg_attribute_noreturn()
overflow_error(CpEval *ev, int32 node)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range in rule \"%s\"", rule_name(ev)),
			 node >= 0 ? errdetail("The result of %s does not fit in 64 bits.",
								   node_text(ev, node)) : 0));
}

static void pg_attribute_noreturn()
time_range_error(CpEval *ev, int32 node)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("time out of range in rule \"%s\"", rule_name(ev)),
			 node >= 0 ? errdetail("The result of %s is not a valid timestamp.",
								   node_text(ev, node)) : 0));
}

/* ---------------------------------------------------------------------
 * Time zone: local days, cached
 * ---------------------------------------------------------------------
 */

#define UNIX_EPOCH_OFFSET_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

/* Is the UTC offset the same all through [m0, m1)? */
static bool
offset_constant(CpEval *ev, int64 m0, int64 m1)
{
	pg_time_t	t;
	pg_time_t	boundary;
	long int	before_gmtoff,
				after_gmtoff;
	int			before_isdst,
				after_isdst;
	int			r;

	if (m1 - m0 != USECS_PER_DAY)
		return false;
	t = (pg_time_t) (m0 / USECS_PER_SEC) + UNIX_EPOCH_OFFSET_SECS;
	r = pg_next_dst_boundary(&t, &before_gmtoff, &before_isdst, &boundary,
							 &after_gmtoff, &after_isdst, ev->tz);
	if (r == 0)
		return true;
	if (r < 0)
		return false;
	return (boundary - UNIX_EPOCH_OFFSET_SECS) * USECS_PER_SEC >= m1;
}

static CpDayEntry *
day_entry(CpEval *ev, DateADT d)
{
	CpDayEntry *e = &ev->days[((uint32) d) % CP_DAY_CACHE];

	if (likely(e->date == d))
		return e;
	e->date = PG_INT32_MIN;
	e->m0 = cp_local_to_instant(ev->tz, d, 0);
	e->m1 = cp_local_to_instant(ev->tz, d + 1, 0);
	e->uniform = offset_constant(ev, e->m0, e->m1);
	e->date = d;
	return e;
}

/* Dates and times far from the valid range skip the caches. */
#define CP_FAST_LIMIT	(INT64CONST(1) << 61)
#define CP_FAST_DATE_LIMIT	(1 << 24)

/* The instant at local date d, usecs past midnight. */
static int64
local_to_instant(CpEval *ev, DateADT d, int64 usecs)
{
	if (d > -CP_FAST_DATE_LIMIT && d < CP_FAST_DATE_LIMIT)
	{
		CpDayEntry *e = day_entry(ev, d);

		if (e->uniform)
			return e->m0 + usecs;
	}
	return cp_local_to_instant(ev->tz, d, usecs);
}

/* The local date, time of day and UTC offset (seconds east) of t. */
static void
instant_to_local(CpEval *ev, int64 t, DateADT *d, int64 *usecs, int32 *offset)
{
	if (t > -CP_FAST_LIMIT && t < CP_FAST_LIMIT)
	{
		int64		local = t + ev->guess_offset;
		DateADT		g = (DateADT) (local / USECS_PER_DAY);
		CpDayEntry *e;

		if (local < 0 && local % USECS_PER_DAY != 0)
			g--;
		e = day_entry(ev, g);
		if (e->uniform && t >= e->m0 && t < e->m1)
		{
			*d = g;
			if (usecs)
				*usecs = t - e->m0;
			if (offset)
				*offset = (int32) (((int64) g * USECS_PER_DAY - e->m0) / USECS_PER_SEC);
			return;
		}
	}
	{
		int32		off;

		cp_instant_to_local(ev->tz, t, d, usecs, &off);
		ev->guess_offset = (int64) off * USECS_PER_SEC;
		if (offset)
			*offset = off;
	}
}

/* t moved by days calendar days in the policy zone, same wall clock. */
static int64
add_local_days(CpEval *ev, int64 t, int32 days, int32 node)
{
	DateADT		d;
	int64		usecs;
	int64		nd;

	instant_to_local(ev, t, &d, &usecs, NULL);
	nd = (int64) d + days;
	if (nd < -CP_FAST_DATE_LIMIT * 8 || nd > CP_FAST_DATE_LIMIT * 8)
		time_range_error(ev, node);
	return local_to_instant(ev, (DateADT) nd, usecs);
}

/* ---------------------------------------------------------------------
 * Rows: lazy deforming and column conversion
 * ---------------------------------------------------------------------
 */

/* Deform attributes [nvalid, natts) of the current row. */
static void
deform_upto(CpEval *ev, int natts)
{
	HeapTupleHeader tup = ev->tup;
	TupleDesc	tupdesc = ev->tupdesc;
	int			tupnatts = HeapTupleHeaderGetNatts(tup);
	bool		hasnulls = (tup->t_infomask & HEAP_HASNULL) != 0;
	bits8	   *bp = tup->t_bits;
	char	   *tp = (char *) tup + tup->t_hoff;
	int			attnum = ev->nvalid;
	uint32		off = ev->off;
	bool		slow = ev->slow;
	int			stop = Min(natts, tupnatts);

	for (; attnum < stop; attnum++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum);

		if (hasnulls && att_isnull(attnum, bp))
		{
			ev->values[attnum] = (Datum) 0;
			ev->isnull[attnum] = true;
			slow = true;
			continue;
		}
		ev->isnull[attnum] = false;
		if (!slow && att->attcacheoff >= 0)
			off = att->attcacheoff;
		else if (att->attlen == -1)
		{
			if (!slow && off == att_align_nominal(off, att->attalign))
				att->attcacheoff = off;
			else
			{
				off = att_align_pointer(off, att->attalign, -1, tp + off);
				slow = true;
			}
		}
		else
		{
			off = att_align_nominal(off, att->attalign);
			if (!slow)
				att->attcacheoff = off;
		}
		ev->values[attnum] = fetchatt(att, tp + off);
		off = att_addlength_pointer(off, att->attlen, tp + off);
		if (att->attlen <= 0)
			slow = true;
	}
	/* attributes added to the table after this row was written */
	for (; attnum < natts; attnum++)
		ev->values[attnum] = getmissingattr(tupdesc, attnum + 1,
											&ev->isnull[attnum]);
	ev->nvalid = attnum;
	ev->off = off;
	ev->slow = slow;
}

static void
set_time_instant(CpValue *out, int64 t)
{
	out->kind = CPV_TIME;
	if (t == DT_NOBEGIN)
	{
		out->u.time.lo = TIME_NEG_INF_LO;
		out->u.time.hi = TIME_NEG_INF_LO + 1;
	}
	else if (t == DT_NOEND)
	{
		out->u.time.lo = TIME_POS_INF_HI - 1;
		out->u.time.hi = TIME_POS_INF_HI;
	}
	else
	{
		out->u.time.lo = t;
		out->u.time.hi = t + 1;
	}
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

static const char *
enum_label(CpEval *ev, CpColBind *cb, Oid oid, int32 *len)
{
	HeapTuple	tup;
	CpEnumLabel *slot;
	int			i;

	for (i = 0; i < cb->n_enum; i++)
	{
		if (cb->enums[i].oid == oid)
		{
			*len = cb->enums[i].len;
			return cb->enums[i].label;
		}
	}
	tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(oid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid internal value for enum: %u", oid)));
	if (cb->n_enum < CP_ENUM_CACHE)
		slot = &cb->enums[cb->n_enum++];
	else
	{
		slot = &cb->enums[cb->next_enum];
		cb->next_enum = (cb->next_enum + 1) % CP_ENUM_CACHE;
		pfree(slot->label);
	}
	slot->oid = oid;
	slot->label = MemoryContextStrdup(ev->mcxt,
									  NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel));
	slot->len = strlen(slot->label);
	ReleaseSysCache(tup);
	*len = slot->len;
	return slot->label;
}

static void
column_value_error(CpEval *ev, CpColBind *cb, CpExactStatus st)
{
	if (st == CP_EXACT_NAN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("column \"%s\" is NaN, which a policy cannot use", cb->name),
				 errdetail("Rule \"%s\" reads it.", rule_name(ev))));
	else if (st == CP_EXACT_INFINITE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" is infinite, which a policy cannot use", cb->name),
				 errdetail("Rule \"%s\" reads it.", rule_name(ev))));
	else
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value of column \"%s\" is out of range for a policy", cb->name),
				 errdetail("Rule \"%s\" reads it; policy numbers are fractions of two 64-bit integers.",
						   rule_name(ev))));
}

static void
fetch_column(CpEval *ev, int c, CpValue *out)
{
	CpColBind  *cb = &ev->cols[c];
	Datum		d;

	if (cb->attno >= ev->nvalid)
		deform_upto(ev, cb->attno + 1);
	if (ev->isnull[cb->attno])
	{
		out->kind = CPV_NULL;
		return;
	}
	d = ev->values[cb->attno];
	switch (cb->cls)
	{
		case CPC_INT2:
			out->kind = CPV_NUM;
			out->u.num = cp_rat_int(DatumGetInt16(d));
			break;
		case CPC_INT4:
			out->kind = CPV_NUM;
			out->u.num = cp_rat_int(DatumGetInt32(d));
			break;
		case CPC_INT8:
			out->kind = CPV_NUM;
			out->u.num = cp_rat_int(DatumGetInt64(d));
			if (out->u.num.num == PG_INT64_MIN)
				column_value_error(ev, cb, CP_EXACT_OVERFLOW);
			break;
		case CPC_NUMERIC:
			{
				CpExactStatus st = cp_rat_from_numeric(d, &out->u.num);

				if (st != CP_EXACT_OK)
					column_value_error(ev, cb, st);
				out->kind = CPV_NUM;
				break;
			}
		case CPC_BOOL:
			out->kind = CPV_BOOL;
			out->u.b = DatumGetBool(d);
			break;
		case CPC_TEXT:
		case CPC_BPCHAR:
			{
				struct varlena *v = (struct varlena *) DatumGetPointer(d);

				if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
					v = pg_detoast_datum_packed(v);
				out->kind = CPV_TEXT;
				out->u.text.p = VARDATA_ANY(v);
				out->u.text.len = VARSIZE_ANY_EXHDR(v);
				if (cb->cls == CPC_BPCHAR)
				{
					while (out->u.text.len > 0 &&
						   out->u.text.p[out->u.text.len - 1] == ' ')
						out->u.text.len--;
				}
				break;
			}
		case CPC_NAME:
			out->kind = CPV_TEXT;
			out->u.text.p = NameStr(*DatumGetName(d));
			out->u.text.len = strlen(out->u.text.p);
			break;
		case CPC_CSTRING:
			out->kind = CPV_TEXT;
			out->u.text.p = DatumGetCString(d);
			out->u.text.len = strlen(out->u.text.p);
			break;
		case CPC_ENUM:
			out->kind = CPV_TEXT;
			out->u.text.p = enum_label(ev, cb, DatumGetObjectId(d),
									   &out->u.text.len);
			break;
		case CPC_DATE:
			{
				DateADT		date = DatumGetDateADT(d);

				out->kind = CPV_TIME;
				if (DATE_IS_NOBEGIN(date))
					set_time_instant(out, DT_NOBEGIN);
				else if (DATE_IS_NOEND(date))
					set_time_instant(out, DT_NOEND);
				else if (date > -CP_FAST_DATE_LIMIT && date < CP_FAST_DATE_LIMIT)
				{
					CpDayEntry *e = day_entry(ev, date);

					out->u.time.lo = e->m0;
					out->u.time.hi = e->m1;
				}
				else
				{
					out->u.time.lo = cp_local_to_instant(ev->tz, date, 0);
					out->u.time.hi = cp_local_to_instant(ev->tz, date + 1, 0);
				}
				break;
			}
		case CPC_TIMESTAMP:
			{
				Timestamp	ts = DatumGetTimestamp(d);

				if (TIMESTAMP_NOT_FINITE(ts))
					set_time_instant(out, ts);
				else
				{
					int64		date = ts / USECS_PER_DAY;
					int64		usecs = ts - date * USECS_PER_DAY;

					if (usecs < 0)
					{
						usecs += USECS_PER_DAY;
						date--;
					}
					set_time_instant(out, local_to_instant(ev, (DateADT) date, usecs));
				}
				break;
			}
		case CPC_TIMESTAMPTZ:
			set_time_instant(out, DatumGetTimestampTz(d));
			break;
	}
}

static inline void
eval_column(CpEval *ev, int c, CpValue *out)
{
	if (ev->col_gen[c] == ev->gen)
	{
		*out = ev->col_val[c];
		return;
	}
	fetch_column(ev, c, out);
	ev->col_val[c] = *out;
	ev->col_gen[c] = ev->gen;
}

static void
eval_let(CpEval *ev, int l, CpValue *out)
{
	if (ev->let_gen[l] == ev->gen)
	{
		*out = ev->let_val[l];
		return;
	}
	if (ev->let_busy[l] == ev->gen)
		elog(ERROR, "let \"%s\" refers to itself", str_at(ev, ev->lets[l].name));
	ev->let_busy[l] = ev->gen;
	eval_node(ev, ev->lets[l].expr, out);
	ev->let_busy[l] = 0;
	ev->let_val[l] = *out;
	ev->let_gen[l] = ev->gen;
}

/*
 * The value of node idx, by pointer when it is a constant or a memoized
 * column or let (no copy), else evaluated into *tmp.
 */
static inline const CpValue *
operand(CpEval *ev, int32 idx, CpValue *tmp)
{
	const CpNode *n;

	if (ev->is_const[idx])
		return &ev->konst[idx];
	n = &ev->nodes[idx];
	if (n->op == CP_OP_COLUMN)
	{
		if (ev->col_gen[n->a] != ev->gen)
		{
			fetch_column(ev, n->a, &ev->col_val[n->a]);
			ev->col_gen[n->a] = ev->gen;
		}
		return &ev->col_val[n->a];
	}
	if (n->op == CP_OP_LET && ev->let_gen[n->a] == ev->gen)
		return &ev->let_val[n->a];
	eval_node(ev, idx, tmp);
	return tmp;
}

/* ---------------------------------------------------------------------
 * Comparison
 * ---------------------------------------------------------------------
 */

static inline int
text_cmp(const CpValue *l, const CpValue *r)
{
	int			m = Min(l->u.text.len, r->u.text.len);
	int			c = memcmp(l->u.text.p, r->u.text.p, m);

	if (c != 0)
		return c;
	return (l->u.text.len > r->u.text.len) - (l->u.text.len < r->u.text.len);
}

static inline int
cmp_result(CpOp op, int c)
{
	switch (op)
	{
		case CP_OP_EQ:
			return c == 0;
		case CP_OP_NE:
			return c != 0;
		case CP_OP_LT:
			return c < 0;
		case CP_OP_LE:
			return c <= 0;
		case CP_OP_GT:
			return c > 0;
		case CP_OP_GE:
			return c >= 0;
		default:
			break;
	}
	elog(ERROR, "unexpected comparison operator %d", (int) op);
	return CP_FALSE;
}

/*
 * l op r in three-valued logic.  Times are intervals: a < b when a ends
 * before b begins, a = b when they overlap.
 */
static int
compare_values(CpEval *ev, int32 node, CpOp op, const CpValue *l, const CpValue *r)
{
	if (CPV_IS_SPECIAL(l->kind) || CPV_IS_SPECIAL(r->kind))
		return CP_UNKNOWN;
	if (l->kind != r->kind)
		type_error(ev, node, psprintf("compare %s with %s",
									  kind_name(l->kind), kind_name(r->kind)));
	switch ((CpValKind) l->kind)
	{
		case CPV_NUM:
			return cmp_result(op, cp_rat_cmp(l->u.num, r->u.num));
		case CPV_TEXT:
			if (op == CP_OP_EQ || op == CP_OP_NE)
			{
				bool		eq = l->u.text.len == r->u.text.len &&
					memcmp(l->u.text.p, r->u.text.p, l->u.text.len) == 0;

				return (op == CP_OP_EQ) == eq;
			}
			return cmp_result(op, text_cmp(l, r));
		case CPV_BOOL:
			return cmp_result(op, (int) l->u.b - (int) r->u.b);
		case CPV_TIME:
			{
				int64		alo = l->u.time.lo,
							ahi = l->u.time.hi,
							blo = r->u.time.lo,
							bhi = r->u.time.hi;

				switch (op)
				{
					case CP_OP_LT:
						return ahi <= blo;
					case CP_OP_LE:
						return alo < bhi;
					case CP_OP_GT:
						return alo >= bhi;
					case CP_OP_GE:
						return ahi > blo;
					case CP_OP_EQ:
						return alo < bhi && blo < ahi;
					case CP_OP_NE:
						return !(alo < bhi && blo < ahi);
					default:
						break;
				}
				break;
			}
		case CPV_DURATION:
			{
				int			c;

				if (op == CP_OP_EQ || op == CP_OP_NE)
				{
					bool		eq = l->u.dur.days == r->u.dur.days &&
						l->u.dur.usecs == r->u.dur.usecs;

					return (op == CP_OP_EQ) == eq;
				}
				if (l->u.dur.days == 0 && r->u.dur.days == 0)
					c = (l->u.dur.usecs > r->u.dur.usecs) - (l->u.dur.usecs < r->u.dur.usecs);
				else if (l->u.dur.usecs == 0 && r->u.dur.usecs == 0)
					c = (l->u.dur.days > r->u.dur.days) - (l->u.dur.days < r->u.dur.days);
				else
					type_error(ev, node, "order durations that mix calendar days with hours");
				return cmp_result(op, c);
			}
		default:
			break;
	}
	elog(ERROR, "unexpected value kind %d", (int) l->kind);
	return CP_UNKNOWN;
}

/* ---------------------------------------------------------------------
 * Arithmetic
 * ---------------------------------------------------------------------
 */

static void
make_duration(CpEval *ev, int32 node, CpRational n, CpUnit unit, CpValue *out)
{
	CpRational	u;

	out->kind = CPV_DURATION;
	out->u.dur.days = 0;
	out->u.dur.usecs = 0;
	switch (unit)
	{
		case CP_UNIT_DAYS:
			if (n.den != 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("duration of %s days is not a whole number of days in rule \"%s\"",
								cp_rat_to_cstring(n), rule_name(ev)),
						 errdetail("The failing expression is %s.", node_text(ev, node)),
						 errhint("Round the number of days, or use hours.")));
			if (n.num > PG_INT32_MAX || n.num < -PG_INT32_MAX)
				overflow_error(ev, node);
			out->u.dur.days = (int32) n.num;
			return;
		case CP_UNIT_HOURS:
		case CP_UNIT_MINUTES:
			if (!cp_rat_mul(n, cp_rat_int(unit == CP_UNIT_HOURS ? USECS_PER_HOUR_I : USECS_PER_MINUTE_I), &u))
				overflow_error(ev, node);
			if (u.den != 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("duration of %s %s is not a whole number of microseconds in rule \"%s\"",
								cp_rat_to_cstring(n), cp_unit_name(unit), rule_name(ev)),
						 errdetail("The failing expression is %s.", node_text(ev, node))));
			out->u.dur.usecs = u.num;
			return;
	}
	elog(ERROR, "unknown duration unit %d", (int) unit);
}

/* t + (days, usecs); an interval keeps its shape (a day stays a day). */
static void
time_shift(CpEval *ev, int32 node, const CpValue *t, int32 days, int64 usecs,
		   CpValue *out)
{
	int64		lo = t->u.time.lo,
				hi = t->u.time.hi;

	*out = *t;
	if (!TIME_IS_FINITE(t))
		return;
	if (days != 0)
	{
		int64		nlo = add_local_days(ev, lo, days, node);

		hi = (hi - lo == 1) ? nlo + 1 : add_local_days(ev, hi, days, node);
		lo = nlo;
	}
	if (usecs != 0)
	{
		if (pg_add_s64_overflow(lo, usecs, &lo) ||
			pg_add_s64_overflow(hi, usecs, &hi))
			time_range_error(ev, node);
	}
	if (!IS_VALID_TIMESTAMP(lo) || !IS_VALID_TIMESTAMP(hi - 1))
		time_range_error(ev, node);
	out->u.time.lo = lo;
	out->u.time.hi = hi;
}

static void
arith(CpEval *ev, int32 node, CpOp op, const CpValue *l, const CpValue *r,
	  CpValue *out)
{
	if (l->kind == CPV_NUM && r->kind == CPV_NUM)
	{
		bool		ok;

		out->kind = CPV_NUM;
		switch (op)
		{
			case CP_OP_ADD:
				ok = cp_rat_add(l->u.num, r->u.num, &out->u.num);
				break;
			case CP_OP_SUB:
				ok = cp_rat_sub(l->u.num, r->u.num, &out->u.num);
				break;
			case CP_OP_MUL:
				ok = cp_rat_mul(l->u.num, r->u.num, &out->u.num);
				break;
			case CP_OP_DIV:
				if (r->u.num.num == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DIVISION_BY_ZERO),
							 errmsg("division by zero in rule \"%s\"", rule_name(ev)),
							 errdetail("The divisor of %s is zero.", node_text(ev, node))));
				ok = cp_rat_div(l->u.num, r->u.num, &out->u.num);
				break;
			default:
				elog(ERROR, "unexpected arithmetic operator %d", (int) op);
				ok = false;
		}
		if (!ok)
			overflow_error(ev, node);
		return;
	}

	if (op == CP_OP_ADD || op == CP_OP_SUB)
	{
		if (l->kind == CPV_TIME && r->kind == CPV_DURATION)
		{
			if (op == CP_OP_ADD)
				time_shift(ev, node, l, r->u.dur.days, r->u.dur.usecs, out);
			else
				time_shift(ev, node, l, -r->u.dur.days, -r->u.dur.usecs, out);
			return;
		}
		if (op == CP_OP_ADD && l->kind == CPV_DURATION && r->kind == CPV_TIME)
		{
			time_shift(ev, node, r, l->u.dur.days, l->u.dur.usecs, out);
			return;
		}
		if (l->kind == CPV_DURATION && r->kind == CPV_DURATION)
		{
			int32		days;
			int64		usecs;
			bool		bad;

			if (op == CP_OP_ADD)
				bad = pg_add_s32_overflow(l->u.dur.days, r->u.dur.days, &days) ||
					pg_add_s64_overflow(l->u.dur.usecs, r->u.dur.usecs, &usecs);
			else
				bad = pg_sub_s32_overflow(l->u.dur.days, r->u.dur.days, &days) ||
					pg_sub_s64_overflow(l->u.dur.usecs, r->u.dur.usecs, &usecs);
			if (bad)
				overflow_error(ev, node);
			out->kind = CPV_DURATION;
			out->u.dur.days = days;
			out->u.dur.usecs = usecs;
			return;
		}
		if (op == CP_OP_SUB && l->kind == CPV_TIME && r->kind == CPV_TIME)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("cannot subtract a time from a time in rule \"%s\"",
							rule_name(ev)),
					 errdetail("The failing expression is %s.", node_text(ev, node)),
					 errhint("Use hours(from, to) or days(from, to) for the time between two times.")));
	}
	if (op == CP_OP_MUL &&
		((l->kind == CPV_DURATION && r->kind == CPV_NUM) ||
		 (l->kind == CPV_NUM && r->kind == CPV_DURATION)))
	{
		const CpValue *d = l->kind == CPV_DURATION ? l : r;
		CpRational	n = l->kind == CPV_NUM ? l->u.num : r->u.num;
		CpRational	days,
					usecs;

		if (!cp_rat_mul(cp_rat_int(d->u.dur.days), n, &days) ||
			!cp_rat_mul(cp_rat_int(d->u.dur.usecs), n, &usecs))
			overflow_error(ev, node);
		if (days.den != 1 || usecs.den != 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("duration is not a whole number of days and microseconds in rule \"%s\"",
							rule_name(ev)),
					 errdetail("The failing expression is %s.", node_text(ev, node))));
		if (days.num > PG_INT32_MAX || days.num < -PG_INT32_MAX)
			overflow_error(ev, node);
		out->kind = CPV_DURATION;
		out->u.dur.days = (int32) days.num;
		out->u.dur.usecs = usecs.num;
		return;
	}

	switch (op)
	{
		case CP_OP_ADD:
			type_error(ev, node, psprintf("add %s and %s",
										  kind_name(l->kind), kind_name(r->kind)));
		case CP_OP_SUB:
			type_error(ev, node, psprintf("subtract %s from %s",
										  kind_name(r->kind), kind_name(l->kind)));
		case CP_OP_MUL:
			type_error(ev, node, psprintf("multiply %s by %s",
										  kind_name(l->kind), kind_name(r->kind)));
		default:
			type_error(ev, node, psprintf("divide %s by %s",
										  kind_name(l->kind), kind_name(r->kind)));
	}
}

/* ---------------------------------------------------------------------
 * Functions
 * ---------------------------------------------------------------------
 */

static void
eval_minmax(CpEval *ev, int32 node, const CpNode *n, bool is_max, CpValue *out)
{
	int			i;
	bool		have = false;

	out->kind = CPV_NULL;
	for (i = 0; i < n->c; i++)
	{
		CpValue		v;

		eval_node(ev, ev->args[n->a + i], &v);
		if (v.kind == CPV_NULL)
			continue;
		if (CPV_IS_SPECIAL(v.kind))
		{
			*out = v;
			return;
		}
		if (v.kind != CPV_NUM && v.kind != CPV_TIME)
			type_error(ev, node, psprintf("take the %s of %s",
										  is_max ? "max" : "min", kind_name(v.kind)));
		if (!have)
		{
			*out = v;
			have = true;
			continue;
		}
		if (v.kind != out->kind)
			type_error(ev, node, psprintf("take the %s of %s and %s",
										  is_max ? "max" : "min",
										  kind_name(out->kind), kind_name(v.kind)));
		if (v.kind == CPV_NUM)
		{
			int			c = cp_rat_cmp(v.u.num, out->u.num);

			if (is_max ? c > 0 : c < 0)
				*out = v;
		}
		else
		{
			/* times order by start, then end */
			int			c = (v.u.time.lo > out->u.time.lo) - (v.u.time.lo < out->u.time.lo);

			if (c == 0)
				c = (v.u.time.hi > out->u.time.hi) - (v.u.time.hi < out->u.time.hi);
			if (is_max ? c > 0 : c < 0)
				*out = v;
		}
	}
}

/* hours(from, to) and days(from, to): exact, from start to start. */
static void
eval_span(CpEval *ev, int32 node, const CpNode *n, int64 unit, CpValue *out)
{
	CpValue		a,
				b;
	int64		diff;

	if (n->c != 2)
		elog(ERROR, "%s() takes two arguments", cp_func_name((CpFunc) n->b));
	eval_node(ev, ev->args[n->a], &a);
	if (CPV_IS_SPECIAL(a.kind))
	{
		*out = a;
		return;
	}
	eval_node(ev, ev->args[n->a + 1], &b);
	if (CPV_IS_SPECIAL(b.kind))
	{
		*out = b;
		return;
	}
	if (a.kind != CPV_TIME || b.kind != CPV_TIME)
		type_error(ev, node, psprintf("count %s between %s and %s",
									  cp_func_name((CpFunc) n->b),
									  kind_name(a.kind), kind_name(b.kind)));
	if (!TIME_IS_FINITE(&a) || !TIME_IS_FINITE(&b) ||
		pg_sub_s64_overflow(b.u.time.lo, a.u.time.lo, &diff))
		overflow_error(ev, node);
	out->kind = CPV_NUM;
	if (!cp_rat_make128(diff, unit, &out->u.num))
		overflow_error(ev, node);
}

static void
eval_call(CpEval *ev, int32 node, const CpNode *n, CpValue *out)
{
	CpValue		x;

	switch ((CpFunc) n->b)
	{
		case CP_FUNC_MIN:
			eval_minmax(ev, node, n, false, out);
			return;
		case CP_FUNC_MAX:
			eval_minmax(ev, node, n, true, out);
			return;
		case CP_FUNC_ROUND:
			{
				const CpNode *mode;
				CpRational	inc = cp_rat_int(1);

				if (n->c < 2 || n->c > 3)
					elog(ERROR, "round() takes two or three arguments");
				mode = &ev->nodes[ev->args[n->a + 1]];
				if (mode->op != CP_OP_MODE)
					elog(ERROR, "round() needs a rounding mode");
				eval_node(ev, ev->args[n->a], &x);
				if (CPV_IS_SPECIAL(x.kind))
				{
					*out = x;
					return;
				}
				if (x.kind != CPV_NUM)
					type_error(ev, node, psprintf("round %s", kind_name(x.kind)));
				if (n->c == 3)
				{
					CpValue		i;

					eval_node(ev, ev->args[n->a + 2], &i);
					if (CPV_IS_SPECIAL(i.kind))
					{
						*out = i;
						return;
					}
					if (i.kind != CPV_NUM)
						type_error(ev, node, psprintf("round to an increment that is %s",
													  kind_name(i.kind)));
					if (i.u.num.num <= 0)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("rounding increment %s is not positive in rule \"%s\"",
										cp_rat_to_cstring(i.u.num), rule_name(ev)),
								 errdetail("The failing expression is %s.", node_text(ev, node))));
					inc = i.u.num;
				}
				if ((CpRounding) mode->a == CP_ROUND_UNSET)
					elog(ERROR, "round() needs a rounding mode");
				out->kind = CPV_NUM;
				if (!cp_round_rational(x.u.num, (CpRounding) mode->a, inc, &out->u.num))
					overflow_error(ev, node);
				return;
			}
		case CP_FUNC_HOURS:
			eval_span(ev, node, n, USECS_PER_HOUR_I, out);
			return;
		case CP_FUNC_DAYS:
			eval_span(ev, node, n, USECS_PER_DAY, out);
			return;
		case CP_FUNC_DAYS_IN_MONTH:
			{
				DateADT		d;
				int			year,
							month,
							day;

				if (n->c != 1)
					elog(ERROR, "days_in_month() takes one argument");
				eval_node(ev, ev->args[n->a], &x);
				if (CPV_IS_SPECIAL(x.kind))
				{
					*out = x;
					return;
				}
				if (x.kind != CPV_TIME)
					type_error(ev, node, psprintf("count the days in the month of %s",
												  kind_name(x.kind)));
				if (!TIME_IS_FINITE(&x))
					time_range_error(ev, node);
				instant_to_local(ev, x.u.time.lo, &d, NULL, NULL);
				j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
				out->kind = CPV_NUM;
				out->u.num = cp_rat_int(day_tab[isleap(year)][month - 1]);
				return;
			}
		case CP_FUNC_COALESCE:
			{
				int			i;

				for (i = 0; i < n->c; i++)
				{
					eval_node(ev, ev->args[n->a + i], out);
					if (out->kind != CPV_NULL)
						return;
				}
				out->kind = CPV_NULL;
				return;
			}
		case CP_FUNC_ABS:
			if (n->c != 1)
				elog(ERROR, "abs() takes one argument");
			eval_node(ev, ev->args[n->a], out);
			if (CPV_IS_SPECIAL(out->kind))
				return;
			if (out->kind != CPV_NUM)
				type_error(ev, node, psprintf("take the absolute value of %s",
											  kind_name(out->kind)));
			out->u.num = cp_rat_abs(out->u.num);
			return;
	}
	elog(ERROR, "unknown function %d", n->b);
}

/* ---------------------------------------------------------------------
 * Expressions and conditions
 * ---------------------------------------------------------------------
 */

static inline void
set_truth(CpValue *out, int t)
{
	if (t == CP_UNKNOWN)
		out->kind = CPV_NULL;
	else
	{
		out->kind = CPV_BOOL;
		out->u.b = (t == CP_TRUE);
	}
}

static void
eval_node(CpEval *ev, int32 idx, CpValue *out)
{
	const CpNode *n;
	CpValue		l,
				r;
	const CpValue *lp,
			   *rp;

	if (ev->is_const[idx])
	{
		*out = ev->konst[idx];
		return;
	}
	n = &ev->nodes[idx];
	switch ((CpOp) n->op)
	{
		case CP_OP_COLUMN:
			eval_column(ev, n->a, out);
			return;
		case CP_OP_LET:
			eval_let(ev, n->a, out);
			return;

		case CP_OP_ADD:
		case CP_OP_SUB:
		case CP_OP_MUL:
		case CP_OP_DIV:
			lp = operand(ev, n->a, &l);
			if (CPV_IS_SPECIAL(lp->kind))
			{
				*out = *lp;
				return;
			}
			rp = operand(ev, n->b, &r);
			if (CPV_IS_SPECIAL(rp->kind))
			{
				*out = *rp;
				return;
			}
			arith(ev, idx, (CpOp) n->op, lp, rp, out);
			return;

		case CP_OP_NEG:
			eval_node(ev, n->a, out);
			if (CPV_IS_SPECIAL(out->kind))
				return;
			if (out->kind == CPV_NUM)
				out->u.num = cp_rat_neg(out->u.num);
			else if (out->kind == CPV_DURATION)
			{
				out->u.dur.days = -out->u.dur.days;
				out->u.dur.usecs = -out->u.dur.usecs;
			}
			else
				type_error(ev, idx, psprintf("negate %s", kind_name(out->kind)));
			return;

		case CP_OP_PERCENT:
			eval_node(ev, n->a, out);
			if (CPV_IS_SPECIAL(out->kind))
				return;
			if (out->kind != CPV_NUM)
				type_error(ev, idx, psprintf("take a percentage of %s",
											 kind_name(out->kind)));
			{
				CpRational	hundredth = {1, 100};

				if (!cp_rat_mul(out->u.num, hundredth, &out->u.num))
					overflow_error(ev, idx);
			}
			return;

		case CP_OP_DURATION:
			eval_node(ev, n->a, &l);
			if (CPV_IS_SPECIAL(l.kind))
			{
				*out = l;
				return;
			}
			if (l.kind != CPV_NUM)
				type_error(ev, idx, psprintf("make a duration of %s", kind_name(l.kind)));
			make_duration(ev, idx, l.u.num, (CpUnit) n->b, out);
			return;

		case CP_OP_CALL:
			eval_call(ev, idx, n, out);
			return;

		case CP_OP_TIER:
			{
				int			i;

				lp = operand(ev, n->a, &l);
				if (CPV_IS_SPECIAL(lp->kind))
				{
					*out = *lp;
					return;
				}
				for (i = 0; i < n->c; i++)
				{
					rp = operand(ev, ev->args[n->b + 2 * i], &r);
					if (compare_values(ev, idx, CP_OP_LE, lp, rp) == CP_TRUE)
					{
						eval_node(ev, ev->args[n->b + 2 * i + 1], out);
						return;
					}
				}
				if (n->flags & CP_NODE_HAS_ELSE)
					eval_node(ev, ev->args[n->b + 2 * n->c], out);
				else
					out->kind = CPV_NOAWARD;
				return;
			}

		case CP_OP_NUM:
			{
				/* only reached when it did not fold: it does not fit */
				CpRational	v;

				if (!cp_rat_from_decimal(n->v, n->a, &v))
					overflow_error(ev, idx);
				out->kind = CPV_NUM;
				out->u.num = v;
				return;
			}

		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
		case CP_OP_AND:
		case CP_OP_OR:
		case CP_OP_NOT:
		case CP_OP_IS_NULL:
		case CP_OP_IN_LIST:
		case CP_OP_IN_RANGE:
		case CP_OP_IN_OUTAGE:
			set_truth(out, eval_cond(ev, idx));
			return;

		case CP_OP_MODE:
			elog(ERROR, "a rounding mode is not a value");
			return;

		default:
			/* literals and builtins are all folded at bind time */
			elog(ERROR, "unexpected policy node %d", (int) n->op);
	}
}

static inline int
truth_not(int t)
{
	return t == CP_UNKNOWN ? CP_UNKNOWN : (t == CP_TRUE ? CP_FALSE : CP_TRUE);
}

static int
eval_cond(CpEval *ev, int32 idx)
{
	const CpNode *n = &ev->nodes[idx];
	CpValue		l,
				r;
	const CpValue *lp,
			   *rp;
	int			t,
				u;

	switch ((CpOp) n->op)
	{
		case CP_OP_AND:
			t = eval_cond(ev, n->a);
			if (t == CP_FALSE)
				return CP_FALSE;
			u = eval_cond(ev, n->b);
			if (u == CP_FALSE)
				return CP_FALSE;
			return (t == CP_TRUE && u == CP_TRUE) ? CP_TRUE : CP_UNKNOWN;
		case CP_OP_OR:
			t = eval_cond(ev, n->a);
			if (t == CP_TRUE)
				return CP_TRUE;
			u = eval_cond(ev, n->b);
			if (u == CP_TRUE)
				return CP_TRUE;
			return (t == CP_FALSE && u == CP_FALSE) ? CP_FALSE : CP_UNKNOWN;
		case CP_OP_NOT:
			return truth_not(eval_cond(ev, n->a));

		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
			lp = operand(ev, n->a, &l);
			rp = operand(ev, n->b, &r);
			return compare_values(ev, idx, (CpOp) n->op, lp, rp);

		case CP_OP_IS_NULL:
			lp = operand(ev, n->a, &l);
			t = (lp->kind == CPV_NULL) ? CP_TRUE : CP_FALSE;
			return (n->flags & CP_NODE_NEGATED) ? truth_not(t) : t;

		case CP_OP_IN_LIST:
			{
				int			i;
				bool		unknown = false;

				lp = operand(ev, n->a, &l);
				t = CP_FALSE;
				if (CPV_IS_SPECIAL(lp->kind))
					t = CP_UNKNOWN;
				else
				{
					for (i = 0; i < n->c; i++)
					{
						rp = operand(ev, ev->args[n->b + i], &r);
						u = compare_values(ev, idx, CP_OP_EQ, lp, rp);
						if (u == CP_TRUE)
						{
							t = CP_TRUE;
							break;
						}
						if (u == CP_UNKNOWN)
							unknown = true;
					}
					if (t != CP_TRUE && unknown)
						t = CP_UNKNOWN;
				}
				return (n->flags & CP_NODE_NEGATED) ? truth_not(t) : t;
			}

		case CP_OP_IN_RANGE:
			lp = operand(ev, n->a, &l);
			rp = operand(ev, n->b, &r);
			t = compare_values(ev, idx, CP_OP_GE, lp, rp);
			if (t != CP_FALSE)
			{
				rp = operand(ev, n->c, &r);
				u = compare_values(ev, idx,
								   (n->flags & CP_NODE_EXCLUSIVE) ? CP_OP_LT : CP_OP_LE,
								   lp, rp);
				if (u == CP_FALSE)
					t = CP_FALSE;
				else if (u == CP_UNKNOWN)
					t = CP_UNKNOWN;
			}
			return (n->flags & CP_NODE_NEGATED) ? truth_not(t) : t;

		case CP_OP_IN_OUTAGE:
			lp = operand(ev, n->a, &l);
			if (CPV_IS_SPECIAL(lp->kind))
				t = CP_UNKNOWN;
			else
			{
				int			i;

				if (lp->kind != CPV_TIME)
					type_error(ev, idx, psprintf("ask whether %s is during the outage",
												 kind_name(lp->kind)));
				t = CP_FALSE;
				for (i = 0; i < ev->n_windows; i++)
				{
					if (lp->u.time.lo < ev->windows[i].hi && ev->windows[i].lo < lp->u.time.hi)
					{
						t = CP_TRUE;
						break;
					}
				}
			}
			return (n->flags & CP_NODE_NEGATED) ? truth_not(t) : t;

		default:
			lp = operand(ev, idx, &l);
			if (lp->kind == CPV_BOOL)
				return lp->u.b ? CP_TRUE : CP_FALSE;
			if (CPV_IS_SPECIAL(lp->kind))
				return CP_UNKNOWN;
			type_error(ev, idx, psprintf("use %s as a condition", kind_name(lp->kind)));
	}
}

/* ---------------------------------------------------------------------
 * Awards
 * ---------------------------------------------------------------------
 */

static void
add_pending(CpEval *ev, const CpAwardLine *line, const char *instrument,
			const char *note)
{
	CpPending  *p;

	if (ev->n_pending >= ev->max_pending)
	{
		ev->max_pending *= 2;
		ev->pending = repalloc(ev->pending, ev->max_pending * sizeof(CpPending));
	}
	p = &ev->pending[ev->n_pending++];
	p->line = *line;
	p->rule = str_at(ev, ev->rules[ev->cur_rule].name);
	p->instrument = instrument;
	p->note = note;
}

static const char *
spec_text(const CpEval *ev, const CpAwardSpec *spec)
{
	const char *instr = spec->instrument >= 0 ? str_at(ev, spec->instrument) : "";

	return psprintf("%s %s", cp_award_kind_name((CpAwardKind) spec->kind), instr);
}

static void
note_skip(CpEval *ev, const CpAwardSpec *spec, const char *why)
{
	if (ev->skips == NULL)
		return;
	if (ev->skips->len > 0)
		appendStringInfoString(ev->skips, "; ");
	appendStringInfo(ev->skips, "%s gave no line: %s", spec_text(ev, spec), why);
}

static char *
value_text(CpEval *ev, const CpValue *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_value(ev, &buf, v);
	return buf.data;
}

static void pg_attribute_noreturn()
amount_overflow_error(CpEval *ev, const CpAwardSpec *spec, CpRational v)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range in rule \"%s\"", rule_name(ev)),
			 errdetail("The amount of %s, %s, does not fit in 64 bits as %s.",
					   spec_text(ev, spec), cp_rat_to_cstring(v),
					   spec->unit == CP_INSTR_MONEY ? "minor units" : "whole units")));
}

/* Amount of a credit, waive or grant, rounded; false if zero. */
static bool
award_amount(CpEval *ev, const CpAwardSpec *spec, CpRational v, CpAwardLine *line)
{
	const CpRulesetData *rs = ev->rs;
	CpUnitKind	unit = spec->unit ? (CpUnitKind) spec->unit : CP_INSTR_COUNT;
	CpRounding	mode = spec->rounding ? (CpRounding) spec->rounding : (CpRounding) rs->rounding;
	int64		inc = spec->increment > 0 ? spec->increment : rs->increment;
	CpRational	scaled = v;
	int64		amount;

	if (v.num < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("negative award in rule \"%s\"", rule_name(ev)),
				 errdetail("The amount of %s is %s.", spec_text(ev, spec),
						   cp_rat_to_cstring(v)),
				 errhint("Guard the award with a condition, or use max(amount, 0).")));
	if (inc <= 0)
		inc = 1;
	if (unit == CP_INSTR_MONEY && !cp_rat_scale10(v, rs->exponent, &scaled))
		amount_overflow_error(ev, spec, v);
	switch (cp_round_status(scaled, mode, inc, &amount))
	{
		case CP_EXACT_OK:
			break;
		case CP_EXACT_INEXACT:
			if (unit == CP_INSTR_MONEY)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("amount %s is not a whole number of minor units",
								cp_rat_to_cstring(scaled)),
						 errdetail("Rule \"%s\" computes it for %s, and neither the award nor the policy names a rounding.",
								   rule_name(ev), spec_text(ev, spec)),
						 errhint("Name a rounding in the policy (rounding half_up) or on the award (round half_up).")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("amount %s is not a whole number of units",
								cp_rat_to_cstring(scaled)),
						 errdetail("Rule \"%s\" computes it for %s, and neither the award nor the policy names a rounding.",
								   rule_name(ev), spec_text(ev, spec)),
						 errhint("Name a rounding in the policy (rounding half_up) or on the award (round half_up).")));
			break;
		default:
			amount_overflow_error(ev, spec, v);
	}
	if (amount == 0)
	{
		if (v.num == 0)
			note_skip(ev, spec, "the amount is 0");
		else
			note_skip(ev, spec, psprintf("the amount %s rounds to 0", cp_rat_to_cstring(v)));
		return false;
	}
	line->amount = amount;
	line->unit = (uint8) unit;
	line->has |= CP_LINE_AMOUNT;
	return true;
}

/* A review line in place of the award the spec would have given. */
static void
review_line(CpEval *ev, const CpAwardSpec *spec, const CpValue *v, CpAwardLine *line,
			const char **note)
{
	line->kind = CP_AWARD_REVIEW;
	line->has = 0;
	line->unit = 0;
	*note = v->u.reason;
}

/* An award value that gives no line: NULL or none. */
static bool
skip_value(CpEval *ev, const CpAwardSpec *spec, const char *what, const CpValue *v)
{
	if (v->kind == CPV_NULL || v->kind == CPV_NOAWARD)
	{
		note_skip(ev, spec, psprintf("%s is %s", what,
									 v->kind == CPV_NULL ? "NULL" : "none"));
		return true;
	}
	return false;
}

static void
eval_award(CpEval *ev, const CpAwardSpec *spec)
{
	CpAwardLine line;
	const char *instrument = spec->instrument >= 0 ? str_at(ev, spec->instrument) : "";
	const char *note = NULL;
	CpValue		v,
				col;

	memset(&line, 0, sizeof(line));
	line.kind = spec->kind;
	line.count = 1;
	line.note = -1;

	switch ((CpAwardKind) spec->kind)
	{
		case CP_AWARD_CREDIT:
		case CP_AWARD_WAIVE:
			eval_node(ev, spec->amount, &v);
			if (skip_value(ev, spec, "the amount", &v))
				return;
			if (v.kind == CPV_REVIEW)
				review_line(ev, spec, &v, &line, &note);
			else if (v.kind != CPV_NUM)
				type_error(ev, spec->amount, psprintf("%s an amount that is %s",
													  cp_award_kind_name((CpAwardKind) spec->kind),
													  kind_name(v.kind)));
			else if (!award_amount(ev, spec, v.u.num, &line))
				return;
			break;

		case CP_AWARD_EXTEND_BY:
		case CP_AWARD_EXTEND_TO:
		case CP_AWARD_EXTEND_OUTAGE:
			{
				CpValue		moved;
				int32		days = 0;

				eval_column(ev, spec->column, &col);
				if (skip_value(ev, spec, instrument, &col))
					return;
				if (col.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &col, &line, &note);
					break;
				}
				if (col.kind != CPV_TIME)
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("cannot extend column \"%s\", which is %s, in rule \"%s\"",
									instrument, kind_name(col.kind), rule_name(ev)),
							 errhint("Only date and timestamp columns can be extended.")));
				if (col.u.time.hi == TIME_POS_INF_HI ||
					(col.u.time.lo == TIME_NEG_INF_LO && spec->kind != CP_AWARD_EXTEND_TO))
				{
					note_skip(ev, spec, psprintf("%s is infinite", instrument));
					return;
				}

				if (spec->kind == CP_AWARD_EXTEND_TO)
				{
					eval_node(ev, spec->amount, &v);
					if (skip_value(ev, spec, "the target", &v))
						return;
					if (v.kind == CPV_REVIEW)
					{
						review_line(ev, spec, &v, &line, &note);
						break;
					}
					if (v.kind != CPV_TIME)
						type_error(ev, spec->amount, psprintf("extend to %s", kind_name(v.kind)));
					if (v.u.time.lo <= col.u.time.lo)
					{
						note_skip(ev, spec, psprintf("%s is not later than %s",
													 value_text(ev, &v), value_text(ev, &col)));
						return;
					}
					line.new_date = time_point(&v, false);
				}
				else
				{
					int64		usecs = 0;

					if (spec->kind == CP_AWARD_EXTEND_BY)
					{
						eval_node(ev, spec->amount, &v);
						if (skip_value(ev, spec, "the duration", &v))
							return;
						if (v.kind == CPV_REVIEW)
						{
							review_line(ev, spec, &v, &line, &note);
							break;
						}
						if (v.kind != CPV_DURATION)
							type_error(ev, spec->amount, psprintf("extend by %s", kind_name(v.kind)));
						days = v.u.dur.days;
						usecs = v.u.dur.usecs;
					}
					else
					{
						if (!ev->have_outage)
						{
							note_skip(ev, spec, "the policy has no outage");
							return;
						}
						if (ev->outage_days >= 0)
							days = ev->outage_days;
						else
							usecs = ev->outage_usecs;
					}
					if (days < 0 || usecs < 0)
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("negative award in rule \"%s\"", rule_name(ev)),
								 errdetail("%s would move %s backwards.",
										   spec_text(ev, spec), instrument)));
					if (days == 0 && usecs == 0)
					{
						note_skip(ev, spec, "the duration is zero");
						return;
					}
					time_shift(ev, spec->amount, &col, days, usecs, &moved);
					line.new_date = moved.u.time.lo;
					if (usecs == 0)
					{
						line.days = days;
						line.has |= CP_LINE_DAYS;
					}
				}
				line.has |= CP_LINE_NEW_DATE;
				if (!TIMESTAMP_NOT_FINITE(line.new_date))
				{
					DateADT		d;

					instant_to_local(ev, line.new_date, &d, NULL, &line.utc_offset);
				}
				break;
			}

		case CP_AWARD_GRANT:
			if (spec->amount >= 0)
			{
				eval_node(ev, spec->amount, &v);
				if (skip_value(ev, spec, "the amount", &v))
					return;
				if (v.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &v, &line, &note);
					break;
				}
				if (v.kind != CPV_NUM)
					type_error(ev, spec->amount, psprintf("grant an amount that is %s",
														  kind_name(v.kind)));
				if (!award_amount(ev, spec, v.u.num, &line))
					return;
			}
			if (spec->duration >= 0)
			{
				eval_node(ev, spec->duration, &v);
				if (skip_value(ev, spec, "the duration", &v))
					return;
				if (v.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &v, &line, &note);
					break;
				}
				if (v.kind != CPV_DURATION)
					type_error(ev, spec->duration, psprintf("grant for %s", kind_name(v.kind)));
				if (v.u.dur.usecs % USECS_PER_DAY != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("grant for %s is not a whole number of days in rule \"%s\"",
									value_text(ev, &v), rule_name(ev)),
							 errdetail("The failing expression is %s.", node_text(ev, spec->duration))));
				{
					int64		days = (int64) v.u.dur.days + v.u.dur.usecs / USECS_PER_DAY;

					if (days < 0)
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("negative award in rule \"%s\"", rule_name(ev)),
								 errdetail("%s is granted for %s.", spec_text(ev, spec),
										   value_text(ev, &v))));
					if (days > PG_INT32_MAX)
						overflow_error(ev, spec->duration);
					if (days == 0)
					{
						note_skip(ev, spec, "the duration is zero");
						return;
					}
					line.days = (int32) days;
					line.has |= CP_LINE_DAYS;
				}
			}
			break;

		case CP_AWARD_FLAG:
			break;

		case CP_AWARD_REVIEW:
			/* the line says "review 'reason'": no instrument */
			instrument = "";
			note = spec->reason >= 0 ? str_at(ev, spec->reason) : "";
			break;
	}

	if (spec->window_kind != CP_WINDOW_NONE && spec->window_lo >= 0 &&
		spec->window_hi >= 0)
	{
		CpValue		lo,
					hi;

		eval_node(ev, spec->window_lo, &lo);
		eval_node(ev, spec->window_hi, &hi);
		if (lo.kind == CPV_TIME && hi.kind == CPV_TIME)
		{
			line.window_kind = spec->window_kind;
			line.window_lo = time_point(&lo, false);
			line.window_hi = time_point(&hi, !spec->window_exclusive);
			line.has |= CP_LINE_WINDOW;
			if (!(line.has & CP_LINE_NEW_DATE))
			{
				DateADT		d;

				if (!TIMESTAMP_NOT_FINITE(line.window_lo))
					instant_to_local(ev, line.window_lo, &d, NULL, &line.utc_offset);
				else if (!TIMESTAMP_NOT_FINITE(line.window_hi))
					instant_to_local(ev, line.window_hi, &d, NULL, &line.utc_offset);
			}
		}
		else if (!CPV_IS_SPECIAL(lo.kind) && lo.kind != CPV_TIME)
			type_error(ev, spec->window_lo, psprintf("use %s as a window", kind_name(lo.kind)));
		else if (!CPV_IS_SPECIAL(hi.kind) && hi.kind != CPV_TIME)
			type_error(ev, spec->window_hi, psprintf("use %s as a window", kind_name(hi.kind)));
	}

	add_pending(ev, &line, instrument, note);
}

static void
eval_rule_awards(CpEval *ev, int r)
{
	const CpRule *rule = &ev->rules[r];
	int			k;

	for (k = 0; k < rule->n_awards; k++)
		eval_award(ev, &ev->awards[rule->first_award + k]);
}

/* ---------------------------------------------------------------------
 * Explain: why a rule did not match
 * ---------------------------------------------------------------------
 */

static void
format_instant(CpEval *ev, StringInfo out, int64 t)
{
	DateADT		d;
	int64		usecs;
	int32		offset;
	int			year,
				month,
				day;
	int64		secs;
	int			aoff;

	if (t <= TIME_NEG_INF_LO + 1)
	{
		appendStringInfoString(out, "-infinity");
		return;
	}
	if (t >= TIME_POS_INF_HI - 1)
	{
		appendStringInfoString(out, "infinity");
		return;
	}
	instant_to_local(ev, t, &d, &usecs, &offset);
	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	secs = usecs / USECS_PER_SEC;
	appendStringInfo(out, "%04d-%02d-%02d %02d:%02d:%02d",
					 year, month, day,
					 (int) (secs / 3600), (int) ((secs / 60) % 60), (int) (secs % 60));
	if (usecs % USECS_PER_SEC != 0)
	{
		char		frac[8];
		int			len;

		snprintf(frac, sizeof(frac), "%06d", (int) (usecs % USECS_PER_SEC));
		len = 6;
		while (len > 0 && frac[len - 1] == '0')
			len--;
		frac[len] = '\0';
		appendStringInfo(out, ".%s", frac);
	}
	aoff = offset < 0 ? -offset : offset;
	appendStringInfo(out, "%c%02d", offset < 0 ? '-' : '+', aoff / 3600);
	if (aoff % 3600 != 0)
	{
		appendStringInfo(out, ":%02d", (aoff / 60) % 60);
		if (aoff % 60 != 0)
			appendStringInfo(out, ":%02d", aoff % 60);
	}
}

/* A time value: an instant, a local calendar day, or an interval. */
static void
format_time(CpEval *ev, StringInfo out, int64 lo, int64 hi)
{
	if (hi - lo == 1 || lo == TIME_NEG_INF_LO || hi == TIME_POS_INF_HI)
	{
		format_instant(ev, out, lo);
		return;
	}
	{
		DateADT		d;
		int64		usecs;

		instant_to_local(ev, lo, &d, &usecs, NULL);
		if (usecs == 0 && local_to_instant(ev, d + 1, 0) == hi)
		{
			int			year,
						month,
						day;

			j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
			appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
			return;
		}
	}
	format_instant(ev, out, lo);
	appendStringInfoString(out, " ..< ");
	format_instant(ev, out, hi);
}

static void
append_duration(StringInfo out, const CpValue *v)
{
	int64		usecs = v->u.dur.usecs;
	bool		any = false;

	if (v->u.dur.days != 0)
	{
		appendStringInfo(out, "%d %s", v->u.dur.days,
						 (v->u.dur.days == 1 || v->u.dur.days == -1) ? "day" : "days");
		any = true;
	}
	if (usecs != 0 || !any)
	{
		CpRational	q;
		const char *unit;

		if (any)
			appendStringInfoChar(out, ' ');
		if (usecs % USECS_PER_HOUR_I == 0)
		{
			q = cp_rat_int(usecs / USECS_PER_HOUR_I);
			unit = "hours";
		}
		else
		{
			(void) cp_rat_make128(usecs, USECS_PER_MINUTE_I, &q);
			unit = "minutes";
		}
		cp_rat_append(out, q);
		appendStringInfo(out, " %s", (q.num == 1 && q.den == 1) ? (unit[0] == 'h' ? "hour" : "minute") : unit);
	}
}

static void
append_value(CpEval *ev, StringInfo out, const CpValue *v)
{
	switch ((CpValKind) v->kind)
	{
		case CPV_NULL:
			appendStringInfoString(out, "NULL");
			break;
		case CPV_REVIEW:
			appendStringInfoString(out, "review ");
			appendStringInfoChar(out, '\'');
			for (const char *p = v->u.reason; *p; p++)
			{
				if (*p == '\'')
					appendStringInfoChar(out, '\'');
				appendStringInfoChar(out, *p);
			}
			appendStringInfoChar(out, '\'');
			break;
		case CPV_NOAWARD:
			appendStringInfoString(out, "none");
			break;
		case CPV_NUM:
			cp_rat_append(out, v->u.num);
			break;
		case CPV_BOOL:
			appendStringInfoString(out, v->u.b ? "true" : "false");
			break;
		case CPV_TEXT:
			appendStringInfoChar(out, '\'');
			for (int i = 0; i < v->u.text.len; i++)
			{
				if (v->u.text.p[i] == '\'')
					appendStringInfoChar(out, '\'');
				appendStringInfoChar(out, v->u.text.p[i]);
			}
			appendStringInfoChar(out, '\'');
			break;
		case CPV_TIME:
			format_time(ev, out, v->u.time.lo, v->u.time.hi);
			break;
		case CPV_DURATION:
			append_duration(out, v);
			break;
	}
}

typedef struct CpRefs
{
	StringInfo	out;
	int			n;
	bool	   *seen_col;
	bool	   *seen_let;
} CpRefs;

/* "name is value" for the columns and lets below node that this row
 * already evaluated. */
static void
collect_refs(CpEval *ev, int32 idx, CpRefs *refs, int depth)
{
	const CpNode *n = &ev->nodes[idx];
	const char *name = NULL;
	CpValue    *val = NULL;
	int			i;

	switch ((CpOp) n->op)
	{
		case CP_OP_COLUMN:
			if (!refs->seen_col[n->a] && ev->col_gen[n->a] == ev->gen)
			{
				refs->seen_col[n->a] = true;
				name = str_at(ev, ev->columns[n->a].name);
				val = &ev->col_val[n->a];
			}
			break;
		case CP_OP_LET:
			if (!refs->seen_let[n->a] && ev->let_gen[n->a] == ev->gen)
			{
				refs->seen_let[n->a] = true;
				name = str_at(ev, ev->lets[n->a].name);
				val = &ev->let_val[n->a];
			}
			break;
		case CP_OP_DURATION:
		case CP_OP_NEG:
		case CP_OP_PERCENT:
		case CP_OP_NOT:
		case CP_OP_IS_NULL:
		case CP_OP_IN_OUTAGE:
			collect_refs(ev, n->a, refs, depth + 1);
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
			collect_refs(ev, n->a, refs, depth + 1);
			collect_refs(ev, n->b, refs, depth + 1);
			break;
		case CP_OP_IN_RANGE:
			collect_refs(ev, n->a, refs, depth + 1);
			collect_refs(ev, n->b, refs, depth + 1);
			collect_refs(ev, n->c, refs, depth + 1);
			break;
		case CP_OP_CALL:
			for (i = 0; i < n->c; i++)
				collect_refs(ev, ev->args[n->a + i], refs, depth + 1);
			break;
		case CP_OP_IN_LIST:
			collect_refs(ev, n->a, refs, depth + 1);
			for (i = 0; i < n->c; i++)
				collect_refs(ev, ev->args[n->b + i], refs, depth + 1);
			break;
		case CP_OP_TIER:
			collect_refs(ev, n->a, refs, depth + 1);
			for (i = 0; i < 2 * n->c + ((n->flags & CP_NODE_HAS_ELSE) ? 1 : 0); i++)
				collect_refs(ev, ev->args[n->b + i], refs, depth + 1);
			break;
		default:
			break;
	}
	if (name != NULL)
	{
		if (refs->n++ > 0)
			appendStringInfoString(refs->out, ", ");
		appendStringInfo(refs->out, "%s is ", name);
		append_value(ev, refs->out, val);
	}
}

static void
explain_failure(CpEval *ev, int32 cond, int truth, CpExplainRule *tr)
{
	int32		leaf = cond;
	int			t = truth;
	StringInfoData buf;
	CpRefs		refs;

	/* walk "and" left to right to the first part that was not true */
	while (ev->nodes[leaf].op == CP_OP_AND)
	{
		const CpNode *n = &ev->nodes[leaf];
		int			l = eval_cond(ev, n->a);

		if (l != CP_TRUE)
		{
			leaf = n->a;
			t = l;
		}
		else
		{
			leaf = n->b;
			t = eval_cond(ev, n->b);
		}
	}
	tr->failed_condition = node_text(ev, leaf);

	initStringInfo(&buf);
	refs.out = &buf;
	refs.n = 0;
	refs.seen_col = palloc0(sizeof(bool) * Max(ev->n_columns, 1));
	refs.seen_let = palloc0(sizeof(bool) * Max(ev->n_lets, 1));
	collect_refs(ev, leaf, &refs, 0);
	if (refs.n == 0)
		appendStringInfo(&buf, "the condition is %s",
						 t == CP_UNKNOWN ? "unknown" : "false");
	else if (t == CP_UNKNOWN)
		appendStringInfoString(&buf, ", so the condition is unknown");
	tr->detail = buf.data;
}

/* ---------------------------------------------------------------------
 * Rules and hit policies
 * ---------------------------------------------------------------------
 */

static void
begin_row(CpEval *ev, HeapTupleHeader row)
{
	MemoryContextReset(ev->rowcxt);
	if (unlikely(++ev->gen == 0))
	{
		memset(ev->col_gen, 0, sizeof(uint32) * Max(ev->n_columns, 1));
		memset(ev->let_gen, 0, sizeof(uint32) * Max(ev->n_lets, 1));
		memset(ev->let_busy, 0, sizeof(uint32) * Max(ev->n_lets, 1));
		ev->gen = 1;
	}
	ev->tup = row;
	ev->nvalid = 0;
	ev->off = 0;
	ev->slow = false;
	ev->n_pending = 0;
	ev->cur_rule = -1;
	ev->skips = NULL;
}

/*
 * Guard column c's value on this row, read once; NULL when reading it fails
 * (a NaN, infinite or out-of-range number): then all its rules are
 * evaluated, and the first that reads it raises the error as it always did.
 * Other columns cannot fail to convert, so reading them ahead of the rules
 * changes no result.
 */
static const CpValue *
guard_value(CpEval *ev, int32 c)
{
	CpColBind  *cb = &ev->cols[c];
	CpValue    *v = &ev->col_val[c];

	if (ev->col_gen[c] == ev->gen)
		return v;
	if (cb->cls == CPC_INT8 || cb->cls == CPC_NUMERIC)
	{
		if (cb->attno >= ev->nvalid)
			deform_upto(ev, cb->attno + 1);
		if (!ev->isnull[cb->attno])
		{
			Datum		d = ev->values[cb->attno];
			CpRational	r;

			if (cb->cls == CPC_INT8)
			{
				if (DatumGetInt64(d) == PG_INT64_MIN)
					return NULL;
			}
			else
			{
				if (cp_rat_from_numeric(d, &r) != CP_EXACT_OK)
					return NULL;
				v->kind = CPV_NUM;
				v->u.num = r;
				ev->col_gen[c] = ev->gen;
				return v;
			}
		}
	}
	fetch_column(ev, c, v);
	ev->col_gen[c] = ev->gen;
	return v;
}

/*
 * The sorted, disjoint lists of rules that can match this row, in
 * ev->cursors: the unguarded rules, and per guard column the rules guarded
 * by its value.  A rule guarded by another value is false (its "and" stops
 * at the guard); when the column is NULL the guard is unknown, so only rules
 * with more after the guard are evaluated (that rest may still raise an
 * error, as it always did), and none of them can match.
 */
static int
candidate_lists(CpEval *ev)
{
	CpCursor   *cur = ev->cursors;
	int			nc = 0;
	int			g;

	if (ev->first_unguarded >= 0)
	{
		cur[nc].cur = ev->first_unguarded;
		cur[nc].next = ev->next_unguarded;
		nc++;
	}
	for (g = 0; g < ev->n_gcols; g++)
	{
		const CpGuardCol *gc = &ev->gcols[g];
		const CpValue *v = guard_value(ev, gc->col);
		int32		first;
		const int32 *next;

		if (v == NULL)
		{
			first = gc->first_col;
			next = ev->next_col;
		}
		else if (v->kind == CPV_NULL)
		{
			first = gc->first_null;
			next = ev->next_null;
		}
		else
		{
			CpGuardKey	key;
			CpGuardEntry *e;

			memset(&key, 0, sizeof(key));
			key.col = gc->col;
			key.kind = v->kind;
			if (v->kind == CPV_NUM)
				key.num = v->u.num;
			else
			{
				key.p = v->u.text.p;
				key.len = v->u.text.len;
			}
			e = cpguard_lookup(ev->guards, key);
			first = e ? e->first : -1;
			next = ev->next_key;
		}
		if (first >= 0)
		{
			cur[nc].cur = first;
			cur[nc].next = next;
			nc++;
		}
	}
	return nc;
}

/* Rule i on this row: its condition, and its awards when it matches. */
static void
eval_rule(CpEval *ev, int i, int *matched, CpExplainRule *trace)
{
	const CpRule *rule = &ev->rules[i];
	CpHit		hit = (CpHit) ev->rs->hit;
	int			t;

	ev->cur_rule = i;
	t = rule->cond == CP_NONE_IDX ? CP_TRUE : eval_cond(ev, rule->cond);
	if (t != CP_TRUE)
	{
		if (trace)
			explain_failure(ev, rule->cond, t, &trace[i]);
		return;
	}
	if (hit == CP_HIT_UNIQUE && *matched >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("rules \"%s\" and \"%s\" both match, but policy \"%s\" allows only one (hit unique)",
						str_at(ev, ev->rules[*matched].name),
						str_at(ev, rule->name), str_at(ev, ev->rs->name)),
				 errhint("Make the conditions exclusive, or use hit first or hit collect.")));
	if (*matched < 0)
		*matched = i;
	if (trace)
	{
		StringInfoData skips;

		trace[i].matched = true;
		initStringInfo(&skips);
		ev->skips = &skips;
		eval_rule_awards(ev, i);
		ev->skips = NULL;
		if (skips.len > 0)
			trace[i].detail = skips.data;
	}
	else if (hit != CP_HIT_UNIQUE)
		eval_rule_awards(ev, i);
}

/*
 * first_line[i] / n_lines[i]: the pending lines of rule i (trace only).
 * With a trace (explain) every rule is evaluated in order; without, only
 * the candidates of the rule index, merged in rule order, which gives the
 * same result: a rule left out is one whose condition is not true, and
 * evaluating it could raise no error.
 */
static void
eval_rules(CpEval *ev, CpExplainRule *trace, int *first_line)
{
	int			matched = -1;
	CpHit		hit = (CpHit) ev->rs->hit;

	if (trace)
	{
		int			i;

		for (i = 0; i < ev->n_rules; i++)
		{
			first_line[i] = ev->n_pending;
			if (hit == CP_HIT_FIRST && matched >= 0)
			{
				trace[i].detail = psprintf("not evaluated: rule \"%s\" matched first (hit first)",
										   str_at(ev, ev->rules[matched].name));
				continue;
			}
			eval_rule(ev, i, &matched, trace);
		}
	}
	else
	{
		CpCursor   *cur = ev->cursors;
		int			nc = candidate_lists(ev);

		while (nc > 0)
		{
			int			best = 0;
			int			k;
			int32		i;

			for (k = 1; k < nc; k++)
				if (cur[k].cur < cur[best].cur)
					best = k;
			i = cur[best].cur;
			cur[best].cur = cur[best].next[i];
			if (cur[best].cur < 0)
				cur[best] = cur[--nc];
			eval_rule(ev, i, &matched, NULL);
			if (hit == CP_HIT_FIRST && matched >= 0)
				break;
		}
	}
	if (!trace && hit == CP_HIT_UNIQUE && matched >= 0)
	{
		ev->cur_rule = matched;
		eval_rule_awards(ev, matched);
	}
}

/*
 * The award of pending lines [from, to), allocated in cxt.  The builder's
 * own scratch lives in the row context; only the result is copied out.
 */
static CpAward
build_award(CpEval *ev, int from, int to, MemoryContext cxt)
{
	CpAwardBuilder b;
	CpAward		aw;
	MemoryContext old;
	int			i;

	if (from == to)
	{
		Size		size = VARSIZE(ev->empty_award);

		aw = MemoryContextAlloc(cxt, size);
		memcpy(aw, ev->empty_award, size);
		return aw;
	}
	old = MemoryContextSwitchTo(ev->rowcxt);
	cp_award_builder_init(&b, ev->rs->currency, ev->rs->exponent);
	for (i = from; i < to; i++)
	{
		CpPending  *p = &ev->pending[i];

		cp_award_builder_add(&b, &p->line, p->rule, p->instrument, p->note);
	}
	MemoryContextSwitchTo(cxt);
	aw = cp_award_builder_finish(&b);
	MemoryContextSwitchTo(old);
	return aw;
}

/* The award of the row begin_row() started, in CurrentMemoryContext. */
static CpAward
award_of_row(CpEval *ev)
{
	MemoryContext caller = CurrentMemoryContext;
	CpAward		aw;

	MemoryContextSwitchTo(ev->rowcxt);
	eval_rules(ev, NULL, NULL);
	aw = build_award(ev, 0, ev->n_pending, caller);
	MemoryContextSwitchTo(caller);
	return aw;
}

CpAward
cp_eval_award(CpEval *ev, HeapTupleHeader row)
{
	begin_row(ev, row);
	return award_of_row(ev);
}

/*
 * The award for one row given as the values of some of its attributes
 * (1-based attnos), as compensation._evaluate_columns() passes them: no
 * composite datum is formed, and none is deformed.  Attributes the policy
 * reads but not given read as NULL (the caller gives them all).
 */
/*
 * Every column the policy reads must be among the attnos a caller passes:
 * one left out would silently read as NULL (a worker given another node's
 * attribute numbers paid 0).  Checked once per evaluator and attnos array.
 */
static void
check_columns_given(CpEval *ev, int n, const int16 *attnos)
{
	int			c;
	int			i;

	for (c = 0; c < ev->n_columns; c++)
	{
		for (i = 0; i < n; i++)
			if (attnos[i] == ev->cols[c].attno + 1)
				break;
		if (i == n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid call of compensation._evaluate_columns()"),
					 errdetail("Policy \"%s\" reads column \"%s\", which was not passed.",
							   str_at(ev, ev->rs->name), ev->cols[c].name),
					 errhint("Call compensation.evaluate(rules, row): the planner makes this call itself.")));
	}
	ev->columns_checked = attnos;
}

CpAward
cp_eval_award_columns(CpEval *ev, int n, const int16 *attnos,
					  const NullableDatum *columns)
{
	int			i;

	if (unlikely(ev->columns_checked != attnos))
		check_columns_given(ev, n, attnos);
	begin_row(ev, NULL);
	memset(ev->isnull, true, sizeof(bool) * ev->max_att);
	for (i = 0; i < n; i++)
	{
		int			a = attnos[i] - 1;

		if (a >= 0 && a < ev->max_att)
		{
			ev->values[a] = columns[i].value;
			ev->isnull[a] = columns[i].isnull;
		}
	}
	ev->nvalid = ev->max_att;
	return award_of_row(ev);
}

CpExplainRule *
cp_eval_explain(CpEval *ev, HeapTupleHeader row, int *n_rules)
{
	MemoryContext caller = CurrentMemoryContext;
	CpExplainRule *trace;
	int		   *first_line;
	int			i;

	begin_row(ev, row);
	MemoryContextSwitchTo(ev->rowcxt);
	trace = palloc0(sizeof(CpExplainRule) * Max(ev->n_rules, 1));
	first_line = palloc0(sizeof(int) * (ev->n_rules + 1));
	for (i = 0; i < ev->n_rules; i++)
	{
		trace[i].rule_no = i + 1;
		trace[i].rule = str_at(ev, ev->rules[i].name);
	}
	eval_rules(ev, trace, first_line);
	first_line[ev->n_rules] = ev->n_pending;
	for (i = 0; i < ev->n_rules; i++)
		trace[i].award = build_award(ev, first_line[i], first_line[i + 1], caller);
	MemoryContextSwitchTo(caller);
	*n_rules = ev->n_rules;
	return trace;
}

const CpRulesetData *
cp_eval_ruleset(const CpEval *ev)
{
	return ev->rs;
}

/* ---------------------------------------------------------------------
 * Binding
 * ---------------------------------------------------------------------
 */

static void pg_attribute_noreturn()
corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid compensation.ruleset value: %s", what)));
}

static inline void
check_node(const CpEval *ev, int32 idx)
{
	if (idx < 0 || idx >= ev->n_nodes)
		corrupt("node index out of range");
}

static inline void
check_string(const CpEval *ev, int32 off)
{
	if (off < 0 || off >= ev->strings_len)
		corrupt("string offset out of range");
}

static void
check_args(const CpEval *ev, int32 first, int64 count)
{
	int64		i;

	if (first < 0 || count < 0 || first + count > ev->n_args)
		corrupt("argument range out of bounds");
	for (i = 0; i < count; i++)
		check_node(ev, ev->args[first + i]);
}

/* Every index in the ruleset points inside it. */
static void
validate_ruleset(CpEval *ev, Size size)
{
	const CpRulesetData *rs = ev->rs;
	int			i;

	if (rs->format != CP_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("compensation.ruleset format %u is not supported", rs->format),
				 errhint("Recompile the policy from its source text.")));
	if (rs->n_nodes < 0 || rs->n_windows < 0 || rs->n_args < 0 || rs->n_rules < 0 ||
		rs->n_lets < 0 || rs->n_awards < 0 || rs->n_columns < 0 ||
		rs->n_instruments < 0 || rs->strings_len <= 0)
		corrupt("negative section size");
	if (cp_ruleset_section_offset(rs, CP_SECTION_END) > size)
		corrupt("sections run past the end");
	if (ev->strings[rs->strings_len - 1] != '\0')
		corrupt("string pool not terminated");
	check_string(ev, rs->name);
	check_string(ev, rs->timezone);
	if (rs->hit < CP_HIT_COLLECT || rs->hit > CP_HIT_UNIQUE)
		corrupt("unknown hit policy");
	if (rs->rounding > CP_ROUND_CEILING)
		corrupt("unknown rounding");
	if (rs->exponent < 0 || rs->exponent > 18)
		corrupt("currency exponent out of range");

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];

		switch ((CpOp) n->op)
		{
			case CP_OP_NUM:
			case CP_OP_BOOL:
			case CP_OP_NULL:
			case CP_OP_NOAWARD:
				break;
			case CP_OP_DATE:
			case CP_OP_TIMESTAMP:
				if (n->w <= n->v)
					corrupt("empty time literal");
				break;
			case CP_OP_STR:
			case CP_OP_REVIEW:
				check_string(ev, n->a);
				break;
			case CP_OP_DURATION:
				check_node(ev, n->a);
				if (n->b < CP_UNIT_DAYS || n->b > CP_UNIT_MINUTES)
					corrupt("unknown unit");
				break;
			case CP_OP_COLUMN:
				if (n->a < 0 || n->a >= ev->n_columns)
					corrupt("column index out of range");
				break;
			case CP_OP_LET:
				if (n->a < 0 || n->a >= ev->n_lets)
					corrupt("let index out of range");
				break;
			case CP_OP_BUILTIN:
				if (n->a < CP_BUILTIN_OUTAGE_START || n->a > CP_BUILTIN_OUTAGE_DAYS)
					corrupt("unknown builtin");
				break;
			case CP_OP_NEG:
			case CP_OP_PERCENT:
			case CP_OP_NOT:
			case CP_OP_IS_NULL:
			case CP_OP_IN_OUTAGE:
				check_node(ev, n->a);
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
				check_node(ev, n->a);
				check_node(ev, n->b);
				break;
			case CP_OP_IN_RANGE:
				check_node(ev, n->a);
				check_node(ev, n->b);
				check_node(ev, n->c);
				break;
			case CP_OP_CALL:
				if (n->b < CP_FUNC_MIN || n->b > CP_FUNC_ABS || n->c < 1)
					corrupt("bad function call");
				check_args(ev, n->a, n->c);
				break;
			case CP_OP_MODE:
				if (n->a < CP_ROUND_HALF_UP || n->a > CP_ROUND_CEILING)
					corrupt("unknown rounding");
				break;
			case CP_OP_TIER:
				check_node(ev, n->a);
				check_args(ev, n->b, 2 * (int64) n->c + ((n->flags & CP_NODE_HAS_ELSE) ? 1 : 0));
				break;
			case CP_OP_IN_LIST:
				check_node(ev, n->a);
				check_args(ev, n->b, n->c);
				break;
			default:
				corrupt("unknown node operator");
		}
	}
	for (i = 0; i < ev->n_windows; i++)
		if (ev->windows[i].hi < ev->windows[i].lo)
			corrupt("outage window ends before it starts");
	for (i = 0; i < ev->n_lets; i++)
	{
		check_string(ev, ev->lets[i].name);
		check_node(ev, ev->lets[i].expr);
	}
	for (i = 0; i < ev->n_columns; i++)
		check_string(ev, ev->columns[i].name);
	for (i = 0; i < ev->n_rules; i++)
	{
		const CpRule *r = &ev->rules[i];

		check_string(ev, r->name);
		if (r->cond != CP_NONE_IDX)
			check_node(ev, r->cond);
		if (r->first_award < 0 || r->n_awards < 0 ||
			(int64) r->first_award + r->n_awards > ev->n_awards)
			corrupt("award range out of bounds");
		if (r->first_let < 0 || r->n_lets < 0 ||
			(int64) r->first_let + r->n_lets > ev->n_lets)
			corrupt("let range out of bounds");
	}
	for (i = 0; i < ev->n_awards; i++)
	{
		const CpAwardSpec *a = &ev->awards[i];

		if (a->kind < CP_AWARD_CREDIT || a->kind > CP_AWARD_REVIEW)
			corrupt("unknown award kind");
		if (a->rounding > CP_ROUND_CEILING)
			corrupt("unknown rounding");
		if (a->unit > CP_INSTR_COUNT)
			corrupt("unknown instrument unit");
		if (a->window_kind > CP_WINDOW_VALID)
			corrupt("unknown window kind");
		if (a->instrument != CP_NONE_IDX)
			check_string(ev, a->instrument);
		if (a->kind == CP_AWARD_REVIEW && a->reason != CP_NONE_IDX)
			check_string(ev, a->reason);
		if (a->amount != CP_NONE_IDX)
			check_node(ev, a->amount);
		if (a->duration != CP_NONE_IDX)
			check_node(ev, a->duration);
		if (a->window_lo != CP_NONE_IDX)
			check_node(ev, a->window_lo);
		if (a->window_hi != CP_NONE_IDX)
			check_node(ev, a->window_hi);
		switch ((CpAwardKind) a->kind)
		{
			case CP_AWARD_CREDIT:
			case CP_AWARD_WAIVE:
			case CP_AWARD_EXTEND_BY:
			case CP_AWARD_EXTEND_TO:
				if (a->amount == CP_NONE_IDX)
					corrupt("award without an amount");
				break;
			default:
				break;
		}
		switch ((CpAwardKind) a->kind)
		{
			case CP_AWARD_EXTEND_BY:
			case CP_AWARD_EXTEND_TO:
			case CP_AWARD_EXTEND_OUTAGE:
				if (a->column < 0 || a->column >= ev->n_columns)
					corrupt("extend without a column");
				break;
			default:
				break;
		}
	}
}

/*
 * The height of every node (the longest path down from it, through lets
 * too): no cycles, and evaluation recursion stays bounded, so the hot path
 * needs no stack checks.
 */
static int
node_height(CpEval *ev, int32 idx, int *height, uint8 *color, int *let_height,
			uint8 *let_color)
{
	const CpNode *n = &ev->nodes[idx];
	int			h = 0;
	int			i;

	if (color[idx] == 2)
		return height[idx];
	if (color[idx] == 1)
		corrupt("expression refers to itself");
	check_stack_depth();
	color[idx] = 1;

#define KID(k) \
	do { \
		int			kh_ = node_height(ev, (k), height, color, let_height, let_color); \
		if (kh_ > h) \
			h = kh_; \
	} while (0)

	switch ((CpOp) n->op)
	{
		case CP_OP_LET:
			if (let_color[n->a] == 1)
				corrupt("let refers to itself");
			if (let_color[n->a] == 0)
			{
				let_color[n->a] = 1;
				let_height[n->a] = node_height(ev, ev->lets[n->a].expr, height,
											   color, let_height, let_color);
				let_color[n->a] = 2;
			}
			h = let_height[n->a];
			break;
		case CP_OP_DURATION:
		case CP_OP_NEG:
		case CP_OP_PERCENT:
		case CP_OP_NOT:
		case CP_OP_IS_NULL:
		case CP_OP_IN_OUTAGE:
			KID(n->a);
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
			KID(n->a);
			KID(n->b);
			break;
		case CP_OP_IN_RANGE:
			KID(n->a);
			KID(n->b);
			KID(n->c);
			break;
		case CP_OP_CALL:
			for (i = 0; i < n->c; i++)
				KID(ev->args[n->a + i]);
			break;
		case CP_OP_IN_LIST:
			KID(n->a);
			for (i = 0; i < n->c; i++)
				KID(ev->args[n->b + i]);
			break;
		case CP_OP_TIER:
			KID(n->a);
			for (i = 0; i < 2 * n->c + ((n->flags & CP_NODE_HAS_ELSE) ? 1 : 0); i++)
				KID(ev->args[n->b + i]);
			break;
		default:
			break;
	}
#undef KID

	h++;
	if (h > CP_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("policy \"%s\" nests expressions more than %d deep",
						str_at(ev, ev->rs->name), CP_MAX_DEPTH)));
	height[idx] = h;
	color[idx] = 2;
	return h;
}

static void
check_acyclic(CpEval *ev)
{
	int		   *height = palloc0(sizeof(int) * Max(ev->n_nodes, 1));
	uint8	   *color = palloc0(Max(ev->n_nodes, 1));
	int		   *let_height = palloc0(sizeof(int) * Max(ev->n_lets, 1));
	uint8	   *let_color = palloc0(Max(ev->n_lets, 1));
	int			i;

	for (i = 0; i < ev->n_nodes; i++)
		(void) node_height(ev, i, height, color, let_height, let_color);
	pfree(height);
	pfree(color);
	pfree(let_height);
	pfree(let_color);
}

/* Map each policy column to an attribute of the row type. */
static void
bind_columns(CpEval *ev)
{
	TupleDesc	tupdesc = ev->tupdesc;
	int			c;

	ev->cols = palloc0(sizeof(CpColBind) * Max(ev->n_columns, 1));
	ev->max_att = 0;
	for (c = 0; c < ev->n_columns; c++)
	{
		const char *name = str_at(ev, ev->columns[c].name);
		CpColBind  *cb = &ev->cols[c];
		Form_pg_attribute att = NULL;
		Oid			base;
		int32		basetypmod = -1;
		char		category;
		bool		preferred;
		int			i;

		for (i = 0; i < tupdesc->natts; i++)
		{
			Form_pg_attribute a = TupleDescAttr(tupdesc, i);

			if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			{
				att = a;
				break;
			}
		}
		if (att == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("policy \"%s\" uses column \"%s\", which row type %s does not have",
							str_at(ev, ev->rs->name), name,
							format_type_be(ev->rowtype)),
					 errhint("Rename the column, or select it under that name: SELECT ..., expr AS %s.",
							 name)));
		cb->attno = i;
		cb->name = name;
		ev->max_att = Max(ev->max_att, i + 1);

		base = getBaseTypeAndTypmod(att->atttypid, &basetypmod);
		switch (base)
		{
			case INT2OID:
				cb->cls = CPC_INT2;
				break;
			case INT4OID:
				cb->cls = CPC_INT4;
				break;
			case INT8OID:
				cb->cls = CPC_INT8;
				break;
			case NUMERICOID:
				cb->cls = CPC_NUMERIC;
				break;
			case BOOLOID:
				cb->cls = CPC_BOOL;
				break;
			case TEXTOID:
			case VARCHAROID:
				cb->cls = CPC_TEXT;
				break;
			case BPCHAROID:
				cb->cls = CPC_BPCHAR;
				break;
			case NAMEOID:
				cb->cls = CPC_NAME;
				break;
			case UNKNOWNOID:
				cb->cls = CPC_CSTRING;
				break;
			case DATEOID:
				cb->cls = CPC_DATE;
				break;
			case TIMESTAMPOID:
				cb->cls = CPC_TIMESTAMP;
				break;
			case TIMESTAMPTZOID:
				cb->cls = CPC_TIMESTAMPTZ;
				break;
			case FLOAT4OID:
			case FLOAT8OID:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of type %s cannot be used by a policy",
								name, format_type_be(att->atttypid)),
						 errhint("Cast it to numeric: floating point is never used for money.")));
				break;
			case CASHOID:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of type %s cannot be used by a policy",
								name, format_type_be(att->atttypid)),
						 errhint("Cast it to numeric: the money type depends on the session's lc_monetary.")));
				break;
			default:
				get_type_category_preferred(base, &category, &preferred);
				if (type_is_enum(base))
				{
					cb->cls = CPC_ENUM;
					cb->enums = palloc0(sizeof(CpEnumLabel) * CP_ENUM_CACHE);
				}
				else if (category == TYPCATEGORY_STRING && get_typlen(base) == -1)
					cb->cls = CPC_TEXT;		/* citext and other text-like types */
				else
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("column \"%s\" of type %s cannot be used by a policy",
									name, format_type_be(att->atttypid)),
							 errhint("Policies read numbers (integer, numeric), boolean, text, date and timestamp columns.")));
		}
	}
}

/*
 * [issue 8, defect 7: bind-time half of quoted identifiers; the parser
 * helper's only change to this file.]  A built-in written bare (outage_days)
 * means the built-in, and "outage_days" in double quotes the column.  The
 * parser cannot know whether the row has such a column, so a bare built-in
 * whose name is also a column of this row type is ambiguous: an error, so
 * that the column is never silently replaced by the built-in.
 */
static void
check_builtin_shadowing(CpEval *ev)
{
	bool		seen[CP_BUILTIN_OUTAGE_DAYS + 1] = {0};
	int			i,
				j;

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		const char *name;

		if (n->op != CP_OP_BUILTIN || n->a < 1 || n->a > CP_BUILTIN_OUTAGE_DAYS || seen[n->a])
			continue;
		seen[n->a] = true;
		name = cp_builtin_name((CpBuiltin) n->a);
		for (j = 0; j < ev->tupdesc->natts; j++)
		{
			Form_pg_attribute a = TupleDescAttr(ev->tupdesc, j);

			if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("%s in policy \"%s\" is ambiguous: row type %s has a column of that name",
								name, str_at(ev, ev->rs->name), format_type_be(ev->rowtype)),
						 errdetail("Written bare, %s is the policy's built-in value.", name),
						 errhint("To read the column, write \"%s\" in double quotes; to keep the built-in, select the column under another name.",
								 name)));
		}
	}
}

static void
set_const(CpEval *ev, int32 idx, const CpValue *v)
{
	ev->konst[idx] = *v;
	ev->is_const[idx] = true;
}

/* Literals, builtins, and the few operators on them that cannot fail. */
static void
fold_constants(CpEval *ev)
{
	int			i;
	bool		changed = true;
	const CpWindow *w = ev->windows;
	int64		min_lo = 0,
				max_hi = 0;

	for (i = 0; i < ev->n_windows; i++)
	{
		if (i == 0 || w[i].lo < min_lo)
			min_lo = w[i].lo;
		if (i == 0 || w[i].hi > max_hi)
			max_hi = w[i].hi;
	}

	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		CpValue		v;

		memset(&v, 0, sizeof(v));
		switch ((CpOp) n->op)
		{
			case CP_OP_NUM:
				if (cp_rat_from_decimal(n->v, n->a, &v.u.num))
				{
					v.kind = CPV_NUM;
					set_const(ev, i, &v);
				}
				break;
			case CP_OP_STR:
				v.kind = CPV_TEXT;
				v.u.text.p = str_at(ev, n->a);
				v.u.text.len = strlen(v.u.text.p);
				set_const(ev, i, &v);
				break;
			case CP_OP_BOOL:
				v.kind = CPV_BOOL;
				v.u.b = (n->v != 0);
				set_const(ev, i, &v);
				break;
			case CP_OP_NULL:
				v.kind = CPV_NULL;
				set_const(ev, i, &v);
				break;
			case CP_OP_DATE:
			case CP_OP_TIMESTAMP:
				v.kind = CPV_TIME;
				v.u.time.lo = n->v;
				v.u.time.hi = n->w;
				set_const(ev, i, &v);
				break;
			case CP_OP_REVIEW:
				v.kind = CPV_REVIEW;
				v.u.reason = str_at(ev, n->a);
				set_const(ev, i, &v);
				break;
			case CP_OP_NOAWARD:
				v.kind = CPV_NOAWARD;
				set_const(ev, i, &v);
				break;
			case CP_OP_BUILTIN:
				if (!ev->have_outage)
					v.kind = CPV_NULL;
				else
				{
					switch ((CpBuiltin) n->a)
					{
						case CP_BUILTIN_OUTAGE_START:
							v.kind = CPV_TIME;
							v.u.time.lo = min_lo;
							v.u.time.hi = min_lo + 1;
							break;
						case CP_BUILTIN_OUTAGE_END:
							v.kind = CPV_TIME;
							v.u.time.lo = max_hi;
							v.u.time.hi = max_hi + 1;
							break;
						case CP_BUILTIN_OUTAGE_HOURS:
							v.kind = CPV_NUM;
							if (!cp_rat_make128(ev->outage_usecs, USECS_PER_HOUR_I, &v.u.num))
								corrupt("outage too long");
							break;
						case CP_BUILTIN_OUTAGE_DAYS:
							v.kind = CPV_NUM;
							if (!cp_rat_make128(ev->outage_usecs, USECS_PER_DAY, &v.u.num))
								corrupt("outage too long");
							break;
					}
				}
				set_const(ev, i, &v);
				break;
			default:
				break;
		}
	}

	/* percent and negation of constant numbers, until nothing changes */
	while (changed)
	{
		changed = false;
		for (i = 0; i < ev->n_nodes; i++)
		{
			const CpNode *n = &ev->nodes[i];
			CpValue		v;

			if (ev->is_const[i])
				continue;
			if ((n->op == CP_OP_PERCENT || n->op == CP_OP_NEG) &&
				ev->is_const[n->a] && ev->konst[n->a].kind == CPV_NUM)
			{
				CpRational	hundredth = {1, 100};

				v = ev->konst[n->a];
				if (n->op == CP_OP_NEG)
					v.u.num = cp_rat_neg(v.u.num);
				else if (!cp_rat_mul(v.u.num, hundredth, &v.u.num))
					continue;
				set_const(ev, i, &v);
				changed = true;
			}
		}
	}
}

/* Can column node idx guard a rule against a constant of this kind? */
static bool
guard_column(const CpEval *ev, int32 idx, uint8 kind)
{
	const CpNode *n = &ev->nodes[idx];

	if (n->op != CP_OP_COLUMN)
		return false;
	switch (ev->cols[n->a].cls)
	{
		case CPC_INT2:
		case CPC_INT4:
		case CPC_INT8:
		case CPC_NUMERIC:
			return kind == CPV_NUM;
		case CPC_TEXT:
		case CPC_BPCHAR:
		case CPC_NAME:
		case CPC_CSTRING:
		case CPC_ENUM:
			return kind == CPV_TEXT;
		default:
			return false;
	}
}

/*
 * Build the rule index (see CpEval.gcols).  Only a column and a constant of
 * the same kind make a guard, so a comparison that raises a type error is
 * left to the rule, which raises it as before.
 */
static void
find_guards(CpEval *ev)
{
	int			n = Max(ev->n_rules, 1);
	int32		last_unguarded = -1;
	int32	   *last_col = palloc(sizeof(int32) * Max(ev->n_columns, 1));
	int32	   *last_null = palloc(sizeof(int32) * Max(ev->n_columns, 1));
	int			i;

	ev->next_unguarded = palloc(sizeof(int32) * n);
	ev->next_key = palloc(sizeof(int32) * n);
	ev->next_col = palloc(sizeof(int32) * n);
	ev->next_null = palloc(sizeof(int32) * n);
	ev->gcols = palloc(sizeof(CpGuardCol) * Max(ev->n_columns, 1));
	ev->n_gcols = 0;
	ev->first_unguarded = -1;
	ev->guards = cpguard_create(ev->mcxt, Max(ev->n_rules, 16), NULL);

	for (i = 0; i < ev->n_rules; i++)
	{
		int32		leaf = ev->rules[i].cond;
		int32		col_node = -1,
					const_node = -1;
		int			g;
		CpGuardKey	key;
		CpGuardEntry *e;
		bool		found;
		const CpValue *kv;

		ev->next_unguarded[i] = ev->next_key[i] = -1;
		ev->next_col[i] = ev->next_null[i] = -1;
		if (leaf != CP_NONE_IDX)
		{
			const CpNode *nd;

			while (ev->nodes[leaf].op == CP_OP_AND)
				leaf = ev->nodes[leaf].a;
			nd = &ev->nodes[leaf];
			if (nd->op == CP_OP_EQ)
			{
				if (ev->is_const[nd->b] &&
					guard_column(ev, nd->a, ev->konst[nd->b].kind))
				{
					col_node = nd->a;
					const_node = nd->b;
				}
				else if (ev->is_const[nd->a] &&
						 guard_column(ev, nd->b, ev->konst[nd->a].kind))
				{
					col_node = nd->b;
					const_node = nd->a;
				}
			}
		}
		if (col_node < 0)
		{
			if (last_unguarded < 0)
				ev->first_unguarded = i;
			else
				ev->next_unguarded[last_unguarded] = i;
			last_unguarded = i;
			continue;
		}

		/* its column's lists */
		for (g = 0; g < ev->n_gcols; g++)
			if (ev->gcols[g].col == ev->nodes[col_node].a)
				break;
		if (g == ev->n_gcols)
		{
			ev->gcols[g].col = ev->nodes[col_node].a;
			ev->gcols[g].first_col = -1;
			ev->gcols[g].first_null = -1;
			ev->n_gcols++;
		}
		if (ev->gcols[g].first_col < 0)
			ev->gcols[g].first_col = i;
		else
			ev->next_col[last_col[g]] = i;
		last_col[g] = i;
		if (ev->rules[i].cond != leaf)
		{
			if (ev->gcols[g].first_null < 0)
				ev->gcols[g].first_null = i;
			else
				ev->next_null[last_null[g]] = i;
			last_null[g] = i;
		}

		/* its guard's list */
		kv = &ev->konst[const_node];
		memset(&key, 0, sizeof(key));
		key.col = ev->nodes[col_node].a;
		key.kind = kv->kind;
		if (kv->kind == CPV_NUM)
			key.num = kv->u.num;
		else
		{
			key.p = kv->u.text.p;
			key.len = kv->u.text.len;
		}
		e = cpguard_insert(ev->guards, key, &found);
		if (!found)
			e->first = i;
		else
			ev->next_key[e->last] = i;
		e->last = i;
	}
	ev->cursors = palloc(sizeof(CpCursor) * (ev->n_gcols + 1));
	pfree(last_col);
	pfree(last_null);
}

static void
compute_outage(CpEval *ev)
{
	int			i;
	int64		total = 0;
	int64		days = 0;
	bool		whole = true;

	ev->have_outage = ev->n_windows > 0;
	for (i = 0; i < ev->n_windows; i++)
	{
		const CpWindow *w = &ev->windows[i];
		DateADT		dlo,
					dhi;
		int64		ulo,
					uhi;
		int64		len;

		/*
		 * hi - lo itself can overflow in a corrupt value whose ends are far
		 * outside the timestamp range (found by test/fuzz,
		 * fuzz_ruleset_value).
		 */
		if (pg_sub_s64_overflow(w->hi, w->lo, &len) ||
			pg_add_s64_overflow(total, len, &total))
			corrupt("outage too long");
		if (whole)
		{
			instant_to_local(ev, w->lo, &dlo, &ulo, NULL);
			instant_to_local(ev, w->hi, &dhi, &uhi, NULL);
			if (ulo != 0 || uhi != 0)
				whole = false;
			else
				days += dhi - dlo;
		}
	}
	ev->outage_usecs = total;
	ev->outage_days = (ev->have_outage && whole && days <= PG_INT32_MAX) ? (int32) days : -1;
}

/*
 * Locate the sections of rs (size bytes) in ev and check the whole value:
 * every count, index and string offset inside it, no cycles, bounded depth.
 * ERROR (XX001, or 0A000 for another format) otherwise.
 */
static void
check_ruleset(CpEval *ev, const CpRulesetData *rs, Size size)
{
	if (size < sizeof(CpRulesetData))
		corrupt("too short");
	ev->n_nodes = rs->n_nodes;
	ev->n_windows = rs->n_windows;
	ev->n_args = rs->n_args;
	ev->n_rules = rs->n_rules;
	ev->n_lets = rs->n_lets;
	ev->n_awards = rs->n_awards;
	ev->n_columns = rs->n_columns;
	ev->strings_len = rs->strings_len;

	/*
	 * Counts before anything is computed from them: a negative count makes
	 * the section offsets below wrap around, and pointer arithmetic past the
	 * value is undefined even before it is read (found by test/fuzz,
	 * fuzz_ruleset_value).
	 */
	if (rs->n_nodes < 0 || rs->n_windows < 0 || rs->n_args < 0 ||
		rs->n_rules < 0 || rs->n_lets < 0 || rs->n_awards < 0 ||
		rs->n_columns < 0 || rs->n_instruments < 0 || rs->strings_len < 0)
		corrupt("negative section size");
	if (rs->format == CP_FORMAT_VERSION &&
		cp_ruleset_section_offset(rs, CP_SECTION_END) > size)
		corrupt("sections run past the end");
	ev->nodes = CpNodes(rs);
	ev->windows = CpWindows(rs);
	ev->args = CpArgs(rs);
	ev->rules = CpRules(rs);
	ev->lets = CpLets(rs);
	ev->awards = CpAwards(rs);
	ev->columns = CpColumns(rs);
	ev->strings = CpStrings(rs);
	validate_ruleset(ev, size);
	check_acyclic(ev);
}

/*
 * The same check for a caller that reads a stored value without evaluating
 * it (ruleset_out, ruleset_send, the accessors, the planner's rewrite):
 * they follow the value's indexes too, and a damaged value must be an
 * ERROR there as well, not a read of arbitrary memory (a policy_name() of
 * such a value crashed the server; found by test/fuzz).
 */
void
cp_ruleset_validate(const CpRulesetData *rs)
{
	CpEval		ev;

	memset(&ev, 0, sizeof(ev));
	ev.rs = unconstify(CpRulesetData *, rs);
	check_ruleset(&ev, rs, VARSIZE(rs));
}

static CpEval *
eval_build(MemoryContext parent, const CpRulesetData *src, Oid rowtype,
		   int32 rowtypmod)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "compensation evaluator",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	CpEval	   *volatile ev = NULL;

	PG_TRY();
	{
		Size		size = VARSIZE(src);
		CpRulesetData *rs;
		int			i;

		ev = palloc0(sizeof(CpEval));
		ev->mcxt = cxt;
		rs = palloc(size);
		memcpy(rs, src, size);
		ev->rs = rs;
		ev->rs_size = size;
		ev->fingerprint = rs->fingerprint;
		ev->rowtype = rowtype;
		ev->rowtypmod = rowtypmod;

		check_ruleset(ev, rs, size);
		ev->cur_rule = -1;

		ev->tz = cp_tz_lookup(str_at(ev, rs->timezone));
		for (i = 0; i < CP_DAY_CACHE; i++)
			ev->days[i].date = PG_INT32_MIN;
		ev->guess_offset = 0;

		ev->tupdesc = lookup_rowtype_tupdesc_copy(rowtype, rowtypmod);
		bind_columns(ev);
		check_builtin_shadowing(ev);	/* issue 8, defect 7 */
		ev->values = palloc0(sizeof(Datum) * Max(ev->max_att, 1));
		ev->isnull = palloc0(sizeof(bool) * Max(ev->max_att, 1));

		compute_outage(ev);
		ev->is_const = palloc0(sizeof(bool) * Max(ev->n_nodes, 1));
		ev->konst = palloc0(sizeof(CpValue) * Max(ev->n_nodes, 1));
		fold_constants(ev);
		find_guards(ev);

		ev->gen = 0;
		ev->col_gen = palloc0(sizeof(uint32) * Max(ev->n_columns, 1));
		ev->col_val = palloc0(sizeof(CpValue) * Max(ev->n_columns, 1));
		ev->let_gen = palloc0(sizeof(uint32) * Max(ev->n_lets, 1));
		ev->let_busy = palloc0(sizeof(uint32) * Max(ev->n_lets, 1));
		ev->let_val = palloc0(sizeof(CpValue) * Max(ev->n_lets, 1));
		ev->max_pending = 8;
		ev->pending = palloc(sizeof(CpPending) * ev->max_pending);
		ev->rowcxt = AllocSetContextCreate(cxt, "compensation row",
										   ALLOCSET_DEFAULT_SIZES);
		ev->empty_award = cp_award_empty(rs->currency, rs->exponent);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	return (CpEval *) ev;
}

/* Is this stored datum the same bytes that ev was last recognised by? */
static inline bool
raw_matches(const CpEval *ev, const struct varlena *raw, Size rawlen)
{
	return ev->raw_key != NULL && ev->raw_key_len == rawlen &&
		memcmp(ev->raw_key, raw, rawlen) == 0;
}

static CpEval *
holder_hit(CpEvalHolder *h, int i)
{
	CpEval	   *ev = h->slot[i];

	/* most recently used first */
	for (; i > 0; i--)
		h->slot[i] = h->slot[i - 1];
	h->slot[0] = ev;
	return ev;
}

CpEval *
cp_eval_prepare(void **cache, MemoryContext mcxt, Datum rules, Oid rowtype,
				int32 rowtypmod)
{
	CpEvalHolder *h = (CpEvalHolder *) *cache;
	struct varlena *raw = (struct varlena *) DatumGetPointer(rules);
	bool		keyed = VARATT_IS_COMPRESSED(raw) || VARATT_IS_EXTERNAL_ONDISK(raw);
	Size		rawlen = keyed ? VARSIZE_ANY(raw) : 0;
	CpRuleset	rs;
	CpEval	   *ev;
	int			i;

	if (h == NULL)
	{
		h = MemoryContextAllocZero(mcxt, sizeof(CpEvalHolder));
		*cache = h;
	}

	/* A compressed or out-of-line value: compare its stored bytes first. */
	if (keyed)
	{
		for (i = 0; i < h->n; i++)
		{
			ev = h->slot[i];
			if (ev->rowtype == rowtype && ev->rowtypmod == rowtypmod &&
				raw_matches(ev, raw, rawlen))
				return holder_hit(h, i);
		}
	}

	rs = (CpRuleset) PG_DETOAST_DATUM(rules);
	if (VARSIZE_ANY(rs) < sizeof(CpRulesetData))
		corrupt("too short");
	for (i = 0; i < h->n; i++)
	{
		ev = h->slot[i];
		if (ev->rowtype == rowtype && ev->rowtypmod == rowtypmod &&
			ev->rs_size == VARSIZE(rs) && ev->fingerprint == rs->fingerprint)
		{
			ev = holder_hit(h, i);
			goto found;
		}
	}

	/* Build a new one, evicting the least recently used. */
	ev = eval_build(mcxt, rs, rowtype, rowtypmod);
	if (h->n == CP_EVAL_SLOTS)
	{
		MemoryContextDelete(h->slot[CP_EVAL_SLOTS - 1]->mcxt);
		h->n--;
	}
	for (i = h->n; i > 0; i--)
		h->slot[i] = h->slot[i - 1];
	h->slot[0] = ev;
	h->n++;

found:
	if (keyed)
	{
		if (ev->raw_key)
			pfree(ev->raw_key);
		ev->raw_key = MemoryContextAlloc(ev->mcxt, rawlen);
		memcpy(ev->raw_key, raw, rawlen);
		ev->raw_key_len = rawlen;
	}
	if ((Pointer) rs != (Pointer) raw)
		pfree(rs);
	return ev;
}
