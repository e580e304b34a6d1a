/*-------------------------------------------------------------------------
 *
 * calendar_catalog.c
 *	  Shared calendars: the rows of compensation.calendar
 *	  (upgrade/0.1.0--0.2.0/65-calendar-catalog.sql) that a policy names
 *	  with "calendar NAME shared" (ruleset_parse_dates.c).
 *
 * The parser reaches the catalog only through cp_calendar_lookup_hook, set
 * when the library is loaded: the parser itself stays free of SPI, so the
 * fuzz targets, which build it outside the server, link without it (a
 * shared calendar is then an error, not a lookup).
 *
 * The lookup runs when a policy is compiled, never when one is evaluated:
 * the days are compiled into the ruleset (calendar.h), which stays one
 * self-contained immutable value that needs no table on a parallel worker
 * or a Citus node.  It reads the table with the caller's rights (the
 * extension's roles may read it; define_policy reads it as its owner) by
 * a schema-qualified query whose only operator is pg_catalog's, and reads
 * the arrays as datums, so no function that a role defined is run.  A
 * row is checked again here as the table's constraints check it: the
 * catalog is data, and a superuser may have written anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "calendar.h"
#include "ruleset_parse.h"

/* The first and last dates a policy can write (YYYY-MM-DD). */
#define FIRST_DATE	(-730119)	/* 0001-01-01 */
#define LAST_DATE	2921939		/* 9999-12-31 */

static void
bad_row(const char *name, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("calendar \"%s\" in compensation.calendar is not valid", name),
			 errdetail("%s", detail),
			 errhint("Define it again with compensation.define_calendar().")));
}

static bool
calendar_lookup(const char *name, uint8 *weekend, DateADT **days, int *n_days)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		pushed = false;
	bool		found = false;
	int			rc;

	args[0] = CStringGetTextDatum(name);
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* the extension's schema is fixed (compensation.control) */
	rc = SPI_execute_with_args("SELECT c.weekend, c.holidays FROM compensation.calendar c "
							   "WHERE c.name OPERATOR(pg_catalog.=) $1",
							   1, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %d", rc);
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		Datum	   *elems;
		bool	   *nulls;
		int			n,
					i;

		found = true;
		*weekend = 0;
		d = SPI_getbinval(tup, desc, 1, &isnull);
		if (isnull)
			bad_row(name, "Its weekend is null.");
		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (i = 0; i < n; i++)
		{
			char	   *day;
			int			w;

			if (nulls[i])
				bad_row(name, "Its weekend has a null day.");
			day = TextDatumGetCString(elems[i]);
			for (w = 1; w <= 7; w++)
				if (strcmp(day, cp_weekday_word(w)) == 0)
					break;
			if (w > 7)
				bad_row(name, psprintf("\"%s\" is no day of the week.", day));
			*weekend |= 1 << (w - 1);
		}

		d = SPI_getbinval(tup, desc, 2, &isnull);
		if (isnull)
			bad_row(name, "Its holidays are null.");
		deconstruct_array(DatumGetArrayTypeP(d), DATEOID, sizeof(DateADT), true,
						  TYPALIGN_INT, &elems, &nulls, &n);
		*days = MemoryContextAlloc(caller, sizeof(DateADT) * Max(n, 1));
		for (i = 0; i < n; i++)
		{
			DateADT		day;

			CHECK_FOR_INTERRUPTS();
			if (nulls[i])
				bad_row(name, "It has a null holiday.");
			day = DatumGetDateADT(elems[i]);
			if (day < FIRST_DATE || day > LAST_DATE)
				bad_row(name, "It has a holiday outside the years 1 to 9999.");
			(*days)[i] = day;
		}
		*n_days = n;
	}
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
	return found;
}

void
cp_calendar_catalog_init(void)
{
	cp_calendar_lookup_hook = calendar_lookup;
}
