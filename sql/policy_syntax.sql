-- The policy language: what compiles, and every compile error with its
-- line, column and hint.
\set test policy_syntax
\i test/regress_preamble.sql
\set VERBOSITY default

-- The smallest policy: a name and a currency, no rules.
SELECT 'policy "empty" currency KRW'::compensation.ruleset;
SELECT compensation.rule_count('policy "empty" currency KRW');

-- Comments, spacing and header order do not matter; the canonical form is fixed.
SELECT $$
-- a comment
currency   USD   -- trailing comment
policy "spacing"
hit first
rule "r" when a>1 credit cash a*2 end
$$::compensation.ruleset;
SELECT $$policy "spacing" currency USD hit first rule "r" when a > 1 credit cash a * 2 end$$::compensation.ruleset
     OPERATOR(compensation.=) $$currency USD
policy "spacing"
hit first
-- same policy
rule "r"
  when (a > 1)
  credit cash (a) * 2
end$$::compensation.ruleset AS equal;

-- Numbers with underscores, durations, times, windows both ways.
SELECT $$policy "lits" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 04:00 ..< 2025-06-14
rule "r" when t in 2025-06-09 .. 2025-06-13 23:59:59 and n = 99_000.50
  extend t by 1 day
  extend u by 12 hours
  credit deposit n round half_even to 10
end$$::compensation.ruleset;

-- Errors: each names its line and column.
SELECT 'currency KRW'::compensation.ruleset;
SELECT 'policy "p"'::compensation.ruleset;
SELECT 'policy "p" currency XYZ'::compensation.ruleset;
SELECT 'policy "p" currency krw'::compensation.ruleset;
SELECT 'policy "p" currency KRW timezone "Mars/Olympus"'::compensation.ruleset;
SELECT $$policy "p" currency KRW
outage 2025-06-09 .. 2025-06-13
timezone "Asia/Seoul"$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r"
  when service = 'ticket
end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r"
  when show_at in 2025-02-30 .. 2025-03-01
end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" when t = 2025-06-09 25:00 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r"
  credit deposit price *
end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r"
  credit deposit price
$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit deposit sqrt(price) end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit deposit min() end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit deposit round(price, nearest) end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit miles 100 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit cash 1 end
rule "r" credit cash 2 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW hit first hit collect$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
let x = 1
rule "r" let x = 2 credit cash x end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" when end = 1 credit cash 1 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" when t during outage flag late end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW outage 2025-06-13 .. 2025-06-09$$::compensation.ruleset;
SELECT $$policy "p" currency KRW outage 5 .. 6$$::compensation.ruleset;
SELECT $$policy "p" currency KRW
rule "r" credit cash 99999999999999999999 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW rounding floor to 0$$::compensation.ruleset;
SELECT $$policy "p" currency KRW rule "r" credit cash 1 # 2 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW rule "r" when not flag credit cash 1 end$$::compensation.ruleset;
SELECT $$policy "p" currency KRW instrument cash money instrument cash count$$::compensation.ruleset;
SELECT $$policy "" currency KRW$$::compensation.ruleset;
SELECT $$policy "p" currency KRW rule "r" when x = 1 2 end$$::compensation.ruleset;
