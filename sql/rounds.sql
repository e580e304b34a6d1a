-- Rounds done right (issue 10): a subject's identity includes its source,
-- deletions reverse, revoke and reinstate, subjects whose rows are gone,
-- attach() that checks itself, new versions issued set-based, issuance
-- inside a transaction, the reason a version was published, keys of any
-- type with a btree ordering (citext).
\set test rounds
\i test/regress_preamble.sql
SET TimeZone = 'UTC';
\set VERBOSITY terse

CREATE TABLE orders (order_id bigint PRIMARY KEY, service text NOT NULL, price bigint NOT NULL);
INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'ticket' ELSE 'book' END, g * 1000
FROM generate_series(1, 10) g;
SELECT compensation.define_policy($$
policy "rounds/refund"
currency KRW
rule "ticket"
  when service = 'ticket'
  credit deposit price * 120% round half_up
end
$$) AS version;
SELECT compensation.publish('rounds/refund', reason => 'round 1: tickets refunded at 120%') AS published;

-- 1. Two tables, one key: the demo's order 9000040 copied into app_orders.
-- Each table is a source of its own; issuing either never reverses the
-- other's lines, and running both again writes nothing.
CREATE TABLE app_orders (LIKE orders INCLUDING ALL);
INSERT INTO app_orders SELECT * FROM orders WHERE order_id = 4;
SET client_min_messages = warning;
CALL compensation.issue_all('rounds/refund', 'orders', 'order_id');
CALL compensation.issue_all('rounds/refund', 'app_orders', 'order_id');
UPDATE app_orders SET price = 5000 WHERE order_id = 4;
CALL compensation.issue_all('rounds/refund', 'app_orders', 'order_id');
CALL compensation.issue_all('rounds/refund', 'orders', 'order_id');
CALL compensation.issue_all('rounds/refund', 'app_orders', 'order_id');
RESET client_min_messages;
SELECT source, subject, amount, reverses IS NOT NULL AS reversal
FROM compensation.ledger WHERE policy = 'rounds/refund' AND subject = '4' ORDER BY id;
SELECT name, relation FROM compensation.source WHERE name LIKE 'test_rounds.%' ORDER BY 1;

-- A renamed table keeps its source (found by the table's oid): nothing is
-- issued again.
ALTER TABLE app_orders RENAME TO shop_orders;
SELECT (compensation.issue_table('rounds/refund', 'shop_orders', 'order_id')).*;
SELECT name, relation FROM compensation.source WHERE name = 'test_rounds.app_orders';

-- An application names a source of its own: an order held in memory is
-- another subject than the table's row with the same key.
SELECT source, subject, amount FROM compensation.issue('rounds/refund', '4',
	ROW(4, 'ticket', 100)::orders, 'checkout');
SELECT source, sum(amount) AS net FROM compensation.ledger
WHERE policy = 'rounds/refund' AND subject = '4' GROUP BY 1 ORDER BY 1;
-- issue() of a table's row is a subject of that table
SELECT count(*) AS again FROM orders o, compensation.issue('rounds/refund', o.order_id::text, o);

-- 2. A new version, set-based: ticket refunds at 130%.  Only the tickets'
-- lines change (a reversal and a new line each, and their state moves to
-- version 2); nothing else is written.
SELECT compensation.define_policy($$
policy "rounds/refund"
currency KRW
rule "ticket"
  when service = 'ticket'
  credit deposit price * 130% round half_up
end
$$) AS version;
SELECT compensation.publish('rounds/refund', reason => 'round 1, v2: the regulator asked for 130%') AS published;
SET client_min_messages = warning;
CALL compensation.issue_all('rounds/refund', 'orders', 'order_id', 3);
RESET client_min_messages;
SELECT version, count(*) FILTER (WHERE reverses IS NULL) AS issued,
	count(*) FILTER (WHERE reverses IS NOT NULL) AS reversed, sum(amount) AS net
FROM compensation.ledger WHERE policy = 'rounds/refund' AND source = 'test_rounds.orders'
GROUP BY 1 ORDER BY 1;
SELECT version, count(*) FROM compensation.issuance
WHERE policy = 'rounds/refund' AND source = 'test_rounds.orders' GROUP BY 1;
-- Owed equals paid, per order.
SELECT count(*) AS mismatches FROM orders o
WHERE coalesce(compensation.amount(compensation.evaluate((SELECT compensation.rules('rounds/refund')), o), 'deposit'), 0)
	<> coalesce((SELECT sum(l.amount) FROM compensation.ledger l WHERE l.policy = 'rounds/refund'
		AND l.source = 'test_rounds.orders' AND l.subject = o.order_id::text), 0);
-- The version history is one query, with who published and why.
SELECT name, version, status, in_force, published_by = session_user AS by_me, publish_reason
FROM compensation.policy_history WHERE name = 'rounds/refund' ORDER BY version;
SELECT pg_temp.err($$SELECT compensation.publish('rounds/none', reason => '  ')$$);

-- 3. attach(): one call checks the table and creates the triggers.
CREATE TABLE tickets (ticket_id bigint PRIMARY KEY, service text NOT NULL DEFAULT 'ticket',
	price bigint NOT NULL, note text);
SELECT compensation.attach('rounds/refund', 'tickets', 'ticket_id');
SELECT tgname, pg_get_triggerdef(t.oid) LIKE '%FOR EACH STATEMENT%' AS per_statement
FROM pg_trigger t WHERE t.tgrelid = 'tickets'::regclass ORDER BY 1;
INSERT INTO tickets (ticket_id, price) SELECT g, 10000 FROM generate_series(1, 3) g;
UPDATE tickets SET price = 20000 WHERE ticket_id = 2;
-- A deleted row's lines are reversed, with the reason.
DELETE FROM tickets WHERE ticket_id = 3;
SELECT subject, amount, reverses IS NOT NULL AS reversal, reason
FROM compensation.ledger WHERE policy = 'rounds/refund' AND source = 'test_rounds.tickets' ORDER BY id;
-- Attaching again changes the form: the row form, deletions kept.
SELECT compensation.attach('rounds/refund', 'tickets', 'ticket_id', form => 'row', on_delete => 'keep');
SELECT tgname FROM pg_trigger t WHERE t.tgrelid = 'tickets'::regclass ORDER BY 1;
DELETE FROM tickets WHERE ticket_id = 1;
SELECT count(*) AS lines_after_kept_delete FROM compensation.ledger
WHERE policy = 'rounds/refund' AND source = 'test_rounds.tickets';
-- The row form reverses a deletion too.
SELECT compensation.attach('rounds/refund', 'tickets', 'ticket_id', form => 'row');
DELETE FROM tickets WHERE ticket_id = 2;
SELECT subject, amount, reason FROM compensation.ledger
WHERE policy = 'rounds/refund' AND source = 'test_rounds.tickets' ORDER BY id DESC LIMIT 1;
SELECT compensation.detach('rounds/refund', 'tickets') AS detached;

-- What attach() refuses, in one short line each that names the policy,
-- the table and the column.
CREATE TABLE loose (id bigint, service text, price bigint);
CREATE TABLE nokey (id bigint NOT NULL, service text, price bigint);
CREATE TABLE noprice (id bigint PRIMARY KEY, service text);
CREATE TABLE textprice (id bigint PRIMARY KEY, service text, price text);
INSERT INTO textprice VALUES (1, 'ticket', '12.50 USD');
CREATE TABLE nullable_key (id bigint UNIQUE, service text, price bigint);
CREATE VIEW orders_view AS SELECT * FROM orders;
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'loose', 'nosuch')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'nokey', 'id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'nullable_key', 'id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'noprice', 'id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'textprice', 'id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'orders_view', 'order_id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/none', 'orders', 'order_id')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'orders', 'order_id', form => 'each')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'orders', 'order_id', on_delete => 'ignore')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'orders', 'service')$$);
SELECT pg_temp.err($$SELECT compensation.attach('rounds/refund', 'orders', 'order_id', source => 'test_rounds.shop_orders')$$);
\set VERBOSITY default
SELECT compensation.attach('rounds/refund', 'noprice', 'id');
\set VERBOSITY terse
SELECT count(*) AS triggers_left FROM pg_trigger t
WHERE t.tgrelid IN ('loose'::regclass, 'nokey'::regclass, 'noprice'::regclass, 'textprice'::regclass,
	'nullable_key'::regclass);

-- 4. revoke() and reinstate(): an application reverses a subject with a
-- reason, and no path pays it again until it is reinstated.
SELECT subject, amount, reason FROM compensation.revoke('rounds/refund', 'test_rounds.orders', '2', 'duplicate account');
SET client_min_messages = warning;
CALL compensation.issue_all('rounds/refund', 'orders', 'order_id');
RESET client_min_messages;
SELECT sum(amount) AS net_of_revoked FROM compensation.ledger
WHERE policy = 'rounds/refund' AND source = 'test_rounds.orders' AND subject = '2';
SELECT revoked_by = session_user AS by_me, revoke_reason FROM compensation.issuance
WHERE policy = 'rounds/refund' AND source = 'test_rounds.orders' AND subject = '2';
SELECT count(*) AS revoked_again FROM compensation.revoke('rounds/refund', 'test_rounds.orders', '2', 'twice');
SELECT compensation.reinstate('rounds/refund', 'test_rounds.orders', '2') AS reinstated;
SELECT (compensation.issue_table('rounds/refund', 'orders', 'order_id')).lines_written;
SELECT pg_temp.err($$SELECT * FROM compensation.revoke('rounds/refund', 'test_rounds.orders', '2', '')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.revoke('rounds/refund', 'nowhere', '2', 'x')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.revoke('rounds/none', 'test_rounds.orders', '2', 'x')$$);

-- 5. Rows deleted behind the trigger's back: reverse_gone() finds them.
DELETE FROM orders WHERE order_id IN (6, 7, 8);
SELECT * FROM compensation.reverse_gone('rounds/refund', 'orders', 'order_id');
SELECT * FROM compensation.reverse_gone('rounds/refund', 'orders', 'order_id');
SELECT subject, sum(amount) AS net FROM compensation.ledger
WHERE policy = 'rounds/refund' AND source = 'test_rounds.orders' AND subject IN ('6', '7', '8')
GROUP BY 1 ORDER BY 1;

-- 6. Inside a transaction: issue_table() is all or nothing.
CREATE TABLE more_orders (LIKE orders INCLUDING ALL);
INSERT INTO more_orders SELECT g, 'ticket', 1000 FROM generate_series(1, 5) g;
BEGIN;
SELECT * FROM compensation.issue_table('rounds/refund', 'more_orders', 'order_id', 2);
ROLLBACK;
SELECT count(*) AS after_rollback FROM compensation.ledger WHERE source = 'test_rounds.more_orders';
BEGIN;
SELECT * FROM compensation.issue_table('rounds/refund', 'more_orders', 'order_id', 2);
COMMIT;
SELECT count(*) AS after_commit FROM compensation.ledger WHERE source = 'test_rounds.more_orders';
SELECT pg_temp.err($$SELECT compensation.issue_table('rounds/refund', 'more_orders', 'order_id', 0)$$);

-- 7. A key whose operators live outside pg_catalog: citext.  The table is
-- walked in citext's order, in batches smaller than the table; a subject is
-- the key as stored.
CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;
CREATE TABLE members (email public.citext PRIMARY KEY, service text NOT NULL, price bigint NOT NULL);
INSERT INTO members VALUES ('bob@example.com', 'ticket', 1000), ('Alice@example.com', 'ticket', 2000),
	('carol@example.com', 'ticket', 3000), ('DAVE@example.com', 'book', 4000);
SET client_min_messages = warning;
CALL compensation.issue_all('rounds/refund', 'members', 'email', 2);
CALL compensation.issue_all('rounds/refund', 'members', 'email', 2);
RESET client_min_messages;
SELECT subject, amount FROM compensation.ledger WHERE source = 'test_rounds.members' ORDER BY id;
SELECT rows_done, lines_written, last_key FROM compensation.issue_progress
WHERE relation = 'test_rounds.members' ORDER BY run;

-- 8. Once per customer: round 2 pays every member once, from the members
-- table or from the orders table (each order carrying its member's
-- columns), with equal totals.  Per member, the award is carried by the
-- member's first order in key order whose award is not empty.
CREATE TABLE members2 (member_id bigint PRIMARY KEY, bought_ebooks boolean NOT NULL);
INSERT INTO members2 SELECT g, g % 3 = 0 FROM generate_series(1, 7) g;
CREATE TABLE member_orders (order_id bigint PRIMARY KEY, member_id bigint, bought_ebooks boolean NOT NULL);
INSERT INTO member_orders
SELECT 100 * m.member_id + k, m.member_id, m.bought_ebooks
FROM members2 m, generate_series(1, m.member_id % 3 + 1) k;
INSERT INTO member_orders VALUES (9999, NULL, true);   -- no member: skipped
SELECT compensation.define_policy($$
policy "rounds/every-member"
currency KRW
hit collect
instrument ebook_voucher money
rule "voucher"
  grant voucher 5000 valid 2025-06-19 .. 2025-07-06
end
rule "ebook-voucher"
  when bought_ebooks
  grant ebook_voucher 5000 valid 2025-06-19 .. 2025-07-06
end
$$) AS version;
SELECT compensation.publish('rounds/every-member', reason => 'round 2: every member') AS published;
SELECT * FROM compensation.issue_table('rounds/every-member', 'members2', 'member_id');
SET client_min_messages = warning;
CALL compensation.issue_all('rounds/every-member', 'member_orders', 'order_id', 2, per => 'member_id');
CALL compensation.issue_all('rounds/every-member', 'member_orders', 'order_id', 2, per => 'member_id');
RESET client_min_messages;
SELECT source, count(DISTINCT subject) AS members, count(*) AS lines, sum(amount) AS total
FROM compensation.ledger WHERE policy = 'rounds/every-member' GROUP BY 1 ORDER BY 1;
SELECT rows_done, lines_written, key_column, last_key FROM compensation.issue_progress
WHERE policy = 'rounds/every-member' ORDER BY run;
-- A member's carrying order changes only when its orders do: deleting the
-- carrying order moves the award to the next one (no line changes).
DELETE FROM member_orders WHERE order_id = 201;
SELECT * FROM compensation.issue_table('rounds/every-member', 'member_orders', 'order_id', per => 'member_id');
-- The same policy cannot also pay that table per order.
SELECT pg_temp.err($$SELECT compensation.issue_table('rounds/every-member', 'member_orders', 'order_id')$$);
SELECT pg_temp.err($$SELECT compensation.issue_table('rounds/every-member', 'member_orders', 'order_id', per => 'nosuch')$$);
