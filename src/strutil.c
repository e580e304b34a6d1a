/*-------------------------------------------------------------------------
 *
 * strutil.c
 *	  String helpers shared by the ruleset and the award code (strutil.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "strutil.h"

int32
cp_pool_add(StringInfo pool, const char *s, int len)
{
	int32		off = pool->len;

	appendBinaryStringInfo(pool, s, len);
	appendStringInfoChar(pool, '\0');
	return off;
}

void
cp_append_quoted(StringInfo out, const char *s, char quote)
{
	appendStringInfoChar(out, quote);
	for (; *s; s++)
	{
		if (*s == quote)
			appendStringInfoChar(out, quote);
		appendStringInfoChar(out, *s);
	}
	appendStringInfoChar(out, quote);
}
