/*-------------------------------------------------------------------------
 *
 * timezone.c
 *	  Calendar arithmetic in a policy's own time zone, and the evaluator's
 *	  cache of local days (see timezone.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "timezone.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

pg_tz *
cp_tz_lookup(const char *name)
{
	pg_tz	   *tz = pg_tzset(name);

	if (tz == NULL || !pg_tz_acceptable(tz))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", name),
				 errhint("Use an IANA time zone name such as \"Asia/Seoul\" or \"UTC\".")));
	return tz;
}

static void
local_fields(DateADT date, int64 usecs, struct pg_tm *tm, fsec_t *fsec)
{
	int64		secs = usecs / USECS_PER_SEC;

	memset(tm, 0, sizeof(*tm));
	j2date(date + POSTGRES_EPOCH_JDATE, &tm->tm_year, &tm->tm_mon, &tm->tm_mday);
	tm->tm_hour = (int) (secs / SECS_PER_HOUR);
	tm->tm_min = (int) ((secs % SECS_PER_HOUR) / SECS_PER_MINUTE);
	tm->tm_sec = (int) (secs % SECS_PER_MINUTE);
	*fsec = (fsec_t) (usecs % USECS_PER_SEC);
}

TimestampTz
cp_local_to_instant(pg_tz *tz, DateADT date, int64 usecs)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	TimestampTz result;

	local_fields(date, usecs, &tm, &fsec);
	offset = DetermineTimeZoneOffset(&tm, tz);
	if (tm2timestamp(&tm, fsec, &offset, &result) != 0 || !IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for a policy")));
	return result;
}

void
cp_instant_to_local(pg_tz *tz, TimestampTz t, DateADT *date, int64 *usecs,
					int32 *utc_offset)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	if (timestamp2tm(t, &offset, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a policy")));
	if (date)
		*date = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
	if (usecs)
		*usecs = ((int64) tm.tm_hour * SECS_PER_HOUR + tm.tm_min * SECS_PER_MINUTE +
				  tm.tm_sec) * USECS_PER_SEC + fsec;
	if (utc_offset)
		*utc_offset = -offset;	/* PostgreSQL counts seconds west */
}

/* ---------------------------------------------------------------------
 * The day cache
 * ---------------------------------------------------------------------
 */

#define UNIX_EPOCH_OFFSET_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

void
cp_tz_cache_init(CpTzCache *c, pg_tz *tz)
{
	int			i;

	c->tz = tz;
	c->guess_offset = 0;
	for (i = 0; i < CP_DAY_CACHE; i++)
		c->days[i].date = PG_INT32_MIN;
}

/* Is the UTC offset the same all through [m0, m1)? */
static bool
offset_constant(pg_tz *tz, int64 m0, int64 m1)
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
							 &after_gmtoff, &after_isdst, tz);
	if (r == 0)
		return true;
	if (r < 0)
		return false;
	return (boundary - UNIX_EPOCH_OFFSET_SECS) * USECS_PER_SEC >= m1;
}

CpDayEntry *
cp_tz_day_fill(CpTzCache *c, DateADT d)
{
	CpDayEntry *e = &c->days[((uint32) d) % CP_DAY_CACHE];

	/* empty until filled: an error half way leaves no wrong entry */
	e->date = PG_INT32_MIN;
	e->m0 = cp_local_to_instant(c->tz, d, 0);
	e->m1 = cp_local_to_instant(c->tz, d + 1, 0);
	e->uniform = offset_constant(c->tz, e->m0, e->m1);
	e->date = d;
	return e;
}

void
cp_tz_instant_to_local_slow(CpTzCache *c, int64 t, DateADT *d, int64 *usecs,
							int32 *offset)
{
	int32		off;

	cp_instant_to_local(c->tz, t, d, usecs, &off);
	c->guess_offset = (int64) off * USECS_PER_SEC;
	if (offset)
		*offset = off;
}
