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

/*
 * The parser, for grammar kept in other files (ruleset_parse.c defines
 * these): the current token and the token tests, the builder, and nodes.
 */
typedef struct Parser Parser;

extern Token *cp_parser_token(Parser *ps);
extern void cp_parser_next(Parser *ps);
extern bool cp_parser_is_word(Parser *ps, const char *word);
extern bool cp_parser_accept_word(Parser *ps, const char *word);
extern bool cp_parser_accept_op(Parser *ps, const char *op);
extern void cp_parser_syntax_error(Parser *ps, const char *expected) pg_attribute_noreturn();
extern CpBuilder *cp_parser_builder(Parser *ps);
extern char *cp_parser_expect_name(Parser *ps, const char *what);
extern int32 cp_parser_node_at(Parser *ps, const Token *at, CpOp op,
							   int32 a, int32 b, int32 c);
/* A DATE node for a local day of the policy's zone. */
extern int32 cp_parser_date_node(Parser *ps, DateADT date, const Token *at);
/* The let of the policy's calendar, or CP_NONE_IDX. */
extern int32 cp_parser_calendar(Parser *ps);

/*
 * ruleset_parse_dates.c: calendars and working days.  cp_parse_calendar
 * reads a "calendar" header line (at the word) and returns its let;
 * cp_parse_working_days reads "working days" after count; both raise
 * their errors at the token.  cp_parse_need_calendar: working days are
 * used at token at, so the policy must have declared a calendar.
 */
extern int32 cp_parse_calendar(Parser *ps);
extern int32 cp_parse_working_days(Parser *ps, int32 count);
extern void cp_parse_need_calendar(Parser *ps, const Token *at);

#endif							/* COMPENSATION_RULESET_PARSE_H */
