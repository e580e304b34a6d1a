/*-------------------------------------------------------------------------
 *
 * compensation.c
 *	  The module: what PostgreSQL needs to load the library.
 *
 * Everything else lives in files of one concern each: the policy language
 * (ruleset_*.c, the binary format in ruleset_format.c), the award type
 * (award*.c), evaluation (eval_*.c, evaluate*.c), exact arithmetic
 * (exact.c) and time zones (timezone.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
