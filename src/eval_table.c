/*-------------------------------------------------------------------------
 *
 * eval_table.c
 *	  Evaluation of the constructs of issue 11 that replace repeated rules:
 *	  tiers with half-open "below" steps, and case expressions.
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
		case CP_OP_CASE_VALUES:
			/* only an arm of a simple case reads these */
			elog(ERROR, "a list of case values is not a value");
			return;
		default:
			elog(ERROR, "unexpected policy node %d", (int) n->op);
	}
}
