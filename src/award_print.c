/*-------------------------------------------------------------------------
 *
 * award_print.c
 *	  The text of a compensation.award: what award_out shows.
 *
 *		KRW {"R1": credit deposit 1188; "R2": extend rental_end +5 days ->
 *		2025-06-25 00:00:00+09; "R3": grant voucher 5000 valid
 *		2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09; "R9": review
 *		'case review' x3}
 *
 * The currency code (absent if the award has none), then the lines in
 * braces, separated by "; ".  A line is
 *
 *		"RULE": KIND [INSTRUMENT] [by outage] [AMOUNT [units]] [+N days]
 *			[-> TIME | to [TIME]] [claim|valid TIME ..< TIME]
 *			['NOTE' | bearer 'BEARER'] [xCOUNT]
 *
 * KIND is credit, waive, extend, grant, flag or review; "extend ... by
 * outage" and "extend ... to" tell the extend kinds apart.  Rule names are
 * always in double quotes; an instrument is a bare word when it is a plain
 * identifier that is not one of the keywords, else in double quotes, and is
 * left out when empty.  Notes are in single quotes, and so is the bearer
 * of a line a partner bears (issue 12; a line has a note or a bearer, see
 * award.h).  A quote inside quotes is
 * doubled.  Money amounts are in major units with exactly the currency's
 * digits (1188 minor units of USD print 11.88); counted amounts are whole
 * numbers followed by "units".  Times are printed at the line's own UTC
 * offset (the policy time zone's), never at the session's TimeZone; a window
 * includes its start and excludes its end.  xCOUNT is how many lines a sum
 * merged into this one, shown when not 1.
 *
 * award_parse.c reads exactly this back; the words come from the keyword
 * table (keywords.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "keywords.h"
#include "ruleset.h"
#include "strutil.h"
#include "utils/datetime.h"

/* An instrument that may be printed without quotes. */
static bool
is_bare_word(const char *s)
{
	const char *p;

	if (!cp_word_start(s[0]))
		return false;
	for (p = s + 1; *p; p++)
		if (!cp_word_char(*p))
			return false;
	return !cp_award_word_is_keyword(s, p - s);
}

/*
 * "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC]", local at utc_offset; with
 * iso, "YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM[:SS][ BC]" (ISO 8601, as
 * PostgreSQL's own JSON writes a timestamptz).  Only the line's offset is
 * used, never the session's TimeZone.
 */
void
cp_award_append_time(StringInfo out, TimestampTz t, int32 utc_offset, bool iso)
{
	int64		local,
				days,
				usecs;
	int			year,
				month,
				day,
				secs,
				off;

	if (TIMESTAMP_IS_NOBEGIN(t))
	{
		appendStringInfoString(out, "-infinity");
		return;
	}
	if (TIMESTAMP_IS_NOEND(t))
	{
		appendStringInfoString(out, "infinity");
		return;
	}
	local = t + (int64) utc_offset * USECS_PER_SEC;	/* checked by the
														 * builder */
	days = local / USECS_PER_DAY;
	usecs = local % USECS_PER_DAY;
	if (usecs < 0)
	{
		usecs += USECS_PER_DAY;
		days--;
	}
	j2date((int) (days + POSTGRES_EPOCH_JDATE), &year, &month, &day);
	secs = (int) (usecs / USECS_PER_SEC);
	appendStringInfo(out, "%04d-%02d-%02d%c%02d:%02d:%02d",
					 year > 0 ? year : 1 - year, month, day, iso ? 'T' : ' ',
					 secs / SECS_PER_HOUR, (secs / SECS_PER_MINUTE) % 60,
					 secs % SECS_PER_MINUTE);
	if (usecs % USECS_PER_SEC != 0)
	{
		char		frac[8];
		int			n;

		snprintf(frac, sizeof(frac), "%06d", (int) (usecs % USECS_PER_SEC));
		for (n = 6; frac[n - 1] == '0'; n--)
			;
		frac[n] = '\0';
		appendStringInfo(out, ".%s", frac);
	}
	off = utc_offset < 0 ? -utc_offset : utc_offset;
	appendStringInfo(out, "%c%02d", utc_offset < 0 ? '-' : '+',
					 off / SECS_PER_HOUR);
	if (iso || off % SECS_PER_HOUR != 0)
	{
		appendStringInfo(out, ":%02d", (off / SECS_PER_MINUTE) % 60);
		if (off % SECS_PER_MINUTE != 0)
			appendStringInfo(out, ":%02d", off % SECS_PER_MINUTE);
	}
	if (year <= 0)
		appendStringInfoString(out, " BC");
}

/* An amount in major units: exponent digits after the point. */
void
cp_award_append_major(StringInfo out, int64 amount, int exponent)
{
	char		digits[32];
	uint64		mag;
	int			len;

	mag = amount < 0 ? -(uint64) amount : (uint64) amount;
	snprintf(digits, sizeof(digits), UINT64_FORMAT, mag);
	len = strlen(digits);
	if (amount < 0)
		appendStringInfoChar(out, '-');
	if (exponent == 0)
	{
		appendStringInfoString(out, digits);
		return;
	}
	if (len <= exponent)
	{
		appendStringInfoString(out, "0.");
		for (; len < exponent; exponent--)
			appendStringInfoChar(out, '0');
		appendStringInfoString(out, digits);
		return;
	}
	appendBinaryStringInfo(out, digits, len - exponent);
	appendStringInfoChar(out, '.');
	appendStringInfoString(out, digits + len - exponent);
}

void
cp_award_line_text(StringInfo out, const CpAward aw, const CpAwardLine *line)
{
	const char *instrument = CpAwardString(aw, line->instrument);

	cp_append_quoted(out, CpAwardString(aw, line->rule), '"');
	appendStringInfo(out, ": %s", cp_award_kind_name((CpAwardKind) line->kind));
	if (instrument[0] != '\0')
	{
		appendStringInfoChar(out, ' ');
		if (is_bare_word(instrument))
			appendStringInfoString(out, instrument);
		else
			cp_append_quoted(out, instrument, '"');
	}
	if (line->kind == CP_AWARD_EXTEND_OUTAGE)
		appendStringInfo(out, " %s %s", CpKeywordWord(CP_KW_BY),
						 CpKeywordWord(CP_KW_OUTAGE));
	if (line->has & CP_LINE_AMOUNT)
	{
		appendStringInfoChar(out, ' ');
		if (line->unit == CP_INSTR_MONEY)
			cp_award_append_major(out, line->amount, aw->exponent);
		else
			appendStringInfo(out, INT64_FORMAT " %s", line->amount,
							 CpKeywordWord(line->amount == 1 ? CP_KW_UNIT : CP_KW_UNITS));
	}
	if (line->has & CP_LINE_DAYS)
		appendStringInfo(out, " %+d %s", line->days,
						 cp_word_name(line->days == 1 || line->days == -1 ?
									  CP_WORDS_UNIT_ONE : CP_WORDS_UNIT,
									  CP_UNIT_DAYS));
	if (line->kind == CP_AWARD_EXTEND_TO)
	{
		appendStringInfo(out, " %s", CpKeywordWord(CP_KW_TO));
		if (line->has & CP_LINE_NEW_DATE)
		{
			appendStringInfoChar(out, ' ');
			cp_award_append_time(out, line->new_date, line->utc_offset, false);
		}
	}
	else if (line->has & CP_LINE_NEW_DATE)
	{
		appendStringInfoString(out, " -> ");
		cp_award_append_time(out, line->new_date, line->utc_offset, false);
	}
	if (line->has & CP_LINE_WINDOW)
	{
		appendStringInfo(out, " %s ",
						 cp_word_name(CP_WORDS_WINDOW_KIND, line->window_kind));
		/* "due ..< END": a deadline has no start */
		if (line->window_kind != CP_WINDOW_DUE)
		{
			cp_award_append_time(out, line->window_lo, line->utc_offset, false);
			appendStringInfoChar(out, ' ');
		}
		appendStringInfoString(out, "..< ");
		cp_award_append_time(out, line->window_hi, line->utc_offset, false);
	}
	if (CpLineBearer(line) >= 0)
	{
		appendStringInfo(out, " %s ", CpKeywordWord(CP_KW_BEARER));
		cp_append_quoted(out, CpAwardString(aw, line->note), '\'');
	}
	else if (line->note >= 0)
	{
		appendStringInfoChar(out, ' ');
		cp_append_quoted(out, CpAwardString(aw, line->note), '\'');
	}
	if (line->count != 1)
		appendStringInfo(out, " x" INT64_FORMAT, line->count);
}

char *
cp_award_print(const CpAwardData *aw)
{
	const CpAwardLine *lines = CpAwardLines(aw);
	StringInfoData out;
	int			i;

	initStringInfo(&out);
	if (aw->currency[0] != '\0')
		appendStringInfo(&out, "%s ", aw->currency);
	appendStringInfoChar(&out, '{');
	for (i = 0; i < aw->n_lines; i++)
	{
		if (i > 0)
			appendStringInfoString(&out, "; ");
		cp_award_line_text(&out, (CpAward) aw, &lines[i]);
	}
	appendStringInfoChar(&out, '}');
	return out.data;
}
