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
#include "ruleset_format.h"
#include "strutil.h"

/*
 * Name tables
 *
 * The key is the name itself, NUL-terminated, in the table's own chunks:
 * 24 bytes an entry, for tables that hold a name per rule or per column.
 */
typedef struct CpNameEntry
{
	const char *key;
	uint32		hash;
	int32		value;
	char		status;
} CpNameEntry;

#define SH_PREFIX		cpnames
#define SH_ELEMENT_TYPE	CpNameEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	hash_bytes((const unsigned char *) (k), strlen(k))
#define SH_EQUAL(tb, x, y)	(strcmp((x), (y)) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Names are copied into chunks of this size (a long name gets its own). */
#define CP_NAMES_CHUNK	8192

struct CpNames
{
	cpnames_hash *hash;
	MemoryContext cxt;
	char	   *free;			/* room left in the current chunk */
	Size		free_len;
};

CpNames *
cp_names_create(MemoryContext cxt)
{
	CpNames    *t = MemoryContextAllocZero(cxt, sizeof(CpNames));

	t->cxt = cxt;
	t->hash = cpnames_create(cxt, 64, NULL);
	return t;
}

/* The callers' names are NUL-terminated; len is their strlen. */
int32
cp_names_get(CpNames *t, const char *name, int len)
{
	CpNameEntry *e = cpnames_lookup(t->hash, name);

	Assert(name[len] == '\0');
	return e ? e->value : CP_NONE_IDX;
}

int32
cp_names_add(CpNames *t, const char *name, int len, int32 value)
{
	CpNameEntry *e;
	bool		found;
	char	   *copy;

	Assert(name[len] == '\0');
	e = cpnames_insert(t->hash, name, &found);
	if (found)
		return e->value;
	/* the key must outlive the caller's string: copy it */
	if ((Size) len + 1 > t->free_len)
	{
		Size		size = (Size) len + 1 >= CP_NAMES_CHUNK / 4 ? (Size) len + 1 : CP_NAMES_CHUNK;

		t->free = MemoryContextAlloc(t->cxt, size);
		t->free_len = size;
	}
	copy = t->free;
	memcpy(copy, name, len + 1);
	t->free += len + 1;
	t->free_len -= len + 1;
	e->key = copy;
	e->value = value;
	return CP_NONE_IDX;
}

void
cp_names_remove(CpNames *t, const char *name, int len)
{
	Assert(name[len] == '\0');
	(void) cpnames_delete(t->hash, name);
}

/*
 * Sections
 */

/* Counts bytes the varlena will hold; 54000 past the limit. */
static void
count_compiled(CpBuilder *b, Size bytes)
{
	b->compiled_bytes += bytes;
	if (b->compiled_bytes > CP_MAX_COMPILED_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("policy is too large to compile"),
				 errdetail("A compiled policy may take at most %d MB.",
						   CP_MAX_COMPILED_BYTES / (1024 * 1024)),
				 errhint("Split the policy, or write long lists of values as fewer, wider rules.")));
}

/* Adds a zeroed block to a section. */
static void
section_grow(MemoryContext cxt, CpSection *sec, Size elem_size)
{
	if (sec->n_blocks == sec->max_blocks)
	{
		sec->max_blocks = Max(sec->max_blocks * 2, 8);
		sec->blocks = sec->blocks
			? repalloc(sec->blocks, sizeof(char *) * sec->max_blocks)
			: MemoryContextAlloc(cxt, sizeof(char *) * sec->max_blocks);
	}
	sec->blocks[sec->n_blocks++] = MemoryContextAllocZero(cxt, elem_size * CP_BLOCK_ELEMS);
}

/* Appends count zeroed elements to a section; returns the first's index. */
static int32
section_add(MemoryContext cxt, CpSection *sec, Size elem_size, int32 *n,
			int32 count)
{
	int32		first = *n;

	while (first + count > sec->n_blocks * CP_BLOCK_ELEMS)
	{
		CHECK_FOR_INTERRUPTS();
		section_grow(cxt, sec, elem_size);
	}
	*n = first + count;
	return first;
}

#define SECTION_ADD(b, sec, type, count) \
	(count_compiled((b), sizeof(type) * (Size) (count)), \
	 section_add((b)->cxt, &(b)->sec, sizeof(type), &(b)->n_##sec, (count)))

void
cp_builder_init(CpBuilder *b)
{
	memset(b, 0, sizeof(*b));
	b->cxt = CurrentMemoryContext;
	b->name = CP_NONE_IDX;
	b->timezone = CP_NONE_IDX;
	b->hit = CP_HIT_COLLECT;
	b->rounding = CP_ROUND_UNSET;
	b->increment = 1;
	initStringInfo(&b->strings);
	b->column_names = cp_names_create(b->cxt);
}

int32
cp_builder_node(CpBuilder *b, CpOp op)
{
	int32		i;
	CpBuildNode *n;

	/* the varlena's node is a CpNode, twice the builder's */
	count_compiled(b, sizeof(CpNode) - sizeof(CpBuildNode));
	i = SECTION_ADD(b, nodes, CpBuildNode, 1);
	n = CpBuilderNode(b, i);

	n->op = (uint8) op;
	n->a = CP_NONE_IDX;
	n->b = CP_NONE_IDX;
	n->c = CP_NONE_IDX;
	return i;
}

void
cp_builder_set_value(CpBuilder *b, int32 n, int64 v)
{
	CpBuildNode *nd = CpBuilderNode(b, n);

	Assert(nd->op == CP_OP_NUM || nd->op == CP_OP_BOOL);
	nd->b = (int32) (uint32) ((uint64) v >> 32);
	nd->c = (int32) (uint32) (uint64) v;
}

int64
cp_builder_value(const CpBuilder *b, int32 n)
{
	const CpBuildNode *nd = CpBuilderNode(b, n);

	return (int64) (((uint64) (uint32) nd->b << 32) | (uint64) (uint32) nd->c);
}

void
cp_builder_set_instants(CpBuilder *b, int32 n, int64 v, int64 w)
{
	int32		i = section_add(b->cxt, &b->instants, sizeof(CpInstants), &b->n_instants, 1);
	CpInstants *in = CpBuilderInstants(b, i);

	Assert(CpBuilderNode(b, n)->op == CP_OP_DATE || CpBuilderNode(b, n)->op == CP_OP_TIMESTAMP);
	in->v = v;
	in->w = w;
	CpBuilderNode(b, n)->c = i;
}

CpInstants
cp_builder_instants(const CpBuilder *b, int32 n)
{
	return *CpBuilderInstants(b, CpBuilderNode(b, n)->c);
}

int32
cp_builder_window(CpBuilder *b)
{
	return SECTION_ADD(b, windows, CpWindow, 1);
}

int32
cp_builder_args(CpBuilder *b, int32 count)
{
	return SECTION_ADD(b, args, int32, count);
}

int32
cp_builder_rule(CpBuilder *b)
{
	int32		i = SECTION_ADD(b, rules, CpRule, 1);

	CpBuilderRule(b, i)->cond = CP_NONE_IDX;
	return i;
}

int32
cp_builder_let(CpBuilder *b)
{
	int32		i = SECTION_ADD(b, lets, CpLet, 1);

	CpBuilderLet(b, i)->rule = CP_NONE_IDX;
	return i;
}

int32
cp_builder_award(CpBuilder *b)
{
	int32		i = SECTION_ADD(b, awards, CpAwardSpec, 1);
	CpAwardSpec *a = CpBuilderAward(b, i);

	a->instrument = CP_NONE_IDX;
	a->column = CP_NONE_IDX;
	a->amount = CP_NONE_IDX;
	a->duration = CP_NONE_IDX;
	a->window_lo = CP_NONE_IDX;
	a->window_hi = CP_NONE_IDX;
	a->reason = CP_NONE_IDX;
	return i;
}

int32
cp_builder_instrument(CpBuilder *b)
{
	return SECTION_ADD(b, instruments, CpInstrument, 1);
}

int32
cp_builder_string(CpBuilder *b, const char *s, int len)
{
	count_compiled(b, len + 1);
	return cp_pool_add(&b->strings, s, len);
}

int32
cp_builder_column(CpBuilder *b, const char *name)
{
	int			len = strlen(name);
	int32		i = cp_names_get(b->column_names, name, len);

	if (i != CP_NONE_IDX)
		return i;
	i = SECTION_ADD(b, columns, CpColumn, 1);
	CpBuilderColumn(b, i)->name = cp_builder_string(b, name, len);
	(void) cp_names_add(b->column_names, name, len, i);
	return i;
}

/*
 * Flattening
 *
 * The walk writes straight into the varlena, with no second builder to copy
 * from: for a policy of 10,000 rules that copy was megabytes of memory the
 * kernel had to fault in, a large part of compiling.  So every section's
 * size must be known before the walk.  It is: the parser builds a tree
 * (each node, argument list and column it adds is used exactly once), so
 * the walk reaches as many of each as the builder holds, and it visits
 * windows, lets, rules, awards and instruments in the builder's order.  Only
 * the string pool shrinks (a string written twice is kept once); it is the
 * last section, so the varlena is sized for the builder's pool and cut to
 * what the walk used.
 */
typedef struct Flattener
{
	const CpBuilder *src;
	CpRuleset	rs;				/* the result; its counts are the builder's */
	/* rs's sections, and how many elements of each the walk has written */
	CpNode	   *nodes;
	int32		n_nodes;
	CpWindow   *windows;
	int32		n_windows;
	int32	   *args;
	int32		n_args;
	CpRule	   *rules;
	int32		n_rules;
	CpLet	   *lets;
	int32		n_lets;
	CpAwardSpec *awards;
	int32		n_awards;
	CpColumn   *columns;
	int32		n_columns;
	CpInstrument *instruments;
	int32		n_instruments;
	char	   *strings;
	int32		strings_len;
	int32	   *column_map;		/* src column -> rs column, or -1 */
	/* string interning: open addressing over rs string offsets */
	int32	   *slots;
	uint32		n_slots;
	uint32		n_used;
} Flattener;

/*
 * The index of count new elements of a section that holds max.  The tree
 * guarantees room; the check keeps a parser bug from writing past the end.
 */
static int32
flat_take(int32 *n, int32 count, int32 max)
{
	int32		first = *n;

	if (count > max - first)
		elog(ERROR, "compensation: the parsed policy is not a tree");
	*n = first + count;
	return first;
}

#define FLAT_TAKE(f, sec, count) flat_take(&(f)->n_##sec, (count), (f)->rs->n_##sec)

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
			const char *s = f->strings + old[i];
			uint32		h = hash_bytes((const unsigned char *) s, strlen(s));

			while (f->slots[h & (f->n_slots - 1)] >= 0)
				h++;
			f->slots[h & (f->n_slots - 1)] = old[i];
		}
	}
	if (old)
		pfree(old);
}

/* Appends s (len bytes and its NUL) to the pool; returns its offset. */
static int32
flat_add_string(Flattener *f, const char *s, Size len)
{
	int32		off = f->strings_len;

	/* distinct strings never need more room than the builder's pool */
	Assert(off + len + 1 <= (Size) f->src->strings.len);
	memcpy(f->strings + off, s, len + 1);
	f->strings_len += len + 1;
	return off;
}

/* The rs offset of a src string, added once however often it is used. */
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
		if (strcmp(f->strings + slot, s) == 0)
			return slot;
	}
	f->slots[h & (f->n_slots - 1)] = flat_add_string(f, s, len);
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
		int32		col = FLAT_TAKE(f, columns, 1);

		f->columns[col].name = flat_string(f, CpBuilderColumn(f->src, src_col)->name);
		f->column_map[src_col] = col;
	}
	return f->column_map[src_col];
}

static int32 flat_node(Flattener *f, int32 old);

/* Copies an argument list: the block first, then each argument's subtree. */
static int32
flat_args(Flattener *f, int32 first, int32 count)
{
	int32		start = FLAT_TAKE(f, args, count);
	int32		i;

	for (i = 0; i < count; i++)
	{
		int32		node = flat_node(f, *CpBuilderArg(f->src, first + i));

		f->args[start + i] = node;
	}
	return start;
}

/* Copies a subtree in pre-order: the node's index comes before its children's. */
static int32
flat_node(Flattener *f, int32 old)
{
	const CpBuildNode *bn;
	CpNode		n;
	CpNodeShape shape;
	int32		idx;
	int			k;

	if (old == CP_NONE_IDX)
		return CP_NONE_IDX;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	/* the full node: pad (the parser's annotations) zero, v and w set */
	bn = CpBuilderNode(f->src, old);
	memset(&n, 0, sizeof(n));
	n.op = bn->op;
	n.flags = bn->flags;
	n.a = bn->a;
	n.b = bn->b;
	n.c = bn->c;
	idx = FLAT_TAKE(f, nodes, 1);

	if (!cp_node_shape(&n, &shape))
		elog(ERROR, "unrecognized ruleset node operator: %d", (int) n.op);
	/* a literal's value is kept beside the builder's half-size node */
	switch ((CpOp) n.op)
	{
		case CP_OP_NUM:
		case CP_OP_BOOL:
			n.v = cp_builder_value(f->src, old);
			n.b = CP_NONE_IDX;
			n.c = CP_NONE_IDX;
			break;
		case CP_OP_DATE:
		case CP_OP_TIMESTAMP:
			{
				CpInstants	in = cp_builder_instants(f->src, old);

				n.v = in.v;
				n.w = in.w;
				n.c = CP_NONE_IDX;
			}
			break;
		default:
			break;
	}
	switch ((CpNodeRef) shape.ref)
	{
		case CP_REF_NONE:
		case CP_REF_LET:
			break;
		case CP_REF_STRING:
			n.a = flat_string(f, n.a);
			break;
		case CP_REF_COLUMN:
			n.a = flat_column(f, n.a);
			break;
	}
	for (k = 0; k < shape.n_fields; k++)
		*cp_node_field(&n, k) = flat_node(f, *cp_node_field(&n, k));
	if (shape.has_list)
	{
		int32	   *first = cp_node_field(&n, shape.n_fields);

		*first = flat_args(f, *first, (int32) shape.list_len);
	}
	f->nodes[idx] = n;
	return idx;
}

static void
flat_instrument(Flattener *f, int32 i)
{
	CpInstrument instr = *CpBuilderInstrument(f->src, i);
	int32		j = FLAT_TAKE(f, instruments, 1);

	Assert(j == i);
	instr.name = flat_string(f, instr.name);
	f->instruments[j] = instr;
}

static void
flat_window(Flattener *f, int32 i)
{
	CpWindow	w = *CpBuilderWindow(f->src, i);
	int32		j = FLAT_TAKE(f, windows, 1);

	Assert(j == i);
	w.lo_node = flat_node(f, w.lo_node);
	w.hi_node = flat_node(f, w.hi_node);
	f->windows[j] = w;
}

static void
flat_let(Flattener *f, int32 i)
{
	CpLet		let = *CpBuilderLet(f->src, i);
	int32		j = FLAT_TAKE(f, lets, 1);

	Assert(j == i);
	let.name = flat_string(f, let.name);
	let.expr = flat_node(f, let.expr);
	f->lets[j] = let;
}

static void
flat_award(Flattener *f, int32 i)
{
	CpAwardSpec a = *CpBuilderAward(f->src, i);
	int32		j = FLAT_TAKE(f, awards, 1);

	Assert(j == i);
	a.instrument = flat_string(f, a.instrument);
	a.column = flat_column(f, a.column);
	a.amount = flat_node(f, a.amount);
	a.duration = flat_node(f, a.duration);
	a.window_lo = flat_node(f, a.window_lo);
	a.window_hi = flat_node(f, a.window_hi);
	a.reason = flat_string(f, a.reason);
	if (a.bearer != 0)
		a.bearer = flat_node(f, CpAwardBearerNode(&a)) + 1;
	f->awards[j] = a;
}

static void
flat_rule(Flattener *f, int32 i)
{
	CpRule		r = *CpBuilderRule(f->src, i);
	int32		j = FLAT_TAKE(f, rules, 1);
	int32		k;

	Assert(j == i);
	r.name = flat_string(f, r.name);
	r.cond = flat_node(f, r.cond);
	for (k = 0; k < r.n_lets; k++)
		flat_let(f, r.first_let + k);
	for (k = 0; k < r.n_awards; k++)
		flat_award(f, r.first_award + k);
	f->rules[j] = r;
}

/*
 * The zeroed varlena for a builder's policy: header and section counts set,
 * the string pool sized for the builder's (an upper bound).
 */
static void
flat_begin(Flattener *f, const CpBuilder *b, MemoryContext result_cxt)
{
	CpRulesetData hdr;
	CpRuleset	rs;
	Size		size;

	memset(&hdr, 0, sizeof(hdr));
	hdr.format = CP_FORMAT_VERSION;
	memcpy(hdr.currency, b->currency, sizeof(hdr.currency));
	hdr.exponent = b->exponent;
	hdr.hit = b->hit;
	hdr.rounding = b->rounding;
	hdr.increment = b->increment;
	hdr.n_nodes = b->n_nodes;
	hdr.n_windows = b->n_windows;
	hdr.n_args = b->n_args;
	hdr.n_rules = b->n_rules;
	hdr.n_lets = b->n_lets;
	hdr.n_awards = b->n_awards;
	hdr.n_columns = b->n_columns;
	hdr.n_instruments = b->n_instruments;
	hdr.strings_len = b->strings.len;

	size = cp_ruleset_section_offset(&hdr, CP_SECTION_END);
	rs = MemoryContextAllocZero(result_cxt, size);
	memcpy(rs, &hdr, sizeof(hdr));

	memset(f, 0, sizeof(*f));
	f->src = b;
	f->rs = rs;
	f->nodes = CpNodes(rs);
	f->windows = CpWindows(rs);
	f->args = CpArgs(rs);
	f->rules = CpRules(rs);
	f->lets = CpLets(rs);
	f->awards = CpAwards(rs);
	f->columns = CpColumns(rs);
	f->instruments = CpInstruments(rs);
	f->strings = CpStrings(rs);
	f->column_map = palloc(sizeof(int32) * Max(b->n_columns, 1));
	memset(f->column_map, 0xff, sizeof(int32) * Max(b->n_columns, 1));
}

/* The walk: the printer's order. */
static void
flat_walk(Flattener *f)
{
	const CpBuilder *b = f->src;
	int32		i;

	f->rs->name = flat_string(f, b->name);
	f->rs->timezone = flat_string(f, b->timezone);
	for (i = 0; i < b->n_instruments; i++)
	{
		CHECK_FOR_INTERRUPTS();
		flat_instrument(f, i);
	}
	for (i = 0; i < b->n_windows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		flat_window(f, i);
	}
	for (i = 0; i < b->n_lets && CpBuilderLet(b, i)->rule == CP_NONE_IDX; i++)
	{
		CHECK_FOR_INTERRUPTS();
		flat_let(f, i);
	}
	for (i = 0; i < b->n_rules; i++)
	{
		CHECK_FOR_INTERRUPTS();
		flat_rule(f, i);
	}
}

/* Checks that the walk filled every section, cuts the pool, seals. */
static CpRuleset
flat_end(Flattener *f)
{
	CpRuleset	rs = f->rs;
	Size		size;
	Size		fp_start;

	if (f->n_nodes != rs->n_nodes || f->n_windows != rs->n_windows ||
		f->n_args != rs->n_args || f->n_rules != rs->n_rules ||
		f->n_lets != rs->n_lets || f->n_awards != rs->n_awards ||
		f->n_columns != rs->n_columns || f->n_instruments != rs->n_instruments)
		elog(ERROR, "compensation: the parsed policy is not a tree");

	rs->strings_len = f->strings_len;
	size = cp_ruleset_section_offset(rs, CP_SECTION_END);
	SET_VARSIZE(rs, size);

	fp_start = offsetof(CpRulesetData, fingerprint) + sizeof(rs->fingerprint);
	rs->fingerprint = hash_bytes_extended((const unsigned char *) rs + fp_start,
										  size - fp_start, 0);
	return rs;
}

CpRuleset
cp_builder_finish(CpBuilder *b, MemoryContext result_cxt)
{
	Flattener	f;

	flat_begin(&f, b, result_cxt);
	flat_walk(&f);
	return flat_end(&f);
}
