/*-------------------------------------------------------------------------
 *
 * timezone.h
 *	  Calendar arithmetic in a policy's own time zone.
 *
 * A policy names its time zone; nothing here reads the session's TimeZone,
 * so results do not depend on who runs the query (DESIGN.md, law 3).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_TIMEZONE_H
#define COMPENSATION_TIMEZONE_H

#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/date.h"

/* The named zone; ERROR (22023) if PostgreSQL does not know it. */
extern pg_tz *cp_tz_lookup(const char *name);

/* The instant at which the local wall clock reads date + seconds. */
extern TimestampTz cp_local_to_instant(pg_tz *tz, DateADT date, int64 usecs);

/* The local date, microseconds since local midnight, and UTC offset
 * (seconds east) of an instant. */
extern void cp_instant_to_local(pg_tz *tz, TimestampTz t, DateADT *date,
								int64 *usecs, int32 *utc_offset);

/*
 * The day cache.  Converting between local wall-clock times and instants
 * through the zone's rules is slow; per row a policy converts a few dates
 * and timestamps, nearly always of a few hundred days.  The cache keeps,
 * per local day, its two midnights and whether the UTC offset stays the
 * same between them; on such a day a conversion is an addition.  An
 * evaluator owns one (it is bound to one zone); the fast paths are inline
 * for its per-row code, a miss goes to timezone.c.
 */
typedef struct CpDayEntry
{
	int32		date;			/* DateADT; PG_INT32_MIN: empty */
	bool		uniform;		/* no UTC offset change inside [m0, m1) */
	int64		m0;				/* local midnight */
	int64		m1;				/* next local midnight */
} CpDayEntry;

#define CP_DAY_CACHE	512

typedef struct CpTzCache
{
	pg_tz	   *tz;
	int64		guess_offset;	/* usecs east of UTC, last seen */
	CpDayEntry	days[CP_DAY_CACHE];
} CpTzCache;

/* Dates and times far from the valid range skip the cache. */
#define CP_FAST_LIMIT		(INT64CONST(1) << 61)
#define CP_FAST_DATE_LIMIT	(1 << 24)

extern void cp_tz_cache_init(CpTzCache *c, pg_tz *tz);
extern CpDayEntry *cp_tz_day_fill(CpTzCache *c, DateADT d);
extern void cp_tz_instant_to_local_slow(CpTzCache *c, int64 t, DateADT *d,
										int64 *usecs, int32 *offset);

/* The midnights of local day d (|d| < CP_FAST_DATE_LIMIT). */
static inline CpDayEntry *
cp_tz_day(CpTzCache *c, DateADT d)
{
	CpDayEntry *e = &c->days[((uint32) d) % CP_DAY_CACHE];

	if (likely(e->date == d))
		return e;
	return cp_tz_day_fill(c, d);
}

/* cp_local_to_instant() through the cache. */
static inline int64
cp_tz_local_to_instant(CpTzCache *c, DateADT d, int64 usecs)
{
	if (d > -CP_FAST_DATE_LIMIT && d < CP_FAST_DATE_LIMIT)
	{
		CpDayEntry *e = cp_tz_day(c, d);

		if (e->uniform)
			return e->m0 + usecs;
	}
	return cp_local_to_instant(c->tz, d, usecs);
}

/*
 * cp_instant_to_local() through the cache: the local date, time of day
 * (usecs, optional) and UTC offset (seconds east, optional) of t.
 */
static inline void
cp_tz_instant_to_local(CpTzCache *c, int64 t, DateADT *d, int64 *usecs,
					   int32 *offset)
{
	if (t > -CP_FAST_LIMIT && t < CP_FAST_LIMIT)
	{
		int64		local = t + c->guess_offset;
		DateADT		g = (DateADT) (local / USECS_PER_DAY);
		CpDayEntry *e;

		if (local < 0 && local % USECS_PER_DAY != 0)
			g--;
		e = cp_tz_day(c, g);
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
	cp_tz_instant_to_local_slow(c, t, d, usecs, offset);
}

#endif							/* COMPENSATION_TIMEZONE_H */
