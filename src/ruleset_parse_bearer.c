/*-------------------------------------------------------------------------
 *
 * ruleset_parse_bearer.c
 *	  Who bears the cost of an award line (issue 12): the grammar
 *
 *		award ... [bearer EXPR]
 *
 * at the end of a credit, waive, extend or grant line.  EXPR is text: a
 * column of the row (the concert's promoter, the vendor), a literal
 * ('YES24 Live'), a let or param, or any text expression; a line whose
 * bearer is NULL or empty is borne by the company, as is every line of a
 * policy that never says "bearer".  A flag or a review costs nothing, so
 * neither names a bearer.
 *
 * "bearer" is not a reserved word: it is read as the clause only where an
 * award line could otherwise end, so a column called bearer still works
 * everywhere else.  The one place an expression may begin there is a
 * grant's optional amount ("grant ticket bearer promoter" against
 * "grant ticket bearer" with a column bearer as the amount); there the
 * word is the clause when what follows cannot continue an expression that
 * starts with a column (cp_bearer_follows), and the printer parenthesizes
 * a grant amount that starts with a column named bearer.
 *
 * In the compiled value the bearer is the spec's "bearer" field, 1 + its
 * node (0, the company, is what every older value holds there): a policy
 * without bearers is the same value, and evaluates at the same cost, as
 * before.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "ruleset_parse.h"

#define BEARER_WORD		(CpKeywordWord(CP_KW_BEARER))

/*
 * The current token is the word "bearer" in a grant's amount position: is
 * it the clause?  It is when the next token begins a value that cannot
 * follow a column in an expression: a 'string', a "name", "(", or a word
 * that is neither reserved (for, round, claim, valid, an operator word:
 * those continue "grant ITEM bearer" with a column amount) nor "bearer".
 */
bool
cp_bearer_follows(Parser *ps)
{
	const char *p = ps->p;
	int			line = ps->line;
	const char *line_start = ps->line_start;
	Token		tok = ps->tok;
	Token	   *t;
	bool		clause;

	if (!is_word(&tok, BEARER_WORD))
		return false;
	/* look one token ahead, then put the lexer back */
	next(ps);
	t = &ps->tok;
	clause = t->kind == TOK_STRING || t->kind == TOK_NAME || is_op(t, "(") ||
		(t->kind == TOK_IDENT && !is_reserved(t) && !is_word(t, BEARER_WORD));
	ps->p = p;
	ps->line = line;
	ps->line_start = line_start;
	ps->tok = tok;
	return clause;
}

void
cp_parse_bearer(Parser *ps, CpAwardSpec *spec)
{
	Token		at;
	int32		expr;

	if (!is_word(&ps->tok, BEARER_WORD))
		return;
	at = ps->tok;
	if (spec->kind == CP_AWARD_FLAG || spec->kind == CP_AWARD_REVIEW)
		cp_error_at(&at, ERRCODE_SYNTAX_ERROR,
					psprintf("a %s line has no bearer",
							 spec->kind == CP_AWARD_FLAG ? "flag" : "review"),
					"A flag or a review costs nothing; name the bearer on the lines that pay (credit, waive, extend, grant).");
	next(ps);
	at = ps->tok;
	expr = parse_sum(ps);
	cp_check_bearer(&ps->b, expr, &at);
	spec->bearer = expr + 1;
}
