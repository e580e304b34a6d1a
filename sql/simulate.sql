-- compensation.simulate(): what a published policy would cost over a table,
-- without issuing anything; it agrees with sum(evaluate(...)).
\set test simulate
\i test/regress_preamble.sql
-- The shipped YES24 round 1 policy, under this test's name.
\set round1 `cat examples/yes24/yes24-round1.policy`
SELECT compensation.define_policy(replace(:'round1', 'policy "yes24-round1"',
	'policy "simulate/yes24-round1"')) > 0 AS defined;
SELECT compensation.publish('simulate/yes24-round1') > 0 AS published;

CREATE TABLE orders (order_id bigint PRIMARY KEY, member_id bigint, service text, price bigint,
	show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint,
	ship_scheduled date, shipped_at timestamptz, delivery text, ordered_at timestamptz,
	delivered boolean, expires_at timestamptz, expired boolean, sub_end date,
	rental boolean, rental_end date, received_at timestamptz, final_price numeric(12,0));
INSERT INTO orders (order_id, service, price, show_at, attended, cancelled_at, cancel_fee) VALUES
	(1, 'ticket', 99000, '2025-06-10 19:00+09', false, NULL, NULL),
	(2, 'ticket', 33333, '2025-06-11 19:30+09', false, NULL, NULL),
	(3, 'ticket', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400);
INSERT INTO orders (order_id, service, ship_scheduled) VALUES
	(4, 'book', '2025-06-11'), (5, 'book', '2025-06-12'), (6, 'book', '2025-06-20');
INSERT INTO orders (order_id, service, ordered_at, rental, rental_end) VALUES
	(7, 'ebook', '2025-06-01 10:00+09', true, '2025-06-20');

SELECT * FROM compensation.simulate('simulate/yes24-round1', 'orders');
-- A filter is the caller's own SQL over the table.
SELECT * FROM compensation.simulate('simulate/yes24-round1', 'orders', $$service = 'ticket'$$);
-- Nothing matches: no rows.
SELECT count(*) FROM compensation.simulate('simulate/yes24-round1', 'orders', 'false');

-- It agrees with sum(evaluate()) line for line.
SELECT count(*) AS differing FROM (
	SELECT rule, kind, instrument, rows_awarded, amount, days FROM compensation.simulate('simulate/yes24-round1', 'orders')
	EXCEPT
	SELECT l.rule, l.kind, l.instrument, l.count, l.amount, l.days
	FROM (SELECT compensation.sum(compensation.evaluate(compensation.rules('simulate/yes24-round1'), o)) s
	      FROM orders o) t, compensation.lines(t.s) l) d;

-- It issues nothing.
SELECT count(*) AS ledger_lines FROM compensation.ledger WHERE policy = 'simulate/yes24-round1';

-- Errors.
\set VERBOSITY terse
SELECT * FROM compensation.simulate('simulate/no-such-policy', 'orders');
SELECT * FROM compensation.simulate('simulate/yes24-round1', 'no_such_table');
SELECT * FROM compensation.simulate('simulate/yes24-round1', 'orders', 'no_such_column > 1');
SELECT * FROM compensation.simulate(NULL, 'orders');
\set VERBOSITY default

-- Any ruleset value: a draft, a given version, a policy typed inline.  The
-- ruleset is resolved once per call (a constant of the query it runs), never
-- once per row.
SELECT compensation.define_policy(replace(replace(:'round1', 'policy "yes24-round1"',
	'policy "simulate/yes24-round1"'), 'param ticket_rate = 120%', 'param ticket_rate = 130%')) AS draft_version;
SELECT rule, rows_awarded, amount FROM compensation.simulate('simulate/yes24-round1', 2, 'orders')
WHERE rule = 'R1-ticket';
SELECT rule, rows_awarded, amount FROM compensation.simulate(compensation.draft_rules('simulate/yes24-round1'), 'orders')
WHERE rule = 'R1-ticket';
-- The published name still means version 1 (the draft is not in force).
SELECT rule, rows_awarded, amount FROM compensation.simulate('simulate/yes24-round1', 'orders')
WHERE rule = 'R1-ticket';
SELECT rule, rows_awarded, amount FROM compensation.simulate('simulate/yes24-round1', 1, 'orders')
WHERE rule = 'R1-ticket';
SELECT * FROM compensation.simulate($$
policy "inline"
currency KRW
rule "half" when service = 'ticket' credit deposit price * 50% round floor end
$$::compensation.ruleset, 'orders');
-- A retired version stays readable for analysis.
SELECT compensation.publish('simulate/yes24-round1') AS published_v2;
SELECT compensation.retire('simulate/yes24-round1', 1);
SELECT rule, rows_awarded, amount FROM compensation.simulate('simulate/yes24-round1', 1, 'orders')
WHERE rule = 'R1-ticket';
SELECT compensation.version_rules('simulate/yes24-round1', 1) OPERATOR(compensation.=)
	compensation.version_rules('simulate/yes24-round1', 2) AS same;
-- Errors of the other forms, with their SQLSTATE.
SELECT pg_temp.err($$SELECT * FROM compensation.simulate('simulate/yes24-round1', 9, 'orders')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.simulate('simulate/no-such-policy', 1, 'orders')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.simulate('simulate/yes24-round1', NULL::integer, 'orders')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.simulate(NULL::compensation.ruleset, 'orders')$$);
SELECT pg_temp.err($$SELECT compensation.draft_rules('simulate/yes24-round1')$$);
SELECT pg_temp.err($$SELECT compensation.draft_rules('simulate/no-such-policy')$$);
SELECT pg_temp.err($$SELECT compensation.version_rules('simulate/no-such-policy', 1)$$);
-- A ruleset whose columns the table lacks: the binding error.
SELECT pg_temp.err($$SELECT * FROM compensation.simulate('policy "x" currency KRW rule "r" when no_such_column = 1 credit deposit 1 end'::compensation.ruleset, 'orders')$$);

-- Who may call it: the analyst and the admin, not the issuer.
GRANT USAGE ON SCHEMA test_simulate TO compensation_analyst, compensation_issuer;
GRANT SELECT ON orders TO compensation_analyst, compensation_issuer;
SET ROLE compensation_analyst;
SELECT count(*) AS analyst_rows FROM compensation.simulate('simulate/yes24-round1', 'orders');
RESET ROLE;
SET ROLE compensation_issuer;
\set VERBOSITY terse
SELECT count(*) FROM compensation.simulate('simulate/yes24-round1', 'orders');
\set VERBOSITY default
RESET ROLE;
DROP SCHEMA test_simulate CASCADE;
