/*-------------------------------------------------------------------------
 *
 * award_parse.c
 *	  A compensation.award from its text (award_in).
 *
 * Reads what award_print.c prints (the grammar is in its header comment),
 * and is lenient only about white space and redundant forms ("x1",
 * "1 units", "2 days" without "+").  Every line goes through the builder,
 * so text that reads back differently from how it prints cannot be stored.
 * Words are the keyword table's (keywords.h); unlike the policy language,
 * award text is case-sensitive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "award.h"
#include "common/int.h"
#include "keywords.h"
#include "mb/pg_wchar.h"
#include "ruleset.h"
#include "utils/datetime.h"

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

/*
 * Words that cannot be a bare instrument: the keywords that may follow one
 * ("by", "to", "claim", "valid": CP_QUOTED in kwlist.h), and xN, a count.
 */
bool
cp_award_word_is_keyword(const char *s, int len)
{
	int			i;

	if (cp_keywords[cp_keyword_lookup(s, len, false)].award_quoted)
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
	if (!cp_word_start(*q))
		return false;
	while (cp_word_char(*q))
		q++;
	*len = q - ps->p;
	return true;
}

/* Consume the keyword kw if it comes next. */
static bool
accept_word(AwardParser *ps, CpKeyword kw)
{
	int			len;

	if (peek_word(ps, &len) && len == cp_keywords[kw].len &&
		strncmp(ps->p, cp_keywords[kw].word, len) == 0)
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
	if (strncmp(ps->p, " BC", 3) == 0 && !cp_word_char(ps->p[3]))
	{
		ps->p += 3;
		bc = true;
	}
	if (cp_word_char(*ps->p))
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
	if (cp_word_char(*ps->p) || *ps->p == '.')
		parse_error(ps, "the end of a number");

	if (peek_word(ps, &len) &&
		(cp_word_value(CP_WORDS_UNIT, ps->p, len, false) == CP_UNIT_DAYS ||
		 cp_word_value(CP_WORDS_UNIT_ONE, ps->p, len, false) == CP_UNIT_DAYS))
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
	if (accept_word(ps, CP_KW_UNITS) || accept_word(ps, CP_KW_UNIT))
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

/*
 * Is the word of len bytes at ps->p `word`, followed (after spaces) by
 * `next`?  Two words of a line are no keywords of the award text, so an
 * instrument may be called by them; what follows tells them apart:
 *
 *	 due ..< END		a due window ("extend due to ..." is an instrument);
 *	 bearer 'NAME'		a line's bearer, printed right after the kind when
 *						the line has no instrument.
 *
 * An instrument is never followed by "..<" nor by a quoted name.
 */
static bool
word_followed_by(AwardParser *ps, int len, const char *word, const char *next)
{
	const char *q = ps->p + len;

	if (len != (int) strlen(word) || strncmp(ps->p, word, len) != 0)
		return false;
	while (isspace((unsigned char) *q))
		q++;
	return strncmp(q, next, strlen(next)) == 0;
}

static void
parse_line(AwardParser *ps)
{
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
	/*
	 * The three extend kinds all read "extend": this is EXTEND_BY until "by
	 * outage" or "to" says otherwise.
	 */
	if (!peek_word(ps, &len) ||
		(line.kind = cp_word_value(CP_WORDS_AWARD_KIND, ps->p, len, false)) == 0)
		parse_error(ps, "credit, waive, extend, grant, flag or review");
	ps->p += len;

	/* instrument */
	skip_space(ps);
	if (*ps->p == '"')
		instrument = parse_quoted(ps, '"', "an instrument");
	else if (peek_word(ps, &len) && !cp_award_word_is_keyword(ps->p, len) &&
			 !word_followed_by(ps, len, "due", "..<") &&
			 !word_followed_by(ps, len, "bearer", "'"))
	{
		instrument = pnstrdup(ps->p, len);
		ps->p += len;
	}

	if (line.kind == CP_AWARD_EXTEND_BY && accept_word(ps, CP_KW_BY))
	{
		if (!accept_word(ps, CP_KW_OUTAGE))
			parse_error(ps, "\"outage\" after \"by\"");
		line.kind = CP_AWARD_EXTEND_OUTAGE;
	}

	/* amount, days */
	while (parse_number(ps, &line))
		;

	/* new date */
	if (line.kind == CP_AWARD_EXTEND_BY && accept_word(ps, CP_KW_TO))
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
	if (peek_word(ps, &len) &&
		(line.window_kind = cp_word_value(CP_WORDS_WINDOW_KIND, ps->p, len,
										  false)) != CP_WINDOW_NONE)
	{
		ps->p += len;
		if (line.window_kind == CP_WINDOW_DUE)
			line.window_lo = DT_NOBEGIN;	/* "due ..< END" */
		else
			line.window_lo = parse_time(ps, &line);
		expect(ps, "..<", "\"..<\" between the ends of a window");
		line.window_hi = parse_time(ps, &line);
		line.has |= CP_LINE_WINDOW;
	}

	/* bearer (issue 12) or note: a line has one or neither */
	skip_space(ps);
	if (accept_word(ps, CP_KW_BEARER))
	{
		note = parse_quoted(ps, '\'', "the bearer in single quotes");
		line.has |= CP_LINE_BEARER;
	}
	else if (*ps->p == '\'')
		note = parse_quoted(ps, '\'', "a note");

	/* count */
	if (peek_word(ps, &len) && ps->p[0] == 'x' && cp_award_word_is_keyword(ps->p, len))
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

	cp_award_builder_add_input(&ps->b, &line, rule, instrument, note,
							   ERRCODE_INVALID_TEXT_REPRESENTATION);
}

CpAward
cp_award_parse(const char *str)
{
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
		if (n != 3 || cp_word_char(ps.p[3]))
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
	return cp_award_builder_finish(&ps.b);
}
