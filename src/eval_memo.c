/*-------------------------------------------------------------------------
 *
 * eval_memo.c
 *	  One evaluation per row for several call sites of the same policy: a
 *	  backend's memo of the last award evaluated by columns.
 *
 * PostgreSQL flattens a subquery of awards into its outer query, copying
 * the call into every use:
 *
 *	SELECT service, sum(amount(a, 'deposit')), sum(amount(a, 'fee'))
 *	FROM (SELECT service, evaluate(p.rules, o) AS a FROM orders o, ...) s
 *	GROUP BY service
 *
 * runs evaluate() once per accessor per row (B9: four totals cost 4.5x the
 * same totals in CASE).  evaluate() is IMMUTABLE: the same policy and the
 * same values of the columns it reads give the same award.  So when two or
 * more evaluators of the same policy bytes and row type are alive in the
 * backend (the call sites of one query), each keeps the last award it made
 * in a memo shared by the group, keyed by the values of the columns the
 * policy reads, and the next call site on the same row returns a copy of it
 * instead of evaluating again.  The values are compared byte for byte
 * (datumIsEqual): a false "different" only costs an evaluation, a false
 * "same" cannot happen.  A lone evaluator (the common case: one call per
 * row) never stores or compares anything.
 *
 * Groups are found when an evaluator first evaluates: its policy, row type
 * and the types of the columns the policy reads are compared with those of
 * the evaluators already alive (registered here until their memory context
 * goes away).  Group numbers are never reused, so a memo left by a finished
 * query matches no later evaluator.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/datum.h"
#include "utils/memutils.h"

#include "eval_int.h"

/* Where a column the policy reads is among the values passed, and its type. */
typedef struct CpMemoCol
{
	int			idx;
	int16		len;
	bool		byval;
} CpMemoCol;

/* The evaluators alive in this backend that took part in grouping. */
typedef struct MemoMember
{
	CpEval	   *ev;
	struct MemoMember *next;
	MemoryContextCallback cb;
} MemoMember;

static MemoMember *members = NULL;
static uint64 next_group = 0;

/*
 * The memo: the last award a grouped evaluator made, and its key.  The
 * arrays grow to the most columns seen; the copied values and the award
 * live in cxt, reset at every store.
 */
static struct
{
	uint64		group;			/* 0: empty */
	int			max;
	Datum	   *values;
	bool	   *isnull;
	CpAward		award;
	MemoryContext cxt;
} memo;

static void
member_gone(void *arg)
{
	MemoMember **p;

	for (p = &members; *p != NULL; p = &(*p)->next)
	{
		if (*p == (MemoMember *) arg)
		{
			*p = (*p)->next;
			return;
		}
	}
}

/* Would a and b give the same award for the same values? */
static bool
same_policy(const CpEval *a, const CpEval *b)
{
	int			c;

	if (a->rowtype != b->rowtype || a->rowtypmod != b->rowtypmod ||
		a->fingerprint != b->fingerprint || a->rs_size != b->rs_size ||
		a->n_columns != b->n_columns)
		return false;
	for (c = 0; c < a->n_columns; c++)
	{
		Form_pg_attribute aa = TupleDescAttr(a->tupdesc, a->cols[c].attno);
		Form_pg_attribute ba = TupleDescAttr(b->tupdesc, b->cols[c].attno);

		if (aa->atttypid != ba->atttypid || aa->atttypmod != ba->atttypmod)
			return false;
	}
	return memcmp(a->rs, b->rs, a->rs_size) == 0;
}

/* First evaluation of ev: join the group of an equal evaluator, if any. */
static void
memo_register(CpEval *ev)
{
	MemoMember *m;
	MemoMember *self;

	ev->memo_checked = true;
	for (m = members; m != NULL; m = m->next)
	{
		if (!same_policy(m->ev, ev))
			continue;
		if (m->ev->memo_group == 0)
			m->ev->memo_group = ++next_group;
		ev->memo_group = m->ev->memo_group;
		break;
	}
	self = MemoryContextAlloc(ev->mcxt, sizeof(MemoMember));
	self->ev = ev;
	self->next = members;
	self->cb.func = member_gone;
	self->cb.arg = self;
	MemoryContextRegisterResetCallback(ev->mcxt, &self->cb);
	members = self;
}

/* Where each column the policy reads is among the values passed. */
static void
memo_map(CpEval *ev, int n, const int16 *attnos)
{
	int			c,
				i;

	if (ev->memo_cols == NULL)
		ev->memo_cols = MemoryContextAlloc(ev->mcxt,
										   sizeof(CpMemoCol) * Max(ev->n_columns, 1));
	for (c = 0; c < ev->n_columns; c++)
	{
		Form_pg_attribute att = TupleDescAttr(ev->tupdesc, ev->cols[c].attno);

		/* check_columns_given() has made sure that every one is passed */
		ev->memo_cols[c].idx = -1;
		for (i = 0; i < n; i++)
			if (attnos[i] == ev->cols[c].attno + 1)
				ev->memo_cols[c].idx = i;
		if (ev->memo_cols[c].idx < 0)
			elog(ERROR, "column \"%s\" of the policy was not passed", ev->cols[c].name);
		ev->memo_cols[c].len = att->attlen;
		ev->memo_cols[c].byval = att->attbyval;
	}
	ev->memo_attnos = attnos;
}

CpAward
cp_eval_memo_get(CpEval *ev, int n, const int16 *attnos, const NullableDatum *columns)
{
	int			c;
	CpAward		aw;

	if (unlikely(!ev->memo_checked))
		memo_register(ev);
	if (ev->memo_group == 0)
		return NULL;
	if (unlikely(ev->memo_attnos != attnos))
		memo_map(ev, n, attnos);
	if (memo.group != ev->memo_group)
		return NULL;
	for (c = 0; c < ev->n_columns; c++)
	{
		const CpMemoCol *mc = &ev->memo_cols[c];
		const NullableDatum *v = &columns[mc->idx];

		if (v->isnull != memo.isnull[c])
			return NULL;
		if (v->isnull)
			continue;
		if (mc->byval ? v->value != memo.values[c] :
			!datumIsEqual(v->value, memo.values[c], false, mc->len))
			return NULL;
	}
	aw = palloc(VARSIZE(memo.award));
	memcpy(aw, memo.award, VARSIZE(memo.award));
	return aw;
}

void
cp_eval_memo_put(CpEval *ev, const NullableDatum *columns, const CpAward aw)
{
	MemoryContext old;
	int			c;

	if (ev->memo_group == 0)
		return;
	memo.group = 0;				/* empty until complete */
	if (memo.cxt == NULL)
		memo.cxt = AllocSetContextCreate(TopMemoryContext, "compensation evaluate memo",
										 ALLOCSET_SMALL_SIZES);
	if (memo.max < ev->n_columns)
	{
		int			max = Max(ev->n_columns, 16);

		if (memo.values)
		{
			pfree(memo.values);
			pfree(memo.isnull);
		}
		memo.values = MemoryContextAlloc(TopMemoryContext, sizeof(Datum) * max);
		memo.isnull = MemoryContextAlloc(TopMemoryContext, sizeof(bool) * max);
		memo.max = max;
	}
	MemoryContextReset(memo.cxt);
	old = MemoryContextSwitchTo(memo.cxt);
	for (c = 0; c < ev->n_columns; c++)
	{
		const CpMemoCol *mc = &ev->memo_cols[c];
		const NullableDatum *v = &columns[mc->idx];

		memo.isnull[c] = v->isnull;
		memo.values[c] = v->isnull ? (Datum) 0 :
			mc->byval ? v->value : datumCopy(v->value, false, mc->len);
	}
	memo.award = palloc(VARSIZE(aw));
	memcpy(memo.award, aw, VARSIZE(aw));
	MemoryContextSwitchTo(old);
	memo.group = ev->memo_group;
}
