-- bench/issue_versions.sql: first issuance, re-run and a new version of
-- round 1 over the YES24 sample, in one session, against one INSERT ...
-- SELECT of the same lines into a copy of the ledger without indexes.  A
-- quick check beside bench/run.sh --only issue (which runs B6, B8 and B10
-- round-robin with the other figures); read the \timing lines:
--
--   createdb y && psql -d y -c 'CREATE EXTENSION compensation' \
--     -f examples/yes24/yes24_data.sql -f bench/issue_versions.sql
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\set round1 `cat examples/yes24/yes24-round1.policy`
SELECT compensation.define_policy(:'round1') IS NOT NULL AS defined;
SELECT compensation.publish('yes24-round1') IS NOT NULL AS published;
CREATE TEMP TABLE ledger_copy AS SELECT * FROM compensation.ledger WITH NO DATA;
\timing on
\echo one INSERT ... SELECT of the lines (baseline)
INSERT INTO ledger_copy (policy, version, source, rule, subject, kind, instrument, amount, currency,
	days, new_date, window_kind, window_from, window_until, note, issued_at, issued_by)
SELECT 'x', 1, 'public.orders', l.rule, o.order_id::text, l.kind, l.instrument, l.amount, l.currency,
	l.days, l.new_date, l.window_kind, l.window_from, l.window_until, l.note, now(), session_user
FROM (SELECT compensation.rules('yes24-round1') r OFFSET 0) p, orders o,
	compensation.lines(compensation.evaluate(p.r, o)) l;
\echo issue_all, first issuance
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
\echo issue_all again, nothing owed
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
\timing off
SELECT compensation.define_policy(replace(source, 'param ticket_rate = 120%',
	'param ticket_rate = 130%')) IS NOT NULL AS v2
FROM compensation.policy WHERE name = 'yes24-round1' AND version = 1;
SELECT compensation.publish('yes24-round1', reason => 'tickets at 130%') AS published;
\timing on
\echo issue_all of version 2
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
\timing off
SELECT version, count(*) AS lines FROM compensation.ledger GROUP BY 1 ORDER BY 1;
