-- Accessors on awards: review lines (has, reviews), counted amounts without
-- a currency, and windows in the policy's local time (local_window), which
-- no session setting changes; what 0.1.0 stored reads with them.
\set test award_accessors
\i test/regress_preamble.sql
\set VERBOSITY default
SET search_path = test_award_accessors, compensation;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE TABLE orders (order_id int PRIMARY KEY, service text, loss bigint, price bigint);
INSERT INTO orders VALUES
  (1, 'claim', 250000, NULL),   -- above the tier: only a review
  (2, 'claim', 50000, NULL),    -- within the tier: cash
  (3, 'book', NULL, 18000),     -- points and a claim window
  (4, 'vip', NULL, NULL),       -- a bare review, no reason given in the award text
  (5, 'none', NULL, NULL);      -- nothing
CREATE TABLE p AS SELECT $$
policy "award_accessors/p" currency KRW timezone "Asia/Seoul"
rule "loss" when service = 'claim'
  credit cash tier loss upto 100000 => loss else review 'loss above 100,000' end
end
rule "ship" when service = 'book' credit points 2000 end
rule "return" when service = 'book' flag free_return claim 2025-06-17 .. 2025-06-30 end
rule "pass" when service = 'book' grant crema_pass valid 2025-06-17 ..< 2025-07-01 end
rule "vip" when service = 'vip' review 'VIP: call the customer' end
$$::ruleset AS rules;
CREATE TABLE awards AS SELECT o.order_id, evaluate(p.rules, o) AS a FROM orders o, p;
SELECT order_id, a FROM awards ORDER BY order_id;

-- has(a, 'review') is true for an award that is only a review; the review
-- line stands in for a cash credit, but has(a, 'cash') is false for it and
-- amount(a, 'cash') is 0.
SELECT order_id, has(a, 'review') AS review, has(a, 'cash') AS cash,
       amount(a, 'cash') AS cash_amount, is_empty(a) AS empty
FROM awards ORDER BY order_id;

-- reviews(): why a person is to decide, in line order.
SELECT order_id, reviews(a) FROM awards ORDER BY order_id;
SELECT reviews('{"r": review; "s": review ''second''; "t": flag f}'::award) AS no_reason_is_null;

-- Counted amounts (points) carry no currency and no amount in major units:
-- both describe money, so sum(amount_major) never adds points to won.
SELECT order_id, l.rule, l.instrument, l.amount, l.amount_major, l.currency
FROM awards, lines(a) l WHERE l.amount IS NOT NULL ORDER BY order_id, rule;
SELECT a::jsonb -> 'lines' -> 0 ->> 'unit' AS unit, a::jsonb -> 'lines' -> 0 -> 'amount_major' AS amount_major
FROM awards WHERE order_id = 3;

--
-- Windows in the policy's zone.  lines() gives instants, which PostgreSQL
-- prints in the session's zone; local_window() gives the policy's local
-- times, whatever the session.
--
SELECT l.rule, l.window_kind, l.window_from, l.window_until
FROM awards, lines(a) l WHERE order_id = 3 AND l.window_kind IS NOT NULL ORDER BY rule;
SELECT local_window(a, 'free_return') AS claim, local_window(a, 'crema_pass') AS valid,
       local_window(a, 'points') AS no_window, local_window(a, 'nothing') AS no_line
FROM awards WHERE order_id = 3;
SET TimeZone = 'America/Los_Angeles';
SELECT local_window(a, 'free_return') AS claim_in_another_session FROM awards WHERE order_id = 3;
SELECT l.window_from AS instant_in_another_session FROM awards, lines(a) l
WHERE order_id = 3 AND l.rule = 'return';
-- The JSON writes the same window with the policy's offset.
SELECT a::jsonb -> 'lines' -> 1 -> 'window' AS json_window FROM awards WHERE order_id = 3;
RESET TimeZone;
SET TimeZone = 'UTC';

-- A window across a change of the zone's offset: both ends at the offset
-- of its start (the award keeps one offset per line, as the JSON does):
-- the end reads 23:00 of the 31st, not midnight; the instants stay exact
-- (lines()).
SELECT local_window(evaluate($$policy "award_accessors/dst" currency USD timezone "America/New_York"
  rule "r" flag f claim 2025-03-01 .. 2025-03-31 end$$::ruleset, o), 'f') AS across_dst,
       (SELECT l.window_until FROM lines(evaluate($$policy "award_accessors/dst" currency USD timezone "America/New_York"
  rule "r" flag f claim 2025-03-01 .. 2025-03-31 end$$::ruleset, o)) l) AS until_instant
FROM orders o WHERE order_id = 5;
-- Infinite ends stay infinite; a review line is on no target.
SELECT local_window('JPY {"t": extend d -> infinity claim -infinity ..< 2025-01-01 00:00:00+09}'::award, 'd') AS infinite,
       local_window('KRW {"r": review ''x''}'::award, '') AS review_line;

-- What 0.1.0 stored (sql/00_install.sql kept an award and a ruleset in
-- test_install.kept before the update) reads with the new accessors.
SELECT order_id, award, reviews(award) AS reviews, local_window(award, 'deposit') AS window,
       has(award, 'review') AS review
FROM test_install.kept ORDER BY order_id;
SELECT (rules::jsonb)::ruleset = rules AS stored_ruleset_round_trips FROM test_install.kept ORDER BY order_id;

-- NULL in, NULL out.
SELECT reviews(NULL) IS NULL AS reviews_null, local_window(NULL, 'x') IS NULL AS window_null,
       local_window('KRW {}'::award, NULL) IS NULL AS target_null;
