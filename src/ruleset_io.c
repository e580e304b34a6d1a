/*-------------------------------------------------------------------------
 *
 * ruleset_io.c
 *	  compensation.ruleset: text and binary input and output, equality,
 *	  hashing and the small accessors.
 *
 * The binary form is, like jsonpath's, a version byte and the canonical
 * text: receiving a value re-parses it, so a ruleset that comes from outside
 * is validated exactly as typed text is, and the compiled layout may change
 * between releases without breaking COPY BINARY or replication of values.
 *
 * The compiled form is canonical (ruleset_build.c), so '=' compares bytes
 * and the hash is a hash of the bytes.
 *
 * A stored value is checked (cp_ruleset_validate) before anything here
 * follows an index or offset in it: a damaged value is an ERROR, not a read
 * of arbitrary memory.  '=' and the hash read only its bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "eval.h"
#include "ruleset.h"
#include "ruleset_format.h"

/* The version byte of the binary form: the canonical text follows. */
#define CP_RULESET_SEND_VERSION	1

PG_FUNCTION_INFO_V1(compensation_ruleset_in);
Datum
compensation_ruleset_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_CPRULESET(cp_parse_policy(str));
}

PG_FUNCTION_INFO_V1(compensation_ruleset_out);
Datum
compensation_ruleset_out(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);

	cp_ruleset_validate(rs);
	PG_RETURN_CSTRING(cp_print_policy(rs));
}

PG_FUNCTION_INFO_V1(compensation_ruleset_recv);
Datum
compensation_ruleset_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	char	   *str;
	int			nbytes;

	if (buf->cursor >= buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("empty compensation.ruleset binary value"),
				 errdetail("A version byte and the policy text were expected.")));
	version = pq_getmsgint(buf, 1);
	if (version != CP_RULESET_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported compensation.ruleset binary format version %d", version),
				 errdetail("This server reads version %d.", CP_RULESET_SEND_VERSION),
				 errhint("Send the policy in text form instead.")));
	/* converted to the server encoding and checked, so no zero bytes */
	str = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);

	PG_RETURN_CPRULESET(cp_parse_policy(str));
}

PG_FUNCTION_INFO_V1(compensation_ruleset_send);
Datum
compensation_ruleset_send(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	char	   *str;
	StringInfoData buf;

	cp_ruleset_validate(rs);
	str = cp_print_policy(rs);
	pq_begintypsend(&buf);
	pq_sendint8(&buf, CP_RULESET_SEND_VERSION);
	pq_sendtext(&buf, str, strlen(str));
	pfree(str);
	PG_FREE_IF_COPY(rs, 0);

	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Byte equality of two canonical rulesets. */
static bool
ruleset_equal(const CpRulesetData *a, const CpRulesetData *b)
{
	return VARSIZE(a) == VARSIZE(b) &&
		memcmp(a, b, VARSIZE(a)) == 0;
}

PG_FUNCTION_INFO_V1(compensation_ruleset_eq);
Datum
compensation_ruleset_eq(PG_FUNCTION_ARGS)
{
	CpRuleset	a = PG_GETARG_CPRULESET(0);
	CpRuleset	b = PG_GETARG_CPRULESET(1);
	bool		result = ruleset_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(compensation_ruleset_ne);
Datum
compensation_ruleset_ne(PG_FUNCTION_ARGS)
{
	CpRuleset	a = PG_GETARG_CPRULESET(0);
	CpRuleset	b = PG_GETARG_CPRULESET(1);
	bool		result = !ruleset_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(result);
}

PG_FUNCTION_INFO_V1(compensation_ruleset_hash);
Datum
compensation_ruleset_hash(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	Datum		result;

	result = hash_any((const unsigned char *) VARDATA(rs),
					  VARSIZE(rs) - VARHDRSZ);
	PG_FREE_IF_COPY(rs, 0);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(compensation_ruleset_policy_name);
Datum
compensation_ruleset_policy_name(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	text	   *result;

	cp_ruleset_validate(rs);
	result = cstring_to_text(CpString(rs, rs->name));

	PG_FREE_IF_COPY(rs, 0);
	PG_RETURN_TEXT_P(result);
}

PG_FUNCTION_INFO_V1(compensation_ruleset_rule_count);
Datum
compensation_ruleset_rule_count(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	int32		result;

	cp_ruleset_validate(rs);
	result = rs->n_rules;

	PG_FREE_IF_COPY(rs, 0);
	PG_RETURN_INT32(result);
}
