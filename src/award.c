/*-------------------------------------------------------------------------
 *
 * award.c
 *	  compensation.award: the builder, and text and binary input/output.
 *
 * Every award, whoever makes it (the evaluator, award_in, award_recv, the
 * sum aggregate), goes through the builder, which checks each line and
 * clears the fields its "has" bits do not cover.  So an award has one byte
 * image per meaning, and award_in(award_out(x)) gives x back byte for byte.
 *
 * Text form:
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
 *			[-> TIME | to [TIME]] [claim|valid TIME ..< TIME] ['NOTE'] [xCOUNT]
 *
 * KIND is credit, waive, extend, grant, flag or review; "extend ... by
 * outage" and "extend ... to" tell the extend kinds apart.  Rule names are
 * always in double quotes; an instrument is a bare word when it is a plain
 * identifier that is not one of the keywords, else in double quotes, and is
 * left out when empty.  Notes are in single quotes.  A quote inside quotes is
 * doubled.  Money amounts are in major units with exactly the currency's
 * digits (1188 minor units of USD print 11.88); counted amounts are whole
 * numbers followed by "units".  Times are printed at the line's own UTC
 * offset (the policy time zone's), never at the session's TimeZone; a window
 * includes its start and excludes its end.  xCOUNT is how many lines a sum
 * merged into this one, shown when not 1.
 *
 * Binary form: a version byte, the currency, the exponent, the number of
 * lines, then each line's fixed fields and its strings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "award.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
#include "ruleset.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#define AWARD_BINARY_VERSION	1

/* smallest binary line: fixed fields, two empty strings, no note */
#define AWARD_BINARY_MIN_LINE	(4 + 2 * 4 + 5 * 8 + 2 * 4 + 1)

PG_FUNCTION_INFO_V1(compensation_award_in);
PG_FUNCTION_INFO_V1(compensation_award_out);
PG_FUNCTION_INFO_V1(compensation_award_recv);
PG_FUNCTION_INFO_V1(compensation_award_send);

/*
 * Builder
 */

static bool
timestamp_ok(TimestampTz t)
{
	return TIMESTAMP_NOT_FINITE(t) || IS_VALID_TIMESTAMP(t);
}

/* t at the given offset, as a local timestamp still in range? */
static bool
local_ok(TimestampTz t, int32 utc_offset)
{
	TimestampTz local;

	if (TIMESTAMP_NOT_FINITE(t))
		return true;
	local = t + (int64) utc_offset * USECS_PER_SEC;
	return IS_VALID_TIMESTAMP(local);
}

/*
 * Check a line and bring it to canonical form in *out: fields not covered by
 * "has" are zero, count 0 means 1, the UTC offset is zero when no finite time
 * needs it.  Errors use errcode (internal error for the evaluator, invalid
 * binary representation for award_recv).
 */
static void
award_check_line(const CpAwardLine *in, CpAwardLine *out, const char *currency,
				 int errc)
{
	bool		any_finite = false;

	memset(out, 0, sizeof(CpAwardLine));
	out->rule = in->rule;
	out->instrument = in->instrument;
	out->note = in->note;

	if (in->kind < CP_AWARD_CREDIT || in->kind > CP_AWARD_REVIEW)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid award line kind %d", in->kind)));
	out->kind = in->kind;

	if (in->has & ~(CP_LINE_AMOUNT | CP_LINE_DAYS | CP_LINE_NEW_DATE | CP_LINE_WINDOW))
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid award line flags 0x%x", in->has)));
	out->has = in->has;

	if (in->count < 0)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid award line count " INT64_FORMAT, in->count)));
	out->count = in->count == 0 ? 1 : in->count;

	if (in->has & CP_LINE_AMOUNT)
	{
		if (in->unit != CP_INSTR_MONEY && in->unit != CP_INSTR_COUNT)
			ereport(ERROR,
					(errcode(errc),
					 errmsg("invalid award line unit %d", in->unit)));
		if (in->unit == CP_INSTR_MONEY && currency[0] == '\0')
			ereport(ERROR,
					(errcode(errc),
					 errmsg("award line has a money amount but the award has no currency")));
		out->unit = in->unit;
		out->amount = in->amount;
	}

	if (in->has & CP_LINE_DAYS)
		out->days = in->days;

	if (in->has & CP_LINE_NEW_DATE)
	{
		if (!timestamp_ok(in->new_date))
			ereport(ERROR,
					(errcode(errc),
					 errmsg("award line new date out of range")));
		out->new_date = in->new_date;
		any_finite |= !TIMESTAMP_NOT_FINITE(in->new_date);
	}

	if (in->has & CP_LINE_WINDOW)
	{
		if (in->window_kind != CP_WINDOW_CLAIM && in->window_kind != CP_WINDOW_VALID)
			ereport(ERROR,
					(errcode(errc),
					 errmsg("invalid award line window kind %d", in->window_kind)));
		if (!timestamp_ok(in->window_lo) || !timestamp_ok(in->window_hi))
			ereport(ERROR,
					(errcode(errc),
					 errmsg("award line window out of range")));
		out->window_kind = in->window_kind;
		out->window_lo = in->window_lo;
		out->window_hi = in->window_hi;
		any_finite |= !TIMESTAMP_NOT_FINITE(in->window_lo) ||
			!TIMESTAMP_NOT_FINITE(in->window_hi);
	}

	if (any_finite)
	{
		if (in->utc_offset <= -TZDISP_LIMIT || in->utc_offset >= TZDISP_LIMIT)
			ereport(ERROR,
					(errcode(errc),
					 errmsg("invalid award line UTC offset %d", in->utc_offset)));
		out->utc_offset = in->utc_offset;
		if (!local_ok(out->new_date, out->utc_offset) ||
			!local_ok(out->window_lo, out->utc_offset) ||
			!local_ok(out->window_hi, out->utc_offset))
			ereport(ERROR,
					(errcode(errc),
					 errmsg("award line time out of range at its UTC offset")));
	}
}

void
cp_award_builder_init(CpAwardBuilder *b, const char *currency, int16 exponent)
{
	memset(b->currency, 0, sizeof(b->currency));
	if (currency != NULL)
	{
		if (strlen(currency) >= sizeof(b->currency))
			elog(ERROR, "invalid award currency \"%s\"", currency);
		strcpy(b->currency, currency);
	}
	if (exponent < 0 || exponent > 18)
		elog(ERROR, "invalid award currency exponent %d", exponent);
	b->exponent = exponent;
	b->n_lines = 0;
	b->max_lines = 0;
	b->lines = NULL;
	initStringInfo(&b->strings);
}

static int32
builder_string(CpAwardBuilder *b, const char *s)
{
	int32		off = b->strings.len;

	appendBinaryStringInfo(&b->strings, s, strlen(s) + 1);
	return off;
}

static void
builder_add(CpAwardBuilder *b, const CpAwardLine *line, const char *rule,
			const char *instrument, const char *note, int errc)
{
	CpAwardLine *dst;

	if (b->n_lines >= b->max_lines)
	{
		int			newmax = b->max_lines == 0 ? 4 : b->max_lines * 2;

		if ((Size) newmax * sizeof(CpAwardLine) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many award lines")));
		if (b->lines == NULL)
			b->lines = palloc(newmax * sizeof(CpAwardLine));
		else
			b->lines = repalloc(b->lines, newmax * sizeof(CpAwardLine));
		b->max_lines = newmax;
	}
	dst = &b->lines[b->n_lines];
	award_check_line(line, dst, b->currency, errc);
	dst->rule = builder_string(b, rule ? rule : "");
	dst->instrument = builder_string(b, instrument ? instrument : "");
	dst->note = note ? builder_string(b, note) : -1;
	b->n_lines++;
}

void
cp_award_builder_add(CpAwardBuilder *b, const CpAwardLine *line,
					 const char *rule, const char *instrument,
					 const char *note)
{
	builder_add(b, line, rule, instrument, note, ERRCODE_INTERNAL_ERROR);
}

CpAward
cp_award_builder_finish(CpAwardBuilder *b)
{
	Size		hdr = MAXALIGN(sizeof(CpAwardData));
	Size		size = hdr + (Size) b->n_lines * sizeof(CpAwardLine) + b->strings.len;
	CpAward		aw;

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("award is too large"),
				 errdetail("An award may be at most %d bytes; this one would be %zu.",
						   (int) MaxAllocSize, size)));
	aw = palloc0(size);
	SET_VARSIZE(aw, size);
	aw->n_lines = b->n_lines;
	memcpy(aw->currency, b->currency, sizeof(aw->currency));
	aw->exponent = b->exponent;
	aw->strings_len = b->strings.len;
	if (b->n_lines > 0)
		memcpy(CpAwardLines(aw), b->lines, b->n_lines * sizeof(CpAwardLine));
	if (b->strings.len > 0)
		memcpy(CpAwardStrings(aw), b->strings.data, b->strings.len);
	return aw;
}

CpAward
cp_award_empty(const char *currency, int16 exponent)
{
	CpAwardBuilder b;

	cp_award_builder_init(&b, currency, exponent);
	return cp_award_builder_finish(&b);
}

/*
 * Text output
 */

/* Words that cannot be printed as a bare instrument. */
static bool
is_keyword(const char *s, int len)
{
	static const char *const keywords[] = {"by", "to", "claim", "valid"};
	int			i;

	for (i = 0; i < lengthof(keywords); i++)
		if (strlen(keywords[i]) == len && strncmp(s, keywords[i], len) == 0)
			return true;
	/* xN is a count */
	if (len >= 2 && s[0] == 'x')
	{
		for (i = 1; i < len; i++)
			if (!isdigit((unsigned char) s[i]))
				return false;
		return true;
	}
	return false;
}

static bool
is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_word_char(char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static bool
is_bare_word(const char *s)
{
	const char *p;

	if (!is_word_start(s[0]))
		return false;
	for (p = s + 1; *p; p++)
		if (!is_word_char(*p))
			return false;
	return !is_keyword(s, p - s);
}

static void
append_quoted(StringInfo out, const char *s, char quote)
{
	appendStringInfoChar(out, quote);
	for (; *s; s++)
	{
		if (*s == quote)
			appendStringInfoChar(out, quote);
		appendStringInfoChar(out, *s);
	}
	appendStringInfoChar(out, quote);
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC]", local at utc_offset */
static void
append_time(StringInfo out, TimestampTz t, int32 utc_offset)
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
	appendStringInfo(out, "%04d-%02d-%02d %02d:%02d:%02d",
					 year > 0 ? year : 1 - year, month, day,
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
	if (off % SECS_PER_HOUR != 0)
	{
		appendStringInfo(out, ":%02d", (off / SECS_PER_MINUTE) % 60);
		if (off % SECS_PER_MINUTE != 0)
			appendStringInfo(out, ":%02d", off % SECS_PER_MINUTE);
	}
	if (year <= 0)
		appendStringInfoString(out, " BC");
}

/* An amount in major units: exponent digits after the point. */
static void
append_amount(StringInfo out, int64 amount, int exponent)
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

static const char *
kind_word(int kind)
{
	switch (kind)
	{
		case CP_AWARD_CREDIT:
			return "credit";
		case CP_AWARD_WAIVE:
			return "waive";
		case CP_AWARD_EXTEND_BY:
		case CP_AWARD_EXTEND_TO:
		case CP_AWARD_EXTEND_OUTAGE:
			return "extend";
		case CP_AWARD_GRANT:
			return "grant";
		case CP_AWARD_FLAG:
			return "flag";
		case CP_AWARD_REVIEW:
			return "review";
	}
	return "?";
}

void
cp_award_line_text(StringInfo out, const CpAward aw, const CpAwardLine *line)
{
	const char *instrument = CpAwardString(aw, line->instrument);

	append_quoted(out, CpAwardString(aw, line->rule), '"');
	appendStringInfo(out, ": %s", kind_word(line->kind));
	if (instrument[0] != '\0')
	{
		appendStringInfoChar(out, ' ');
		if (is_bare_word(instrument))
			appendStringInfoString(out, instrument);
		else
			append_quoted(out, instrument, '"');
	}
	if (line->kind == CP_AWARD_EXTEND_OUTAGE)
		appendStringInfoString(out, " by outage");
	if (line->has & CP_LINE_AMOUNT)
	{
		appendStringInfoChar(out, ' ');
		if (line->unit == CP_INSTR_MONEY)
			append_amount(out, line->amount, aw->exponent);
		else
			appendStringInfo(out, INT64_FORMAT " %s", line->amount,
							 line->amount == 1 ? "unit" : "units");
	}
	if (line->has & CP_LINE_DAYS)
		appendStringInfo(out, " %+d %s", line->days,
						 line->days == 1 || line->days == -1 ? "day" : "days");
	if (line->kind == CP_AWARD_EXTEND_TO)
	{
		appendStringInfoString(out, " to");
		if (line->has & CP_LINE_NEW_DATE)
		{
			appendStringInfoChar(out, ' ');
			append_time(out, line->new_date, line->utc_offset);
		}
	}
	else if (line->has & CP_LINE_NEW_DATE)
	{
		appendStringInfoString(out, " -> ");
		append_time(out, line->new_date, line->utc_offset);
	}
	if (line->has & CP_LINE_WINDOW)
	{
		appendStringInfoString(out,
							   line->window_kind == CP_WINDOW_CLAIM ? " claim " : " valid ");
		append_time(out, line->window_lo, line->utc_offset);
		appendStringInfoString(out, " ..< ");
		append_time(out, line->window_hi, line->utc_offset);
	}
	if (line->note >= 0)
	{
		appendStringInfoChar(out, ' ');
		append_quoted(out, CpAwardString(aw, line->note), '\'');
	}
	if (line->count != 1)
		appendStringInfo(out, " x" INT64_FORMAT, line->count);
}

Datum
compensation_award_out(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	CpAwardLine *lines = CpAwardLines(aw);
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
		cp_award_line_text(&out, aw, &lines[i]);
	}
	appendStringInfoChar(&out, '}');
	PG_RETURN_CSTRING(out.data);
}

/*
 * Text input
 */

typedef struct AwardParser
{
	const char *str;			/* the whole input */
	const char *p;				/* current position */
	CpAwardBuilder b;
	bool		has_offset;		/* line: a finite time has set the offset */
} AwardParser;

static void parse_error(AwardParser *ps, const char *expected) pg_attribute_noreturn();

static void
parse_error(AwardParser *ps, const char *expected)
{
	int			pos = pg_mbstrlen_with_len(ps->str, ps->p - ps->str) + 1;

	if (*ps->p == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type award: \"%s\"", ps->str),
				 errdetail("Expected %s at the end of the input (character %d).",
						   expected, pos)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type award: \"%s\"", ps->str),
			 errdetail("Expected %s at character %d.", expected, pos)));
}

static void
skip_space(AwardParser *ps)
{
	while (*ps->p && isspace((unsigned char) *ps->p))
		ps->p++;
}

/* After skipping space: is a word next?  Sets *len. */
static bool
peek_word(AwardParser *ps, int *len)
{
	const char *q;

	skip_space(ps);
	q = ps->p;
	if (!is_word_start(*q))
		return false;
	while (is_word_char(*q))
		q++;
	*len = q - ps->p;
	return true;
}

/* Consume the word w if it comes next. */
static bool
accept_word(AwardParser *ps, const char *w)
{
	int			len;

	if (peek_word(ps, &len) && len == strlen(w) && strncmp(ps->p, w, len) == 0)
	{
		ps->p += len;
		return true;
	}
	return false;
}

static bool
accept(AwardParser *ps, const char *tok)
{
	skip_space(ps);
	if (strncmp(ps->p, tok, strlen(tok)) == 0)
	{
		ps->p += strlen(tok);
		return true;
	}
	return false;
}

static void
expect(AwardParser *ps, const char *tok, const char *what)
{
	if (!accept(ps, tok))
		parse_error(ps, what);
}

/* A string in the given quotes, a doubled quote standing for one. */
static char *
parse_quoted(AwardParser *ps, char quote, const char *what)
{
	StringInfoData s;

	skip_space(ps);
	if (*ps->p != quote)
		parse_error(ps, what);
	ps->p++;
	initStringInfo(&s);
	for (;;)
	{
		if (*ps->p == '\0')
			parse_error(ps, quote == '"' ? "a closing double quote" : "a closing single quote");
		if (*ps->p == quote)
		{
			if (ps->p[1] != quote)
				break;
			ps->p++;
		}
		appendStringInfoChar(&s, *ps->p);
		ps->p++;
	}
	ps->p++;
	return s.data;
}

/* Up to maxdigits decimal digits; returns how many were read. */
static int
parse_digits(AwardParser *ps, int maxdigits, int64 *value)
{
	int			n = 0;

	*value = 0;
	while (isdigit((unsigned char) ps->p[n]))
	{
		if (n == maxdigits)
			return -1;
		*value = *value * 10 + (ps->p[n] - '0');
		n++;
	}
	ps->p += n;
	return n;
}

static int
parse_fixed(AwardParser *ps, int ndigits, int lo, int hi, const char *what)
{
	int64		v;
	const char *start = ps->p;

	if (parse_digits(ps, ndigits, &v) != ndigits || v < lo || v > hi)
	{
		ps->p = start;
		parse_error(ps, what);
	}
	return (int) v;
}

/* The character c must come next (no space before it). */
static void
expect_char(AwardParser *ps, char c, const char *what)
{
	if (*ps->p != c)
		parse_error(ps, what);
	ps->p++;
}

static bool
at_time(AwardParser *ps)
{
	skip_space(ps);
	return isdigit((unsigned char) *ps->p) ||
		strncmp(ps->p, "infinity", 8) == 0 ||
		strncmp(ps->p, "-infinity", 9) == 0;
}

/* A time as append_time prints it; sets the line's UTC offset. */
static TimestampTz
parse_time(AwardParser *ps, CpAwardLine *line)
{
	const char *start;
	int64		year;
	int			month,
				day,
				hour,
				minute,
				second,
				usec = 0,
				offset,
				n;
	int64		local,
				result;
	bool		bc = false;

	skip_space(ps);
	start = ps->p;
	if (accept(ps, "-infinity"))
		return DT_NOBEGIN;
	if (accept(ps, "infinity"))
		return DT_NOEND;

	n = parse_digits(ps, 7, &year);
	if (n < 4)
	{
		ps->p = start;
		parse_error(ps, "a time such as \"2025-06-17 00:00:00+09\"");
	}
	expect_char(ps, '-', "\"-\" in a date");
	month = parse_fixed(ps, 2, 1, 12, "a two-digit month");
	expect_char(ps, '-', "\"-\" in a date");
	day = parse_fixed(ps, 2, 1, 31, "a two-digit day");
	expect_char(ps, ' ', "a space between date and time");
	hour = parse_fixed(ps, 2, 0, 23, "a two-digit hour");
	expect_char(ps, ':', "\":\" in a time");
	minute = parse_fixed(ps, 2, 0, 59, "two-digit minutes");
	expect_char(ps, ':', "\":\" in a time");
	second = parse_fixed(ps, 2, 0, 59, "two-digit seconds");
	if (*ps->p == '.')
	{
		int64		frac;

		ps->p++;
		n = parse_digits(ps, 6, &frac);
		if (n <= 0)
			parse_error(ps, "one to six digits of a fraction of a second");
		for (usec = (int) frac; n < 6; n++)
			usec *= 10;
	}
	if (*ps->p != '+' && *ps->p != '-')
		parse_error(ps, "a UTC offset such as \"+09\"");
	{
		int			sign = *ps->p++ == '-' ? -1 : 1;

		offset = parse_fixed(ps, 2, 0, MAX_TZDISP_HOUR, "a two-digit UTC offset hour") * SECS_PER_HOUR;
		if (*ps->p == ':')
		{
			ps->p++;
			offset += parse_fixed(ps, 2, 0, 59, "two-digit UTC offset minutes") * SECS_PER_MINUTE;
			if (*ps->p == ':')
			{
				ps->p++;
				offset += parse_fixed(ps, 2, 0, 59, "two-digit UTC offset seconds");
			}
		}
		offset *= sign;
	}
	if (strncmp(ps->p, " BC", 3) == 0 && !is_word_char(ps->p[3]))
	{
		ps->p += 3;
		bc = true;
	}
	if (is_word_char(*ps->p))
		parse_error(ps, "the end of a time");

	if (bc)
	{
		if (year == 0)
		{
			ps->p = start;
			parse_error(ps, "a year after 0 BC");
		}
		year = 1 - year;
	}
	if (day > day_tab[isleap(year)][month - 1] ||
		!IS_VALID_JULIAN(year, month, day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("date out of range in award: \"%s\"", ps->str),
				 errdetail("The time at character %d is not a valid date.",
						   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1)));
	local = (int64) (date2j((int) year, month, day) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY +
		((int64) hour * SECS_PER_HOUR + minute * SECS_PER_MINUTE + second) * USECS_PER_SEC +
		usec;
	result = local - (int64) offset * USECS_PER_SEC;
	if (!IS_VALID_TIMESTAMP(local) || !IS_VALID_TIMESTAMP(result))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range in award: \"%s\"", ps->str),
				 errdetail("The time at character %d is out of range.",
						   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1)));
	if (ps->has_offset && line->utc_offset != offset)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type award: \"%s\"", ps->str),
				 errdetail("The time at character %d has a different UTC offset from the line's other times.",
						   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1),
				 errhint("All times in one award line are written at the same UTC offset.")));
	ps->has_offset = true;
	line->utc_offset = offset;
	return result;
}

/*
 * A number: an amount (money in major units, or "N units") or a number of
 * days ("+N days").  Returns false if no number comes next.
 */
static bool
parse_number(AwardParser *ps, CpAwardLine *line)
{
	const char *start;
	bool		neg = false;
	bool		plus = false;
	uint64		mag = 0;
	int			fracdigits = -1;
	int			len;

	skip_space(ps);
	start = ps->p;
	if (*ps->p == '-' || *ps->p == '+')
	{
		if (!isdigit((unsigned char) ps->p[1]))
			return false;
		neg = *ps->p == '-';
		plus = *ps->p == '+';
		ps->p++;
	}
	else if (!isdigit((unsigned char) *ps->p))
		return false;

	for (;;)
	{
		if (isdigit((unsigned char) *ps->p))
		{
			if (mag > (PG_UINT64_MAX - 9) / 10)
			{
				ps->p = start;
				goto overflow;
			}
			mag = mag * 10 + (*ps->p - '0');
			if (fracdigits >= 0)
				fracdigits++;
		}
		else if (*ps->p == '.' && fracdigits < 0 && isdigit((unsigned char) ps->p[1]))
			fracdigits = 0;
		else
			break;
		ps->p++;
	}
	if (is_word_char(*ps->p) || *ps->p == '.')
		parse_error(ps, "the end of a number");

	if (peek_word(ps, &len) &&
		((len == 3 && strncmp(ps->p, "day", 3) == 0) ||
		 (len == 4 && strncmp(ps->p, "days", 4) == 0)))
	{
		ps->p += len;
		if (line->has & CP_LINE_DAYS)
		{
			ps->p = start;
			parse_error(ps, "at most one number of days");
		}
		if (fracdigits >= 0)
		{
			ps->p = start;
			parse_error(ps, "a whole number of days");
		}
		if (mag > (neg ? (uint64) PG_INT32_MAX + 1 : (uint64) PG_INT32_MAX))
		{
			ps->p = start;
			goto overflow;
		}
		line->days = neg ? (int32) (-(int64) mag) : (int32) mag;
		line->has |= CP_LINE_DAYS;
		return true;
	}

	if (line->has & (CP_LINE_AMOUNT | CP_LINE_DAYS))
	{
		ps->p = start;
		parse_error(ps, line->has & CP_LINE_DAYS ?
					"the amount before the days" : "a number of days after the amount");
	}
	if (plus)
	{
		ps->p = start;
		parse_error(ps, "an amount without a \"+\" sign");
	}
	if (accept_word(ps, "units") || accept_word(ps, "unit"))
	{
		if (fracdigits >= 0)
		{
			ps->p = start;
			parse_error(ps, "a whole number of units");
		}
		line->unit = CP_INSTR_COUNT;
	}
	else
	{
		int			exponent = ps->b.exponent;

		if (ps->b.currency[0] == '\0')
		{
			ps->p = start;
			parse_error(ps, "a currency code before \"{\" for a money amount");
		}
		if (fracdigits > exponent)
		{
			ps->p = start;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type award: \"%s\"", ps->str),
					 errdetail("The amount at character %d has more decimal places than %s allows (%d).",
							   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1,
							   ps->b.currency, exponent)));
		}
		for (fracdigits = fracdigits < 0 ? 0 : fracdigits; fracdigits < exponent; fracdigits++)
		{
			if (mag > PG_UINT64_MAX / 10)
			{
				ps->p = start;
				goto overflow;
			}
			mag *= 10;
		}
		line->unit = CP_INSTR_MONEY;
	}
	if (mag > (neg ? (uint64) PG_INT64_MAX + 1 : (uint64) PG_INT64_MAX))
	{
		ps->p = start;
		goto overflow;
	}
	line->amount = neg ? (int64) (0 - mag) : (int64) mag;
	line->has |= CP_LINE_AMOUNT;
	return true;

overflow:
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("number out of range in award: \"%s\"", ps->str),
			 errdetail("The number at character %d does not fit.",
					   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1),
			 errhint("Amounts are bigint minor units; days are integer.")));
	return false;				/* keep compiler quiet */
}

static void
parse_line(AwardParser *ps)
{
	static const struct
	{
		const char *word;
		CpAwardKind kind;
	}			kinds[] = {
		{"credit", CP_AWARD_CREDIT},
		{"waive", CP_AWARD_WAIVE},
		{"extend", CP_AWARD_EXTEND_BY},
		{"grant", CP_AWARD_GRANT},
		{"flag", CP_AWARD_FLAG},
		{"review", CP_AWARD_REVIEW}
	};
	CpAwardLine line;
	char	   *rule;
	char	   *instrument = "";
	char	   *note = NULL;
	int			len;
	int			i;

	memset(&line, 0, sizeof(line));
	line.count = 1;
	ps->has_offset = false;

	rule = parse_quoted(ps, '"', "a rule name in double quotes");
	expect(ps, ":", "\":\" after the rule name");
	for (i = 0; i < lengthof(kinds); i++)
		if (accept_word(ps, kinds[i].word))
			break;
	if (i == lengthof(kinds))
		parse_error(ps, "credit, waive, extend, grant, flag or review");
	line.kind = kinds[i].kind;

	/* instrument */
	skip_space(ps);
	if (*ps->p == '"')
		instrument = parse_quoted(ps, '"', "an instrument");
	else if (peek_word(ps, &len) && !is_keyword(ps->p, len))
	{
		instrument = pnstrdup(ps->p, len);
		ps->p += len;
	}

	if (line.kind == CP_AWARD_EXTEND_BY && accept_word(ps, "by"))
	{
		if (!accept_word(ps, "outage"))
			parse_error(ps, "\"outage\" after \"by\"");
		line.kind = CP_AWARD_EXTEND_OUTAGE;
	}

	/* amount, days */
	while (parse_number(ps, &line))
		;

	/* new date */
	if (line.kind == CP_AWARD_EXTEND_BY && accept_word(ps, "to"))
	{
		line.kind = CP_AWARD_EXTEND_TO;
		if (at_time(ps))
		{
			line.new_date = parse_time(ps, &line);
			line.has |= CP_LINE_NEW_DATE;
		}
	}
	else if (accept(ps, "->"))
	{
		line.new_date = parse_time(ps, &line);
		line.has |= CP_LINE_NEW_DATE;
	}

	/* window */
	if (accept_word(ps, "claim"))
		line.window_kind = CP_WINDOW_CLAIM;
	else if (accept_word(ps, "valid"))
		line.window_kind = CP_WINDOW_VALID;
	if (line.window_kind != CP_WINDOW_NONE)
	{
		line.window_lo = parse_time(ps, &line);
		expect(ps, "..<", "\"..<\" between the ends of a window");
		line.window_hi = parse_time(ps, &line);
		line.has |= CP_LINE_WINDOW;
	}

	/* note */
	skip_space(ps);
	if (*ps->p == '\'')
		note = parse_quoted(ps, '\'', "a note");

	/* count */
	if (peek_word(ps, &len) && ps->p[0] == 'x' && is_keyword(ps->p, len))
	{
		const char *start = ps->p;
		int64		count = 0;

		for (i = 1; i < len; i++)
		{
			if (pg_mul_s64_overflow(count, 10, &count) ||
				pg_add_s64_overflow(count, start[i] - '0', &count))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("number out of range in award: \"%s\"", ps->str),
						 errdetail("The count at character %d does not fit.",
								   pg_mbstrlen_with_len(ps->str, start - ps->str) + 1)));
		}
		if (count < 1)
			parse_error(ps, "a count of at least 1");
		line.count = count;
		ps->p += len;
	}

	builder_add(&ps->b, &line, rule, instrument, note,
				ERRCODE_INVALID_TEXT_REPRESENTATION);
}

Datum
compensation_award_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	AwardParser ps;
	char		currency[4] = "";
	int			exponent = 0;

	ps.str = str;
	ps.p = str;
	skip_space(&ps);
	if (*ps.p != '{')
	{
		int			n;

		for (n = 0; n < 3 && ps.p[n] >= 'A' && ps.p[n] <= 'Z'; n++)
			currency[n] = ps.p[n];
		currency[n] = '\0';
		if (n != 3 || is_word_char(ps.p[3]))
			parse_error(&ps, "a three-letter currency code or \"{\"");
		exponent = cp_currency_exponent(currency);
		if (exponent < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown currency \"%s\" in award", currency),
					 errhint("Use an ISO 4217 currency code such as \"KRW\" or \"USD\".")));
		ps.p += 3;
	}
	cp_award_builder_init(&ps.b, currency, (int16) exponent);
	expect(&ps, "{", "\"{\"");
	if (!accept(&ps, "}"))
	{
		for (;;)
		{
			parse_line(&ps);
			if (accept(&ps, "}"))
				break;
			expect(&ps, ";", "\";\" or \"}\" after an award line");
		}
	}
	skip_space(&ps);
	if (*ps.p != '\0')
		parse_error(&ps, "the end of the input after \"}\"");
	PG_RETURN_CPAWARD(cp_award_builder_finish(&ps.b));
}

/*
 * Binary input/output
 */

static void
send_string(StringInfo buf, const char *s)
{
	pq_sendcountedtext(buf, s, strlen(s), false);
}

static char *
recv_string(StringInfo msg)
{
	int			len = pq_getmsgint(msg, 4);
	int			nbytes;
	char	   *s;

	if (len < 0 || len > msg->len - msg->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid string length %d in external award value", len)));
	s = pq_getmsgtext(msg, len, &nbytes);
	if (strlen(s) != nbytes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid string in external award value"),
				 errdetail("A string contains a zero byte.")));
	return s;
}

void
cp_award_send_to(StringInfo buf, const CpAwardData *aw)
{
	const CpAwardLine *lines = CpAwardLines(aw);
	const char *strings = CpAwardStrings(aw);
	int			len = strlen(aw->currency);
	int			i;

	pq_sendbyte(buf, AWARD_BINARY_VERSION);
	pq_sendbyte(buf, len);
	pq_sendbytes(buf, aw->currency, len);
	pq_sendint16(buf, aw->exponent);
	pq_sendint32(buf, aw->n_lines);
	for (i = 0; i < aw->n_lines; i++)
	{
		const CpAwardLine *l = &lines[i];

		pq_sendbyte(buf, l->kind);
		pq_sendbyte(buf, l->has);
		pq_sendbyte(buf, l->window_kind);
		pq_sendbyte(buf, l->unit);
		pq_sendint32(buf, l->utc_offset);
		pq_sendint32(buf, l->days);
		pq_sendint64(buf, l->count);
		pq_sendint64(buf, l->amount);
		pq_sendint64(buf, l->new_date);
		pq_sendint64(buf, l->window_lo);
		pq_sendint64(buf, l->window_hi);
		send_string(buf, strings + l->rule);
		send_string(buf, strings + l->instrument);
		pq_sendbyte(buf, l->note >= 0);
		if (l->note >= 0)
			send_string(buf, strings + l->note);
	}
}

CpAward
cp_award_recv_from(StringInfo msg)
{
	CpAwardBuilder b;
	char		currency[4];
	int			version,
				len,
				exponent,
				n_lines,
				i;

	version = pq_getmsgbyte(msg);
	if (version != AWARD_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported external award format version %d", version),
				 errdetail("This version of compensation reads version %d.",
						   AWARD_BINARY_VERSION)));
	len = pq_getmsgbyte(msg);
	if (len != 0 && len != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid currency length %d in external award value", len)));
	pq_copymsgbytes(msg, currency, len);
	currency[len] = '\0';
	exponent = (int16) pq_getmsgint(msg, 2);
	if (len == 0)
	{
		if (exponent != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exponent %d for an award without a currency",
							exponent)));
	}
	else
	{
		for (i = 0; i < 3; i++)
			if (currency[i] < 'A' || currency[i] > 'Z')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid currency code in external award value")));
		if (cp_currency_exponent(currency) != exponent)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exponent %d for currency \"%s\" in external award value",
							exponent, currency)));
	}
	n_lines = pq_getmsgint(msg, 4);
	if (n_lines < 0 || n_lines > (msg->len - msg->cursor) / AWARD_BINARY_MIN_LINE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of lines %d in external award value", n_lines)));

	cp_award_builder_init(&b, currency, (int16) exponent);
	for (i = 0; i < n_lines; i++)
	{
		CpAwardLine l;
		char	   *rule,
				   *instrument,
				   *note = NULL;

		memset(&l, 0, sizeof(l));
		l.kind = pq_getmsgbyte(msg);
		l.has = pq_getmsgbyte(msg);
		l.window_kind = pq_getmsgbyte(msg);
		l.unit = pq_getmsgbyte(msg);
		l.utc_offset = pq_getmsgint(msg, 4);
		l.days = pq_getmsgint(msg, 4);
		l.count = pq_getmsgint64(msg);
		l.amount = pq_getmsgint64(msg);
		l.new_date = pq_getmsgint64(msg);
		l.window_lo = pq_getmsgint64(msg);
		l.window_hi = pq_getmsgint64(msg);
		if (l.count < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid award line count " INT64_FORMAT " in external award value",
							l.count)));
		rule = recv_string(msg);
		instrument = recv_string(msg);
		switch (pq_getmsgbyte(msg))
		{
			case 0:
				break;
			case 1:
				note = recv_string(msg);
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid note flag in external award value")));
		}
		builder_add(&b, &l, rule, instrument, note,
					ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	return cp_award_builder_finish(&b);
}

Datum
compensation_award_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_CPAWARD(cp_award_recv_from(msg));
}

Datum
compensation_award_send(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	cp_award_send_to(&buf, aw);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
