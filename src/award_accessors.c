/*-------------------------------------------------------------------------
 *
 * award_accessors.c
 *	  Accessors on compensation.award added in 0.2.0: reviews() (why a
 *	  person is to decide) and local_window() (a claim or validity window
 *	  in the policy's own local time).
 *
 * reviews(award) is has(award, 'review')'s companion: has() says whether
 * a line is a review, reviews() gives the reasons, in line order.
 *
 * local_window(award, target) answers "when may the customer claim?" in
 * the words of the policy.  lines() returns the window as timestamptz,
 * which PostgreSQL prints in the session's TimeZone (the 6/17 Seoul window
 * reads 2025-06-16 15:00:00+00 in UTC); the award keeps, with each line
 * that has a time, the UTC offset of the policy's zone at that time, so the
 * window is given here as a tsrange of local times at that offset
 * ([2025-06-17 00:00, 2025-07-01 00:00) for Seoul), whatever the session.
 * The JSON form (award::jsonb) writes the same instants with their offset.
 * Both read only the award: a value stored by 0.1.0 (whose lines already
 * carry the offset) reads the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rangetypes.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "award.h"
#include "ruleset.h"

PG_FUNCTION_INFO_V1(compensation_award_reviews);
PG_FUNCTION_INFO_V1(compensation_award_local_window);

/*
 * reviews(award) -> text[]: the reasons of the award's review lines, in
 * line order; a review given without a reason is a NULL element; empty
 * when no line is a review.
 */
Datum
compensation_award_reviews(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	CpAwardLine *lines = CpAwardLines(aw);
	ArrayBuildState *astate = initArrayResult(TEXTOID, CurrentMemoryContext, false);
	int			i;

	for (i = 0; i < aw->n_lines; i++)
	{
		if (lines[i].kind != CP_AWARD_REVIEW)
			continue;
		if (lines[i].note >= 0)
			astate = accumArrayResult(astate,
									  CStringGetTextDatum(CpAwardString(aw, lines[i].note)),
									  false, TEXTOID, CurrentMemoryContext);
		else
			astate = accumArrayResult(astate, (Datum) 0, true, TEXTOID,
									  CurrentMemoryContext);
	}
	PG_RETURN_DATUM(makeArrayResult(astate, CurrentMemoryContext));
}

/* An instant as local time at a UTC offset; infinities stay infinite. */
static Timestamp
local_time(TimestampTz t, int32 utc_offset)
{
	Timestamp	result;

	if (TIMESTAMP_NOT_FINITE(t))
		return t;
	if (pg_add_s64_overflow(t, (int64) utc_offset * USECS_PER_SEC, &result) ||
		!IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return result;
}

/*
 * local_window(award, target) -> tsrange: the window (claim or valid) of
 * the first line on target (an instrument, item, flag or column) that has
 * one, as local times of the policy's zone, until exclusive; NULL if no
 * line on target has a window.  Review lines are on no target (as in
 * has()).
 */
Datum
compensation_award_local_window(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CpAwardLine *lines = CpAwardLines(aw);
	int			i;

	for (i = 0; i < aw->n_lines; i++)
	{
		CpAwardLine *l = &lines[i];
		TypeCacheEntry *typcache;
		RangeBound	lower,
					upper;

		if (l->kind == CP_AWARD_REVIEW || !(l->has & CP_LINE_WINDOW) ||
			strcmp(CpAwardString(aw, l->instrument), name) != 0)
			continue;
		typcache = lookup_type_cache(TSRANGEOID, TYPECACHE_RANGE_INFO);
		lower.val = TimestampGetDatum(local_time(l->window_lo, l->utc_offset));
		lower.infinite = false;
		lower.inclusive = true;
		lower.lower = true;
		upper.val = TimestampGetDatum(local_time(l->window_hi, l->utc_offset));
		upper.infinite = false;
		upper.inclusive = false;
		upper.lower = false;
		PG_RETURN_RANGE_P(make_range(typcache, &lower, &upper, false));
	}
	PG_RETURN_NULL();
}
