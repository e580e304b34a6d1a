/*-------------------------------------------------------------------------
 *
 * keywords.c
 *	  The keyword table, and which enum value of ruleset.h each word is.
 *
 * The words themselves are in kwlist.h; the maps below name them by symbol,
 * so the policy parser and printer, the award text's parser and printer and
 * lines() all spell a word the same way.  A value outside its enum can only
 * come from a corrupt ruleset or award: it is an internal error, never a
 * guess.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "keywords.h"

const CpKeywordInfo cp_keywords[CP_NUM_KEYWORDS] = {
	[CP_NOT_KEYWORD] = {NULL, 0, false, false},
#define CP_KEYWORD(word, symbol, policy, award) \
	[CP_KW_##symbol] = {word, sizeof(word) - 1, (policy) == CP_RESERVED, (award) == CP_QUOTED},
#include "kwlist.h"
#undef CP_KEYWORD
};

static const CpKeyword rounding_words[] = {
	[CP_ROUND_HALF_UP] = CP_KW_HALF_UP,
	[CP_ROUND_HALF_EVEN] = CP_KW_HALF_EVEN,
	[CP_ROUND_FLOOR] = CP_KW_FLOOR,
	[CP_ROUND_CEILING] = CP_KW_CEILING,
};

static const CpKeyword hit_words[] = {
	[CP_HIT_COLLECT] = CP_KW_COLLECT,
	[CP_HIT_FIRST] = CP_KW_FIRST,
	[CP_HIT_UNIQUE] = CP_KW_UNIQUE,
};

static const CpKeyword func_words[] = {
	[CP_FUNC_MIN] = CP_KW_MIN,
	[CP_FUNC_MAX] = CP_KW_MAX,
	[CP_FUNC_ROUND] = CP_KW_ROUND,
	[CP_FUNC_HOURS] = CP_KW_HOURS,
	[CP_FUNC_DAYS] = CP_KW_DAYS,
	[CP_FUNC_DAYS_IN_MONTH] = CP_KW_DAYS_IN_MONTH,
	[CP_FUNC_COALESCE] = CP_KW_COALESCE,
	[CP_FUNC_ABS] = CP_KW_ABS,
	[CP_FUNC_DATE] = CP_KW_DATE,
	[CP_FUNC_WORKING_DAYS] = CP_KW_WORKING_DAYS,
	[CP_FUNC_YEAR] = CP_KW_YEAR,
	[CP_FUNC_MONTH] = CP_KW_MONTH,
	[CP_FUNC_DAY] = CP_KW_DAY,
	[CP_FUNC_WEEKDAY] = CP_KW_WEEKDAY,
	[CP_FUNC_HOUR] = CP_KW_HOUR,
	[CP_FUNC_LOWER] = CP_KW_LOWER,
	[CP_FUNC_STARTS_WITH] = CP_KW_STARTS_WITH,
	[CP_FUNC_CONTAINS] = CP_KW_CONTAINS,
};

static const CpKeyword builtin_words[] = {
	[CP_BUILTIN_OUTAGE_START] = CP_KW_OUTAGE_START,
	[CP_BUILTIN_OUTAGE_END] = CP_KW_OUTAGE_END,
	[CP_BUILTIN_OUTAGE_HOURS] = CP_KW_OUTAGE_HOURS,
	[CP_BUILTIN_OUTAGE_DAYS] = CP_KW_OUTAGE_DAYS,
};

static const CpKeyword unit_words[] = {
	[CP_UNIT_DAYS] = CP_KW_DAYS,
	[CP_UNIT_HOURS] = CP_KW_HOURS,
	[CP_UNIT_MINUTES] = CP_KW_MINUTES,
	[CP_UNIT_MONTHS] = CP_KW_MONTHS,
	[CP_UNIT_YEARS] = CP_KW_YEARS,
	[CP_UNIT_WORKING_DAYS] = CP_KW_DAYS,	/* printed "working days" */
};

static const CpKeyword unit_one_words[] = {
	[CP_UNIT_DAYS] = CP_KW_DAY,
	[CP_UNIT_HOURS] = CP_KW_HOUR,
	[CP_UNIT_MINUTES] = CP_KW_MINUTE,
	[CP_UNIT_MONTHS] = CP_KW_MONTH,
	[CP_UNIT_YEARS] = CP_KW_YEAR,
	[CP_UNIT_WORKING_DAYS] = CP_KW_DAY,	/* printed "working day" */
};

/* The three extend awards all read "extend". */
static const CpKeyword award_kind_words[] = {
	[CP_AWARD_CREDIT] = CP_KW_CREDIT,
	[CP_AWARD_WAIVE] = CP_KW_WAIVE,
	[CP_AWARD_EXTEND_BY] = CP_KW_EXTEND,
	[CP_AWARD_EXTEND_TO] = CP_KW_EXTEND,
	[CP_AWARD_EXTEND_OUTAGE] = CP_KW_EXTEND,
	[CP_AWARD_GRANT] = CP_KW_GRANT,
	[CP_AWARD_FLAG] = CP_KW_FLAG,
	[CP_AWARD_REVIEW] = CP_KW_REVIEW,
};

static const CpKeyword window_kind_words[] = {
	[CP_WINDOW_CLAIM] = CP_KW_CLAIM,
	[CP_WINDOW_VALID] = CP_KW_VALID,
	[CP_WINDOW_DUE] = CP_KW_DUE,
};

static const CpKeyword unit_kind_words[] = {
	[CP_INSTR_MONEY] = CP_KW_MONEY,
	[CP_INSTR_COUNT] = CP_KW_COUNT,
};

/* Indexed by CpWords. */
static const struct
{
	const CpKeyword *map;		/* enum value -> keyword, CP_NOT_KEYWORD for
								 * none */
	int			n;
	const char *what;			/* for the internal error */
}			word_sets[] = {
	[CP_WORDS_ROUNDING] = {rounding_words, lengthof(rounding_words), "rounding mode"},
	[CP_WORDS_HIT] = {hit_words, lengthof(hit_words), "hit policy"},
	[CP_WORDS_FUNC] = {func_words, lengthof(func_words), "function"},
	[CP_WORDS_BUILTIN] = {builtin_words, lengthof(builtin_words), "built-in value"},
	[CP_WORDS_UNIT] = {unit_words, lengthof(unit_words), "duration unit"},
	[CP_WORDS_UNIT_ONE] = {unit_one_words, lengthof(unit_one_words), "duration unit"},
	[CP_WORDS_AWARD_KIND] = {award_kind_words, lengthof(award_kind_words), "award kind"},
	[CP_WORDS_WINDOW_KIND] = {window_kind_words, lengthof(window_kind_words), "award window kind"},
	[CP_WORDS_UNIT_KIND] = {unit_kind_words, lengthof(unit_kind_words), "instrument unit"},
};

/* Byte order of the len bytes at s against word, as strncmp/strcmp. */
static int
word_order(const char *s, int len, const char *word, bool fold_case)
{
	int			c = fold_case ? pg_strncasecmp(s, word, len) : strncmp(s, word, len);

	return c != 0 ? c : (word[len] == '\0' ? 0 : -1);
}

CpKeyword
cp_keyword_lookup(const char *s, int len, bool fold_case)
{
	int			lo = 1,
				hi = CP_NUM_KEYWORDS;	/* [lo, hi): kwlist.h is sorted */
#ifdef USE_ASSERT_CHECKING
	static bool checked = false;
	int			i;

	for (i = 2; !checked && i < CP_NUM_KEYWORDS; i++)
		Assert(strcmp(cp_keywords[i - 1].word, cp_keywords[i].word) < 0);
	checked = true;
#endif

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = word_order(s, len, cp_keywords[mid].word, fold_case);

		if (c == 0)
			return (CpKeyword) mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return CP_NOT_KEYWORD;
}

bool
cp_keyword_is_reserved(const char *s, int len)
{
	return cp_keywords[cp_keyword_lookup(s, len, true)].reserved;
}

const char *
cp_word_name(CpWords words, int value)
{
	if (value <= 0 || value >= word_sets[words].n ||
		word_sets[words].map[value] == CP_NOT_KEYWORD)
		elog(ERROR, "unrecognized %s: %d", word_sets[words].what, value);
	return cp_keywords[word_sets[words].map[value]].word;
}

/*
 * A linear scan: the sets are small, and the parser asks at many tokens
 * that are none of the words, so the first letter is compared first.
 */
int
cp_word_value(CpWords words, const char *s, int len, bool fold_case)
{
	char		first;
	int			value;

	if (len <= 0)
		return 0;
	first = fold_case ? pg_ascii_tolower((unsigned char) s[0]) : s[0];
	for (value = 1; value < word_sets[words].n; value++)
	{
		const CpKeywordInfo *kw = &cp_keywords[word_sets[words].map[value]];

		if (kw->word != NULL && kw->len == len && kw->word[0] == first &&
			word_order(s, len, kw->word, fold_case) == 0)
			return value;
	}
	return 0;
}

const char *
cp_rounding_name(CpRounding mode)
{
	return cp_word_name(CP_WORDS_ROUNDING, (int) mode);
}

const char *
cp_hit_name(CpHit hit)
{
	return cp_word_name(CP_WORDS_HIT, (int) hit);
}

const char *
cp_func_name(CpFunc func)
{
	return cp_word_name(CP_WORDS_FUNC, (int) func);
}

const char *
cp_builtin_name(CpBuiltin b)
{
	return cp_word_name(CP_WORDS_BUILTIN, (int) b);
}

const char *
cp_unit_name(CpUnit unit)
{
	return cp_word_name(CP_WORDS_UNIT, (int) unit);
}

const char *
cp_award_kind_name(CpAwardKind kind)
{
	return cp_word_name(CP_WORDS_AWARD_KIND, (int) kind);
}
