/*-------------------------------------------------------------------------
 *
 * kwlist.h
 *	  Every word of the policy language and of the award text, once.
 *
 * As PostgreSQL's kwlist.h, this file has no include guard: it is meant to
 * be included several times, each time with a different definition of
 *
 *		CP_KEYWORD(word, symbol, policy, award)
 *
 *	word	the keyword, lower case (the policy language ignores case, the
 *			award text does not)
 *	symbol	its CpKeyword is CP_KW_<symbol> (keywords.h)
 *	policy	CP_RESERVED: cannot name a column, let or instrument in a
 *			policy; CP_UNRESERVED: a keyword only where the grammar expects
 *			it (a rounding mode, a function name)
 *	award	CP_QUOTED: an instrument of that name is written in double
 *			quotes in award text, where the bare word has a meaning of its
 *			own; CP_BARE: it may stand bare
 *
 * The list must stay sorted by word (in ASCII order): keywords.c searches it
 * by halves.  Which enum value a word stands for (a rounding mode, an award
 * kind, ...) is said in keywords.c, by symbol, so no word is spelled twice.
 *
 *-------------------------------------------------------------------------
 */

/* there is deliberately not an #ifndef COMPENSATION_KWLIST_H here */

CP_KEYWORD("abs", ABS, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("and", AND, CP_RESERVED, CP_BARE)
CP_KEYWORD("any", ANY, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("below", BELOW, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("between", BETWEEN, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("by", BY, CP_RESERVED, CP_QUOTED)
CP_KEYWORD("cap", CAP, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("case", CASE, CP_RESERVED, CP_BARE)
CP_KEYWORD("ceiling", CEILING, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("claim", CLAIM, CP_RESERVED, CP_QUOTED)
CP_KEYWORD("coalesce", COALESCE, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("collect", COLLECT, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("column", COLUMN, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("contains", CONTAINS, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("count", COUNT, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("credit", CREDIT, CP_RESERVED, CP_BARE)
CP_KEYWORD("currency", CURRENCY, CP_RESERVED, CP_BARE)
CP_KEYWORD("day", DAY, CP_RESERVED, CP_BARE)
CP_KEYWORD("days", DAYS, CP_RESERVED, CP_BARE)
CP_KEYWORD("days_in_month", DAYS_IN_MONTH, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("during", DURING, CP_RESERVED, CP_BARE)
CP_KEYWORD("else", ELSE, CP_RESERVED, CP_BARE)
CP_KEYWORD("end", END, CP_RESERVED, CP_BARE)
CP_KEYWORD("extend", EXTEND, CP_RESERVED, CP_BARE)
CP_KEYWORD("false", FALSE, CP_RESERVED, CP_BARE)
CP_KEYWORD("first", FIRST, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("flag", FLAG, CP_RESERVED, CP_BARE)
CP_KEYWORD("floor", FLOOR, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("for", FOR, CP_RESERVED, CP_BARE)
CP_KEYWORD("grant", GRANT, CP_RESERVED, CP_BARE)
CP_KEYWORD("half_even", HALF_EVEN, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("half_up", HALF_UP, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("hit", HIT, CP_RESERVED, CP_BARE)
CP_KEYWORD("hour", HOUR, CP_RESERVED, CP_BARE)
CP_KEYWORD("hours", HOURS, CP_RESERVED, CP_BARE)
CP_KEYWORD("in", IN, CP_RESERVED, CP_BARE)
CP_KEYWORD("instrument", INSTRUMENT, CP_RESERVED, CP_BARE)
CP_KEYWORD("is", IS, CP_RESERVED, CP_BARE)
CP_KEYWORD("let", LET, CP_RESERVED, CP_BARE)
CP_KEYWORD("lower", LOWER, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("max", MAX, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("min", MIN, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("minimum", MINIMUM, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("minor", MINOR, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("minute", MINUTE, CP_RESERVED, CP_BARE)
CP_KEYWORD("minutes", MINUTES, CP_RESERVED, CP_BARE)
CP_KEYWORD("money", MONEY, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("none", NONE, CP_RESERVED, CP_BARE)
CP_KEYWORD("not", NOT, CP_RESERVED, CP_BARE)
CP_KEYWORD("null", NULL, CP_RESERVED, CP_BARE)
CP_KEYWORD("or", OR, CP_RESERVED, CP_BARE)
CP_KEYWORD("outage", OUTAGE, CP_RESERVED, CP_BARE)
CP_KEYWORD("outage_days", OUTAGE_DAYS, CP_RESERVED, CP_BARE)
CP_KEYWORD("outage_end", OUTAGE_END, CP_RESERVED, CP_BARE)
CP_KEYWORD("outage_hours", OUTAGE_HOURS, CP_RESERVED, CP_BARE)
CP_KEYWORD("outage_start", OUTAGE_START, CP_RESERVED, CP_BARE)
CP_KEYWORD("param", PARAM, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("policy", POLICY, CP_RESERVED, CP_BARE)
CP_KEYWORD("review", REVIEW, CP_RESERVED, CP_BARE)
CP_KEYWORD("round", ROUND, CP_RESERVED, CP_BARE)
CP_KEYWORD("rounding", ROUNDING, CP_RESERVED, CP_BARE)
CP_KEYWORD("rule", RULE, CP_RESERVED, CP_BARE)
CP_KEYWORD("starts_with", STARTS_WITH, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("table", TABLE, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("then", THEN, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("tier", TIER, CP_RESERVED, CP_BARE)
CP_KEYWORD("timezone", TIMEZONE, CP_RESERVED, CP_BARE)
CP_KEYWORD("to", TO, CP_RESERVED, CP_QUOTED)
CP_KEYWORD("true", TRUE, CP_RESERVED, CP_BARE)
CP_KEYWORD("unique", UNIQUE, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("unit", UNIT, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("units", UNITS, CP_UNRESERVED, CP_BARE)
CP_KEYWORD("upto", UPTO, CP_RESERVED, CP_BARE)
CP_KEYWORD("valid", VALID, CP_RESERVED, CP_QUOTED)
CP_KEYWORD("waive", WAIVE, CP_RESERVED, CP_BARE)
CP_KEYWORD("when", WHEN, CP_RESERVED, CP_BARE)
