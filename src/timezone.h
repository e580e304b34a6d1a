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

/* The same local wall-clock time, days calendar days later (or earlier). */
extern TimestampTz cp_add_local_days(pg_tz *tz, TimestampTz t, int32 days);

/* Days in the local month that contains t. */
extern int	cp_days_in_month(pg_tz *tz, TimestampTz t);

#endif							/* COMPENSATION_TIMEZONE_H */
