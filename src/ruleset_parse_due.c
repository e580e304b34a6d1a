/*-------------------------------------------------------------------------
 *
 * ruleset_parse_due.c
 *	  The grammar of the "due by" window of an award
 *	  (docs/policy-language.md, "Due by: a deadline for paying"):
 *
 *		credit INSTR EXPR [rounding] due by EXPR
 *		grant ITEM [EXPR] [for EXPR] [rounding] due by EXPR
 *		flag NAME due by EXPR
 *
 * "due" is not reserved: columns named "due" are common (an invoice's due
 * date), and existing policies read them bare.  So "due" is the window only
 * when "by" follows it.  That matters after "grant ITEM", whose amount is
 * optional: in "grant voucher due by shipped_at + 14 days" the word "due"
 * must not be read as the amount.  "by" is reserved and can follow a value
 * nowhere else, so the two words together are never a column: one token of
 * lookahead decides.  (A single word "due" made "grant voucher due ts .."
 * ambiguous, and reserving it broke policies with a column "due".)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "ruleset_parse.h"

/*
 * Is the current token the word "due" with the word "by" after it?  Looks
 * at the text after the token without lexing it, across white space and
 * comments, so the parser's state does not move.
 */
bool
cp_due_by_follows(Parser *ps)
{
	const char *q = ps->p;

	if (!is_word(&ps->tok, "due"))
		return false;
	for (;;)
	{
		if (isspace((unsigned char) *q))
			q++;
		else if (q[0] == '-' && q[1] == '-')
		{
			while (*q != '\0' && *q != '\n')
				q++;
		}
		else
			break;
	}
	return pg_strncasecmp(q, "by", 2) == 0 &&
		!(isalnum((unsigned char) q[2]) || q[2] == '_');
}

/*
 * "due by EXPR" at the current token (cp_due_by_follows is true): the
 * deadline, a date or time that bounds the award's window from above.  It
 * binds like a sum, as the ends of the other windows do.
 */
void
cp_parse_due_by(Parser *ps, CpAwardSpec *spec)
{
	Token		at;

	next(ps);					/* "due" */
	expect_word(ps, "by");
	at = ps->tok;
	spec->window_kind = CP_WINDOW_DUE;
	spec->window_lo = CP_NONE_IDX;
	spec->window_hi = parse_sum(ps);
	cp_check_deadline(&ps->b, spec->window_hi, &at);
	spec->window_exclusive = 0;
}
