/*-------------------------------------------------------------------------
 *
 * ruleset_json.c
 *	  compensation.ruleset <-> jsonb: a policy as a JSON document (for an
 *	  admin screen, a diff tool, an app that builds policies) and back.
 *
 * The document mirrors the compiled value, section by section: the header
 * (policy, currency, timezone, hit, rounding, increment), instruments,
 * outage windows, policy-level lets and rules, each rule with its
 * condition, lets and awards.  An expression is a tree: a number, string
 * or boolean literal is the bare JSON value, every other node an object
 *
 *	{"op": "add", "args": [{"op": "column", "name": "price"}, 100]}
 *
 * whose "args" are the node's children in the order of the format's shape
 * table (ruleset_format.c: fields, then the argument list).  The encoding
 * is generic over that table: the children, the list, the reference of
 * field a (string, column, let) and the flags are found through it, so a
 * node kind added to the format is written and read with no change here.
 * What this file knows per operator is only its JSON name and the words
 * of its other fields (a date, a unit, a function name); an operator
 * without a name is written {"op": N} with those fields as raw integers
 * ("a", "b", "c", "v", "w"), still lossless.
 *
 * Reading a document does not trust it: it is checked element by element,
 * each error naming its JSON path ($.rules[2].when.args[0]); the value it
 * makes passes cp_ruleset_check(); then that value is printed to the
 * policy's canonical text and the text is compiled by the policy parser.
 * So a ruleset from JSON is validated exactly as typed text is (as
 * ruleset_recv re-parses text), every compile-time check applies, and the
 * result is canonical: ruleset -> jsonb -> ruleset gives an equal value,
 * because the printer reads only what the document carries and
 * parse(print(x)) = x.  An error of that compile names the JSON path of
 * the construct on the failing line instead of a line of text the user
 * never wrote.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "keywords.h"
#include "ruleset.h"
#include "ruleset_format.h"
#include "ruleset_json.h"

PG_FUNCTION_INFO_V1(compensation_ruleset_to_json);
PG_FUNCTION_INFO_V1(compensation_ruleset_to_jsonb);
PG_FUNCTION_INFO_V1(compensation_ruleset_from_jsonb);

/* ---------------------------------------------------------------------
 * Operators: JSON names and the fields each one's words stand for
 * ---------------------------------------------------------------------
 */

const CpOpJson cp_op_json[256] = {
	[CP_OP_NUM] = {"number", CODEC_NUMBER, F_A | F_V, NULL},
	[CP_OP_STR] = {"string", CODEC_STRING, 0, "value"},
	[CP_OP_BOOL] = {"boolean", CODEC_BOOL, F_V, NULL},
	[CP_OP_NULL] = {"null", CODEC_NONE, 0, NULL},
	[CP_OP_DATE] = {"date", CODEC_DATE, F_A | F_V | F_W, NULL},
	[CP_OP_TIMESTAMP] = {"timestamp", CODEC_TIMESTAMP, F_A | F_B | F_V | F_W, NULL},
	[CP_OP_DURATION] = {"duration", CODEC_UNIT, F_B, NULL},
	[CP_OP_COLUMN] = {"column", CODEC_NONE, 0, "name"},
	[CP_OP_LET] = {"let", CODEC_NONE, 0, "name"},
	[CP_OP_BUILTIN] = {"builtin", CODEC_BUILTIN, F_A, NULL},
	[CP_OP_NEG] = {"neg", CODEC_NONE, 0, NULL},
	[CP_OP_PERCENT] = {"percent", CODEC_NONE, 0, NULL},
	[CP_OP_ADD] = {"add", CODEC_NONE, 0, NULL},
	[CP_OP_SUB] = {"sub", CODEC_NONE, 0, NULL},
	[CP_OP_MUL] = {"mul", CODEC_NONE, 0, NULL},
	[CP_OP_DIV] = {"div", CODEC_NONE, 0, NULL},
	[CP_OP_CALL] = {"call", CODEC_FUNC, F_B, NULL},
	[CP_OP_MODE] = {"mode", CODEC_MODE, F_A, NULL},
	[CP_OP_TIER] = {"tier", CODEC_NONE, 0, NULL},
	[CP_OP_REVIEW] = {"review", CODEC_NONE, 0, "reason"},
	[CP_OP_NOAWARD] = {"none", CODEC_NONE, 0, NULL},
	[CP_OP_EQ] = {"eq", CODEC_NONE, 0, NULL},
	[CP_OP_NE] = {"ne", CODEC_NONE, 0, NULL},
	[CP_OP_LT] = {"lt", CODEC_NONE, 0, NULL},
	[CP_OP_LE] = {"le", CODEC_NONE, 0, NULL},
	[CP_OP_GT] = {"gt", CODEC_NONE, 0, NULL},
	[CP_OP_GE] = {"ge", CODEC_NONE, 0, NULL},
	[CP_OP_AND] = {"and", CODEC_NONE, 0, NULL},
	[CP_OP_OR] = {"or", CODEC_NONE, 0, NULL},
	[CP_OP_NOT] = {"not", CODEC_NONE, 0, NULL},
	[CP_OP_IS_NULL] = {"is_null", CODEC_NONE, 0, NULL},
	[CP_OP_IN_LIST] = {"in_list", CODEC_NONE, 0, NULL},
	[CP_OP_IN_RANGE] = {"in_range", CODEC_NONE, 0, NULL},
	[CP_OP_IN_OUTAGE] = {"during_outage", CODEC_NONE, 0, NULL},
};

/* The key of a reference of field a, when the table names none. */
const char *
cp_op_json_ref_key(int op, int ref)
{
	if (cp_op_json[op].ref_key)
		return cp_op_json[op].ref_key;
	return ref == CP_REF_STRING ? "string" : "name";
}

/* Which of a, b, c the shape uses: children, list start and count, reference. */
uint8
cp_op_json_fields(int op)
{
	const CpOpShape *s = &cp_op_shapes[op];
	uint8		used = 0;
	int			k;

	for (k = 0; k < s->n_fields; k++)
		used |= 1 << k;
	if (s->list != CP_LIST_NONE)
		used |= (1 << s->n_fields) | F_C;
	if (s->ref != CP_REF_NONE)
		used |= F_A;
	return used | cp_op_json[op].fields;
}

/* ---------------------------------------------------------------------
 * ruleset -> JSON text
 * ---------------------------------------------------------------------
 */

typedef struct Enc
{
	StringInfo	out;
	const CpRulesetData *rs;
	const CpNode *nodes;
	const int32 *args;
	const CpLet *lets;
	const CpColumn *columns;
	const char *strings;
} Enc;

static void
append_number(StringInfo out, int64 v, int32 scale)
{
	uint64		u = (v < 0) ? -((uint64) v) : (uint64) v;
	uint64		pow10 = 1;
	int32		i;

	if (scale < 0 || scale > 19)
		elog(ERROR, "ruleset number has invalid scale %d", scale);
	if (v < 0)
		appendStringInfoChar(out, '-');
	if (scale == 0)
	{
		appendStringInfo(out, UINT64_FORMAT, u);
		return;
	}
	for (i = 0; i < scale; i++)
		pow10 *= 10;
	appendStringInfo(out, UINT64_FORMAT ".%0*" INT64_MODIFIER "u",
					 u / pow10, (int) scale, u % pow10);
}

static void
append_local_date(StringInfo out, int32 date)
{
	int			year,
				month,
				day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
}

static void
enc_key(Enc *e, const char *key, bool *first)
{
	if (!*first)
		appendStringInfoString(e->out, ", ");
	*first = false;
	escape_json(e->out, key);
	appendStringInfoString(e->out, ": ");
}

static void
enc_raw(Enc *e, const char *key, int64 value, bool *first)
{
	enc_key(e, key, first);
	appendStringInfo(e->out, INT64_FORMAT, value);
}

static void enc_node(Enc *e, int32 idx);

/* Children written so far in "args": a comma goes before every one but the first. */
typedef struct ArgsWriter
{
	Enc		   *e;
	bool		first;
} ArgsWriter;

static bool
enc_arg(int32 child, void *context)
{
	ArgsWriter *w = (ArgsWriter *) context;

	if (!w->first)
		appendStringInfoString(w->e->out, ", ");
	w->first = false;
	enc_node(w->e, child);
	return false;
}

static void
enc_node(Enc *e, int32 idx)
{
	const CpNode *n = &e->nodes[idx];
	const CpOpShape *s = &cp_op_shapes[n->op];
	const CpOpJson *j = &cp_op_json[n->op];
	StringInfo	out = e->out;
	bool		first = true;
	uint8		used;
	uint8		flags = n->flags;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	switch ((OpCodec) j->codec)
	{
		case CODEC_NUMBER:
			append_number(out, n->v, n->a);
			return;
		case CODEC_STRING:
			escape_json(out, e->strings + n->a);
			return;
		case CODEC_BOOL:
			appendStringInfoString(out, n->v ? "true" : "false");
			return;
		default:
			break;
	}

	appendStringInfoChar(out, '{');
	enc_key(e, "op", &first);
	if (j->name)
		escape_json(out, j->name);
	else
		appendStringInfo(out, "%d", (int) n->op);

	switch ((OpCodec) j->codec)
	{
		case CODEC_DATE:
			enc_key(e, "value", &first);
			appendStringInfoChar(out, '"');
			append_local_date(out, n->a);
			appendStringInfoChar(out, '"');
			break;
		case CODEC_TIMESTAMP:
			enc_key(e, "value", &first);
			appendStringInfoChar(out, '"');
			append_local_date(out, n->a);
			appendStringInfo(out, "T%02d:%02d:%02d\"", (int) (n->b / SECS_PER_HOUR),
							 (int) ((n->b / SECS_PER_MINUTE) % MINS_PER_HOUR),
							 (int) (n->b % SECS_PER_MINUTE));
			break;
		case CODEC_UNIT:
			enc_key(e, "unit", &first);
			/* the word table prints working days as "day(s)" after "working" */
			escape_json(out, n->b == CP_UNIT_WORKING_DAYS ? "working days" :
						cp_word_name(CP_WORDS_UNIT, n->b));
			break;
		case CODEC_BUILTIN:
			enc_key(e, "name", &first);
			escape_json(out, cp_word_name(CP_WORDS_BUILTIN, n->a));
			break;
		case CODEC_FUNC:
			enc_key(e, "function", &first);
			escape_json(out, cp_word_name(CP_WORDS_FUNC, n->b));
			break;
		case CODEC_MODE:
			enc_key(e, "mode", &first);
			escape_json(out, cp_word_name(CP_WORDS_ROUNDING, n->a));
			break;
		default:
			break;
	}

	switch ((CpNodeRef) s->ref)
	{
		case CP_REF_NONE:
			break;
		case CP_REF_STRING:
			enc_key(e, cp_op_json_ref_key(n->op, s->ref), &first);
			escape_json(out, e->strings + n->a);
			break;
		case CP_REF_COLUMN:
			enc_key(e, cp_op_json_ref_key(n->op, s->ref), &first);
			escape_json(out, e->strings + e->columns[n->a].name);
			break;
		case CP_REF_LET:
			enc_key(e, cp_op_json_ref_key(n->op, s->ref), &first);
			escape_json(out, e->strings + e->lets[n->a].name);
			break;
	}

	if (flags & CP_NODE_NEGATED)
	{
		enc_key(e, "negated", &first);
		appendStringInfoString(out, "true");
	}
	if (flags & CP_NODE_EXCLUSIVE)
	{
		enc_key(e, "exclusive", &first);
		appendStringInfoString(out, "true");
	}
	flags &= ~(CP_NODE_NEGATED | CP_NODE_EXCLUSIVE);
	/* a tier's else is the odd last argument */
	if (s->list == CP_LIST_TIER)
		flags &= ~CP_NODE_HAS_ELSE;
	if (flags != 0)
		enc_raw(e, "flags", flags, &first);

	if (s->n_fields > 0 || s->list != CP_LIST_NONE)
	{
		ArgsWriter	w = {e, true};

		enc_key(e, "args", &first);
		appendStringInfoChar(out, '[');
		(void) cp_node_walk_children(e->nodes, e->args, idx, enc_arg, &w);
		appendStringInfoChar(out, ']');
	}

	/*
	 * An operator without a line in cp_op_json: its other fields raw, so
	 * that nothing is lost (a named operator's unused fields are the
	 * builder's fillers, which no reader looks at).
	 */
	used = j->name ? 0xFF : cp_op_json_fields(n->op);
	if (!(used & F_A) && n->a != 0)
		enc_raw(e, "a", n->a, &first);
	if (!(used & F_B) && n->b != 0)
		enc_raw(e, "b", n->b, &first);
	if (!(used & F_C) && n->c != 0)
		enc_raw(e, "c", n->c, &first);
	if (!(used & F_V) && n->v != 0)
		enc_raw(e, "v", n->v, &first);
	if (!(used & F_W) && n->w != 0)
		enc_raw(e, "w", n->w, &first);
	appendStringInfoChar(out, '}');
}

static void
enc_node_or_null(Enc *e, int32 idx)
{
	if (idx == CP_NONE_IDX)
		appendStringInfoString(e->out, "null");
	else
		enc_node(e, idx);
}

static void
enc_string_or_null(Enc *e, int32 off)
{
	if (off == CP_NONE_IDX)
		appendStringInfoString(e->out, "null");
	else
		escape_json(e->out, e->strings + off);
}

/*
 * The JSON word of a policy-level let's kind (issues 11 and 12), or NULL
 * for a plain let, which has no "kind" key.
 */
const char *
cp_let_kind_json(int kind)
{
	switch ((CpLetKind) kind)
	{
		case CP_LET_PLAIN:
			return NULL;
		case CP_LET_PARAM:
			return "param";
		case CP_LET_CAP:
			return "cap";
		case CP_LET_MINIMUM:
			return "minimum";
		case CP_LET_MINOR_UNITS:
			return "minor";
	}
	return NULL;
}

static void
enc_let(Enc *e, const CpLet *let)
{
	const char *kind = cp_let_kind_json(let->kind);

	appendStringInfoString(e->out, "{\"name\": ");
	escape_json(e->out, e->strings + let->name);
	/* a param, cap, minimum or minor-units column: what its line says */
	if (kind != NULL)
		appendStringInfo(e->out, ", \"kind\": \"%s\"", kind);
	appendStringInfoString(e->out, ", \"expr\": ");
	enc_node(e, let->expr);
	appendStringInfoChar(e->out, '}');
}

static void
enc_award(Enc *e, const CpAwardSpec *a)
{
	StringInfo	out = e->out;
	const char *extend = NULL;

	appendStringInfoString(out, "{\"kind\": ");
	escape_json(out, cp_word_name(CP_WORDS_AWARD_KIND, a->kind));
	if (a->kind == CP_AWARD_EXTEND_BY)
		extend = "by";
	else if (a->kind == CP_AWARD_EXTEND_TO)
		extend = "to";
	else if (a->kind == CP_AWARD_EXTEND_OUTAGE)
		extend = "outage";
	appendStringInfoString(out, ", \"extend\": ");
	if (extend)
		escape_json(out, extend);
	else
		appendStringInfoString(out, "null");
	appendStringInfoString(out, ", \"instrument\": ");
	enc_string_or_null(e, a->instrument);
	appendStringInfoString(out, ", \"amount\": ");
	enc_node_or_null(e, a->amount);
	appendStringInfoString(out, ", \"duration\": ");
	enc_node_or_null(e, a->duration);
	appendStringInfoString(out, ", \"rounding\": ");
	if (a->rounding == CP_ROUND_UNSET)
		appendStringInfoString(out, "null");
	else
		escape_json(out, cp_word_name(CP_WORDS_ROUNDING, a->rounding));
	appendStringInfoString(out, ", \"increment\": ");
	if (a->increment == 0)
		appendStringInfoString(out, "null");
	else
		appendStringInfo(out, INT64_FORMAT, a->increment);
	appendStringInfoString(out, ", \"window\": ");
	if (a->window_kind == CP_WINDOW_NONE)
		appendStringInfoString(out, "null");
	else if (a->window_kind == CP_WINDOW_DUE)
	{
		/* a deadline: the end only, its whole span included */
		appendStringInfoString(out, "{\"kind\": \"due\", \"by\": ");
		enc_node(e, a->window_hi);
		appendStringInfoChar(out, '}');
	}
	else
	{
		appendStringInfoString(out, "{\"kind\": ");
		escape_json(out, cp_word_name(CP_WORDS_WINDOW_KIND, a->window_kind));
		appendStringInfoString(out, ", \"from\": ");
		enc_node(e, a->window_lo);
		appendStringInfoString(out, ", \"until\": ");
		enc_node(e, a->window_hi);
		appendStringInfo(out, ", \"exclusive\": %s}",
						 a->window_exclusive ? "true" : "false");
	}
	appendStringInfoString(out, ", \"reason\": ");
	enc_string_or_null(e, a->kind == CP_AWARD_REVIEW ? a->reason : CP_NONE_IDX);
	/* who bears the line (issue 12): null, the company */
	appendStringInfoString(out, ", \"bearer\": ");
	enc_node_or_null(e, a->bearer != 0 ? CpAwardBearerNode(a) : CP_NONE_IDX);
	appendStringInfoChar(out, '}');
}

static char *
ruleset_json_text(const CpRulesetData *rs)
{
	StringInfoData out;
	Enc			e;
	const CpInstrument *instruments = CpInstruments(rs);
	const CpWindow *windows = CpWindows(rs);
	const CpRule *rules = CpRules(rs);
	const CpAwardSpec *awards = CpAwards(rs);
	bool		first;
	int32		i,
				j;

	initStringInfo(&out);
	e.out = &out;
	e.rs = rs;
	e.nodes = CpNodes(rs);
	e.args = CpArgs(rs);
	e.lets = CpLets(rs);
	e.columns = CpColumns(rs);
	e.strings = CpStrings(rs);

	appendStringInfoString(&out, "{\"policy\": ");
	escape_json(&out, e.strings + rs->name);
	appendStringInfo(&out, ", \"currency\": \"%.3s\"", rs->currency);
	appendStringInfoString(&out, ", \"timezone\": ");
	escape_json(&out, e.strings + rs->timezone);
	appendStringInfoString(&out, ", \"hit\": ");
	escape_json(&out, cp_word_name(CP_WORDS_HIT, rs->hit));
	appendStringInfoString(&out, ", \"rounding\": ");
	if (rs->rounding == CP_ROUND_UNSET)
		appendStringInfoString(&out, "null");
	else
		escape_json(&out, cp_word_name(CP_WORDS_ROUNDING, rs->rounding));
	appendStringInfo(&out, ", \"increment\": " INT64_FORMAT, rs->increment);

	appendStringInfoString(&out, ", \"instruments\": [");
	for (i = 0; i < rs->n_instruments; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&out, i ? ", {\"name\": " : "{\"name\": ");
		escape_json(&out, e.strings + instruments[i].name);
		appendStringInfoString(&out, ", \"unit\": ");
		escape_json(&out, cp_word_name(CP_WORDS_UNIT_KIND, instruments[i].unit));
		appendStringInfoChar(&out, '}');
	}
	appendStringInfoString(&out, "], \"outage\": [");
	for (i = 0; i < rs->n_windows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&out, i ? ", {\"from\": " : "{\"from\": ");
		enc_node(&e, windows[i].lo_node);
		appendStringInfoString(&out, ", \"until\": ");
		enc_node(&e, windows[i].hi_node);
		appendStringInfo(&out, ", \"exclusive\": %s}",
						 windows[i].exclusive ? "true" : "false");
	}
	appendStringInfoString(&out, "], \"lets\": [");
	first = true;
	for (i = 0; i < rs->n_lets; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (e.lets[i].rule != CP_NONE_IDX)
			continue;
		if (!first)
			appendStringInfoString(&out, ", ");
		first = false;
		enc_let(&e, &e.lets[i]);
	}
	appendStringInfoString(&out, "], \"rules\": [");
	for (i = 0; i < rs->n_rules; i++)
	{
		const CpRule *r = &rules[i];

		CHECK_FOR_INTERRUPTS();
		appendStringInfoString(&out, i ? ", {\"name\": " : "{\"name\": ");
		escape_json(&out, e.strings + r->name);
		appendStringInfoString(&out, ", \"when\": ");
		enc_node_or_null(&e, r->cond);
		appendStringInfoString(&out, ", \"lets\": [");
		for (j = 0; j < r->n_lets; j++)
		{
			if (j)
				appendStringInfoString(&out, ", ");
			enc_let(&e, &e.lets[r->first_let + j]);
		}
		appendStringInfoString(&out, "], \"awards\": [");
		for (j = 0; j < r->n_awards; j++)
		{
			if (j)
				appendStringInfoString(&out, ", ");
			enc_award(&e, &awards[r->first_award + j]);
		}
		appendStringInfoString(&out, "]}");
	}
	appendStringInfoString(&out, "]}");
	return out.data;
}

Datum
compensation_ruleset_to_json(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);

	cp_ruleset_validate(rs);
	PG_RETURN_TEXT_P(cstring_to_text(ruleset_json_text(rs)));
}

Datum
compensation_ruleset_to_jsonb(PG_FUNCTION_ARGS)
{
	CpRuleset	rs = PG_GETARG_CPRULESET(0);

	cp_ruleset_validate(rs);
	/* jsonb_in reads no session setting; one writer for both forms */
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in,
										CStringGetDatum(ruleset_json_text(rs))));
}

Datum
compensation_ruleset_from_jsonb(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);

	PG_RETURN_CPRULESET(cp_ruleset_from_jsonb(jb));
}
