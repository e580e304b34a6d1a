-- Payout limits (issue 11): "cap INSTRUMENT EXPR" (a row's lines of an
-- instrument total at most EXPR, across rules) and "minimum INSTRUMENT EXPR"
-- (lines that total less are not paid), after rounding.
--
-- The scheme: Deutsche Bahn's passenger rights for season tickets
-- (Fahrgastrechte, Zeitkarten): per delay of 60 minutes or more, EUR 1.50
-- in 2nd class and EUR 2.25 in 1st class; in total at most 25% of the
-- season ticket's price per validity period; amounts under EUR 4 are not
-- paid (the threshold Regulation (EU) 2021/782 Art. 19(8) allows).  The
-- rule "goodwill" is not DB's: an extra EUR 5 line for 10 delays or more,
-- to show the cap across rules.
\set test lang_limits
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

CREATE TABLE months (id int, class int, delays int, season_price numeric);
INSERT INTO months VALUES
	(1, 2, 2, 100),		-- 3.00: under the minimum, nothing
	(2, 2, 3, 100),		-- 4.50
	(3, 2, 20, 100),	-- 30.00 + 5.00, cap 25.00: 30.00 cut to 25.00, goodwill dropped
	(4, 1, 10, 400),	-- 22.50 + 5.00 under the cap 100.00
	(5, 2, 12, 80),		-- 18.00 + 5.00, cap 20.00: goodwill cut to 2.00
	(6, 2, 0, 100),		-- no line
	(7, 2, 20, null),	-- no price: the cap is NULL and limits nothing: 30.00 + 5.00
	(8, 2, 2, null);	-- the minimum still applies: nothing
CREATE TABLE p AS SELECT $$policy "lang_limits/db-season-ticket" currency EUR
cap cash season_price * 25%
minimum cash 4.00
rule "delays-2nd"
  when class = 2 and delays > 0
  credit cash delays * 1.50
end
rule "delays-1st"
  when class = 1 and delays > 0
  credit cash delays * 2.25
end
rule "goodwill"
  when delays >= 10
  credit cash 5
end$$::compensation.ruleset AS r;
SELECT r FROM p;
SELECT m.id, compensation.evaluate(p.r, m) FROM months m, p ORDER BY m.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p;
-- explain applies the same limits, and says what each did to a rule's lines
SELECT m.id, e.rule, e.matched, e.detail, e.award
FROM months m, p, compensation.explain(p.r, m) e
WHERE m.id IN (1, 3, 5) AND e.matched ORDER BY m.id, e.rule_no;
-- the totals of sum() are those of the limited lines
SELECT compensation.sum(compensation.evaluate(p.r, m)) FROM months m, p;

-- a counted instrument, a cap that is a parameter, several instruments:
-- each limit looks at its own instrument only
SELECT compensation.evaluate(compensation.with_params($$policy "lang_limits/points" currency KRW
param max_points = 3000
cap points max_points
rule "a" credit points 2000 credit cash 1000 end
rule "b" credit points 2000 end$$, '{"max_points": 2500}'), m) FROM months m WHERE m.id = 1;

-- errors: at compile time, an unknown instrument (42704), a limit given
-- twice (42710); per row, a limit that is not a number (42804) or not a
-- whole number of minor units at least 0 (22000)
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR cap miles 5'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR cap cash 5 cap cash 6'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR minimum cash'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR cap cash ''x'' rule "r" credit cash 1 end', m) FROM months m$$);
SELECT compensation.evaluate('policy "p" currency EUR cap cash season_price / 3 rule "r" credit cash 1 end', m) FROM months m WHERE id = 1;
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR cap cash season_price / 3 rule "r" credit cash 1 end', m) FROM months m$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR minimum cash -1 rule "r" credit cash 1 end', m) FROM months m$$);
-- a row without lines of the instrument does not read its limit
SELECT compensation.evaluate('policy "p" currency EUR cap cash 1 / 0 rule "r" credit fee 1 end', m) FROM months m WHERE id = 1;
-- cap and minimum are words only at the start of a header line
SELECT $$policy "lang_limits/words" currency EUR rule "r" when cap > minimum credit cash cap end$$::compensation.ruleset;

-- lines whose total passes 2^63 - 1 minor units are above any minimum:
-- both are paid (the total wrapped round to a negative number, under the
-- minimum, and neither was paid)
SELECT compensation.evaluate('policy "p" currency USD minimum cash 1
rule "a" credit cash 92233720368547758.07 end
rule "b" credit cash 92233720368547758.07 end', m) FROM months m WHERE id = 1;
