/*-------------------------------------------------------------------------
 *
 * award_op.c
 *	  Equality and hashing of compensation.award: the = and <> operators
 *	  and the hash operator class award_hash_ops.
 *
 * Two awards are equal when they are the same value: the same currency and
 * the same lines in the same order, each with the same rule, kind,
 * instrument, amount, days, new date, window, note, count and UTC offset;
 * that is, when they print the same text.  Lines are not reordered: an
 * award lists its lines in the order the policy's rules produced them, and
 * evaluate() of the same policy version and row always gives the same
 * order (DESIGN.md, law 3).
 *
 * Every award is made by the builder (award_build.c), which gives one byte
 * image per value, so equality compares bytes and the hash hashes them, as
 * for rulesets (ruleset_io.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "common/hashfn.h"
#include "fmgr.h"

PG_FUNCTION_INFO_V1(compensation_award_eq);
PG_FUNCTION_INFO_V1(compensation_award_ne);
PG_FUNCTION_INFO_V1(compensation_award_hash);
PG_FUNCTION_INFO_V1(compensation_award_hash_extended);

static bool
award_equal(const CpAwardData *a, const CpAwardData *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

Datum
compensation_award_eq(PG_FUNCTION_ARGS)
{
	CpAward		a = PG_GETARG_CPAWARD(0);
	CpAward		b = PG_GETARG_CPAWARD(1);
	bool		result = award_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

Datum
compensation_award_ne(PG_FUNCTION_ARGS)
{
	CpAward		a = PG_GETARG_CPAWARD(0);
	CpAward		b = PG_GETARG_CPAWARD(1);
	bool		result = !award_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

Datum
compensation_award_hash(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	Datum		result;

	result = hash_any((const unsigned char *) VARDATA(aw), VARSIZE(aw) - VARHDRSZ);
	PG_FREE_IF_COPY(aw, 0);
	PG_RETURN_DATUM(result);
}

/* With a seed, for hash partitioning and the like (hash support 2). */
Datum
compensation_award_hash_extended(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	Datum		result;

	result = hash_any_extended((const unsigned char *) VARDATA(aw),
							   VARSIZE(aw) - VARHDRSZ, PG_GETARG_INT64(1));
	PG_FREE_IF_COPY(aw, 0);
	PG_RETURN_DATUM(result);
}
