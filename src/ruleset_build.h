/*-------------------------------------------------------------------------
 *
 * ruleset_build.h
 *	  Building a ruleset: growable sections that the parser fills in any
 *	  order, then flattened into the canonical varlena.
 *
 * The builder uses the same structs as the varlena (ruleset.h); its string
 * offsets point into its own pool.  cp_builder_finish() renumbers nodes,
 * columns and strings in one fixed walk of the policy, so the bytes of the
 * result depend only on the policy's structure, never on how it was written.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_BUILD_H
#define COMPENSATION_RULESET_BUILD_H

#include "ruleset.h"

typedef struct CpBuilder
{
	/* header */
	int32		name;			/* string offset, or CP_NONE_IDX */
	char		currency[4];
	int16		exponent;
	uint8		hit;
	uint8		rounding;
	int64		increment;
	int32		timezone;		/* string offset, or CP_NONE_IDX */

	/* sections, each with its count and allocated size */
	CpNode	   *nodes;
	int32		n_nodes,
				max_nodes;
	CpWindow   *windows;
	int32		n_windows,
				max_windows;
	int32	   *args;
	int32		n_args,
				max_args;
	CpRule	   *rules;
	int32		n_rules,
				max_rules;
	CpLet	   *lets;
	int32		n_lets,
				max_lets;
	CpAwardSpec *awards;
	int32		n_awards,
				max_awards;
	CpColumn   *columns;
	int32		n_columns,
				max_columns;
	CpInstrument *instruments;
	int32		n_instruments,
				max_instruments;
	StringInfoData strings;
} CpBuilder;

extern void cp_builder_init(CpBuilder *b);

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

/* The canonical varlena. */
extern CpRuleset cp_builder_finish(CpBuilder *b);

#endif							/* COMPENSATION_RULESET_BUILD_H */
