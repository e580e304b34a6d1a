-- compensation.issue_trigger(): awards order rows as they qualify, and pays or
-- reverses the difference on update.
-- Policies are named trigger/...; ledger ids are shown from :ledger_base.
\set test trigger
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never

SELECT compensation.define_policy($p$
policy "trigger/tickets"
currency KRW
timezone "Asia/Seoul"
rule "R1-ticket"
  when show_at in 2025-06-09 .. 2025-06-11 and cancelled_at is null and not attended
  credit deposit price * 120% round half_up
end
rule "R1-fee"
  when cancelled_at in 2025-06-09 .. 2025-06-20 and cancel_fee > 0
  waive fee cancel_fee
end
$p$);

CREATE TABLE tickets (
	ticket_no text PRIMARY KEY, price bigint NOT NULL, show_at timestamptz NOT NULL,
	attended boolean NOT NULL DEFAULT false, cancelled_at timestamptz, cancel_fee bigint,
	note text);
CREATE TRIGGER compensate AFTER INSERT OR UPDATE ON tickets
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'ticket_no');

-- The lines of trigger/tickets, ids counted from this test's first line.
CREATE VIEW lines AS
SELECT id - :ledger_base AS id, version, subject, rule, instrument, amount, reverses - :ledger_base AS reverses
FROM compensation.ledger WHERE policy = 'trigger/tickets';

-- A policy not yet in force issues nothing (the draft is there).
INSERT INTO tickets VALUES ('T1', 99000, '2025-06-10 19:00+09');
SELECT count(*) AS lines FROM lines;
SELECT compensation.publish('trigger/tickets');

INSERT INTO tickets (ticket_no, price, show_at, attended, cancelled_at, cancel_fee) VALUES
	('T2', 33333, '2025-06-11 19:30+09', false, NULL, NULL),
	('T3', 55000, '2025-06-11 14:00+09', true, NULL, NULL),
	('T4', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400);
SELECT * FROM lines ORDER BY id;
-- T1 was inserted before publication: an update (any update) issues it.
UPDATE tickets SET note = 'touched' WHERE ticket_no = 'T1';
-- An update that changes nothing owed writes nothing.
UPDATE tickets SET note = 'touched again';
SELECT * FROM lines ORDER BY id;
-- The customer turns out to have attended T2: reversed.
UPDATE tickets SET attended = true WHERE ticket_no = 'T2';
-- T3's attendance was a mistake: now owed.
UPDATE tickets SET attended = false WHERE ticket_no = 'T3';
-- T1 is cancelled with a fee: the deposit is reversed, the fee waived.
UPDATE tickets SET cancelled_at = '2025-06-10 08:00+09', cancel_fee = 9900 WHERE ticket_no = 'T1';
SELECT * FROM lines WHERE id > 3 ORDER BY id;
-- A key that changes moves the award to the new subject.
UPDATE tickets SET ticket_no = 'T3b' WHERE ticket_no = 'T3';
SELECT * FROM lines WHERE id > 7 ORDER BY id;
-- Rolled back: nothing stays.
BEGIN;
INSERT INTO tickets VALUES ('T5', 10000, '2025-06-10 19:00+09');
SELECT count(*) AS inside FROM lines WHERE subject = 'T5';
ROLLBACK;
SELECT count(*) AS after FROM lines WHERE subject = 'T5';
-- The ledger equals what the current rows are owed.
SELECT t.ticket_no, compensation.amount(a, 'deposit') AS deposit, compensation.amount(a, 'fee') AS fee,
       (SELECT sum(amount) FROM lines l WHERE l.subject = t.ticket_no AND l.instrument = 'deposit') AS ledger_deposit,
       (SELECT sum(amount) FROM lines l WHERE l.subject = t.ticket_no AND l.instrument = 'fee') AS ledger_fee
FROM tickets t, compensation.evaluate(compensation.rules('trigger/tickets'), t) a ORDER BY 1;
-- A retired policy (no published version) issues nothing; orders still go in.
SELECT compensation.retire('trigger/tickets', 1);
INSERT INTO tickets VALUES ('T6', 10000, '2025-06-10 19:00+09');
SELECT count(*) AS t6 FROM lines WHERE subject = 'T6';

--
-- The trigger protocol: misuse is refused with SQLSTATE 39P01
--
CREATE TABLE bad (id int PRIMARY KEY, other int, dup int, price bigint, show_at timestamptz);
CREATE UNIQUE INDEX ON bad (dup) WHERE dup > 0;
CREATE TRIGGER t BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'id');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (1)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'id');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (1)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER TRUNCATE ON bad FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'id');
INSERT INTO bad (id) VALUES (1);
SELECT pg_temp.err($$TRUNCATE bad$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'id', 'source', 'extra');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'nope');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'other');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/tickets', 'dup');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/no-such-policy', 'id');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (2)$$);
DROP TRIGGER t ON bad;
-- the full text of one refusal
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger();
INSERT INTO bad (id) VALUES (2);
DROP TRIGGER t ON bad;
SELECT count(*) AS bad_rows FROM bad;

-- The subject is the key's canonical text (compensation.subject_key())
-- whatever the key's type: 1.50 is 1.5, a date is ISO whatever DateStyle.
DO $$
BEGIN
	PERFORM compensation.define_policy(format($p$
policy "%s"
currency KRW
rule "any"
  when price > 0
  credit points price
end
$p$, k)) FROM unnest(ARRAY['trigger/k-numeric', 'trigger/k-uuid', 'trigger/k-date']) AS k;
	PERFORM compensation.publish(k) FROM unnest(ARRAY['trigger/k-numeric', 'trigger/k-uuid', 'trigger/k-date']) AS k;
END
$$;
CREATE TABLE keyed (n numeric(6, 2) PRIMARY KEY, u uuid NOT NULL UNIQUE, d date NOT NULL UNIQUE,
	price bigint NOT NULL);
CREATE TRIGGER by_n AFTER INSERT OR UPDATE ON keyed
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/k-numeric', 'n');
CREATE TRIGGER by_u AFTER INSERT OR UPDATE ON keyed
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/k-uuid', 'u');
CREATE TRIGGER by_d AFTER INSERT OR UPDATE ON keyed
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger/k-date', 'd');
INSERT INTO keyed VALUES (1.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2025-06-10', 100),
	(2, 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '2025-06-11', 0);
SELECT policy, subject, amount FROM compensation.ledger WHERE policy LIKE 'trigger/k-%' ORDER BY id;
SELECT count(*) AS subjects_not_subject_key FROM compensation.ledger l
WHERE l.policy LIKE 'trigger/k-%' AND NOT EXISTS (SELECT FROM keyed k
	WHERE l.subject IN (compensation.subject_key(k.n), compensation.subject_key(k.u),
		compensation.subject_key(k.d)));
-- A new row owed nothing whose subject was issued before (the row was
-- deleted and inserted again) is paid back: the trigger does not skip it.
DELETE FROM keyed WHERE n = 1.5;
INSERT INTO keyed VALUES (1.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2025-06-10', 0);
SELECT policy, subject, sum(amount) AS net, count(*) AS lines FROM compensation.ledger
WHERE policy LIKE 'trigger/k-%' GROUP BY 1, 2 ORDER BY 1, 2;
