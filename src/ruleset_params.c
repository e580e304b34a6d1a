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

typedef struct CpParamOverride
{
	char	   *name;
	JsonbValue	value;			/* scalar */
	bool		used;
} CpParamOverride;

struct CpParamOverrides
{
	int			n;
	CpParamOverride *items;
};

const char *
cp_param_kind_name(CpParamKind kind)
{
	switch (kind)
	{
		case CP_PARAM_NUMBER:
			return "a number";
		case CP_PARAM_TEXT:
			return "text";
		case CP_PARAM_BOOL:
			return "a boolean";
		case CP_PARAM_TIME:
			return "a date or time";
		case CP_PARAM_DURATION:
			return "a duration";
	}
	return "a value";
}

static const char *
json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		default:
			return "an array or object";
	}
}

/*
 * The text the parser reads for the override: a JSON number is the number
 * (1.3, not 130%); a JSON string is the string itself for a text parameter,
 * and policy notation for the others ("130%", "2025-07-01", "7 days"); a
 * JSON boolean is true or false.
 */
const char *
cp_param_override_take(CpParamOverrides *ov, const char *name, CpParamKind kind)
{
	int			i;

	for (i = 0; i < ov->n; i++)
	{
		CpParamOverride *o = &ov->items[i];
		bool		ok;

		if (strcmp(o->name, name) != 0)
			continue;
		o->used = true;
		switch (o->value.type)
		{
			case jbvNumeric:
				ok = kind == CP_PARAM_NUMBER;
				if (ok)
					return DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(o->value.val.numeric)));
				break;
			case jbvBool:
				ok = kind == CP_PARAM_BOOL;
				if (ok)
					return o->value.val.boolean ? "true" : "false";
				break;
			case jbvString:
				{
					char	   *s = pnstrdup(o->value.val.string.val,
											 o->value.val.string.len);

					ok = kind != CP_PARAM_BOOL;
					if (ok && kind == CP_PARAM_TEXT)
					{
						StringInfoData q;

						initStringInfo(&q);
						cp_append_quoted(&q, s, '\'');
						return q.data;
					}
					if (ok)
						return s;
				}
				break;
			default:
				ok = false;
				break;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" is %s, not %s",
						name, cp_param_kind_name(kind), json_type_name(&o->value)),
				 kind == CP_PARAM_NUMBER ?
				 errhint("Give a JSON number (1.3 for 130%%) or a string in the policy's notation (\"130%%\").") :
				 kind == CP_PARAM_BOOL ? errhint("Give true or false.") :
				 kind == CP_PARAM_TEXT ? errhint("Give a JSON string.") :
				 errhint("Give a JSON string in the policy's notation, such as \"%s\".",
						 kind == CP_PARAM_TIME ? "2025-07-01" : "7 days")));
	}
	return NULL;
}

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

PG_FUNCTION_INFO_V1(compensation_with_params);
Datum
compensation_with_params(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);
	Jsonb	   *jb = PG_GETARG_JSONB_P(1);
	CpParamOverrides ov;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	CpRuleset	result;
	int			i;

	cp_ruleset_validate(rs);
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
			ov.items[ov.n++].value = v;
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

	result = cp_parse_policy_with(cp_print_policy(rs), &ov);
	PG_RETURN_CPRULESET(result);
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
