/*-------------------------------------------------------------------------
 *
 * award_sum.c
 *	  The sum(award) aggregate: transition, combine, serialize, deserialize
 *	  and final functions.
 *
 * Lines are merged by (rule, kind, instrument, unit, bearer): amounts, days and
 * counts are added (overflow is an error), and a new date, a window or a
 * note is kept only if every merged line has the same one.  All awards in
 * one sum must be in the same currency (an award without a currency goes
 * with any).
 *
 * The state lives in the aggregate memory context and grows only when a new
 * key appears, so a row costs a key lookup per line and no allocation:
 * a linear search while there are few keys, a hash index beyond that.  The
 * result lists lines sorted by rule, kind, instrument, unit and bearer (the
 * company's first), so that the
 * same rows give the same award however a parallel plan splits them.
 *
 * The serialized state is the binary form of the award it stands for, since
 * an award carries everything the state does.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "ruleset.h"
#include "strutil.h"
#include "utils/builtins.h"

/* Up to this many keys, look them up by linear search. */
#define SUM_LINEAR_MAX	16

typedef struct SumState
{
	MemoryContext cxt;			/* where lines, strings and slots live */
	char		currency[4];	/* "" until an award with one is added */
	int16		exponent;
	int			n_lines;
	int			max_lines;
	CpAwardLine *lines;			/* rule, instrument, note: offsets into
								 * strings */
	StringInfoData strings;
	int			n_slots;		/* hash index (power of 2), 0 if none */
	int32	   *slots;			/* line index, or -1 */
} SumState;

PG_FUNCTION_INFO_V1(compensation_award_sum_transfn);
PG_FUNCTION_INFO_V1(compensation_award_sum_combinefn);
PG_FUNCTION_INFO_V1(compensation_award_sum_serialfn);
PG_FUNCTION_INFO_V1(compensation_award_sum_deserialfn);
PG_FUNCTION_INFO_V1(compensation_award_sum_finalfn);

static SumState *
sum_state_create(MemoryContext cxt)
{
	SumState   *st = MemoryContextAllocZero(cxt, sizeof(SumState));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	st->cxt = cxt;
	initStringInfo(&st->strings);
	MemoryContextSwitchTo(old);
	return st;
}

static void
sum_set_currency(SumState *st, const char currency[4], int16 exponent)
{
	uint32		given;
	uint32		held;

	/*
	 * The usual case, once per row: no currency, or the one the state has,
	 * compared as one word (both are four NUL-padded bytes; any other
	 * padding takes the careful way below, which compares as strings).
	 */
	memcpy(&given, currency, sizeof(given));
	memcpy(&held, st->currency, sizeof(held));
	if (currency[0] == '\0' || given == held)
		return;
	if (st->currency[0] == '\0')
	{
		strlcpy(st->currency, currency, sizeof(st->currency));
		st->exponent = exponent;
	}
	else if (strncmp(st->currency, currency, sizeof(st->currency)) != 0)
	{
		bool		less = strncmp(st->currency, currency, sizeof(st->currency)) < 0;

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot sum awards in different currencies"),
				 errdetail("Awards in %s and in %s were summed together.",
						   less ? st->currency : currency,
						   less ? currency : st->currency),
				 errhint("Sum each currency separately, for example with GROUP BY compensation.currency(award).")));
	}
}

/*
 * A line's bearer (issue 12), or NULL for the company: lines borne by
 * different partners are different keys, so a sum totals per bearer.
 */
#define LINE_BEARER(l, note)	(((l)->has & CP_LINE_BEARER) ? (note) : NULL)

static uint32
key_hash(const char *rule, int kind, const char *instrument, int unit,
		 const char *bearer)
{
	uint32		h = hash_bytes((const unsigned char *) rule, strlen(rule));

	h = hash_combine(h, hash_bytes((const unsigned char *) instrument,
								   strlen(instrument)));
	if (unlikely(bearer != NULL))
		h = hash_combine(h, hash_bytes((const unsigned char *) bearer,
									   strlen(bearer)));
	return hash_combine(h, (uint32) (kind << 8 | unit));
}

static void
slots_insert(SumState *st, int idx)
{
	const CpAwardLine *l = &st->lines[idx];
	uint32		mask = st->n_slots - 1;
	uint32		h = key_hash(st->strings.data + l->rule, l->kind,
							 st->strings.data + l->instrument, l->unit,
							 LINE_BEARER(l, st->strings.data + l->note)) & mask;

	while (st->slots[h] >= 0)
		h = (h + 1) & mask;
	st->slots[h] = idx;
}

/* (Re)build the hash index with room for twice the keys. */
static void
slots_rebuild(SumState *st)
{
	int			n = 64;
	int			i;

	while (n < st->max_lines * 2)
		n *= 2;
	if (st->slots)
		pfree(st->slots);
	st->slots = MemoryContextAlloc(st->cxt, n * sizeof(int32));
	st->n_slots = n;
	memset(st->slots, -1, n * sizeof(int32));
	for (i = 0; i < st->n_lines; i++)
		slots_insert(st, i);
}

static inline bool
key_equal(const SumState *st, const CpAwardLine *l, const char *rule, int kind,
		  const char *instrument, int unit, const char *bearer)
{
	if (l->kind != kind || l->unit != unit ||
		strcmp(st->strings.data + l->rule, rule) != 0 ||
		strcmp(st->strings.data + l->instrument, instrument) != 0)
		return false;
	/* the bearer last: most sums have none */
	if (likely(bearer == NULL))
		return !(l->has & CP_LINE_BEARER);
	return (l->has & CP_LINE_BEARER) &&
		strcmp(st->strings.data + l->note, bearer) == 0;
}

static int32
sum_string(SumState *st, const char *s)
{
	return cp_pool_add(&st->strings, s, strlen(s));
}

static void
sum_overflow(SumState *st, const CpAwardLine *l, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("sum of award %s out of range", what),
			 errdetail("The %s of the lines of rule \"%s\" on \"%s\" do not fit.",
					   what, st->strings.data + l->rule,
					   st->strings.data + l->instrument)));
}

/* Merge src into dst, both with the same key. */
static void
merge_line(SumState *st, CpAwardLine *dst, const CpAwardLine *src,
		   const char *note)
{
	if (pg_add_s64_overflow(dst->count, src->count, &dst->count))
		sum_overflow(st, dst, "counts");

	if (src->has & CP_LINE_AMOUNT)
	{
		if (!(dst->has & CP_LINE_AMOUNT))
		{
			dst->amount = src->amount;
			dst->has |= CP_LINE_AMOUNT;
		}
		else if (pg_add_s64_overflow(dst->amount, src->amount, &dst->amount))
			sum_overflow(st, dst, "amounts");
	}

	if (src->has & CP_LINE_DAYS)
	{
		if (!(dst->has & CP_LINE_DAYS))
		{
			dst->days = src->days;
			dst->has |= CP_LINE_DAYS;
		}
		else if (pg_add_s32_overflow(dst->days, src->days, &dst->days))
			sum_overflow(st, dst, "days");
	}

	/* a new date or a window is kept only while all lines agree on it */
	if ((dst->has & CP_LINE_NEW_DATE) &&
		(!(src->has & CP_LINE_NEW_DATE) ||
		 src->new_date != dst->new_date ||
		 src->utc_offset != dst->utc_offset))
	{
		dst->has &= ~CP_LINE_NEW_DATE;
		dst->new_date = 0;
	}
	if ((dst->has & CP_LINE_WINDOW) &&
		(!(src->has & CP_LINE_WINDOW) ||
		 src->window_kind != dst->window_kind ||
		 src->window_lo != dst->window_lo ||
		 src->window_hi != dst->window_hi ||
		 src->utc_offset != dst->utc_offset))
	{
		dst->has &= ~CP_LINE_WINDOW;
		dst->window_kind = CP_WINDOW_NONE;
		dst->window_lo = dst->window_hi = 0;
	}
	if (!(dst->has & (CP_LINE_NEW_DATE | CP_LINE_WINDOW)))
		dst->utc_offset = 0;

	if (dst->note >= 0 &&
		(note == NULL || strcmp(st->strings.data + dst->note, note) != 0))
		dst->note = -1;
}

/* Add one line, with its strings, to the state. */
static void
sum_add_line(SumState *st, const CpAwardLine *src, const char *rule,
			 const char *instrument, const char *note)
{
	CpAwardLine *dst;
	const char *bearer = LINE_BEARER(src, note);
	int			i;

	if (st->n_slots == 0)
	{
		for (i = 0; i < st->n_lines; i++)
		{
			if (key_equal(st, &st->lines[i], rule, src->kind, instrument, src->unit,
						  bearer))
			{
				merge_line(st, &st->lines[i], src, note);
				return;
			}
		}
	}
	else
	{
		uint32		mask = st->n_slots - 1;
		uint32		h = key_hash(rule, src->kind, instrument, src->unit, bearer) & mask;

		for (; st->slots[h] >= 0; h = (h + 1) & mask)
		{
			CpAwardLine *l = &st->lines[st->slots[h]];

			if (key_equal(st, l, rule, src->kind, instrument, src->unit, bearer))
			{
				merge_line(st, l, src, note);
				return;
			}
		}
	}

	/* a new key */
	if (st->n_lines >= st->max_lines)
	{
		int			newmax = st->max_lines == 0 ? 8 : st->max_lines * 2;

		if (st->lines == NULL)
			st->lines = MemoryContextAlloc(st->cxt, newmax * sizeof(CpAwardLine));
		else
			st->lines = repalloc_huge(st->lines, (Size) newmax * sizeof(CpAwardLine));
		st->max_lines = newmax;
		if (st->n_slots > 0)
			slots_rebuild(st);
	}
	dst = &st->lines[st->n_lines];
	*dst = *src;
	dst->rule = sum_string(st, rule);
	dst->instrument = sum_string(st, instrument);
	dst->note = note ? sum_string(st, note) : -1;
	st->n_lines++;
	if (st->n_slots > 0)
		slots_insert(st, st->n_lines - 1);
	else if (st->n_lines > SUM_LINEAR_MAX)
		slots_rebuild(st);
}

static void
sum_add_award(SumState *st, const CpAwardData *aw)
{
	const CpAwardLine *lines = CpAwardLines(aw);
	const char *strings = CpAwardStrings(aw);
	int			i;

	sum_set_currency(st, aw->currency, aw->exponent);
	for (i = 0; i < aw->n_lines; i++)
		sum_add_line(st, &lines[i], strings + lines[i].rule,
					 strings + lines[i].instrument,
					 lines[i].note >= 0 ? strings + lines[i].note : NULL);
}

static void
sum_add_state(SumState *st, const SumState *other)
{
	const char *strings = other->strings.data;
	int			i;

	sum_set_currency(st, other->currency, other->exponent);
	for (i = 0; i < other->n_lines; i++)
	{
		const CpAwardLine *l = &other->lines[i];

		sum_add_line(st, l, strings + l->rule, strings + l->instrument,
					 l->note >= 0 ? strings + l->note : NULL);
	}
}

static int
line_cmp(const void *a, const void *b, void *arg)
{
	const SumState *st = (const SumState *) arg;
	const CpAwardLine *la = &st->lines[*(const int *) a];
	const CpAwardLine *lb = &st->lines[*(const int *) b];
	int			c;

	c = strcmp(st->strings.data + la->rule, st->strings.data + lb->rule);
	if (c != 0)
		return c;
	if (la->kind != lb->kind)
		return la->kind < lb->kind ? -1 : 1;
	c = strcmp(st->strings.data + la->instrument,
			   st->strings.data + lb->instrument);
	if (c != 0)
		return c;
	if (la->unit != lb->unit)
		return la->unit < lb->unit ? -1 : 1;
	/* the company's line first, then the partners' by name */
	if (CpLineBearer(la) < 0 || CpLineBearer(lb) < 0)
		return (CpLineBearer(la) >= 0) - (CpLineBearer(lb) >= 0);
	return strcmp(st->strings.data + la->note, st->strings.data + lb->note);
}

/*
 * The state as an award.  Does not change the state: the final function may
 * be called more than once on it.
 */
static CpAward
sum_state_award(const SumState *st, bool sorted)
{
	CpAwardBuilder b;
	int		   *order = palloc(Max(st->n_lines, 1) * sizeof(int));
	int			i;

	for (i = 0; i < st->n_lines; i++)
		order[i] = i;
	if (sorted && st->n_lines > 1)
		qsort_arg(order, st->n_lines, sizeof(int), line_cmp, (void *) st);

	cp_award_builder_init(&b, st->currency, st->exponent);
	for (i = 0; i < st->n_lines; i++)
	{
		const CpAwardLine *l = &st->lines[order[i]];

		cp_award_builder_add(&b, l, st->strings.data + l->rule,
							 st->strings.data + l->instrument,
							 l->note >= 0 ? st->strings.data + l->note : NULL);
	}
	pfree(order);
	return cp_award_builder_finish(&b);
}

/*
 * Not STRICT: the first call creates the state; NULL awards are skipped.
 */
Datum
compensation_award_sum_transfn(PG_FUNCTION_ARGS)
{
	SumState   *st;
	struct varlena *aw;

	/*
	 * The context is checked where the state is made, as PostgreSQL's own
	 * transition functions do (numeric_avg_accum): a state only an
	 * aggregate made proves the call comes from one.
	 */
	st = PG_ARGISNULL(0) ? NULL : (SumState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (st == NULL)
	{
		MemoryContext aggcxt;

		if (!AggCheckCallContext(fcinfo, &aggcxt))
			elog(ERROR, "compensation_award_sum_transfn called in non-aggregate context");
		st = sum_state_create(aggcxt);
	}
	/* an evaluated award is never toasted: no call to detoast it, per row */
	aw = (struct varlena *) PG_GETARG_POINTER(1);
	if (VARATT_IS_EXTENDED(aw))
		aw = pg_detoast_datum(aw);
	sum_add_award(st, (const CpAwardData *) aw);
	PG_RETURN_POINTER(st);
}

/*
 * Not STRICT: either state may be NULL.  The second state is never
 * modified; when the first is NULL, a copy of the second is made in the
 * aggregate context.
 */
Datum
compensation_award_sum_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SumState   *st1;
	SumState   *st2;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "compensation_award_sum_combinefn called in non-aggregate context");

	st1 = PG_ARGISNULL(0) ? NULL : (SumState *) PG_GETARG_POINTER(0);
	st2 = PG_ARGISNULL(1) ? NULL : (SumState *) PG_GETARG_POINTER(1);
	if (st2 == NULL)
	{
		if (st1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st1);
	}
	if (st1 == NULL)
		st1 = sum_state_create(aggcxt);
	sum_add_state(st1, st2);
	PG_RETURN_POINTER(st1);
}

Datum
compensation_award_sum_serialfn(PG_FUNCTION_ARGS)
{
	SumState   *st;
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "compensation_award_sum_serialfn called in non-aggregate context");
	st = (SumState *) PG_GETARG_POINTER(0);

	pq_begintypsend(&buf);
	cp_award_send_to(&buf, sum_state_award(st, false));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
compensation_award_sum_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *bytes;
	StringInfoData msg;
	SumState   *st;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "compensation_award_sum_deserialfn called in non-aggregate context");
	bytes = PG_GETARG_BYTEA_PP(0);

	/* a read-only StringInfo over the bytes */
	msg.data = VARDATA_ANY(bytes);
	msg.len = VARSIZE_ANY_EXHDR(bytes);
	msg.maxlen = msg.len;
	msg.cursor = 0;

	st = sum_state_create(CurrentMemoryContext);
	sum_add_award(st, cp_award_recv_from(&msg));
	pq_getmsgend(&msg);
	PG_RETURN_POINTER(st);
}

/*
 * Not STRICT: no rows (or only NULL awards) give NULL.
 */
Datum
compensation_award_sum_finalfn(PG_FUNCTION_ARGS)
{
	SumState   *st;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "compensation_award_sum_finalfn called in non-aggregate context");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (SumState *) PG_GETARG_POINTER(0);
	PG_RETURN_CPAWARD(sum_state_award(st, true));
}
