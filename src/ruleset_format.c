/*-------------------------------------------------------------------------
 *
 * ruleset_format.c
 *	  The owner of the ruleset's binary format (ruleset.h): section offsets,
 *	  the shape of every node operator and the walker over node children,
 *	  and the check of a value read from disk or from a plan.
 *
 * As jsonpath.c owns jsonpath's format and jsonpath_exec.c only executes
 * it, this file is the one place that knows how the bytes hang together;
 * the builder writes them, the evaluator and the printer read them.  The
 * table of node shapes below is the only place that spells node arity:
 * the builder's flattening walk, the check, the depth bound and explain's
 * list of the columns a condition read all go through it.
 *
 * The check is separate from binding because a value can reach C code from
 * places the parser never saw (a table, a plan, a dump from another
 * version), and everything that walks a value trusts the indexes in it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"

#include "calendar.h"
#include "ruleset_format.h"

/* ---------------------------------------------------------------------
 * Sections
 * ---------------------------------------------------------------------
 */

Size
cp_ruleset_section_offset(const CpRulesetData *rs, int section)
{
	Size		off = MAXALIGN(sizeof(CpRulesetData));

	if (section > CP_SECTION_NODES)
		off += MAXALIGN(sizeof(CpNode) * rs->n_nodes);
	if (section > CP_SECTION_WINDOWS)
		off += MAXALIGN(sizeof(CpWindow) * rs->n_windows);
	if (section > CP_SECTION_ARGS)
		off += MAXALIGN(sizeof(int32) * rs->n_args);
	if (section > CP_SECTION_RULES)
		off += MAXALIGN(sizeof(CpRule) * rs->n_rules);
	if (section > CP_SECTION_LETS)
		off += MAXALIGN(sizeof(CpLet) * rs->n_lets);
	if (section > CP_SECTION_AWARDS)
		off += MAXALIGN(sizeof(CpAwardSpec) * rs->n_awards);
	if (section > CP_SECTION_COLUMNS)
		off += MAXALIGN(sizeof(CpColumn) * rs->n_columns);
	if (section > CP_SECTION_INSTRUMENTS)
		off += MAXALIGN(sizeof(CpInstrument) * rs->n_instruments);
	if (section > CP_SECTION_STRINGS)
		off += MAXALIGN(rs->strings_len);
	return off;
}

/* ---------------------------------------------------------------------
 * Node shapes and the child walker
 * ---------------------------------------------------------------------
 */

/*
 * The one place that says where each operator's children are, indexed by
 * the op byte; an operator not listed is unknown (known = false).
 */
const CpOpShape cp_op_shapes[256] = {
	[CP_OP_NUM] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_STR] = {true, 0, CP_LIST_NONE, CP_REF_STRING},
	[CP_OP_BOOL] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_NULL] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_DATE] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_TIMESTAMP] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_DURATION] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_COLUMN] = {true, 0, CP_LIST_NONE, CP_REF_COLUMN},
	[CP_OP_LET] = {true, 0, CP_LIST_NONE, CP_REF_LET},
	[CP_OP_BUILTIN] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_NEG] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_PERCENT] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_ADD] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_SUB] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_MUL] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_DIV] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_CALL] = {true, 0, CP_LIST_C, CP_REF_NONE},
	[CP_OP_MODE] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_TIER] = {true, 1, CP_LIST_TIER, CP_REF_NONE},
	[CP_OP_REVIEW] = {true, 0, CP_LIST_NONE, CP_REF_STRING},
	[CP_OP_NOAWARD] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_EQ] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_NE] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_LT] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_LE] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_GT] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_GE] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_AND] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_OR] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_NOT] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_IS_NULL] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_IN_LIST] = {true, 1, CP_LIST_C, CP_REF_NONE},
	[CP_OP_IN_RANGE] = {true, 3, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_IN_OUTAGE] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_CALENDAR] = {true, 0, CP_LIST_C, CP_REF_NONE},
	/* issue 11: below, case */
	[CP_OP_TIER_BELOW] = {true, 1, CP_LIST_TIER, CP_REF_NONE},
	[CP_OP_BELOW] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_CASE] = {true, 0, CP_LIST_TIER, CP_REF_NONE},
	[CP_OP_CASE_SIMPLE] = {true, 1, CP_LIST_TIER, CP_REF_NONE},
	[CP_OP_CASE_VALUES] = {true, 0, CP_LIST_C, CP_REF_NONE},
	/* issue 11: decision tables */
	[CP_OP_DTABLE] = {true, 0, CP_LIST_DTABLE, CP_REF_NONE},
	[CP_OP_CELL_ANY] = {true, 0, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_CELL_TEST] = {true, 1, CP_LIST_NONE, CP_REF_NONE},
	[CP_OP_CELL_RANGE] = {true, 2, CP_LIST_NONE, CP_REF_NONE},
};

void
cp_node_unknown_op(int op)
{
	elog(ERROR, "unrecognized ruleset node operator: %d", op);
}

/* ---------------------------------------------------------------------
 * The check
 * ---------------------------------------------------------------------
 */

void
cp_ruleset_corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid compensation.ruleset value: %s", what)));
}

#define corrupt(what)	cp_ruleset_corrupt(what)

/* The sections of a value being checked, located once. */
typedef struct Checker
{
	const CpRulesetData *rs;
	const CpNode *nodes;
	const CpWindow *windows;
	const int32 *args;
	const CpRule *rules;
	const CpLet *lets;
	const CpAwardSpec *awards;
	const CpColumn *columns;
	const CpInstrument *instruments;
	const char *strings;
} Checker;

/*
 * The unit an instrument named at string offset name compiles to: its
 * declaration ("instrument NAME money"), or the built-in one; -1 if
 * neither, which the text printed from the value would not compile.
 */
static int
instrument_unit_of(const Checker *ck, int32 name)
{
	int			i;

	for (i = 0; i < ck->rs->n_instruments; i++)
		if (strcmp(ck->strings + ck->instruments[i].name, ck->strings + name) == 0)
			return ck->instruments[i].unit;
	return cp_builtin_instrument_unit(ck->strings + name);
}

static inline void
check_node(const Checker *ck, int32 idx)
{
	if (idx < 0 || idx >= ck->rs->n_nodes)
		corrupt("node index out of range");
}

static inline void
check_string(const Checker *ck, int32 off)
{
	if (off < 0 || off >= ck->rs->strings_len)
		corrupt("string offset out of range");
}

static void
check_args(const Checker *ck, int32 first, int64 count)
{
	int64		i;

	if (first < 0 || count < 0 || first + count > ck->rs->n_args)
		corrupt("argument range out of bounds");
	for (i = 0; i < count; i++)
		check_node(ck, ck->args[first + i]);
}

/* What an operator's other fields hold (not its children). */
static void
check_node_fields(const Checker *ck, const CpNode *n)
{
	switch ((CpOp) n->op)
	{
		case CP_OP_DATE:
		case CP_OP_TIMESTAMP:
			if (n->w <= n->v)
				corrupt("empty time literal");
			/* the local date and time it prints as (a day, and 00:00..24:00) */
			if (!IS_VALID_DATE(n->a))
				corrupt("date literal out of range");
			if ((CpOp) n->op == CP_OP_TIMESTAMP && (n->b < 0 || n->b > SECS_PER_DAY))
				corrupt("time of day out of range");
			break;
		case CP_OP_DURATION:
			if (n->b < CP_UNIT_DAYS || n->b > CP_UNIT_LAST)
				corrupt("unknown unit");
			break;
		case CP_OP_BUILTIN:
			if (n->a < CP_BUILTIN_OUTAGE_START || n->a > CP_BUILTIN_OUTAGE_DAYS)
				corrupt("unknown builtin");
			break;
		case CP_OP_CALL:
			if (n->b < CP_FUNC_MIN || n->b > CP_FUNC_LAST || n->c < 1)
				corrupt("bad function call");
			break;
		case CP_OP_MODE:
			if (n->a < CP_ROUND_HALF_UP || n->a > CP_ROUND_CEILING)
				corrupt("unknown rounding");
			break;
		case CP_OP_CASE:
		case CP_OP_CASE_SIMPLE:
		case CP_OP_CASE_VALUES:
			/* no empty case, nor an arm without values */
			if (n->c < 1)
				corrupt("empty case");
			break;
		case CP_OP_DTABLE:
			if (n->b < 1 || n->c < 1 || n->b > CP_MAX_ARGS ||
				(n->flags & CP_NODE_HIT_FIRST && n->flags & CP_NODE_HIT_COLLECT))
				corrupt("bad decision table");
			break;
		case CP_OP_CELL_TEST:
			if (n->b < CP_OP_EQ || n->b > CP_OP_GE)
				corrupt("bad decision table cell");
			break;
		default:
			break;
	}
}

/* Every index in node i points inside the value. */
static void
check_one_node(const Checker *ck, int32 i)
{
	const CpNode *n = &ck->nodes[i];
	CpNodeShape shape;
	int			k;

	if (!cp_node_shape(n, &shape))
		corrupt("unknown node operator");
	check_node_fields(ck, n);
	switch ((CpNodeRef) shape.ref)
	{
		case CP_REF_NONE:
			break;
		case CP_REF_STRING:
			check_string(ck, n->a);
			break;
		case CP_REF_COLUMN:
			if (n->a < 0 || n->a >= ck->rs->n_columns)
				corrupt("column index out of range");
			break;
		case CP_REF_LET:
			if (n->a < 0 || n->a >= ck->rs->n_lets)
				corrupt("let index out of range");
			break;
	}
	for (k = 0; k < shape.n_fields; k++)
		check_node(ck, cp_node_child(n, k));
	if (shape.has_list)
		check_args(ck, cp_node_child(n, shape.n_fields), shape.list_len);
	/* the evaluator reads each arm's test of a simple case as its values */
	if (n->op == CP_OP_CASE_SIMPLE)
		for (k = 0; k < n->c; k++)
			if (ck->nodes[ck->args[n->b + 2 * k]].op != CP_OP_CASE_VALUES)
				corrupt("a simple case arm without its values");
}

/* Every index and offset in the value points inside it. */
static void
check_bounds(const Checker *ck, Size size)
{
	const CpRulesetData *rs = ck->rs;
	int			i;

	if (rs->n_nodes < 0 || rs->n_windows < 0 || rs->n_args < 0 || rs->n_rules < 0 ||
		rs->n_lets < 0 || rs->n_awards < 0 || rs->n_columns < 0 ||
		rs->n_instruments < 0 || rs->strings_len <= 0)
		corrupt("negative section size");
	if (cp_ruleset_section_offset(rs, CP_SECTION_END) > size)
		corrupt("sections run past the end");
	if (ck->strings[rs->strings_len - 1] != '\0')
		corrupt("string pool not terminated");
	check_string(ck, rs->name);
	check_string(ck, rs->timezone);
	if (rs->hit < CP_HIT_COLLECT || rs->hit > CP_HIT_UNIQUE)
		corrupt("unknown hit policy");
	if (rs->rounding > CP_ROUND_CEILING)
		corrupt("unknown rounding");
	if (rs->exponent < 0 || rs->exponent > 18)
		corrupt("currency exponent out of range");

	for (i = 0; i < rs->n_nodes; i++)
		check_one_node(ck, i);
	for (i = 0; i < rs->n_windows; i++)
		if (ck->windows[i].hi < ck->windows[i].lo)
			corrupt("outage window ends before it starts");
	for (i = 0; i < rs->n_lets; i++)
	{
		check_string(ck, ck->lets[i].name);
		check_node(ck, ck->lets[i].expr);
		if (ck->lets[i].kind != CP_LET_PLAIN &&
			!(ck->lets[i].kind >= CP_LET_PARAM && ck->lets[i].kind <= CP_LET_MINOR_UNITS &&
			  ck->lets[i].rule == CP_NONE_IDX))
			corrupt("unknown let kind");
		if (ck->lets[i].kind == CP_LET_MINOR_UNITS &&
			ck->nodes[ck->lets[i].expr].op != CP_OP_COLUMN)
			corrupt("a column unit without its column");
	}
	for (i = 0; i < rs->n_columns; i++)
		check_string(ck, ck->columns[i].name);
	for (i = 0; i < rs->n_instruments; i++)
	{
		check_string(ck, ck->instruments[i].name);
		if (ck->instruments[i].unit < CP_INSTR_MONEY || ck->instruments[i].unit > CP_INSTR_COUNT)
			corrupt("unknown instrument unit");
	}
	/*
	 * An instrument a cap or a minimum names compiles only if declared or
	 * built in (the value prints as text that must compile again).
	 */
	for (i = 0; i < rs->n_lets; i++)
		if ((ck->lets[i].kind == CP_LET_CAP || ck->lets[i].kind == CP_LET_MINIMUM) &&
			instrument_unit_of(ck, ck->lets[i].name) < 0)
			corrupt("a limit on an undeclared instrument");
	for (i = 0; i < rs->n_rules; i++)
	{
		const CpRule *r = &ck->rules[i];

		check_string(ck, r->name);
		if (r->cond != CP_NONE_IDX)
			check_node(ck, r->cond);
		if (r->first_award < 0 || r->n_awards < 0 ||
			(int64) r->first_award + r->n_awards > rs->n_awards)
			corrupt("award range out of bounds");
		if (r->first_let < 0 || r->n_lets < 0 ||
			(int64) r->first_let + r->n_lets > rs->n_lets)
			corrupt("let range out of bounds");
	}
	for (i = 0; i < rs->n_awards; i++)
	{
		const CpAwardSpec *a = &ck->awards[i];

		if (a->kind < CP_AWARD_CREDIT || a->kind > CP_AWARD_REVIEW)
			corrupt("unknown award kind");
		if (a->rounding > CP_ROUND_CEILING)
			corrupt("unknown rounding");
		if (a->unit > CP_INSTR_COUNT)
			corrupt("unknown instrument unit");
		if (a->window_kind > CP_WINDOW_DUE)
			corrupt("unknown window kind");
		/*
		 * A claim or validity window has both ends (the printer reads
		 * them); a deadline has no start: the evaluator reads only its end.
		 */
		if ((a->window_kind == CP_WINDOW_CLAIM || a->window_kind == CP_WINDOW_VALID) &&
			(a->window_lo == CP_NONE_IDX || a->window_hi == CP_NONE_IDX))
			corrupt("invalid window");
		if (a->window_kind == CP_WINDOW_DUE &&
			(a->window_lo != CP_NONE_IDX || a->window_hi == CP_NONE_IDX ||
			 a->window_exclusive != 0))
			corrupt("invalid due window");
		if (a->instrument != CP_NONE_IDX)
			check_string(ck, a->instrument);
		/*
		 * As the compiler reads it: credit, waive, a grant with an amount
		 * name a declared or built-in instrument, of its unit (0: not set
		 * yet, in the value ruleset_from_jsonb checks before it prints it
		 * and compiles the text).
		 */
		if ((a->kind == CP_AWARD_CREDIT || a->kind == CP_AWARD_WAIVE ||
			 (a->kind == CP_AWARD_GRANT && a->amount != CP_NONE_IDX)))
		{
			int			unit = a->instrument == CP_NONE_IDX ? -1 :
				instrument_unit_of(ck, a->instrument);

			if (unit < 0 || (a->unit != 0 && a->unit != unit))
				corrupt("an award's instrument is undeclared or of another unit");
		}
		if (a->kind == CP_AWARD_REVIEW && a->reason != CP_NONE_IDX)
			check_string(ck, a->reason);
		if (a->amount != CP_NONE_IDX)
			check_node(ck, a->amount);
		if (a->duration != CP_NONE_IDX)
			check_node(ck, a->duration);
		if (a->window_lo != CP_NONE_IDX)
			check_node(ck, a->window_lo);
		if (a->window_hi != CP_NONE_IDX)
			check_node(ck, a->window_hi);
		if (a->bearer != 0)
		{
			/* node + 1, so never negative (and bearer - 1 cannot overflow) */
			if (a->bearer < 0)
				corrupt("invalid bearer");
			/* a flag or a review costs nothing: no one bears it */
			if (a->kind == CP_AWARD_FLAG || a->kind == CP_AWARD_REVIEW)
				corrupt("a bearer on a flag or review");
			check_node(ck, CpAwardBearerNode(a));
		}
		switch ((CpAwardKind) a->kind)
		{
			case CP_AWARD_CREDIT:
			case CP_AWARD_WAIVE:
			case CP_AWARD_EXTEND_BY:
			case CP_AWARD_EXTEND_TO:
				if (a->amount == CP_NONE_IDX)
					corrupt("award without an amount");
				break;
			default:
				break;
		}
		switch ((CpAwardKind) a->kind)
		{
			case CP_AWARD_EXTEND_BY:
			case CP_AWARD_EXTEND_TO:
			case CP_AWARD_EXTEND_OUTAGE:
				if (a->column < 0 || a->column >= rs->n_columns)
					corrupt("extend without a column");
				break;
			default:
				break;
		}
	}
}

/*
 * The height of every node (the longest path down from it, through lets
 * too): no cycles, and evaluation recursion stays bounded, so the
 * evaluator's hot path needs no stack checks.
 */
typedef struct Heights
{
	const Checker *ck;
	int		   *height;
	uint8	   *color;			/* 0 unseen, 1 on the path, 2 done */
	int		   *let_height;
	uint8	   *let_color;
} Heights;

typedef struct HeightFrame
{
	Heights    *hs;
	int			h;				/* the highest child so far */
} HeightFrame;

static int	node_height(Heights *hs, int32 idx);

static bool
height_child(int32 child, void *context)
{
	HeightFrame *frame = (HeightFrame *) context;
	int			kh = node_height(frame->hs, child);

	if (kh > frame->h)
		frame->h = kh;
	return false;
}

static int
node_height(Heights *hs, int32 idx)
{
	const Checker *ck = hs->ck;
	const CpNode *n = &ck->nodes[idx];
	HeightFrame frame;
	int			h;

	if (hs->color[idx] == 2)
		return hs->height[idx];
	if (hs->color[idx] == 1)
		corrupt("expression refers to itself");
	check_stack_depth();
	hs->color[idx] = 1;

	frame.hs = hs;
	frame.h = 0;
	if (n->op == CP_OP_LET)
	{
		/* a let's use is as deep as its expression */
		if (hs->let_color[n->a] == 1)
			corrupt("let refers to itself");
		if (hs->let_color[n->a] == 0)
		{
			hs->let_color[n->a] = 1;
			hs->let_height[n->a] = node_height(hs, ck->lets[n->a].expr);
			hs->let_color[n->a] = 2;
		}
		frame.h = hs->let_height[n->a];
	}
	else
		(void) cp_node_walk_children(ck->nodes, ck->args, idx, height_child, &frame);

	h = frame.h + 1;
	if (h > CP_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("policy \"%s\" nests expressions more than %d deep",
						ck->strings + ck->rs->name, CP_MAX_DEPTH)));
	hs->height[idx] = h;
	hs->color[idx] = 2;
	return h;
}

static void
check_acyclic(const Checker *ck)
{
	const CpRulesetData *rs = ck->rs;
	Heights		hs;
	int			i;

	hs.ck = ck;
	hs.height = palloc0(sizeof(int) * Max(rs->n_nodes, 1));
	hs.color = palloc0(Max(rs->n_nodes, 1));
	hs.let_height = palloc0(sizeof(int) * Max(rs->n_lets, 1));
	hs.let_color = palloc0(Max(rs->n_lets, 1));
	for (i = 0; i < rs->n_nodes; i++)
		(void) node_height(&hs, i);
	pfree(hs.height);
	pfree(hs.color);
	pfree(hs.let_height);
	pfree(hs.let_color);
}

void
cp_ruleset_check(const CpRulesetData *rs, Size size)
{
	Checker		ck;

	if (size < sizeof(CpRulesetData))
		corrupt("too short");
	if (rs->format != CP_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("compensation.ruleset format %u is not supported", rs->format),
				 errhint("Recompile the policy from its source text.")));
	/*
	 * Counts before anything is computed from them: a negative count makes
	 * the section offsets wrap around, and pointer arithmetic past the value
	 * is undefined even before it is read (found by test/fuzz,
	 * fuzz_ruleset_value).
	 */
	if (rs->n_nodes < 0 || rs->n_windows < 0 || rs->n_args < 0 || rs->n_rules < 0 ||
		rs->n_lets < 0 || rs->n_awards < 0 || rs->n_columns < 0 ||
		rs->n_instruments < 0 || rs->strings_len <= 0)
		corrupt("negative section size");
	if (cp_ruleset_section_offset(rs, CP_SECTION_END) > size)
		corrupt("sections run past the end");

	ck.rs = rs;
	ck.nodes = CpNodes(rs);
	ck.windows = CpWindows(rs);
	ck.args = CpArgs(rs);
	ck.rules = CpRules(rs);
	ck.lets = CpLets(rs);
	ck.awards = CpAwards(rs);
	ck.columns = CpColumns(rs);
	ck.instruments = CpInstruments(rs);
	ck.strings = CpStrings(rs);
	check_bounds(&ck, size);
	check_acyclic(&ck);
	cp_calendar_check(rs);
}

/*
 * The same check for a caller that reads a stored value without evaluating
 * it (ruleset_out, ruleset_send, the header accessors): they follow the
 * value's indexes too, and a damaged value must be an ERROR there as well,
 * not a read of arbitrary memory (policy_name() of such a value crashed the
 * server; found by test/fuzz).
 */
void
cp_ruleset_validate(const CpRulesetData *rs)
{
	cp_ruleset_check(rs, VARSIZE(rs));
}

/* ---------------------------------------------------------------------
 * Checked accessors for values that have not been checked
 * ---------------------------------------------------------------------
 */

bool
cp_ruleset_sections_ok(const CpRulesetData *rs, Size size)
{
	if (size < sizeof(CpRulesetData) || rs->format != CP_FORMAT_VERSION)
		return false;
	if (rs->n_nodes < 0 || rs->n_windows < 0 || rs->n_args < 0 || rs->n_rules < 0 ||
		rs->n_lets < 0 || rs->n_awards < 0 || rs->n_columns < 0 ||
		rs->n_instruments < 0 || rs->strings_len <= 0)
		return false;
	if (cp_ruleset_section_offset(rs, CP_SECTION_END) > size)
		return false;
	/* so that every offset inside the pool ends at a NUL */
	return CpStrings(rs)[rs->strings_len - 1] == '\0';
}

const char *
cp_ruleset_column_name(const CpRulesetData *rs, int32 col)
{
	int32		off;

	if (col < 0 || col >= rs->n_columns)
		return NULL;
	off = CpColumns(rs)[col].name;
	if (off < 0 || off >= rs->strings_len)
		return NULL;
	return CpStrings(rs) + off;
}
