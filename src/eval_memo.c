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
 * (as datumIsEqual does): a false "different" only costs an evaluation, a false
 * "same" cannot happen.  A lone evaluator (the common case: one call per
 * row) never stores or compares anything.
 *
 * Groups are found when an evaluator first evaluates: its policy, row type
 * and the types of the columns the policy reads are compared with those of
 * the evaluators already alive (registered here until their memory context
 * goes away).  Group numbers are never reused, and the memo lives in the
 * memory of the evaluator that made it and is emptied when that evaluator
 * goes, so nothing of it outlives a query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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
 * values and the award live in the memory of the evaluator that made them
 * (owner), so nothing outlives the evaluators: when the owner goes, the
 * memo is emptied.
 */
static struct
{
	uint64		group;			/* 0: empty */
	CpEval	   *owner;
	Datum	   *values;
	bool	   *isnull;
	CpAward		award;
} memo;

/* An evaluator's own memo storage: its arrays, and a context for copies. */
typedef struct MemoStore
{
	Datum	   *values;
	bool	   *isnull;
	MemoryContext cxt;
} MemoStore;

static void
member_gone(void *arg)
{
	MemoMember **p;

	if (memo.owner == ((MemoMember *) arg)->ev)
	{
		memo.group = 0;
		memo.owner = NULL;
	}

	for (p = &members; *p != NULL; p = &(*p)->next)
	{
		if (*p == (MemoMember *) arg)
		{
			*p = (*p)->next;
			return;
		}
	}
}

/*
 * The bytes of a by-reference value of a type of length len (-1 varlena,
 * -2 cstring), as datumIsEqual() and datumCopy() see them; here so that
 * the fuzz harness, which links these files outside the server, needs no
 * more of it.
 */
static Size
value_size(Datum v, int16 len)
{
	if (len == -1)
		return VARSIZE_ANY(DatumGetPointer(v));
	if (len == -2)
		return strlen(DatumGetCString(v)) + 1;
	return len;
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
		if (mc->byval)
		{
			if (v->value != memo.values[c])
				return NULL;
		}
		else
		{
			Size		size = value_size(v->value, mc->len);

			/* byte for byte: another representation only costs a miss */
			if (size != value_size(memo.values[c], mc->len) ||
				memcmp(DatumGetPointer(v->value), DatumGetPointer(memo.values[c]), size) != 0)
				return NULL;
		}
	}
	aw = palloc(VARSIZE(memo.award));
	memcpy(aw, memo.award, VARSIZE(memo.award));
	return aw;
}

void
cp_eval_memo_put(CpEval *ev, const NullableDatum *columns, const CpAward aw)
{
	MemoStore  *st = (MemoStore *) ev->memo_store;
	MemoryContext old;
	int			c;

	if (ev->memo_group == 0)
		return;
	memo.group = 0;				/* empty until complete */
	memo.owner = NULL;
	if (st == NULL)
	{
		st = MemoryContextAlloc(ev->mcxt, sizeof(MemoStore));
		st->values = MemoryContextAlloc(ev->mcxt, sizeof(Datum) * Max(ev->n_columns, 1));
		st->isnull = MemoryContextAlloc(ev->mcxt, sizeof(bool) * Max(ev->n_columns, 1));
		st->cxt = AllocSetContextCreate(ev->mcxt, "compensation evaluate memo",
										ALLOCSET_SMALL_SIZES);
		ev->memo_store = st;
	}
	MemoryContextReset(st->cxt);
	old = MemoryContextSwitchTo(st->cxt);
	for (c = 0; c < ev->n_columns; c++)
	{
		const CpMemoCol *mc = &ev->memo_cols[c];
		const NullableDatum *v = &columns[mc->idx];

		st->isnull[c] = v->isnull;
		if (v->isnull || mc->byval)
			st->values[c] = v->isnull ? (Datum) 0 : v->value;
		else
		{
			Size		size = value_size(v->value, mc->len);
			char	   *copy = palloc(size);

			memcpy(copy, DatumGetPointer(v->value), size);
			st->values[c] = PointerGetDatum(copy);
		}
	}
	memo.award = palloc(VARSIZE(aw));
	memcpy(memo.award, aw, VARSIZE(aw));
	MemoryContextSwitchTo(old);
	memo.values = st->values;
	memo.isnull = st->isnull;
	memo.owner = ev;
	memo.group = ev->memo_group;
}
