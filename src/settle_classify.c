/*-------------------------------------------------------------------------
 *
 * settle_classify.c
 *	  Step 1 of _settle (upgrade/0.1.0--0.2.0/31-settle.sql), in one pass:
 *	  each award hashed, each subject's issuance state read, and the
 *	  subjects sorted into those to claim and those to lock.
 *
 * Every path that issues (the trigger, issue_all, issue(), revoke()) hands
 * _settle a batch of (subject, award) pairs, and step 1 looks at every one
 * of them: on a re-run most have nothing to do, and on a first issuance
 * most are owed nothing.  Written in SQL it was a LATERAL index probe per
 * subject with a CASE over the state, then four array_agg()s; the probe's
 * executor machinery (a nested loop, a Limit, an index rescan, a
 * projection, per subject) cost more than the index descent itself: 2.5
 * microseconds a subject, 70% of a re-run with nothing owed (B10).  Here one
 * index scan walks the batch's subjects in the index's order (classify()).
 *
 * What it decides, per subject (the same rules as the SQL it replaces):
 *
 *	 the caller holds it (hold)					lock
 *	 no state, owed something					claim
 *	 no state, owed nothing						nothing to do
 *	 revoked, or issued by a newer version		nothing to do
 *	 the open award's hash is the one owed		nothing to do
 *	 otherwise									lock
 *
 * The hash is sha256 of the award's binary form, byte for byte
 * sha256(award_send(a)) (the state written by 0.2.0's SQL paths and by the
 * Citus writer must compare equal); an empty award has none.  The subjects
 * are sorted once ("C" collation: bytes), which refuses a subject given
 * twice (both its awards would be written) and gives the claims and locks
 * in the order in which every path takes locks.
 *
 * It reads compensation.issuance as the calling role, which must be able
 * to SELECT it (the definer of the functions that call _settle): it is an
 * internal function, revoked from PUBLIC.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/itup.h"
#include "access/nbtree.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/pg_locale.h"
#include "utils/snapmgr.h"
#include "utils/sortsupport.h"

#include "award.h"

PG_FUNCTION_INFO_V1(compensation_settle_classify);

/* The columns of compensation.issuance that step 1 reads. */
typedef struct StateColumns
{
	AttrNumber	policy;
	AttrNumber	source;
	AttrNumber	subject;
	AttrNumber	version;
	AttrNumber	award_hash;
	AttrNumber	revoked_at;
} StateColumns;

/* What step 1 decides for one subject. */
typedef enum SettleStep
{
	STEP_NONE,
	STEP_CLAIM,
	STEP_LOCK
} SettleStep;

/* One subject of the batch, as step 1 sees it. */
typedef struct SettleItem
{
	text	   *subject;
	Datum		award;			/* the award as given (NULL: owed nothing) */
	bool		award_null;
	int32		n_lines;		/* lines of the award (0: owed nothing) */
	bytea	   *hash;			/* sha256 of its binary form; NULL if empty */
	SettleStep	step;
} SettleItem;

static AttrNumber
state_column(Oid relid, const char *name)
{
	AttrNumber	attno = get_attnum(relid, name);

	if (attno == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("compensation.issuance has no column \"%s\"", name),
				 errhint("Update the extension: ALTER EXTENSION compensation UPDATE.")));
	return attno;
}

/* Byte order, then length: the order of COLLATE "C". */
static int
subject_cmp(const text *a, const text *b)
{
	int			la = VARSIZE_ANY_EXHDR(a);
	int			lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

static int
item_cmp(const void *a, const void *b)
{
	return subject_cmp((*(SettleItem *const *) a)->subject,
					   (*(SettleItem *const *) b)->subject);
}

static int
text_ptr_cmp(const void *a, const void *b)
{
	return subject_cmp(*(text *const *) a, *(text *const *) b);
}

/* The index's order of two items' subjects (arg: its SortSupport). */
static int
probe_cmp(const void *a, const void *b, void *arg)
{
	return ApplySortComparator(PointerGetDatum((*(SettleItem *const *) a)->subject), false,
							   PointerGetDatum((*(SettleItem *const *) b)->subject), false,
							   (SortSupport) arg);
}

/*
 * sha256(award_send(aw)), as a bytea allocated in the current context; ctx
 * is a SHA-256 context, initialised again for each award.
 */
static bytea *
award_hash(pg_cryptohash_ctx *ctx, const CpAwardData *aw)
{
	StringInfoData buf;
	bytea	   *sent;
	bytea	   *out = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	pq_begintypsend(&buf);
	cp_award_send_to(&buf, aw);
	sent = pq_endtypsend(&buf);
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (uint8 *) VARDATA(sent), VARSIZE(sent) - VARHDRSZ) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(out), PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute a SHA-256 hash: %s", pg_cryptohash_error(ctx));
	pfree(sent);
	SET_VARSIZE(out, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	return out;
}

/* The subjects of a text[] that must hold no NULL. */
static text **
subjects_of(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	text	  **out;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc(sizeof(text *) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", what)));
		out[i] = DatumGetTextPP(elems[i]);
	}
	return out;
}

static void key_error(void) pg_attribute_noreturn();

static void
key_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the primary key of compensation.issuance is not (policy, source, subject)")));
}

/* The step of a subject whose state row is in slot. */
static SettleStep
step_of_state(const SettleItem *it, TupleTableSlot *slot, const StateColumns *col,
			  int32 version)
{
	bool		isnull;
	bool		revoked;
	int32		st_version;
	Datum		st_hash;
	bytea	   *h;

	(void) slot_getattr(slot, col->revoked_at, &isnull);
	revoked = !isnull;
	st_version = DatumGetInt32(slot_getattr(slot, col->version, &isnull));
	if (revoked || (!isnull && st_version > version))
		return STEP_NONE;
	st_hash = slot_getattr(slot, col->award_hash, &isnull);
	if (isnull || it->hash == NULL)
		return (isnull && it->hash == NULL) ? STEP_NONE : STEP_LOCK;
	h = DatumGetByteaPP(st_hash);
	return (VARSIZE_ANY_EXHDR(h) == PG_SHA256_DIGEST_LENGTH &&
			memcmp(VARDATA_ANY(h), VARDATA(it->hash), PG_SHA256_DIGEST_LENGTH) == 0)
		? STEP_NONE : STEP_LOCK;
}

/*
 * How many index entries the merge below steps over, looking for the next
 * subject, before it descends the index again: a step within a leaf page
 * is a comparison, a descent reads and locks a page per level and compares
 * on each.
 */
#define MERGE_MAX_STEPS 64

/* The scan's position: the subject of the index entry it is on, if any. */
typedef struct MergeCursor
{
	IndexScanDesc scan;
	int			subject_col;	/* the subject's column in the index, 1-based */
	bool		on_entry;		/* false: no entry left after the last descent */
	Datum		subject;		/* the entry's subject (in the scan's tuple) */
} MergeCursor;

static void
cursor_next(MergeCursor *cur)
{
	bool		isnull;

	cur->on_entry = index_getnext_tid(cur->scan, ForwardScanDirection) != NULL;
	if (cur->on_entry)
	{
		cur->subject = index_getattr(cur->scan->xs_itup, cur->subject_col,
									 cur->scan->xs_itupdesc, &isnull);
		if (isnull)
			key_error();
	}
}

/* Descend to the first entry of the policy and source whose subject >= s. */
static void
cursor_seek(MergeCursor *cur, ScanKey keys, int subject_key, Datum s)
{
	keys[subject_key].sk_argument = s;
	index_rescan(cur->scan, keys, 3, NULL, 0);
	cursor_next(cur);
}

/*
 * Probe each subject's state and decide its step.
 *
 * The subjects are probed in the index's order, as a merge: one index scan
 * of the policy's and source's entries from a subject onwards, which steps
 * from one subject to the next when they are near in the index (a batch of
 * keys is usually a range of it) and descends again when they are not.  A
 * descent per subject was half of a re-run with nothing owed (B10).  Each
 * entry on the subject is fetched from the table under the snapshot, as
 * index_getnext_slot() does, until one is visible.
 */
static void
classify(FunctionCallInfo fcinfo, SettleItem **items, int n, text **hold, int n_hold)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			relid = get_relname_relid("issuance", nsp);
	Oid			indexid = get_relname_relid("issuance_pkey", nsp);
	int32		version = PG_GETARG_INT32(1);
	Datum		policy = PointerGetDatum(PG_GETARG_TEXT_PP(0));
	Datum		source = PointerGetDatum(PG_GETARG_TEXT_PP(2));
	StateColumns col;
	Relation	heap;
	Relation	index;
	TupleTableSlot *slot;
	ScanKeyData keys[3];
	SortSupportData order;
	MergeCursor cur;
	SettleItem **probe;
	AclResult	acl;
	int			key_of[3];		/* index column -> 0 policy, 1 source, 2 subject */
	Datum		key_value[3] = {policy, source, (Datum) 0};
	int			subject_key = -1;
	Oid			subject_coll;
	bool		positioned;
	int			i,
				k;

	if (!OidIsValid(relid) || !OidIsValid(indexid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("compensation.issuance or its primary key is missing")));
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, "issuance");
	col.policy = state_column(relid, "policy");
	col.source = state_column(relid, "source");
	col.subject = state_column(relid, "subject");
	col.version = state_column(relid, "version");
	col.award_hash = state_column(relid, "award_hash");
	col.revoked_at = state_column(relid, "revoked_at");

	heap = table_open(relid, AccessShareLock);
	index = index_open(indexid, AccessShareLock);
	/* the key this scan is built for: policy, source and subject */
	if (IndexRelationGetNumberOfKeyAttributes(index) != 3)
		key_error();
	for (k = 0; k < 3; k++)
	{
		AttrNumber	a = index->rd_index->indkey.values[k];

		key_of[k] = a == col.policy ? 0 : a == col.source ? 1 : a == col.subject ? 2 : -1;
		if (key_of[k] < 0)
			key_error();
		if (key_of[k] == 2)
			subject_key = k;
	}
	if (key_of[0] == key_of[1] || key_of[0] == key_of[2] || key_of[1] == key_of[2])
		key_error();

	/*
	 * The merge needs "equal in the index's order" to mean "the same bytes",
	 * as in the C-ordered sort of the batch: a collation that is not
	 * deterministic would take one subject for another.
	 */
	subject_coll = index->rd_indcollation[subject_key];
	if (OidIsValid(subject_coll) && !get_collation_isdeterministic(subject_coll))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the subject column of compensation.issuance must have a deterministic collation")));
	memset(&order, 0, sizeof(order));
	order.ssup_cxt = CurrentMemoryContext;
	order.ssup_collation = subject_coll;
	order.ssup_attno = subject_key + 1;
	PrepareSortSupportFromIndexRel(index, BTLessStrategyNumber, &order);

	/* the batch in the index's order (under "C", the order it is in) */
	probe = items;
	if (!lc_collate_is_c(subject_coll) && n > 1)
	{
		probe = palloc(sizeof(SettleItem *) * n);
		memcpy(probe, items, sizeof(SettleItem *) * n);
		qsort_arg(probe, n, sizeof(SettleItem *), probe_cmp, &order);
	}

	for (k = 0; k < 3; k++)
	{
		if (k == subject_key)
			ScanKeyInit(&keys[k], k + 1, BTGreaterEqualStrategyNumber, F_TEXT_GE, (Datum) 0);
		else
			ScanKeyInit(&keys[k], k + 1, BTEqualStrategyNumber, F_TEXTEQ, key_value[key_of[k]]);
		keys[k].sk_collation = index->rd_indcollation[k];
	}

	slot = table_slot_create(heap, NULL);
	cur.scan = index_beginscan(heap, index, GetActiveSnapshot(), 3, 0);
	cur.scan->xs_want_itup = true;
	cur.subject_col = subject_key + 1;
	cur.on_entry = false;
	cur.subject = (Datum) 0;
	positioned = false;
	for (i = 0; i < n; i++)
	{
		SettleItem *it = probe[i];
		Datum		want = PointerGetDatum(it->subject);
		int			steps = 0;
		bool		found = false;

		CHECK_FOR_INTERRUPTS();
		if (n_hold > 0 &&
			bsearch(&it->subject, hold, n_hold, sizeof(text *), text_ptr_cmp) != NULL)
		{
			it->step = STEP_LOCK;
			continue;
		}

		/* to the first entry on or after this subject */
		if (!positioned)
		{
			cursor_seek(&cur, keys, subject_key, want);
			positioned = true;
		}
		while (cur.on_entry &&
			   ApplySortComparator(cur.subject, false, want, false, &order) < 0)
		{
			if (++steps > MERGE_MAX_STEPS)
			{
				cursor_seek(&cur, keys, subject_key, want);
				break;
			}
			cursor_next(&cur);
		}
		/* its entries, until one is visible under the snapshot */
		while (cur.on_entry &&
			   ApplySortComparator(cur.subject, false, want, false, &order) == 0)
		{
			if (!found && index_fetch_heap(cur.scan, slot))
			{
				it->step = step_of_state(it, slot, &col, version);
				ExecClearTuple(slot);
				found = true;
			}
			cursor_next(&cur);
		}
		if (!found)
			it->step = it->hash ? STEP_CLAIM : STEP_NONE;
	}
	index_endscan(cur.scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);
}

/* Which field of the items an output array holds. */
typedef enum ItemField
{
	FIELD_SUBJECT,
	FIELD_AWARD,
	FIELD_HASH,
	FIELD_LINES
} ItemField;

/* An array of one field of the items of one step, in the order given. */
static ArrayType *
items_array(SettleItem **sel, int n, ItemField what, Oid award_type)
{
	Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc0(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Oid			elemtype;
	int			i;

	for (i = 0; i < n; i++)
	{
		switch (what)
		{
			case FIELD_SUBJECT:
				values[i] = PointerGetDatum(sel[i]->subject);
				break;
			case FIELD_AWARD:
				values[i] = sel[i]->award;
				nulls[i] = sel[i]->award_null;
				break;
			case FIELD_HASH:
				values[i] = PointerGetDatum(sel[i]->hash);
				break;
			case FIELD_LINES:
				values[i] = Int32GetDatum(sel[i]->n_lines);
				break;
		}
	}
	elemtype = what == FIELD_SUBJECT ? TEXTOID : what == FIELD_AWARD ? award_type :
		what == FIELD_HASH ? BYTEAOID : INT4OID;
	if (n == 0)
		return construct_empty_array(elemtype);
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return construct_md_array(values, nulls, 1, dims, lbs, elemtype, typlen, typbyval, typalign);
}

/*
 * compensation._settle_classify(policy, version, source, subjects, awards,
 * hold, OUT claim text[], OUT claim_awards award[], OUT claim_hashes
 * bytea[], OUT claim_lines integer[], OUT rest text[]).  STRICT.
 */
Datum
compensation_settle_classify(PG_FUNCTION_ARGS)
{
	ArrayType  *subjects_arr = PG_GETARG_ARRAYTYPE_P(3);
	ArrayType  *awards_arr = PG_GETARG_ARRAYTYPE_P(4);
	ArrayType  *hold_arr = PG_GETARG_ARRAYTYPE_P(5);
	Oid			award_type = ARR_ELEMTYPE(awards_arr);
	int16		award_len;
	bool		award_byval;
	char		award_align;
	text	  **subjects;
	text	  **hold;
	Datum	   *awards;
	bool	   *award_nulls;
	int			n,
				n_awards,
				n_hold;
	SettleItem *items;
	SettleItem **sorted;
	SettleItem **claims;
	SettleItem **locks;
	int			n_claims = 0,
				n_locks = 0;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	MemoryContext hash_cxt;
	MemoryContext old;
	pg_cryptohash_ctx *sha256;
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE || tupdesc->natts != 5)
		elog(ERROR, "_settle_classify must return five columns");
	if (ARR_NDIM(subjects_arr) > 1 || ARR_NDIM(awards_arr) > 1 || ARR_NDIM(hold_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("subjects, awards and hold must have one dimension")));

	subjects = subjects_of(subjects_arr, "subjects", &n);
	hold = subjects_of(hold_arr, "hold", &n_hold);
	get_typlenbyvalalign(award_type, &award_len, &award_byval, &award_align);
	deconstruct_array(awards_arr, award_type, award_len, award_byval, award_align,
					  &awards, &award_nulls, &n_awards);
	if (n_awards != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("subjects and awards differ in length: %d and %d", n, n_awards)));
	if (n_hold > 1)
		qsort(hold, n_hold, sizeof(text *), text_ptr_cmp);

	/* Each award hashed (its send form freed as soon as it is hashed). */
	items = palloc0(sizeof(SettleItem) * Max(n, 1));
	hash_cxt = AllocSetContextCreate(CurrentMemoryContext, "compensation settle hash",
									 ALLOCSET_SMALL_SIZES);
	sha256 = pg_cryptohash_create(PG_SHA256);
	for (i = 0; i < n; i++)
	{
		SettleItem *it = &items[i];

		it->subject = subjects[i];
		it->award = awards[i];
		it->award_null = award_nulls[i];
		if (!award_nulls[i])
		{
			CpAward		aw = DatumGetCpAward(awards[i]);

			it->n_lines = aw->n_lines;
			if (aw->n_lines > 0)
			{
				bytea	   *h;

				old = MemoryContextSwitchTo(hash_cxt);
				h = award_hash(sha256, aw);
				MemoryContextSwitchTo(old);
				it->hash = palloc(VARSIZE(h));
				memcpy(it->hash, h, VARSIZE(h));
				MemoryContextReset(hash_cxt);
			}
			if ((Pointer) aw != DatumGetPointer(awards[i]))
				pfree(aw);
		}
	}
	pg_cryptohash_free(sha256);
	MemoryContextDelete(hash_cxt);

	/*
	 * In subject order: probed in that order, and taken out in it.  A
	 * subject given twice is refused: two awards for one subject would both
	 * be written.
	 */
	sorted = palloc(sizeof(SettleItem *) * Max(n, 1));
	for (i = 0; i < n; i++)
		sorted[i] = &items[i];
	qsort(sorted, n, sizeof(SettleItem *), item_cmp);
	for (i = 1; i < n; i++)
	{
		if (subject_cmp(sorted[i - 1]->subject, sorted[i]->subject) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("subjects must be distinct"),
					 errdetail("Subject \"%s\" is given twice.",
							   text_to_cstring(sorted[i]->subject))));
	}

	classify(fcinfo, sorted, n, hold, n_hold);

	claims = palloc(sizeof(SettleItem *) * Max(n, 1));
	locks = palloc(sizeof(SettleItem *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (sorted[i]->step == STEP_CLAIM)
			claims[n_claims++] = sorted[i];
		else if (sorted[i]->step == STEP_LOCK)
			locks[n_locks++] = sorted[i];
	}

	values[0] = PointerGetDatum(items_array(claims, n_claims, FIELD_SUBJECT, award_type));
	values[1] = PointerGetDatum(items_array(claims, n_claims, FIELD_AWARD, award_type));
	values[2] = PointerGetDatum(items_array(claims, n_claims, FIELD_HASH, award_type));
	values[3] = PointerGetDatum(items_array(claims, n_claims, FIELD_LINES, award_type));
	values[4] = PointerGetDatum(items_array(locks, n_locks, FIELD_SUBJECT, award_type));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
