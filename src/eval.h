/*-------------------------------------------------------------------------
 *
 * eval.h
 *	  Binding a compiled policy to a row type, and evaluating it per row.
 *
 * An evaluator (CpEval) is built once per call site and row type: it holds
 * a private copy of the ruleset, the column-to-attribute map, the resolved
 * policy time zone, constants folded from the ruleset, and the per-row
 * scratch state.  Callers keep it through an opaque cache pointer (usually
 * fn_extra) and call cp_eval_prepare() on every row: that is cheap when the
 * ruleset and row type did not change, and rebuilds the evaluator when they
 * did.
 *
 * Evaluation is implemented once: cp_eval_award() and cp_eval_explain() run
 * the same code, the latter with a trace (DESIGN.md, law 3).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_EVAL_H
#define COMPENSATION_EVAL_H

#include "access/htup.h"
#include "fmgr.h"

#include "award.h"
#include "ruleset.h"

typedef struct CpEval CpEval;

/*
 * The evaluator for this ruleset and row type, from *cache if it matches,
 * else built (in a child context of mcxt) and remembered there.  rules is
 * the ruleset datum as passed to the function (it may be toasted).  *cache
 * must start out NULL and be owned by the caller (fn_extra is ideal).
 */
extern CpEval *cp_eval_prepare(void **cache, MemoryContext mcxt, Datum rules,
							   Oid rowtype, int32 rowtypmod);

/*
 * Check a stored ruleset value (detoasted) as the evaluator does before
 * running it: every count, index and string offset inside the value, no
 * cycles.  ERROR (XX001) if it is damaged.
 */
extern void cp_ruleset_validate(const CpRulesetData *rs);

/* The ruleset an evaluator runs (its private copy). */
extern const CpRulesetData *cp_eval_ruleset(const CpEval *ev);

/*
 * The award for one row (a composite datum's header, or a heap tuple's
 * t_data when the evaluator was prepared for that relation's row type),
 * allocated in CurrentMemoryContext.
 */
extern CpAward cp_eval_award(CpEval *ev, HeapTupleHeader row);

/*
 * The award for one row given as n attribute values (columns[i] is
 * attribute attnos[i], 1-based), allocated in CurrentMemoryContext.  The
 * caller has checked each value's type against its attribute; this checks
 * (once per evaluator and attnos array) that every column the policy reads
 * is among them, and raises an error if not.
 */
extern CpAward cp_eval_award_columns(CpEval *ev, int n, const int16 *attnos,
									 const NullableDatum *columns);

/* One rule's line in compensation.explain(). */
typedef struct CpExplainRule
{
	int			rule_no;		/* 1-based */
	const char *rule;			/* rule name */
	bool		matched;
	char	   *failed_condition;	/* canonical text, or NULL */
	char	   *detail;			/* a sentence, or NULL */
	CpAward		award;			/* the lines this rule produced */
} CpExplainRule;

/*
 * Evaluate one row with a trace: one entry per rule, in order.  Strings live
 * until the next call on this evaluator; awards are allocated in
 * CurrentMemoryContext.
 */
extern CpExplainRule *cp_eval_explain(CpEval *ev, HeapTupleHeader row,
									  int *n_rules);

#endif							/* COMPENSATION_EVAL_H */
