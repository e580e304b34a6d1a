/*-------------------------------------------------------------------------
 *
 * ruleset_format.h
 *	  What a pass over a compiled ruleset may ask the format's owner
 *	  (ruleset_format.c): where a node's children are, a walker over them,
 *	  and the check of a value that comes from disk or from a plan.
 *
 * ruleset.h says what the bytes are; this says how to read them safely.
 * Node arity is spelled once, in ruleset_format.c: every structural pass
 * (flattening, the check, the depth bound, explain's column list) asks
 * cp_node_shape() or cp_node_walk_children(), so adding an operator touches
 * the parser, the printer and the evaluator's semantics, and no walk.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_FORMAT_H
#define COMPENSATION_RULESET_FORMAT_H

#include "ruleset.h"

/* Deepest expression nesting a policy may have (checked with the value). */
#define CP_MAX_DEPTH		1000

/* What field a of a node refers to, besides children. */
typedef enum CpNodeRef
{
	CP_REF_NONE = 0,
	CP_REF_STRING,				/* a string offset (str, review) */
	CP_REF_COLUMN,				/* a column index */
	CP_REF_LET					/* a let index */
} CpNodeRef;

/*
 * Where a node's children are.  Its first n_fields fields of (a, b, c) are
 * child node indexes, in that order; if has_list, the next field is the
 * index of the first of list_len argument slots (args[]), each a child.
 * Children are visited in that order: fields first, then the list.
 */
typedef struct CpNodeShape
{
	uint8		n_fields;		/* 0 to 3 */
	bool		has_list;
	uint8		ref;			/* CpNodeRef of field a */
	int64		list_len;		/* argument slots, when has_list */
} CpNodeShape;

/* The shape of n; false if its operator is unknown. */
extern bool cp_node_shape(const CpNode *n, CpNodeShape *shape);

/* Field k (0 = a, 1 = b, 2 = c) of a node, for passes that rewrite them. */
static inline int32 *
cp_node_field(CpNode *n, int k)
{
	return k == 0 ? &n->a : (k == 1 ? &n->b : &n->c);
}

/*
 * Calls walker(child, context) on each child of node idx of a ruleset whose
 * sections are nodes and args, in order, until one returns true; returns
 * true if one did (PostgreSQL's expression_tree_walker).  The ruleset must
 * have passed cp_ruleset_check(), or the caller checks indexes itself.
 */
typedef bool (*CpChildWalker) (int32 child, void *context);
extern bool cp_node_walk_children(const CpNode *nodes, const int32 *args,
								  int32 idx, CpChildWalker walker,
								  void *context);

/*
 * The check of a ruleset value before anything walks it: format version,
 * every index and offset inside the value, no expression that refers to
 * itself (through lets too), and nesting at most CP_MAX_DEPTH.  size is
 * the value's size (VARSIZE).  Errors are ereport(ERROR): a value that
 * fails is corrupt (XX001), of another format version (0A000), or too
 * deep (54000).
 */
extern void cp_ruleset_check(const CpRulesetData *rs, Size size);

/*
 * Checked accessors for passes that read a few fields of a value that has
 * not been through cp_ruleset_check() (the planner reading a constant):
 * cp_ruleset_sections_ok() says whether the header, the section sizes and
 * the string pool are sound; after it, cp_ruleset_column_name() is the name
 * of column col, or NULL if col or its name is out of range.
 */
extern bool cp_ruleset_sections_ok(const CpRulesetData *rs, Size size);
extern const char *cp_ruleset_column_name(const CpRulesetData *rs, int32 col);

/* ERROR "invalid compensation.ruleset value: what" (XX001). */
extern void cp_ruleset_corrupt(const char *what) pg_attribute_noreturn();

#endif							/* COMPENSATION_RULESET_FORMAT_H */
