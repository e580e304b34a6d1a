/*-------------------------------------------------------------------------
 *
 * shim.h
 *	  What the fuzz harnesses need from the backend shim: set-up, running
 *	  code under an error handler, the last error, and the row type that
 *	  the shim's stand-in catalog lookups answer for.
 *
 * The shim (shim_*.c) replaces, outside the server, the backend functions
 * that the files in src/ call: memory contexts (one malloc per chunk, so that
 * AddressSanitizer sees every overrun), ereport/elog (ERROR longjmps back to
 * the nearest PG_TRY, as in the server), StringInfo, lists, pqformat, the
 * detoast entry points, dates and time zones (through the C library's
 * zoneinfo reader), and the few catalog lookups of binding a policy to a
 * row type.  Pure helpers come from Debian's libpgcommon.a and libpgport.a.
 *
 *-------------------------------------------------------------------------
 */
#ifndef FUZZ_SHIM_H
#define FUZZ_SHIM_H

#include "postgres.h"

/* Call once, before anything else. */
extern void fuzz_shim_init(void);

/*
 * Start one input: a fresh per-input memory context becomes current, the
 * stack base is taken here (check_stack_depth measures from it).  End it:
 * the context is deleted, and anything still allocated outside it is a
 * leak (reported and aborted on: the server would keep it for the life of
 * the backend).
 */
extern MemoryContext fuzz_begin(void *stack_base);
extern void fuzz_end(void);

/* The last ERROR raised: SQLSTATE (as an errcode int), message, where. */
typedef struct FuzzError
{
	int			sqlerrcode;
	char		message[1024];
	const char *filename;
	int			lineno;
	const char *funcname;
} FuzzError;

extern const FuzzError *fuzz_last_error(void);

/* Print a description of the last error to stderr. */
extern void fuzz_report_error(const char *what);

/*
 * The row type that lookup_rowtype_tupdesc() and friends describe: natts
 * attributes with these names and type OIDs (supported: bool, int2, int4,
 * int8, numeric, text, varchar, bpchar, name, date, timestamp,
 * timestamptz, float8).  The arrays are copied.
 */
#define FUZZ_ROWTYPE_OID	900001
#define FUZZ_MAX_ATTS		64
extern void fuzz_set_rowtype(int natts, const char *const *names, const Oid *types);

#endif							/* FUZZ_SHIM_H */
