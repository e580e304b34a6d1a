-- The first test: install the oldest released version, store what a 0.1.0
-- user stores (a published policy, ledger lines, awards in a table), then
-- update step by step to the current version, so that every later test runs
-- on an updated install; and check that what 0.1.0 stored still reads and
-- evaluates.  No later test drops or recreates the extension: each keeps
-- to its own schema and names (test/regress_preamble.sql says how).
CREATE EXTENSION compensation VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'compensation';
SELECT version FROM pg_available_extension_versions
WHERE name = 'compensation' ORDER BY version;

CREATE SCHEMA test_install;
SET search_path = test_install;
CREATE TABLE orders (order_id bigint PRIMARY KEY, service text, price bigint);
INSERT INTO orders VALUES (1, 'ticket', 99000), (2, 'ticket', 33333), (3, 'book', 18000);
SELECT compensation.define_policy($$
policy "install-0.1.0"
currency KRW
rule "refund"
  when service = 'ticket'
  credit deposit price * 120% round half_up
end
$$) IS NOT NULL AS defined;
SELECT compensation.publish('install-0.1.0') IS NOT NULL AS published;
CREATE TABLE kept (order_id bigint, award compensation.award, rules compensation.ruleset);
INSERT INTO kept
SELECT o.order_id, compensation.evaluate(compensation.rules('install-0.1.0'), o),
       compensation.rules('install-0.1.0')
FROM orders o;
SELECT count(*) AS lines FROM orders o,
	compensation.issue('install-0.1.0', o.order_id::text, o) l;

-- A policy that 0.1.0 issued with issue_all over a table keyed by an
-- instant, under a DateStyle other than ISO: its subjects are key::text
-- under those settings.
CREATE TABLE bookings (booked_at timestamptz PRIMARY KEY, price bigint);
INSERT INTO bookings VALUES ('2025-06-10 19:00+09', 50000), ('2025-06-11 08:30+09', 20000);
SELECT compensation.define_policy($$
policy "install-0.1.0-runs"
currency KRW
rule "refund"
  credit deposit price * 10% round half_up
end
$$) IS NOT NULL AS defined;
SELECT compensation.publish('install-0.1.0-runs') IS NOT NULL AS published;
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Seoul';
SET client_min_messages = warning;
CALL compensation.issue_all('install-0.1.0-runs', 'bookings', 'booked_at');
RESET client_min_messages;
SELECT subject, amount FROM compensation.ledger WHERE policy = 'install-0.1.0-runs' ORDER BY 1;
RESET DateStyle;
RESET TimeZone;

-- 0.1.0's declaration of the planner's evaluate() call takes attribute
-- numbers and was callable with forged ones (the 0.1.0 library crashed on
-- the first call, and read a text as the amount on the second).  Today's
-- library checks them, whichever declaration calls it.
\set VERBOSITY default
SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" when relname = ''x'' flag f end'::compensation.ruleset,
	NULL::pg_catalog.pg_class, '{2}', 12345::bigint);
SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{3}', 'abc'::text);
SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{99}', 5::bigint);
SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{3}', 5::bigint) AS by_number;

-- The update.
ALTER EXTENSION compensation UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
                     WHERE name = 'compensation') AS at_default_version
FROM pg_extension WHERE extname = 'compensation';

-- Not relocatable: the schema is part of every name.
SELECT extrelocatable, extnamespace::regnamespace FROM pg_extension
WHERE extname = 'compensation';

-- What 0.1.0 stored reads, prints and evaluates as before.
SELECT order_id, award FROM kept ORDER BY order_id;
SELECT k.order_id,
       compensation.evaluate(k.rules, o)::text = k.award::text AS same_award
FROM kept k JOIN orders o USING (order_id) ORDER BY 1;
SELECT compensation.rules('install-0.1.0') OPERATOR(compensation.=)
       (SELECT rules FROM kept LIMIT 1) AS same_rules;
SELECT subject, rule, kind, instrument, amount FROM compensation.ledger
WHERE policy = 'install-0.1.0' ORDER BY subject;
-- 0.1.0 did not record where a subject came from.  The update tried to
-- give the lines of "install-0.1.0-runs" the source of the one table its
-- issue_all ran over, but under this session's DateStyle the subject
-- '10/06/2025 19:00:00 KST' reads as October: they stay unknown (the
-- WARNINGs above), as do those of "install-0.1.0", which only issue()
-- wrote.  A policy with unknown lines is not issued.  An administrator
-- names the settings and the table; the subjects become canonical, and
-- issuing again pays nothing more.
SELECT source, count(*) FROM compensation.issuance
WHERE policy LIKE 'install-0.1.0%' GROUP BY 1 ORDER BY 1;
\set VERBOSITY terse
SELECT count(*) AS new_lines FROM orders o,
	compensation.issue('install-0.1.0', o.order_id::text, o) l;
\set VERBOSITY default
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Seoul';
SELECT compensation.adopt_lines('install-0.1.0-runs', 'bookings', 'booked_at');
RESET DateStyle;
RESET TimeZone;
SELECT compensation.adopt_lines('install-0.1.0', 'orders', 'order_id');
SELECT policy, source, subject, amount FROM compensation.ledger
WHERE policy LIKE 'install-0.1.0%' ORDER BY 1, 3;
-- Issuing again after the update pays nothing more.
SELECT count(*) AS new_lines FROM orders o,
	compensation.issue('install-0.1.0', o.order_id::text, o) l;
SET client_min_messages = warning;
CALL compensation.issue_all('install-0.1.0-runs', 'bookings', 'booked_at');
RESET client_min_messages;
SELECT count(*) AS lines FROM compensation.ledger WHERE policy = 'install-0.1.0-runs';
RESET search_path;
