/*-------------------------------------------------------------------------
 *
 * evaluate_json.c
 *	  compensation.evaluate_json(rules, doc jsonb, row_type anyelement):
 *	  the award of a row an app holds as a JSON object.
 *
 *	  SELECT compensation.evaluate_json(compensation.rules('p'),
 *	         '{"price": 77000, "show_at": "2025-06-12T19:00:00+09:00"}',
 *	         NULL::orders);
 *
 * The row type (only the type of the third argument counts) says what each
 * key is; the policy says which keys are needed.  The document is read
 * strictly, because a key the evaluator silently takes for NULL is a
 * silent wrong award (DESIGN.md, law 4):
 *
 *	- it must be a JSON object, and every key must name a column of the row
 *	  type (a misspelt key is an error, not a NULL column);
 *	- every column the policy reads must be a key (null for an unknown
 *	  value); the other columns of the row type may be left out, and their
 *	  values are not read;
 *	- a value is read by its column type's input function, from the JSON
 *	  string, number (its exact digits) or boolean; json and jsonb columns
 *	  take any JSON value; an object or array for another type is an error;
 *	- dates and times must be ISO 8601 (2025-06-12, 2025-06-12T19:00:00),
 *	  and a timestamptz must carry its offset (Z or +09:00): then neither
 *	  DateStyle nor TimeZone can change what a document means;
 *	- an error in a value names its key.
 *
 * Evaluation itself is evaluate()'s: the values go to the same evaluator,
 * as _evaluate_columns passes a table's columns (cp_eval_award_columns),
 * so the same row as a table row and as a document gets the same award.
 *
 * The function is STABLE, not IMMUTABLE: a row type may have a column whose
 * input function reads a setting or a catalog (money, interval, an enum, a
 * domain).  It is not STRICT because the row type is usually given as a
 * NULL of that type; a NULL policy or document gives NULL, as STRICT would.
 *
 * The per-call-site state (fn_extra) holds the evaluator and, per policy
 * (by fingerprint) and row type, the columns to read with their input
 * functions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "award.h"
#include "eval.h"
#include "ruleset.h"

PG_FUNCTION_INFO_V1(compensation_evaluate_json);

/* How a column's JSON string must be spelled before its input reads it. */
typedef enum JsonTimeKind
{
	JT_NONE = 0,
	JT_DATE,					/* YYYY-MM-DD */
	JT_TIMESTAMP,				/* YYYY-MM-DD[Thh:mm[:ss[.f]]], no offset */
	JT_TIMESTAMPTZ				/* YYYY-MM-DDThh:mm[:ss[.f]] and an offset */
} JsonTimeKind;

typedef struct JsonColumn
{
	char	   *name;
	int16		attno;
	Oid			typid;
	int32		typmod;
	Oid			typioparam;
	FmgrInfo	input;
	bool		is_json;		/* json or jsonb (or a domain over one) */
	JsonTimeKind time;
} JsonColumn;

typedef struct EvalJsonCache
{
	void	   *eval;			/* cp_eval_prepare()'s cache */
	MemoryContext colcxt;		/* holds tupdesc and cols */
	Oid			rowtype;		/* what cols were resolved for */
	char	   *rowtype_name;	/* for messages */
	uint64		fingerprint;
	TupleDesc	tupdesc;		/* the row type's, for key checks */
	int			n;
	JsonColumn *cols;			/* the columns the policy reads, by attno */
	int16	   *attnos;			/* cols[i].attno; stable for the evaluator */
	NullableDatum *values;
} EvalJsonCache;

static int
attno_order(const void *a, const void *b)
{
	return ((const JsonColumn *) a)->attno - ((const JsonColumn *) b)->attno;
}

/* Resolve the columns the policy reads in the row type (in fn_mcxt). */
static void
resolve_columns(EvalJsonCache *cache, const CpRulesetData *rs, MemoryContext mcxt)
{
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	const CpColumn *cols = CpColumns(rs);
	const char *strings = CpStrings(rs);
	TupleDesc	tupdesc = cache->tupdesc;
	int			c,
				a;

	cache->n = rs->n_columns;
	cache->cols = palloc0(sizeof(JsonColumn) * Max(rs->n_columns, 1));
	cache->attnos = palloc(sizeof(int16) * Max(rs->n_columns, 1));
	cache->values = palloc(sizeof(NullableDatum) * Max(rs->n_columns, 1));
	for (c = 0; c < rs->n_columns; c++)
	{
		JsonColumn *col = &cache->cols[c];
		Form_pg_attribute att = NULL;
		Oid			input,
					base;
		int32		basetypmod = -1;

		for (a = 0; a < tupdesc->natts; a++)
		{
			att = TupleDescAttr(tupdesc, a);
			if (!att->attisdropped && strcmp(NameStr(att->attname), strings + cols[c].name) == 0)
				break;
		}
		/* cp_eval_prepare() has checked that the row type has it */
		if (a == tupdesc->natts)
			elog(ERROR, "column \"%s\" not found in row type %s",
				 strings + cols[c].name, format_type_be(cache->rowtype));
		col->name = pstrdup(NameStr(att->attname));
		col->attno = att->attnum;
		col->typid = att->atttypid;
		col->typmod = att->atttypmod;
		getTypeInputInfo(att->atttypid, &input, &col->typioparam);
		fmgr_info_cxt(input, &col->input, mcxt);
		base = getBaseTypeAndTypmod(att->atttypid, &basetypmod);
		col->is_json = base == JSONOID || base == JSONBOID;
		col->time = base == DATEOID ? JT_DATE :
			base == TIMESTAMPOID ? JT_TIMESTAMP :
			base == TIMESTAMPTZOID ? JT_TIMESTAMPTZ : JT_NONE;
	}
	qsort(cache->cols, cache->n, sizeof(JsonColumn), attno_order);
	for (c = 0; c < cache->n; c++)
		cache->attnos[c] = cache->cols[c].attno;
	MemoryContextSwitchTo(old);
}

/* n ASCII digits at *p, advancing it; false if not. */
static bool
digits(const char **p, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char) (*p)[i]))
			return false;
	*p += n;
	return true;
}

/*
 * Is s a date or time in the ISO 8601 form the column type needs?  Only
 * these forms are accepted, so that the input function's reading of them
 * depends on no setting: a year first (DateStyle does not matter) and, for
 * timestamptz, an explicit offset (TimeZone does not matter).
 */
static bool
iso_time_ok(const char *s, JsonTimeKind kind)
{
	const char *p = s;

	if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0)
		return true;
	/* YYYY[Y...]-MM-DD */
	if (!digits(&p, 4))
		return false;
	while (isdigit((unsigned char) *p))
		p++;
	if (*p++ != '-' || !digits(&p, 2) || *p++ != '-' || !digits(&p, 2))
		return false;
	if (*p == '\0')
		return kind == JT_DATE || kind == JT_TIMESTAMP;
	if (kind == JT_DATE || (*p != 'T' && *p != ' '))
		return false;
	p++;
	/* hh:mm[:ss[.f...]] */
	if (!digits(&p, 2) || *p++ != ':' || !digits(&p, 2))
		return false;
	if (*p == ':')
	{
		p++;
		if (!digits(&p, 2))
			return false;
		if (*p == '.')
		{
			p++;
			if (!digits(&p, 1))
				return false;
			while (isdigit((unsigned char) *p))
				p++;
		}
	}
	if (*p == '\0')
		return kind == JT_TIMESTAMP;
	if (kind != JT_TIMESTAMPTZ)
		return false;
	/* Z, or +hh[[:]mm] */
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p != '+' && *p != '-')
		return false;
	p++;
	if (!digits(&p, 2))
		return false;
	if (*p == ':')
		p++;
	if (*p != '\0' && !digits(&p, 2))
		return false;
	return *p == '\0';
}

static const char *
time_form(JsonTimeKind kind)
{
	switch (kind)
	{
		case JT_DATE:
			return "an ISO 8601 date such as \"2025-06-17\"";
		case JT_TIMESTAMP:
			return "an ISO 8601 local time without an offset, such as \"2025-06-17T19:00:00\"";
		default:
			return "an ISO 8601 time with its UTC offset, such as \"2025-06-17T19:00:00+09:00\"";
	}
}

static const char *
jsonb_value_kind(const JsonbValue *v)
{
	if (v->type == jbvBinary)
		return JsonContainerIsObject(v->val.binary.data) ? "an object" : "an array";
	return "a scalar";
}

/*
 * The JSON value v of key col->name as a datum of the column's type.  An
 * error raised by the input function (bad syntax, out of range, a domain's
 * check) is raised again with the key in its message; any other error
 * (out of memory, cancel) passes through unchanged.
 */
static Datum
json_value_datum(const JsonColumn *col, const JsonbValue *v, const char *rowtype)
{
	char	   *text;
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum result = (Datum) 0;

	if (col->is_json)
	{
		/* any JSON value: its JSON text */
		Jsonb	   *jb = JsonbValueToJsonb((JsonbValue *) v);

		text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	}
	else
	{
		switch (v->type)
		{
			case jbvString:
				text = pnstrdup(v->val.string.val, v->val.string.len);
				break;
			case jbvNumeric:
				text = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(v->val.numeric)));
				break;
			case jbvBool:
				text = v->val.boolean ? "true" : "false";
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("JSON key \"%s\" holds %s, but column \"%s\" of %s is %s",
								col->name, jsonb_value_kind(v), col->name, rowtype,
								format_type_with_typemod(col->typid, col->typmod)),
						 errhint("Give a JSON string, number, boolean or null.")));
				text = NULL;	/* keep the compiler quiet */
		}
		if (col->time != JT_NONE &&
			(v->type != jbvString || !iso_time_ok(text, col->time)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
					 errmsg("JSON key \"%s\" is not %s", col->name, time_form(col->time)),
					 errdetail("Column \"%s\" of %s is %s; the document gives %s.",
							   col->name, rowtype,
							   format_type_with_typemod(col->typid, col->typmod), text),
					 errhint("Dates and times in a document are read in ISO 8601 only, so that no session setting (DateStyle, TimeZone) changes them.")));
	}

	PG_TRY();
	{
		result = InputFunctionCall((FmgrInfo *) &col->input, text, col->typioparam,
								   col->typmod);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		/* only the input's own complaints: data exceptions, a domain check */
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("invalid value for JSON key \"%s\": %s", col->name, edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) :
				 errdetail("Column \"%s\" of %s is %s.", col->name, rowtype,
						   format_type_with_typemod(col->typid, col->typmod)),
				 edata->hint ? errhint("%s", edata->hint) : 0));
	}
	PG_END_TRY();
	return result;
}

/* Every key of doc must name a column of the row type. */
static void
check_keys(Jsonb *doc, TupleDesc tupdesc, const char *rowtype)
{
	JsonbIterator *it = JsonbIteratorInit(&doc->root);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			a;
		bool		found = false;

		if (tok != WJB_KEY)
			continue;
		for (a = 0; a < tupdesc->natts && !found; a++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, a);
			const char *name = NameStr(att->attname);

			found = !att->attisdropped && strlen(name) == v.val.string.len &&
				memcmp(name, v.val.string.val, v.val.string.len) == 0;
		}
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("JSON key \"%.*s\" is not a column of %s",
							v.val.string.len, v.val.string.val, rowtype),
					 errhint("Every key of the document must name a column of the row type; remove the others (doc - 'key').")));
	}
}

/*
 * compensation.evaluate_json(rules ruleset, doc jsonb, row_type anyelement)
 *   -> award
 */
Datum
compensation_evaluate_json(PG_FUNCTION_ARGS)
{
	EvalJsonCache *cache = (EvalJsonCache *) fcinfo->flinfo->fn_extra;
	Oid			rowtype = get_fn_expr_argtype(fcinfo->flinfo, 2);
	Jsonb	   *doc;
	CpEval	   *ev;
	const CpRulesetData *rs;
	const char *rowtype_name;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	/* the row type is checked and named once per call site and type */
	if (cache == NULL || cache->rowtype != rowtype)
	{
		if (!OidIsValid(rowtype) || get_typtype(rowtype) != TYPTYPE_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("compensation.evaluate_json needs a row type, not %s",
							OidIsValid(rowtype) ? format_type_be(rowtype) : "an unknown type"),
					 errhint("Name the table's row type: compensation.evaluate_json(rules, doc, NULL::orders).")));
		if (cache == NULL)
		{
			cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EvalJsonCache));
			fcinfo->flinfo->fn_extra = cache;
		}
		if (cache->rowtype_name)
			pfree(cache->rowtype_name);
		cache->rowtype_name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt,
												  format_type_be(rowtype));
		cache->cols = NULL;		/* resolve the columns again, below */
	}
	rowtype_name = cache->rowtype_name;

	doc = PG_GETARG_JSONB_P(1);
	if (!JB_ROOT_IS_OBJECT(doc))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("compensation.evaluate_json needs a JSON object, not %s",
						JB_ROOT_IS_SCALAR(doc) ? "a scalar" : "an array"),
				 errhint("Give the row as one object, its columns as keys: {\"price\": 77000, ...}.")));

	ev = cp_eval_prepare(&cache->eval, fcinfo->flinfo->fn_mcxt, PG_GETARG_DATUM(0),
						 rowtype, -1);
	rs = cp_eval_ruleset(ev);
	if (cache->cols == NULL || cache->rowtype != rowtype ||
		cache->fingerprint != rs->fingerprint)
	{
		/*
		 * A new policy or row type: resolve its columns again, in a context
		 * of their own, so that a query whose rows alternate between
		 * policies does not grow fn_mcxt.
		 */
		MemoryContext old;

		if (cache->colcxt == NULL)
			cache->colcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												  "evaluate_json columns",
												  ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(cache->colcxt);
		cache->cols = NULL;
		old = MemoryContextSwitchTo(cache->colcxt);
		cache->tupdesc = lookup_rowtype_tupdesc_copy(rowtype, -1);
		MemoryContextSwitchTo(old);
		cache->rowtype = rowtype;
		cache->fingerprint = rs->fingerprint;
		resolve_columns(cache, rs, cache->colcxt);
	}

	check_keys(doc, cache->tupdesc, rowtype_name);

	for (i = 0; i < cache->n; i++)
	{
		JsonColumn *col = &cache->cols[i];
		JsonbValue	key;
		JsonbValue *v;

		key.type = jbvString;
		key.val.string.val = col->name;
		key.val.string.len = strlen(col->name);
		v = findJsonbValueFromContainer(&doc->root, JB_FOBJECT, &key);
		if (v == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("JSON document has no key \"%s\", a column the policy reads",
							col->name),
					 errhint("Give every column the policy reads, as null where its value is unknown.")));
		if (v->type == jbvNull)
		{
			cache->values[i].isnull = true;
			cache->values[i].value = (Datum) 0;
		}
		else
		{
			cache->values[i].isnull = false;
			cache->values[i].value = json_value_datum(col, v, rowtype_name);
		}
	}

	PG_RETURN_CPAWARD(cp_eval_award_columns(ev, cache->n, cache->attnos, cache->values));
}
