/*-------------------------------------------------------------------------
 *
 * eval_award.c
 *	  From a row to its award: which rules to try (the rule index), the hit
 *	  policy, and the award lines of each rule that matched.
 *
 * Per row, once the interpreter (eval_exec.c) has said which conditions
 * hold: the candidates of the rule index are merged in rule order, the
 * hit policy decides which matched rules award, each award spec becomes a
 * line (amounts rounded in the policy's minor units, times moved in the
 * policy zone), and the lines become one compensation.award.  Separate from
 * the interpreter because it runs per matched rule, not per node, and
 * builds the result rather than values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "eval_int.h"

/* ---------------------------------------------------------------------
 * Awards
 * ---------------------------------------------------------------------
 */

static void
add_pending(CpEval *ev, const CpAwardLine *line, const char *instrument,
			const char *note)
{
	CpPending  *p;

	if (ev->n_pending >= ev->max_pending)
	{
		ev->max_pending *= 2;
		ev->pending = repalloc(ev->pending, ev->max_pending * sizeof(CpPending));
	}
	p = &ev->pending[ev->n_pending++];
	p->line = *line;
	p->rule = str_at(ev, ev->rules[ev->cur_rule].name);
	p->instrument = instrument;
	p->note = note;
	p->rule_no = ev->cur_rule;
	p->dropped = false;
}

const char *
EvalSpecText(const CpEval *ev, const CpAwardSpec *spec)
{
	const char *instr = spec->instrument >= 0 ? str_at(ev, spec->instrument) : "";

	return psprintf("%s %s", cp_award_kind_name((CpAwardKind) spec->kind), instr);
}

static void pg_attribute_noreturn()
amount_overflow_error(CpEval *ev, const CpAwardSpec *spec, CpRational v)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range in rule \"%s\"", EvalRuleName(ev)),
			 errdetail("The amount of %s, %s, does not fit in 64 bits as %s.",
					   EvalSpecText(ev, spec), cp_rat_to_cstring(v),
					   spec->unit == CP_INSTR_MONEY ? "minor units" : "whole units")));
}

/* Amount of a credit, waive or grant, rounded; false if zero. */
static bool
award_amount(CpEval *ev, const CpAwardSpec *spec, CpRational v, CpAwardLine *line)
{
	const CpRulesetData *rs = ev->rs;
	CpUnitKind	unit = spec->unit ? (CpUnitKind) spec->unit : CP_INSTR_COUNT;
	CpRounding	mode = spec->rounding ? (CpRounding) spec->rounding : (CpRounding) rs->rounding;
	int64		inc = spec->increment > 0 ? spec->increment : rs->increment;
	CpRational	scaled = v;
	int64		amount;

	if (v.num < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("negative award in rule \"%s\"", EvalRuleName(ev)),
				 errdetail("The amount of %s is %s.", EvalSpecText(ev, spec),
						   cp_rat_to_cstring(v)),
				 errhint("Guard the award with a condition, or use max(amount, 0).")));
	if (inc <= 0)
		inc = 1;
	if (unit == CP_INSTR_MONEY && !cp_rat_scale10(v, rs->exponent, &scaled))
		amount_overflow_error(ev, spec, v);
	switch (cp_round_status(scaled, mode, inc, &amount))
	{
		case CP_EXACT_OK:
			break;
		case CP_EXACT_INEXACT:
			if (unit == CP_INSTR_MONEY)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("amount %s is not a whole number of minor units",
								cp_rat_to_cstring(scaled)),
						 errdetail("Rule \"%s\" computes it for %s, and neither the award nor the policy names a rounding.",
								   EvalRuleName(ev), EvalSpecText(ev, spec)),
						 errhint("Name a rounding in the policy (rounding half_up) or on the award (round half_up).")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("amount %s is not a whole number of units",
								cp_rat_to_cstring(scaled)),
						 errdetail("Rule \"%s\" computes it for %s, and neither the award nor the policy names a rounding.",
								   EvalRuleName(ev), EvalSpecText(ev, spec)),
						 errhint("Name a rounding in the policy (rounding half_up) or on the award (round half_up).")));
			break;
		default:
			amount_overflow_error(ev, spec, v);
	}
	if (amount == 0)
	{
		if (v.num == 0)
			NOTE_SKIP(ev, spec, "the amount is 0");
		else
			NOTE_SKIP(ev, spec, psprintf("the amount %s rounds to 0", cp_rat_to_cstring(v)));
		return false;
	}
	line->amount = amount;
	line->unit = (uint8) unit;
	line->has |= CP_LINE_AMOUNT;
	return true;
}

/* A review line in place of the award the spec would have given. */
static void
review_line(CpEval *ev, const CpAwardSpec *spec, const CpValue *v, CpAwardLine *line,
			const char **note)
{
	line->kind = CP_AWARD_REVIEW;
	line->has = 0;
	line->unit = 0;
	*note = v->u.reason;
}

/*
 * Who bears the line (issue 12): the text of the spec's bearer, with
 * CP_LINE_BEARER set on the line, or NULL (the company) when it is NULL
 * or empty.  Only for a spec that names a bearer, so a policy without one
 * pays nothing here.
 */
static const char *
line_bearer(CpEval *ev, const CpAwardSpec *spec, CpAwardLine *line)
{
	CpValue		v;

	EvalNode(ev, CpAwardBearerNode(spec), &v);
	if (v.kind == CPV_NULL || (v.kind == CPV_TEXT && v.u.text.len == 0))
		return NULL;
	if (v.kind != CPV_TEXT)
		EvalTypeError(ev, CpAwardBearerNode(spec),
					  psprintf("use %s as a bearer", EvalKindName(v.kind)));
	line->has |= CP_LINE_BEARER;
	return pnstrdup(v.u.text.p, v.u.text.len);
}

/* An award value that gives no line: NULL or none. */
static bool
skip_value(CpEval *ev, const CpAwardSpec *spec, const char *what, const CpValue *v)
{
	if (v->kind == CPV_NULL || v->kind == CPV_NOAWARD)
	{
		NOTE_SKIP(ev, spec, psprintf("%s is %s", what,
									 v->kind == CPV_NULL ? "NULL" : "none"));
		return true;
	}
	return false;
}

static void
eval_award(CpEval *ev, const CpAwardSpec *spec)
{
	CpAwardLine line;
	const char *instrument = spec->instrument >= 0 ? str_at(ev, spec->instrument) : "";
	const char *note = NULL;
	CpValue		v,
				col;

	memset(&line, 0, sizeof(line));
	line.kind = spec->kind;
	line.count = 1;
	line.note = -1;

	switch ((CpAwardKind) spec->kind)
	{
		case CP_AWARD_CREDIT:
		case CP_AWARD_WAIVE:
			EvalNode(ev, spec->amount, &v);
			if (skip_value(ev, spec, "the amount", &v))
				return;
			if (v.kind == CPV_REVIEW)
				review_line(ev, spec, &v, &line, &note);
			else if (v.kind != CPV_NUM)
				EvalTypeError(ev, spec->amount, psprintf("%s an amount that is %s",
													  cp_award_kind_name((CpAwardKind) spec->kind),
													  EvalKindName(v.kind)));
			else if (!award_amount(ev, spec, v.u.num, &line))
				return;
			break;

		case CP_AWARD_EXTEND_BY:
		case CP_AWARD_EXTEND_TO:
		case CP_AWARD_EXTEND_OUTAGE:
			{
				CpValue		moved;
				int32		days = 0;

				EvalColumn(ev, spec->column, &col);
				if (skip_value(ev, spec, instrument, &col))
					return;
				if (col.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &col, &line, &note);
					break;
				}
				if (col.kind != CPV_TIME)
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("cannot extend column \"%s\", which is %s, in rule \"%s\"",
									instrument, EvalKindName(col.kind), EvalRuleName(ev)),
							 errhint("Only date and timestamp columns can be extended.")));
				if (col.u.time.hi == TIME_POS_INF_HI ||
					(col.u.time.lo == TIME_NEG_INF_LO && spec->kind != CP_AWARD_EXTEND_TO))
				{
					NOTE_SKIP(ev, spec, psprintf("%s is infinite", instrument));
					return;
				}

				if (spec->kind == CP_AWARD_EXTEND_TO)
				{
					EvalNode(ev, spec->amount, &v);
					if (skip_value(ev, spec, "the target", &v))
						return;
					if (v.kind == CPV_REVIEW)
					{
						review_line(ev, spec, &v, &line, &note);
						break;
					}
					if (v.kind != CPV_TIME)
						EvalTypeError(ev, spec->amount, psprintf("extend to %s", EvalKindName(v.kind)));
					if (v.u.time.lo <= col.u.time.lo)
					{
						NOTE_SKIP(ev, spec, psprintf("%s is not later than %s",
													 EvalValueText(ev, &v), EvalValueText(ev, &col)));
						return;
					}
					line.new_date = time_point(&v, false);
				}
				else
				{
					int64		usecs = 0;
					CpValue		by;

					memset(&by, 0, sizeof(by));
					by.kind = CPV_DURATION;
					if (spec->kind == CP_AWARD_EXTEND_BY)
					{
						EvalNode(ev, spec->amount, &v);
						if (skip_value(ev, spec, "the duration", &v))
							return;
						if (v.kind == CPV_REVIEW)
						{
							review_line(ev, spec, &v, &line, &note);
							break;
						}
						if (v.kind != CPV_DURATION)
							EvalTypeError(ev, spec->amount, psprintf("extend by %s", EvalKindName(v.kind)));
						days = v.u.dur.days;
						usecs = v.u.dur.usecs;
						by = v;
					}
					else
					{
						if (!ev->have_outage)
						{
							NOTE_SKIP(ev, spec, "the policy has no outage");
							return;
						}
						if (ev->outage_days >= 0)
							days = ev->outage_days;
						else
							usecs = ev->outage_usecs;
					}
					by.u.dur.days = days;
					by.u.dur.usecs = usecs;
					if (days < 0 || usecs < 0 || by.u.dur.months < 0)
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("negative award in rule \"%s\"", EvalRuleName(ev)),
								 errdetail("%s would move %s backwards.",
										   EvalSpecText(ev, spec), instrument)));
					if (days == 0 && usecs == 0 && by.u.dur.months == 0)
					{
						NOTE_SKIP(ev, spec, "the duration is zero");
						return;
					}
					EvalTimeShift(ev, spec->amount, &col, &by, false, &moved);
					line.new_date = moved.u.time.lo;
					if (usecs == 0 && (by.working || by.u.dur.months != 0))
					{
						/* months and working days: the calendar days they add */
						int64		added = EvalLocalDaysUsecs(ev, spec->amount, col.u.time.lo,
															   moved.u.time.lo) / USECS_PER_DAY;

						if (added > PG_INT32_MAX)
							EvalOverflowError(ev, spec->amount);
						line.days = (int32) added;
						line.has |= CP_LINE_DAYS;
					}
					else if (usecs == 0)
					{
						line.days = days;
						line.has |= CP_LINE_DAYS;
					}
				}
				line.has |= CP_LINE_NEW_DATE;
				if (!TIMESTAMP_NOT_FINITE(line.new_date))
				{
					DateADT		d;

					cp_tz_instant_to_local(&ev->tzc, line.new_date, &d, NULL, &line.utc_offset);
				}
				break;
			}

		case CP_AWARD_GRANT:
			if (spec->amount >= 0)
			{
				EvalNode(ev, spec->amount, &v);
				if (skip_value(ev, spec, "the amount", &v))
					return;
				if (v.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &v, &line, &note);
					break;
				}
				if (v.kind != CPV_NUM)
					EvalTypeError(ev, spec->amount, psprintf("grant an amount that is %s",
														  EvalKindName(v.kind)));
				if (!award_amount(ev, spec, v.u.num, &line))
					return;
			}
			if (spec->duration >= 0)
			{
				EvalNode(ev, spec->duration, &v);
				if (skip_value(ev, spec, "the duration", &v))
					return;
				if (v.kind == CPV_REVIEW)
				{
					review_line(ev, spec, &v, &line, &note);
					break;
				}
				if (v.kind != CPV_DURATION)
					EvalTypeError(ev, spec->duration, psprintf("grant for %s", EvalKindName(v.kind)));
				if (v.working || v.u.dur.months != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("grant for %s is not a number of days in rule \"%s\"",
									EvalValueText(ev, &v), EvalRuleName(ev)),
							 errdetail("The failing expression is %s.", EvalNodeText(ev, spec->duration)),
							 errhint("A grant is for a number of calendar days: months and working days have no length until they start.")));
				if (v.u.dur.usecs % USECS_PER_DAY != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("grant for %s is not a whole number of days in rule \"%s\"",
									EvalValueText(ev, &v), EvalRuleName(ev)),
							 errdetail("The failing expression is %s.", EvalNodeText(ev, spec->duration))));
				{
					int64		days = (int64) v.u.dur.days + v.u.dur.usecs / USECS_PER_DAY;

					if (days < 0)
						ereport(ERROR,
								(errcode(ERRCODE_DATA_EXCEPTION),
								 errmsg("negative award in rule \"%s\"", EvalRuleName(ev)),
								 errdetail("%s is granted for %s.", EvalSpecText(ev, spec),
										   EvalValueText(ev, &v))));
					if (days > PG_INT32_MAX)
						EvalOverflowError(ev, spec->duration);
					if (days == 0)
					{
						NOTE_SKIP(ev, spec, "the duration is zero");
						return;
					}
					line.days = (int32) days;
					line.has |= CP_LINE_DAYS;
				}
			}
			break;

		case CP_AWARD_FLAG:
			break;

		case CP_AWARD_REVIEW:
			/* the line says "review 'reason'": no instrument */
			instrument = "";
			note = spec->reason >= 0 ? str_at(ev, spec->reason) : "";
			break;
	}

	if (spec->window_kind == CP_WINDOW_NONE)
	{
		/* most awards have no window: one test, as before "due by" */
	}
	else if (spec->window_kind == CP_WINDOW_DUE)
	{
		CpValue		hi;

		/* due by a time: the window from the unbounded past to its end */
		EvalNode(ev, spec->window_hi, &hi);
		if (hi.kind == CPV_TIME)
		{
			line.window_kind = CP_WINDOW_DUE;
			line.window_lo = DT_NOBEGIN;
			line.window_hi = time_point(&hi, true);
			line.has |= CP_LINE_WINDOW;
			if (!(line.has & CP_LINE_NEW_DATE) && !TIMESTAMP_NOT_FINITE(line.window_hi))
			{
				DateADT		d;

				cp_tz_instant_to_local(&ev->tzc, line.window_hi, &d, NULL, &line.utc_offset);
			}
		}
		else if (!CPV_IS_SPECIAL(hi.kind))
			EvalTypeError(ev, spec->window_hi, psprintf("use %s as a deadline", EvalKindName(hi.kind)));
	}
	else if (spec->window_lo >= 0 && spec->window_hi >= 0)
	{
		CpValue		lo,
					hi;

		EvalNode(ev, spec->window_lo, &lo);
		EvalNode(ev, spec->window_hi, &hi);
		if (lo.kind == CPV_TIME && hi.kind == CPV_TIME)
		{
			line.window_kind = spec->window_kind;
			line.window_lo = time_point(&lo, false);
			line.window_hi = time_point(&hi, !spec->window_exclusive);
			line.has |= CP_LINE_WINDOW;
			if (!(line.has & CP_LINE_NEW_DATE))
			{
				DateADT		d;

				if (!TIMESTAMP_NOT_FINITE(line.window_lo))
					cp_tz_instant_to_local(&ev->tzc, line.window_lo, &d, NULL, &line.utc_offset);
				else if (!TIMESTAMP_NOT_FINITE(line.window_hi))
					cp_tz_instant_to_local(&ev->tzc, line.window_hi, &d, NULL, &line.utc_offset);
			}
		}
		else if (!CPV_IS_SPECIAL(lo.kind) && lo.kind != CPV_TIME)
			EvalTypeError(ev, spec->window_lo, psprintf("use %s as a window", EvalKindName(lo.kind)));
		else if (!CPV_IS_SPECIAL(hi.kind) && hi.kind != CPV_TIME)
			EvalTypeError(ev, spec->window_hi, psprintf("use %s as a window", EvalKindName(hi.kind)));
	}

	/* a line sent to review costs nothing yet: no one bears it */
	if (unlikely(spec->bearer != 0) && line.kind != CP_AWARD_REVIEW)
		note = line_bearer(ev, spec, &line);

	add_pending(ev, &line, instrument, note);
}

static void
eval_rule_awards(CpEval *ev, int r)
{
	const CpRule *rule = &ev->rules[r];
	int			k;

	for (k = 0; k < rule->n_awards; k++)
		eval_award(ev, &ev->awards[rule->first_award + k]);
}

/* ---------------------------------------------------------------------
 * Rules and hit policies
 * ---------------------------------------------------------------------
 */

static inline void
begin_row(CpEval *ev, HeapTupleHeader row)
{
	MemoryContextReset(ev->rowcxt);
	if (unlikely(++ev->gen == 0))
	{
		memset(ev->col_gen, 0, sizeof(uint32) * Max(ev->n_columns, 1));
		memset(ev->let_gen, 0, sizeof(uint32) * Max(ev->n_lets, 1));
		memset(ev->let_busy, 0, sizeof(uint32) * Max(ev->n_lets, 1));
		ev->gen = 1;
	}
	ev->tup = row;
	ev->row_args = NULL;
	ev->nvalid = 0;
	ev->off = 0;
	ev->slow = false;
	ev->n_pending = 0;
	ev->cur_rule = -1;
	ev->skips = NULL;
}

/*
 * The sorted, disjoint lists of rules that can match this row, in
 * ev->cursors: the unguarded rules, and per guard column the rules guarded
 * by its value.  A rule guarded by another value is false (its "and" stops
 * at the guard); when the column is NULL the guard is unknown, so only rules
 * with more after the guard are evaluated (that rest may still raise an
 * error, as it always did), and none of them can match.
 */
static int
candidate_lists(CpEval *ev)
{
	CpCursor   *cur = ev->cursors;
	int			nc = 0;
	int			g;

	if (ev->first_unguarded >= 0)
	{
		cur[nc].cur = ev->first_unguarded;
		cur[nc].next = ev->next_unguarded;
		cur[nc].guard_true = false;
		nc++;
	}
	for (g = 0; g < ev->n_gcols; g++)
	{
		const CpGuardCol *gc = &ev->gcols[g];
		const CpValue *v = EvalGuardValue(ev, gc->col);
		int32		first;
		const int32 *next;

		if (v == NULL)
		{
			first = gc->first_col;
			next = ev->next_col;
		}
		else if (v->kind == CPV_NULL)
		{
			first = gc->first_null;
			next = ev->next_null;
		}
		else if (gc->n_small >= 0)
		{
			/* a few values: compare them (a guard's kind is its column's) */
			int			k;

			first = -1;
			next = ev->next_key;
			if (v->kind == CPV_NUM)
			{
				for (k = 0; k < gc->n_small; k++)
					if (gc->small[k].num.num == v->u.num.num &&
						gc->small[k].num.den == v->u.num.den)
					{
						first = gc->small[k].first;
						break;
					}
			}
			else if (v->kind == CPV_TEXT)
			{
				int32		len = v->u.text.len;
				const char *p = v->u.text.p;

				for (k = 0; k < gc->n_small; k++)
					if (gc->small[k].len == len &&
						(len == 0 || (gc->small[k].p[0] == p[0] &&
									  memcmp(gc->small[k].p, p, len) == 0)))
					{
						first = gc->small[k].first;
						break;
					}
			}
		}
		else
		{
			CpGuardKey	key;
			CpGuardEntry *e;

			memset(&key, 0, sizeof(key));
			key.col = gc->col;
			key.kind = v->kind;
			if (v->kind == CPV_NUM)
				key.num = v->u.num;
			else
			{
				key.p = v->u.text.p;
				key.len = v->u.text.len;
			}
			e = cpguard_lookup(ev->guards, key);
			first = e ? e->first : -1;
			next = ev->next_key;
		}
		if (first >= 0)
		{
			cur[nc].cur = first;
			cur[nc].next = next;
			cur[nc].guard_true = (next == ev->next_key);
			nc++;
		}
	}
	return nc;
}

/*
 * The condition of guarded rule i when its guard holds: the "and"s above
 * the guard, evaluated as they would be with a true left operand (the same
 * order, the same short cut, the same errors).
 */
static inline int
rest_of_condition(CpEval *ev, int i)
{
	const int32 *rest = &ev->rest_conds[ev->guard_rest[i]];

	return EvalCondAll(ev, rest + 1, rest[0]);
}

/*
 * Rule i on this row: its condition, and its awards when it matches.
 * guard_true: its guard is known to hold (the rule index found it).
 */
static void
eval_rule(CpEval *ev, int i, int *matched, CpExplainRule *trace, bool guard_true)
{
	const CpRule *rule = &ev->rules[i];
	CpHit		hit = (CpHit) ev->rs->hit;
	int			t;

	ev->cur_rule = i;
	if (guard_true)
		t = rest_of_condition(ev, i);
	else
		t = rule->cond == CP_NONE_IDX ? CP_TRUE : EvalCond(ev, rule->cond);
	if (t != CP_TRUE)
	{
		if (unlikely(trace != NULL))
			EvalExplainFailure(ev, rule->cond, t, &trace[i]);
		return;
	}
	if (hit == CP_HIT_UNIQUE && *matched >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("rules \"%s\" and \"%s\" both match, but policy \"%s\" allows only one (hit unique)",
						str_at(ev, ev->rules[*matched].name),
						str_at(ev, rule->name), str_at(ev, ev->rs->name)),
				 errhint("Make the conditions exclusive, or use hit first or hit collect.")));
	if (*matched < 0)
		*matched = i;
	if (unlikely(trace != NULL))
	{
		trace[i].matched = true;
		/* hit unique: awards once every condition is known, as below */
		if (hit != CP_HIT_UNIQUE)
			EvalTraceAwards(ev, i, &trace[i]);
	}
	else if (hit != CP_HIT_UNIQUE)
		eval_rule_awards(ev, i);
}

/*
 * Rule i's awards for explain, with the reasons a line was skipped as the
 * rule's detail.
 */
void
EvalTraceAwards(CpEval *ev, int i, CpExplainRule *tr)
{
	StringInfoData skips;

	ev->cur_rule = i;
	initStringInfo(&skips);
	ev->skips = &skips;
	eval_rule_awards(ev, i);
	ev->skips = NULL;
	if (skips.len > 0)
		tr->detail = skips.data;
}

/*
 * The rules of this row: only the candidates of the rule index, merged in
 * rule order, which gives the result of evaluating every rule in order (as
 * explain does): a rule left out is one whose condition is not true, and
 * evaluating it could raise no error.
 */
static void
eval_rules(CpEval *ev)
{
	int			matched = -1;
	CpHit		hit = (CpHit) ev->rs->hit;
	CpCursor   *cur = ev->cursors;
	int			nc = candidate_lists(ev);

	/* one list (every rule guarded by one column, say): no merge */
	if (nc == 1)
	{
		const int32 *next = cur[0].next;
		bool		guard_true = cur[0].guard_true;
		int32		i;

		for (i = cur[0].cur; i >= 0; i = next[i])
		{
			eval_rule(ev, i, &matched, NULL, guard_true);
			if (hit == CP_HIT_FIRST && matched >= 0)
				break;
		}
		nc = 0;
	}
	while (nc > 0)
	{
		int			best = 0;
		int			k;
		int32		i;
		bool		guard_true;

		for (k = 1; k < nc; k++)
			if (cur[k].cur < cur[best].cur)
				best = k;
		guard_true = cur[best].guard_true;
		i = cur[best].cur;
		cur[best].cur = cur[best].next[i];
		if (cur[best].cur < 0)
			cur[best] = cur[--nc];
		eval_rule(ev, i, &matched, NULL, guard_true);
		if (hit == CP_HIT_FIRST && matched >= 0)
			break;
	}
	if (hit == CP_HIT_UNIQUE && matched >= 0)
	{
		ev->cur_rule = matched;
		eval_rule_awards(ev, matched);
	}
}

/*
 * The award of pending lines [from, to), allocated in cxt, made at once
 * (cp_award_build): a row's lines are all known by now.
 */
#define BUILD_REFS_ON_STACK 16

CpAward
EvalBuildAward(CpEval *ev, int from, int to, MemoryContext cxt)
{
	CpAwardLineRef stack_refs[BUILD_REFS_ON_STACK];
	CpAwardLineRef *refs = stack_refs;
	CpAward		aw;
	MemoryContext old;
	int			n = 0;
	int			i;

	if (from == to)
	{
		Size		size = VARSIZE(ev->empty_award);

		aw = MemoryContextAlloc(cxt, size);
		memcpy(aw, ev->empty_award, size);
		return aw;
	}
	if (to - from > BUILD_REFS_ON_STACK)
		refs = MemoryContextAlloc(ev->rowcxt, sizeof(CpAwardLineRef) * (to - from));
	for (i = from; i < to; i++)
	{
		CpPending  *p = &ev->pending[i];

		if (unlikely(p->dropped))
			continue;
		refs[n].line = &p->line;
		refs[n].rule = p->rule;
		refs[n].instrument = p->instrument;
		refs[n].note = p->note;
		n++;
	}
	old = MemoryContextSwitchTo(cxt);
	aw = cp_award_build(ev->rs->currency, ev->rs->exponent, refs, n);
	MemoryContextSwitchTo(old);
	return aw;
}

/* The award of the row begin_row() started, in CurrentMemoryContext. */
static CpAward
award_of_row(CpEval *ev)
{
	MemoryContext caller = CurrentMemoryContext;
	ErrorContextCallback errcallback;
	CpAward		aw;

	errcallback.callback = EvalErrorContext;
	errcallback.arg = ev;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	MemoryContextSwitchTo(ev->rowcxt);
	eval_rules(ev);
	if (unlikely(ev->n_limits > 0) && ev->n_pending > 0)
		EvalApplyLimits(ev, NULL);

	/*
	 * Most rows get nothing: they share the evaluator's empty award instead
	 * of a copy each.  A function may return memory it does not own for the
	 * row (text_larger returns an argument); this lives as long as the
	 * evaluator, that is until a later call at this call site evicts it or
	 * the query ends, and whoever keeps a result longer copies it (slots,
	 * sorts, aggregates do).  No function changes an argument in place.
	 */
	if (ev->n_pending == 0)
		aw = ev->empty_award;
	else
		aw = EvalBuildAward(ev, 0, ev->n_pending, caller);
	MemoryContextSwitchTo(caller);
	error_context_stack = errcallback.previous;
	return aw;
}

CpAward
cp_eval_award(CpEval *ev, HeapTupleHeader row)
{
	begin_row(ev, row);
	return award_of_row(ev);
}

/*
 * Every column the policy reads must be among the attnos a caller passes:
 * one left out would silently read as NULL (a worker given another node's
 * attribute numbers paid 0).  Checked once per evaluator and attnos array.
 */
static void
check_columns_given(CpEval *ev, int n, const int16 *attnos)
{
	int			c;
	int			i;

	for (c = 0; c < ev->n_columns; c++)
	{
		for (i = 0; i < n; i++)
			if (attnos[i] == ev->cols[c].attno + 1)
				break;
		if (i == n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid call of compensation._evaluate_columns()"),
					 errdetail("Policy \"%s\" reads column \"%s\", which was not passed.",
							   str_at(ev, ev->rs->name), ev->cols[c].name),
					 errhint("Call compensation.evaluate(rules, row): the planner makes this call itself.")));
	}
	/* where each column is among the values (the last one given wins) */
	for (c = 0; c < ev->n_columns; c++)
	{
		ev->cols[c].argidx = -1;
		for (i = 0; i < n; i++)
			if (attnos[i] == ev->cols[c].attno + 1)
				ev->cols[c].argidx = i;
	}
	ev->columns_checked = attnos;
}

/*
 * The award for one row given as the values of some of its attributes
 * (1-based attnos), as compensation._evaluate_columns() passes them: no
 * composite datum is formed, and none is deformed.  The caller has checked
 * each value's type; every column the policy reads must be given.
 */
CpAward
cp_eval_award_columns(CpEval *ev, int n, const int16 *attnos,
					  const NullableDatum *columns)
{
	CpAward		aw;

	if (unlikely(ev->columns_checked != attnos))
		check_columns_given(ev, n, attnos);
	/* another call site of this policy evaluated this row (eval_memo.c) */
	if (unlikely(ev->memo_group != 0 || !ev->memo_checked))
	{
		aw = cp_eval_memo_get(ev, n, attnos, columns);
		if (aw != NULL)
			return aw;
	}
	begin_row(ev, NULL);
	/* the columns are read where they are (argidx, set by the check) */
	ev->row_args = columns;
	ev->nvalid = ev->max_att;
	aw = award_of_row(ev);
	if (unlikely(ev->memo_group != 0))
		cp_eval_memo_put(ev, columns, aw);
	return aw;
}

/* ---------------------------------------------------------------------
 * Entry points for explain (eval_int.h)
 * ---------------------------------------------------------------------
 */

void
EvalBeginRow(CpEval *ev, HeapTupleHeader row)
{
	begin_row(ev, row);
}

void
EvalRule(CpEval *ev, int i, int *matched, CpExplainRule *trace)
{
	eval_rule(ev, i, matched, trace, false);
}
