/*-------------------------------------------------------------------------
 *
 * eval_errors.c
 *	  What the evaluator's errors say: the rule being evaluated, an
 *	  expression's text, a value's kind, and the type and overflow errors.
 *
 * Cold code, out of eval_exec.c (the per-row interpreter) so that the hot
 * file stays one concern; every eval file calls these through eval_int.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "eval_int.h"

const char *
EvalRuleName(const CpEval *ev)
{
	if (ev->cur_rule >= 0 && ev->cur_rule < ev->n_rules)
		return str_at(ev, ev->rules[ev->cur_rule].name);
	return str_at(ev, ev->rs->name);
}

/*
 * Error context while a row is evaluated: a date or time out of range is
 * raised by the time-zone code, which does not know the rule it works for;
 * the context names it (errors raised here name their rule themselves).
 */
void
EvalErrorContext(void *arg)
{
	const CpEval *ev = (const CpEval *) arg;

	if (geterrcode() == ERRCODE_DATETIME_VALUE_OUT_OF_RANGE &&
		ev->cur_rule >= 0 && ev->cur_rule < ev->n_rules)
		errcontext("rule \"%s\" of policy \"%s\"",
				   str_at(ev, ev->rules[ev->cur_rule].name), str_at(ev, ev->rs->name));
}

char *
EvalNodeText(const CpEval *ev, int32 node)
{
	StringInfoData buf;

	initStringInfo(&buf);
	cp_print_node(&buf, ev->rs, node);
	return buf.data;
}

const char *
EvalKindName(uint8 kind)
{
	switch ((CpValKind) kind)
	{
		case CPV_NULL:
			return "null";
		case CPV_REVIEW:
			return "a review";
		case CPV_NOAWARD:
			return "none";
		case CPV_NUM:
			return "a number";
		case CPV_BOOL:
			return "a boolean";
		case CPV_TEXT:
			return "text";
		case CPV_TIME:
			return "a time";
		case CPV_DURATION:
			return "a duration";
	}
	return "a value";
}

void
EvalTypeError(CpEval *ev, int32 node, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("cannot %s in rule \"%s\"", what, EvalRuleName(ev)),
			 errdetail("The failing expression is %s.", EvalNodeText(ev, node))));
}

void
EvalOverflowError(CpEval *ev, int32 node)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range in rule \"%s\"", EvalRuleName(ev)),
			 node >= 0 ? errdetail("The result of %s does not fit in 64 bits.",
								   EvalNodeText(ev, node)) : 0));
}
