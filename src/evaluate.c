/*-------------------------------------------------------------------------
 *
 * evaluate.c
 *	  SQL functions compensation.evaluate(ruleset, row) and
 *	  compensation.explain(ruleset, row).
 *
 * Both are IMMUTABLE STRICT PARALLEL SAFE: they read no table and no
 * setting.  The evaluator for a call site lives in fn_extra (eval_bind.c)
 * and is rebuilt only when the policy or the row type changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "award.h"
#include "eval.h"
#include "ruleset.h"
#include "srf.h"

PG_FUNCTION_INFO_V1(compensation_evaluate);
PG_FUNCTION_INFO_V1(compensation_explain);

/*
 * The row argument as a composite datum.  On the first call of a call site
 * (fn_extra still empty), check that the argument really is a row: the SQL
 * signature says anyelement.
 */
static HeapTupleHeader
row_argument(FunctionCallInfo fcinfo, const char *funcname)
{
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (OidIsValid(argtype) && !type_is_rowtype(argtype))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("compensation.%s needs a row, not %s",
							funcname, format_type_be(argtype)),
					 (argtype == JSONBOID || argtype == JSONOID) ?
					 errhint("Evaluate a JSON document as a row of a table's type with compensation.evaluate_json(rules, doc::jsonb, NULL::orders).") :
					 errhint("Pass the whole row: compensation.%s(rules, o) FROM orders o.",
							 funcname)));
	}
	return PG_GETARG_HEAPTUPLEHEADER(1);
}

static CpEval *
prepare(FunctionCallInfo fcinfo, HeapTupleHeader row)
{
	return cp_eval_prepare(&fcinfo->flinfo->fn_extra, fcinfo->flinfo->fn_mcxt,
						   PG_GETARG_DATUM(0),
						   HeapTupleHeaderGetTypeId(row),
						   HeapTupleHeaderGetTypMod(row));
}

/*
 * compensation.evaluate(rules ruleset, row anyelement) -> award
 */
Datum
compensation_evaluate(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row = row_argument(fcinfo, "evaluate");
	CpEval	   *ev = prepare(fcinfo, row);

	PG_RETURN_CPAWARD(cp_eval_award(ev, row));
}

/* explain's per-call-site state: the evaluator cache and the result
 * descriptor, both built once. */
typedef struct ExplainCache
{
	void	   *eval;			/* for cp_eval_prepare() */
	TupleDesc	tupdesc;
} ExplainCache;

/*
 * compensation.explain(rules ruleset, row anyelement) -> SETOF (rule_no,
 * rule, matched, failed_condition, detail, award)
 *
 * Materialize mode through srf.c: explain runs once per row of a large
 * table (LATERAL), and the result's descriptor is built once per call site.
 */
Datum
compensation_explain(PG_FUNCTION_ARGS)
{
	ExplainCache *cache = (ExplainCache *) fcinfo->flinfo->fn_extra;
	HeapTupleHeader row;
	CpEval	   *ev;
	CpExplainRule *rules;
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
	int			n;
	int			i;

	cp_srf_check(fcinfo, "explain");
	row = row_argument(fcinfo, "explain");
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ExplainCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	tupstore = cp_srf_begin(fcinfo, &cache->tupdesc, &tupdesc);

	ev = cp_eval_prepare(&cache->eval, fcinfo->flinfo->fn_mcxt, PG_GETARG_DATUM(0),
						 HeapTupleHeaderGetTypeId(row),
						 HeapTupleHeaderGetTypMod(row));
	rules = cp_eval_explain(ev, row, &n);

	for (i = 0; i < n; i++)
	{
		Datum		values[6];
		bool		nulls[6];

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(rules[i].rule_no);
		values[1] = CStringGetTextDatum(rules[i].rule);
		values[2] = BoolGetDatum(rules[i].matched);
		if (rules[i].failed_condition)
			values[3] = CStringGetTextDatum(rules[i].failed_condition);
		else
			nulls[3] = true;
		if (rules[i].detail)
			values[4] = CStringGetTextDatum(rules[i].detail);
		else
			nulls[4] = true;
		values[5] = PointerGetDatum(rules[i].award);
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * compensation._check_row_type(rules ruleset, row_type regtype) -> void
 *
 * Binds the rules to a row type as the first evaluation over it would,
 * without a row: a missing column or a column of an unusable type is
 * reported when a policy is attached to a table, not at its first INSERT.
 */
PG_FUNCTION_INFO_V1(compensation_check_row_type);

Datum
compensation_check_row_type(PG_FUNCTION_ARGS)
{
	Oid			rowtype = PG_GETARG_OID(1);
	void	   *cache = NULL;
	MemoryContext mcxt;

	if (!type_is_rowtype(rowtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s is not a row type", format_type_be(rowtype))));
	mcxt = AllocSetContextCreate(CurrentMemoryContext, "compensation check",
								 ALLOCSET_SMALL_SIZES);
	(void) cp_eval_prepare(&cache, mcxt, PG_GETARG_DATUM(0), rowtype, -1);
	MemoryContextDelete(mcxt);
	PG_RETURN_VOID();
}
