/*-------------------------------------------------------------------------
 *
 * award_read.c
 *	  Reading compensation.award values from SQL: lines() and the accessors
 *	  (is_empty, amount, days, new_date, has, currency).
 *
 * All of these are pure: they read the award only, never a session setting.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "common/int.h"
#include "funcapi.h"
#include "keywords.h"
#include "ruleset.h"
#include "srf.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

/*
 * lines()'s columns: 0.1.0 declared 13; 0.2.0 adds bearer (issue 12).  The
 * tuple is built for the declared result, so a 0.1.0 declaration (an
 * install not yet updated) reads the first 13.
 */
#define LINES_NATTS		14

PG_FUNCTION_INFO_V1(compensation_award_lines);
PG_FUNCTION_INFO_V1(compensation_award_is_empty);
PG_FUNCTION_INFO_V1(compensation_award_amount);
PG_FUNCTION_INFO_V1(compensation_award_days);
PG_FUNCTION_INFO_V1(compensation_award_new_date);
PG_FUNCTION_INFO_V1(compensation_award_has);
PG_FUNCTION_INFO_V1(compensation_award_currency);

/*
 * Is line l on the instrument, item, flag or column called name, with every
 * field of has (CP_LINE_*) set?  What amount(), days(), new_date() and has()
 * select by.
 *
 * A review line awards nothing: it stands for the award a person is to
 * decide on, and keeps that award's instrument so lines() can say what is
 * under review ("review deposit 'amount over cap'").  So it is on no
 * instrument here: has(a, 'deposit') is false for it, and it is found by the
 * word review (has(a, 'review')), which no policy can use as an instrument
 * (it is a reserved word of the policy language).
 */
static bool
line_on(const CpAward aw, const CpAwardLine *l, uint8 has, const char *name)
{
	if (l->kind == CP_AWARD_REVIEW)
		return has == 0 && strcmp(name, CpKeywordWord(CP_KW_REVIEW)) == 0;
	return (l->has & has) == has &&
		strcmp(CpAwardString(aw, l->instrument), name) == 0;
}

/*
 * lines(award): one row per line.  Called once per row of a table (INSERT
 * INTO ledger ... SELECT ... FROM t, lines(evaluate(rules, t))), so the
 * result's descriptor is built once per call site (fn_extra), and an empty
 * award, the common case, returns at once.
 */
Datum
compensation_award_lines(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	CpAwardLine *lines = CpAwardLines(aw);
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	int			i;

	cp_srf_check(fcinfo, "lines");
	if (aw->n_lines == 0)
	{
		cp_srf_empty(fcinfo);
		return (Datum) 0;
	}
	tupstore = cp_srf_begin(fcinfo, (TupleDesc *) &fcinfo->flinfo->fn_extra, &tupdesc);

	for (i = 0; i < aw->n_lines; i++)
	{
		CpAwardLine *l = &lines[i];
		Datum		values[LINES_NATTS];
		bool		nulls[LINES_NATTS];
		const char *instrument = CpAwardString(aw, l->instrument);

		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(CpAwardString(aw, l->rule));
		/* the extend kinds all read "extend" */
		values[1] = CStringGetTextDatum(cp_award_kind_name((CpAwardKind) l->kind));
		if (instrument[0] != '\0')
			values[2] = CStringGetTextDatum(instrument);
		else
			nulls[2] = true;
		if (l->has & CP_LINE_AMOUNT)
		{
			values[3] = Int64GetDatum(l->amount);
			/*
			 * amount_major and currency describe money; a counted amount
			 * (points, coupons) has neither: amount is its number of units.
			 * So sum(amount_major) never adds points to money.
			 */
			if (l->unit == CP_INSTR_MONEY)
			{
				values[4] = NumericGetDatum(aw->exponent > 0 ?
											int64_div_fast_to_numeric(l->amount, aw->exponent) :
											int64_to_numeric(l->amount));
				values[5] = CStringGetTextDatum(aw->currency);
			}
			else
				nulls[4] = nulls[5] = true;
		}
		else
			nulls[3] = nulls[4] = nulls[5] = true;
		if (l->has & CP_LINE_DAYS)
			values[6] = Int32GetDatum(l->days);
		else
			nulls[6] = true;
		if (l->has & CP_LINE_NEW_DATE)
			values[7] = TimestampTzGetDatum(l->new_date);
		else
			nulls[7] = true;
		if (l->has & CP_LINE_WINDOW)
		{
			values[8] = CStringGetTextDatum(cp_word_name(CP_WORDS_WINDOW_KIND,
														 l->window_kind));
			values[9] = TimestampTzGetDatum(l->window_lo);
			values[10] = TimestampTzGetDatum(l->window_hi);
		}
		else
			nulls[8] = nulls[9] = nulls[10] = true;
		if (CpLineNote(l) >= 0)
			values[11] = CStringGetTextDatum(CpAwardString(aw, l->note));
		else
			nulls[11] = true;
		values[12] = Int64GetDatum(l->count);
		if (CpLineBearer(l) >= 0)
			values[13] = CStringGetTextDatum(CpAwardString(aw, l->note));
		else
			nulls[13] = true;

		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
compensation_award_is_empty(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);

	PG_RETURN_BOOL(aw->n_lines == 0);
}

/*
 * amount(award, instrument): the amounts of the lines on an instrument,
 * added; 0 if none.
 */
Datum
compensation_award_amount(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CpAwardLine *lines = CpAwardLines(aw);
	int64		total = 0;
	int			i;

	for (i = 0; i < aw->n_lines; i++)
	{
		if (!line_on(aw, &lines[i], CP_LINE_AMOUNT, name))
			continue;
		if (pg_add_s64_overflow(total, lines[i].amount, &total))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("award amount out of range"),
					 errdetail("The amounts on \"%s\" add up to more than a bigint holds.",
							   name)));
	}
	PG_RETURN_INT64(total);
}

/*
 * days(award, target): the days of the lines on a column or item, added;
 * 0 if none.
 */
Datum
compensation_award_days(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CpAwardLine *lines = CpAwardLines(aw);
	int32		total = 0;
	int			i;

	for (i = 0; i < aw->n_lines; i++)
	{
		if (!line_on(aw, &lines[i], CP_LINE_DAYS, name))
			continue;
		if (pg_add_s32_overflow(total, lines[i].days, &total))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("award days out of range"),
					 errdetail("The days on \"%s\" add up to more than an integer holds.",
							   name)));
	}
	PG_RETURN_INT32(total);
}

/*
 * new_date(award, target): the latest new date of the lines on a column;
 * NULL if none has one.
 */
Datum
compensation_award_new_date(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CpAwardLine *lines = CpAwardLines(aw);
	bool		found = false;
	TimestampTz latest = 0;
	int			i;

	for (i = 0; i < aw->n_lines; i++)
	{
		if (!line_on(aw, &lines[i], CP_LINE_NEW_DATE, name))
			continue;
		if (!found || lines[i].new_date > latest)
			latest = lines[i].new_date;
		found = true;
	}
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(latest);
}

/*
 * has(award, name): does any line award something on this instrument,
 * item, flag or column?  has(award, 'review'): is any line a review?
 */
Datum
compensation_award_has(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CpAwardLine *lines = CpAwardLines(aw);
	int			i;

	for (i = 0; i < aw->n_lines; i++)
		if (line_on(aw, &lines[i], 0, name))
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/*
 * currency(award): the ISO 4217 code, or NULL for an award made without
 * one.
 */
Datum
compensation_award_currency(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);

	if (aw->currency[0] == '\0')
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(aw->currency));
}
