-- CALL compensation.issue_all(): a policy over a whole table in committed
-- batches, resumable, with progress in compensation.issue_progress.
-- The policy is issue_all/batch; ledger ids are shown from :ledger_base.
\set test issue_all
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never
-- progress notices carry the rate in their DETAIL, which terse hides
\set VERBOSITY terse
-- Run ids come from one sequence for all tests and show in the notices:
-- this test's runs are numbered from the next thousand (1001, ...), whatever
-- runs earlier tests made.
SELECT setval('compensation.issue_run_id_seq', (last_value / 1000 + 1) * 1000) AS run_base
FROM compensation.issue_run_id_seq \gset

CREATE TABLE orders (order_id bigint PRIMARY KEY, price bigint NOT NULL, divisor int NOT NULL DEFAULT 1,
	code text NOT NULL UNIQUE, other int);
INSERT INTO orders SELECT g, g * 1000, 1, 'c' || lpad(g::text, 3, '0'), g FROM generate_series(1, 10) g;
SELECT compensation.define_policy($p$
policy "issue_all/batch"
currency KRW
timezone "Asia/Seoul"
rule "big"
  when price >= 5000
  credit deposit price / divisor * 10% round floor
end
rule "even"
  when price in (2000, 4000, 6000, 8000, 10000)
  credit points 100
end
$p$);

-- Refusals, before anything runs
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 3);
SELECT compensation.publish('issue_all/batch');
CALL compensation.issue_all('issue_all/batch', 'orders', 'nope', 3);
CALL compensation.issue_all('issue_all/batch', 'orders', 'other', 3);
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 0);
CALL compensation.issue_all('issue_all/batch', 'orders', NULL, 3);
CALL compensation.issue_all('issue_all/nope', 'orders', 'order_id', 3);
CALL compensation.issue_all('issue_all/batch', 'no_such_table', 'order_id', 3);
BEGIN;
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 3);
ROLLBACK;
SELECT count(*) AS runs FROM compensation.issue_run WHERE policy = 'issue_all/batch';

-- A full run in batches of 3
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 3);
SELECT run, policy, version, relation, key_column, status, rows_done, rows_total, lines_written,
       batches, resumes, percent, rate > 0 AS has_rate, eta, last_key
FROM compensation.issue_progress WHERE policy = 'issue_all/batch' ORDER BY run;
SELECT id - :ledger_base AS id, subject, rule, instrument, amount FROM compensation.ledger
WHERE policy = 'issue_all/batch' ORDER BY id;
-- Again: a new pass that finds everything issued
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 4);
SELECT count(*) AS lines FROM compensation.ledger WHERE policy = 'issue_all/batch';

-- Interrupted: row 8 cannot be evaluated (division by zero) under version 2,
-- so the run stops inside its third batch; the first two stay committed.
SELECT compensation.define_policy($p$
policy "issue_all/batch"
currency KRW
timezone "Asia/Seoul"
rule "big"
  when price >= 3000
  credit deposit price / divisor * 10% round floor
end
$p$);
SELECT compensation.publish('issue_all/batch');
UPDATE orders SET divisor = 0 WHERE order_id = 8;
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 3);
SELECT run, version, status, rows_done, rows_total, lines_written, batches, resumes, last_key
FROM compensation.issue_progress WHERE policy = 'issue_all/batch' ORDER BY run;
-- Fixed, called again: it resumes after key 6
UPDATE orders SET divisor = 1 WHERE order_id = 8;
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 3);
SELECT run, version, status, rows_done, rows_total, lines_written, batches, resumes, last_key
FROM compensation.issue_progress WHERE policy = 'issue_all/batch' ORDER BY run;

-- The ledger equals version 2's awards of every row, line for line.
SELECT o.order_id, compensation.amount(a, 'deposit') AS deposit, compensation.amount(a, 'points') AS points,
       (SELECT sum(amount) FROM compensation.ledger l WHERE l.policy = 'issue_all/batch' AND l.subject = o.order_id::text AND l.instrument = 'deposit') AS ledger_deposit,
       (SELECT sum(amount) FROM compensation.ledger l WHERE l.policy = 'issue_all/batch' AND l.subject = o.order_id::text AND l.instrument = 'points') AS ledger_points
FROM orders o, compensation.evaluate(compensation.rules('issue_all/batch'), o) a ORDER BY 1;
SELECT count(*) AS twice_reversed FROM (SELECT reverses FROM compensation.ledger WHERE policy = 'issue_all/batch' AND reverses IS NOT NULL
	GROUP BY reverses HAVING count(*) > 1) x;

-- A run interrupted under version 2 and resumed after version 3 is
-- published is superseded by a full pass of version 3.
UPDATE orders SET divisor = 0 WHERE order_id = 5;
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 2);
UPDATE orders SET divisor = 1 WHERE order_id = 5;
SELECT compensation.define_policy($p$
policy "issue_all/batch"
currency KRW
timezone "Asia/Seoul"
rule "big"
  when price >= 9000
  credit deposit price / divisor * 10% round floor
end
$p$);
SELECT compensation.publish('issue_all/batch');
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 20);
SELECT run, version, status, rows_done, rows_total, lines_written, batches, resumes, last_key
FROM compensation.issue_progress WHERE policy = 'issue_all/batch' ORDER BY run;
SELECT subject, sum(amount) AS net FROM compensation.ledger WHERE policy = 'issue_all/batch'
GROUP BY subject HAVING sum(amount) <> 0 ORDER BY 1;

-- A table is issued by one key column: by another, its rows would be
-- other subjects, paid again.
CALL compensation.issue_all('issue_all/batch', 'orders', 'code', 4);
-- A text key walks its table in its own order.  A copy of the orders keyed
-- by code is another source: c009 and c010 are owed what 9 and 10 are, and
-- neither table's lines touch the other's.
CREATE TABLE orders_by_code AS SELECT * FROM orders;
ALTER TABLE orders_by_code ADD PRIMARY KEY (code);
CALL compensation.issue_all('issue_all/batch', 'orders_by_code', 'code', 4);
SELECT run, relation, key_column, status, rows_done, lines_written, last_key
FROM compensation.issue_progress WHERE policy = 'issue_all/batch' AND key_column = 'code';
SELECT source, count(*) AS lines, sum(amount) AS total FROM compensation.ledger
WHERE policy = 'issue_all/batch' AND subject IN ('9', '10', 'c009', 'c010') GROUP BY 1 ORDER BY 1;

-- A batch mixing first issuances (written set-based) with a subject issued
-- before whose award changed (the per-row path, with its reversal): new
-- orders 11 (owed) and 12 (owed nothing), and order 9 repriced without a
-- trigger.
INSERT INTO orders VALUES (11, 11000, 1, 'c011', 11), (12, 1000, 1, 'c012', 12);
UPDATE orders SET price = 9500 WHERE order_id = 9;
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 5);
SELECT subject, version, rule, amount, reverses IS NOT NULL AS reversal FROM compensation.ledger
WHERE policy = 'issue_all/batch' AND subject IN ('9', '11', '12') ORDER BY id;
-- The state a set-based issuance leaves is the state _issue leaves.
SELECT s.subject, s.version, s.open_lines, s.issued_at IS NOT NULL AS stamped,
       s.award_hash = sha256(compensation.award_send(compensation.evaluate(compensation.rules('issue_all/batch'), o))) AS hash_matches
FROM compensation.issuance s JOIN orders o ON o.order_id::text = s.subject
WHERE s.policy = 'issue_all/batch' AND s.subject IN ('9', '10', '11', '12') ORDER BY 1;
SELECT count(*) FILTER (WHERE q.ledger_id IS NULL) AS lines_not_in_outbox
FROM compensation.ledger l LEFT JOIN compensation.outbox q ON q.ledger_id = l.id
WHERE l.policy = 'issue_all/batch';
-- Once more: nothing left to write.
CALL compensation.issue_all('issue_all/batch', 'orders', 'order_id', 5);
SELECT lines_written FROM compensation.issue_progress WHERE policy = 'issue_all/batch'
ORDER BY run DESC LIMIT 1;

-- _issue_batch (issue_all's batches) refuses what issue_all never passes.
SELECT compensation._issue_batch('issue_all/batch', 3, 'test_issue_all.orders', ARRAY['1', '1'], ARRAY(SELECT o FROM orders o WHERE order_id IN (1, 2)), false);
SELECT compensation._issue_batch('issue_all/batch', 3, 'test_issue_all.orders', ARRAY['1'], ARRAY(SELECT o FROM orders o WHERE order_id IN (1, 2)), false);
SELECT compensation._issue_batch('issue_all/batch', 3, 'test_issue_all.orders', ARRAY[NULL], ARRAY(SELECT o FROM orders o WHERE order_id = 1), false);
SELECT compensation._issue_batch('issue_all/batch', 3, 'test_issue_all.orders', NULL, ARRAY(SELECT o FROM orders o WHERE order_id = 1), false);
SELECT compensation._issue_batch('issue_all/batch', 99, 'test_issue_all.orders', ARRAY['1'], ARRAY(SELECT o FROM orders o WHERE order_id = 1), false);
-- Step 1 of _settle (_settle_classify, in C): a subject with no state and
-- an award is claimed, one whose open award is the one owed needs nothing,
-- one the caller holds is locked, one owed nothing and never paid needs
-- nothing; claims and locks in subject order, with each claim's hash
-- (sha256 of the award's binary form) and line count.
SELECT a.k = '2' AS held_is_other, c.claim, c.claim_lines, c.rest,
	c.claim_hashes[1] = sha256(compensation.award_send(a.award)) AS hash_is_sha256
FROM (SELECT o.order_id::text AS k, compensation.evaluate(compensation.rules('issue_all/batch'), o) AS award
	FROM orders o
	WHERE NOT compensation.is_empty(compensation.evaluate(compensation.rules('issue_all/batch'), o))
	ORDER BY o.order_id LIMIT 1) a,
	compensation._settle_classify('issue_all/batch', 3, 'test_issue_all.orders',
		ARRAY['zz-new', a.k, '2', 'zz-nothing'], ARRAY[a.award, a.award, NULL, NULL], ARRAY['2']) c;
-- It refuses what _settle's callers never pass.
SELECT * FROM compensation._settle_classify('issue_all/batch', 3, 'test_issue_all.orders', ARRAY['1', '2'], ARRAY[NULL::compensation.award], '{}');
SELECT * FROM compensation._settle_classify('issue_all/batch', 3, 'test_issue_all.orders', ARRAY['1', NULL], ARRAY[NULL, NULL]::compensation.award[], '{}');
SELECT * FROM compensation._settle_classify('issue_all/batch', 3, 'test_issue_all.orders', ARRAY['2', '1', '2'], ARRAY[NULL, NULL, NULL]::compensation.award[], '{}');
-- Step 1 probes the subjects in the index's order, as a merge: it steps
-- along the index from one subject to the next, and descends again when
-- the next is more than 64 entries on.  600 orders paid as integer keys,
-- whose text interleaves ('1', '10', '100', '101', ... '2'), and a batch
-- given out of order: subjects on neighbouring entries, across gaps, one
-- before the first entry ('0'), after the last ('zzz') and between two
-- ('601'); two owed another award ('3', '99': locked), the others the one
-- paid (nothing to do), the three unpaid ones claimed.
CREATE TABLE spread (order_id bigint PRIMARY KEY, price bigint NOT NULL, divisor int NOT NULL DEFAULT 1,
	code text NOT NULL, other int);
INSERT INTO spread SELECT g, 10000, 1, 's' || g, g FROM generate_series(1, 600) g;
CALL compensation.issue_all('issue_all/batch', 'spread', 'order_id', 1000);
CREATE FUNCTION pg_temp.spread_batch()
RETURNS TABLE (claim text[], rest text[]) LANGUAGE sql AS $$
	SELECT c.claim, c.rest
	FROM (SELECT array_agg(b.k) AS ks,
			array_agg(CASE WHEN b.k IN ('3', '99') THEN w.other_award ELSE w.paid_award END) AS aws
		FROM unnest(ARRAY['9', '101', 'zzz', '2', '100', '0', '599', '3', '601', '10', '1', '600', '99']) AS b(k),
			(SELECT compensation.evaluate(compensation.rules('issue_all/batch'), s) AS paid_award,
				compensation.evaluate(compensation.rules('issue_all/batch'),
					(s.order_id, 12000, s.divisor, s.code, s.other)::spread) AS other_award
			 FROM spread s WHERE s.order_id = 1) w) x,
		compensation._settle_classify('issue_all/batch', 3, 'test_issue_all.spread', x.ks, x.aws, '{}') c
$$;
SELECT * FROM pg_temp.spread_batch();
-- The same under a collation whose order is not the bytes' (the batch is
-- sorted again in the index's order), and under "C"; a collation that
-- takes two subjects for one is refused.
BEGIN;
ALTER TABLE compensation.issuance ALTER COLUMN subject TYPE text COLLATE "und-x-icu";
SELECT * FROM pg_temp.spread_batch();
ROLLBACK;
BEGIN;
ALTER TABLE compensation.issuance ALTER COLUMN subject TYPE text COLLATE "C";
SELECT * FROM pg_temp.spread_batch();
ROLLBACK;
BEGIN;
CREATE COLLATION pg_temp.case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
ALTER TABLE compensation.issuance ALTER COLUMN subject TYPE text COLLATE pg_temp.case_blind;
SELECT * FROM pg_temp.spread_batch();
ROLLBACK;
