/*-------------------------------------------------------------------------
 *
 * keywords.h
 *	  The keyword table (kwlist.h) and the words of the ruleset's enums.
 *
 * Every reader and writer of words goes through here: the policy parser
 * (what is reserved, which word is which rounding mode, function, unit...),
 * the policy printer, the award text's printer and parser (the award kinds,
 * which instrument names need quotes) and lines().  A word is spelled in
 * kwlist.h only; which enum value it stands for is said once, in
 * keywords.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COMPENSATION_KEYWORDS_H
#define COMPENSATION_KEYWORDS_H

#include "ruleset.h"

/* The categories of kwlist.h */
#define CP_UNRESERVED	0
#define CP_RESERVED		1
#define CP_BARE			0
#define CP_QUOTED		1

typedef enum CpKeyword
{
	CP_NOT_KEYWORD = 0,
#define CP_KEYWORD(word, symbol, policy, award) CP_KW_##symbol,
#include "kwlist.h"
#undef CP_KEYWORD
	CP_NUM_KEYWORDS					/* one past the last */
} CpKeyword;

typedef struct CpKeywordInfo
{
	const char *word;
	uint8		len;
	bool		reserved;		/* CP_RESERVED in a policy */
	bool		award_quoted;	/* CP_QUOTED as an award instrument */
} CpKeywordInfo;

/* Indexed by CpKeyword; entry CP_NOT_KEYWORD has no word. */
extern const CpKeywordInfo cp_keywords[CP_NUM_KEYWORDS];

#define CpKeywordWord(kw)	(cp_keywords[(kw)].word)

/*
 * The keyword spelled by the len bytes at s, or CP_NOT_KEYWORD.  fold_case:
 * ignore ASCII case, as the policy language does (award text does not).
 */
extern CpKeyword cp_keyword_lookup(const char *s, int len, bool fold_case);

/* Can the len bytes at s not name a column, let or instrument in a policy? */
extern bool cp_keyword_is_reserved(const char *s, int len);

/* The characters of a bare word, in award text. */
static inline bool
cp_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool
cp_word_char(char c)
{
	return cp_word_start(c) || (c >= '0' && c <= '9');
}

/*
 * The words of an enum of ruleset.h.  cp_word_name is the word for a value
 * (an internal error if it has none: only a corrupt value can ask); the
 * cp_*_name functions of ruleset.h are its shorthands.  cp_word_value is the
 * value a word stands for, 0 if none; where several values share a word
 * (the three extend kinds) it is the first.
 */
typedef enum CpWords
{
	CP_WORDS_ROUNDING,			/* CpRounding */
	CP_WORDS_HIT,				/* CpHit */
	CP_WORDS_FUNC,				/* CpFunc */
	CP_WORDS_BUILTIN,			/* CpBuiltin */
	CP_WORDS_UNIT,				/* CpUnit, plural: "days" */
	CP_WORDS_UNIT_ONE,			/* CpUnit, singular: "day" */
	CP_WORDS_AWARD_KIND,		/* CpAwardKind: credit, waive, extend, ... */
	CP_WORDS_WINDOW_KIND,		/* CpWindowKind: claim, valid */
	CP_WORDS_UNIT_KIND			/* CpUnitKind: money, count */
} CpWords;

extern const char *cp_word_name(CpWords words, int value);
extern int	cp_word_value(CpWords words, const char *s, int len, bool fold_case);

#endif							/* COMPENSATION_KEYWORDS_H */
