/*-------------------------------------------------------------------------
 *
 * exact.h
 *	  Exact rational arithmetic for policy evaluation (law 1: money is exact).
 *
 * A number is num / den with den > 0, both int64, and num never equal to
 * PG_INT64_MIN (so negation and abs cannot overflow).  Results are computed
 * in int128 and then checked to fit; a fraction is reduced by its gcd only
 * when its denominator is not 1.  Every operation that can overflow returns
 * false instead of raising, so that the caller can name the rule in the
 * error.  There is no floating point anywhere here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_EXACT_H
#define COMPENSATION_EXACT_H

#include "common/int.h"
#include "lib/stringinfo.h"

#include "ruleset.h"

#ifndef HAVE_INT128
#error "compensation needs a compiler with a 128-bit integer type"
#endif

typedef struct CpRational
{
	int64		num;
	int64		den;			/* > 0 */
} CpRational;

/* Outcome of converting or rounding a value. */
typedef enum CpExactStatus
{
	CP_EXACT_OK = 0,
	CP_EXACT_OVERFLOW,			/* does not fit in 64 bits */
	CP_EXACT_INEXACT,			/* no rounding named, value not whole */
	CP_EXACT_NAN,				/* numeric NaN */
	CP_EXACT_INFINITE			/* numeric Infinity or -Infinity */
} CpExactStatus;

static inline CpRational
cp_rat_int(int64 n)
{
	CpRational	r;

	r.num = n;
	r.den = 1;
	return r;
}

/* num / den, normalised and reduced; false if it does not fit. */
extern bool cp_rat_make128(int128 num, int128 den, CpRational *r);

extern bool cp_rat_add_slow(CpRational a, CpRational b, CpRational *r);
extern bool cp_rat_sub_slow(CpRational a, CpRational b, CpRational *r);
extern bool cp_rat_mul_slow(CpRational a, CpRational b, CpRational *r);

static inline bool
cp_rat_fits_int(int64 n)
{
	return n != PG_INT64_MIN;
}

static inline bool
cp_rat_add(CpRational a, CpRational b, CpRational *r)
{
	if (likely(a.den == 1 && b.den == 1))
	{
		if (pg_add_s64_overflow(a.num, b.num, &r->num) || r->num == PG_INT64_MIN)
			return false;
		r->den = 1;
		return true;
	}
	return cp_rat_add_slow(a, b, r);
}

static inline bool
cp_rat_sub(CpRational a, CpRational b, CpRational *r)
{
	if (likely(a.den == 1 && b.den == 1))
	{
		if (pg_sub_s64_overflow(a.num, b.num, &r->num) || r->num == PG_INT64_MIN)
			return false;
		r->den = 1;
		return true;
	}
	return cp_rat_sub_slow(a, b, r);
}

static inline bool
cp_rat_mul(CpRational a, CpRational b, CpRational *r)
{
	if (likely(a.den == 1 && b.den == 1))
	{
		if (pg_mul_s64_overflow(a.num, b.num, &r->num) || r->num == PG_INT64_MIN)
			return false;
		r->den = 1;
		return true;
	}
	return cp_rat_mul_slow(a, b, r);
}

/* a / b; the caller has checked that b is not zero. */
extern bool cp_rat_div(CpRational a, CpRational b, CpRational *r);

static inline CpRational
cp_rat_neg(CpRational a)
{
	a.num = -a.num;				/* never PG_INT64_MIN, see above */
	return a;
}

static inline CpRational
cp_rat_abs(CpRational a)
{
	if (a.num < 0)
		a.num = -a.num;
	return a;
}

/* -1, 0 or 1 */
static inline int
cp_rat_cmp(CpRational a, CpRational b)
{
	if (likely(a.den == b.den))
		return (a.num > b.num) - (a.num < b.num);
	else
	{
		int128		l = (int128) a.num * b.den;
		int128		r = (int128) b.num * a.den;

		return (l > r) - (l < r);
	}
}

static inline int
cp_rat_sign(CpRational a)
{
	return (a.num > 0) - (a.num < 0);
}

/* mantissa / 10^scale (scale >= 0), as in a CP_OP_NUM node */
extern bool cp_rat_from_decimal(int64 mantissa, int32 scale, CpRational *r);

/* a * 10^exponent (exponent >= 0) */
extern bool cp_rat_scale10(CpRational a, int exponent, CpRational *r);

/* An exact numeric datum (possibly packed or toasted) as a rational. */
extern CpExactStatus cp_rat_from_numeric(Datum num, CpRational *r);

/*
 * Rounding to a whole multiple of increment (> 0).  CP_ROUND_UNSET accepts
 * only a value that already is a multiple, else CP_EXACT_INEXACT.
 */
extern CpExactStatus cp_round_status(CpRational x, CpRounding mode,
									 int64 increment, int64 *result);

/* The same, raising the error itself (without naming a rule). */
extern int64 cp_round(CpRational x, CpRounding mode, int64 increment);

/* round(x, mode, increment) of the policy language: increment > 0 is a
 * rational in major units and so is the result. */
extern bool cp_round_rational(CpRational x, CpRounding mode,
							  CpRational increment, CpRational *r);

/* Text: an exact decimal when the denominator allows it, else "num/den". */
extern void cp_rat_append(StringInfo out, CpRational x);
extern char *cp_rat_to_cstring(CpRational x);

#endif							/* COMPENSATION_EXACT_H */
