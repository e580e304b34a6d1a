/*-------------------------------------------------------------------------
 *
 * ruleset_parse.h
 *	  Private to the policy compiler: the tokens of the lexer, and the checks
 *	  that ruleset_check.c makes on the nodes the parser builds.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_PARSE_H
#define COMPENSATION_RULESET_PARSE_H

#include "utils/date.h"

#include "exact.h"
#include "ruleset_build.h"

typedef enum TokKind
{
	TOK_EOF,
	TOK_IDENT,					/* identifiers and keywords */
	TOK_NAME,					/* "double quoted" */
	TOK_STRING,					/* 'single quoted' */
	TOK_NUMBER,
	TOK_DATE,
	TOK_TIMESTAMP,
	TOK_OP						/* punctuation and operators */
} TokKind;

typedef struct Token
{
	TokKind		kind;
	const char *start;			/* in the source */
	int			len;
	int			line;
	int			col;
	char	   *text;			/* NAME, STRING: unquoted value */
	int64		mantissa;		/* NUMBER: value is mantissa / 10^scale */
	int32		scale;
	DateADT		date;			/* DATE, TIMESTAMP */
	int64		usecs;			/* TIMESTAMP: since local midnight */
} Token;

/* "MSG at line L, column C of policy", the token found, and the hint. */
extern void cp_error_at(const Token *t, int sqlstate, const char *msg,
						const char *hint) pg_attribute_noreturn();

/*
 * ruleset_check.c.  Node n of the builder was just made, its children
 * before it: set its height and static kind (in its pad field), raising a
 * type error the evaluator would raise for every row, or the depth limit,
 * at token at.
 */
extern void cp_check_node(CpBuilder *b, int32 n, const Token *at);

/* Node cond is read as a condition: it must not be a known non-boolean. */
extern void cp_check_condition(CpBuilder *b, int32 cond, const Token *at);

/* Nesting past CP_MAX_DEPTH (54000), at token at. */
extern void cp_check_depth_error(const Token *at) pg_attribute_noreturn();

/* The highest constant bound of a tier so far; zeroed before the first. */
typedef struct CpConstBound
{
	int			kind;			/* a static kind; 0 before the first */
	CpRational	num;			/* a number */
	int64		value;			/* a time: end of its span; a duration:
								 * days or microseconds */
	CpUnit		unit;			/* a duration: CP_UNIT_DAYS or the others */
} CpConstBound;

/* The next bound of a tier must be above every constant bound before it. */
extern void cp_check_tier_bound(CpBuilder *b, CpConstBound *top, int32 bound,
								const Token *at);

/* Is zone a name from the IANA tz database (and not "localtime")? */
extern bool cp_iana_zone_name(const char *zone);

#endif							/* COMPENSATION_RULESET_PARSE_H */
