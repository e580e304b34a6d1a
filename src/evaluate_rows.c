/*-------------------------------------------------------------------------
 *
 * evaluate_rows.c
 *	  compensation._evaluate_rows(rules, rows[]): evaluate() of each row of
 *	  an array, the awards in the rows' order.
 *
 * issue_all hands _issue_batch (SECURITY DEFINER: it evaluates, the issuer
 * cannot hand in awards) a batch of rows as an array of the table's row
 * type.  In SQL, evaluating them in order took an unnest() numbered by a
 * generate_series() and a sort on that number (a sort of 10,000 whole rows
 * per batch), then ARRAY(): a tenth of a re-run with nothing owed (B10).
 * Here the array is read in place and the awards built in its order.
 *
 * The awards are evaluate()'s, by the same evaluator bound to the same row
 * type (DESIGN.md, law 3); a NULL row gives a NULL award, as evaluate(),
 * being STRICT, does.  Internal, revoked from PUBLIC.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "award.h"
#include "eval.h"

PG_FUNCTION_INFO_V1(compensation_evaluate_rows);

Datum
compensation_evaluate_rows(PG_FUNCTION_ARGS)
{
	ArrayType  *rows = PG_GETARG_ARRAYTYPE_P(1);
	Oid			rowtype = ARR_ELEMTYPE(rows);
	Oid			award_array = get_func_rettype(fcinfo->flinfo->fn_oid);
	Oid			award_type = get_element_type(award_array);
	int16		award_len;
	bool		award_byval;
	char		award_align;
	TypeCacheEntry *rowtyp;
	Datum	   *elems;
	bool	   *nulls;
	Datum	   *awards;
	int			dims[1];
	int			lbs[1] = {1};
	int			n;
	int			i;
	CpEval	   *ev;

	if (!type_is_rowtype(rowtype) || rowtype == RECORDOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("compensation._evaluate_rows needs an array of a table's rows, not %s",
						format_type_be(get_array_type(rowtype)))));
	if (ARR_NDIM(rows) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the rows must have one dimension")));
	if (!OidIsValid(award_type))
		elog(ERROR, "compensation._evaluate_rows must return award[]");

	rowtyp = lookup_type_cache(rowtype, 0);
	deconstruct_array(rows, rowtype, rowtyp->typlen, rowtyp->typbyval, rowtyp->typalign,
					  &elems, &nulls, &n);
	ev = cp_eval_prepare(&fcinfo->flinfo->fn_extra, fcinfo->flinfo->fn_mcxt,
						 PG_GETARG_DATUM(0), rowtype, -1);
	awards = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		HeapTupleHeader row;

		if (nulls[i])
			continue;
		row = DatumGetHeapTupleHeader(elems[i]);
		if (HeapTupleHeaderGetTypeId(row) != rowtype)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("a row of type %s is not of the array's type %s",
							format_type_be(HeapTupleHeaderGetTypeId(row)),
							format_type_be(rowtype))));
		awards[i] = PointerGetDatum(cp_eval_award(ev, row));
	}
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(award_type));
	get_typlenbyvalalign(award_type, &award_len, &award_byval, &award_align);
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(awards, nulls, 1, dims, lbs, award_type,
											 award_len, award_byval, award_align));
}
