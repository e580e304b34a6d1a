/*-------------------------------------------------------------------------
 *
 * ruleset_build.h
 *	  Building a ruleset: sections of blocks that the parser fills in any
 *	  order, then flattened into the canonical varlena.
 *
 * The builder uses the same structs as the varlena (ruleset.h), but for its
 * nodes (CpBuildNode, half the size); its string offsets point into its own
 * pool.  cp_builder_finish() renumbers nodes,
 * columns and strings in one fixed walk of the policy, so the bytes of the
 * result depend only on the policy's structure, never on how it was written.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_BUILD_H
#define COMPENSATION_RULESET_BUILD_H

#include "ruleset.h"

/*
 * A section of the builder: its elements in blocks of CP_BLOCK_ELEMS that
 * never move.  A section only ever gains blocks, so adding an element never
 * copies the section: growing contiguous arrays by doubling copied them into
 * fresh memory again and again, over a third of compiling a policy of 10,000
 * rules.  Elements are reached through the CpBuilder* accessors below; an
 * argument list may span two blocks.
 */
#define CP_BLOCK_SHIFT	8
#define CP_BLOCK_ELEMS	(1 << CP_BLOCK_SHIFT)

typedef struct CpSection
{
	char	  **blocks;			/* each CP_BLOCK_ELEMS elements, zeroed */
	int32		n_blocks;
	int32		max_blocks;
} CpSection;

/*
 * A table of names, each with an int32 value (an index): how the parser
 * finds a column, a let, an instrument or a rule by name.  A hash table
 * (simplehash), so that a policy of N names compiles in time linear in N:
 * a linear lookup per identifier made 250,000 distinct columns take over
 * three minutes.  Names are copied into the table's own memory.
 */
typedef struct CpNames CpNames;

extern CpNames *cp_names_create(MemoryContext cxt);

/* The value stored under the name (NUL-terminated, len bytes), or CP_NONE_IDX. */
extern int32 cp_names_get(CpNames *t, const char *name, int len);

/*
 * Stores value under the name, if it is not there yet; returns the value
 * that was already there, or CP_NONE_IDX when it stored this one.
 */
extern int32 cp_names_add(CpNames *t, const char *name, int len, int32 value);

extern void cp_names_remove(CpNames *t, const char *name, int len);

/*
 * A node as the builder holds it: a CpNode without v and w, 16 bytes, not
 * 32.  Most nodes have neither; a NUM or BOOL keeps v in b and c (which it
 * does not use), and a DATE or TIMESTAMP keeps v and w in the builder's
 * instants section, at index c.  The flattener writes the full CpNode.  So
 * a policy's nodes take half the memory while it is parsed (a list of
 * numbers is a node per two or three bytes of text).  pad is the parser's:
 * ruleset_check.c keeps a node's height and static kind there.
 */
typedef struct CpBuildNode
{
	uint8		op;				/* CpOp */
	uint8		flags;			/* CP_NODE_* */
	uint16		pad;
	int32		a;
	int32		b;
	int32		c;
} CpBuildNode;

typedef struct CpInstants
{
	int64		v;
	int64		w;
} CpInstants;

typedef struct CpBuilder
{
	MemoryContext cxt;			/* where the sections live: the context
								 * current at cp_builder_init, whatever the
								 * caller switches to while adding */

	/* header */
	int32		name;			/* string offset, or CP_NONE_IDX */
	char		currency[4];
	int16		exponent;
	uint8		hit;
	uint8		rounding;
	int64		increment;
	int32		timezone;		/* string offset, or CP_NONE_IDX */

	/* sections, each with its count */
	CpSection	nodes;			/* CpBuildNode */
	int32		n_nodes;
	CpSection	windows;		/* CpWindow */
	int32		n_windows;
	CpSection	args;			/* int32 */
	int32		n_args;
	CpSection	rules;			/* CpRule */
	int32		n_rules;
	CpSection	lets;			/* CpLet */
	int32		n_lets;
	CpSection	awards;			/* CpAwardSpec */
	int32		n_awards;
	CpSection	columns;		/* CpColumn */
	int32		n_columns;
	CpSection	instruments;	/* CpInstrument */
	int32		n_instruments;
	CpSection	instants;		/* CpInstants of DATE and TIMESTAMP nodes */
	int32		n_instants;
	StringInfoData strings;

	CpNames    *column_names;	/* column name -> index in columns */
	Size		compiled_bytes; /* what the sections will take in the
								 * varlena: checked against
								 * CP_MAX_COMPILED_BYTES as they grow */
} CpBuilder;

/* Element i of a section (not checked against the count). */
static inline void *
cp_section_elem(const CpSection *sec, Size elem_size, int32 i)
{
	return sec->blocks[i >> CP_BLOCK_SHIFT] + elem_size * (i & (CP_BLOCK_ELEMS - 1));
}

#define CP_BUILDER_ELEM(name, sec, type) \
	static inline type * \
	name(const CpBuilder *b, int32 i) \
	{ \
		return (type *) cp_section_elem(&b->sec, sizeof(type), i); \
	}

CP_BUILDER_ELEM(CpBuilderNode, nodes, CpBuildNode)
CP_BUILDER_ELEM(CpBuilderWindow, windows, CpWindow)
CP_BUILDER_ELEM(CpBuilderArg, args, int32)
CP_BUILDER_ELEM(CpBuilderRule, rules, CpRule)
CP_BUILDER_ELEM(CpBuilderLet, lets, CpLet)
CP_BUILDER_ELEM(CpBuilderAward, awards, CpAwardSpec)
CP_BUILDER_ELEM(CpBuilderColumn, columns, CpColumn)
CP_BUILDER_ELEM(CpBuilderInstrument, instruments, CpInstrument)
CP_BUILDER_ELEM(CpBuilderInstants, instants, CpInstants)
#undef CP_BUILDER_ELEM

extern void cp_builder_init(CpBuilder *b);

/* v of a NUM or BOOL node; v and w of a DATE or TIMESTAMP node. */
extern void cp_builder_set_value(CpBuilder *b, int32 n, int64 v);
extern int64 cp_builder_value(const CpBuilder *b, int32 n);
extern void cp_builder_set_instants(CpBuilder *b, int32 n, int64 v, int64 w);
extern CpInstants cp_builder_instants(const CpBuilder *b, int32 n);

/* Each returns the index of the new, zeroed element. */
extern int32 cp_builder_node(CpBuilder *b, CpOp op);
extern int32 cp_builder_window(CpBuilder *b);
extern int32 cp_builder_args(CpBuilder *b, int32 count);
extern int32 cp_builder_rule(CpBuilder *b);
extern int32 cp_builder_let(CpBuilder *b);
extern int32 cp_builder_award(CpBuilder *b);
extern int32 cp_builder_instrument(CpBuilder *b);

/* A copy of s in the pool (len bytes, NUL added); returns its offset. */
extern int32 cp_builder_string(CpBuilder *b, const char *s, int len);
#define CpBuilderString(b, off)	((b)->strings.data + (off))

/* The column of that name, added on first use. */
extern int32 cp_builder_column(CpBuilder *b, const char *name);

/*
 * The canonical varlena, allocated in result_cxt (its temporary memory in
 * the current context).  The policy must be a tree: each node, argument
 * list and column used exactly once (an internal error otherwise).
 */
extern CpRuleset cp_builder_finish(CpBuilder *b, MemoryContext result_cxt);

#endif							/* COMPENSATION_RULESET_BUILD_H */
