/*-------------------------------------------------------------------------
 *
 * award_json.c
 *	  compensation.award as JSON: award_to_json(), award_to_jsonb() and the
 *	  casts award::json and award::jsonb built on them.
 *
 * An app reads the object with any JSON parser, without knowing the award
 * text's syntax:
 *
 *	{"currency": "KRW", "exponent": 0, "lines": [
 *	  {"rule": "R1", "kind": "credit", "extend": null, "instrument": "deposit",
 *	   "unit": "money", "amount": 15400, "amount_major": 15400, "days": null,
 *	   "new_date": null, "window": null, "note": null, "bearer": null,
 *	   "count": 1},
 *	  {"rule": "R3", "kind": "grant", ..., "window": {"kind": "valid",
 *	   "from": "2025-06-17T00:00:00+09:00", "until": "2025-07-01T00:00:00+09:00"},
 *	   ...}]}
 *
 * Every line has every key, null where the line has no such field, so a
 * typed client maps it to one record type.  The keys are lines()'s columns,
 * with the window as one object, minus the per-line currency (the award's
 * is at the top) and plus "extend" (by, to or outage: which of the three
 * extend kinds) and "unit" (money or count), so that the JSON says all the
 * award text says.  "bearer" is who bears the line's cost: null for the
 * company, else the partner the policy named (issue 12).  The words (kinds, units, window kinds, extend modes)
 * come from the keyword table.
 *
 * Numbers are exact: "amount" is the integer in minor units (whole units
 * for counted instruments), "amount_major" the same amount in major units
 * with exactly the currency's digits (1234 USD cents are 12.34, 15400 KRW
 * are 15400), null for counted instruments, which have no currency.
 * Times are ISO 8601 at the line's UTC offset, which the evaluator took
 * from the policy's time zone; infinite times are the strings "infinity"
 * and "-infinity", as PostgreSQL writes them.  Nothing here reads a session
 * setting (no DateStyle, no TimeZone, no extra_float_digits): the same
 * award is the same JSON everywhere (DESIGN.md, law 3).
 *
 * The text is written directly; the jsonb form parses it (jsonb_in reads
 * no setting either), which keeps one writer for both.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "keywords.h"
#include "miscadmin.h"
#include "ruleset.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(compensation_award_to_json);
PG_FUNCTION_INFO_V1(compensation_award_to_jsonb);

static void
append_time_or_null(StringInfo out, bool has, TimestampTz t, int32 utc_offset)
{
	if (!has)
	{
		appendStringInfoString(out, "null");
		return;
	}
	appendStringInfoChar(out, '"');
	cp_award_append_time(out, t, utc_offset, true);
	appendStringInfoChar(out, '"');
}

/* The extend mode of a line, or NULL for a line that is not an extend. */
static const char *
extend_mode(CpAwardKind kind)
{
	switch (kind)
	{
		case CP_AWARD_EXTEND_BY:
			return CpKeywordWord(CP_KW_BY);
		case CP_AWARD_EXTEND_TO:
			return CpKeywordWord(CP_KW_TO);
		case CP_AWARD_EXTEND_OUTAGE:
			return CpKeywordWord(CP_KW_OUTAGE);
		default:
			return NULL;
	}
}

static void
append_line(StringInfo out, const CpAward aw, const CpAwardLine *l)
{
	const char *instrument = CpAwardString(aw, l->instrument);
	const char *mode = extend_mode((CpAwardKind) l->kind);

	appendStringInfoString(out, "{\"rule\": ");
	escape_json(out, CpAwardString(aw, l->rule));
	appendStringInfoString(out, ", \"kind\": ");
	escape_json(out, cp_award_kind_name((CpAwardKind) l->kind));
	appendStringInfoString(out, ", \"extend\": ");
	if (mode)
		escape_json(out, mode);
	else
		appendStringInfoString(out, "null");
	appendStringInfoString(out, ", \"instrument\": ");
	if (instrument[0] != '\0')
		escape_json(out, instrument);
	else
		appendStringInfoString(out, "null");

	if (l->has & CP_LINE_AMOUNT)
	{
		appendStringInfoString(out, ", \"unit\": ");
		escape_json(out, cp_word_name(CP_WORDS_UNIT_KIND, l->unit));
		appendStringInfo(out, ", \"amount\": " INT64_FORMAT ", \"amount_major\": ",
						 l->amount);
		if (l->unit == CP_INSTR_MONEY)
			cp_award_append_major(out, l->amount, aw->exponent);
		else
			appendStringInfoString(out, "null");
	}
	else
		appendStringInfoString(out, ", \"unit\": null, \"amount\": null, \"amount_major\": null");

	if (l->has & CP_LINE_DAYS)
		appendStringInfo(out, ", \"days\": %d", l->days);
	else
		appendStringInfoString(out, ", \"days\": null");

	appendStringInfoString(out, ", \"new_date\": ");
	append_time_or_null(out, (l->has & CP_LINE_NEW_DATE) != 0, l->new_date,
						l->utc_offset);

	appendStringInfoString(out, ", \"window\": ");
	if (l->has & CP_LINE_WINDOW)
	{
		appendStringInfoString(out, "{\"kind\": ");
		escape_json(out, cp_word_name(CP_WORDS_WINDOW_KIND, l->window_kind));
		appendStringInfoString(out, ", \"from\": ");
		append_time_or_null(out, true, l->window_lo, l->utc_offset);
		appendStringInfoString(out, ", \"until\": ");
		append_time_or_null(out, true, l->window_hi, l->utc_offset);
		appendStringInfoChar(out, '}');
	}
	else
		appendStringInfoString(out, "null");

	appendStringInfoString(out, ", \"note\": ");
	if (CpLineNote(l) >= 0)
		escape_json(out, CpAwardString(aw, l->note));
	else
		appendStringInfoString(out, "null");
	appendStringInfoString(out, ", \"bearer\": ");
	if (CpLineBearer(l) >= 0)
		escape_json(out, CpAwardString(aw, l->note));
	else
		appendStringInfoString(out, "null");
	appendStringInfo(out, ", \"count\": " INT64_FORMAT "}", l->count);
}

/* The JSON text of an award, in CurrentMemoryContext. */
static char *
award_json_text(const CpAward aw)
{
	const CpAwardLine *lines = CpAwardLines(aw);
	StringInfoData out;
	int			i;

	initStringInfo(&out);
	appendStringInfoString(&out, "{\"currency\": ");
	if (aw->currency[0] != '\0')
		escape_json(&out, aw->currency);
	else
		appendStringInfoString(&out, "null");
	appendStringInfo(&out, ", \"exponent\": %d, \"lines\": [", aw->exponent);
	for (i = 0; i < aw->n_lines; i++)
	{
		/* a sum over a large table can have very many lines */
		CHECK_FOR_INTERRUPTS();
		if (i > 0)
			appendStringInfoString(&out, ", ");
		append_line(&out, aw, &lines[i]);
	}
	appendStringInfoString(&out, "]}");
	return out.data;
}

/*
 * compensation.award_to_json(award) -> json, also the cast award::json
 * (which to_json(), to_jsonb(), row_to_json() and jsonb_agg() use for an
 * award inside a row).
 */
Datum
compensation_award_to_json(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);

	PG_RETURN_TEXT_P(cstring_to_text(award_json_text(aw)));
}

/* compensation.award_to_jsonb(award) -> jsonb, also the cast award::jsonb */
Datum
compensation_award_to_jsonb(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(award_json_text(aw)));
}
