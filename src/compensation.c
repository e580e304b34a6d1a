/*-------------------------------------------------------------------------
 *
 * compensation.c
 *	  The module: what PostgreSQL needs to load the library.
 *
 * Everything else lives in files of one concern each: the policy language
 * (ruleset_*.c, the binary format in ruleset_format.c), its words (kwlist.h,
 * keywords.c), the award type (award*.c), subjects (subject.c), evaluation
 * (eval_*.c, evaluate*.c), exact arithmetic (exact.c), time zones
 * (timezone.c) and the string pool and quoting that rulesets and awards
 * share (strutil.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "calendar.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * The parser reads shared calendars through a hook (calendar_catalog.c
 * says why), set here, when the library is loaded.
 */
void
_PG_init(void)
{
	cp_calendar_catalog_init();
}
