/*-------------------------------------------------------------------------
 *
 * eval_exec.c
 *	  The per-row interpreter: a bound policy (eval_bind.c) run over one row.
 *
 * Attributes are deformed lazily up to the highest one a rule actually
 * asks for, converted on first use and memoized; lets are memoized the same
 * way.  The rule index picks the rules that can match; their conditions
 * and the expressions under them are interpreted in place over the
 * ruleset's nodes.  Scratch memory lives in a context that is reset at the
 * start of every row.
 *
 * This is the hot path, kept in one translation unit so that the compiler
 * inlines across it (operand(), eval_column(), the comparisons).  Work done
 * once per call site is in eval_bind.c, award lines of a matched rule in
 * eval_award.c, explain's tracing in eval_explain.c.
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
#include "access/tupmacs.h"
#include "catalog/pg_enum.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "eval_int.h"

static void eval_node(CpEval *ev, int32 idx, CpValue *out);
static int	eval_cond(CpEval *ev, int32 idx);
static inline int test_cond(CpEval *ev, int32 idx);

/* ---------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------
 */

/* EvalRuleName, EvalTypeError and the other error helpers: eval_errors.c */

static void pg_attribute_noreturn()
time_range_error(CpEval *ev, int32 node)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("time out of range in rule \"%s\"", EvalRuleName(ev)),
			 node >= 0 ? errdetail("The result of %s is not a valid timestamp.",
								   EvalNodeText(ev, node)) : 0));
}

/* t moved by days calendar days in the policy zone, same wall clock. */
static int64
add_local_days(CpEval *ev, int64 t, int32 days, int32 node)
{
	DateADT		d;
	int64		usecs;
	int64		nd;

	cp_tz_instant_to_local(&ev->tzc, t, &d, &usecs, NULL);
	nd = (int64) d + days;
	if (nd < -CP_FAST_DATE_LIMIT * 8 || nd > CP_FAST_DATE_LIMIT * 8)
		time_range_error(ev, node);
	return cp_tz_local_to_instant(&ev->tzc, (DateADT) nd, usecs);
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

void
EvalColumnValueError(CpEval *ev, CpColBind *cb, CpExactStatus st)
{
	if (st == CP_EXACT_NAN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("column \"%s\" is NaN, which a policy cannot use", cb->name),
				 errdetail("Rule \"%s\" reads it.", EvalRuleName(ev))));
	else if (st == CP_EXACT_INFINITE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("column \"%s\" is infinite, which a policy cannot use", cb->name),
				 errdetail("Rule \"%s\" reads it.", EvalRuleName(ev))));
	else
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value of column \"%s\" is out of range for a policy", cb->name),
				 errdetail("Rule \"%s\" reads it; policy numbers are fractions of two 64-bit integers.",
						   EvalRuleName(ev))));
}

/* Column cb of this row into *d; true if it is NULL. */
static inline bool
row_datum(CpEval *ev, const CpColBind *cb, Datum *d)
{
	int			attno = cb->attno;

	if (ev->row_args != NULL)
	{
		int			k = cb->argidx;

		if (k < 0 || ev->row_args[k].isnull)
			return true;
		*d = ev->row_args[k].value;
		return false;
	}
	if (attno >= ev->nvalid)
		deform_upto(ev, attno + 1);
	*d = ev->values[attno];
	return ev->isnull[attno];
}

/*
 * A string varlena's bytes, in place unless it is compressed or out of
 * line (then detoasted into the current context, the row's).
 */
static inline void
text_of_datum(Datum d, CpValue *out)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		v = pg_detoast_datum_packed(v);
	out->u.text.p = VARDATA_ANY(v);
	out->u.text.len = VARSIZE_ANY_EXHDR(v);
}

/*
 * A timestamptz or date column's value as the interval [*lo, *hi), the
 * usual way: false for the datums read apart (an infinite timestamp, a date
 * far from the present era or infinite), which fetch_column reads.
 */
static inline bool
fast_time(CpEval *ev, const CpColBind *cb, Datum d, int64 *lo, int64 *hi)
{
	if (cb->cls == CPC_TIMESTAMPTZ)
	{
		TimestampTz t = DatumGetTimestampTz(d);

		if (TIMESTAMP_NOT_FINITE(t))
			return false;
		*lo = t;
		*hi = t + 1;
	}
	else
	{
		DateADT		date = DatumGetDateADT(d);
		CpDayEntry *e;

		if (date <= -CP_FAST_DATE_LIMIT || date >= CP_FAST_DATE_LIMIT)
			return false;
		e = cp_tz_day(&ev->tzc, date);
		*lo = e->m0;
		*hi = e->m1;
	}
	return true;
}

static void
fetch_column(CpEval *ev, int c, CpValue *out)
{
	CpColBind  *cb = &ev->cols[c];
	Datum		d;

	if (row_datum(ev, cb, &d))
	{
		out->kind = CPV_NULL;
		return;
	}
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
				EvalColumnValueError(ev, cb, CP_EXACT_OVERFLOW);
			break;
		case CPC_NUMERIC:
			{
				CpExactStatus st = cp_rat_from_numeric(d, &out->u.num);

				if (st != CP_EXACT_OK)
					EvalColumnValueError(ev, cb, st);
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
				out->kind = CPV_TEXT;
				text_of_datum(d, out);
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
				if (fast_time(ev, cb, d, &out->u.time.lo, &out->u.time.hi))
					break;
				if (DATE_IS_NOBEGIN(date))
					set_time_instant(out, DT_NOBEGIN);
				else if (DATE_IS_NOEND(date))
					set_time_instant(out, DT_NOEND);
				else
				{
					out->u.time.lo = cp_local_to_instant(ev->tzc.tz, date, 0);
					out->u.time.hi = cp_local_to_instant(ev->tzc.tz, date + 1, 0);
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
					set_time_instant(out, cp_tz_local_to_instant(&ev->tzc, (DateADT) date,
														   usecs));
				}
				break;
			}
		case CPC_TIMESTAMPTZ:
			set_time_instant(out, DatumGetTimestampTz(d));
			break;
		case CPC_MINOR:
			/* a column declared in minor units (issue 11): eval_table.c */
			EvalMinorColumn(ev, cb, d, out);
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

/*
 * Guard column c's value on this row, read once; NULL when reading it fails
 * (a NaN, infinite or out-of-range number): then all its rules are
 * evaluated, and the first that reads it raises the error as it always did.
 * Other columns cannot fail to convert, so reading them ahead of the rules
 * changes no result.
 */
const CpValue *
EvalGuardValue(CpEval *ev, int32 c)
{
	CpColBind  *cb = &ev->cols[c];
	CpValue    *v = &ev->col_val[c];

	if (ev->col_gen[c] == ev->gen)
		return v;
	if (cb->cls == CPC_INT8 || cb->cls == CPC_NUMERIC)
	{
		Datum		d;

		if (!row_datum(ev, cb, &d))
		{
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

/* Two words, byte for byte; the first byte tells most unequal ones apart. */
static inline bool
text_equal(const CpValue *l, const CpValue *r)
{
	return l->u.text.len == r->u.text.len &&
		(l->u.text.len == 0 ||
		 (l->u.text.p[0] == r->u.text.p[0] &&
		  memcmp(l->u.text.p, r->u.text.p, l->u.text.len) == 0));
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

/* Two times (intervals): a < b when a ends before b begins, a = b when they overlap. */
static inline int
compare_times_at(CpOp op, int64 alo, int64 ahi, int64 blo, int64 bhi)
{
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
	elog(ERROR, "unexpected comparison operator %d", (int) op);
	return CP_UNKNOWN;
}

static inline int
compare_times(CpOp op, const CpValue *l, const CpValue *r)
{
	return compare_times_at(op, l->u.time.lo, l->u.time.hi,
							r->u.time.lo, r->u.time.hi);
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
		EvalTypeError(ev, node, psprintf("compare %s with %s",
									  EvalKindName(l->kind), EvalKindName(r->kind)));
	switch ((CpValKind) l->kind)
	{
		case CPV_NUM:
			return cmp_result(op, cp_rat_cmp(l->u.num, r->u.num));
		case CPV_TEXT:
			if (op == CP_OP_EQ || op == CP_OP_NE)
				return (op == CP_OP_EQ) == text_equal(l, r);
			return cmp_result(op, text_cmp(l, r));
		case CPV_BOOL:
			return cmp_result(op, (int) l->u.b - (int) r->u.b);
		case CPV_TIME:
			return compare_times(op, l, r);
		case CPV_DURATION:
			{
				int			c;

				if (op == CP_OP_EQ || op == CP_OP_NE)
				{
					bool		eq = l->u.dur.days == r->u.dur.days &&
						l->u.dur.usecs == r->u.dur.usecs &&
						l->u.dur.months == r->u.dur.months &&
						l->working == r->working;

					return (op == CP_OP_EQ) == eq;
				}
				if (unlikely(l->working != r->working ||
							 l->u.dur.months != 0 || r->u.dur.months != 0))
					return cmp_result(op, EvalDurationOrder(ev, node, l, r));
				if (l->u.dur.days == 0 && r->u.dur.days == 0)
					c = (l->u.dur.usecs > r->u.dur.usecs) - (l->u.dur.usecs < r->u.dur.usecs);
				else if (l->u.dur.usecs == 0 && r->u.dur.usecs == 0)
					c = (l->u.dur.days > r->u.dur.days) - (l->u.dur.days < r->u.dur.days);
				else
					EvalTypeError(ev, node, "order durations that mix calendar days with hours");
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
	out->working = false;
	out->u.dur.days = 0;
	out->u.dur.usecs = 0;
	out->u.dur.months = 0;
	switch (unit)
	{
		case CP_UNIT_MONTHS:
		case CP_UNIT_YEARS:
			if (n.den != 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("duration of %s %s is not a whole number in rule \"%s\"",
								cp_rat_to_cstring(n), cp_unit_name(unit), EvalRuleName(ev)),
						 errdetail("The failing expression is %s.", EvalNodeText(ev, node)),
						 errhint("Round the number of months or years.")));
			if (unit == CP_UNIT_YEARS && !cp_rat_mul(n, cp_rat_int(12), &n))
				EvalOverflowError(ev, node);
			if (n.num > PG_INT32_MAX || n.num < -PG_INT32_MAX)
				EvalOverflowError(ev, node);
			out->u.dur.months = (int32) n.num;
			return;
		case CP_UNIT_WORKING_DAYS:
			out->working = true;
			/* FALLTHROUGH */
		case CP_UNIT_DAYS:
			if (n.den != 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("duration of %s days is not a whole number of days in rule \"%s\"",
								cp_rat_to_cstring(n), EvalRuleName(ev)),
						 errdetail("The failing expression is %s.", EvalNodeText(ev, node)),
						 errhint("Round the number of days, or use hours.")));
			if (n.num > PG_INT32_MAX || n.num < -PG_INT32_MAX)
				EvalOverflowError(ev, node);
			out->u.dur.days = (int32) n.num;
			return;
		case CP_UNIT_HOURS:
		case CP_UNIT_MINUTES:
			if (!cp_rat_mul(n, cp_rat_int(unit == CP_UNIT_HOURS ? USECS_PER_HOUR_I : USECS_PER_MINUTE_I), &u))
				EvalOverflowError(ev, node);
			if (u.den != 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("duration of %s %s is not a whole number of microseconds in rule \"%s\"",
								cp_rat_to_cstring(n), cp_unit_name(unit), EvalRuleName(ev)),
						 errdetail("The failing expression is %s.", EvalNodeText(ev, node))));
			out->u.dur.usecs = u.num;
			return;
	}
	elog(ERROR, "unknown duration unit %d", (int) unit);
}

/*
 * t + d (t - d if negate); an interval keeps its shape (a day stays a
 * day).  Months and working days are eval_dates.c's, applied first.
 */
static void
time_shift(CpEval *ev, int32 node, const CpValue *t, const CpValue *d,
		   bool negate, CpValue *out)
{
	int64		lo = t->u.time.lo,
				hi = t->u.time.hi;
	int32		days = negate ? -d->u.dur.days : d->u.dur.days;
	int64		usecs = negate ? -d->u.dur.usecs : d->u.dur.usecs;

	*out = *t;
	if (!TIME_IS_FINITE(t))
		return;
	if (unlikely(d->working || d->u.dur.months != 0))
	{
		EvalShiftCalendar(ev, node, t, d, negate, out);
		if (d->working)
			return;
		lo = out->u.time.lo;
		hi = out->u.time.hi;
	}
	if (days != 0)
	{
		int64		nlo = add_local_days(ev, lo, days, node);

		/* an instant stays one (hi == lo + 1; hi - lo could overflow) */
		hi = (lo < PG_INT64_MAX && hi == lo + 1) ? nlo + 1 : add_local_days(ev, hi, days, node);
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
							 errmsg("division by zero in rule \"%s\"", EvalRuleName(ev)),
							 errdetail("The divisor of %s is zero.", EvalNodeText(ev, node))));
				ok = cp_rat_div(l->u.num, r->u.num, &out->u.num);
				break;
			default:
				elog(ERROR, "unexpected arithmetic operator %d", (int) op);
				ok = false;
		}
		if (!ok)
			EvalOverflowError(ev, node);
		return;
	}

	if (op == CP_OP_ADD || op == CP_OP_SUB)
	{
		if (l->kind == CPV_TIME && r->kind == CPV_DURATION)
		{
			time_shift(ev, node, l, r, op == CP_OP_SUB, out);
			return;
		}
		if (op == CP_OP_ADD && l->kind == CPV_DURATION && r->kind == CPV_TIME)
		{
			time_shift(ev, node, r, l, false, out);
			return;
		}
		if (l->kind == CPV_DURATION && r->kind == CPV_DURATION)
		{
			int32		days;
			int64		usecs;
			int32		months;
			bool		bad;

			/* working days are counted on a calendar: they add only to themselves */
			if (l->working != r->working)
				EvalTypeError(ev, node, psprintf("%s working days and other durations",
												 op == CP_OP_ADD ? "add" : "subtract"));
			if (op == CP_OP_ADD)
				bad = pg_add_s32_overflow(l->u.dur.days, r->u.dur.days, &days) ||
					pg_add_s64_overflow(l->u.dur.usecs, r->u.dur.usecs, &usecs) ||
					pg_add_s32_overflow(l->u.dur.months, r->u.dur.months, &months);
			else
				bad = pg_sub_s32_overflow(l->u.dur.days, r->u.dur.days, &days) ||
					pg_sub_s64_overflow(l->u.dur.usecs, r->u.dur.usecs, &usecs) ||
					pg_sub_s32_overflow(l->u.dur.months, r->u.dur.months, &months);
			if (bad)
				EvalOverflowError(ev, node);
			out->kind = CPV_DURATION;
			out->working = l->working;
			out->u.dur.days = days;
			out->u.dur.usecs = usecs;
			out->u.dur.months = months;
			return;
		}
		if (op == CP_OP_SUB && l->kind == CPV_TIME && r->kind == CPV_TIME)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("cannot subtract a time from a time in rule \"%s\"",
							EvalRuleName(ev)),
					 errdetail("The failing expression is %s.", EvalNodeText(ev, node)),
					 errhint("Use hours(from, to) or days(from, to) for the time between two times.")));
	}
	if (op == CP_OP_MUL &&
		((l->kind == CPV_DURATION && r->kind == CPV_NUM) ||
		 (l->kind == CPV_NUM && r->kind == CPV_DURATION)))
	{
		const CpValue *d = l->kind == CPV_DURATION ? l : r;
		CpRational	n = l->kind == CPV_NUM ? l->u.num : r->u.num;
		CpRational	days,
					usecs,
					months;

		if (!cp_rat_mul(cp_rat_int(d->u.dur.days), n, &days) ||
			!cp_rat_mul(cp_rat_int(d->u.dur.usecs), n, &usecs) ||
			!cp_rat_mul(cp_rat_int(d->u.dur.months), n, &months))
			EvalOverflowError(ev, node);
		if (months.den != 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("duration is not a whole number of months in rule \"%s\"",
							EvalRuleName(ev)),
					 errdetail("The failing expression is %s.", EvalNodeText(ev, node))));
		if (months.num > PG_INT32_MAX || months.num < -PG_INT32_MAX)
			EvalOverflowError(ev, node);
		if (days.den != 1 || usecs.den != 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("duration is not a whole number of days and microseconds in rule \"%s\"",
							EvalRuleName(ev)),
					 errdetail("The failing expression is %s.", EvalNodeText(ev, node))));
		if (days.num > PG_INT32_MAX || days.num < -PG_INT32_MAX)
			EvalOverflowError(ev, node);
		out->kind = CPV_DURATION;
		out->working = d->working;
		out->u.dur.days = (int32) days.num;
		out->u.dur.usecs = usecs.num;
		out->u.dur.months = (int32) months.num;
		return;
	}
	if (op == CP_OP_DIV && l->kind == CPV_DURATION && r->kind == CPV_DURATION)
	{
		EvalDurationRatio(ev, node, l, r, out);
		return;
	}

	switch (op)
	{
		case CP_OP_ADD:
			EvalTypeError(ev, node, psprintf("add %s and %s",
										  EvalKindName(l->kind), EvalKindName(r->kind)));
		case CP_OP_SUB:
			EvalTypeError(ev, node, psprintf("subtract %s from %s",
										  EvalKindName(r->kind), EvalKindName(l->kind)));
		case CP_OP_MUL:
			EvalTypeError(ev, node, psprintf("multiply %s by %s",
										  EvalKindName(l->kind), EvalKindName(r->kind)));
		default:
			EvalTypeError(ev, node, psprintf("divide %s by %s",
										  EvalKindName(l->kind), EvalKindName(r->kind)));
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
			EvalTypeError(ev, node, psprintf("take the %s of %s",
										  is_max ? "max" : "min", EvalKindName(v.kind)));
		if (!have)
		{
			*out = v;
			have = true;
			continue;
		}
		if (v.kind != out->kind)
			EvalTypeError(ev, node, psprintf("take the %s of %s and %s",
										  is_max ? "max" : "min",
										  EvalKindName(out->kind), EvalKindName(v.kind)));
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
		EvalTypeError(ev, node, psprintf("count %s between %s and %s",
									  cp_func_name((CpFunc) n->b),
									  EvalKindName(a.kind), EvalKindName(b.kind)));
	if (!TIME_IS_FINITE(&a) || !TIME_IS_FINITE(&b))
		EvalOverflowError(ev, node);
	if (unit == USECS_PER_DAY)
		/* a day is a calendar day: the local wall clock's difference */
		diff = EvalLocalDaysUsecs(ev, node, a.u.time.lo, b.u.time.lo);
	else if (pg_sub_s64_overflow(b.u.time.lo, a.u.time.lo, &diff))
		EvalOverflowError(ev, node);
	out->kind = CPV_NUM;
	if (!cp_rat_make128(diff, unit, &out->u.num))
		EvalOverflowError(ev, node);
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
					EvalTypeError(ev, node, psprintf("round %s", EvalKindName(x.kind)));
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
						EvalTypeError(ev, node, psprintf("round to an increment that is %s",
													  EvalKindName(i.kind)));
					if (i.u.num.num <= 0)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("rounding increment %s is not positive in rule \"%s\"",
										cp_rat_to_cstring(i.u.num), EvalRuleName(ev)),
								 errdetail("The failing expression is %s.", EvalNodeText(ev, node))));
					inc = i.u.num;
				}
				if ((CpRounding) mode->a == CP_ROUND_UNSET)
					elog(ERROR, "round() needs a rounding mode");
				out->kind = CPV_NUM;
				if (!cp_round_rational(x.u.num, (CpRounding) mode->a, inc, &out->u.num))
					EvalOverflowError(ev, node);
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
					EvalTypeError(ev, node, psprintf("count the days in the month of %s",
												  EvalKindName(x.kind)));
				if (!TIME_IS_FINITE(&x))
					time_range_error(ev, node);
				cp_tz_instant_to_local(&ev->tzc, x.u.time.lo, &d, NULL, NULL);
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
		case CP_FUNC_DATE:
		case CP_FUNC_WORKING_DAYS:
		case CP_FUNC_YEAR:
		case CP_FUNC_MONTH:
		case CP_FUNC_DAY:
		case CP_FUNC_WEEKDAY:
		case CP_FUNC_HOUR:
			EvalDateCall(ev, node, n, out);
			return;
		case CP_FUNC_ABS:
			if (n->c != 1)
				elog(ERROR, "abs() takes one argument");
			eval_node(ev, ev->args[n->a], out);
			if (CPV_IS_SPECIAL(out->kind))
				return;
			if (out->kind != CPV_NUM)
				EvalTypeError(ev, node, psprintf("take the absolute value of %s",
											  EvalKindName(out->kind)));
			out->u.num = cp_rat_abs(out->u.num);
			return;
		case CP_FUNC_LOWER:
		case CP_FUNC_STARTS_WITH:
		case CP_FUNC_CONTAINS:
			/* issue 11's text tests, out of line: eval_table.c */
			EvalTextCall(ev, node, n, out);
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
				out->u.dur.months = -out->u.dur.months;
			}
			else
				EvalTypeError(ev, idx, psprintf("negate %s", EvalKindName(out->kind)));
			return;

		case CP_OP_PERCENT:
			eval_node(ev, n->a, out);
			if (CPV_IS_SPECIAL(out->kind))
				return;
			if (out->kind != CPV_NUM)
				EvalTypeError(ev, idx, psprintf("take a percentage of %s",
											 EvalKindName(out->kind)));
			{
				CpRational	hundredth = {1, 100};

				if (!cp_rat_mul(out->u.num, hundredth, &out->u.num))
					EvalOverflowError(ev, idx);
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
				EvalTypeError(ev, idx, psprintf("make a duration of %s", EvalKindName(l.kind)));
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
					EvalOverflowError(ev, idx);
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
			set_truth(out, test_cond(ev, idx));
			return;

		case CP_OP_MODE:
			elog(ERROR, "a rounding mode is not a value");
			return;

		case CP_OP_TIER_BELOW:
		case CP_OP_BELOW:
		case CP_OP_CASE:
		case CP_OP_CASE_SIMPLE:
		case CP_OP_CASE_VALUES:
		case CP_OP_DTABLE:
		case CP_OP_CELL_ANY:
		case CP_OP_CELL_TEST:
		case CP_OP_CELL_RANGE:
			/* issue 11's constructs, out of line: eval_table.c */
			EvalTableNode(ev, idx, out);
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

/*
 * Leaf f tested from the column's datum (eval_fast.c says which leaves have
 * one): the general path's answer, or CP_FAST_SLOW for a datum it must read
 * itself.
 */
static pg_attribute_always_inline int
fast_cond(CpEval *ev, const CpFastCond *f)
{
	const CpColBind *cb = &ev->cols[f->col];
	Datum		d;
	int64		lo,
				hi;
	int			t;

	if (row_datum(ev, cb, &d))
	{
		/* NULL: only "is null" knows; every other leaf is unknown */
		if (f->kind != CPF_IS_NULL)
			return CP_UNKNOWN;
		return f->negated ? CP_FALSE : CP_TRUE;
	}
	switch ((CpFastKind) f->kind)
	{
		case CPF_TIME_CMP:
			{
				const CpValue *k = &ev->konst[f->k1];

				if (!fast_time(ev, cb, d, &lo, &hi))
					return CP_FAST_SLOW;
				return compare_times_at((CpOp) f->op, lo, hi,
										k->u.time.lo, k->u.time.hi);
			}
		case CPF_TIME_RANGE:
			{
				const CpValue *k1 = &ev->konst[f->k1];
				const CpValue *k2 = &ev->konst[f->k2];

				if (!fast_time(ev, cb, d, &lo, &hi))
					return CP_FAST_SLOW;
				t = compare_times_at(CP_OP_GE, lo, hi, k1->u.time.lo, k1->u.time.hi) &&
					compare_times_at((CpOp) f->op, lo, hi, k2->u.time.lo, k2->u.time.hi);
				break;
			}
		case CPF_TIME_OUTAGE:
			{
				int			i;

				if (!fast_time(ev, cb, d, &lo, &hi))
					return CP_FAST_SLOW;
				t = CP_FALSE;
				for (i = 0; i < ev->n_windows; i++)
				{
					if (lo < ev->windows[i].hi && ev->windows[i].lo < hi)
					{
						t = CP_TRUE;
						break;
					}
				}
				break;
			}
		case CPF_INT_CMP:
			{
				int64		v;

				if (cb->cls == CPC_INT2)
					v = DatumGetInt16(d);
				else if (cb->cls == CPC_INT4)
					v = DatumGetInt32(d);
				else
				{
					v = DatumGetInt64(d);
					if (v == PG_INT64_MIN)
						return CP_FAST_SLOW;
				}
				return cmp_result((CpOp) f->op,
								  cp_rat_cmp(cp_rat_int(v), ev->konst[f->k1].u.num));
			}
		case CPF_TEXT_EQ:
			{
				CpValue		l;

				text_of_datum(d, &l);
				return (f->op == CP_OP_EQ) == text_equal(&l, &ev->konst[f->k1]);
			}
		case CPF_BOOL:
			t = DatumGetBool(d) ? CP_TRUE : CP_FALSE;
			break;
		case CPF_IS_NULL:
			t = CP_FALSE;
			break;
		default:
			return CP_FAST_SLOW;
	}
	return f->negated ? truth_not(t) : t;
}

/*
 * Condition idx in three-valued logic: a leaf with a test from the datum
 * (eval_fast.c) takes it, inline; anything else, and a datum the test
 * leaves to the general path, goes to eval_cond.
 */
static inline int
test_cond(CpEval *ev, int32 idx)
{
	const CpFastCond *f = &ev->fast[idx];

	if (f->kind != CPF_NONE)
	{
		int			t = fast_cond(ev, f);

		if (likely(t != CP_FAST_SLOW))
			return t;
	}
	return eval_cond(ev, idx);
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
			t = test_cond(ev, n->a);
			if (t == CP_FALSE)
				return CP_FALSE;
			u = test_cond(ev, n->b);
			if (u == CP_FALSE)
				return CP_FALSE;
			return (t == CP_TRUE && u == CP_TRUE) ? CP_TRUE : CP_UNKNOWN;
		case CP_OP_OR:
			t = test_cond(ev, n->a);
			if (t == CP_TRUE)
				return CP_TRUE;
			u = test_cond(ev, n->b);
			if (u == CP_TRUE)
				return CP_TRUE;
			return (t == CP_FALSE && u == CP_FALSE) ? CP_FALSE : CP_UNKNOWN;
		case CP_OP_NOT:
			return truth_not(test_cond(ev, n->a));

		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
			lp = operand(ev, n->a, &l);
			rp = operand(ev, n->b, &r);
			/* two times, or two words tested for equality: no call */
			if (lp->kind == CPV_TIME && rp->kind == CPV_TIME)
				return compare_times((CpOp) n->op, lp, rp);
			if (lp->kind == CPV_TEXT && rp->kind == CPV_TEXT &&
				(n->op == CP_OP_EQ || n->op == CP_OP_NE))
				return (n->op == CP_OP_EQ) == text_equal(lp, rp);
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
			if (lp->kind == CPV_TIME && rp->kind == CPV_TIME)
				t = compare_times(CP_OP_GE, lp, rp);
			else
				t = compare_values(ev, idx, CP_OP_GE, lp, rp);
			if (t != CP_FALSE)
			{
				CpOp		op = (n->flags & CP_NODE_EXCLUSIVE) ? CP_OP_LT : CP_OP_LE;

				rp = operand(ev, n->c, &r);
				if (lp->kind == CPV_TIME && rp->kind == CPV_TIME)
					u = compare_times(op, lp, rp);
				else
					u = compare_values(ev, idx, op, lp, rp);
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
					EvalTypeError(ev, idx, psprintf("ask whether %s is during the outage",
												 EvalKindName(lp->kind)));
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
			EvalTypeError(ev, idx, psprintf("use %s as a condition", EvalKindName(lp->kind)));
	}
}

/* ---------------------------------------------------------------------
 * Entry points for the other eval files (eval_int.h).  The interpreter
 * calls its static functions directly; these are for award lines and
 * explain, off the hot path.
 * ---------------------------------------------------------------------
 */

void
EvalNode(CpEval *ev, int32 idx, CpValue *out)
{
	eval_node(ev, idx, out);
}

/*
 * The "and" of conditions conds[0..n-1], evaluated in order as nested
 * "and"s would be (a false one stops; unknown unless all are true): the
 * rest of a rule whose guard holds (eval_award.c).
 */
int
EvalCondAll(CpEval *ev, const int32 *conds, int n)
{
	int			t = CP_TRUE;
	int			k;

	for (k = 0; k < n; k++)
	{
		int			u = test_cond(ev, conds[k]);

		if (u == CP_FALSE)
			return CP_FALSE;
		if (u == CP_UNKNOWN)
			t = CP_UNKNOWN;
	}
	return t;
}

int
EvalCond(CpEval *ev, int32 idx)
{
	return test_cond(ev, idx);
}

void
EvalColumn(CpEval *ev, int c, CpValue *out)
{
	eval_column(ev, c, out);
}

int
EvalCompare(CpEval *ev, int32 node, CpOp op, const CpValue *l, const CpValue *r)
{
	return compare_values(ev, node, op, l, r);
}

void
EvalTimeShift(CpEval *ev, int32 node, const CpValue *t, const CpValue *d,
			  bool negate, CpValue *out)
{
	time_shift(ev, node, t, d, negate, out);
}
