/*-------------------------------------------------------------------------
 *
 * timezone.c
 *	  Calendar arithmetic in a policy's own time zone.
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

TimestampTz
cp_add_local_days(pg_tz *tz, TimestampTz t, int32 days)
{
	DateADT		date;
	int64		usecs;

	cp_instant_to_local(tz, t, &date, &usecs, NULL);
	return cp_local_to_instant(tz, date + days, usecs);
}

int
cp_days_in_month(pg_tz *tz, TimestampTz t)
{
	DateADT		date;
	int			year,
				month,
				day;

	cp_instant_to_local(tz, t, &date, NULL, NULL);
	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return day_tab[isleap(year)][month - 1];
}
