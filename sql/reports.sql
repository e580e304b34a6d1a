-- The reports: compensation.issued_totals (per policy version, rule and
-- instrument), compensation.customer_lines (every line of a subject, in
-- plain words), compensation.customer_pending() (what issuing now would
-- change for one row) and describe_line().
\set test reports
\i test/regress_preamble.sql
SET TimeZone = 'America/New_York';   -- the reports print the policy's zone, not this one
SET DateStyle = ISO;
\set round1 `cat examples/yes24/yes24-round1.policy`
\set round2 `cat examples/yes24/yes24-round2.policy`
SELECT compensation.define_policy(replace(:'round1', 'policy "yes24-round1"',
	'policy "reports/yes24-round1"')) AS v1;
SELECT compensation.publish('reports/yes24-round1') AS published;

CREATE TABLE orders (order_id bigint PRIMARY KEY, member_id bigint, service text, price bigint,
	show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint,
	ship_scheduled date, shipped_at timestamptz, delivery text, ordered_at timestamptz,
	delivered boolean, expires_at timestamptz, expired boolean, sub_end date,
	rental boolean, rental_end date, received_at timestamptz, final_price numeric(12,0));
INSERT INTO orders (order_id, service, price, show_at, attended, cancelled_at, cancel_fee) VALUES
	(1, 'ticket', 99000, '2025-06-10 19:00+09', false, NULL, NULL),
	(3, 'ticket', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400);
INSERT INTO orders (order_id, service, ship_scheduled, shipped_at, delivery) VALUES
	(4, 'book', '2025-06-11', '2025-06-02 10:00+09', 'direct');
INSERT INTO orders (order_id, service, ordered_at, rental, rental_end) VALUES
	(7, 'ebook', '2025-06-01 10:00+09', true, '2025-06-20');
INSERT INTO orders (order_id, service, expires_at, expired) VALUES
	(8, 'voucher', '2025-06-10 12:00+09', true);
SET client_min_messages = warning;
CALL compensation.issue_all('reports/yes24-round1', 'orders', 'order_id', 100);
RESET client_min_messages;

-- Version 2: tickets at 130%, rentals +7 days.  Order 1 is reissued now;
-- order 7 is left for later (pending).
SELECT compensation.define_policy(replace(replace(replace(:'round1', 'policy "yes24-round1"',
	'policy "reports/yes24-round1"'), 'param ticket_rate = 120%', 'param ticket_rate = 130%'),
	'extend rental_end by 5 days', 'extend rental_end by 7 days')) AS v2;
SELECT compensation.publish('reports/yes24-round1') AS published;
SELECT count(*) AS lines_written FROM orders o,
	compensation.issue('reports/yes24-round1', compensation.subject_key(o.order_id), o)
WHERE o.order_id = 1;

-- Per version, rule and instrument: what is still owed, and what changed.
SELECT version, rule, kind, instrument, currency, subjects, open_lines, open_amount,
	open_amount_major, open_days, lines_issued, lines_reversed_since, reversals_written, net_amount
FROM compensation.issued_totals WHERE policy = 'reports/yes24-round1'
ORDER BY version, rule, kind, instrument;

-- One customer at a time, in plain words, dates in the policy's zone (Seoul).
SELECT subject, version, line - :ledger_base AS line, rule, status, what, notice_pending
FROM compensation.customer_lines WHERE policy = 'reports/yes24-round1'
ORDER BY subject::bigint, line;
-- (dates and ledger ids masked: they depend on the day and on earlier tests)
SELECT regexp_replace(regexp_replace(reason, '\d{4}-\d\d-\d\d', 'DATE', 'g'), 'line \d+', 'line N', 'g') AS reason,
	reversed_by IS NOT NULL AS has_reversal
FROM compensation.customer_lines WHERE policy = 'reports/yes24-round1' AND subject = '1'
ORDER BY line;
-- Telling the customer takes the line out of the outbox (in a transaction
-- rolled back: the outbox is shared with the other tests).
BEGIN;
SELECT count(*) > 0 AS claimed FROM compensation.outbox_claim(100000) c
WHERE c.policy = 'reports/yes24-round1' AND c.subject = '4';
SELECT subject, rule, notice_pending FROM compensation.customer_lines
WHERE policy = 'reports/yes24-round1' AND subject = '4';
ROLLBACK;

-- What issuing now would change: order 7 is owed 7 days instead of 5;
-- order 1 is up to date; order 3 owes nothing new.
SELECT * FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '7');
SELECT count(*) AS pending FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '1');
SELECT count(*) AS pending FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '3');
-- After issuing it, nothing is pending.
SELECT count(*) AS lines_written FROM orders o,
	compensation.issue('reports/yes24-round1', compensation.subject_key(o.order_id), o)
WHERE o.order_id = 7;
SELECT count(*) AS pending FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '7');

-- describe_line on every kind of line (round 2's grants, a review).
CREATE TABLE members (member_id bigint, last_purchase_at date, bought_ebooks boolean, loss bigint);
INSERT INTO members VALUES (1, '2025-05-01', true, 250000);
SELECT l.rule, compensation.describe_line(l.kind, l.instrument, l.amount, l.currency, l.days, l.new_date,
	l.window_kind, l.window_from, l.window_until, l.note, 'Asia/Seoul')
FROM members m, compensation.lines(compensation.evaluate((:'round2' || $$
rule "loss" credit cash tier loss upto 100000 => loss else review 'loss above 100,000' end end
$$)::compensation.ruleset, m)) l;
SELECT compensation.describe_line('credit', 'cash', 1234, 'USD', NULL, NULL, NULL, NULL, NULL, NULL),
	compensation.describe_line('credit', 'deposit', -118800, 'KRW', NULL, NULL, NULL, NULL, NULL, NULL);
-- a deadline (due by) has no start: its last day, in the zone given
SELECT compensation.describe_line('credit', 'refund', 42000, 'USD', NULL, NULL, 'due',
	'-infinity', '2026-07-11 04:00+00', NULL, 'America/New_York') AS due_line;

-- Errors, with their SQLSTATE.
SELECT pg_temp.err($$SELECT * FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '999')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'no_such', '1')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', 'x')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.customer_pending('reports/no-such', 'orders', 'order_id', '1')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', NULL)$$);

-- Who may read them: the analyst and the admin; not the issuer.
GRANT USAGE ON SCHEMA test_reports TO compensation_analyst, compensation_issuer;
GRANT SELECT ON orders TO compensation_analyst, compensation_issuer;
SET ROLE compensation_analyst;
SELECT count(*) > 0 AS analyst_reads FROM compensation.customer_lines WHERE policy = 'reports/yes24-round1';
SELECT count(*) > 0 AS analyst_reads FROM compensation.issued_totals WHERE policy = 'reports/yes24-round1';
SELECT count(*) AS analyst_pending FROM compensation.customer_pending('reports/yes24-round1', 'orders', 'order_id', '1');
RESET ROLE;
SET ROLE compensation_issuer;
SELECT pg_temp.err($$SELECT count(*) FROM compensation.customer_lines$$);
SELECT pg_temp.err($$SELECT count(*) FROM compensation.issued_totals$$);
RESET ROLE;
DROP SCHEMA test_reports CASCADE;
