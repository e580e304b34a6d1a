/*-------------------------------------------------------------------------
 *
 * eval_dates.c
 *	  The evaluator's local calendar: date(), the date parts, calendar days
 *	  between two instants, months and years, and working days of the
 *	  policy's calendar (calendar.h).
 *
 * Out of eval_exec.c on purpose: a policy that uses none of this pays
 * nothing for it (the interpreter reaches it only through a function of
 * this file or a duration with months or working days, both rare and
 * tested with unlikely()).  Every instant is read as a local date and
 * wall-clock time in the policy's zone, through the evaluator's day cache.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "utils/datetime.h"

#include "eval_int.h"

static void pg_attribute_noreturn()
date_range_error(CpEval *ev, int32 node)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("time out of range in rule \"%s\"", EvalRuleName(ev)),
			 errdetail("The result of %s is not a valid timestamp.",
					   EvalNodeText(ev, node))));
}

static const CpCalendar *
policy_calendar(CpEval *ev)
{
	/* cp_ruleset_check() made sure a policy that counts them has one */
	if (ev->cal == NULL)
		elog(ERROR, "policy \"%s\" counts working days but has no calendar",
			 str_at(ev, ev->rs->name));
	return ev->cal;
}

/*
 * explain: what the calendar skipped, once per span however often the
 * rule computes it (a condition and a let alike, and explain evaluates a
 * failed condition again to find the part that failed).
 */
static void
note_skips(CpEval *ev, int64 from, int64 to)
{
	StringInfoData note;

	initStringInfo(&note);
	cp_calendar_describe_skips(policy_calendar(ev), from, to, &note);
	if (strstr(ev->notes->data, note.data) != NULL)
		return;
	if (ev->notes->len > 0)
		appendStringInfoString(ev->notes, "; ");
	appendBinaryStringInfo(ev->notes, note.data, note.len);
}

/*
 * Which one measure a duration is, for ordering and dividing durations:
 * -1 zero (any), 0 a mix of two, 1 time, 2 days, 3 months, 4 working days;
 * *amount is its size in that measure.
 */
static int
duration_measure(const CpValue *d, int64 *amount)
{
	int			t = d->u.dur.usecs != 0,
				dd = d->u.dur.days != 0,
				m = d->u.dur.months != 0;

	*amount = 1;
	if (d->working)
	{
		*amount = d->u.dur.days;
		return 4;
	}
	if (t + dd + m == 0)
	{
		*amount = 0;
		return -1;
	}
	if (t + dd + m > 1)
		return 0;
	*amount = t ? d->u.dur.usecs : (dd ? d->u.dur.days : d->u.dur.months);
	return t ? 1 : (dd ? 2 : 3);
}

/*
 * The order of two durations of which one has months or working days: only
 * like with like (a month is 28 to 31 days, a working day one or more).
 */
int
EvalDurationOrder(CpEval *ev, int32 node, const CpValue *l, const CpValue *r)
{
	int64		a,
				b;
	int			ml = duration_measure(l, &a),
				mr = duration_measure(r, &b);

	if (ml == -1)
		ml = mr;
	if (mr == -1)
		mr = ml;
	if (ml == 0 || ml != mr)
		EvalTypeError(ev, node, "order durations that mix months, working days, calendar days and hours");
	return (a > b) - (a < b);
}

/* l / r for two durations of one measure: a number (15 hours / 720 hours). */
void
EvalDurationRatio(CpEval *ev, int32 node, const CpValue *l, const CpValue *r,
			   CpValue *out)
{
	int64		a,
				b;
	int			ml = duration_measure(l, &a),
				mr = duration_measure(r, &b);

	if (mr == -1 || (mr == 4 && b == 0))
		ereport(ERROR,
				(errcode(ERRCODE_DIVISION_BY_ZERO),
				 errmsg("division by zero in rule \"%s\"", EvalRuleName(ev)),
				 errdetail("The divisor of %s is zero.", EvalNodeText(ev, node))));
	if (ml == -1)
		ml = mr;
	if (ml == 0 || mr == 0 || ml != mr)
		EvalTypeError(ev, node, "divide durations that mix months, working days, calendar days and hours");
	out->kind = CPV_NUM;
	if (!cp_rat_make128(a, b, &out->u.num))
		EvalOverflowError(ev, node);
}

int64
EvalLocalDaysUsecs(CpEval *ev, int32 node, int64 a, int64 b)
{
	DateADT		da,
				db;
	int64		ua,
				ub,
				days;

	cp_tz_instant_to_local(&ev->tzc, a, &da, &ua, NULL);
	cp_tz_instant_to_local(&ev->tzc, b, &db, &ub, NULL);
	if (pg_mul_s64_overflow((int64) db - da, USECS_PER_DAY, &days) ||
		pg_add_s64_overflow(days, ub - ua, &days))
		EvalOverflowError(ev, node);
	return days;
}

/* Argument i of call n, a finite time; false (out set) if it is special. */
static bool
time_arg(CpEval *ev, int32 node, const CpNode *n, int i, CpValue *v, CpValue *out)
{
	EvalNode(ev, ev->args[n->a + i], v);
	if (CPV_IS_SPECIAL(v->kind))
	{
		*out = *v;
		return false;
	}
	if (v->kind != CPV_TIME)
		EvalTypeError(ev, node, n->b == CP_FUNC_WORKING_DAYS ?
					  psprintf("count working days between %s and a time",
							   EvalKindName(v->kind)) :
					  psprintf("take the %s of %s", cp_func_name((CpFunc) n->b),
							   EvalKindName(v->kind)));
	if (!TIME_IS_FINITE(v))
		date_range_error(ev, node);
	return true;
}

void
EvalDateCall(CpEval *ev, int32 node, const CpNode *n, CpValue *out)
{
	CpValue		a,
				b;
	DateADT		d;
	int64		usecs;
	int			year,
				month,
				day;

	if (n->b == CP_FUNC_WORKING_DAYS)
	{
		DateADT		db;

		if (n->c != 2)
			elog(ERROR, "working_days() takes two arguments");
		if (!time_arg(ev, node, n, 0, &a, out) || !time_arg(ev, node, n, 1, &b, out))
			return;
		cp_tz_instant_to_local(&ev->tzc, a.u.time.lo, &d, NULL, NULL);
		cp_tz_instant_to_local(&ev->tzc, b.u.time.lo, &db, NULL, NULL);
		out->kind = CPV_NUM;
		out->u.num = cp_rat_int(cp_calendar_count(policy_calendar(ev), d, db));
		if (unlikely(ev->notes != NULL))
			note_skips(ev, d, db);
		return;
	}

	if (n->c != 1)
		elog(ERROR, "%s() takes one argument", cp_func_name((CpFunc) n->b));
	if (!time_arg(ev, node, n, 0, &a, out))
		return;
	cp_tz_instant_to_local(&ev->tzc, a.u.time.lo, &d, &usecs, NULL);
	out->kind = CPV_NUM;
	switch ((CpFunc) n->b)
	{
		case CP_FUNC_DATE:
			/* the whole local day, as a date literal is */
			out->kind = CPV_TIME;
			out->working = false;
			out->u.time.lo = cp_tz_local_to_instant(&ev->tzc, d, 0);
			out->u.time.hi = cp_tz_local_to_instant(&ev->tzc, d + 1, 0);
			return;
		case CP_FUNC_YEAR:
		case CP_FUNC_MONTH:
		case CP_FUNC_DAY:
			j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
			out->u.num = cp_rat_int(n->b == CP_FUNC_YEAR ? year :
									n->b == CP_FUNC_MONTH ? month : day);
			return;
		case CP_FUNC_WEEKDAY:
			out->u.num = cp_rat_int(cp_iso_weekday(d));
			return;
		case CP_FUNC_HOUR:
			out->u.num = cp_rat_int(usecs / USECS_PER_HOUR_I);
			return;
		default:
			break;
	}
	elog(ERROR, "unknown date function %d", n->b);
}

void
EvalShiftCalendar(CpEval *ev, int32 node, const CpValue *t, const CpValue *d,
				  bool negate, CpValue *out)
{
	int64		lo = t->u.time.lo,
				hi = t->u.time.hi;
	DateADT		dl,
				dh;
	int64		ul,
				uh,
				nd,
				nlo,
				nhi;

	cp_tz_instant_to_local(&ev->tzc, lo, &dl, &ul, NULL);
	if (d->working)
	{
		int64		count = negate ? -(int64) d->u.dur.days : d->u.dur.days;

		nd = cp_calendar_add(policy_calendar(ev), dl, count);
	}
	else
	{
		DateADT		r;
		int64		months = negate ? -(int64) d->u.dur.months : d->u.dur.months;

		if (!cp_date_add_months(dl, months, &r))
			date_range_error(ev, node);
		nd = r;
	}
	if (nd < -CP_FAST_DATE_LIMIT * 8 || nd > CP_FAST_DATE_LIMIT * 8)
		date_range_error(ev, node);
	if (d->working && unlikely(ev->notes != NULL))
		note_skips(ev, dl, nd);

	/* the same wall clock on the new day; a span keeps its local shape */
	nlo = cp_tz_local_to_instant(&ev->tzc, (DateADT) nd, ul);
	if (hi - lo == 1)
		nhi = nlo + 1;
	else
	{
		cp_tz_instant_to_local(&ev->tzc, hi, &dh, &uh, NULL);
		nhi = cp_tz_local_to_instant(&ev->tzc, (DateADT) (nd + (dh - dl)), uh);
	}
	if (!IS_VALID_TIMESTAMP(nlo) || !IS_VALID_TIMESTAMP(nhi - 1) || nhi <= nlo)
		date_range_error(ev, node);
	out->u.time.lo = nlo;
	out->u.time.hi = nhi;
}
