/*-------------------------------------------------------------------------
 *
 * ruleset_params.h
 *	  What-if parameters (issue 12): "param NAME = LITERAL" in a policy, and
 *	  the overrides compensation.with_params() gives the parser.
 *
 * with_params() prints the ruleset, and parses that text again with the
 * overrides: each parameter's literal is replaced by the override's, read
 * and checked as a literal of the same kind.  So the result is the value
 * the policy would have with that text, equal byte for byte, and every
 * other function reads it unchanged.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_RULESET_PARAMS_H
#define COMPENSATION_RULESET_PARAMS_H

/* The kinds of literal a parameter may have. */
typedef enum CpParamKind
{
	CP_PARAM_NUMBER = 1,		/* 1.3, -5, 130% */
	CP_PARAM_TEXT,				/* 'economy' */
	CP_PARAM_BOOL,				/* true, false */
	CP_PARAM_TIME,				/* 2025-07-01, 2025-07-01 12:00 */
	CP_PARAM_DURATION			/* 7 days, 12 hours */
} CpParamKind;

/* "a number", "text", ...: for messages (ruleset_parse_tables.c). */
extern const char *cp_param_kind_name(CpParamKind kind);

/*
 * The overrides, as with_params() read them from its JSON object: each
 * value's JSON type and text (a number's digits, a string's characters,
 * true or false).  Plain C, so that the parser (ruleset_parse_tables.c)
 * needs nothing of jsonb.
 */
typedef enum CpParamJsonType
{
	CP_PJ_NUMBER = 1,
	CP_PJ_STRING,
	CP_PJ_BOOL,
	CP_PJ_NULL,
	CP_PJ_OTHER					/* an array or an object */
} CpParamJsonType;

typedef struct CpParamOverride
{
	char	   *name;
	CpParamJsonType type;
	char	   *text;
	bool		used;
} CpParamOverride;

typedef struct CpParamOverrides
{
	int			n;
	CpParamOverride *items;
} CpParamOverrides;

/*
 * The policy text of the override of parameter name, read as a literal of
 * the given kind (an error if the override's JSON type cannot be one), and
 * marked used; NULL if there is none (ruleset_parse_tables.c).
 */
extern const char *cp_param_override_take(CpParamOverrides *ov, const char *name,
										  CpParamKind kind);

#endif							/* COMPENSATION_RULESET_PARAMS_H */
