-- compensation.issue_trigger() FOR EACH STATEMENT, with transition tables:
-- the set-based form for bulk changes.  Every statement below runs against
-- two tables, one with the row form and one with the statement form of the
-- same policy; their ledgers must agree line for line.
\set test trigger_statement
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never

-- One policy text under two names: "trigger_statement/by-row" and
-- "trigger_statement/by-statement".
DO $$
BEGIN
	PERFORM compensation.define_policy(format($p$
policy "%s"
currency KRW
timezone "Asia/Seoul"
rule "R1-ticket"
  when show_at in 2025-06-09 .. 2025-06-11 and cancelled_at is null and not attended
  credit deposit price * 120%% round half_up
end
rule "R1-fee"
  when cancelled_at in 2025-06-09 .. 2025-06-20 and cancel_fee > 0
  waive fee cancel_fee
end
$p$, p)) FROM unnest(ARRAY['trigger_statement/by-row', 'trigger_statement/by-statement']) AS p;
	PERFORM compensation.publish(p) FROM unnest(ARRAY['trigger_statement/by-row', 'trigger_statement/by-statement']) AS p;
END
$$;

-- A dropped column: rows are passed as the table's row type, whatever its
-- physical layout.
CREATE TABLE tickets_row (
	ticket_no text PRIMARY KEY, gone int, price bigint NOT NULL, show_at timestamptz NOT NULL,
	attended boolean NOT NULL DEFAULT false, cancelled_at timestamptz, cancel_fee bigint);
ALTER TABLE tickets_row DROP COLUMN gone;
CREATE TABLE tickets_stmt (LIKE tickets_row INCLUDING ALL);
CREATE TRIGGER compensate AFTER INSERT OR UPDATE ON tickets_row
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-row', 'ticket_no');
CREATE TRIGGER compensate_insert AFTER INSERT ON tickets_stmt
	REFERENCING NEW TABLE AS inserted
	FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'ticket_no');
CREATE TRIGGER compensate_update AFTER UPDATE ON tickets_stmt
	REFERENCING OLD TABLE AS before NEW TABLE AS after
	FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'ticket_no');

-- run(sql): runs a statement on both tables (%s is the table).
CREATE FUNCTION pg_temp.run(q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format(q, 'tickets_row');
	EXECUTE format(q, 'tickets_stmt');
END $$;
-- The two ledgers side by side, line by line in the order written.
CREATE VIEW both_ledgers AS
SELECT coalesce(r.n, s.n) AS n, r.subject, r.rule, r.amount, r.reverses IS NOT NULL AS reversal,
	(r.subject, r.rule, r.kind, r.instrument, r.amount, r.reverses IS NULL)
		IS NOT DISTINCT FROM (s.subject, s.rule, s.kind, s.instrument, s.amount, s.reverses IS NULL) AS same
FROM (SELECT row_number() OVER (ORDER BY subject, id) AS n, * FROM compensation.ledger
	WHERE policy = 'trigger_statement/by-row') r
FULL JOIN (SELECT row_number() OVER (ORDER BY subject, id) AS n, * FROM compensation.ledger
	WHERE policy = 'trigger_statement/by-statement') s ON s.n = r.n;

-- One multi-row INSERT: the first issuances, set-based.
SELECT pg_temp.run($$INSERT INTO %s (ticket_no, price, show_at, attended, cancelled_at, cancel_fee) VALUES
	('T1', 99000, '2025-06-10 19:00+09', false, NULL, NULL),
	('T2', 33333, '2025-06-11 19:30+09', false, NULL, NULL),
	('T3', 55000, '2025-06-11 14:00+09', true, NULL, NULL),
	('T4', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400)$$);
SELECT * FROM both_ledgers ORDER BY n;

-- One UPDATE of several rows: T2 attended (reversed), T3 did not (now
-- owed), T1 cancelled with a fee (deposit reversed, fee waived), T4
-- untouched in substance (nothing written).
SELECT pg_temp.run($$UPDATE %s SET
	attended = CASE ticket_no WHEN 'T2' THEN true WHEN 'T3' THEN false ELSE attended END,
	cancelled_at = CASE ticket_no WHEN 'T1' THEN '2025-06-10 08:00+09' ELSE cancelled_at END,
	cancel_fee = CASE ticket_no WHEN 'T1' THEN 9900 ELSE cancel_fee END$$);
SELECT * FROM both_ledgers ORDER BY n;

-- A key that changes moves the award: the old subject is owed nothing.
SELECT pg_temp.run($$UPDATE %s SET ticket_no = 'T3b' WHERE ticket_no = 'T3'$$);
-- A row deleted and inserted again, now owed less: the subject has
-- issuance state, so the statement form takes the per-subject path.
SELECT pg_temp.run($$DELETE FROM %s WHERE ticket_no = 'T3b'$$);
SELECT pg_temp.run($$INSERT INTO %s VALUES ('T3b', 10000, '2025-06-11 14:00+09', false, NULL, NULL),
	('T5', 20000, '2025-06-10 19:00+09', false, NULL, NULL)$$);
SELECT * FROM both_ledgers WHERE subject IN ('T3', 'T3b', 'T5') ORDER BY n;
SELECT count(*) AS lines, count(*) FILTER (WHERE same) AS same FROM both_ledgers;

-- Rolled back: nothing stays.
BEGIN;
INSERT INTO tickets_stmt VALUES ('T9', 10000, '2025-06-10 19:00+09');
SELECT count(*) AS inside FROM compensation.ledger WHERE policy LIKE 'trigger_statement/%' AND subject = 'T9';
ROLLBACK;
SELECT count(*) AS after FROM compensation.ledger WHERE policy LIKE 'trigger_statement/%' AND subject = 'T9';

-- More rows than one chunk (10,000): every row owed something is paid
-- once, and the ledger equals what the rows are owed.
INSERT INTO tickets_stmt (ticket_no, price, show_at)
SELECT 'B' || i, 1000 + i, '2025-06-10 19:00+09' FROM generate_series(1, 10050) AS i;
SELECT count(*) AS lines, count(DISTINCT subject) AS subjects, sum(amount) AS amount
FROM compensation.ledger WHERE policy = 'trigger_statement/by-statement' AND subject LIKE 'B%';
SELECT sum(compensation.amount(compensation.evaluate(compensation.rules('trigger_statement/by-statement'), t), 'deposit')) AS owed
FROM tickets_stmt t WHERE ticket_no LIKE 'B%';
SELECT count(*) AS outbox FROM compensation.outbox o
	JOIN compensation.ledger l ON l.id = o.ledger_id
	WHERE l.policy = 'trigger_statement/by-statement' AND l.subject LIKE 'B%';
-- Issued again by an UPDATE that changes nothing owed: nothing written.
UPDATE tickets_stmt SET price = price WHERE ticket_no LIKE 'B%';
SELECT count(*) AS lines_after_noop_update FROM compensation.ledger
WHERE policy = 'trigger_statement/by-statement' AND subject LIKE 'B%';

-- The ledger equals what the current rows are owed, in both tables.
SELECT t.tbl, sum(compensation.amount(t.a, 'deposit')) AS deposit_owed,
	sum(compensation.amount(t.a, 'fee')) AS fee_owed,
	(SELECT sum(amount) FROM compensation.ledger l
		WHERE l.policy = t.policy AND l.instrument = 'deposit' AND l.subject NOT LIKE 'B%') AS deposit_ledger,
	(SELECT sum(amount) FROM compensation.ledger l
		WHERE l.policy = t.policy AND l.instrument = 'fee') AS fee_ledger
FROM (SELECT 'row' AS tbl, 'trigger_statement/by-row' AS policy, compensation.evaluate(compensation.rules('trigger_statement/by-row'), r) AS a
		FROM tickets_row r
	UNION ALL
	SELECT 'statement', 'trigger_statement/by-statement', compensation.evaluate(compensation.rules('trigger_statement/by-statement'), s)
		FROM tickets_stmt s WHERE s.ticket_no NOT LIKE 'B%') t
GROUP BY t.tbl, t.policy ORDER BY 1;

--
-- Misuse is refused (SQLSTATE 39P01), and nothing is written
--
CREATE TABLE bad (id int UNIQUE, price bigint, show_at timestamptz,
	attended boolean DEFAULT false, cancelled_at timestamptz, cancel_fee bigint);
-- FOR EACH STATEMENT without transition tables
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH STATEMENT
	EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'id');
SELECT pg_temp.err($$INSERT INTO bad (id) VALUES (1)$$);
DROP TRIGGER t ON bad;
-- an UPDATE trigger with only the new rows
CREATE TRIGGER t AFTER UPDATE ON bad REFERENCING NEW TABLE AS n FOR EACH STATEMENT
	EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'id');
INSERT INTO bad (id) VALUES (1);
SELECT pg_temp.err($$UPDATE bad SET price = 1$$);
DROP TRIGGER t ON bad;
-- a null key (a unique column may hold nulls): 22004
CREATE TRIGGER t AFTER INSERT ON bad REFERENCING NEW TABLE AS n FOR EACH STATEMENT
	EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'id');
SELECT pg_temp.err($$INSERT INTO bad VALUES (2, 1000, '2025-06-10 19:00+09'), (NULL, 1000, '2025-06-10 19:00+09')$$);
-- the full text of one refusal
DROP TRIGGER t ON bad;
CREATE TRIGGER t AFTER INSERT ON bad FOR EACH STATEMENT
	EXECUTE FUNCTION compensation.issue_trigger('trigger_statement/by-statement', 'id');
INSERT INTO bad (id) VALUES (3);
SELECT count(*) AS bad_rows, (SELECT count(*) FROM compensation.ledger
	WHERE policy LIKE 'trigger_statement/%' AND subject IN ('2', '3')) AS bad_lines
FROM bad;
