-- Who bears the cost (issue 12): "bearer EXPR" on an award line names the
-- partner who bears it (a concert's promoter, a vendor); without it, the
-- company.  The case is YES24's June 2025 ticket refunds: YES24 refunds
-- 120% of a ticket as deposit, the promoter of the show takes back the
-- face value (100%), YES24 carries the extra 20% and waives the
-- cancellation fee itself.  Text and JSON forms, the award, lines(),
-- sum(), explain, simulate and simulate_by_bearer, the ledger and
-- issued_by_bearer, and every error with its SQLSTATE.
\set test bearer
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

CREATE TABLE tickets (order_id bigint PRIMARY KEY, price bigint, promoter text,
	show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint);
INSERT INTO tickets VALUES
	(1, 99000, 'Live Nation Korea', '2025-06-10 19:00+09', false, NULL, NULL),	-- E1
	(2, 33333, 'CJ ENM', '2025-06-11 19:30+09', false, NULL, NULL),		-- E2: 20% is 6,666.6
	(3, 55000, 'CJ ENM', '2025-06-11 14:00+09', true, NULL, NULL),		-- E3: attended
	(4, 77000, 'Live Nation Korea', '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400),	-- E4
	(5, 44000, NULL, '2025-06-10 20:00+09', false, NULL, NULL),			-- YES24's own show
	(6, 22000, '', '2025-06-10 20:00+09', false, NULL, NULL);			-- empty: the company

CREATE TABLE p AS SELECT $$
policy "bearer/tickets" currency KRW timezone "Asia/Seoul" rounding half_up
rule "R1-ticket"
  when show_at in 2025-06-09 .. 2025-06-11 and not attended and cancelled_at is null
  credit deposit price bearer promoter
  credit deposit price * 20%
end
rule "R1-ticket-cancel"
  when cancelled_at is not null and cancelled_at <= 2025-06-20 23:59:59
  credit deposit price * 20% bearer promoter
  waive fee cancel_fee
end$$::compensation.ruleset AS r;

-- the canonical text keeps the clause; text -> ruleset -> text and
-- ruleset -> jsonb -> ruleset give the same value
SELECT r FROM p;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS text_round_trip,
	compensation.ruleset_from_jsonb(compensation.ruleset_to_jsonb(r)) OPERATOR(compensation.=) r AS json_round_trip,
	compensation.ruleset_to_jsonb(r) #> '{rules,0,awards,0,bearer}' AS bearer_json,
	compensation.ruleset_to_jsonb(r) #> '{rules,0,awards,1,bearer}' AS company_json
FROM p;
-- the binary form (COPY BINARY) too
SELECT '/tmp/compensation_bearer_regress_' || pg_backend_pid() || '.bin' AS binfile \gset
CREATE TABLE bin (r compensation.ruleset, a compensation.award);
INSERT INTO bin SELECT p.r, compensation.evaluate(p.r, t) FROM p, tickets t WHERE t.order_id = 1;
COPY bin TO :'binfile' WITH (FORMAT binary);
CREATE TABLE bin2 (LIKE bin);
COPY bin2 FROM :'binfile' WITH (FORMAT binary);
SELECT b.r OPERATOR(compensation.=) c.r AS ruleset_same, b.a OPERATOR(compensation.=) c.a AS award_same, c.a
FROM bin b, bin2 c;

-- the award: a line borne by a partner says so; NULL or '' is the company
SELECT t.order_id, compensation.evaluate(p.r, t) FROM tickets t, p ORDER BY 1;
SELECT t.order_id, l.rule, l.kind, l.instrument, l.amount, l.note, l.bearer
FROM tickets t, p, compensation.lines(compensation.evaluate(p.r, t)) l
WHERE t.order_id IN (1, 4) ORDER BY 1, 2, l.bearer NULLS FIRST;
-- the accessors add up every line, whoever bears it
SELECT t.order_id, compensation.amount(compensation.evaluate(p.r, t), 'deposit') AS deposit
FROM tickets t, p WHERE t.order_id IN (1, 2) ORDER BY 1;
SELECT compensation.evaluate(p.r, t)::jsonb -> 'lines' -> 0 ->> 'bearer' AS first_line,
	compensation.evaluate(p.r, t)::jsonb -> 'lines' -> 1 -> 'bearer' AS second_line
FROM tickets t, p WHERE t.order_id = 1;
-- explain shows it in what the rule awarded
SELECT e.rule, e.matched, e.award FROM tickets t, p, compensation.explain(p.r, t) e
WHERE t.order_id = 4 ORDER BY e.rule_no;

-- sum(award) keeps a rule's lines apart per bearer (the company's first)
SELECT compensation.sum(compensation.evaluate(p.r, t)) FROM tickets t, p;
SELECT l.rule, l.bearer, l.amount, l.count
FROM (SELECT compensation.sum(compensation.evaluate(p.r, t)) AS s FROM tickets t, p) x,
	compensation.lines(x.s) l;
-- simulate adds them up per rule; simulate_by_bearer per bearer: what
-- each promoter owes back, and what YES24 carries
SELECT * FROM compensation.simulate((SELECT r FROM p), 'tickets');
SELECT * FROM compensation.simulate_by_bearer((SELECT r FROM p), 'tickets');
SELECT * FROM compensation.simulate_by_bearer((SELECT r FROM p), 'tickets', 'order_id <> 4');

-- the award text: bearer 'NAME' after the window, in place of a note
SELECT 'KRW {"a": credit deposit 100 bearer ''CJ ENM''; "b": grant voucher 5 claim 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09 bearer ''it''''s''; "c": extend d +1 days bearer ''x'' x2}'::compensation.award;
SELECT a::text::compensation.award OPERATOR(compensation.=) a AS same
FROM (SELECT 'KRW {"a": credit deposit 100 bearer ''CJ ENM''}'::compensation.award AS a) x;
-- an instrument called bearer still reads as one
SELECT 'KRW {"a": flag bearer; "b": credit bearer 10 bearer ''P''}'::compensation.award;
-- a different bearer is a different award
SELECT 'KRW {"a": credit deposit 100 bearer ''A''}'::compensation.award
	OPERATOR(compensation.=) 'KRW {"a": credit deposit 100 bearer ''B''}'::compensation.award AS same_bearer_ab,
	'KRW {"a": credit deposit 100 bearer ''A''}'::compensation.award
	OPERATOR(compensation.=) 'KRW {"a": credit deposit 100}'::compensation.award AS same_as_company;

-- errors of the award text
SELECT pg_temp.err($$SELECT 'KRW {"a": flag x bearer ''P''}'::compensation.award$$);
SELECT pg_temp.err($$SELECT 'KRW {"a": review ''why'' bearer ''P''}'::compensation.award$$);
SELECT pg_temp.err($$SELECT 'KRW {"a": credit deposit 1 bearer ''''}'::compensation.award$$);
SELECT pg_temp.err($$SELECT 'KRW {"a": credit deposit 1 bearer P}'::compensation.award$$);
SELECT pg_temp.err($$SELECT 'KRW {"a": credit deposit 1 bearer ''P'' ''a note''}'::compensation.award$$);

-- the binary input checks it as the text input does (22P03)
CREATE FUNCTION pg_temp.str(s text) RETURNS bytea LANGUAGE sql
AS $$ SELECT int4send(octet_length(convert_to(s, 'UTF8'))) || convert_to(s, 'UTF8') $$;
CREATE FUNCTION pg_temp.b(v int) RETURNS bytea LANGUAGE sql
AS $$ SELECT set_byte('\x00'::bytea, 0, v) $$;
-- one line: version 1, KRW, kind, has, no window, unit money, then a
-- note (the bearer) or none
CREATE FUNCTION pg_temp.payload(kind int, has int, note bytea) RETURNS bytea LANGUAGE sql
AS $$ SELECT pg_temp.b(1) || pg_temp.b(3) || convert_to('KRW', 'UTF8') || int2send(0::int2) || int4send(1)
	|| pg_temp.b(kind) || pg_temp.b(has) || pg_temp.b(0) || pg_temp.b(CASE WHEN has & 1 = 1 THEN 1 ELSE 0 END)
	|| int4send(0) || int4send(0) || int8send(1) || int8send(100) || int8send(0) || int8send(0) || int8send(0)
	|| pg_temp.str('R') || pg_temp.str('deposit')
	|| CASE WHEN note IS NULL THEN pg_temp.b(0) ELSE pg_temp.b(1) || note END $$;
CREATE TEMP TABLE recv_t (a compensation.award);
CREATE FUNCTION pg_temp.recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid;
	path text := format('/tmp/compensation_bearer_recv_%s.bin', pg_backend_pid());
BEGIN
	lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || int4send(0) || int4send(0)
						   || int2send(1::int2) || int4send(octet_length(payload)) || payload
						   || int2send(-1::int2));
	PERFORM lo_export(lo, path);
	PERFORM lo_unlink(lo);
	TRUNCATE recv_t;
	EXECUTE format('COPY recv_t FROM %L WITH (FORMAT binary)', path);
	RETURN (SELECT a::text FROM recv_t);
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT pg_temp.recv(pg_temp.payload(1, 1 | 16, pg_temp.str('CJ ENM')));	-- good
SELECT pg_temp.recv(pg_temp.payload(1, 1 | 16, NULL));				-- no bearer
SELECT pg_temp.recv(pg_temp.payload(1, 1 | 16, pg_temp.str('')));		-- empty
SELECT pg_temp.recv(pg_temp.payload(7, 16, pg_temp.str('P')));			-- a flag
SELECT pg_temp.recv(pg_temp.payload(8, 16, pg_temp.str('P')));			-- a review

-- the policy language: "bearer" is the clause only where an award line
-- may end; a column called bearer still works everywhere else, and the
-- printer writes it so that it reads back the same
CREATE TABLE odd AS SELECT $$
policy "bearer/odd" currency KRW
let house = 'YES24'
rule "r"
  when bearer > 0
  grant voucher bearer 'YES24'
  grant coupon bearer "bearer"
  grant pass bearer * 2 bearer coalesce(promoter, house)
  grant points bearer bearer (bearer)
  extend due by 1 day bearer house
  waive fee 10 round floor claim due .. due + 3 days bearer lower(promoter)
  flag seen
end$$::compensation.ruleset AS r;
SELECT r FROM odd;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS text_round_trip,
	compensation.ruleset_from_jsonb(compensation.ruleset_to_jsonb(r)) OPERATOR(compensation.=) r AS json_round_trip
FROM odd;
-- a parameter as the bearer: with_params names another one
CREATE TABLE house AS SELECT $$policy "bearer/house" currency KRW
param house = 'YES24'
rule "r" credit deposit price bearer coalesce(promoter, house) end$$::compensation.ruleset AS r;
SELECT t.order_id, compensation.evaluate(h.r, t) AS as_written,
	compensation.evaluate(compensation.with_params(h.r, '{"house": "YES24 Live"}'), t) AS what_if
FROM tickets t, house h WHERE t.order_id IN (1, 5) ORDER BY 1;

-- errors of the policy language (42601 syntax, 42804 type)
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" flag x bearer promoter end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" review ''why'' bearer promoter end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" credit deposit 1 bearer end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" credit deposit 1 bearer 42 end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" credit deposit 1 bearer 2025-06-01 end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "e" currency KRW rule "r" credit deposit 1 bearer promoter bearer x end'::compensation.ruleset$$);
-- ... and of a bearer that is not text when a row gives it (42804)
CREATE TYPE numbered AS (promoter int);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "e" currency KRW rule "r" credit deposit 1 bearer promoter end'::compensation.ruleset,
	ROW(7)::test_bearer.numbered)$$);
-- ... and of a JSON policy (22023, with its path)
SELECT pg_temp.err($$SELECT compensation.ruleset_from_jsonb(jsonb_set(compensation.ruleset_to_jsonb(
	'policy "e" currency KRW rule "r" flag x end'::compensation.ruleset),
	'{rules,0,awards,0,bearer}', '"P"'))$$);

--
-- The ledger: issuance records the bearer, a reversal copies it, and a
-- new version that changes only who bears a line reverses and rewrites it
--
SELECT compensation.define_policy(r::text) FROM p;
SELECT compensation.publish('bearer/tickets');
SELECT * FROM compensation.issue_table('bearer/tickets', 'tickets', 'order_id');
SELECT l.subject, l.rule, l.amount, l.bearer, l.reverses IS NOT NULL AS reversal
FROM compensation.ledger l WHERE l.policy = 'bearer/tickets' ORDER BY l.id;
SELECT version, bearer, kind, instrument, subjects, open_lines, open_amount, open_amount_major
FROM compensation.issued_by_bearer WHERE policy = 'bearer/tickets'
ORDER BY version, bearer NULLS FIRST, kind, instrument;
-- version 2: Live Nation carries the whole refund of its shows
SELECT compensation.define_policy(replace(r::text, 'credit deposit price * 20%
end', 'credit deposit price * 20% bearer case when promoter = ''Live Nation Korea'' then promoter end
end')) FROM p;
SELECT compensation.publish('bearer/tickets');
SELECT * FROM compensation.issue_table('bearer/tickets', 'tickets', 'order_id');
SELECT l.subject, l.version, l.rule, l.amount, l.bearer, l.reverses IS NOT NULL AS reversal
FROM compensation.ledger l WHERE l.policy = 'bearer/tickets' AND l.id > (
	SELECT max(id) FROM compensation.ledger WHERE policy = 'bearer/tickets' AND version = 1)
ORDER BY l.id;
-- (per version: version 1's lines still open, and version 2's)
SELECT version, bearer, kind, instrument, subjects, open_lines, open_amount
FROM compensation.issued_by_bearer WHERE policy = 'bearer/tickets' AND open_lines > 0
ORDER BY bearer NULLS FIRST, kind, instrument, version;
-- customer_pending sees a change of bearer alone: before version 3 is
-- issued, order 2's 20% is to move from YES24 to CJ ENM
SELECT compensation.define_policy(replace(r::text, 'credit deposit price * 20%
end', 'credit deposit price * 20% bearer promoter
end')) FROM p;
SELECT compensation.publish('bearer/tickets');
SELECT pending, rule, what FROM compensation.customer_pending('bearer/tickets', 'tickets', 'order_id', '2');
-- customer_lines says who bears each line too
SELECT version, rule, status, what FROM compensation.customer_lines
WHERE policy = 'bearer/tickets' AND subject = '1' ORDER BY line;
-- by name, as an analyst calls it
SELECT bearer, amount FROM compensation.simulate_by_bearer('bearer/tickets', 'tickets')
WHERE kind = 'credit';
-- NULL arguments (22004)
SELECT pg_temp.err($$SELECT * FROM compensation.simulate_by_bearer(NULL::compensation.ruleset, 'tickets')$$);
SELECT pg_temp.err($$SELECT * FROM compensation.simulate_by_bearer('bearer/tickets', NULL)$$);
