/*-------------------------------------------------------------------------
 *
 * ruleset_format.h
 *	  What a pass over a compiled ruleset may ask the format's owner
 *	  (ruleset_format.c): where a node's children are, a walker over them,
 *	  and the check of a value that comes from disk or from a plan.
 *
 * ruleset.h says what the bytes are; this says how to read them safely.
 * Node arity is spelled once, in the table cp_op_shapes (ruleset_format.c):
 * every structural pass (flattening, the check, the depth bound, explain's
 * column list) asks cp_node_shape() or cp_node_walk_children(), so adding
 * an operator touches the parser, the printer, the evaluator's semantics
 * and one line of that table, and no walk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_FORMAT_H
#define COMPENSATION_RULESET_FORMAT_H

#include "ruleset.h"

/* What field a of a node refers to, besides children. */
typedef enum CpNodeRef
{
	CP_REF_NONE = 0,
	CP_REF_STRING,				/* a string offset (str, review) */
	CP_REF_COLUMN,				/* a column index */
	CP_REF_LET					/* a let index */
} CpNodeRef;

/*
 * The shape of an operator.  Its first n_fields fields of (a, b, c) are
 * child node indexes, in that order; if it has a list, the next field is
 * the index of the first of its argument slots (args[]), each a child,
 * counted from field c (CP_LIST_C: c slots; CP_LIST_TIER: 2 * c, one more
 * with an else).  Children are visited in that order: fields, then list.
 */
#define CP_LIST_NONE	0
#define CP_LIST_C		1
#define CP_LIST_TIER	2
#define CP_LIST_DTABLE	3		/* b + c * (b + 1) slots, one more with an
								 * else: a decision table */

typedef struct CpOpShape
{
	bool		known;			/* false: no such operator */
	uint8		n_fields;		/* 0 to 3 */
	uint8		list;			/* CP_LIST_* */
	uint8		ref;			/* CpNodeRef of field a */
} CpOpShape;

/* Indexed by the op byte (ruleset_format.c): the one place arity is spelled. */
extern const CpOpShape cp_op_shapes[256];

/* A node's shape, its list length counted. */
typedef struct CpNodeShape
{
	uint8		n_fields;
	bool		has_list;
	uint8		ref;			/* CpNodeRef of field a */
	int64		list_len;		/* argument slots, when has_list */
} CpNodeShape;

extern void cp_node_unknown_op(int op) pg_attribute_noreturn();

/* Child field k (0 = a, 1 = b, 2 = c) of a node. */
static inline int32
cp_node_child(const CpNode *n, int k)
{
	return k == 0 ? n->a : (k == 1 ? n->b : n->c);
}

/* The same field, for passes that rewrite children (the builder). */
static inline int32 *
cp_node_field(CpNode *n, int k)
{
	return k == 0 ? &n->a : (k == 1 ? &n->b : &n->c);
}

static inline int64
cp_node_list_len(const CpNode *n, const CpOpShape *s)
{
	if (s->list == CP_LIST_C)
		return n->c;
	if (s->list == CP_LIST_TIER)
		return 2 * (int64) n->c + ((n->flags & CP_NODE_HAS_ELSE) ? 1 : 0);
	if (s->list == CP_LIST_DTABLE)
		return (int64) n->b + (int64) n->c * ((int64) n->b + 1) +
			((n->flags & CP_NODE_HAS_ELSE) ? 1 : 0);
	return 0;
}

/* The shape of n; false if its operator is unknown. */
static inline bool
cp_node_shape(const CpNode *n, CpNodeShape *shape)
{
	const CpOpShape *s = &cp_op_shapes[n->op];

	if (!s->known)
		return false;
	shape->n_fields = s->n_fields;
	shape->has_list = s->list != CP_LIST_NONE;
	shape->ref = s->ref;
	shape->list_len = cp_node_list_len(n, s);
	return true;
}

/*
 * Calls walker(child, context) on each child of node idx of a ruleset whose
 * sections are nodes and args, in order, until one returns true; returns
 * true if one did (PostgreSQL's expression_tree_walker).  The ruleset must
 * have passed cp_ruleset_check().  Inline: explain walks a condition per
 * rule and row.
 */
typedef bool (*CpChildWalker) (int32 child, void *context);

static inline bool
cp_node_walk_children(const CpNode *nodes, const int32 *args, int32 idx,
					  CpChildWalker walker, void *context)
{
	const CpNode *n = &nodes[idx];
	const CpOpShape *s = &cp_op_shapes[n->op];
	int			k;

	if (unlikely(!s->known))
		cp_node_unknown_op(n->op);
	for (k = 0; k < s->n_fields; k++)
		if (walker(cp_node_child(n, k), context))
			return true;
	if (s->list != CP_LIST_NONE)
	{
		const int32 *list = args + cp_node_child(n, s->n_fields);
		int64		len = cp_node_list_len(n, s);
		int64		i;

		for (i = 0; i < len; i++)
			if (walker(list[i], context))
				return true;
	}
	return false;
}

/*
 * The check of a ruleset value before anything walks it: format version,
 * every index and offset inside the value, no expression that refers to
 * itself (through lets too), and nesting at most CP_MAX_DEPTH.  size is
 * the value's size (VARSIZE).  Errors are ereport(ERROR): a value that
 * fails is corrupt (XX001), of another format version (0A000), or too
 * deep (54000).
 */
extern void cp_ruleset_check(const CpRulesetData *rs, Size size);

/* cp_ruleset_check() of a detoasted value, for callers that only read it. */
extern void cp_ruleset_validate(const CpRulesetData *rs);

/*
 * Checked accessors for passes that read a few fields of a value that has
 * not been through cp_ruleset_check() (the planner reading a constant):
 * cp_ruleset_sections_ok() says whether the header, the section sizes and
 * the string pool are sound; after it, cp_ruleset_column_name() is the name
 * of column col, or NULL if col or its name is out of range.
 */
extern bool cp_ruleset_sections_ok(const CpRulesetData *rs, Size size);
extern const char *cp_ruleset_column_name(const CpRulesetData *rs, int32 col);

/* The unit of a built-in instrument (cash, points...), or -1 (ruleset_parse.c). */
extern int	cp_builtin_instrument_unit(const char *name);

/* ERROR "invalid compensation.ruleset value: what" (XX001). */
extern void cp_ruleset_corrupt(const char *what) pg_attribute_noreturn();

#endif							/* COMPENSATION_RULESET_FORMAT_H */
