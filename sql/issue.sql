-- compensation.issue(): exactly once, versions pay differences, policies
-- pay independently, and the ledger's open lines equal the award.
-- Policies are named issue/...; ledger ids are shown from :ledger_base.
\set test issue
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never

CREATE TABLE orders (
	order_id bigint PRIMARY KEY, service text NOT NULL, price bigint,
	ship_scheduled date, rental_end date, show_at timestamptz, attended boolean);
INSERT INTO orders VALUES
	(1, 'book',   18000, '2025-06-11', NULL, NULL, NULL),
	(2, 'book',   18000, '2025-06-14', NULL, NULL, NULL),
	(3, 'ebook',   5000, NULL, '2025-06-20', NULL, NULL),
	(4, 'ticket', 99000, NULL, NULL, '2025-06-10 19:00+09', false),
	(5, 'ticket', 33333, NULL, NULL, '2025-06-11 19:30+09', false),
	(6, 'ticket', 55000, NULL, NULL, '2025-06-11 14:00+09', true);

SELECT compensation.define_policy($p$
policy "issue/round1"
currency KRW
timezone "Asia/Seoul"
outage 2025-06-09 .. 2025-06-13
rule "ship-delay"
  when service = 'book' and ship_scheduled during outage
  credit points 2000
end
rule "ebook"
  when service = 'ebook' and rental_end >= 2025-06-09
  extend rental_end by 5 days
end
rule "ticket"
  when service = 'ticket' and show_at in 2025-06-09 .. 2025-06-11 and not attended
  credit deposit price * 120% round half_up
  flag free_cancel claim 2025-06-17 .. 2025-06-30
end
$p$);
-- Nothing is in force yet.
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', '1', o) FROM orders o WHERE order_id = 1$$);
SELECT compensation.publish('issue/round1');

-- The columns that make a ledger line (no timestamps), of this test's
-- policies, ids counted from this test's first line.
CREATE VIEW lines AS
SELECT id - :ledger_base AS id, policy, version, rule, subject, kind, instrument, amount, currency, days,
       new_date, window_kind, window_from, window_until, note, reverses - :ledger_base AS reverses
FROM compensation.ledger WHERE policy LIKE 'issue/%';

--
-- First issuance: the lines written come back
--
SELECT l.id - :ledger_base AS id, l.subject, l.version, l.rule, l.kind, l.instrument, l.amount, l.currency,
       l.days, l.new_date, l.window_kind, l.window_from, l.window_until, l.reverses - :ledger_base AS reverses,
       l.issued_by = session_user AS by_me, l.issued_at = now() AS now
FROM orders o, compensation.issue('issue/round1', o.order_id::text, o) l ORDER BY l.id;
-- Twice, three times: nothing more.
SELECT count(*) AS second FROM orders o, compensation.issue('issue/round1', o.order_id::text, o);
SELECT count(*) AS third FROM orders o, compensation.issue('issue/round1', 1, o.order_id::text, o);
SELECT policy, subject, version, open_lines, award_hash IS NOT NULL AS has_hash
FROM compensation.issuance WHERE policy LIKE 'issue/%' ORDER BY subject;

--
-- Version 2 pays differences: 2,000 -> 3,000 points (reverse and reissue),
-- the e-book rule is gone (reversed), the ticket rule is unchanged (untouched),
-- and books scheduled on 6/14 are now covered (new line).
--
SELECT compensation.define_policy($p$
policy "issue/round1"
currency KRW
timezone "Asia/Seoul"
outage 2025-06-09 .. 2025-06-14
rule "ship-delay"
  when service = 'book' and ship_scheduled during outage
  credit points 3000
end
rule "ticket"
  when service = 'ticket' and show_at in 2025-06-09 .. 2025-06-11 and not attended
  credit deposit price * 120% round half_up
  flag free_cancel claim 2025-06-17 .. 2025-06-30
end
$p$);
-- Published but not yet issued: the ledger still holds version 1.
SELECT compensation.publish('issue/round1');
SELECT l.id - :ledger_base AS id, l.subject, l.version, l.rule, l.instrument, l.amount, l.days, l.reverses - :ledger_base AS reverses
FROM orders o, compensation.issue('issue/round1', o.order_id::text, o) l ORDER BY l.id;
SELECT count(*) AS again FROM orders o, compensation.issue('issue/round1', o.order_id::text, o);
-- An older version issued after a newer one does nothing: versions only go forward.
SELECT count(*) AS older FROM orders o, compensation.issue('issue/round1', 1, o.order_id::text, o);

-- The ledger's net per subject equals version 2's award, line by line.
SELECT o.order_id,
       (SELECT array_agg(ROW(x.rule, x.kind, x.instrument, x.amount, x.days, x.new_date)::text ORDER BY 1)
        FROM compensation.lines(compensation.evaluate(compensation.rules('issue/round1'), o)) x) AS award,
       (SELECT array_agg(ROW(l.rule, l.kind, l.instrument, l.amount, l.days, l.new_date)::text ORDER BY 1)
        FROM lines l WHERE l.policy = 'issue/round1' AND l.subject = o.order_id::text AND l.reverses IS NULL
          AND NOT EXISTS (SELECT FROM lines r WHERE r.reverses = l.id)) AS open_lines
FROM orders o ORDER BY o.order_id;
-- sums of amounts and days are the net too
SELECT subject, instrument, sum(amount) AS net, sum(days) AS days
FROM lines WHERE policy = 'issue/round1' GROUP BY subject, instrument ORDER BY subject, instrument;

--
-- A subject that the new version no longer covers is reversed, not forgotten
--
SELECT compensation.define_policy($p$
policy "issue/round1"
currency KRW
timezone "Asia/Seoul"
rule "ticket"
  when service = 'ticket' and price > 50000 and not attended
  credit deposit price * 120% round half_up
  flag free_cancel claim 2025-06-17 .. 2025-06-30
end
$p$);
SELECT compensation.publish('issue/round1');
SELECT l.id - :ledger_base AS id, l.subject, l.version, l.rule, l.instrument, l.amount, l.reverses - :ledger_base AS reverses
FROM orders o, compensation.issue('issue/round1', o.order_id::text, o) l ORDER BY l.id;
SELECT subject, version, open_lines, award_hash IS NULL AS nothing_open
FROM compensation.issuance WHERE policy = 'issue/round1' ORDER BY subject;
-- No line is reversed twice, and every reversal mirrors its line.
SELECT count(*) AS bad_reversals FROM lines r JOIN lines l ON l.id = r.reverses
WHERE r.amount IS DISTINCT FROM -l.amount OR r.days IS DISTINCT FROM -l.days
   OR r.rule <> l.rule OR r.subject <> l.subject OR l.reverses IS NOT NULL;

--
-- Identical lines are matched one to one
--
SELECT compensation.define_policy($p$
policy "issue/twice"
currency KRW
rule "double"
  credit points 100
  credit points 100
end
$p$);
SELECT compensation.publish('issue/twice');
SELECT l.id - :ledger_base AS id, l.rule, l.amount FROM orders o, compensation.issue('issue/twice', 'm1', o) l WHERE o.order_id = 1;
SELECT compensation.define_policy($p$
policy "issue/twice"
currency KRW
rule "double"
  credit points 100
end
$p$);
SELECT compensation.publish('issue/twice');
SELECT l.id - :ledger_base AS id, l.rule, l.amount, l.reverses - :ledger_base AS reverses FROM orders o, compensation.issue('issue/twice', 'm1', o) l WHERE o.order_id = 1;
SELECT l.id - :ledger_base AS id, l.rule, l.amount, l.reverses - :ledger_base AS reverses FROM orders o, compensation.issue('issue/twice', 'm1', o) l WHERE o.order_id = 1;

--
-- A different policy pays independently, for the same subject keys
--
SELECT compensation.define_policy($p$
policy "issue/round2"
currency KRW
timezone "Asia/Seoul"
instrument ebook_voucher money
rule "voucher"
  grant voucher 5000 valid 2025-06-19 .. 2025-07-06
end
$p$);
SELECT compensation.publish('issue/round2');
SELECT l.subject, l.policy, l.rule, l.instrument, l.amount, l.window_kind, l.window_from, l.window_until
FROM orders o, compensation.issue('issue/round2', o.order_id::text, o) l WHERE o.order_id <= 2 ORDER BY l.id;
SELECT policy, count(*) AS lines, sum(amount) AS net FROM lines GROUP BY policy ORDER BY policy;

--
-- Refusals
--
SELECT pg_temp.err($$SELECT compensation.issue('issue/nope', '1', 1)$$);
SELECT compensation.retire('issue/round1', 1);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', 1, '1', o) FROM orders o$$);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', 9, '1', o) FROM orders o$$);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', NULL, 1)$$);
SELECT pg_temp.err($$SELECT compensation.issue(NULL, '1', 1)$$);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', '1', NULL::orders)$$);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', NULL::int, '1', 1)$$);
SELECT pg_temp.err($$SELECT compensation.lock_subject('issue/nope', '1')$$);
SELECT pg_temp.err($$SELECT compensation.lock_subject('issue/round1', NULL)$$);
-- a row the policy cannot read is the evaluator's error, and nothing is written
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', 'x', ROW(1)::record)$$);
SELECT pg_temp.err($$SELECT compensation.issue('issue/round1', 'x', 42)$$);
SELECT count(*) AS lines_total FROM lines;
