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

/*
 * The fast test of comparison node n into *f (CPF_NONE if it has none); its
 * column, or -1.
 */
static int32
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
		return -1;
	f->op = n->op;
	f->k1 = n->b;
	return col;
}

/* The fast test of node i into *f; its column, or -1 if it has none. */
static int32
bind_node(const CpEval *ev, int32 i, CpFastCond *f)
{
	const CpNode *n = &ev->nodes[i];
	bool		negated = (n->flags & CP_NODE_NEGATED) != 0;
	int32		col = -1;

	switch ((CpOp) n->op)
	{
		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
			return bind_comparison(ev, n, f);

		case CP_OP_IN_RANGE:
			if (!constant_of(ev, n->b, CPV_TIME) || !constant_of(ev, n->c, CPV_TIME))
				return -1;
			col = column_of(ev, n->a, time_class);
			f->kind = CPF_TIME_RANGE;
			f->op = (n->flags & CP_NODE_EXCLUSIVE) ? CP_OP_LT : CP_OP_LE;
			f->k1 = n->b;
			f->k2 = n->c;
			f->negated = negated;
			break;

		case CP_OP_IN_OUTAGE:
			col = column_of(ev, n->a, time_class);
			f->kind = CPF_TIME_OUTAGE;
			f->negated = negated;
			break;

		case CP_OP_IS_NULL:
			col = column_of(ev, n->a, infallible_class);
			f->kind = CPF_IS_NULL;
			f->negated = negated;
			break;

		case CP_OP_COLUMN:
			/* tested only where the column is a condition */
			col = column_of(ev, i, bool_class);
			f->kind = CPF_BOOL;
			break;

		case CP_OP_NOT:
			col = column_of(ev, n->a, bool_class);
			f->kind = CPF_BOOL;
			f->negated = true;
			break;

		default:
			break;
	}
	return col;
}

void
EvalBindFastConds(CpEval *ev)
{
	int32		i;

	ev->fast = palloc0(sizeof(CpFastCond) * Max(ev->n_nodes, 1));
	for (i = 0; i < ev->n_nodes; i++)
	{
		CpFastCond *f = &ev->fast[i];

		if (ev->is_const[i])
			continue;
		f->col = bind_node(ev, i, f);
		if (f->col < 0)
			memset(f, 0, sizeof(*f));
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
