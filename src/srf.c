/*-------------------------------------------------------------------------
 *
 * srf.c
 *	  Materialize-mode set-returning functions that run once per row.
 *
 * lines(award) and explain(rules, row) are called once per row of a table
 * (LATERAL, or INSERT ... SELECT ... FROM t, lines(evaluate(rules, t))).
 * InitMaterializedSRF() looks the result type up in the catalog and
 * builds its tuple descriptor on every call, which cost a quarter of such
 * an INSERT: here the descriptor is built once per call site, and a set
 * with no rows (most rows are owed nothing) is returned without a
 * tuplestore at all.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "srf.h"

/* Errors unless the caller accepts a materialized set. */
void
cp_srf_check(FunctionCallInfo fcinfo, const char *fname)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("compensation.%s must be called where a set of rows is accepted", fname),
				 errhint("Call it in FROM, e.g. SELECT * FROM compensation.%s(...).", fname)));
}

/*
 * Starts a materialized result and returns its tuplestore; *desc is the
 * descriptor to form its rows with.  *cached (kept by the caller in
 * fn_extra, in fn_mcxt) holds the result type's descriptor after the
 * first call.
 */
Tuplestorestate *
cp_srf_begin(FunctionCallInfo fcinfo, TupleDesc *cached, TupleDesc *desc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Tuplestorestate *tupstore;
	MemoryContext old;

	if (*cached == NULL)
	{
		TupleDesc	built;

		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (get_call_result_type(fcinfo, NULL, &built) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		*cached = built;
		MemoryContextSwitchTo(old);
	}

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	/* the executor frees this copy when it is done with the result */
	*desc = CreateTupleDescCopy(*cached);
	tupstore = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
									 false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = *desc;
	return tupstore;
}

/* An empty result: a materialized set left without a tuplestore. */
void
cp_srf_empty(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = NULL;
	rsinfo->setDesc = NULL;
}
