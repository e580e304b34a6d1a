/*-------------------------------------------------------------------------
 *
 * fuzz_ruleset_value.c
 *	  libFuzzer target: arbitrary bytes as a stored compensation.ruleset
 *	  value (the varlena body, after its length word), through what the
 *	  evaluator does with a value read from disk: the check of every index
 *	  and count, binding to a row type made up from the value's column
 *	  names, constant folding; then, for a value that passed, each test row
 *	  through every evaluation path and the awards' text; and, for every
 *	  value, the type's output, send, hash and accessor functions.
 *
 * Property: no crash, no undefined behaviour, no leak; an ERROR is a normal
 * outcome (a corrupt value is refused with XX001).  Whether the paths agree
 * is checked by fuzz_parse, on values the parser made: a value that passes
 * the check but that no policy text compiles to (a number's scale the
 * printer refuses, say) may fail in explain() and not in evaluate(), and
 * only a damaged disk could hold one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>

#include "award.h"
#include "eval.h"
#include "ruleset.h"

#include "fuzz_common.h"

extern Datum compensation_ruleset_out(PG_FUNCTION_ARGS);
extern Datum compensation_ruleset_send(PG_FUNCTION_ARGS);
extern Datum compensation_ruleset_policy_name(PG_FUNCTION_ARGS);
extern Datum compensation_ruleset_rule_count(PG_FUNCTION_ARGS);
extern Datum compensation_ruleset_hash(PG_FUNCTION_ARGS);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		stack_base;
	MemoryContext cxt = fuzz_begin(&stack_base);
	struct varlena *v;
	void	   *volatile built = NULL;
	volatile bool valid = false;

	if (size > MaxAllocSize - VARHDRSZ)
	{
		fuzz_end();
		return 0;
	}
	v = palloc(size + VARHDRSZ);
	SET_VARSIZE(v, size + VARHDRSZ);
	memcpy(VARDATA(v), data, size);
	fuzz_rowtype_from_ruleset((const char *) data, size);

	/* the check of a stored value (and binding) */
	PG_TRY();
	{
		void	   *cache = NULL;

		built = cp_eval_prepare(&cache, cxt, PointerGetDatum(v),
								FUZZ_ROWTYPE_OID, -1);
		valid = true;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
	}
	PG_END_TRY();

	if (valid)
	{
		void	   *ev = built;
		void	   *evx = NULL;	/* explain's own, as a call site's is */
		int			r;

		for (r = 0; r < FUZZ_N_ROWS; r++)
		{
			FuzzOutcome o;

			fuzz_run_path(cxt, v, &ev, FUZZ_PATH_COLUMNS, r, &o);
			fuzz_run_path(cxt, v, &ev, FUZZ_PATH_ROW, r, &o);
			fuzz_run_path(cxt, v, &evx, FUZZ_PATH_EXPLAIN, r, &o);
		}
	}

	/*
	 * What the type's output, send and accessor functions do with a stored
	 * value, valid or not.
	 */
	{
		PGFunction	fns[] = {compensation_ruleset_out, compensation_ruleset_send,
			compensation_ruleset_policy_name, compensation_ruleset_rule_count,
		compensation_ruleset_hash};
		int			i;

		for (i = 0; i < lengthof(fns); i++)
		{
			PG_TRY();
			{
				(void) fuzz_call1(fns[i], PointerGetDatum(v));
			}
			PG_CATCH();
			{
				MemoryContextSwitchTo(cxt);
			}
			PG_END_TRY();
		}
	}

	fuzz_end();
	return 0;
}
