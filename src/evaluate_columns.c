/*-------------------------------------------------------------------------
 *
 * evaluate_columns.c
 *	  Passing a table's row to compensation.evaluate() as the columns the
 *	  policy reads, not as a whole-row datum.
 *
 * evaluate(rules, o) with o a table's row is the natural call, but a
 * whole-row reference makes the executor deform every attribute of the
 * row and form a new composite datum from them (ExecEvalWholeRowVar), only
 * for the evaluator to deform it again: a third of evaluate()'s cost over
 * a table.  evaluate()'s planner support function rewrites such a call
 * into
 *
 *	 compensation._evaluate_columns(rules, NULL::rowtype, '{names}', col, ...)
 *
 * which receives the attributes as plain arguments: with a constant policy
 * only the columns it reads (the scan deforms no further than the last of
 * them), else every column.  The evaluator is the same, bound to the same
 * row type; only the way the values arrive differs, so the award is the
 * same (DESIGN.md, law 3).
 *
 * The rewrite is made only where it cannot change a result: the row is a
 * plain table's, of this query level, and not on the nullable side of an
 * outer join (there the row may be NULL, and evaluate(), being STRICT,
 * returns NULL, whereas NULL columns are a row owed what NULLs are owed).
 *
 * The columns are named, not numbered: a plan made on one node may run
 * against another's copy of the table (Citus sends the rewritten call to
 * its workers, whose shards were created without the coordinator's dropped
 * columns, so the same attribute number names another column there).
 *
 * _evaluate_columns() is callable by anyone who may call evaluate(), so its
 * arguments may be forged: it trusts none of them.  Once per call site it
 * resolves every name in the row type it is given, checks that the
 * argument passed for it has exactly that attribute's type, and (per
 * evaluator) that every column the policy reads was passed; anything else
 * is an error, never a value read as another type (DESIGN.md, law 6).
 * 0.1.0's declaration passed attribute numbers (int2[]); a database not yet
 * updated still calls this entry point that way, and gets the same checks.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "award.h"
#include "eval.h"
#include "ruleset.h"

PG_FUNCTION_INFO_V1(compensation_evaluate_support);
PG_FUNCTION_INFO_V1(compensation_evaluate_columns);

/*
 * Find range table entry varno in jointree node n: *found says whether it
 * is there, *nullable whether an outer join above it can null its rows
 * (nullable: whether one above n already can).
 */
static void
find_in_jointree(Node *n, int varno, bool nullable, bool *found, bool *is_nullable)
{
	if (n == NULL || *found)
		return;
	if (IsA(n, RangeTblRef))
	{
		if (((RangeTblRef *) n)->rtindex == varno)
		{
			*found = true;
			*is_nullable = nullable;
		}
	}
	else if (IsA(n, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) n)->fromlist)
			find_in_jointree(lfirst(lc), varno, nullable, found, is_nullable);
	}
	else if (IsA(n, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) n;

		if (j->rtindex == varno)
		{
			*found = true;
			*is_nullable = true;	/* a join's own row: not a table's */
			return;
		}
		find_in_jointree(j->larg, varno, nullable ||
						 j->jointype == JOIN_RIGHT || j->jointype == JOIN_FULL,
						 found, is_nullable);
		find_in_jointree(j->rarg, varno, nullable ||
						 j->jointype == JOIN_LEFT || j->jointype == JOIN_FULL ||
						 j->jointype == JOIN_ANTI,
						 found, is_nullable);
	}
	else
	{
		/* not expected in a jointree: be safe, and make no rewrite */
		*found = true;
		*is_nullable = true;
	}
}

/*
 * The attributes a ruleset reads, resolved against a row type: their
 * attnos in *attnos (ascending, palloc'd), or false if one of them is not
 * an attribute of the row type (the plain path then raises the error).
 */
static bool
ruleset_attnos(Const *rules, TupleDesc tupdesc, int16 **attnos, int *n)
{
	CpRuleset	rs = (CpRuleset) PG_DETOAST_DATUM(rules->constvalue);
	const CpColumn *cols;
	const char *strings;
	bool	   *wanted = palloc0(sizeof(bool) * (tupdesc->natts + 1));
	int			c;
	int			a;

	/* a constant from a damaged table reaches the planner unchecked */
	cp_ruleset_validate(rs);
	cols = CpColumns(rs);
	strings = CpStrings(rs);

	for (c = 0; c < rs->n_columns; c++)
	{
		const char *name = strings + cols[c].name;

		for (a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, a);

			if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
				break;
		}
		if (a == tupdesc->natts)
			return false;
		wanted[a + 1] = true;
	}
	*attnos = palloc(sizeof(int16) * (tupdesc->natts + 1));
	*n = 0;
	for (a = 1; a <= tupdesc->natts; a++)
		if (wanted[a])
			(*attnos)[(*n)++] = a;
	return true;
}

/* Every attribute of the row type that is not dropped. */
static void
all_attnos(TupleDesc tupdesc, int16 **attnos, int *n)
{
	int			a;

	*attnos = palloc(sizeof(int16) * (tupdesc->natts + 1));
	*n = 0;
	for (a = 0; a < tupdesc->natts; a++)
		if (!TupleDescAttr(tupdesc, a)->attisdropped)
			(*attnos)[(*n)++] = a + 1;
}

/*
 * _evaluate_columns(ruleset, anyelement, text[], "any"), in evaluate()'s
 * schema, or InvalidOid (a database still at 0.1.0, whose declaration takes
 * attribute numbers: then no rewrite is made).
 */
static Oid
columns_function(Oid evaluate_oid, Oid ruleset_type)
{
	char	   *nspname = get_namespace_name(get_func_namespace(evaluate_oid));
	Oid			argtypes[4] = {ruleset_type, ANYELEMENTOID, TEXTARRAYOID, ANYOID};

	if (nspname == NULL)
		return InvalidOid;
	return LookupFuncName(list_make2(makeString(nspname), makeString("_evaluate_columns")),
						  4, argtypes, true);
}

/*
 * The rewrite of evaluate(rules, row), or NULL to keep the call as it is.
 */
static Node *
simplify_evaluate(PlannerInfo *root, FuncExpr *call)
{
	Node	   *rules;
	Var		   *row;
	RangeTblEntry *rte;
	TupleDesc	tupdesc;
	int16	   *attnos;
	int			n;
	bool		found = false;
	bool		nullable = false;
	Datum	   *elems;
	List	   *args;
	Oid			target;
	FuncExpr   *result;
	int			i;

	if (list_length(call->args) != 2 || root == NULL || root->parse == NULL ||
		root->parse->groupingSets != NIL)
		return NULL;
	rules = linitial(call->args);
	row = lsecond(call->args);
	if (!IsA(row, Var) || row->varattno != 0 || row->varlevelsup != 0 ||
		row->vartype == RECORDOID)
		return NULL;
	if (IsA(rules, Const) && ((Const *) rules)->constisnull)
		return NULL;
	if (row->varno < 1 || row->varno > list_length(root->parse->rtable))
		return NULL;
	rte = rt_fetch(row->varno, root->parse->rtable);
	if (rte->rtekind != RTE_RELATION || rte->relid == InvalidOid ||
		get_rel_type_id(rte->relid) != row->vartype)
		return NULL;
	find_in_jointree((Node *) root->parse->jointree, row->varno, false, &found, &nullable);
	if (!found || nullable)
		return NULL;
	target = columns_function(call->funcid, exprType(rules));
	if (!OidIsValid(target))
		return NULL;

	tupdesc = lookup_rowtype_tupdesc(row->vartype, -1);
	if (IsA(rules, Const))
	{
		if (!ruleset_attnos((Const *) rules, tupdesc, &attnos, &n))
		{
			ReleaseTupleDesc(tupdesc);
			return NULL;
		}
	}
	else
		all_attnos(tupdesc, &attnos, &n);
	/* nothing to pass, or more than a function call can take */
	if (n == 0 || n + 3 > FUNC_MAX_ARGS)
	{
		ReleaseTupleDesc(tupdesc);
		return NULL;
	}

	elems = palloc(sizeof(Datum) * n);
	args = list_make3(rules,
					  makeNullConst(row->vartype, -1, InvalidOid),
					  NULL);
	for (i = 0; i < n; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnos[i] - 1);

		elems[i] = CStringGetTextDatum(NameStr(att->attname));
		args = lappend(args, makeVar(row->varno, attnos[i], att->atttypid,
									 att->atttypmod, att->attcollation, 0));
	}
	ReleaseTupleDesc(tupdesc);
	lthird(args) = makeConst(TEXTARRAYOID, -1, InvalidOid, -1,
							 PointerGetDatum(construct_array(elems, n, TEXTOID, -1,
															 false, TYPALIGN_INT)),
							 false, false);

	result = makeFuncExpr(target, call->funcresulttype, args, call->funccollid,
						  call->inputcollid, call->funcformat);
	result->location = call->location;
	return (Node *) result;
}

/*
 * evaluate()'s planner support function: SupportRequestSimplify only.
 */
Datum
compensation_evaluate_support(PG_FUNCTION_ARGS)
{
	Node	   *req = (Node *) PG_GETARG_POINTER(0);

	if (IsA(req, SupportRequestSimplify))
	{
		SupportRequestSimplify *simplify = (SupportRequestSimplify *) req;

		PG_RETURN_POINTER(simplify_evaluate(simplify->root, simplify->fcall));
	}
	PG_RETURN_POINTER(NULL);
}

/*
 * A call of _evaluate_columns() stands for a call of evaluate(), so it needs
 * the right to call evaluate(): a REVOKE on evaluate() holds over tables too.
 */
static void
check_evaluate_privilege(FunctionCallInfo fcinfo)
{
	Oid			argtypes[2] = {get_fn_expr_argtype(fcinfo->flinfo, 0), ANYELEMENTOID};
	char	   *nspname = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	Oid			evaluate_oid;
	AclResult	aclresult;

	evaluate_oid = LookupFuncName(list_make2(makeString(nspname), makeString("evaluate")),
								  2, argtypes, false);
	aclresult = pg_proc_aclcheck(evaluate_oid, GetUserId(), ACL_EXECUTE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(evaluate_oid));
}

/* What a call site of _evaluate_columns() keeps between rows. */
typedef struct ColumnsCache
{
	void	   *eval;			/* for cp_eval_prepare() */
	Oid			rowtype;
	int			n;
	int16	   *attnos;
} ColumnsCache;

static void pg_attribute_noreturn()
forged_call(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid call of compensation._evaluate_columns()"),
			 errdetail_internal("%s", detail),
			 errhint("Call compensation.evaluate(rules, row): the planner makes this call itself.")));
}

/*
 * The attribute of tupdesc that argument i (0-based among the columns) claims
 * to be, given by name (text[]) or, from 0.1.0's declaration, by number
 * (int2[]): its attno, once checked to exist, not be dropped, and have
 * exactly the type of the argument passed for it.
 */
static int16
checked_attno(FunctionCallInfo fcinfo, TupleDesc tupdesc, Oid elemtype,
			  Datum elem, int i)
{
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 3 + i);
	Form_pg_attribute att = NULL;
	int			a;

	if (elemtype == TEXTOID)
	{
		char	   *name = TextDatumGetCString(elem);

		for (a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute t = TupleDescAttr(tupdesc, a);

			if (!t->attisdropped && strcmp(NameStr(t->attname), name) == 0)
			{
				att = t;
				break;
			}
		}
		if (att == NULL)
			forged_call(psprintf("Row type %s has no column \"%s\".",
								 format_type_be(tupdesc->tdtypeid), name));
	}
	else
	{
		int16		attno = DatumGetInt16(elem);

		if (attno < 1 || attno > tupdesc->natts ||
			TupleDescAttr(tupdesc, attno - 1)->attisdropped)
			forged_call(psprintf("Row type %s has no attribute %d.",
								 format_type_be(tupdesc->tdtypeid), attno));
		att = TupleDescAttr(tupdesc, attno - 1);
	}
	if (!OidIsValid(argtype) || argtype != att->atttypid)
		forged_call(psprintf("Column \"%s\" of %s is of type %s, but the value passed for it is of type %s.",
							 NameStr(att->attname), format_type_be(tupdesc->tdtypeid),
							 format_type_be(att->atttypid),
							 OidIsValid(argtype) ? format_type_be(argtype) : "unknown"));
	return att->attnum;
}

/* Build a call site's cache, checking every argument the caller chose. */
static ColumnsCache *
columns_cache(FunctionCallInfo fcinfo)
{
	MemoryContext old;
	ColumnsCache *cache;
	ArrayType  *arr;
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	Datum	   *elems;
	bool	   *nulls;
	TupleDesc	tupdesc;
	int			i;

	check_evaluate_privilege(fcinfo);
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache = palloc0(sizeof(ColumnsCache));
	cache->rowtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (!OidIsValid(cache->rowtype) || cache->rowtype == RECORDOID ||
		!type_is_rowtype(cache->rowtype))
		forged_call("The second argument must be a NULL of a named row type.");
	if (PG_ARGISNULL(2))
		forged_call("The column list is NULL.");
	arr = PG_GETARG_ARRAYTYPE_P_COPY(2);
	elemtype = ARR_ELEMTYPE(arr);
	if (elemtype != TEXTOID && elemtype != INT2OID)
		forged_call("The column list must be text[] (names) or int2[] (attribute numbers).");
	if (ARR_NDIM(arr) > 1)
		forged_call("The column list must have one dimension.");
	get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
	deconstruct_array(arr, elemtype, elemlen, elembyval, elemalign,
					  &elems, &nulls, &cache->n);
	if (cache->n != PG_NARGS() - 3)
		forged_call(psprintf("The column list names %d columns, but %d values follow it.",
							 cache->n, PG_NARGS() - 3));
	tupdesc = lookup_rowtype_tupdesc(cache->rowtype, -1);
	cache->attnos = palloc(sizeof(int16) * Max(cache->n, 1));
	for (i = 0; i < cache->n; i++)
	{
		if (nulls[i])
			forged_call("The column list has a NULL.");
		cache->attnos[i] = checked_attno(fcinfo, tupdesc, elemtype, elems[i], i);
	}
	ReleaseTupleDesc(tupdesc);
	MemoryContextSwitchTo(old);
	return cache;
}

/*
 * compensation._evaluate_columns(rules, NULL::rowtype, columns, VARIADIC
 * "any"): evaluate(rules, row) for the row whose columns (named in text[])
 * are the remaining arguments.  Not STRICT (the row type is given as a NULL,
 * and columns may be NULL): a NULL policy gives NULL, as in evaluate().
 */
Datum
compensation_evaluate_columns(PG_FUNCTION_ARGS)
{
	ColumnsCache *cache = (ColumnsCache *) fcinfo->flinfo->fn_extra;
	CpEval	   *ev;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (cache == NULL)
	{
		cache = columns_cache(fcinfo);
		fcinfo->flinfo->fn_extra = cache;
	}

	ev = cp_eval_prepare(&cache->eval, fcinfo->flinfo->fn_mcxt, PG_GETARG_DATUM(0),
						 cache->rowtype, -1);
	PG_RETURN_POINTER(cp_eval_award_columns(ev, cache->n, cache->attnos,
											&fcinfo->args[3]));
}
