-- compensation.ledger is append-only, whoever tries; the outbox hands each
-- line to the application once.
-- The policy is ledger/round2; ledger ids are shown from :ledger_base.
\set test ledger
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never
-- The outbox is shared by every policy, and outbox_claim() takes the oldest
-- lines whoever issued them: take what earlier tests left there, so that
-- the claims below see this test's lines only.
DO $$ BEGIN PERFORM count(*) FROM compensation.outbox_claim(2147483647); END $$;

CREATE TABLE members (member_id bigint PRIMARY KEY, bought_ebooks boolean NOT NULL);
INSERT INTO members SELECT g, g % 2 = 0 FROM generate_series(1, 4) g;
SELECT compensation.define_policy($p$
policy "ledger/round2"
currency KRW
timezone "Asia/Seoul"
instrument ebook_voucher money
rule "R2-voucher"
  grant voucher 5000 valid 2025-06-19 .. 2025-07-06
end
rule "R2-ebook-voucher"
  when bought_ebooks
  grant ebook_voucher 5000 valid 2025-06-19 .. 2025-07-06
end
$p$);
SELECT compensation.publish('ledger/round2');
SELECT count(*) AS issued FROM members m, compensation.issue('ledger/round2', m.member_id::text, m);

--
-- UPDATE, DELETE and TRUNCATE are refused, even to the superuser
--
UPDATE compensation.ledger SET amount = amount * 2 WHERE id = :ledger_base + 1;
DELETE FROM compensation.ledger WHERE id = :ledger_base + 1;
TRUNCATE compensation.ledger CASCADE;
SELECT pg_temp.err($$UPDATE compensation.ledger SET issued_by = 'someone' WHERE policy = 'ledger/round2'$$);
SELECT pg_temp.err($$DELETE FROM compensation.ledger WHERE policy = 'ledger/round2'$$);
SELECT pg_temp.err($$TRUNCATE compensation.ledger CASCADE$$);
-- a reversal refers to a real line (ids start at 1), and a line is reversed
-- at most once
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, issued_at, issued_by, reverses)
  VALUES ('ledger/round2', 1, 'test_ledger.members', 'R2-voucher', '1', 'grant', now(), session_user, 0)$$);
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, issued_at, issued_by, reverses)
  SELECT 'ledger/round2', 1, l.source, 'R2-voucher', '1', 'grant', now(), session_user, l.id
  FROM compensation.ledger l, generate_series(1, 2)
  WHERE l.policy = 'ledger/round2' AND l.subject = '1'$$);
-- and lines belong to a policy version that exists
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, issued_at, issued_by)
  VALUES ('ledger/round2', 7, 'test_ledger.members', 'R2-voucher', '1', 'grant', now(), session_user)$$);
SELECT id - :ledger_base AS id, subject, rule, instrument, amount, currency, window_kind, window_from, window_until
FROM compensation.ledger WHERE policy = 'ledger/round2' ORDER BY id;

--
-- The outbox: every written line is queued once, in the same transaction
--
SELECT q.ledger_id - :ledger_base AS ledger_id FROM compensation.outbox q
JOIN compensation.ledger l ON l.id = q.ledger_id WHERE l.policy = 'ledger/round2' ORDER BY 1;
BEGIN;
SELECT id - :ledger_base AS id, subject, instrument FROM compensation.outbox_claim(2);
ROLLBACK;
-- a rollback put them back
SELECT id - :ledger_base AS id, subject, instrument FROM compensation.outbox_claim(2);
SELECT id - :ledger_base AS id, subject, instrument FROM compensation.outbox_claim(100);
SELECT count(*) AS left_over FROM compensation.outbox_claim(100);
SELECT count(*) AS strict_null FROM compensation.outbox_claim(NULL);
-- nothing issued, nothing queued
SELECT count(*) AS again FROM members m, compensation.issue('ledger/round2', m.member_id::text, m);
SELECT count(*) AS queued FROM compensation.outbox q
JOIN compensation.ledger l ON l.id = q.ledger_id WHERE l.policy = 'ledger/round2';
-- a new version queues its reversals and new lines
SELECT compensation.define_policy($p$
policy "ledger/round2"
currency KRW
timezone "Asia/Seoul"
rule "R2-voucher"
  grant voucher 7000 valid 2025-06-19 .. 2025-07-06
end
$p$);
SELECT compensation.publish('ledger/round2');
SELECT count(*) AS issued FROM members m, compensation.issue('ledger/round2', m.member_id::text, m) WHERE m.member_id <= 2;
SELECT l.id - :ledger_base AS id, l.version, l.subject, l.rule, l.amount, l.reverses - :ledger_base AS reverses
FROM compensation.outbox_claim(100) l;

--
-- Totals: the net of the ledger per instrument equals the evaluated award
-- of the issued version for the subjects issued
--
SELECT l.instrument, sum(l.amount) AS ledger_net,
       (SELECT sum(compensation.amount(compensation.evaluate(compensation.rules('ledger/round2'), m), l.instrument))
        FROM members m WHERE m.member_id <= 2) AS evaluated
FROM compensation.ledger l
WHERE l.policy = 'ledger/round2' AND l.subject IN ('1', '2')
GROUP BY l.instrument ORDER BY 1;
