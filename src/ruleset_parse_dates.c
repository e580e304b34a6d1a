/*-------------------------------------------------------------------------
 *
 * ruleset_parse_dates.c
 *	  The grammar of calendars and working days (docs/policy-language.md,
 *	  "Calendars and working days"):
 *
 *		calendar NAME [weekend (none | DAY {, DAY})] [holidays DATE {, DATE}]
 *		calendar NAME shared
 *		EXPR working days
 *
 * A calendar compiles into a policy-level let whose expression is a
 * CP_OP_CALENDAR node (calendar.h says why): its holidays are DATE nodes
 * in ascending order, so the same calendar written in any order is the
 * same value, and its weekend a mask of ISO weekdays.  Months, years and
 * the date functions need no grammar of their own: they are units and
 * functions of the keyword table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/datetime.h"

#include "calendar.h"
#include "keywords.h"
#include "ruleset_parse.h"

/* The ISO weekday a token spells (monday .. sunday), or 0. */
static int
weekday_of(const Token *t)
{
	int			w;

	if (t->kind != TOK_IDENT)
		return 0;
	for (w = 1; w <= 7; w++)
	{
		const char *word = cp_weekday_word(w);

		if ((int) strlen(word) == t->len && pg_strncasecmp(t->start, word, t->len) == 0)
			return w;
	}
	return 0;
}

static int
date_cmp(const void *a, const void *b)
{
	DateADT		x = *(const DateADT *) a,
				y = *(const DateADT *) b;

	return (x > y) - (x < y);
}

static void
append_date(StringInfo out, DateADT d)
{
	int			year,
				month,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	appendStringInfo(out, "%04d-%02d-%02d", year, month, day);
}

/*
 * The hook that reads a shared calendar from the catalog
 * (calendar_catalog.c sets it when the library is loaded); NULL where there
 * is no catalog (the fuzz targets, built outside the server).
 */
CpCalendarLookup cp_calendar_lookup_hook = NULL;

static int32 build_calendar(Parser *ps, const Token *cal_tok, const Token *name_tok,
							const char *name, int weekend, DateADT *days,
							const Token *toks, int n_days);

/*
 * "calendar NAME shared": the days of the calendar of that name in the
 * catalog (compensation.calendar), read now and compiled into the policy as
 * if they had been written here, so the ruleset stays self-contained: it
 * prints as the inline declaration, and a later change to the catalog
 * changes only the policies compiled after it.
 */
/* Errors while the catalog is read (no right to read it...) say where. */
static void
shared_calendar_context(void *arg)
{
	const Token *name_tok = (const Token *) arg;

	errcontext("reading shared calendar \"%s\" at line %d, column %d of policy",
			   name_tok->text, name_tok->line, name_tok->col);
}

static int32
parse_shared_calendar(Parser *ps, const Token *cal_tok, const Token *name_tok,
					  const char *name)
{
	uint8		weekend = 0;
	DateADT    *days = NULL;
	int			n_days = 0;
	Token	   *t;
	ErrorContextCallback context;
	bool		found;

	t = cp_parser_token(ps);
	if (cp_parser_is_word(ps, "weekend") || cp_parser_is_word(ps, "holidays"))
		cp_error_at(t, ERRCODE_SYNTAX_ERROR,
					"a shared calendar takes its weekend and holidays from compensation.calendar",
					"Write either \"calendar NAME shared\" or the days of the calendar, not both.");
	if (cp_calendar_lookup_hook == NULL)
		cp_error_at(name_tok, ERRCODE_FEATURE_NOT_SUPPORTED,
					"shared calendars cannot be read here", NULL);
	context.callback = shared_calendar_context;
	context.arg = (void *) name_tok;
	context.previous = error_context_stack;
	error_context_stack = &context;
	found = cp_calendar_lookup_hook(name, &weekend, &days, &n_days);
	error_context_stack = context.previous;
	if (!found)
		cp_error_at(name_tok, ERRCODE_UNDEFINED_OBJECT,
					psprintf("calendar \"%s\" is not defined", name),
					"Define it with compensation.define_calendar(), or declare its days in the policy: calendar NAME weekend saturday, sunday holidays 2026-12-25.");
	return build_calendar(ps, cal_tok, name_tok, name, weekend, days, NULL, n_days);
}

int32
cp_parse_calendar(Parser *ps)
{
	Token		cal_tok = *cp_parser_token(ps);
	Token		name_tok;
	char	   *name;
	int			weekend = CP_WEEKEND_DEFAULT;
	DateADT    *days = NULL;
	Token	   *toks = NULL;
	int			n_days = 0,
				max_days = 0;

	cp_parser_next(ps);			/* "calendar" */
	name_tok = *cp_parser_token(ps);
	name = cp_parser_expect_name(ps, "a calendar name");

	if (cp_parser_accept_word(ps, "shared"))
		return parse_shared_calendar(ps, &cal_tok, &name_tok, name);

	if (cp_parser_accept_word(ps, "weekend"))
	{
		weekend = 0;
		if (!cp_parser_accept_word(ps, "none"))
		{
			do
			{
				Token	   *t = cp_parser_token(ps);
				int			w = weekday_of(t);

				if (w == 0)
					cp_parser_syntax_error(ps, "a day of the week (monday to sunday) or none");
				if (weekend & (1 << (w - 1)))
					cp_error_at(t, ERRCODE_SYNTAX_ERROR,
								psprintf("%s is given twice", cp_weekday_word(w)),
								"List each weekend day once.");
				weekend |= 1 << (w - 1);
				cp_parser_next(ps);
			} while (cp_parser_accept_op(ps, ","));
			if ((weekend & CP_WEEKEND_ALL) == CP_WEEKEND_ALL)
				cp_error_at(&cal_tok, ERRCODE_INVALID_PARAMETER_VALUE,
							"a calendar needs at least one working day of the week",
							"Leave at least one day out of the weekend.");
		}
	}

	if (cp_parser_accept_word(ps, "holidays"))
	{
		do
		{
			Token	   *t = cp_parser_token(ps);

			if (t->kind != TOK_DATE)
				cp_parser_syntax_error(ps, "a holiday date such as 2026-12-25");
			if (n_days == max_days)
			{
				max_days = max_days ? max_days * 2 : 16;
				days = days ? repalloc(days, sizeof(DateADT) * max_days) :
					palloc(sizeof(DateADT) * max_days);
				toks = toks ? repalloc(toks, sizeof(Token) * max_days) :
					palloc(sizeof(Token) * max_days);
			}
			toks[n_days] = *t;
			days[n_days++] = t->date;
			cp_parser_next(ps);
		} while (cp_parser_accept_op(ps, ","));
	}
	return build_calendar(ps, &cal_tok, &name_tok, name, weekend, days, toks, n_days);
}

/*
 * The calendar's let: its weekend (a mask of ISO weekdays) and its
 * holidays, in any order (toks: where each was written, for the error of
 * one given twice; NULL: at the name).  Shared by the inline declaration
 * and the shared calendar, so both compile to the same value.
 */
static int32
build_calendar(Parser *ps, const Token *cal_tok, const Token *name_tok,
			   const char *name, int weekend, DateADT *days, const Token *toks,
			   int n_days)
{
	CpBuilder  *b = cp_parser_builder(ps);
	int32		first;
	int32		node;
	int32		let;
	CpLet	   *l;
	int			i;

	/* the catalog's rows are checked there too; a shared one is checked again */
	if ((weekend & CP_WEEKEND_ALL) == CP_WEEKEND_ALL)
		cp_error_at(cal_tok, ERRCODE_INVALID_PARAMETER_VALUE,
					"a calendar needs at least one working day of the week",
					"Leave at least one day out of the weekend.");

	/* ascending, so that the order they are written in does not matter */
	for (i = 1; i < n_days && days[i - 1] < days[i]; i++)
		;
	if (i < n_days)
	{
		DateADT    *sorted = palloc(sizeof(DateADT) * n_days);

		memcpy(sorted, days, sizeof(DateADT) * n_days);
		qsort(sorted, n_days, sizeof(DateADT), date_cmp);
		for (i = 1; i < n_days; i++)
			if (sorted[i] == sorted[i - 1])
			{
				StringInfoData msg;
				int			k,
							seen = 0;

				/* point at the second time it is written */
				for (k = 0; toks && k < n_days; k++)
					if (days[k] == sorted[i] && seen++ == 1)
						break;
				initStringInfo(&msg);
				appendStringInfoString(&msg, "holiday ");
				append_date(&msg, sorted[i]);
				appendStringInfoString(&msg, " is given twice");
				cp_error_at(toks ? &toks[k] : name_tok, ERRCODE_DUPLICATE_OBJECT, msg.data,
							"List each holiday once.");
			}
		days = sorted;
	}

	first = cp_builder_args(b, n_days);
	for (i = 0; i < n_days; i++)
	{
		int32		d = cp_parser_date_node(ps, days[i], cal_tok);

		*CpBuilderArg(b, first + i) = d;
	}
	node = cp_parser_node_at(ps, cal_tok, CP_OP_CALENDAR, first, weekend, n_days);
	let = cp_builder_let(b);
	l = CpBuilderLet(b, let);
	l->name = cp_builder_string(b, name, strlen(name));
	l->expr = node;
	l->rule = CP_NONE_IDX;
	return let;
}

void
cp_parse_need_calendar(Parser *ps, const Token *at)
{
	if (cp_parser_calendar(ps) == CP_NONE_IDX)
		cp_error_at(at, ERRCODE_UNDEFINED_OBJECT,
					"working days need a calendar",
					"Declare the policy's calendar above, for example: calendar \"england\" weekend saturday, sunday holidays 2026-12-25, 2026-12-28");
}

int32
cp_parse_working_days(Parser *ps, int32 count)
{
	Token		at = *cp_parser_token(ps);

	cp_parser_next(ps);			/* "working" */
	if (!cp_parser_accept_word(ps, "days") && !cp_parser_accept_word(ps, "day"))
		cp_parser_syntax_error(ps, "\"days\" after \"working\"");
	cp_parse_need_calendar(ps, &at);
	return cp_parser_node_at(ps, &at, CP_OP_DURATION, count, CP_UNIT_WORKING_DAYS,
							 CP_NONE_IDX);
}
