/*-------------------------------------------------------------------------
 *
 * calendar.c
 *	  Working days, months and years, on local dates (see calendar.h), and
 *	  the calendar's place in the ruleset format: its check and its
 *	  canonical header line.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/datetime.h"

#include "calendar.h"
#include "keywords.h"
#include "ruleset_format.h"
#include "strutil.h"

static const CpKeyword weekday_words[8] = {
	CP_NOT_KEYWORD, CP_KW_MONDAY, CP_KW_TUESDAY, CP_KW_WEDNESDAY, CP_KW_THURSDAY,
	CP_KW_FRIDAY, CP_KW_SATURDAY, CP_KW_SUNDAY
};

const char *
cp_weekday_word(int iso)
{
	if (iso < 1 || iso > 7)
		elog(ERROR, "unrecognized weekday: %d", iso);
	return CpKeywordWord(weekday_words[iso]);
}

/* ---------------------------------------------------------------------
 * Months
 * ---------------------------------------------------------------------
 */

bool
cp_date_add_months(DateADT d, int64 months, DateADT *out)
{
	int			year,
				month,
				day;
	int64		total,
				ny;
	int			nm,
				last;

	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (months > PG_INT32_MAX || months < -PG_INT32_MAX)
		return false;
	total = (int64) year * 12 + (month - 1) + months;
	ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
	nm = (int) (total - ny * 12) + 1;
	/* the date range of timestamps (JULIAN_MINYEAR .. 294276) */
	if (ny < -4713 || ny > 294276)
		return false;
	last = day_tab[isleap(ny)][nm - 1];
	if (day > last)
		day = last;
	*out = date2j((int) ny, nm, day) - POSTGRES_EPOCH_JDATE;
	return true;
}

/* ---------------------------------------------------------------------
 * Working days
 * ---------------------------------------------------------------------
 */

/* How many of days [0, n) of sorted a are <= d. */
static int32
count_upto(const DateADT *a, int32 n, int64 d)
{
	int32		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int32		mid = lo + (hi - lo) / 2;

		if ((int64) a[mid] <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
is_holiday(const CpCalendar *cal, int64 d)
{
	int32		k = count_upto(cal->holidays, cal->n_holidays, d);

	return k > 0 && (int64) cal->holidays[k - 1] == d;
}

bool
cp_calendar_is_working(const CpCalendar *cal, DateADT d)
{
	return !cp_weekend_day(cal->weekend, d) && !is_holiday(cal, d);
}

/* Weekdays that are not weekend days in (from, to], from <= to. */
static int64
weekdays_between(const CpCalendar *cal, int64 from, int64 to)
{
	int64		n = to - from;
	int64		result = (n / 7) * cal->per_week;
	int64		d;

	/* the remainder: fewer than seven days */
	for (d = from + (n / 7) * 7 + 1; d <= to; d++)
		if (!cp_weekend_day(cal->weekend, (DateADT) d))
			result++;
	return result;
}

int64
cp_calendar_count(const CpCalendar *cal, DateADT from, DateADT to)
{
	if (to < from)
		return -cp_calendar_count(cal, to, from);
	return weekdays_between(cal, from, to) -
		(count_upto(cal->closed, cal->n_closed, to) -
		 count_upto(cal->closed, cal->n_closed, from));
}

static int64
count64(const CpCalendar *cal, int64 from, int64 to)
{
	return weekdays_between(cal, from, to) -
		(count_upto(cal->closed, cal->n_closed, to) -
		 count_upto(cal->closed, cal->n_closed, from));
}

int64
cp_calendar_add(const CpCalendar *cal, DateADT d, int64 n)
{
	/*
	 * Every seven days hold per_week weekdays, so 7 * ceil((|n| + closed) /
	 * per_week) days hold at least |n| working days: search that span by
	 * halves for the first day that completes the count.
	 */
	int64		m = n < 0 ? -n : n;
	int64		span = 7 * ((m + cal->n_closed + cal->per_week - 1) / cal->per_week) + 7;
	int64		lo,
				hi;

	if (n == 0)
		return d;
	if (n > 0)
	{
		/* the least D in (d, d + span] with count(d, D] >= n */
		lo = (int64) d + 1;
		hi = (int64) d + span;
		while (lo < hi)
		{
			int64		mid = lo + (hi - lo) / 2;

			if (count64(cal, d, mid) >= m)
				hi = mid;
			else
				lo = mid + 1;
		}
		return lo;
	}
	/* the greatest D in [d - span, d) with working days in [D, d) >= m */
	lo = (int64) d - span;
	hi = (int64) d - 1;
	while (lo < hi)
	{
		int64		mid = hi - (hi - lo) / 2;

		if (count64(cal, mid - 1, (int64) d - 1) >= m)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void
append_day(StringInfo out, int64 d)
{
	int			year,
				month,
				day;

	j2date((int) (d + POSTGRES_EPOCH_JDATE), &year, &month, &day);
	appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
}

/* The first day after d that is not a working day (weekend or holiday). */
static int64
next_closed(const CpCalendar *cal, int64 d)
{
	int64		best = PG_INT64_MAX;
	int32		k;
	int			i;

	if (cal->weekend != 0)
		for (i = 1; i <= 7; i++)
			if (cp_weekend_day(cal->weekend, (DateADT) (d + i)))
			{
				best = d + i;
				break;
			}
	k = count_upto(cal->holidays, cal->n_holidays, d);
	if (k < cal->n_holidays && (int64) cal->holidays[k] < best)
		best = cal->holidays[k];
	return best;
}

#define CP_SKIPS_LISTED	12

void
cp_calendar_describe_skips(const CpCalendar *cal, int64 from, int64 to,
						   StringInfo out)
{
	int64		total,
				d;
	int			listed = 0;

	if (to < from)
	{
		int64		t = from;

		from = to;
		to = t;
	}
	total = (to - from) - count64(cal, from, to);
	appendStringInfo(out, "calendar \"%s\" from ", cal->name);
	append_day(out, from + 1);
	appendStringInfoString(out, " to ");
	append_day(out, to);
	appendStringInfo(out, ": " INT64_FORMAT " working day%s, skipped " INT64_FORMAT,
					 (to - from) - total, (to - from) - total == 1 ? "" : "s", total);
	for (d = next_closed(cal, from); d <= to && listed < CP_SKIPS_LISTED;
		 d = next_closed(cal, d))
	{
		appendStringInfoString(out, listed == 0 ? " (" : ", ");
		append_day(out, d);
		appendStringInfoString(out, is_holiday(cal, d) ? " holiday" : " weekend");
		listed++;
	}
	if (total > listed)
		appendStringInfo(out, " and " INT64_FORMAT " more", total - listed);
	if (listed > 0)
		appendStringInfoChar(out, ')');
}

/* ---------------------------------------------------------------------
 * The calendar in the ruleset
 * ---------------------------------------------------------------------
 */

int32
cp_calendar_let(const CpRulesetData *rs)
{
	const CpLet *lets = CpLets(rs);
	const CpNode *nodes = CpNodes(rs);
	int32		i;

	for (i = 0; i < rs->n_lets; i++)
		if (lets[i].rule == CP_NONE_IDX && nodes[lets[i].expr].op == CP_OP_CALENDAR)
			return i;
	return CP_NONE_IDX;
}

void
cp_calendar_load(const CpRulesetData *rs, int32 let, CpCalendar *cal)
{
	const CpNode *nodes = CpNodes(rs);
	const int32 *args = CpArgs(rs);
	const CpNode *n = &nodes[CpLets(rs)[let].expr];
	int32		i;
	int			w;

	cal->name = CpString(rs, CpLets(rs)[let].name);
	cal->weekend = (uint8) n->b;
	cal->per_week = 0;
	for (w = 1; w <= 7; w++)
		if (!((cal->weekend >> (w - 1)) & 1))
			cal->per_week++;
	cal->n_holidays = n->c;
	cal->holidays = palloc(sizeof(DateADT) * Max(n->c, 1));
	cal->closed = palloc(sizeof(DateADT) * Max(n->c, 1));
	cal->n_closed = 0;
	for (i = 0; i < n->c; i++)
	{
		DateADT		d = (DateADT) nodes[args[n->a + i]].a;

		cal->holidays[i] = d;
		if (!cp_weekend_day(cal->weekend, d))
			cal->closed[cal->n_closed++] = d;
	}
}

void
cp_print_calendar(StringInfo out, const CpRulesetData *rs, int32 let)
{
	const CpNode *nodes = CpNodes(rs);
	const int32 *args = CpArgs(rs);
	const CpNode *n = &nodes[CpLets(rs)[let].expr];
	int			w,
				k = 0;
	int32		i;

	appendStringInfoString(out, "calendar ");
	cp_append_quoted(out, CpString(rs, CpLets(rs)[let].name), '"');
	appendStringInfoString(out, " weekend");
	if (n->b == 0)
		appendStringInfoString(out, " none");
	for (w = 1; w <= 7; w++)
		if ((n->b >> (w - 1)) & 1)
			appendStringInfo(out, "%s %s", k++ ? "," : "", cp_weekday_word(w));
	for (i = 0; i < n->c; i++)
	{
		int			year,
					month,
					day;

		CHECK_FOR_INTERRUPTS();
		j2date(nodes[args[n->a + i]].a + POSTGRES_EPOCH_JDATE, &year, &month, &day);
		appendStringInfo(out, "%s%04d-%02d-%02d", i == 0 ? " holidays " : ", ",
						 year, month, day);
	}
}

/* Is node idx a calendar?  (A walker: true stops the walk.) */
static bool
child_is_calendar(int32 idx, void *context)
{
	const CpNode *nodes = (const CpNode *) context;

	return nodes[idx].op == CP_OP_CALENDAR;
}

void
cp_calendar_check(const CpRulesetData *rs)
{
	const CpNode *nodes = CpNodes(rs);
	const int32 *args = CpArgs(rs);
	const CpLet *lets = CpLets(rs);
	const CpRule *rules = CpRules(rs);
	const CpAwardSpec *awards = CpAwards(rs);
	int			n_calendars = 0;
	bool		uses_working = false;
	int32		i,
				k;

	for (i = 0; i < rs->n_nodes; i++)
	{
		const CpNode *n = &nodes[i];

		if ((n->op == CP_OP_DURATION && n->b == CP_UNIT_WORKING_DAYS) ||
			(n->op == CP_OP_CALL && n->b == CP_FUNC_WORKING_DAYS))
			uses_working = true;
		if (n->op == CP_OP_LET && nodes[lets[n->a].expr].op == CP_OP_CALENDAR)
			cp_ruleset_corrupt("a calendar used as a value");
		if (cp_node_walk_children(nodes, args, i, child_is_calendar, (void *) nodes))
			cp_ruleset_corrupt("a calendar inside an expression");
		if (n->op != CP_OP_CALENDAR)
			continue;
		if (n->b < 0 || n->b > CP_WEEKEND_MAX || (n->b & CP_WEEKEND_ALL) == CP_WEEKEND_ALL)
			cp_ruleset_corrupt("calendar without a working weekday");
		for (k = 0; k < n->c; k++)
		{
			const CpNode *h = &nodes[args[n->a + k]];

			if (h->op != CP_OP_DATE)
				cp_ruleset_corrupt("calendar holiday is not a date");
			if (k > 0 && h->a <= nodes[args[n->a + k - 1]].a)
				cp_ruleset_corrupt("calendar holidays not ascending");
		}
	}
	for (i = 0; i < rs->n_lets; i++)
	{
		if (nodes[lets[i].expr].op != CP_OP_CALENDAR)
			continue;
		if (lets[i].rule != CP_NONE_IDX)
			cp_ruleset_corrupt("a calendar inside a rule");
		n_calendars++;
	}
	for (i = 0; i < rs->n_rules; i++)
		if (rules[i].cond != CP_NONE_IDX && nodes[rules[i].cond].op == CP_OP_CALENDAR)
			cp_ruleset_corrupt("a calendar used as a condition");
	for (i = 0; i < rs->n_awards; i++)
	{
		const CpAwardSpec *a = &awards[i];
		int32		parts[4] = {a->amount, a->duration, a->window_lo, a->window_hi};

		for (k = 0; k < 4; k++)
			if (parts[k] != CP_NONE_IDX && nodes[parts[k]].op == CP_OP_CALENDAR)
				cp_ruleset_corrupt("a calendar used as an award");
	}
	for (i = 0; i < rs->n_windows; i++)
	{
		int32		lo = CpWindows(rs)[i].lo_node,
					hi = CpWindows(rs)[i].hi_node;

		if ((lo >= 0 && lo < rs->n_nodes && nodes[lo].op == CP_OP_CALENDAR) ||
			(hi >= 0 && hi < rs->n_nodes && nodes[hi].op == CP_OP_CALENDAR))
			cp_ruleset_corrupt("a calendar used as an outage");
	}
	if (n_calendars > 1)
		cp_ruleset_corrupt("more than one calendar");
	if (uses_working && n_calendars == 0)
		cp_ruleset_corrupt("working days without a calendar");
}
