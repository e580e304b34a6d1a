/*-------------------------------------------------------------------------
 *
 * ruleset_params.c
 *	  What-if parameters (issue 12): compensation.with_params(ruleset, jsonb)
 *	  and compensation.params(ruleset).
 *
 * A policy declares "param rate = 120%"; with_params(rules, '{"rate":
 * 1.3}') returns the ruleset that "param rate = 1.3" would have compiled
 * to.  It prints the ruleset and parses the text again, each overridden
 * parameter's literal replaced by the override's (ruleset_parse_tables.c
 * reads it as a literal of the same kind).  So the result is an ordinary
 * ruleset, equal byte for byte to the one the edited text gives, and every
 * other function (evaluate, explain, simulate, the ledger) reads it
 * unchanged; evaluation costs what the unmodified policy costs (B12).
 * Compiling happens once per call, so a query calls with_params once, on a
 * constant or an uncorrelated subquery, not once per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "ruleset.h"
#include "ruleset_format.h"
#include "ruleset_params.h"
#include "strutil.h"

/* The names of rs's parameters, for a hint. */
static char *
param_names(const CpRulesetData *rs)
{
	const CpLet *lets = CpLets(rs);
	StringInfoData out;
	int			i;

	initStringInfo(&out);
	for (i = 0; i < rs->n_lets; i++)
		if (lets[i].kind == CP_LET_PARAM)
			appendStringInfo(&out, "%s%s", out.len ? ", " : "",
							 CpString(rs, lets[i].name));
	return out.data;
}

/*
 * The last result of a call site, in fn_extra, keyed by the arguments'
 * bytes as they come (a toast pointer, compressed or plain, as
 * eval_bind.c keys its cache): a query that passes the policy as a column
 * of a join calls with_params() once per row with the same arguments, and
 * must neither compile nor detoast per row.
 */
typedef struct ParamsCache
{
	struct varlena *raw_rules;	/* copies of the arguments' raw bytes */
	struct varlena *raw_overrides;
	CpRuleset	result;
	int			misses;			/* results made at this call site */
} ParamsCache;

/*
 * A result once returned from the cache may still be referenced, so it is
 * never freed: after this many different arguments at one call site (they
 * change per row, so compiling per row is what the query asks for), no
 * more are kept.
 */
#define PARAMS_CACHE_MAX_MISSES	16

static bool
same_raw(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE_ANY(a) == VARSIZE_ANY(b) && memcmp(a, b, VARSIZE_ANY(a)) == 0;
}

static struct varlena *
copy_raw(const struct varlena *v)
{
	struct varlena *c = palloc(VARSIZE_ANY(v));

	memcpy(c, v, VARSIZE_ANY(v));
	return c;
}

static CpRuleset with_params(CpRuleset rs, Jsonb *jb);

PG_FUNCTION_INFO_V1(compensation_with_params);
Datum
compensation_with_params(PG_FUNCTION_ARGS)
{
	struct varlena *raw_rules = (struct varlena *) PG_GETARG_POINTER(0);
	struct varlena *raw_overrides = (struct varlena *) PG_GETARG_POINTER(1);
	ParamsCache *cache = (ParamsCache *) fcinfo->flinfo->fn_extra;
	MemoryContext old;
	CpRuleset	rs;
	CpRuleset	result;

	/*
	 * The same bytes as last time give the same result.  It is returned as
	 * it is, in fn_mcxt, as a cached constant is: no caller frees or
	 * changes an argument it was given, and a copy per row would cost what
	 * the cache saves.
	 */
	if (cache != NULL && same_raw(cache->raw_rules, raw_rules) &&
		same_raw(cache->raw_overrides, raw_overrides))
		PG_RETURN_CPRULESET(cache->result);

	rs = PG_GETARG_CPRULESET(0);
	cp_ruleset_validate(rs);
	result = with_params(rs, PG_GETARG_JSONB_P(1));

	if (cache != NULL && cache->misses >= PARAMS_CACHE_MAX_MISSES)
		PG_RETURN_CPRULESET(result);
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (cache == NULL)
		cache = palloc0(sizeof(ParamsCache));
	else
	{
		pfree(cache->raw_rules);
		pfree(cache->raw_overrides);
	}
	cache->misses++;
	cache->raw_rules = copy_raw(raw_rules);
	cache->raw_overrides = copy_raw(raw_overrides);
	cache->result = (CpRuleset) copy_raw((struct varlena *) result);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cache;
	PG_RETURN_CPRULESET(result);
}

static CpRuleset
with_params(CpRuleset rs, Jsonb *jb)
{
	CpParamOverrides ov;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i;

	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter overrides must be a JSON object"),
				 errhint("Give an object of parameter names and values, such as '{\"rate\": 1.3}'.")));

	ov.n = 0;
	ov.items = palloc(sizeof(CpParamOverride) * Max(JB_ROOT_COUNT(jb), 1));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			ov.items[ov.n].name = pnstrdup(v.val.string.val, v.val.string.len);
			ov.items[ov.n].used = false;
		}
		else if (tok == WJB_VALUE)
		{
			CpParamOverride *o = &ov.items[ov.n++];

			switch (v.type)
			{
				case jbvNumeric:
					o->type = CP_PJ_NUMBER;
					o->text = DatumGetCString(DirectFunctionCall1(numeric_out,
																  NumericGetDatum(v.val.numeric)));
					break;
				case jbvString:
					o->type = CP_PJ_STRING;
					o->text = pnstrdup(v.val.string.val, v.val.string.len);
					break;
				case jbvBool:
					o->type = CP_PJ_BOOL;
					o->text = v.val.boolean ? "true" : "false";
					break;
				case jbvNull:
					o->type = CP_PJ_NULL;
					o->text = NULL;
					break;
				default:
					o->type = CP_PJ_OTHER;
					o->text = NULL;
			}
		}
	}

	/* unknown names first: a misspelt name is the likelier mistake */
	for (i = 0; i < ov.n; i++)
	{
		const CpLet *lets = CpLets(rs);
		bool		found = false;
		int			j;

		for (j = 0; j < rs->n_lets && !found; j++)
			found = lets[j].kind == CP_LET_PARAM &&
				strcmp(CpString(rs, lets[j].name), ov.items[i].name) == 0;
		if (!found)
		{
			char	   *names = param_names(rs);

			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("policy \"%s\" has no parameter \"%s\"",
							CpString(rs, rs->name), ov.items[i].name),
					 names[0] ?
					 errhint("Its parameters are: %s.", names) :
					 errhint("The policy declares no parameters: add a header line such as param rate = 120%%.")));
		}
	}

	return cp_parse_policy_with(cp_print_policy(rs), &ov);
}

PG_FUNCTION_INFO_V1(compensation_params);
Datum
compensation_params(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const CpLet *lets;
	int			i;

	cp_ruleset_validate(rs);
	InitMaterializedSRF(fcinfo, 0);
	lets = CpLets(rs);
	for (i = 0; i < rs->n_lets; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		StringInfoData val;

		if (lets[i].kind != CP_LET_PARAM)
			continue;
		initStringInfo(&val);
		cp_print_node(&val, rs, lets[i].expr);
		values[0] = CStringGetTextDatum(CpString(rs, lets[i].name));
		values[1] = CStringGetTextDatum(val.data);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
