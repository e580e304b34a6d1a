-- compensation.diff() and diff_totals(): what a new version of a policy
-- changes over a table, per subject and in total, before it is published.
\set test diff
\i test/regress_preamble.sql
SET TimeZone = 'UTC';
SET DateStyle = ISO;
\set round1 `cat examples/yes24/yes24-round1.policy`
SELECT compensation.define_policy(replace(:'round1', 'policy "yes24-round1"',
	'policy "diff/yes24-round1"')) AS v1;
SELECT compensation.publish('diff/yes24-round1') AS published;
-- Version 2: tickets at 130% instead of 120%, e-book rentals +7 days
-- instead of +5, and no more points for late shipping; a new rule
-- for vendor deliveries.
SELECT compensation.define_policy(replace(replace(replace(replace(:'round1',
	'policy "yes24-round1"', 'policy "diff/yes24-round1"'),
	'param ticket_rate = 120%', 'param ticket_rate = 130%'),
	'extend rental_end by 5 days', 'extend rental_end by 7 days'),
	'credit points 2000', 'credit points 0')
	|| $$
rule "R2-vendor-points"
  when service = 'book' and delivery = 'vendor'
  credit points 500
end
$$) AS v2;

CREATE TABLE orders (order_id bigint PRIMARY KEY, member_id bigint, service text, price bigint,
	show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint,
	ship_scheduled date, shipped_at timestamptz, delivery text, ordered_at timestamptz,
	delivered boolean, expires_at timestamptz, expired boolean, sub_end date,
	rental boolean, rental_end date, received_at timestamptz, final_price numeric(12,0));
INSERT INTO orders (order_id, service, price, show_at, attended, cancelled_at, cancel_fee) VALUES
	(1, 'ticket', 99000, '2025-06-10 19:00+09', false, NULL, NULL),
	(2, 'ticket', 33333, '2025-06-11 19:30+09', false, NULL, NULL),
	(3, 'ticket', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400);
INSERT INTO orders (order_id, service, ship_scheduled, delivery, ordered_at, delivered) VALUES
	(4, 'book', '2025-06-11', 'direct', '2025-06-01 10:00+09', true),
	(5, 'book', '2025-06-20', 'vendor', '2025-06-01 10:00+09', false);
INSERT INTO orders (order_id, service, ordered_at, rental, rental_end) VALUES
	(7, 'ebook', '2025-06-01 10:00+09', true, '2025-06-20');

-- Per subject: order 3 keeps its award (not listed), tickets 1 and 2 and
-- rental 7 change, 4 loses its points (0 points is no line), 5 gains.
SELECT * FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', 'order_id');
-- The same with rulesets, and a filter.
SELECT subject, rule, change, old_amount, new_amount, delta
FROM compensation.diff(compensation.rules('diff/yes24-round1'),
	compensation.draft_rules('diff/yes24-round1'), 'orders', 'order_id', $$service = 'ticket'$$);
-- Totals per rule, kind and instrument.
SELECT * FROM compensation.diff_totals('diff/yes24-round1', 1, 2, 'orders');
-- Totals agree with simulate() of each version.
SELECT count(*) AS disagreeing FROM compensation.diff_totals('diff/yes24-round1', 1, 2, 'orders') d
LEFT JOIN compensation.simulate('diff/yes24-round1', 2, 'orders') s USING (rule, kind, instrument)
WHERE d.new_rows <> coalesce(s.rows_awarded, 0) OR coalesce(d.new_amount, 0) <> coalesce(s.amount, 0);
-- A version against itself: nothing.
SELECT count(*) AS lines FROM compensation.diff('diff/yes24-round1', 1, 1, 'orders', 'order_id');
SELECT sum(rows_gained + rows_lost + rows_changed) AS changes,
	sum(delta) AS delta FROM compensation.diff_totals('diff/yes24-round1', 1, 1, 'orders');
-- Lost: the other way round.
SELECT subject, rule, change, old_amount, new_amount, delta
FROM compensation.diff('diff/yes24-round1', 2, 1, 'orders', 'order_id') WHERE change <> 'changed';

-- Errors, with their SQLSTATE.
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', 1, 9, 'orders', 'order_id')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/no-such', 1, 2, 'orders', 'order_id')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', 'no_such_key')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', NULL)$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', NULL, 2, 'orders', 'order_id')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', 1, 2, 'no_such_table', 'order_id')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', 'order_id', 'no_such_column > 0')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff_totals(NULL::compensation.ruleset, NULL, 'orders')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.diff_totals('diff/yes24-round1', 1, 9, 'orders')$$);
-- A key of a type subject_key() refuses.
CREATE TABLE float_keyed (k float8 PRIMARY KEY, service text);
INSERT INTO float_keyed VALUES (1.5, 'ticket');
SELECT pg_temp.err($$SELECT * FROM compensation.diff('policy "a" currency KRW rule "r" credit deposit 1 end'::compensation.ruleset, 'policy "a" currency KRW rule "r" credit deposit 2 end'::compensation.ruleset, 'float_keyed', 'k')$$);

-- Who may call it: the analyst, not the issuer.
GRANT USAGE ON SCHEMA test_diff TO compensation_analyst, compensation_issuer;
GRANT SELECT ON orders TO compensation_analyst, compensation_issuer;
SET ROLE compensation_analyst;
SELECT count(*) AS analyst_lines FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', 'order_id');
RESET ROLE;
SET ROLE compensation_issuer;
SELECT pg_temp.err($$SELECT count(*) FROM compensation.diff('diff/yes24-round1', 1, 2, 'orders', 'order_id')$$);
RESET ROLE;
DROP SCHEMA test_diff CASCADE;
