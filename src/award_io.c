/*-------------------------------------------------------------------------
 *
 * award_io.c
 *	  compensation.award: the type's input and output functions, and its
 *	  binary form.
 *
 * Text goes through award_parse.c and award_print.c.  The binary form is
 * a version byte, the currency, the exponent, the number of lines, then
 * each line's fixed fields and its strings; received lines go through the
 * builder, which checks them as it checks every line.  The sum aggregate
 * serializes its state in this form too.  Version 1 is what 0.1.0 sends;
 * it must keep reading the same.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "award.h"
#include "libpq/pqformat.h"
#include "ruleset.h"
#include "utils/builtins.h"

#define AWARD_BINARY_VERSION	1

/* smallest binary line: fixed fields, two empty strings, no note */
#define AWARD_BINARY_MIN_LINE	(4 + 2 * 4 + 5 * 8 + 2 * 4 + 1)

PG_FUNCTION_INFO_V1(compensation_award_in);
PG_FUNCTION_INFO_V1(compensation_award_out);
PG_FUNCTION_INFO_V1(compensation_award_recv);
PG_FUNCTION_INFO_V1(compensation_award_send);

Datum
compensation_award_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_CPAWARD(cp_award_parse(str));
}

Datum
compensation_award_out(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);

	PG_RETURN_CSTRING(cp_award_print(aw));
}

static void
send_string(StringInfo buf, const char *s)
{
	pq_sendcountedtext(buf, s, strlen(s), false);
}

static char *
recv_string(StringInfo msg)
{
	int			len = pq_getmsgint(msg, 4);
	int			nbytes;
	char	   *s;

	if (len < 0 || len > msg->len - msg->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid string length %d in external award value", len)));
	s = pq_getmsgtext(msg, len, &nbytes);
	if (strlen(s) != nbytes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid string in external award value"),
				 errdetail("A string contains a zero byte.")));
	return s;
}

void
cp_award_send_to(StringInfo buf, const CpAwardData *aw)
{
	const CpAwardLine *lines = CpAwardLines(aw);
	const char *strings = CpAwardStrings(aw);
	int			len = strlen(aw->currency);
	int			i;

	pq_sendbyte(buf, AWARD_BINARY_VERSION);
	pq_sendbyte(buf, len);
	pq_sendbytes(buf, aw->currency, len);
	pq_sendint16(buf, aw->exponent);
	pq_sendint32(buf, aw->n_lines);
	for (i = 0; i < aw->n_lines; i++)
	{
		const CpAwardLine *l = &lines[i];

		pq_sendbyte(buf, l->kind);
		pq_sendbyte(buf, l->has);
		pq_sendbyte(buf, l->window_kind);
		pq_sendbyte(buf, l->unit);
		pq_sendint32(buf, l->utc_offset);
		pq_sendint32(buf, l->days);
		pq_sendint64(buf, l->count);
		pq_sendint64(buf, l->amount);
		pq_sendint64(buf, l->new_date);
		pq_sendint64(buf, l->window_lo);
		pq_sendint64(buf, l->window_hi);
		send_string(buf, strings + l->rule);
		send_string(buf, strings + l->instrument);
		pq_sendbyte(buf, l->note >= 0);
		if (l->note >= 0)
			send_string(buf, strings + l->note);
	}
}

CpAward
cp_award_recv_from(StringInfo msg)
{
	CpAwardBuilder b;
	char		currency[4];
	int			version,
				len,
				exponent,
				n_lines,
				i;

	version = pq_getmsgbyte(msg);
	if (version != AWARD_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported external award format version %d", version),
				 errdetail("This version of compensation reads version %d.",
						   AWARD_BINARY_VERSION)));
	len = pq_getmsgbyte(msg);
	if (len != 0 && len != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid currency length %d in external award value", len)));
	pq_copymsgbytes(msg, currency, len);
	currency[len] = '\0';
	exponent = (int16) pq_getmsgint(msg, 2);
	if (len == 0)
	{
		if (exponent != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exponent %d for an award without a currency",
							exponent)));
	}
	else
	{
		for (i = 0; i < 3; i++)
			if (currency[i] < 'A' || currency[i] > 'Z')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid currency code in external award value")));
		if (cp_currency_exponent(currency) != exponent)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid exponent %d for currency \"%s\" in external award value",
							exponent, currency)));
	}
	n_lines = pq_getmsgint(msg, 4);
	if (n_lines < 0 || n_lines > (msg->len - msg->cursor) / AWARD_BINARY_MIN_LINE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid number of lines %d in external award value", n_lines)));

	cp_award_builder_init(&b, currency, (int16) exponent);
	for (i = 0; i < n_lines; i++)
	{
		CpAwardLine l;
		char	   *rule,
				   *instrument,
				   *note = NULL;

		memset(&l, 0, sizeof(l));
		l.kind = pq_getmsgbyte(msg);
		l.has = pq_getmsgbyte(msg);
		l.window_kind = pq_getmsgbyte(msg);
		l.unit = pq_getmsgbyte(msg);
		l.utc_offset = pq_getmsgint(msg, 4);
		l.days = pq_getmsgint(msg, 4);
		l.count = pq_getmsgint64(msg);
		l.amount = pq_getmsgint64(msg);
		l.new_date = pq_getmsgint64(msg);
		l.window_lo = pq_getmsgint64(msg);
		l.window_hi = pq_getmsgint64(msg);
		if (l.count < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid award line count " INT64_FORMAT " in external award value",
							l.count)));
		rule = recv_string(msg);
		instrument = recv_string(msg);
		switch (pq_getmsgbyte(msg))
		{
			case 0:
				break;
			case 1:
				note = recv_string(msg);
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid note flag in external award value")));
		}
		cp_award_builder_add_input(&b, &l, rule, instrument, note,
								   ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	return cp_award_builder_finish(&b);
}

Datum
compensation_award_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_CPAWARD(cp_award_recv_from(msg));
}

Datum
compensation_award_send(PG_FUNCTION_ARGS)
{
	CpAward		aw = PG_GETARG_CPAWARD(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	cp_award_send_to(&buf, aw);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
