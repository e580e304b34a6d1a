/*-------------------------------------------------------------------------
 *
 * eval_fast.c
 *	  Which condition leaves the interpreter tests straight from the
 *	  column's datum (CpFastCond, eval_int.h), settled once per binding.
 *
 * The general path of a leaf such as "show_at in 2025-06-09 .. 2025-06-11"
 * reads the column into a CpValue (a switch on its class), reads the
 * constants, then compares by kind (a switch on the operator): three
 * dispatches a leaf, on every row, whose branches vary with the row and
 * are mispredicted.  Most leaves of a real policy are a column of a known
 * class against constants of its kind, so the binding can settle the
 * dispatches once: the leaf becomes one test of the datum (eval_exec.c,
 * fast_cond).
 *
 * A leaf gets a fast test only where its answer is the general path's for
 * every datum: the column's class cannot fail to read (no numeric, no
 * column in minor units, no enum, no char(n)), the constants are of the
 * column's kind (so the general path raises no type error either), and the
 * few datums the general path treats apart (an infinite timestamp, a date
 * far from the present era, the smallest bigint) send the leaf back to the
 * general path at run time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "eval_int.h"

/* The column index of node idx if it is a column of one of these classes. */
static int32
column_of(const CpEval *ev, int32 idx, bool (*class_ok) (CpColClass))
{
	const CpNode *n = &ev->nodes[idx];

	if (n->op != CP_OP_COLUMN || !class_ok(ev->cols[n->a].cls))
		return -1;
	return n->a;
}

static bool
time_class(CpColClass cls)
{
	return cls == CPC_TIMESTAMPTZ || cls == CPC_DATE;
}

static bool
integer_class(CpColClass cls)
{
	return cls == CPC_INT2 || cls == CPC_INT4 || cls == CPC_INT8;
}

static bool
text_class(CpColClass cls)
{
	return cls == CPC_TEXT;
}

static bool
bool_class(CpColClass cls)
{
	return cls == CPC_BOOL;
}

/* Classes whose reading never fails: "is null" needs nothing more. */
static bool
infallible_class(CpColClass cls)
{
	return cls == CPC_BOOL || cls == CPC_TEXT || cls == CPC_TIMESTAMPTZ ||
		cls == CPC_INT2 || cls == CPC_INT4;
}

/* Is node idx a constant of this kind? */
static bool
constant_of(const CpEval *ev, int32 idx, CpValKind kind)
{
	return idx >= 0 && idx < ev->n_nodes && ev->is_const[idx] &&
		ev->konst[idx].kind == kind;
}

/* The fast test of a comparison node n, or CPF_NONE. */
static void
bind_comparison(const CpEval *ev, const CpNode *n, CpFastCond *f)
{
	int32		col;

	if ((col = column_of(ev, n->a, time_class)) >= 0 &&
		constant_of(ev, n->b, CPV_TIME))
		f->kind = CPF_TIME_CMP;
	else if ((col = column_of(ev, n->a, integer_class)) >= 0 &&
			 constant_of(ev, n->b, CPV_NUM))
		f->kind = CPF_INT_CMP;
	else if ((col = column_of(ev, n->a, text_class)) >= 0 &&
			 constant_of(ev, n->b, CPV_TEXT) &&
			 (n->op == CP_OP_EQ || n->op == CP_OP_NE))
		f->kind = CPF_TEXT_EQ;
	else
		return;
	f->col = col;
	f->op = n->op;
	f->k1 = n->b;
}

void
EvalBindFastConds(CpEval *ev)
{
	int32		i;

	ev->fast = palloc0(sizeof(CpFastCond) * Max(ev->n_nodes, 1));
	for (i = 0; i < ev->n_nodes; i++)
	{
		const CpNode *n = &ev->nodes[i];
		CpFastCond *f = &ev->fast[i];
		int32		col;

		if (ev->is_const[i])
			continue;
		f->negated = (n->flags & CP_NODE_NEGATED) != 0;
		switch ((CpOp) n->op)
		{
			case CP_OP_EQ:
			case CP_OP_NE:
			case CP_OP_LT:
			case CP_OP_LE:
			case CP_OP_GT:
			case CP_OP_GE:
				f->negated = false;
				bind_comparison(ev, n, f);
				break;

			case CP_OP_IN_RANGE:
				if ((col = column_of(ev, n->a, time_class)) >= 0 &&
					constant_of(ev, n->b, CPV_TIME) &&
					constant_of(ev, n->c, CPV_TIME))
				{
					f->kind = CPF_TIME_RANGE;
					f->col = col;
					f->op = (n->flags & CP_NODE_EXCLUSIVE) ? CP_OP_LT : CP_OP_LE;
					f->k1 = n->b;
					f->k2 = n->c;
				}
				break;

			case CP_OP_IN_OUTAGE:
				if ((col = column_of(ev, n->a, time_class)) >= 0)
				{
					f->kind = CPF_TIME_OUTAGE;
					f->col = col;
				}
				break;

			case CP_OP_IS_NULL:
				if ((col = column_of(ev, n->a, infallible_class)) >= 0)
				{
					f->kind = CPF_IS_NULL;
					f->col = col;
				}
				break;

			case CP_OP_COLUMN:
				/* tested only where the column is a condition */
				if ((col = column_of(ev, i, bool_class)) >= 0)
				{
					f->kind = CPF_BOOL;
					f->negated = false;
					f->col = col;
				}
				break;

			case CP_OP_NOT:
				if ((col = column_of(ev, n->a, bool_class)) >= 0)
				{
					f->kind = CPF_BOOL;
					f->negated = true;
					f->col = col;
				}
				break;

			default:
				break;
		}
		if (f->kind == CPF_NONE)
			f->negated = false;
	}
}

/*
 * Explain names the values a failed condition read, from the columns the
 * row has read so far (the memo the general path fills): an evaluator that
 * explains tests every leaf the general way.  Each call site has its own
 * evaluator, so this slows no evaluate().
 */
void
EvalDisableFastConds(CpEval *ev)
{
	if (ev->fast_off)
		return;
	memset(ev->fast, 0, sizeof(CpFastCond) * Max(ev->n_nodes, 1));
	ev->fast_off = true;
}
