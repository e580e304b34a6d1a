/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Helpers shared by the fuzz targets and the seed generator: calling a
 *	  SQL-callable C function, a row type made up from a ruleset's column
 *	  names, and rows of values for it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "utils/memutils.h"

#include "shim/shim.h"

/* Report a broken property and abort (libFuzzer then saves the input). */
extern void fuzz_fail(const char *fmt,...) pg_attribute_printf(1, 2) pg_attribute_noreturn();

/* fn(args...) as fmgr would call it, no collation; NULL result is an error. */
extern Datum fuzz_call1(PGFunction fn, Datum arg);

/*
 * Register a row type with one attribute per column name the ruleset bytes
 * (a varlena body: the header without vl_len_, sections) name, where those
 * names can be read safely; the type of each comes from its name (a
 * column called "ordered_at" is a timestamptz, "price" a numeric...).
 * Returns the number of attributes.
 */
extern int	fuzz_rowtype_from_ruleset(const char *body, size_t size);

/* The number of rows fuzz_row() makes; row 0 is all NULL. */
#define FUZZ_N_ROWS 4

/* Row r of the registered row type: natts values and their attnos. */
extern int	fuzz_row(int r, NullableDatum *values, int16 *attnos);

/*
 * Row r as a composite datum of the registered row type (what evaluate()
 * gets for a whole-row argument), laid out as heap_form_tuple does.
 */
extern HeapTupleHeader fuzz_row_tuple(int r);

/*
 * The evaluation paths of one row: compensation._evaluate_columns() (the
 * row's columns), evaluate() (the whole row) and explain() (every rule's
 * lines, put together in rule order).
 */
typedef enum FuzzPath
{
	FUZZ_PATH_COLUMNS,
	FUZZ_PATH_ROW,
	FUZZ_PATH_EXPLAIN
} FuzzPath;

typedef struct FuzzOutcome
{
	char	   *text;			/* award_out of the award, or NULL */
	int			sqlerrcode;		/* if text is NULL */
	char		message[256];
} FuzzOutcome;

/*
 * Row r of the ruleset v along one path, with the evaluator *ev (built
 * from v first if NULL; set to NULL after an error, as the server drops an
 * evaluator with the statement that failed).
 */
extern void fuzz_run_path(MemoryContext cxt, struct varlena *v, void **ev,
						  FuzzPath path, int r, FuzzOutcome *out);

/* Law 3: the same award text, or the same SQLSTATE; else fuzz_fail(). */
extern void fuzz_compare_paths(FuzzPath pa, const FuzzOutcome *a, FuzzPath pb,
							   const FuzzOutcome *b, int r, struct varlena *v);

/* The same bytes equal? (varlenas with 4-byte headers) */
extern bool fuzz_varlena_equal(const void *a, const void *b);

#endif							/* FUZZ_COMMON_H */
