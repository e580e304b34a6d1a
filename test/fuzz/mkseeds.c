/*-------------------------------------------------------------------------
 *
 * mkseeds.c
 *	  Seed corpus of the fuzz targets, from the texts extract_seeds.pl
 *	  found in the repository:
 *
 *	  mkseeds OUTDIR FILE...
 *
 * For a policy text P (policy-*.txt): OUTDIR/parse/P (the text),
 * OUTDIR/ruleset_recv/P (version byte 1 and the text), and, if P compiles,
 * OUTDIR/ruleset_value/P (the compiled value) and OUTDIR/award_recv/P-rN
 * (the binary form of the award of each test row).  For an award text
 * (award-*.txt) that reads: OUTDIR/award_recv/A (its binary form).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <sys/stat.h>

#include "award.h"
#include "eval.h"
#include "ruleset.h"

#include "fuzz_common.h"

extern Datum compensation_award_in(PG_FUNCTION_ARGS);
extern Datum compensation_award_send(PG_FUNCTION_ARGS);

static const char *outdir;
static int	n_written[4];

static void
write_file(const char *sub, int which, const char *name, const char *prefix,
		   int prefix_len, const char *data, size_t len)
{
	char		path[4096];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, sub);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(prefix, 1, prefix_len, f) != (size_t) prefix_len ||
		fwrite(data, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
	n_written[which]++;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	StringInfoData s;
	char		buf[8192];
	size_t		n;

	if (f == NULL)
	{
		perror(path);
		exit(1);
	}
	initStringInfo(&s);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		appendBinaryStringInfo(&s, buf, n);
	fclose(f);
	*len = s.len;
	return s.data;
}

static void
write_award(const char *name, CpAward aw)
{
	bytea	   *b = (bytea *) DatumGetPointer(fuzz_call1(compensation_award_send,
														 PointerGetDatum(aw)));

	write_file("award_recv", 3, name, "", 0, VARDATA(b), VARSIZE(b) - VARHDRSZ);
}

static void
policy_seeds(const char *base, const char *text, size_t len, MemoryContext cxt)
{
	write_file("parse", 0, base, "", 0, text, len);
	write_file("ruleset_recv", 1, base, "\001", 1, text, len);
	PG_TRY();
	{
		CpRuleset	rs = cp_parse_policy(text);
		void	   *cache = NULL;
		CpEval	   *ev;
		int			r;

		write_file("ruleset_value", 2, base, "", 0, VARDATA(rs), VARSIZE(rs) - VARHDRSZ);
		fuzz_rowtype_from_ruleset(VARDATA(rs), VARSIZE(rs) - VARHDRSZ);
		ev = cp_eval_prepare(&cache, cxt, PointerGetDatum(rs), FUZZ_ROWTYPE_OID, -1);
		for (r = 0; r < FUZZ_N_ROWS; r++)
		{
			NullableDatum values[FUZZ_MAX_ATTS];
			int16		attnos[FUZZ_MAX_ATTS];
			int			n = fuzz_row(r, values, attnos);
			char		name[1024];

			snprintf(name, sizeof(name), "%s-r%d", base, r);
			write_award(name, cp_eval_award_columns(ev, n, attnos, values));
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
	}
	PG_END_TRY();
}

int
main(int argc, char **argv)
{
	int			i;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s OUTDIR FILE...\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0777);
	for (i = 2; i < argc; i++)
	{
		char		stack_base;
		MemoryContext cxt = fuzz_begin(&stack_base);
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		size_t		len;
		char	   *text = read_all(argv[i], &len);

		if (strncmp(base, "award-", 6) == 0)
		{
			PG_TRY();
			{
				write_award(base, (CpAward) DatumGetPointer(
								fuzz_call1(compensation_award_in, CStringGetDatum(text))));
			}
			PG_CATCH();
			{
				MemoryContextSwitchTo(cxt);
			}
			PG_END_TRY();
		}
		else
			policy_seeds(base, text, len, cxt);
		fuzz_end();
	}
	printf("mkseeds: %d parse, %d ruleset_recv, %d ruleset_value, %d award_recv seeds\n",
		   n_written[0], n_written[1], n_written[2], n_written[3]);
	return 0;
}
