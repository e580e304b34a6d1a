/*-------------------------------------------------------------------------
 *
 * shim_time.c
 *	  Backend shim for the fuzz harnesses: Julian dates, timestamp <-> broken
 *	  down time, and time zones.
 *
 * Written for the shim, not copied from the server: the calendar is the
 * proleptic Gregorian one with floor division, so it is total (no
 * overflow, no undefined behaviour of its own for any int input), and gives
 * the server's values over the range the server supports.
 *
 * Time zones are read by the C library from the same zoneinfo files the
 * Debian server uses (it is built --with-system-tzdata): a name is accepted
 * if /usr/share/zoneinfo has a file of that name.  The server also accepts
 * POSIX zone specifications and is case-insensitive; the shim is not, which
 * only means some inputs get "not recognized" here.  pg_next_dst_boundary
 * looks 48 hours ahead only, and reports a boundary (with equal offsets)
 * 48 hours on when there is none: its callers ask whether one day has a
 * single offset.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <limits.h>
#include <time.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "shim.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

const int	day_tab[2][13] =
{
	{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0},
	{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0}
};

static inline int64
floordiv(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64
days_from_civil(int64 y, int64 m, int64 d)
{
	int64		a = floordiv(14 - m, 12);
	int64		yy = y + 4800 - a;
	int64		mm = m + 12 * a - 3;

	return d + floordiv(153 * mm + 2, 5) + 365 * yy + floordiv(yy, 4) -
		floordiv(yy, 100) + floordiv(yy, 400) - 32045;
}

static void
civil_from_days(int64 jd, int64 *y, int *m, int *d)
{
	int64		a = jd + 32044;
	int64		b = floordiv(4 * a + 3, 146097);
	int64		c = a - floordiv(146097 * b, 4);
	int64		dd = floordiv(4 * c + 3, 1461);
	int64		e = c - floordiv(1461 * dd, 4);
	int64		mm = floordiv(5 * e + 2, 153);

	*d = (int) (e - floordiv(153 * mm + 2, 5) + 1);
	*m = (int) (mm + 3 - 12 * floordiv(mm, 10));
	*y = 100 * b + dd - 4800 + floordiv(mm, 10);
}

int
date2j(int year, int month, int day)
{
	return (int) days_from_civil(year, month, day);
}

void
j2date(int jd, int *year, int *month, int *day)
{
	int64		y;

	civil_from_days(jd, &y, month, day);
	*year = (int) y;
}

/* ---------------------------------------------------------------------
 * Zones
 * ---------------------------------------------------------------------
 */

struct pg_tz
{
	char		name[TZ_STRLEN_MAX + 1];
};

#define MAX_ZONES 1024
static pg_tz *zones[MAX_ZONES];
static int	n_zones = 0;
static const char *current_tz = NULL;

static pg_tz utc_zone = {"UTC"};
pg_tz	   *session_timezone = &utc_zone;
pg_tz	   *log_timezone = &utc_zone;

static bool
zone_name_ok(const char *name)
{
	const char *p;
	char		path[sizeof(ZONEINFO_DIR) + TZ_STRLEN_MAX + 2];
	struct stat st;

	if (name[0] == '\0' || name[0] == '/' || strlen(name) > TZ_STRLEN_MAX)
		return false;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			  *p == '+' || *p == '/'))
			return false;
	if (strstr(name, "..") != NULL)
		return false;
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO_DIR, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

pg_tz *
pg_tzset(const char *name)
{
	int			i;
	pg_tz	   *tz;

	for (i = 0; i < n_zones; i++)
		if (strcmp(zones[i]->name, name) == 0)
			return zones[i];
	if (!zone_name_ok(name) || n_zones >= MAX_ZONES)
		return NULL;
	tz = malloc(sizeof(pg_tz));
	if (tz == NULL)
		abort();
	strlcpy(tz->name, name, sizeof(tz->name));
	zones[n_zones++] = tz;
	return tz;
}

bool
pg_tz_acceptable(pg_tz *tz)
{
	return true;
}

const char *
pg_get_timezone_name(pg_tz *tz)
{
	return tz->name;
}

static void
use_zone(const pg_tz *tz)
{
	if (current_tz != tz->name)
	{
		char		spec[TZ_STRLEN_MAX + 2];

		/* ":" + name: read that zoneinfo file, never parse it as POSIX */
		snprintf(spec, sizeof(spec), ":%s", tz->name);
		setenv("TZ", spec, 1);
		tzset();
		current_tz = tz->name;
	}
}

/* The UTC offset (seconds east) and DST flag at Unix time t. */
static bool
zone_at(const pg_tz *tz, int64 t, long *gmtoff, int *isdst, struct tm *out)
{
	time_t		tt = (time_t) t;
	struct tm	r;

	use_zone(tz);
	if (localtime_r(&tt, &r) == NULL)
		return false;
	*gmtoff = r.tm_gmtoff;
	*isdst = r.tm_isdst;
	if (out)
		*out = r;
	return true;
}

static struct pg_tm *
to_pg_tm(const struct tm *r, struct pg_tm *out)
{
	out->tm_sec = r->tm_sec;
	out->tm_min = r->tm_min;
	out->tm_hour = r->tm_hour;
	out->tm_mday = r->tm_mday;
	out->tm_mon = r->tm_mon;
	out->tm_year = r->tm_year;
	out->tm_wday = r->tm_wday;
	out->tm_yday = r->tm_yday;
	out->tm_isdst = r->tm_isdst;
	out->tm_gmtoff = r->tm_gmtoff;
	out->tm_zone = NULL;
	return out;
}

struct pg_tm *
pg_localtime(const pg_time_t *timep, const pg_tz *tz)
{
	static struct pg_tm result;
	struct tm	r;
	long		gmtoff;
	int			isdst;

	if (!zone_at(tz, *timep, &gmtoff, &isdst, &r))
		return NULL;
	return to_pg_tm(&r, &result);
}

struct pg_tm *
pg_gmtime(const pg_time_t *timep)
{
	static struct pg_tm result;
	time_t		tt = (time_t) *timep;
	struct tm	r;

	if (gmtime_r(&tt, &r) == NULL)
		return NULL;
	return to_pg_tm(&r, &result);
}

int
pg_next_dst_boundary(const pg_time_t *timep, long int *before_gmtoff,
					 int *before_isdst, pg_time_t *boundary,
					 long int *after_gmtoff, int *after_isdst,
					 const pg_tz *tz)
{
	int64		t = *timep;
	int64		lo,
				hi;
	long		off;
	int			dst;
	int			k;

	if (!zone_at(tz, t, before_gmtoff, before_isdst, NULL))
		return -1;
	for (k = 1; k <= 48; k++)
	{
		if (!zone_at(tz, t + k * SECS_PER_HOUR, &off, &dst, NULL))
			return -1;
		if (off != *before_gmtoff || dst != *before_isdst)
			break;
	}
	if (k > 48)
	{
		*boundary = t + 48 * SECS_PER_HOUR;
		*after_gmtoff = *before_gmtoff;
		*after_isdst = *before_isdst;
		return 1;
	}
	/* the first second with the new offset lies in (lo, hi] */
	lo = t + (k - 1) * SECS_PER_HOUR;
	hi = t + k * SECS_PER_HOUR;
	while (hi - lo > 1)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (!zone_at(tz, mid, &off, &dst, NULL))
			return -1;
		if (off != *before_gmtoff || dst != *before_isdst)
			hi = mid;
		else
			lo = mid;
	}
	*boundary = hi;
	(void) zone_at(tz, hi, after_gmtoff, after_isdst, NULL);
	return 1;
}

/* ---------------------------------------------------------------------
 * Timestamps
 * ---------------------------------------------------------------------
 */

#define UNIX_EPOCH_SECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)

/* Fields of a count of microseconds since 2000-01-01 (no zone). */
static int
fields_of(int64 t, struct pg_tm *tm, fsec_t *fsec)
{
	/*
	 * Quotient and remainder as the server's TMODULO takes them: date *
	 * USECS_PER_DAY overflows for instants near the ends of int64.
	 */
	int64		date = t / USECS_PER_DAY;
	int64		time = t % USECS_PER_DAY;
	int64		y;

	if (time < 0)
	{
		time += USECS_PER_DAY;
		date -= 1;
	}

	date += POSTGRES_EPOCH_JDATE;
	if (date < 0 || date > (int64) INT_MAX)
		return -1;
	civil_from_days(date, &y, &tm->tm_mon, &tm->tm_mday);
	tm->tm_year = (int) y;
	tm->tm_hour = (int) (time / USECS_PER_HOUR);
	time -= (int64) tm->tm_hour * USECS_PER_HOUR;
	tm->tm_min = (int) (time / USECS_PER_MINUTE);
	time -= (int64) tm->tm_min * USECS_PER_MINUTE;
	tm->tm_sec = (int) (time / USECS_PER_SEC);
	*fsec = (fsec_t) (time - (int64) tm->tm_sec * USECS_PER_SEC);
	return 0;
}

int
timestamp2tm(Timestamp dt, int *tzp, struct pg_tm *tm, fsec_t *fsec,
			 const char **tzn, pg_tz *attimezone)
{
	long		gmtoff;
	int			isdst;
	int64		local;

	if (attimezone == NULL)
		attimezone = session_timezone;
	if (tzn)
		*tzn = NULL;
	if (tzp == NULL)
	{
		tm->tm_isdst = -1;
		tm->tm_gmtoff = 0;
		tm->tm_zone = NULL;
		return fields_of(dt, tm, fsec);
	}
	if (!zone_at(attimezone, floordiv(dt, USECS_PER_SEC) + UNIX_EPOCH_SECS,
				 &gmtoff, &isdst, NULL))
	{
		/* beyond what the zone files describe: UTC, as the server does */
		gmtoff = 0;
		isdst = -1;
	}
	if (pg_add_s64_overflow(dt, (int64) gmtoff * USECS_PER_SEC, &local))
		return -1;
	if (fields_of(local, tm, fsec) != 0)
		return -1;
	tm->tm_isdst = isdst;
	tm->tm_gmtoff = gmtoff;
	tm->tm_zone = NULL;
	*tzp = (int) -gmtoff;
	return 0;
}

int
tm2timestamp(struct pg_tm *tm, fsec_t fsec, int *tzp, Timestamp *result)
{
	int64		date;
	int64		time;

	*result = 0;
	if (!IS_VALID_JULIAN(tm->tm_year, tm->tm_mon, tm->tm_mday))
		return -1;
	date = date2j(tm->tm_year, tm->tm_mon, tm->tm_mday) - POSTGRES_EPOCH_JDATE;
	time = (((int64) tm->tm_hour * MINS_PER_HOUR + tm->tm_min) * SECS_PER_MINUTE +
			tm->tm_sec) * USECS_PER_SEC + fsec;
	if (pg_mul_s64_overflow(date, USECS_PER_DAY, result) ||
		pg_add_s64_overflow(*result, time, result))
		return -1;
	if (tzp != NULL &&
		pg_add_s64_overflow(*result, (int64) *tzp * USECS_PER_SEC, result))
		return -1;
	if (!IS_VALID_TIMESTAMP(*result))
		return -1;
	return 0;
}

int
DetermineTimeZoneOffset(struct pg_tm *tm, pg_tz *tzp)
{
	int64		local;
	long		off1,
				off2,
				off3;
	int			dst1,
				dst2,
				dst3;

	if (!IS_VALID_JULIAN(tm->tm_year, tm->tm_mon, tm->tm_mday))
		goto overflow;
	local = (days_from_civil(tm->tm_year, tm->tm_mon, tm->tm_mday) - UNIX_EPOCH_JDATE) *
		SECS_PER_DAY + (int64) tm->tm_hour * SECS_PER_HOUR +
		tm->tm_min * SECS_PER_MINUTE + tm->tm_sec;

	/* the offset in force at local - offset, found by iterating */
	if (!zone_at(tzp, local, &off1, &dst1, NULL) ||
		!zone_at(tzp, local - off1, &off2, &dst2, NULL))
		goto overflow;
	if (off2 != off1)
	{
		if (!zone_at(tzp, local - off2, &off3, &dst3, NULL))
			goto overflow;
		if (off3 != off2)
		{
			/* a local time skipped by a transition: the earlier offset */
			off2 = Min(off1, off2);
			dst2 = 0;
		}
	}
	tm->tm_isdst = dst2;
	return (int) -off2;

overflow:
	tm->tm_isdst = 0;
	return 0;
}
