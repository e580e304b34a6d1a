/*-------------------------------------------------------------------------
 *
 * ruleset_build.c
 *	  Growable ruleset sections, and their flattening into the canonical
 *	  varlena.
 *
 * Canonical means: nodes, argument lists, columns and strings are numbered
 * in one fixed walk of the policy (the order in which the printer prints
 * it), and every padding byte is zero.  So the same policy written twice,
 * with different spacing, comments or header order, gives the same bytes,
 * and '=' can be memcmp.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"

#include "ruleset_build.h"

/* Grow a section so that one more (or count more) elements fit. */
#define SECTION_RESERVE(arr, n, max, count) \
	do { \
		if ((n) + (count) > (max)) \
		{ \
			int32 newmax_ = Max((max) * 2, (n) + (count) + 8); \
			(arr) = (arr) ? repalloc0((arr), sizeof(*(arr)) * (max), sizeof(*(arr)) * newmax_) \
				: palloc0(sizeof(*(arr)) * newmax_); \
			(max) = newmax_; \
		} \
	} while (0)

/* repalloc that zeroes the new part (PostgreSQL 16 has one; 15 does not). */
static void *
repalloc0(void *pointer, Size oldsize, Size size)
{
	char	   *ret = repalloc(pointer, size);

	memset(ret + oldsize, 0, size - oldsize);
	return ret;
}

void
cp_builder_init(CpBuilder *b)
{
	memset(b, 0, sizeof(*b));
	b->name = CP_NONE_IDX;
	b->timezone = CP_NONE_IDX;
	b->hit = CP_HIT_COLLECT;
	b->rounding = CP_ROUND_UNSET;
	b->increment = 1;
	initStringInfo(&b->strings);
}

int32
cp_builder_node(CpBuilder *b, CpOp op)
{
	SECTION_RESERVE(b->nodes, b->n_nodes, b->max_nodes, 1);
	b->nodes[b->n_nodes].op = (uint8) op;
	b->nodes[b->n_nodes].a = CP_NONE_IDX;
	b->nodes[b->n_nodes].b = CP_NONE_IDX;
	b->nodes[b->n_nodes].c = CP_NONE_IDX;
	return b->n_nodes++;
}

int32
cp_builder_window(CpBuilder *b)
{
	SECTION_RESERVE(b->windows, b->n_windows, b->max_windows, 1);
	return b->n_windows++;
}

int32
cp_builder_args(CpBuilder *b, int32 count)
{
	int32		first = b->n_args;

	SECTION_RESERVE(b->args, b->n_args, b->max_args, count);
	b->n_args += count;
	return first;
}

int32
cp_builder_rule(CpBuilder *b)
{
	SECTION_RESERVE(b->rules, b->n_rules, b->max_rules, 1);
	b->rules[b->n_rules].cond = CP_NONE_IDX;
	return b->n_rules++;
}

int32
cp_builder_let(CpBuilder *b)
{
	SECTION_RESERVE(b->lets, b->n_lets, b->max_lets, 1);
	b->lets[b->n_lets].rule = CP_NONE_IDX;
	return b->n_lets++;
}

int32
cp_builder_award(CpBuilder *b)
{
	CpAwardSpec *a;

	SECTION_RESERVE(b->awards, b->n_awards, b->max_awards, 1);
	a = &b->awards[b->n_awards];
	a->instrument = CP_NONE_IDX;
	a->column = CP_NONE_IDX;
	a->amount = CP_NONE_IDX;
	a->duration = CP_NONE_IDX;
	a->window_lo = CP_NONE_IDX;
	a->window_hi = CP_NONE_IDX;
	a->reason = CP_NONE_IDX;
	return b->n_awards++;
}

int32
cp_builder_instrument(CpBuilder *b)
{
	SECTION_RESERVE(b->instruments, b->n_instruments, b->max_instruments, 1);
	return b->n_instruments++;
}

int32
cp_builder_string(CpBuilder *b, const char *s, int len)
{
	int32		off = b->strings.len;

	appendBinaryStringInfo(&b->strings, s, len);
	appendStringInfoChar(&b->strings, '\0');
	return off;
}

int32
cp_builder_column(CpBuilder *b, const char *name)
{
	int32		i;

	for (i = 0; i < b->n_columns; i++)
		if (strcmp(CpBuilderString(b, b->columns[i].name), name) == 0)
			return i;
	SECTION_RESERVE(b->columns, b->n_columns, b->max_columns, 1);
	b->columns[i].name = cp_builder_string(b, name, strlen(name));
	return b->n_columns++;
}

/*
 * Flattening
 */
typedef struct Flattener
{
	const CpBuilder *src;
	CpBuilder	out;
	int32	   *column_map;		/* src column -> out column, or -1 */
	/* string interning: open addressing over out string offsets */
	int32	   *slots;
	uint32		n_slots;
	uint32		n_used;
} Flattener;

static void
intern_grow(Flattener *f)
{
	int32	   *old = f->slots;
	uint32		old_n = f->n_slots;
	uint32		i;

	f->n_slots = old_n ? old_n * 2 : 64;
	f->slots = palloc(sizeof(int32) * f->n_slots);
	memset(f->slots, 0xff, sizeof(int32) * f->n_slots);
	for (i = 0; i < old_n; i++)
	{
		if (old[i] >= 0)
		{
			const char *s = CpBuilderString(&f->out, old[i]);
			uint32		h = hash_bytes((const unsigned char *) s, strlen(s));

			while (f->slots[h & (f->n_slots - 1)] >= 0)
				h++;
			f->slots[h & (f->n_slots - 1)] = old[i];
		}
	}
	if (old)
		pfree(old);
}

/* The out offset of a src string, added once however often it is used. */
static int32
flat_string(Flattener *f, int32 src_off)
{
	const char *s;
	Size		len;
	uint32		h;

	if (src_off == CP_NONE_IDX)
		return CP_NONE_IDX;
	if ((f->n_used + 1) * 2 > f->n_slots)
		intern_grow(f);
	s = CpBuilderString(f->src, src_off);
	len = strlen(s);
	h = hash_bytes((const unsigned char *) s, len);
	for (;; h++)
	{
		int32		slot = f->slots[h & (f->n_slots - 1)];

		if (slot < 0)
			break;
		if (strcmp(CpBuilderString(&f->out, slot), s) == 0)
			return slot;
	}
	f->slots[h & (f->n_slots - 1)] = cp_builder_string(&f->out, s, len);
	f->n_used++;
	return f->slots[h & (f->n_slots - 1)];
}

static int32
flat_column(Flattener *f, int32 src_col)
{
	if (src_col == CP_NONE_IDX)
		return CP_NONE_IDX;
	if (f->column_map[src_col] < 0)
	{
		int32		col;

		SECTION_RESERVE(f->out.columns, f->out.n_columns, f->out.max_columns, 1);
		col = f->out.n_columns++;
		f->out.columns[col].name = flat_string(f, f->src->columns[src_col].name);
		f->column_map[src_col] = col;
	}
	return f->column_map[src_col];
}

static int32 flat_node(Flattener *f, int32 old);

/* Copies an argument list: the block first, then each argument's subtree. */
static int32
flat_args(Flattener *f, int32 first, int32 count)
{
	int32		start = cp_builder_args(&f->out, count);
	int32		i;

	for (i = 0; i < count; i++)
	{
		int32		node = flat_node(f, f->src->args[first + i]);

		f->out.args[start + i] = node;
	}
	return start;
}

/* Copies a subtree in pre-order: the node's index comes before its children's. */
static int32
flat_node(Flattener *f, int32 old)
{
	CpNode		n;
	int32		idx;

	if (old == CP_NONE_IDX)
		return CP_NONE_IDX;
	check_stack_depth();

	n = f->src->nodes[old];
	idx = cp_builder_node(&f->out, (CpOp) n.op);

	switch ((CpOp) n.op)
	{
		case CP_OP_NUM:
		case CP_OP_BOOL:
		case CP_OP_NULL:
		case CP_OP_DATE:
		case CP_OP_TIMESTAMP:
		case CP_OP_LET:
		case CP_OP_BUILTIN:
		case CP_OP_MODE:
		case CP_OP_NOAWARD:
			break;
		case CP_OP_STR:
		case CP_OP_REVIEW:
			n.a = flat_string(f, n.a);
			break;
		case CP_OP_COLUMN:
			n.a = flat_column(f, n.a);
			break;
		case CP_OP_DURATION:
		case CP_OP_NEG:
		case CP_OP_PERCENT:
		case CP_OP_NOT:
		case CP_OP_IS_NULL:
		case CP_OP_IN_OUTAGE:
			n.a = flat_node(f, n.a);
			break;
		case CP_OP_ADD:
		case CP_OP_SUB:
		case CP_OP_MUL:
		case CP_OP_DIV:
		case CP_OP_EQ:
		case CP_OP_NE:
		case CP_OP_LT:
		case CP_OP_LE:
		case CP_OP_GT:
		case CP_OP_GE:
		case CP_OP_AND:
		case CP_OP_OR:
			n.a = flat_node(f, n.a);
			n.b = flat_node(f, n.b);
			break;
		case CP_OP_IN_RANGE:
			n.a = flat_node(f, n.a);
			n.b = flat_node(f, n.b);
			n.c = flat_node(f, n.c);
			break;
		case CP_OP_CALL:
			n.a = flat_args(f, n.a, n.c);
			break;
		case CP_OP_IN_LIST:
			n.a = flat_node(f, n.a);
			n.b = flat_args(f, n.b, n.c);
			break;
		case CP_OP_TIER:
			n.a = flat_node(f, n.a);
			n.b = flat_args(f, n.b, 2 * n.c + ((n.flags & CP_NODE_HAS_ELSE) ? 1 : 0));
			break;
	}
	f->out.nodes[idx] = n;
	return idx;
}

static void
flat_let(Flattener *f, int32 i)
{
	CpLet		let = f->src->lets[i];
	int32		j = cp_builder_let(&f->out);

	Assert(j == i);
	let.name = flat_string(f, let.name);
	let.expr = flat_node(f, let.expr);
	f->out.lets[j] = let;
}

static void
flat_award(Flattener *f, int32 i)
{
	CpAwardSpec a = f->src->awards[i];
	int32		j = cp_builder_award(&f->out);

	Assert(j == i);
	a.instrument = flat_string(f, a.instrument);
	a.column = flat_column(f, a.column);
	a.amount = flat_node(f, a.amount);
	a.duration = flat_node(f, a.duration);
	a.window_lo = flat_node(f, a.window_lo);
	a.window_hi = flat_node(f, a.window_hi);
	a.reason = flat_string(f, a.reason);
	f->out.awards[j] = a;
}

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

CpRuleset
cp_builder_finish(CpBuilder *b)
{
	Flattener	f;
	CpRuleset	rs;
	CpRulesetData hdr;
	Size		size;
	Size		fp_start;
	int32		i;

	memset(&f, 0, sizeof(f));
	f.src = b;
	cp_builder_init(&f.out);
	f.column_map = palloc(sizeof(int32) * Max(b->n_columns, 1));
	memset(f.column_map, 0xff, sizeof(int32) * Max(b->n_columns, 1));

	/* The walk: the printer's order. */
	f.out.name = flat_string(&f, b->name);
	f.out.timezone = flat_string(&f, b->timezone);
	for (i = 0; i < b->n_instruments; i++)
	{
		int32		j = cp_builder_instrument(&f.out);

		f.out.instruments[j].name = flat_string(&f, b->instruments[i].name);
		f.out.instruments[j].unit = b->instruments[i].unit;
	}
	for (i = 0; i < b->n_windows; i++)
	{
		CpWindow	w = b->windows[i];
		int32		j = cp_builder_window(&f.out);

		w.lo_node = flat_node(&f, w.lo_node);
		w.hi_node = flat_node(&f, w.hi_node);
		f.out.windows[j] = w;
	}
	for (i = 0; i < b->n_lets && b->lets[i].rule == CP_NONE_IDX; i++)
		flat_let(&f, i);
	for (i = 0; i < b->n_rules; i++)
	{
		CpRule		r = b->rules[i];
		int32		j = cp_builder_rule(&f.out);
		int32		k;

		r.name = flat_string(&f, r.name);
		r.cond = flat_node(&f, r.cond);
		for (k = 0; k < r.n_lets; k++)
			flat_let(&f, r.first_let + k);
		for (k = 0; k < r.n_awards; k++)
			flat_award(&f, r.first_award + k);
		f.out.rules[j] = r;
	}
	Assert(f.out.n_lets == b->n_lets && f.out.n_awards == b->n_awards);

	/* The varlena. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.format = CP_FORMAT_VERSION;
	hdr.name = f.out.name;
	memcpy(hdr.currency, b->currency, sizeof(hdr.currency));
	hdr.exponent = b->exponent;
	hdr.hit = b->hit;
	hdr.rounding = b->rounding;
	hdr.increment = b->increment;
	hdr.timezone = f.out.timezone;
	hdr.n_nodes = f.out.n_nodes;
	hdr.n_windows = f.out.n_windows;
	hdr.n_args = f.out.n_args;
	hdr.n_rules = f.out.n_rules;
	hdr.n_lets = f.out.n_lets;
	hdr.n_awards = f.out.n_awards;
	hdr.n_columns = f.out.n_columns;
	hdr.n_instruments = f.out.n_instruments;
	hdr.strings_len = f.out.strings.len;

	size = cp_ruleset_section_offset(&hdr, CP_SECTION_END);
	rs = palloc0(size);
	memcpy(rs, &hdr, sizeof(hdr));
	SET_VARSIZE(rs, size);

#define COPY_SECTION(sec, arr, n) \
	if ((n) > 0) \
		memcpy((char *) rs + cp_ruleset_section_offset(rs, (sec)), (arr), sizeof(*(arr)) * (n))

	COPY_SECTION(CP_SECTION_NODES, f.out.nodes, f.out.n_nodes);
	COPY_SECTION(CP_SECTION_WINDOWS, f.out.windows, f.out.n_windows);
	COPY_SECTION(CP_SECTION_ARGS, f.out.args, f.out.n_args);
	COPY_SECTION(CP_SECTION_RULES, f.out.rules, f.out.n_rules);
	COPY_SECTION(CP_SECTION_LETS, f.out.lets, f.out.n_lets);
	COPY_SECTION(CP_SECTION_AWARDS, f.out.awards, f.out.n_awards);
	COPY_SECTION(CP_SECTION_COLUMNS, f.out.columns, f.out.n_columns);
	COPY_SECTION(CP_SECTION_INSTRUMENTS, f.out.instruments, f.out.n_instruments);
	COPY_SECTION(CP_SECTION_STRINGS, f.out.strings.data, f.out.strings.len);
#undef COPY_SECTION

	fp_start = offsetof(CpRulesetData, fingerprint) + sizeof(rs->fingerprint);
	rs->fingerprint = hash_bytes_extended((const unsigned char *) rs + fp_start,
										  size - fp_start, 0);
	return rs;
}
