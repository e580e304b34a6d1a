-- compensation.ledger is append-only, whoever tries; the outbox hands each
-- line to the application once.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS compensation CASCADE;
CREATE EXTENSION compensation;
DROP SCHEMA IF EXISTS test_ledger CASCADE;
RESET client_min_messages;
CREATE SCHEMA test_ledger;
SET search_path = test_ledger;
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE members (member_id bigint PRIMARY KEY, bought_ebooks boolean NOT NULL);
INSERT INTO members SELECT g, g % 2 = 0 FROM generate_series(1, 4) g;
SELECT compensation.define_policy($p$
policy "round2"
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
SELECT compensation.publish('round2');
SELECT count(*) AS issued FROM members m, compensation.issue('round2', m.member_id::text, m);

--
-- UPDATE, DELETE and TRUNCATE are refused, even to the superuser
--
UPDATE compensation.ledger SET amount = amount * 2 WHERE id = 1;
DELETE FROM compensation.ledger WHERE id = 1;
TRUNCATE compensation.ledger CASCADE;
SELECT pg_temp.err($$UPDATE compensation.ledger SET issued_by = 'someone'$$);
SELECT pg_temp.err($$DELETE FROM compensation.ledger$$);
SELECT pg_temp.err($$TRUNCATE compensation.ledger CASCADE$$);
-- a reversal refers to a real line, and a line is reversed at most once
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by, reverses)
  VALUES ('round2', 1, 'R2-voucher', '1', 'grant', now(), session_user, 999)$$);
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by, reverses)
  VALUES ('round2', 1, 'R2-voucher', '1', 'grant', now(), session_user, 1),
         ('round2', 1, 'R2-voucher', '1', 'grant', now(), session_user, 1)$$);
-- and lines belong to a policy version that exists
SELECT pg_temp.err($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by)
  VALUES ('round2', 7, 'R2-voucher', '1', 'grant', now(), session_user)$$);
SELECT id, subject, rule, instrument, amount, currency, window_kind, window_from, window_until
FROM compensation.ledger ORDER BY id;

--
-- The outbox: every written line is queued once, in the same transaction
--
SELECT ledger_id FROM compensation.outbox ORDER BY 1;
BEGIN;
SELECT id, subject, instrument FROM compensation.outbox_claim(2);
ROLLBACK;
-- a rollback put them back
SELECT id, subject, instrument FROM compensation.outbox_claim(2);
SELECT id, subject, instrument FROM compensation.outbox_claim(100);
SELECT count(*) AS left_over FROM compensation.outbox_claim(100);
SELECT count(*) AS strict_null FROM compensation.outbox_claim(NULL);
-- nothing issued, nothing queued
SELECT count(*) AS again FROM members m, compensation.issue('round2', m.member_id::text, m);
SELECT count(*) AS queued FROM compensation.outbox;
-- a new version queues its reversals and new lines
SELECT compensation.define_policy($p$
policy "round2"
currency KRW
timezone "Asia/Seoul"
rule "R2-voucher"
  grant voucher 7000 valid 2025-06-19 .. 2025-07-06
end
$p$);
SELECT compensation.publish('round2');
SELECT count(*) AS issued FROM members m, compensation.issue('round2', m.member_id::text, m) WHERE m.member_id <= 2;
SELECT l.id, l.version, l.subject, l.rule, l.amount, l.reverses FROM compensation.outbox_claim(100) l;

--
-- Totals: the net of the ledger per instrument equals the evaluated award
-- of the issued version for the subjects issued
--
SELECT l.instrument, sum(l.amount) AS ledger_net,
       (SELECT sum(compensation.amount(compensation.evaluate(compensation.rules('round2'), m), l.instrument))
        FROM members m WHERE m.member_id <= 2) AS evaluated
FROM compensation.ledger l
WHERE l.policy = 'round2' AND l.subject IN ('1', '2')
GROUP BY l.instrument ORDER BY 1;
