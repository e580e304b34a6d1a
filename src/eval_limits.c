/*-------------------------------------------------------------------------
 *
 * eval_limits.c
 *	  Payout limits (issue 11): "cap INSTRUMENT EXPR" and "minimum
 *	  INSTRUMENT EXPR", applied to a row's award lines across rules.
 *
 * A limit looks at the lines of one instrument that a row collected from
 * every rule, after each line was rounded:
 *   cap      the lines total at most the cap: in rule order, the line that
 *            crosses it is cut to what is left, the lines after it are
 *            dropped;
 *   minimum  lines that total less than the minimum are not paid (EU rail
 *            passengers' rights: no compensation under EUR 4).
 * Caps apply before minimums, each in the order the policy gives them.
 * The amount is an expression in major units (whole units for a counted
 * instrument), read per row only when the row has lines of the instrument;
 * it must be a whole number of minor units (nothing is rounded silently),
 * and not negative.
 *
 * Only a policy with limits comes here (n_limits > 0), so the others pay
 * one predictable branch per row.  explain() applies the same limits, and
 * notes what each did in the detail of the rules whose lines it changed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"

#include "eval_int.h"

void
EvalBindLimits(CpEval *ev)
{
	int32		i;
	int32		n = 0;

	ev->n_limits = 0;
	ev->limits = NULL;
	for (i = 0; i < ev->n_lets; i++)
		if (ev->lets[i].kind == CP_LET_CAP || ev->lets[i].kind == CP_LET_MINIMUM)
			n++;
	if (n == 0)
		return;
	ev->limits = MemoryContextAlloc(ev->mcxt, sizeof(int32) * n);
	/* caps first, then minimums, each in the policy's order */
	for (i = 0; i < ev->n_lets; i++)
		if (ev->lets[i].kind == CP_LET_CAP)
			ev->limits[ev->n_limits++] = i;
	for (i = 0; i < ev->n_lets; i++)
		if (ev->lets[i].kind == CP_LET_MINIMUM)
			ev->limits[ev->n_limits++] = i;
}

/* An amount in minor (or whole) units as the policy writes it. */
static char *
units_text(const CpEval *ev, int64 amount, uint8 unit)
{
	if (unit != CP_INSTR_MONEY || ev->rs->exponent == 0)
		return psprintf(INT64_FORMAT, amount);
	{
		int64		div = 1;
		int			e;
		StringInfoData out;

		for (e = 0; e < ev->rs->exponent; e++)
			div *= 10;
		initStringInfo(&out);
		if (amount < 0)
			appendStringInfoChar(&out, '-');
		appendStringInfo(&out, INT64_FORMAT ".%0*" INT64_MODIFIER "d",
						 Abs(amount) / div, ev->rs->exponent, Abs(amount) % div);
		return out.data;
	}
}

/* The limit's amount on this row, in the units of the lines; -1 if NULL. */
static int64
limit_amount(CpEval *ev, const CpLet *let, uint8 unit, const char *word)
{
	CpValue		v;
	CpRational	scaled;
	int64		amount;

	EvalNode(ev, let->expr, &v);
	if (v.kind == CPV_NULL || v.kind == CPV_NOAWARD)
		return -1;
	if (v.kind != CPV_NUM)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the %s of instrument \"%s\" is %s, not a number",
						word, str_at(ev, let->name), EvalKindName(v.kind)),
				 errhint("Give the %s as an amount in major units, such as %s %s 4.00.",
						 word, word, str_at(ev, let->name))));
	scaled = v.u.num;
	if (unit == CP_INSTR_MONEY && !cp_rat_scale10(v.u.num, ev->rs->exponent, &scaled))
		scaled.den = 0;
	if (scaled.den == 0 || v.u.num.num < 0 ||
		cp_round_status(scaled, CP_ROUND_UNSET, 1, &amount) != CP_EXACT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the %s of instrument \"%s\" is %s, not a whole number of %s at least 0",
						word, str_at(ev, let->name), cp_rat_to_cstring(v.u.num),
						unit == CP_INSTR_MONEY ? "minor units" : "units"),
				 errhint("Round it in the policy: %s %s round(x, floor).",
						 word, str_at(ev, let->name))));
	return amount;
}

static void
note(CpExplainRule *trace, int32 rule_no, const char *text)
{
	CpExplainRule *tr;

	if (trace == NULL || rule_no < 0)
		return;
	tr = &trace[rule_no];
	tr->detail = tr->detail ? psprintf("%s; %s", tr->detail, text) : pstrdup(text);
}

/* Does pending line p carry an amount of the instrument? */
static inline bool
counts_for(const CpPending *p, const char *instrument)
{
	return !p->dropped && (p->line.has & CP_LINE_AMOUNT) &&
		(p->line.kind == CP_AWARD_CREDIT || p->line.kind == CP_AWARD_WAIVE ||
		 p->line.kind == CP_AWARD_GRANT) &&
		strcmp(p->instrument, instrument) == 0;
}

void
EvalApplyLimits(CpEval *ev, CpExplainRule *trace)
{
	int32		k;

	for (k = 0; k < ev->n_limits; k++)
	{
		const CpLet *let = &ev->lets[ev->limits[k]];
		const char *instrument = str_at(ev, let->name);
		bool		is_cap = let->kind == CP_LET_CAP;
		const char *word = is_cap ? "cap" : "minimum";
		int64		limit = -1;
		int64		total = 0;
		uint8		unit = 0;
		bool		any = false;
		int			i;

		for (i = 0; i < ev->n_pending; i++)
			if (counts_for(&ev->pending[i], instrument))
			{
				any = true;
				unit = ev->pending[i].line.unit;
				break;
			}
		if (!any)
			continue;
		/* errors in the limit's expression name no rule */
		ev->cur_rule = -1;
		limit = limit_amount(ev, let, unit, word);
		if (limit < 0)
			continue;			/* a NULL limit limits nothing */

		if (is_cap)
		{
			for (i = 0; i < ev->n_pending; i++)
			{
				CpPending  *p = &ev->pending[i];
				int64		left = limit - total;

				if (!counts_for(p, instrument))
					continue;
				if (p->line.amount <= left)
				{
					total += p->line.amount;
					continue;
				}
				if (left > 0)
				{
					note(trace, p->rule_no,
						 psprintf("cap %s %s: %s cut to %s", instrument,
								  units_text(ev, limit, unit),
								  units_text(ev, p->line.amount, unit),
								  units_text(ev, left, unit)));
					p->line.amount = left;
					total = limit;
				}
				else
				{
					note(trace, p->rule_no,
						 psprintf("cap %s %s: %s %s not paid, the cap was reached",
								  instrument, units_text(ev, limit, unit),
								  instrument, units_text(ev, p->line.amount, unit)));
					p->dropped = true;
				}
			}
		}
		else
		{
			bool		over = false;

			/*
			 * Lines are each at most 2^63 - 1: a total past that is above
			 * any minimum, and must not wrap round to a negative one.
			 */
			for (i = 0; i < ev->n_pending && !over; i++)
				if (counts_for(&ev->pending[i], instrument))
					over = pg_add_s64_overflow(total, ev->pending[i].line.amount, &total);
			if (over || total >= limit)
				continue;
			for (i = 0; i < ev->n_pending; i++)
			{
				CpPending  *p = &ev->pending[i];

				if (!counts_for(p, instrument))
					continue;
				note(trace, p->rule_no,
					 psprintf("minimum %s %s: %s %s not paid, the row's %s total %s is under the minimum",
							  instrument, units_text(ev, limit, unit), instrument,
							  units_text(ev, p->line.amount, unit), instrument,
							  units_text(ev, total, unit)));
				p->dropped = true;
			}
		}
	}
}
