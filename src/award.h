/*-------------------------------------------------------------------------
 *
 * award.h
 *	  compensation.award: what one row (or, summed, many rows) is owed.
 *
 * An award is a flat varlena: a header, an array of fixed-size lines, and a
 * pool of NUL-terminated strings (rule names, instruments, review reasons)
 * referred to by byte offset.  Lines are kept in the order the rules
 * produced them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_AWARD_H
#define COMPENSATION_AWARD_H

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "datatype/timestamp.h"

/* CpAwardLine.has: which optional fields are set */
#define CP_LINE_AMOUNT		0x01	/* amount */
#define CP_LINE_DAYS		0x02	/* days */
#define CP_LINE_NEW_DATE	0x04	/* new_date */
#define CP_LINE_WINDOW		0x08	/* window_lo, window_hi */
#define CP_LINE_BEARER		0x10	/* note is the bearer (issue 12) */

/*
 * Who bears a line's cost: a partner named by the policy (a concert's
 * promoter, a vendor), or, without CP_LINE_BEARER, the company.  The line
 * layout is what 0.1.0 stored, so the bearer takes the note's slot: a note
 * says why a line that pays nothing (a review) is there, a bearer who pays
 * for a line that costs something, and no line has both (the builder
 * refuses a bearer on a flag or a review).  Read them through these.
 */
#define CpLineNote(l)	(((l)->has & CP_LINE_BEARER) ? -1 : (l)->note)
#define CpLineBearer(l)	(((l)->has & CP_LINE_BEARER) ? (l)->note : -1)

typedef struct CpAwardLine
{
	int32		rule;			/* string offset: rule name */
	int32		instrument;		/* string offset: instrument, item, flag or
								 * column name */
	int32		note;			/* string offset: review reason, or the
								 * bearer (CP_LINE_BEARER), or -1 */
	uint8		kind;			/* CpAwardKind (ruleset.h), EXTEND_* all
								 * shown as "extend" */
	uint8		has;			/* CP_LINE_* */
	uint8		window_kind;	/* CpWindowKind (ruleset.h) */
	uint8		unit;			/* CpUnitKind of amount, 0 if none */
	int32		utc_offset;		/* seconds east of UTC of the policy time
								 * zone at new_date (for display only) */
	int32		days;			/* days extended or granted */
	int64		count;			/* how many lines were summed into this one */
	int64		amount;			/* minor units (money) or whole units (count) */
	TimestampTz new_date;
	TimestampTz window_lo;		/* first instant inside */
	TimestampTz window_hi;		/* first instant after */
} CpAwardLine;

typedef struct CpAwardData
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		n_lines;
	char		currency[4];	/* ISO 4217, NUL-terminated; "" for none */
	int16		exponent;
	int16		pad;
	int32		strings_len;
	/* CpAwardLine lines[n_lines], then strings */
} CpAwardData;

typedef CpAwardData *CpAward;

#define CpAwardLines(aw) \
	((CpAwardLine *) ((char *) (aw) + MAXALIGN(sizeof(CpAwardData))))
#define CpAwardStrings(aw) \
	((char *) (CpAwardLines(aw) + (aw)->n_lines))
#define CpAwardString(aw, off)	(CpAwardStrings(aw) + (off))

#define DatumGetCpAward(d)		((CpAward) PG_DETOAST_DATUM(d))
#define PG_GETARG_CPAWARD(n)	DatumGetCpAward(PG_GETARG_DATUM(n))
#define PG_RETURN_CPAWARD(x)	PG_RETURN_POINTER(x)

/*
 * Building an award: lines are added one at a time, strings copied in; the
 * builder owns its memory in CurrentMemoryContext.
 */
typedef struct CpAwardBuilder
{
	char		currency[4];
	int16		exponent;
	int			n_lines;
	int			max_lines;
	CpAwardLine *lines;
	StringInfoData strings;
} CpAwardBuilder;

extern void cp_award_builder_init(CpAwardBuilder *b, const char *currency,
								  int16 exponent);
/*
 * Copies *line; rule, instrument and note (may be NULL; the bearer when
 * line->has has CP_LINE_BEARER) are copied too.
 * The line is checked (kind, unit, window kind, times in range) and made
 * canonical: fields whose CP_LINE_* bit is clear are zeroed, a count of 0
 * becomes 1, and utc_offset is zeroed when the line has no finite time.
 */
extern void cp_award_builder_add(CpAwardBuilder *b, const CpAwardLine *line,
								 const char *rule, const char *instrument,
								 const char *note);
extern CpAward cp_award_builder_finish(CpAwardBuilder *b);

/*
 * cp_award_builder_add for input functions: a line that fails its check is
 * an error with errcode errc (invalid text or binary representation), not an
 * internal error.
 */
extern void cp_award_builder_add_input(CpAwardBuilder *b, const CpAwardLine *line,
									   const char *rule, const char *instrument,
									   const char *note, int errc);

/*
 * An award made at once from lines that are all known (the evaluator's):
 * the same checks and the same bytes as the builder adding them in order,
 * with one allocation, in CurrentMemoryContext.
 */
typedef struct CpAwardLineRef
{
	const CpAwardLine *line;
	const char *rule;
	const char *instrument;
	const char *note;			/* or NULL */
} CpAwardLineRef;

extern CpAward cp_award_build(const char *currency, int16 exponent,
							  const CpAwardLineRef *refs, int n);

/* An award with no lines, in the given currency. */
extern CpAward cp_award_empty(const char *currency, int16 exponent);

/* award_print.c: the text of an award, and of one line, appended to out. */
extern char *cp_award_print(const CpAwardData *aw);
extern void cp_award_line_text(StringInfo out, const CpAward aw,
							   const CpAwardLine *line);

/*
 * award_print.c: pieces of the text that award_json.c shares: an amount in
 * major units (exactly exponent digits after the point), and a time at a
 * line's UTC offset ("infinity" and "-infinity" spelled so); iso writes the
 * ISO 8601 form ('T', offset always +HH:MM) that PostgreSQL's JSON uses.
 */
extern void cp_award_append_major(StringInfo out, int64 amount, int exponent);
extern void cp_award_append_time(StringInfo out, TimestampTz t, int32 utc_offset,
								 bool iso);

/* award_parse.c: an award from its text; errors are ereport(ERROR). */
extern CpAward cp_award_parse(const char *str);

/*
 * award_parse.c: whether the len bytes at s, a word in award text, cannot
 * be a bare instrument (a keyword of the line, or a count such as x3), so
 * the printer quotes such an instrument.
 */
extern bool cp_award_word_is_keyword(const char *s, int len);

/* The binary (send/recv) form of an award; award_sum.c uses it too. */
extern void cp_award_send_to(StringInfo buf, const CpAwardData *aw);
extern CpAward cp_award_recv_from(StringInfo msg);

#endif							/* COMPENSATION_AWARD_H */
