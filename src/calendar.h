/*-------------------------------------------------------------------------
 *
 * calendar.h
 *	  Local calendar arithmetic of the policy language: working days of a
 *	  policy's calendar (weekend days and holidays), months and years with
 *	  the end of the month clamped, and the parts of a local date.
 *
 * Everything here works on local dates (DateADT, days since 2000-01-01):
 * the evaluator turns an instant into its local date in the policy's zone
 * first (timezone.h), so nothing here knows about zones, and nothing reads
 * a session setting.  Working-day arithmetic is O(log holidays): counting
 * uses whole weeks and a binary search over the holidays, and adding
 * searches by halves over that count, so no loop is as long as a number a
 * row controls (DESIGN.md, law 7).
 *
 * A calendar is declared in the policy header (docs/policy-language.md,
 * "Calendars and working days") and compiled into the ruleset as the
 * expression of a policy-level let (CP_OP_CALENDAR): the ruleset stays one
 * self-contained immutable value, and no new section was needed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_CALENDAR_H
#define COMPENSATION_CALENDAR_H

#include "lib/stringinfo.h"
#include "utils/date.h"

#include "ruleset.h"

/* All seven days a weekend would leave no working day. */
#define CP_WEEKEND_MAX		0x7E	/* the largest mask allowed: Tue..Sun */
#define CP_WEEKEND_ALL		0x7F
#define CP_WEEKEND_DEFAULT	0x60	/* Saturday and Sunday */

/* A calendar, ready for arithmetic (built once per evaluator). */
typedef struct CpCalendar
{
	const char *name;
	uint8		weekend;		/* bit 0 Monday .. bit 6 Sunday */
	int32		per_week;		/* working weekdays per week, 1 to 7 */
	int32		n_holidays;
	DateADT    *holidays;		/* ascending */
	int32		n_closed;		/* holidays that fall on a working weekday */
	DateADT    *closed;			/* ascending */
} CpCalendar;

/* ISO weekday of a local date: 1 Monday .. 7 Sunday. */
static inline int
cp_iso_weekday(DateADT d)
{
	/* 2000-01-01, day 0, was a Saturday (6) */
	int			r = (int) (((int64) d % 7 + 7) % 7);

	return (r + 5) % 7 + 1;
}

static inline bool
cp_weekend_day(uint8 weekend, DateADT d)
{
	return (weekend >> (cp_iso_weekday(d) - 1)) & 1;
}

/* The calendar of the policy-level let whose expression is a calendar. */
extern void cp_calendar_load(const CpRulesetData *rs, int32 let, CpCalendar *cal);

/* The let of rs that holds its calendar, or CP_NONE_IDX. */
extern int32 cp_calendar_let(const CpRulesetData *rs);

extern bool cp_calendar_is_working(const CpCalendar *cal, DateADT d);

/* Working days in (from, to], negative when to < from. */
extern int64 cp_calendar_count(const CpCalendar *cal, DateADT from, DateADT to);

/*
 * The day n working days after d (before d if n < 0; d itself if n = 0),
 * as an int64 day number (the caller checks its range).
 */
extern int64 cp_calendar_add(const CpCalendar *cal, DateADT d, int64 n);

/*
 * For explain: the days of (from, to] that are not working days, as
 * "2026-04-03 holiday, 2026-04-04 weekend, ...", the first few of them and
 * how many more.
 */
extern void cp_calendar_describe_skips(const CpCalendar *cal, int64 from, int64 to,
									   StringInfo out);

/*
 * d + months, the day clamped to the end of the month (Jan 31 + 1 month is
 * Feb 28 or 29), as PostgreSQL's date + interval; false if out of range.
 */
extern bool cp_date_add_months(DateADT d, int64 months, DateADT *out);

/* The weekday word, for printing: 1 Monday .. 7 Sunday. */
extern const char *cp_weekday_word(int iso);

/* The header line "calendar NAME weekend ... holidays ..." of let i. */
extern void cp_print_calendar(StringInfo out, const CpRulesetData *rs, int32 let);

/*
 * The format's rules for calendars (ruleset_format.c calls it after its
 * own check): a calendar node is only ever the expression of a
 * policy-level let that nothing refers to, its holidays are ascending
 * dates, its weekend leaves a working day, at most one per policy, and a
 * policy that counts working days has one.
 */
extern void cp_calendar_check(const CpRulesetData *rs);

/*
 * calendar_catalog.c: lets the parser read shared calendars from
 * compensation.calendar ("calendar NAME shared"); called by _PG_init.
 */
extern void cp_calendar_catalog_init(void);

#endif							/* COMPENSATION_CALENDAR_H */
