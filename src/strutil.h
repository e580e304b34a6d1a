/*-------------------------------------------------------------------------
 *
 * strutil.h
 *	  String helpers shared by the ruleset and the award code: the string
 *	  pool both binary forms keep their names in, and quoting for their
 *	  text forms.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_STRUTIL_H
#define COMPENSATION_STRUTIL_H

#include "lib/stringinfo.h"

/*
 * A pool of NUL-terminated strings referred to by byte offset (a ruleset's,
 * an award's, the sum aggregate's): appends len bytes of s and a NUL, and
 * returns the offset of the copy.
 */
extern int32 cp_pool_add(StringInfo pool, const char *s, int len);

/*
 * s between quote characters, a quote inside written twice: the one quoting
 * rule of policy text and award text, for names ("...") and strings ('...').
 */
extern void cp_append_quoted(StringInfo out, const char *s, char quote);

#endif							/* COMPENSATION_STRUTIL_H */
