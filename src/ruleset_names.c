/*-------------------------------------------------------------------------
 *
 * ruleset_names.c
 *	  The keywords of the policy language for the enums of ruleset.h.
 *
 * The printer spells a ruleset with these, and the parser and the award
 * output use the same spellings, so that a keyword is written in one place.
 * A value outside its enum can only come from a corrupt ruleset: it is an
 * internal error, never a guess.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "ruleset.h"

static const char *const rounding_names[] = {
	[CP_ROUND_HALF_UP] = "half_up",
	[CP_ROUND_HALF_EVEN] = "half_even",
	[CP_ROUND_FLOOR] = "floor",
	[CP_ROUND_CEILING] = "ceiling",
};

static const char *const hit_names[] = {
	[CP_HIT_COLLECT] = "collect",
	[CP_HIT_FIRST] = "first",
	[CP_HIT_UNIQUE] = "unique",
};

static const char *const func_names[] = {
	[CP_FUNC_MIN] = "min",
	[CP_FUNC_MAX] = "max",
	[CP_FUNC_ROUND] = "round",
	[CP_FUNC_HOURS] = "hours",
	[CP_FUNC_DAYS] = "days",
	[CP_FUNC_DAYS_IN_MONTH] = "days_in_month",
	[CP_FUNC_COALESCE] = "coalesce",
	[CP_FUNC_ABS] = "abs",
};

static const char *const builtin_names[] = {
	[CP_BUILTIN_OUTAGE_START] = "outage_start",
	[CP_BUILTIN_OUTAGE_END] = "outage_end",
	[CP_BUILTIN_OUTAGE_HOURS] = "outage_hours",
	[CP_BUILTIN_OUTAGE_DAYS] = "outage_days",
};

static const char *const unit_names[] = {
	[CP_UNIT_DAYS] = "days",
	[CP_UNIT_HOURS] = "hours",
	[CP_UNIT_MINUTES] = "minutes",
};

/* The three extend awards all read "extend". */
static const char *const award_kind_names[] = {
	[CP_AWARD_CREDIT] = "credit",
	[CP_AWARD_WAIVE] = "waive",
	[CP_AWARD_EXTEND_BY] = "extend",
	[CP_AWARD_EXTEND_TO] = "extend",
	[CP_AWARD_EXTEND_OUTAGE] = "extend",
	[CP_AWARD_GRANT] = "grant",
	[CP_AWARD_FLAG] = "flag",
	[CP_AWARD_REVIEW] = "review",
};

/* The name at value in table, or an internal error if it has none. */
static const char *
lookup_name(const char *const *table, int n, int value, const char *what)
{
	if (value < 0 || value >= n || table[value] == NULL)
		elog(ERROR, "unrecognized %s: %d", what, value);
	return table[value];
}

const char *
cp_rounding_name(CpRounding mode)
{
	return lookup_name(rounding_names, lengthof(rounding_names), (int) mode,
					   "rounding mode");
}

const char *
cp_hit_name(CpHit hit)
{
	return lookup_name(hit_names, lengthof(hit_names), (int) hit, "hit policy");
}

const char *
cp_func_name(CpFunc func)
{
	return lookup_name(func_names, lengthof(func_names), (int) func, "function");
}

const char *
cp_builtin_name(CpBuiltin b)
{
	return lookup_name(builtin_names, lengthof(builtin_names), (int) b,
					   "built-in value");
}

const char *
cp_unit_name(CpUnit unit)
{
	return lookup_name(unit_names, lengthof(unit_names), (int) unit,
					   "duration unit");
}

const char *
cp_award_kind_name(CpAwardKind kind)
{
	return lookup_name(award_kind_names, lengthof(award_kind_names), (int) kind,
					   "award kind");
}
