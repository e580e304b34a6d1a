/*-------------------------------------------------------------------------
 *
 * exact.c
 *	  Exact rational arithmetic, rounding, and exact numeric conversion.
 *
 * See exact.h for the representation.  The slow paths here handle
 * denominators other than 1; the common whole-number cases are inline in
 * the header.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/numeric.h"

#include "exact.h"

/* 10^0 .. 10^18 */
static const int64 pow10_i64[] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000),
	INT64CONST(10000), INT64CONST(100000), INT64CONST(1000000),
	INT64CONST(10000000), INT64CONST(100000000), INT64CONST(1000000000),
	INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

#define INT128_FITS_RAT(x)	((x) > (int128) PG_INT64_MIN && (x) <= (int128) PG_INT64_MAX)

static inline uint64
gcd_u64(uint64 a, uint64 b)
{
	int			shift;

	if (a == 0)
		return b;
	if (b == 0)
		return a;
	shift = __builtin_ctzll(a | b);
	a >>= __builtin_ctzll(a);
	do
	{
		b >>= __builtin_ctzll(b);
		if (a > b)
		{
			uint64		t = a;

			a = b;
			b = t;
		}
		b -= a;
	} while (b != 0);
	return a << shift;
}

static uint128
gcd_u128(uint128 a, uint128 b)
{
	/* Euclid until both fit in 64 bits, then the binary algorithm. */
	while ((a >> 64) != 0 || (b >> 64) != 0)
	{
		uint128		t;

		if (b == 0)
			return a;
		t = a % b;
		a = b;
		b = t;
	}
	return gcd_u64((uint64) a, (uint64) b);
}

bool
cp_rat_make128(int128 num, int128 den, CpRational *r)
{
	Assert(den != 0);
	if (den < 0)
	{
		num = -num;
		den = -den;
	}
	if (num == 0)
	{
		r->num = 0;
		r->den = 1;
		return true;
	}
	if (den != 1)
	{
		uint128		g = gcd_u128(num < 0 ? (uint128) -num : (uint128) num,
								 (uint128) den);

		if (g != 1)
		{
			num /= (int128) g;
			den /= (int128) g;
		}
	}
	if (!INT128_FITS_RAT(num) || den > (int128) PG_INT64_MAX)
		return false;
	r->num = (int64) num;
	r->den = (int64) den;
	return true;
}

bool
cp_rat_add_slow(CpRational a, CpRational b, CpRational *r)
{
	if (a.den == b.den)
		return cp_rat_make128((int128) a.num + b.num, a.den, r);
	return cp_rat_make128((int128) a.num * b.den + (int128) b.num * a.den,
						  (int128) a.den * b.den, r);
}

bool
cp_rat_sub_slow(CpRational a, CpRational b, CpRational *r)
{
	if (a.den == b.den)
		return cp_rat_make128((int128) a.num - b.num, a.den, r);
	return cp_rat_make128((int128) a.num * b.den - (int128) b.num * a.den,
						  (int128) a.den * b.den, r);
}

bool
cp_rat_mul_slow(CpRational a, CpRational b, CpRational *r)
{
	return cp_rat_make128((int128) a.num * b.num, (int128) a.den * b.den, r);
}

bool
cp_rat_div(CpRational a, CpRational b, CpRational *r)
{
	Assert(b.num != 0);
	return cp_rat_make128((int128) a.num * b.den, (int128) a.den * b.num, r);
}

bool
cp_rat_from_decimal(int64 mantissa, int32 scale, CpRational *r)
{
	if (mantissa == PG_INT64_MIN || scale < 0)
		return false;
	if (scale == 0 || mantissa == 0)
	{
		r->num = mantissa;
		r->den = 1;
		return true;
	}
	/* strip trailing zeros of the mantissa against the scale */
	while (scale > 0 && mantissa % 10 == 0)
	{
		mantissa /= 10;
		scale--;
	}
	if (scale > 18)
		return false;
	return cp_rat_make128(mantissa, pow10_i64[scale], r);
}

bool
cp_rat_scale10(CpRational a, int exponent, CpRational *r)
{
	if (exponent == 0)
	{
		*r = a;
		return true;
	}
	if (exponent < 0 || exponent > 18)
		return false;
	if (a.den == 1)
	{
		int128		n = (int128) a.num * pow10_i64[exponent];

		if (!INT128_FITS_RAT(n))
			return false;
		r->num = (int64) n;
		r->den = 1;
		return true;
	}
	return cp_rat_make128((int128) a.num * pow10_i64[exponent], a.den, r);
}

/*
 * The on-disk numeric format.  numeric.c keeps these private, but the
 * format is fixed (pg_upgrade relies on it): a uint16 header word, for the
 * long form an int16 weight, then base-10000 digits, most significant
 * first.  Value = sign * sum(d[i] * 10000^(weight - i)).
 */
#define CP_NUMERIC_SIGN_MASK			0xC000
#define CP_NUMERIC_NEG					0x4000
#define CP_NUMERIC_SHORT				0x8000
#define CP_NUMERIC_SPECIAL				0xC000
#define CP_NUMERIC_EXT_SIGN_MASK		0xF000
#define CP_NUMERIC_NAN					0xC000
#define CP_NUMERIC_SHORT_SIGN_MASK		0x2000
#define CP_NUMERIC_SHORT_WEIGHT_SIGN	0x0040
#define CP_NUMERIC_SHORT_WEIGHT_MASK	0x003F
#define CP_NBASE						10000

CpExactStatus
cp_rat_from_numeric(Datum datum, CpRational *r)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(datum);
	struct varlena *detoasted = NULL;
	const char *data;
	Size		len;
	uint16		header;
	int			weight;
	bool		negative;
	int			ndigits;
	const char *digits;
	int128		mant = 0;
	int			i;
	int			exp10000;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		v = detoasted = pg_detoast_datum_packed(v);
	data = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	if (len < sizeof(uint16))
		elog(ERROR, "invalid numeric datum");
	memcpy(&header, data, sizeof(uint16));

	if ((header & CP_NUMERIC_SIGN_MASK) == CP_NUMERIC_SPECIAL)
	{
		if (detoasted)
			pfree(detoasted);
		return (header & CP_NUMERIC_EXT_SIGN_MASK) == CP_NUMERIC_NAN ?
			CP_EXACT_NAN : CP_EXACT_INFINITE;
	}
	if ((header & CP_NUMERIC_SIGN_MASK) == CP_NUMERIC_SHORT)
	{
		negative = (header & CP_NUMERIC_SHORT_SIGN_MASK) != 0;
		weight = (header & CP_NUMERIC_SHORT_WEIGHT_MASK);
		if (header & CP_NUMERIC_SHORT_WEIGHT_SIGN)
			weight |= ~CP_NUMERIC_SHORT_WEIGHT_MASK;
		digits = data + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		w;

		if (len < sizeof(uint16) + sizeof(int16))
			elog(ERROR, "invalid numeric datum");
		negative = (header & CP_NUMERIC_SIGN_MASK) == CP_NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		digits = data + sizeof(uint16) + sizeof(int16);
		ndigits = (len - sizeof(uint16) - sizeof(int16)) / sizeof(int16);
	}

	/* 9 base-10000 digits are 36 decimal digits: more cannot fit anyway */
	if (ndigits > 9)
	{
		if (detoasted)
			pfree(detoasted);
		return CP_EXACT_OVERFLOW;
	}
	for (i = 0; i < ndigits; i++)
	{
		int16		d;

		memcpy(&d, digits + i * sizeof(int16), sizeof(int16));
		mant = mant * CP_NBASE + d;
	}
	if (detoasted)
		pfree(detoasted);
	if (negative)
		mant = -mant;
	if (ndigits == 0)
	{
		*r = cp_rat_int(0);
		return CP_EXACT_OK;
	}

	/* value = mant * 10000^(weight - ndigits + 1) */
	exp10000 = weight - ndigits + 1;
	if (exp10000 >= 0)
	{
		if (!INT128_FITS_RAT(mant))
			return CP_EXACT_OVERFLOW;
		for (i = 0; i < exp10000; i++)
		{
			mant *= CP_NBASE;
			if (!INT128_FITS_RAT(mant))
				return CP_EXACT_OVERFLOW;
		}
		*r = cp_rat_int((int64) mant);
		return CP_EXACT_OK;
	}
	else
	{
		int128		den = 1;

		/* a denominator above 10^36 cannot be reduced to fit in 64 bits */
		if (-exp10000 > 9)
			return CP_EXACT_OVERFLOW;
		for (i = 0; i < -exp10000; i++)
			den *= CP_NBASE;
		return cp_rat_make128(mant, den, r) ? CP_EXACT_OK : CP_EXACT_OVERFLOW;
	}
}

/*
 * Round num/den (den > 0) to an integer, in int128.
 */
static int128
round_quotient(int128 num, int128 den, CpRounding mode, bool *inexact)
{
	int128		fl = num / den;
	int128		rem = num % den;
	int128		twice;

	if (rem < 0)
	{
		fl -= 1;
		rem += den;
	}
	*inexact = (rem != 0);
	if (rem == 0)
		return fl;

	switch (mode)
	{
		case CP_ROUND_FLOOR:
			return fl;
		case CP_ROUND_CEILING:
			return fl + 1;
		case CP_ROUND_HALF_UP:
			twice = rem * 2;
			if (twice > den)
				return fl + 1;
			if (twice < den)
				return fl;
			/* a tie: away from zero */
			return num > 0 ? fl + 1 : fl;
		case CP_ROUND_HALF_EVEN:
			twice = rem * 2;
			if (twice > den)
				return fl + 1;
			if (twice < den)
				return fl;
			return (fl % 2 == 0) ? fl : fl + 1;
		case CP_ROUND_UNSET:
			return fl;
	}
	elog(ERROR, "unknown rounding mode %d", (int) mode);
	return fl;					/* keep compiler quiet */
}

CpExactStatus
cp_round_status(CpRational x, CpRounding mode, int64 increment, int64 *result)
{
	int128		q;
	int128		res;
	bool		inexact;

	if (increment <= 0)
		increment = 1;
	if (x.den == 1 && increment == 1)
	{
		*result = x.num;
		return CP_EXACT_OK;
	}
	q = round_quotient(x.num, (int128) x.den * increment, mode, &inexact);
	if (inexact && mode == CP_ROUND_UNSET)
		return CP_EXACT_INEXACT;
	res = q * increment;
	if (!INT128_FITS_RAT(res))
		return CP_EXACT_OVERFLOW;
	*result = (int64) res;
	return CP_EXACT_OK;
}

int64
cp_round(CpRational x, CpRounding mode, int64 increment)
{
	int64		result = 0;

	switch (cp_round_status(x, mode, increment, &result))
	{
		case CP_EXACT_OK:
			break;
		case CP_EXACT_INEXACT:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("amount %s is not a whole number of minor units",
							cp_rat_to_cstring(x)),
					 errhint("Name a rounding in the policy (rounding half_up) or on the award (round half_up).")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("amount %s is out of range", cp_rat_to_cstring(x))));
	}
	return result;
}

bool
cp_round_rational(CpRational x, CpRounding mode, CpRational increment,
				  CpRational *r)
{
	int128		q;
	bool		inexact;

	Assert(increment.num > 0);
	/* x / increment = (x.num * inc.den) / (x.den * inc.num) */
	q = round_quotient((int128) x.num * increment.den,
					   (int128) x.den * increment.num, mode, &inexact);
	if (!INT128_FITS_RAT(q))
		return false;
	return cp_rat_make128(q * increment.num, increment.den, r);
}

void
cp_rat_append(StringInfo out, CpRational x)
{
	int64		d = x.den;
	int			twos = 0,
				fives = 0,
				digits;
	int128		scaled;
	uint128		mag;
	char		buf[64];
	int			pos;
	bool		negative;

	if (x.den == 1)
	{
		appendStringInfo(out, INT64_FORMAT, x.num);
		return;
	}
	while (d % 2 == 0)
	{
		d /= 2;
		twos++;
	}
	while (d % 5 == 0)
	{
		d /= 5;
		fives++;
	}
	digits = Max(twos, fives);
	if (d != 1 || digits > 18)
	{
		appendStringInfo(out, INT64_FORMAT "/" INT64_FORMAT, x.num, x.den);
		return;
	}
	/* x.num * 10^digits / den is a whole number */
	scaled = (int128) x.num * pow10_i64[digits] / x.den;
	negative = scaled < 0;
	mag = negative ? (uint128) -scaled : (uint128) scaled;
	pos = sizeof(buf) - 1;
	buf[pos] = '\0';
	for (int i = 0; i < digits; i++)
	{
		buf[--pos] = '0' + (int) (mag % 10);
		mag /= 10;
	}
	buf[--pos] = '.';
	do
	{
		buf[--pos] = '0' + (int) (mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (negative)
		buf[--pos] = '-';
	appendStringInfoString(out, buf + pos);
}

char *
cp_rat_to_cstring(CpRational x)
{
	StringInfoData buf;

	initStringInfo(&buf);
	cp_rat_append(&buf, x);
	return buf.data;
}
