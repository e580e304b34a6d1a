/*-------------------------------------------------------------------------
 *
 * award_build.c
 *	  The builder of compensation.award values.
 *
 * Every award, whoever makes it (the evaluator, award_in, award_recv, the
 * sum aggregate), goes through the builder (the evaluator through
 * cp_award_build, its one-pass form), which checks each line and
 * clears the fields its "has" bits do not cover.  So an award has one byte
 * image per meaning, and award_in(award_out(x)) gives x back byte for byte.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "datatype/timestamp.h"
#include "ruleset.h"
#include "strutil.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

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

	if (in->has & ~(CP_LINE_AMOUNT | CP_LINE_DAYS | CP_LINE_NEW_DATE | CP_LINE_WINDOW |
					CP_LINE_BEARER))
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid award line flags 0x%x", in->has)));
	if ((in->has & CP_LINE_BEARER) &&
		(in->kind == CP_AWARD_FLAG || in->kind == CP_AWARD_REVIEW))
		ereport(ERROR,
				(errcode(errc),
				 errmsg("a %s award line has no bearer",
						in->kind == CP_AWARD_FLAG ? "flag" : "review"),
				 errdetail("A flag or a review costs nothing, so no one bears it.")));
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
		if (in->window_kind != CP_WINDOW_CLAIM && in->window_kind != CP_WINDOW_VALID &&
			in->window_kind != CP_WINDOW_DUE)
			ereport(ERROR,
					(errcode(errc),
					 errmsg("invalid award line window kind %d", in->window_kind)));
		/* a deadline has no start: its text form has none to show */
		if (in->window_kind == CP_WINDOW_DUE && in->window_lo != DT_NOBEGIN)
			ereport(ERROR,
					(errcode(errc),
					 errmsg("award line due window has a start")));
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
	return cp_pool_add(&b->strings, s, strlen(s));
}

void
cp_award_builder_add_input(CpAwardBuilder *b, const CpAwardLine *line,
						   const char *rule, const char *instrument,
						   const char *note, int errc)
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
	if ((dst->has & CP_LINE_BEARER) && (note == NULL || note[0] == '\0'))
		ereport(ERROR,
				(errcode(errc),
				 errmsg("award line bearer is empty"),
				 errdetail("A line borne by the company names no bearer.")));
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
	cp_award_builder_add_input(b, line, rule, instrument, note,
							   ERRCODE_INTERNAL_ERROR);
}

static void
award_size_check(Size size)
{
	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("award is too large"),
				 errdetail("An award may be at most %d bytes; this one would be %zu.",
						   (int) MaxAllocSize, size)));
}

CpAward
cp_award_builder_finish(CpAwardBuilder *b)
{
	Size		hdr = MAXALIGN(sizeof(CpAwardData));
	Size		size = hdr + (Size) b->n_lines * sizeof(CpAwardLine) + b->strings.len;
	CpAward		aw;

	award_size_check(size);
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

/*
 * The builder's result without its scratch: the evaluator makes an award
 * per row, and the builder's string pool (a StringInfo) and line array
 * cost more than the award itself.  The layout is the builder's: lines in
 * order, then per line its rule, instrument and note (if any), each
 * NUL-terminated.
 */
#define BUILD_LENS_ON_STACK 16

CpAward
cp_award_build(const char *currency, int16 exponent, const CpAwardLineRef *refs,
			   int n)
{
	Size		hdr = MAXALIGN(sizeof(CpAwardData));
	Size		strings_len = 0;
	Size		size;
	CpAward		aw;
	CpAwardLine *lines;
	char	   *strings;
	Size		stack_lens[3 * BUILD_LENS_ON_STACK];
	Size	   *lens;
	int32		off = 0;
	int			i;

	if (currency != NULL && strlen(currency) >= sizeof(aw->currency))
		elog(ERROR, "invalid award currency \"%s\"", currency);
	if (exponent < 0 || exponent > 18)
		elog(ERROR, "invalid award currency exponent %d", exponent);
	if ((Size) n * sizeof(CpAwardLine) > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many award lines")));
	/* each string's length with its NUL, measured once (evaluate's hot path) */
	lens = n <= BUILD_LENS_ON_STACK ? stack_lens : palloc(sizeof(Size) * 3 * n);
	for (i = 0; i < n; i++)
	{
		lens[3 * i] = (refs[i].rule ? strlen(refs[i].rule) : 0) + 1;
		lens[3 * i + 1] = (refs[i].instrument ? strlen(refs[i].instrument) : 0) + 1;
		lens[3 * i + 2] = refs[i].note ? strlen(refs[i].note) + 1 : 0;
		strings_len += lens[3 * i] + lens[3 * i + 1] + lens[3 * i + 2];
	}
	size = hdr + (Size) n * sizeof(CpAwardLine) + strings_len;
	award_size_check(size);

	aw = palloc0(size);
	SET_VARSIZE(aw, size);
	aw->n_lines = n;
	if (currency != NULL)
		strcpy(aw->currency, currency);
	aw->exponent = exponent;
	aw->strings_len = (int32) strings_len;
	lines = CpAwardLines(aw);
	strings = CpAwardStrings(aw);
	for (i = 0; i < n; i++)
	{
		award_check_line(refs[i].line, &lines[i], aw->currency,
						 ERRCODE_INTERNAL_ERROR);
		/* an absent rule or instrument is the empty string (palloc0'd) */
		if (refs[i].rule)
			memcpy(strings + off, refs[i].rule, lens[3 * i]);
		lines[i].rule = off;
		off += lens[3 * i];
		if (refs[i].instrument)
			memcpy(strings + off, refs[i].instrument, lens[3 * i + 1]);
		lines[i].instrument = off;
		off += lens[3 * i + 1];
		if (refs[i].note)
		{
			memcpy(strings + off, refs[i].note, lens[3 * i + 2]);
			lines[i].note = off;
			off += lens[3 * i + 2];
		}
		else
			lines[i].note = -1;
	}
	Assert(off == strings_len);
	if (lens != stack_lens)
		pfree(lens);
	return aw;
}

CpAward
cp_award_empty(const char *currency, int16 exponent)
{
	CpAwardBuilder b;

	cp_award_builder_init(&b, currency, exponent);
	return cp_award_builder_finish(&b);
}

