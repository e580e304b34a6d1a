/*-------------------------------------------------------------------------
 *
 * fuzz_ruleset_recv.c
 *	  libFuzzer target: arbitrary bytes through compensation.ruleset's
 *	  binary input function (a version byte, then the policy text, which is
 *	  checked for the encoding and parsed as typed text is).
 *
 * Properties: no crash, no undefined behaviour, no leak; an ERROR is a
 * normal outcome.  A value received whole sends back to bytes that receive
 * to the same value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "ruleset.h"

#include "fuzz_common.h"

extern Datum compensation_ruleset_recv(PG_FUNCTION_ARGS);
extern Datum compensation_ruleset_send(PG_FUNCTION_ARGS);

/* What ReceiveFunctionCall does with a buffer. */
static CpRuleset
receive(const char *bytes, int len)
{
	StringInfoData buf;
	CpRuleset	rs;

	buf.data = palloc(len + 1);
	memcpy(buf.data, bytes, len);
	buf.data[len] = '\0';
	buf.len = len;
	buf.maxlen = len + 1;
	buf.cursor = 0;
	rs = (CpRuleset) DatumGetPointer(fuzz_call1(compensation_ruleset_recv,
												PointerGetDatum(&buf)));
	if (buf.cursor != buf.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("incorrect binary data format")));
	return rs;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		stack_base;
	MemoryContext cxt = fuzz_begin(&stack_base);
	CpRuleset volatile rs = NULL;

	if (size > MaxAllocSize / 2)
	{
		fuzz_end();
		return 0;
	}
	PG_TRY();
	{
		rs = receive((const char *) data, (int) size);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
	}
	PG_END_TRY();

	if (rs != NULL)
	{
		PG_TRY();
		{
			bytea	   *sent;
			CpRuleset	rs2;

			sent = (bytea *) DatumGetPointer(fuzz_call1(compensation_ruleset_send,
														PointerGetDatum(rs)));
			rs2 = receive(VARDATA(sent), VARSIZE(sent) - VARHDRSZ);
			if (!fuzz_varlena_equal(rs, rs2))
				fuzz_fail("ruleset recv(send(x)) != x");
		}
		PG_CATCH();
		{
			fuzz_report_error("send or recv of a received ruleset");
			fuzz_fail("a received ruleset does not send and receive again");
		}
		PG_END_TRY();
	}

	fuzz_end();
	return 0;
}
