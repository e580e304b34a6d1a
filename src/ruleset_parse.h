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
#include "pgtime.h"

#include "exact.h"
#include "keywords.h"
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

/* Node deadline is a "due by" deadline: it must not be a known non-time. */
extern void cp_check_deadline(CpBuilder *b, int32 deadline, const Token *at);
/* Node expr names an award's bearer: it must not be a known non-text. */
extern void cp_check_bearer(CpBuilder *b, int32 expr, const Token *at);

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
 * The parser's state.  The grammar is split by concern over
 * ruleset_parse.c (the core) and ruleset_parse_tables.c (the constructs of
 * issue 11: case, between, below, parameters, payout limits); they share
 * the state and the helpers below.
 */
typedef struct Parser
{
	const char *src;
	const char *p;				/* next character to lex */
	int			line;
	const char *line_start;
	Token		tok;			/* the current token */
	CpBuilder	b;
	pg_tz	   *tz;				/* set by "timezone", or UTC at first use */
	bool		tz_used;		/* a date was read with tz */
	int32		rule;			/* rule being parsed, or CP_NONE_IDX */
	bool		uses_outage;	/* "during outage", "by outage", outage_* */
	int			outage_line;
	int			outage_col;
	CpNames    *rule_names;		/* rule name -> rule index */
	CpNames    *let_names;		/* let name -> let index: the policy's lets
								 * and the current rule's (removed at its
								 * "end") */
	CpNames    *instrument_names;	/* declared instrument -> index */
	int			depth;			/* nesting of the expression being parsed */
	MemoryContext cxt;			/* the caller's: the result lives here */
	MemoryContext build_cxt;	/* the builder and the name tables: deleted
								 * once the result is made */
	MemoryContext scratch;		/* everything else (token values, copies of
								 * names, lists): reset at every rule, so a
								 * policy's garbage does not grow with its
								 * rules */
	bool		seen_policy,
				seen_currency,
				seen_timezone,
				seen_hit,
				seen_rounding;
	/* ruleset_parse_tables.c: what-if overrides of parameters, or NULL */
	struct CpParamOverrides *overrides;
	int32		calendar;		/* the let of the policy's calendar, or
								 * CP_NONE_IDX (ruleset_parse_dates.c) */
} Parser;

/*
 * A list of node indexes whose length is known at its end (a tier's steps,
 * an "in" list): a plain array, freed once copied into the builder.  A
 * List of 8,000,000 numbers took twice the memory of their nodes.
 */
typedef struct NodeList
{
	int32	   *items;
	int32		n;
	int32		max;
} NodeList;

/*
 * The helpers the grammar files share (ruleset_parse.c).  Function-like
 * macros give them prefixed external names without renaming every call.
 */
#define syntax_error(ps, expected)	cp_parse_syntax_error(ps, expected)
#define next(ps)					cp_parse_next(ps)
#define is_word(t, w)				cp_parse_is_word(t, w)
#define is_op(t, o)					cp_parse_is_op(t, o)
#define accept_word(ps, w)			cp_parse_accept_word(ps, w)
#define accept_op(ps, o)			cp_parse_accept_op(ps, o)
#define expect_word(ps, w)			cp_parse_expect_word(ps, w)
#define expect_op(ps, o)			cp_parse_expect_op(ps, o)
#define is_reserved(t)				cp_parse_is_reserved(t)
#define word_value(t, words)		cp_parse_word_value(t, words)
#define expect_ident(ps, what)		cp_parse_expect_ident(ps, what)
#define expect_name(ps, what)		cp_parse_expect_name(ps, what)
#define node_at(ps, at, op, a, b, c) cp_parse_node_at(ps, at, op, a, b, c)
#define node(ps, op, a, b, c)		cp_parse_node(ps, op, a, b, c)
#define nest_enter(ps)				cp_parse_nest_enter(ps)
#define nest_leave(ps)				cp_parse_nest_leave(ps)
#define lookup_let(ps, name)		cp_parse_lookup_let(ps, name)
#define nodelist_add(l, item)		cp_parse_nodelist_add(l, item)
#define nodelist_to_args(ps, l)		cp_parse_nodelist_to_args(ps, l)
#define parse_expr(ps)				cp_parse_expr(ps)
#define parse_sum(ps)				cp_parse_sum(ps)
#define parse_let(ps)				cp_parse_let(ps)
#define instrument_unit(ps, at, name) cp_parse_instrument_unit(ps, at, name)

extern void syntax_error(Parser *ps, const char *expected) pg_attribute_noreturn();
extern void next(Parser *ps);
extern bool is_word(const Token *t, const char *word);
extern bool is_op(const Token *t, const char *op);
extern bool accept_word(Parser *ps, const char *word);
extern bool accept_op(Parser *ps, const char *op);
extern void expect_word(Parser *ps, const char *word);
extern void expect_op(Parser *ps, const char *op);
extern bool is_reserved(const Token *t);
extern int	word_value(const Token *t, CpWords words);
extern char *expect_ident(Parser *ps, const char *what);
extern char *expect_name(Parser *ps, const char *what);
extern int32 node_at(Parser *ps, const Token *at, CpOp op, int32 a, int32 b, int32 c);
extern int32 node(Parser *ps, CpOp op, int32 a, int32 b, int32 c);
extern void nest_enter(Parser *ps);
extern void nest_leave(Parser *ps);
extern int32 lookup_let(Parser *ps, const char *name);
extern void nodelist_add(NodeList *l, int32 item);
extern int32 nodelist_to_args(Parser *ps, NodeList *l);
extern int32 parse_expr(Parser *ps);
extern int32 parse_sum(Parser *ps);
extern void parse_let(Parser *ps);
extern CpUnitKind instrument_unit(Parser *ps, const Token *at, const char *name);

/*
 * ruleset_parse_tables.c: the constructs of issue 11, called from the
 * core grammar where each begins.
 */
/* "case" at t was read: a conditional expression. */
extern int32 cp_parse_case(Parser *ps, const Token *case_tok);
/* Is the current word "table" followed by "(": a decision table? */
extern bool cp_dtable_follows(Parser *ps);
/* "table" at table_tok (not yet read): a decision table. */
extern int32 cp_parse_dtable(Parser *ps, const Token *table_tok);
/* After subject: "[not] between LO and HI", or CP_NONE_IDX if none. */
extern int32 cp_parse_between(Parser *ps, int32 subject);
/* "tier" at tier_tok was read: its subject and steps ("upto", "below"). */
extern int32 cp_parse_tier(Parser *ps, const Token *tier_tok);
/* A header line of issue 11 (param, cap, minimum); false if none. */
extern bool cp_parse_table_header(Parser *ps);
/*
 * A reserved word t where a value is expected: a unit word (hours, days,
 * ...) names a column there; any other is an error that says the word is
 * reserved and how to quote it.
 */
extern int32 cp_parse_reserved_value(Parser *ps, const Token *t);

/*
 * The parser, for grammar kept in other files (ruleset_parse.c defines
 * these): the current token and the token tests, the builder, and nodes.
 */
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

/*
 * Reads the shared calendar name from the catalog: its weekend mask and
 * holidays (palloc'd in the caller's memory context, any order); false if
 * there is none of that name.  Set by calendar_catalog.c when the library
 * is loaded; NULL outside the server.
 */
typedef bool (*CpCalendarLookup) (const char *name, uint8 *weekend,
								  DateADT **days, int *n_days);
extern PGDLLIMPORT CpCalendarLookup cp_calendar_lookup_hook;
extern int32 cp_parse_working_days(Parser *ps, int32 count);
extern void cp_parse_need_calendar(Parser *ps, const Token *at);

/*
 * ruleset_parse_due.c: the "due by EXPR" window of an award.
 * cp_due_by_follows: is the current token "due" followed by "by" (so not a
 * column)?  cp_parse_due_by reads the clause into spec.
 */
extern bool cp_due_by_follows(Parser *ps);
extern void cp_parse_due_by(Parser *ps, CpAwardSpec *spec);

/*
 * ruleset_parse_bearer.c: who bears an award line's cost (issue 12).
 * cp_parse_bearer reads "bearer EXPR" after an award of kind kind, if the
 * current word is "bearer"; cp_bearer_follows says whether "bearer" where
 * a grant's optional amount may begin is that clause rather than a column.
 */
extern void cp_parse_bearer(Parser *ps, CpAwardSpec *spec);
extern bool cp_bearer_follows(Parser *ps);

#endif							/* COMPENSATION_RULESET_PARSE_H */
