/*-------------------------------------------------------------------------
 *
 * fuzz_award_recv.c
 *	  libFuzzer target: arbitrary bytes through compensation.award's binary
 *	  input function, as COPY BINARY or a client sending a parameter in
 *	  binary hands them to it.
 *
 * Properties: no crash, no undefined behaviour, no leak; an ERROR is a
 * normal outcome.  A value that is received whole (as the server demands:
 * every byte read) sends back to bytes that receive to the same value, and
 * prints to text that reads back to the same value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "award.h"

#include "fuzz_common.h"

extern Datum compensation_award_in(PG_FUNCTION_ARGS);
extern Datum compensation_award_out(PG_FUNCTION_ARGS);
extern Datum compensation_award_recv(PG_FUNCTION_ARGS);
extern Datum compensation_award_send(PG_FUNCTION_ARGS);

/* What ReceiveFunctionCall does with a buffer. */
static CpAward
receive(const char *bytes, int len)
{
	StringInfoData buf;
	CpAward		aw;

	buf.data = palloc(len + 1);
	memcpy(buf.data, bytes, len);
	buf.data[len] = '\0';
	buf.len = len;
	buf.maxlen = len + 1;
	buf.cursor = 0;
	aw = (CpAward) DatumGetPointer(fuzz_call1(compensation_award_recv,
											  PointerGetDatum(&buf)));
	if (buf.cursor != buf.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("incorrect binary data format")));
	return aw;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		stack_base;
	MemoryContext cxt = fuzz_begin(&stack_base);
	CpAward volatile aw = NULL;
	bytea	   *sent;
	CpAward		aw2;
	char	   *volatile text = NULL;
	CpAward		aw3;

	if (size > MaxAllocSize / 2)
	{
		fuzz_end();
		return 0;
	}
	PG_TRY();
	{
		aw = receive((const char *) data, (int) size);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
	}
	PG_END_TRY();
	if (aw == NULL)
	{
		fuzz_end();
		return 0;
	}

	PG_TRY();
	{
		sent = (bytea *) DatumGetPointer(fuzz_call1(compensation_award_send,
													PointerGetDatum(aw)));
		aw2 = receive(VARDATA(sent), VARSIZE(sent) - VARHDRSZ);
		if (!fuzz_varlena_equal(aw, aw2))
			fuzz_fail("award recv(send(x)) != x");
		text = DatumGetCString(fuzz_call1(compensation_award_out,
										  PointerGetDatum(aw)));
	}
	PG_CATCH();
	{
		fuzz_report_error("send, recv or out of a received award");
		fuzz_fail("a received award does not send, receive again or print");
	}
	PG_END_TRY();

	PG_TRY();
	{
		aw3 = (CpAward) DatumGetPointer(fuzz_call1(compensation_award_in,
												   CStringGetDatum(text)));
		if (!fuzz_varlena_equal(aw, aw3))
			fuzz_fail("award in(out(x)) != x; text: %s", text);
	}
	PG_CATCH();
	{
		fuzz_report_error("award_in");
		fuzz_fail("award text does not read back: %s", text);
	}
	PG_END_TRY();

	fuzz_end();
	return 0;
}
