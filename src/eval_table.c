/*-------------------------------------------------------------------------
 *
 * eval_table.c
 *	  Evaluation of the constructs of issue 11 that replace repeated rules:
 *	  tiers with half-open "below" steps, case expressions, the text tests
 *	  (lower, starts_with, contains) and columns declared in minor units.
 *
 * Out of the interpreter's file on purpose: eval_exec.c reaches these only
 * from its switch's cases for their operators, so a policy that does not
 * use them runs exactly the code it ran before (B1, B2).  Each is bracketed
 * and evaluated lazily as the interpreter's tier is: only the arm that is
 * chosen is evaluated.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "eval_int.h"

/*
 * tier with "below" steps: the first step whose bound is above the subject
 * (below) or at least the subject (upto) gives the result.
 */
static void
eval_tier_below(CpEval *ev, int32 idx, const CpNode *n, CpValue *out)
{
	CpValue		subject,
				bound;
	int			i;

	EvalNode(ev, n->a, &subject);
	if (CPV_IS_SPECIAL(subject.kind))
	{
		*out = subject;
		return;
	}
	for (i = 0; i < n->c; i++)
	{
		int32		b = ev->args[n->b + 2 * i];
		CpOp		op = CP_OP_LE;

		if (ev->nodes[b].op == CP_OP_BELOW)
		{
			op = CP_OP_LT;
			b = ev->nodes[b].a;
		}
		EvalNode(ev, b, &bound);
		if (EvalCompare(ev, idx, op, &subject, &bound) == CP_TRUE)
		{
			EvalNode(ev, ev->args[n->b + 2 * i + 1], out);
			return;
		}
	}
	if (n->flags & CP_NODE_HAS_ELSE)
		EvalNode(ev, ev->args[n->b + 2 * n->c], out);
	else
		out->kind = CPV_NOAWARD;
}

/*
 * case: the first arm that holds gives the result; a condition that is
 * unknown (it met a NULL) does not hold, as in SQL.  With no arm and no
 * else the result is null.
 */
static void
eval_case(CpEval *ev, int32 idx, const CpNode *n, CpValue *out)
{
	int32		first = n->op == CP_OP_CASE ? n->a : n->b;
	CpValue		subject;
	int			i;

	if (n->op == CP_OP_CASE_SIMPLE)
	{
		EvalNode(ev, n->a, &subject);
		/* a NULL (or none, or review) subject equals no value */
	}
	for (i = 0; i < n->c; i++)
	{
		int32		test = ev->args[first + 2 * i];
		bool		holds = false;

		if (n->op == CP_OP_CASE)
			holds = EvalCond(ev, test) == CP_TRUE;
		else if (!CPV_IS_SPECIAL(subject.kind))
		{
			const CpNode *vals = &ev->nodes[test];
			int32		j;

			for (j = 0; j < vals->c && !holds; j++)
			{
				CpValue		v;

				EvalNode(ev, ev->args[vals->a + j], &v);
				holds = EvalCompare(ev, idx, CP_OP_EQ, &subject, &v) == CP_TRUE;
			}
		}
		if (holds)
		{
			EvalNode(ev, ev->args[first + 2 * i + 1], out);
			return;
		}
	}
	if (n->flags & CP_NODE_HAS_ELSE)
		EvalNode(ev, ev->args[first + 2 * n->c], out);
	else
		out->kind = CPV_NULL;
}

/* Does the input pass cell c?  An unknown comparison does not pass. */
static bool
cell_passes(CpEval *ev, int32 idx, int32 c, const CpValue *input)
{
	const CpNode *cell = &ev->nodes[c];
	CpValue		v,
				w;
	int32		j;

	if (cell->op == CP_OP_CELL_ANY)
		return true;
	if (CPV_IS_SPECIAL(input->kind))
		return false;
	switch ((CpOp) cell->op)
	{
		case CP_OP_CELL_TEST:
			EvalNode(ev, cell->a, &v);
			return EvalCompare(ev, idx, (CpOp) cell->b, input, &v) == CP_TRUE;
		case CP_OP_CELL_RANGE:
			EvalNode(ev, cell->a, &v);
			if (EvalCompare(ev, idx, CP_OP_GE, input, &v) != CP_TRUE)
				return false;
			EvalNode(ev, cell->b, &w);
			return EvalCompare(ev, idx, (cell->flags & CP_NODE_EXCLUSIVE) ? CP_OP_LT : CP_OP_LE,
							   input, &w) == CP_TRUE;
		case CP_OP_CASE_VALUES:
			for (j = 0; j < cell->c; j++)
			{
				EvalNode(ev, ev->args[cell->a + j], &v);
				if (EvalCompare(ev, idx, CP_OP_EQ, input, &v) == CP_TRUE)
					return true;
			}
			return false;
		default:
			elog(ERROR, "unexpected decision table cell %d", (int) cell->op);
	}
	return false;
}

/*
 * A decision table: inputs once, then the rows in order.  unique: a second
 * row that matches is an error (21000, as two rules under hit unique);
 * first: the first; collect: the sum of the outputs (null and none add
 * nothing; a review is the result).  explain, tracing an award, notes which
 * rows matched.
 */
static void
eval_dtable(CpEval *ev, int32 idx, const CpNode *n, CpValue *out)
{
	int32		inputs = n->b;
	int32		width = inputs + 1;
	CpValue    *in = palloc(sizeof(CpValue) * inputs);
	bool		first = (n->flags & CP_NODE_HIT_FIRST) != 0;
	bool		collect = (n->flags & CP_NODE_HIT_COLLECT) != 0;
	int32		matched = -1;
	CpRational	sum = {0, 1};
	StringInfoData rows;
	int32		r,
				k;

	for (k = 0; k < inputs; k++)
		EvalNode(ev, ev->args[n->a + k], &in[k]);
	if (unlikely(ev->skips != NULL))
		initStringInfo(&rows);
	for (r = 0; r < n->c; r++)
	{
		int32		row = n->a + inputs + r * width;
		bool		pass = true;

		for (k = 0; k < inputs && pass; k++)
			pass = cell_passes(ev, idx, ev->args[row + k], &in[k]);
		if (!pass)
			continue;
		if (unlikely(ev->skips != NULL))
			appendStringInfo(&rows, "%s%d", rows.len ? ", " : "", r + 1);
		if (!collect && matched >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("rows %d and %d of a decision table both match in rule \"%s\"",
							matched + 1, r + 1, EvalRuleName(ev)),
					 errdetail("The table's hit policy is unique."),
					 errhint("Make the rows' cells exclusive, or write \"first\" after the table's inputs to take the first row that matches.")));
		matched = r;
		if (collect)
		{
			CpValue		v;

			EvalNode(ev, ev->args[row + inputs], &v);
			if (v.kind == CPV_NULL || v.kind == CPV_NOAWARD)
				continue;
			if (v.kind == CPV_REVIEW)
			{
				*out = v;
				return;
			}
			if (v.kind != CPV_NUM)
				EvalTypeError(ev, idx, psprintf("add up %s (hit collect sums the outputs)",
												EvalKindName(v.kind)));
			if (!cp_rat_add(sum, v.u.num, &sum))
				EvalOverflowError(ev, idx);
			continue;
		}
		if (first)
			break;
	}
	if (unlikely(ev->skips != NULL))
		appendStringInfo(ev->skips, "%sdecision table: %s",
						 ev->skips->len ? "; " : "",
						 rows.len ? psprintf("row%s %s matched", strchr(rows.data, ',') ? "s" : "", rows.data) :
						 "no row matched");
	if (matched >= 0 && collect)
	{
		out->kind = CPV_NUM;
		out->u.num = sum;
		return;
	}
	if (matched >= 0)
	{
		EvalNode(ev, ev->args[n->a + inputs + matched * width + inputs], out);
		return;
	}
	if (n->flags & CP_NODE_HAS_ELSE)
		EvalNode(ev, ev->args[n->a + inputs + n->c * width], out);
	else
		out->kind = CPV_NULL;
}

void
EvalTableNode(CpEval *ev, int32 idx, CpValue *out)
{
	const CpNode *n = &ev->nodes[idx];

	switch ((CpOp) n->op)
	{
		case CP_OP_TIER_BELOW:
			eval_tier_below(ev, idx, n, out);
			return;
		case CP_OP_BELOW:
			/* a bound read alone (a forged value): its value */
			EvalNode(ev, n->a, out);
			return;
		case CP_OP_CASE:
		case CP_OP_CASE_SIMPLE:
			eval_case(ev, idx, n, out);
			return;
		case CP_OP_DTABLE:
			eval_dtable(ev, idx, n, out);
			return;
		case CP_OP_CASE_VALUES:
		case CP_OP_CELL_ANY:
		case CP_OP_CELL_TEST:
		case CP_OP_CELL_RANGE:
			/* only a simple case or a decision table reads these */
			elog(ERROR, "a list of case values or a decision table cell is not a value");
			return;
		default:
			elog(ERROR, "unexpected policy node %d", (int) n->op);
	}
}

/* ---------------------------------------------------------------------
 * Text tests: lower(t), starts_with(t, prefix), contains(t, part)
 * ---------------------------------------------------------------------
 */

/*
 * Byte-wise, as every text comparison of a policy is (COLLATE "C"):
 * lower() lowers the ASCII letters only, so its result does not depend on
 * the database's locale.  NULL (or none, or a review) gives itself.
 */
void
EvalTextCall(CpEval *ev, int32 node, const CpNode *n, CpValue *out)
{
	CpValue		t,
				u;

	EvalNode(ev, ev->args[n->a], &t);
	if (CPV_IS_SPECIAL(t.kind))
	{
		*out = t;
		return;
	}
	if (t.kind != CPV_TEXT)
		EvalTypeError(ev, node, psprintf("apply %s() to %s", cp_func_name((CpFunc) n->b),
										 EvalKindName(t.kind)));
	if (n->b == CP_FUNC_LOWER)
	{
		char	   *p = palloc(t.u.text.len + 1);
		int32		i;

		for (i = 0; i < t.u.text.len; i++)
			p[i] = pg_ascii_tolower((unsigned char) t.u.text.p[i]);
		p[i] = '\0';
		out->kind = CPV_TEXT;
		out->u.text.p = p;
		out->u.text.len = t.u.text.len;
		return;
	}
	if (n->c != 2)
		elog(ERROR, "%s() takes two arguments", cp_func_name((CpFunc) n->b));
	EvalNode(ev, ev->args[n->a + 1], &u);
	if (CPV_IS_SPECIAL(u.kind))
	{
		*out = u;
		return;
	}
	if (u.kind != CPV_TEXT)
		EvalTypeError(ev, node, psprintf("apply %s() to %s", cp_func_name((CpFunc) n->b),
										 EvalKindName(u.kind)));
	out->kind = CPV_BOOL;
	if (n->b == CP_FUNC_STARTS_WITH)
		out->u.b = u.u.text.len <= t.u.text.len &&
			memcmp(t.u.text.p, u.u.text.p, u.u.text.len) == 0;
	else
	{
		int32		i;

		out->u.b = false;
		for (i = 0; i + u.u.text.len <= t.u.text.len && !out->u.b; i++)
			out->u.b = memcmp(t.u.text.p + i, u.u.text.p, u.u.text.len) == 0;
	}
}

/* ---------------------------------------------------------------------
 * Columns in minor units: column C minor
 * ---------------------------------------------------------------------
 */

/*
 * Bind time: each column a policy declares in minor units must be an
 * integer or numeric column; it is read as CPC_MINOR from then on (the
 * rule index does not guard on it: it compares major units).
 */
void
EvalBindColumnUnits(CpEval *ev)
{
	int32		i;

	for (i = 0; i < ev->n_lets; i++)
	{
		CpColBind  *cb;

		if (ev->lets[i].kind != CP_LET_MINOR_UNITS)
			continue;
		cb = &ev->cols[ev->nodes[ev->lets[i].expr].a];
		if (cb->cls == CPC_MINOR)
			continue;
		if (cb->cls != CPC_INT2 && cb->cls != CPC_INT4 && cb->cls != CPC_INT8 &&
			cb->cls != CPC_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("policy \"%s\" declares column \"%s\" in minor units, but it is not a number",
							str_at(ev, ev->rs->name), cb->name),
					 errhint("Only an integer or numeric column can hold minor units; remove the line \"column %s minor\".",
							 cb->name)));
		cb->minor_cls = cb->cls;
		cb->cls = CPC_MINOR;
	}
}

/* Per row: the column's value / 10^exponent, exactly. */
void
EvalMinorColumn(CpEval *ev, CpColBind *cb, Datum d, CpValue *out)
{
	CpRational	v;
	CpRational	scale = {1, 1};
	int			e;

	switch (cb->minor_cls)
	{
		case CPC_INT2:
			v = cp_rat_int(DatumGetInt16(d));
			break;
		case CPC_INT4:
			v = cp_rat_int(DatumGetInt32(d));
			break;
		case CPC_INT8:
			if (!cp_rat_make128(DatumGetInt64(d), 1, &v))
				goto overflow;
			break;
		case CPC_NUMERIC:
			{
				/* NaN and infinities as in a column read in major units */
				CpExactStatus st = cp_rat_from_numeric(d, &v);

				if (st != CP_EXACT_OK)
					EvalColumnValueError(ev, cb, st);
			}
			break;
		default:
			elog(ERROR, "unexpected class %d of a column in minor units", (int) cb->minor_cls);
	}
	for (e = 0; e < ev->rs->exponent; e++)
		scale.num *= 10;
	if (!cp_rat_div(v, scale, &v))
		goto overflow;
	out->kind = CPV_NUM;
	out->u.num = v;
	return;

overflow:
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value of column \"%s\" out of range in rule \"%s\"",
					cb->name, EvalRuleName(ev)),
			 errdetail("The policy reads it in minor units; an exact value must fit in 64 bits.")));
}
