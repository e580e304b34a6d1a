/*-------------------------------------------------------------------------
 *
 * eval_explain.c
 *	  compensation.explain()'s trace: every rule of a row, whether it
 *	  matched, the first part of its condition that did not hold with the
 *	  values it read, and why a matched rule's award gave no line; and
 *	  values written as a policy would write them.
 *
 * explain runs the same evaluator as evaluate() (DESIGN.md, law 3), rule by
 * rule in order instead of through the rule index.  Everything here is for
 * people reading a trace or an error message: none of it runs while
 * evaluate() computes an award, so it is kept out of the hot path's files.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/datetime.h"
#include "utils/memutils.h"

#include "eval_int.h"
#include "ruleset_format.h"

/* ---------------------------------------------------------------------
 * Explain: why a rule did not match
 * ---------------------------------------------------------------------
 */

static void
format_instant(CpEval *ev, StringInfo out, int64 t)
{
	DateADT		d;
	int64		usecs;
	int32		offset;
	int			year,
				month,
				day;
	int64		secs;
	int			aoff;

	if (t <= TIME_NEG_INF_LO + 1)
	{
		appendStringInfoString(out, "-infinity");
		return;
	}
	if (t >= TIME_POS_INF_HI - 1)
	{
		appendStringInfoString(out, "infinity");
		return;
	}
	cp_tz_instant_to_local(&ev->tzc, t, &d, &usecs, &offset);
	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	secs = usecs / USECS_PER_SEC;
	appendStringInfo(out, "%04d-%02d-%02d %02d:%02d:%02d",
					 year, month, day,
					 (int) (secs / 3600), (int) ((secs / 60) % 60), (int) (secs % 60));
	if (usecs % USECS_PER_SEC != 0)
	{
		char		frac[8];
		int			len;

		snprintf(frac, sizeof(frac), "%06d", (int) (usecs % USECS_PER_SEC));
		len = 6;
		while (len > 0 && frac[len - 1] == '0')
			len--;
		frac[len] = '\0';
		appendStringInfo(out, ".%s", frac);
	}
	aoff = offset < 0 ? -offset : offset;
	appendStringInfo(out, "%c%02d", offset < 0 ? '-' : '+', aoff / 3600);
	if (aoff % 3600 != 0)
	{
		appendStringInfo(out, ":%02d", (aoff / 60) % 60);
		if (aoff % 60 != 0)
			appendStringInfo(out, ":%02d", aoff % 60);
	}
}

/* A time value: an instant, a local calendar day, or an interval. */
static void
format_time(CpEval *ev, StringInfo out, int64 lo, int64 hi)
{
	/* (hi == lo + 1, written so that no bound overflows: hi - lo could) */
	if ((lo < PG_INT64_MAX && hi == lo + 1) || lo == TIME_NEG_INF_LO || hi == TIME_POS_INF_HI)
	{
		format_instant(ev, out, lo);
		return;
	}
	{
		DateADT		d;
		int64		usecs;

		cp_tz_instant_to_local(&ev->tzc, lo, &d, &usecs, NULL);
		if (usecs == 0 && cp_tz_local_to_instant(&ev->tzc, d + 1, 0) == hi)
		{
			int			year,
						month,
						day;

			j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
			appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
			return;
		}
	}
	format_instant(ev, out, lo);
	appendStringInfoString(out, " ..< ");
	format_instant(ev, out, hi);
}

static void
append_duration(StringInfo out, const CpValue *v)
{
	int64		usecs = v->u.dur.usecs;
	bool		any = false;

	if (v->working)
	{
		appendStringInfo(out, "%d working %s", v->u.dur.days,
						 (v->u.dur.days == 1 || v->u.dur.days == -1) ? "day" : "days");
		return;
	}
	if (v->u.dur.months != 0)
	{
		appendStringInfo(out, "%d %s", v->u.dur.months,
						 (v->u.dur.months == 1 || v->u.dur.months == -1) ? "month" : "months");
		any = true;
	}
	if (v->u.dur.days != 0)
	{
		if (any)
			appendStringInfoChar(out, ' ');
		appendStringInfo(out, "%d %s", v->u.dur.days,
						 (v->u.dur.days == 1 || v->u.dur.days == -1) ? "day" : "days");
		any = true;
	}
	if (usecs != 0 || !any)
	{
		CpRational	q;
		const char *unit;

		if (any)
			appendStringInfoChar(out, ' ');
		if (usecs % USECS_PER_HOUR_I == 0)
		{
			q = cp_rat_int(usecs / USECS_PER_HOUR_I);
			unit = "hours";
		}
		else
		{
			(void) cp_rat_make128(usecs, USECS_PER_MINUTE_I, &q);
			unit = "minutes";
		}
		cp_rat_append(out, q);
		appendStringInfo(out, " %s", (q.num == 1 && q.den == 1) ? (unit[0] == 'h' ? "hour" : "minute") : unit);
	}
}

void
EvalAppendValue(CpEval *ev, StringInfo out, const CpValue *v)
{
	switch ((CpValKind) v->kind)
	{
		case CPV_NULL:
			appendStringInfoString(out, "NULL");
			break;
		case CPV_REVIEW:
			appendStringInfoString(out, "review ");
			appendStringInfoChar(out, '\'');
			for (const char *p = v->u.reason; *p; p++)
			{
				if (*p == '\'')
					appendStringInfoChar(out, '\'');
				appendStringInfoChar(out, *p);
			}
			appendStringInfoChar(out, '\'');
			break;
		case CPV_NOAWARD:
			appendStringInfoString(out, "none");
			break;
		case CPV_NUM:
			cp_rat_append(out, v->u.num);
			break;
		case CPV_BOOL:
			appendStringInfoString(out, v->u.b ? "true" : "false");
			break;
		case CPV_TEXT:
			appendStringInfoChar(out, '\'');
			for (int i = 0; i < v->u.text.len; i++)
			{
				if (v->u.text.p[i] == '\'')
					appendStringInfoChar(out, '\'');
				appendStringInfoChar(out, v->u.text.p[i]);
			}
			appendStringInfoChar(out, '\'');
			break;
		case CPV_TIME:
			format_time(ev, out, v->u.time.lo, v->u.time.hi);
			break;
		case CPV_DURATION:
			append_duration(out, v);
			break;
	}
}

typedef struct CpRefs
{
	CpEval	   *ev;
	StringInfo	out;
	int			n;
	bool	   *seen_col;
	bool	   *seen_let;
} CpRefs;

/*
 * "name is value" for the columns and lets below node idx that this row
 * already evaluated, in the order the policy writes them (a child walker).
 */
static bool
collect_refs(int32 idx, void *context)
{
	CpRefs	   *refs = (CpRefs *) context;
	CpEval	   *ev = refs->ev;
	const CpNode *n = &ev->nodes[idx];
	const char *name = NULL;
	CpValue    *val = NULL;

	if (n->op == CP_OP_COLUMN)
	{
		if (!refs->seen_col[n->a] && ev->col_gen[n->a] == ev->gen)
		{
			refs->seen_col[n->a] = true;
			name = str_at(ev, ev->columns[n->a].name);
			val = &ev->col_val[n->a];
		}
	}
	else if (n->op == CP_OP_LET)
	{
		if (!refs->seen_let[n->a] && ev->let_gen[n->a] == ev->gen)
		{
			refs->seen_let[n->a] = true;
			name = str_at(ev, ev->lets[n->a].name);
			val = &ev->let_val[n->a];
		}
	}
	else
		(void) cp_node_walk_children(ev->nodes, ev->args, idx, collect_refs, refs);
	if (name != NULL)
	{
		if (refs->n++ > 0)
			appendStringInfoString(refs->out, ", ");
		appendStringInfo(refs->out, "%s is ", name);
		EvalAppendValue(ev, refs->out, val);
	}
	return false;
}

void
EvalExplainFailure(CpEval *ev, int32 cond, int truth, CpExplainRule *tr)
{
	int32		leaf = cond;
	int			t = truth;
	StringInfoData buf;
	CpRefs		refs;

	/* walk "and" left to right to the first part that was not true */
	while (ev->nodes[leaf].op == CP_OP_AND)
	{
		const CpNode *n = &ev->nodes[leaf];
		int			l = EvalCond(ev, n->a);

		if (l != CP_TRUE)
		{
			leaf = n->a;
			t = l;
		}
		else
		{
			leaf = n->b;
			t = EvalCond(ev, n->b);
		}
	}
	tr->failed_condition = EvalNodeText(ev, leaf);

	initStringInfo(&buf);
	refs.ev = ev;
	refs.out = &buf;
	refs.n = 0;
	refs.seen_col = palloc0(sizeof(bool) * Max(ev->n_columns, 1));
	refs.seen_let = palloc0(sizeof(bool) * Max(ev->n_lets, 1));
	(void) collect_refs(leaf, &refs);
	if (refs.n == 0)
		appendStringInfo(&buf, "the condition is %s",
						 t == CP_UNKNOWN ? "unknown" : "false");
	else if (t == CP_UNKNOWN)
		appendStringInfoString(&buf, ", so the condition is unknown");
	tr->detail = buf.data;
}

/* ---------------------------------------------------------------------
 * Award lines that were not given
 * ---------------------------------------------------------------------
 */

void
EvalNoteSkip(CpEval *ev, const CpAwardSpec *spec, const char *why)
{
	if (ev->skips->len > 0)
		appendStringInfoString(ev->skips, "; ");
	appendStringInfo(ev->skips, "%s gave no line: %s", EvalSpecText(ev, spec), why);
}

char *
EvalValueText(CpEval *ev, const CpValue *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	EvalAppendValue(ev, &buf, v);
	return buf.data;
}

/* ---------------------------------------------------------------------
 * The trace
 * ---------------------------------------------------------------------
 */

/*
 * What the calendar skipped while a rule was traced (eval_dates.c), after
 * the rule's detail.  A let is computed once per row, so its note is under
 * the first rule that used it.
 */
static void
add_notes(CpEval *ev, CpExplainRule *tr)
{
	StringInfo	notes = ev->notes;

	ev->notes = NULL;
	if (notes->len == 0)
		return;
	tr->detail = tr->detail ? psprintf("%s; %s", tr->detail, notes->data) : notes->data;
}

static void
explain_rule(CpEval *ev, int i, int *matched, CpExplainRule *trace)
{
	ev->notes = makeStringInfo();
	PG_TRY();
	{
		EvalRule(ev, i, matched, trace);
	}
	PG_FINALLY();
	{
		add_notes(ev, &trace[i]);
	}
	PG_END_TRY();
}

/*
 * Every rule of the row in order, each with its trace; first_line[i] is
 * the first pending line of rule i.  With hit first, the rules after the
 * first that matched are not evaluated, as evaluate() does not evaluate
 * them either.
 */
static void
explain_rules(CpEval *ev, CpExplainRule *trace, int *first_line)
{
	int			matched = -1;
	CpHit		hit = (CpHit) ev->rs->hit;
	int			i;

	for (i = 0; i < ev->n_rules; i++)
	{
		first_line[i] = ev->n_pending;
		if (hit == CP_HIT_FIRST && matched >= 0)
		{
			trace[i].detail = psprintf("not evaluated: rule \"%s\" matched first (hit first)",
									   str_at(ev, ev->rules[matched].name));
			continue;
		}
		explain_rule(ev, i, &matched, trace);
	}
	/*
	 * hit unique: the one match's awards are computed after every rule's
	 * condition, as evaluate() does, so that two matches are the same
	 * error (21000) in both, not an error of the first match's award.
	 */
	if (hit == CP_HIT_UNIQUE && matched >= 0)
	{
		int			start = ev->n_pending;

		ev->notes = makeStringInfo();
		EvalTraceAwards(ev, matched, &trace[matched]);
		add_notes(ev, &trace[matched]);
		for (i = 0; i < ev->n_rules; i++)
			first_line[i] = i <= matched ? start : ev->n_pending;
	}
}

CpExplainRule *
cp_eval_explain(CpEval *ev, HeapTupleHeader row, int *n_rules)
{
	MemoryContext caller = CurrentMemoryContext;
	CpExplainRule *trace;
	int		   *first_line;
	int			i;

	EvalDisableFastConds(ev);
	EvalBeginRow(ev, row);
	MemoryContextSwitchTo(ev->rowcxt);
	trace = palloc0(sizeof(CpExplainRule) * Max(ev->n_rules, 1));
	first_line = palloc0(sizeof(int) * (ev->n_rules + 1));
	for (i = 0; i < ev->n_rules; i++)
	{
		trace[i].rule_no = i + 1;
		trace[i].rule = str_at(ev, ev->rules[i].name);
	}
	explain_rules(ev, trace, first_line);
	if (ev->n_limits > 0 && ev->n_pending > 0)
		EvalApplyLimits(ev, trace);
	first_line[ev->n_rules] = ev->n_pending;
	for (i = 0; i < ev->n_rules; i++)
		trace[i].award = EvalBuildAward(ev, first_line[i], first_line[i + 1], caller);
	MemoryContextSwitchTo(caller);
	*n_rules = ev->n_rules;
	return trace;
}
