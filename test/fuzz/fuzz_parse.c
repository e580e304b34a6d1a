/*-------------------------------------------------------------------------
 *
 * fuzz_parse.c
 *	  libFuzzer target: policy text -> ruleset (compensation.ruleset's
 *	  input function).
 *
 * Properties checked on every input that the server could receive as text
 * (valid UTF8, no zero byte):
 *	- parsing either succeeds or raises an ERROR that is not an internal
 *	  one (XX000: elog, "can't happen");
 *	- a policy that parses prints (canonical text), and the printed text
 *	  parses again to the same bytes, and prints the same text: the
 *	  parse -> print -> parse round trip of DESIGN.md;
 *	- the value passes the check that the evaluator applies to a ruleset
 *	  read from disk (no "invalid compensation.ruleset value", XX001);
 *	- law 3 of DESIGN.md on a few rows of a row type made up from the
 *	  policy's column names: _evaluate_columns() (the row's columns),
 *	  evaluate() (the whole row) and explain() (every rule's lines, in rule
 *	  order) give the same award, or fail with the same SQLSTATE.
 *	  explain() has an evaluator of its own, which tests every condition
 *	  leaf the general way, while the other two test the leaves they can
 *	  from the datum (src/eval_fast.c): the comparison covers both.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>

#include "mb/pg_wchar.h"

#include "eval.h"
#include "ruleset.h"

#include "fuzz_common.h"

/* An ERROR from code that text input must never reach. */
static void
check_not_internal(const char *what, const char *text)
{
	const FuzzError *e = fuzz_last_error();

	if (e->sqlerrcode == ERRCODE_INTERNAL_ERROR ||
		e->sqlerrcode == ERRCODE_DATA_CORRUPTED)
	{
		fuzz_report_error(what);
		fuzz_fail("%s raised %s on policy text:\n%s", what,
				  unpack_sql_state(e->sqlerrcode), text);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		stack_base;
	MemoryContext cxt = fuzz_begin(&stack_base);
	char	   *text;
	CpRuleset volatile r1 = NULL;
	char	   *volatile t1 = NULL;
	CpRuleset volatile r2 = NULL;
	char	   *t2;
	void	   *volatile ev = NULL;

	/* what the server hands a type's input function */
	if (size > MaxAllocSize / 2 || !pg_verifymbstr((const char *) data, size, true))
	{
		fuzz_end();
		return 0;
	}
	text = palloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	PG_TRY();
	{
		r1 = cp_parse_policy(text);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		check_not_internal("parsing", text);
	}
	PG_END_TRY();
	if (r1 == NULL)
	{
		fuzz_end();
		return 0;
	}

	PG_TRY();
	{
		t1 = cp_print_policy(r1);
	}
	PG_CATCH();
	{
		fuzz_report_error("print");
		fuzz_fail("a parsed policy does not print; input:\n%s", text);
	}
	PG_END_TRY();

	PG_TRY();
	{
		r2 = cp_parse_policy(t1);
	}
	PG_CATCH();
	{
		fuzz_report_error("re-parse");
		fuzz_fail("canonical text does not parse.\ninput:\n%s\ncanonical:\n%s",
				  text, t1);
	}
	PG_END_TRY();

	if (!fuzz_varlena_equal(r1, r2))
	{
		t2 = cp_print_policy(r2);
		fuzz_fail("parse(print(parse(x))) != parse(x).\ninput:\n%s\ncanonical:\n%s\nreprinted:\n%s",
				  text, t1, t2);
	}
	t2 = cp_print_policy(r2);
	if (strcmp(t1, t2) != 0)
		fuzz_fail("print is not stable.\ncanonical:\n%s\nreprinted:\n%s", t1, t2);

	/* the evaluator's check of stored values accepts what the parser made */
	fuzz_rowtype_from_ruleset(VARDATA(r1), VARSIZE(r1) - VARHDRSZ);
	PG_TRY();
	{
		void	   *cache = NULL;

		ev = cp_eval_prepare(&cache, cxt, PointerGetDatum(r1),
							 FUZZ_ROWTYPE_OID, -1);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		check_not_internal("binding a parsed policy", t1);
	}
	PG_END_TRY();

	if (ev != NULL)
	{
		void	   *evr = ev;
		void	   *evx = NULL;	/* explain's own, as a call site's is */
		int			r;

		for (r = 0; r < FUZZ_N_ROWS; r++)
		{
			FuzzOutcome o[3];

			fuzz_run_path(cxt, (struct varlena *) r1, &evr, FUZZ_PATH_COLUMNS, r, &o[0]);
			fuzz_run_path(cxt, (struct varlena *) r1, &evr, FUZZ_PATH_ROW, r, &o[1]);
			fuzz_run_path(cxt, (struct varlena *) r1, &evx, FUZZ_PATH_EXPLAIN, r, &o[2]);
			fuzz_compare_paths(FUZZ_PATH_COLUMNS, &o[0], FUZZ_PATH_ROW, &o[1], r,
							   (struct varlena *) r1);
			fuzz_compare_paths(FUZZ_PATH_ROW, &o[1], FUZZ_PATH_EXPLAIN, &o[2], r,
							   (struct varlena *) r1);
		}
	}

	fuzz_end();
	return 0;
}
