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

/* "a number", "text", ...: for messages. */
extern const char *cp_param_kind_name(CpParamKind kind);

typedef struct CpParamOverrides CpParamOverrides;

/*
 * The policy text of the override of parameter name, read as a literal of
 * the given kind (an error if the override's JSON type cannot be one), and
 * marked used; NULL if there is none.
 */
extern const char *cp_param_override_take(CpParamOverrides *ov, const char *name,
										  CpParamKind kind);

#endif							/* COMPENSATION_RULESET_PARAMS_H */
