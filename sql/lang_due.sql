-- The "due by" window of an award (issue 11): an amount that must be paid
-- by a date or time.  Its grammar (two words, so a column named "due" still
-- reads bare), canonical form, JSON form, evaluation, explain, the award
-- text, the ledger's window columns, and every error with its SQLSTATE.
--
-- The policy is a real published scheme (the source is cited in the policy
-- file this test loads):
--   us-dot-refund-due  US DOT airline refunds (14 CFR 260.6, 2024): due
--                      within 7 business days (card) or 20 calendar days;
--                      US federal holidays of 2026
-- Every expected deadline below is worked out by hand in the comment above
-- it.
\set test lang_due
\i test/regress_preamble.sql
\set dot `cat examples/calendars/us-dot-refund-due.policy`
SET TimeZone = 'UTC';

CREATE FUNCTION pg_temp.compile(p text) RETURNS text LANGUAGE sql
	AS $$ SELECT pg_temp.err(format('SELECT %L::compensation.ruleset', p)) $$;
-- pg_temp.roundtrip(policy): the canonical text parses back to an equal
-- value and prints the same text; pg_temp.json_roundtrip: so does the JSON
-- form.
CREATE FUNCTION pg_temp.roundtrip(p text) RETURNS boolean LANGUAGE sql AS $$
	SELECT p::compensation.ruleset OPERATOR(compensation.=) p::compensation.ruleset::text::compensation.ruleset
	   AND p::compensation.ruleset::text = p::compensation.ruleset::text::compensation.ruleset::text $$;
CREATE FUNCTION pg_temp.json_roundtrip(p text) RETURNS boolean LANGUAGE sql AS $$
	SELECT compensation.ruleset_from_jsonb(compensation.ruleset_to_jsonb(p::compensation.ruleset))
	       OPERATOR(compensation.=) p::compensation.ruleset $$;

--
-- 1. The US DOT refund deadlines.
--
CREATE TABLE refunds (id int PRIMARY KEY, paid_by text, fare numeric, fees numeric,
                      requested_at timestamptz);
INSERT INTO refunds VALUES
  (1, 'card',  400.00, 20.00, '2026-06-30 10:00-04'),
  (2, 'check', 250.00,  0.00, '2026-02-20 15:00-05'),
  (3, 'card',  180.00, 15.50, '2026-11-20 09:00-05'),
  (4, 'card',  100.00,  0.00, NULL),
  (5, 'cash',    NULL,  0.00, '2026-03-02 12:00-05');
-- 1: requested Tuesday 30 June; the working days after it are 1 and 2 July,
--    then 3 July (Independence Day observed) and the weekend are skipped,
--    6-10 July: the 7th is Friday 10 July, so due by the end of 10 July,
--    EDT: before 2026-07-11 00:00-04.
-- 2: paid by check, 20 calendar days after Friday 20 February (February
--    2026 has 28 days) is Thursday 12 March, after the clocks went forward
--    (8 March): before 2026-03-13 00:00-04.
-- 3: requested Friday 20 November; 23, 24, 25 November, Thanksgiving (26)
--    skipped, 27 November, 30 November, 1 and 2 December: due by the end of
--    2 December, EST: before 2026-12-03 00:00-05.
-- 4: no request time: the refund is owed, its deadline unknown: a line
--    without a window (as a claim window of a NULL date).
-- 5: no fare: no line at all.
SELECT r.id, compensation.evaluate(:'dot'::compensation.ruleset, r) FROM refunds r ORDER BY r.id;

-- The window in compensation.lines() and in JSON: kind 'due', from
-- -infinity (a deadline has no start), until the exclusive end.
SELECT r.id, l.rule, l.amount_major, l.window_kind, l.window_from, l.window_until
FROM refunds r, compensation.lines(compensation.evaluate(:'dot'::compensation.ruleset, r)) l
ORDER BY r.id;
SELECT compensation.evaluate(:'dot'::compensation.ruleset, r)::jsonb -> 'lines' -> 0 -> 'window' AS window
FROM refunds r WHERE r.id = 1;
-- local_window(): the deadline in the policy's local time (New York).
SELECT r.id, compensation.local_window(compensation.evaluate(:'dot'::compensation.ruleset, r), 'refund')
FROM refunds r ORDER BY r.id;

-- explain shows the deadline in the rule's award.
SELECT e.rule, e.matched, e.award
FROM refunds r, compensation.explain(:'dot'::compensation.ruleset, r) e
WHERE r.id IN (2, 3) ORDER BY r.id, e.rule_no;

-- Canonical form, print -> parse, and the JSON form of the window.
SELECT :'dot'::compensation.ruleset;
SELECT pg_temp.roundtrip(:'dot');
-- The JSON form keeps "working days" (it read back as calendar days, which
-- moved the first deadline to 7 July: found by this test).
SELECT pg_temp.json_roundtrip(:'dot');
SELECT compensation.ruleset_from_jsonb(compensation.ruleset_to_jsonb(:'dot'::compensation.ruleset))::text
       = :'dot'::compensation.ruleset::text AS same_text,
       compensation.ruleset_to_jsonb(:'dot'::compensation.ruleset) #> '{rules,0,awards,0,window,by,args,1}' AS duration;
SELECT compensation.ruleset_to_jsonb(:'dot'::compensation.ruleset) -> 'rules' -> 0 -> 'awards' -> 0 -> 'window' AS window;

--
-- 2. The ledger keeps the deadline as the line's window.
--
-- (under this test's name, as every policy in the shared catalog)
SELECT compensation.define_policy(replace(:'dot', '"us-dot-refund-due"', '"lang_due/us-dot-refund-due"')) AS version;
SELECT compensation.publish('lang_due/us-dot-refund-due') IS NOT NULL AS published;
SELECT l.subject, l.rule, l.amount, l.window_kind, l.window_from, l.window_until
FROM refunds r, compensation.issue('lang_due/us-dot-refund-due', r.id::text, r) l
WHERE r.id IN (1, 2, 4) ORDER BY l.subject, l.id;
-- Issued again: nothing more (the window is part of what is owed).
SELECT count(*) AS again FROM refunds r, compensation.issue('lang_due/us-dot-refund-due', r.id::text, r) l
WHERE r.id IN (1, 2, 4);

--
-- 3. An instant as the deadline, every award that takes a window, and a
--    column named "due".
--
-- Paid "by" an instant means at it or before: the exclusive end is one
-- microsecond after it.  A date is due by the end of that local day.
CREATE TABLE invoices (id int, due date, amount numeric, issued_at timestamptz, late boolean);
INSERT INTO invoices VALUES (1, '2026-05-29', 12.50, '2026-05-01 09:30+02', true),
                            (2, NULL, 7.00, '2026-05-01 09:30+02', false);
\set due_policy 'policy "lang_due/invoice" currency EUR timezone "Europe/Paris" rule "r" when late credit cash amount due by due grant voucher due by issued_at + 72 hours flag reminder due by issued_at grant coupon 1 for 30 days due by due end rule "old" when due < 2026-06-01 flag overdue valid due .. due + 7 days end'
-- 1: the amount by the end of 29 May (Paris, +02), the voucher by 72 hours
--    after 09:30 on 1 May (inclusive: 4 May 09:30:00.000001), the
--    reminder by the instant itself, the coupon for 30 days by 29 May; in
--    the rule "old", "due" is the column as it always was.
-- 2: not late; its due date is NULL, so "old" does not match.
SELECT i.id, compensation.evaluate(:'due_policy'::compensation.ruleset,
       i)
FROM invoices i ORDER BY i.id;
-- Below, a grant's amount and its deadline are both columns named "due":
-- "due" is the window only when "by" follows.
CREATE TABLE bills (id int, due integer, pay_by date);
INSERT INTO bills VALUES (1, 3, '2026-01-31');
SELECT compensation.evaluate($$policy "lang_due/bills" currency EUR
rule "r" grant coupon due due by pay_by
  grant coupon due
  flag paid due
    -- a comment between the two words
    by pay_by
end$$::compensation.ruleset, b) FROM bills b;
SELECT $$policy "lang_due/bills" currency EUR
rule "r" grant coupon due due by pay_by grant coupon due flag paid due by pay_by end$$::compensation.ruleset;
SELECT pg_temp.roundtrip(p), pg_temp.json_roundtrip(p) FROM (VALUES (:'due_policy'),
  ($$policy "p" currency EUR rule "r" grant coupon due due by pay_by grant coupon due end$$),
  ($$policy "p" currency EUR let due = 2026-01-01 rule "r" grant voucher due by due + 1 month end$$),
  ($$policy "p" currency EUR rule "r" credit cash 1 round half_up to 5 due by d end$$),
  ($$policy "p" currency EUR rule "r" grant voucher 1 for 3 days due by "due" end$$)) v(p);

--
-- 4. The award text of a due window: "due ..< END", read back equal; an
--    instrument may still be called due.
--
SELECT a, a::text::compensation.award OPERATOR(compensation.=) a AS same
FROM (VALUES ('EUR {"r": credit cash 1.00 due ..< 2026-06-01 00:00:00+02}'::compensation.award),
             ('EUR {"r": flag due due ..< 2026-06-01 00:00:00+02}'),
             ('EUR {"r": extend due to 2026-06-01 00:00:00+02}'),
             ('EUR {"r": grant voucher due ..< infinity}')) v(a);
SELECT pg_temp.err($$SELECT 'EUR {"r": flag f due 2026-06-01 00:00:00+02 ..< 2026-06-02 00:00:00+02}'::compensation.award$$);

--
-- 5. Errors.
--
SELECT p, pg_temp.compile(p) FROM (VALUES
  -- "due" without "by" where a window may begin (42601)
  ($$policy "p" currency EUR rule "r" credit cash 1 due 2026-01-01 end$$),
  -- "due by" with nothing after it (42601)
  ($$policy "p" currency EUR rule "r" credit cash 1 due by end$$),
  -- two windows (42601): one window per award
  ($$policy "p" currency EUR rule "r" credit cash 1 claim a .. b due by c end$$),
  -- a deadline that is no date or time, whatever the row (42804)
  ($$policy "p" currency EUR rule "r" credit cash 1 due by 5 end$$),
  ($$policy "p" currency EUR rule "r" credit cash 1 due by 3 days end$$),
  ($$policy "p" currency EUR rule "r" flag f due by 'soon' end$$)) v(p);
-- a deadline that is no time in a row (42804, evaluation names the rule)
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash 1 due by d end'::compensation.ruleset, x) FROM (SELECT 5 AS d) x$$);
-- the JSON form: a due window has "by" and nothing of a range (22023 or
-- 42601 as every other malformed document)
SELECT pg_temp.err($$SELECT compensation.ruleset_from_jsonb(jsonb_set(compensation.ruleset_to_jsonb('policy "p" currency EUR rule "r" credit cash 1 due by d end'), '{rules,0,awards,0,window,from}', '{"op": "column", "name": "d"}'))$$);
SELECT pg_temp.err($$SELECT compensation.ruleset_from_jsonb(jsonb_set(compensation.ruleset_to_jsonb('policy "p" currency EUR rule "r" credit cash 1 due by d end'), '{rules,0,awards,0,window}', '{"kind": "due"}'))$$);

--
-- 6. A stored value is checked again when read (the format's check): the
--    due kind with a start, an unknown kind after it, and a claim window
--    without its start are refused as damaged (XX001), never printed or
--    evaluated.  A damaged value is made as sql/bad_input_fuzz.sql makes
--    one: a bytea-like type cast to the ruleset without a function.
--
CREATE TYPE raw;
CREATE FUNCTION raw_in(cstring) RETURNS raw AS 'byteain' LANGUAGE internal IMMUTABLE STRICT;
CREATE FUNCTION raw_out(raw) RETURNS cstring AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT;
CREATE TYPE raw (INPUT = raw_in, OUTPUT = raw_out, INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double, STORAGE = extended);
CREATE CAST (raw AS compensation.ruleset) WITHOUT FUNCTION;
CREATE CAST (compensation.ruleset AS raw) WITHOUT FUNCTION;
CREATE FUNCTION bytes(r compensation.ruleset) RETURNS bytea LANGUAGE sql
	IMMUTABLE AS $$ SELECT decode(substr(r::raw::text, 3), 'hex') $$;
CREATE FUNCTION damaged(b bytea) RETURNS compensation.ruleset LANGUAGE sql
	IMMUTABLE AS $$ SELECT ('\x' || encode(b, 'hex'))::raw::compensation.ruleset $$;
-- The award of "flag f due by d" is the only one: its first bytes are
-- kind 7 (flag), rounding 0, unit 0, window kind 3 (due); its window_lo
-- (-1: none) is 20 bytes on.
CREATE TABLE good AS
SELECT b, position('\x07000003'::bytea IN b) AS at
FROM (SELECT bytes('policy "p" currency USD rule "r" flag f due by d end') AS b) s;
SELECT at > 0 AS found, substr(b, at + 20, 4) AS window_lo, damaged(b)::text = 'policy "p" currency USD rule "r" flag f due by d end'::compensation.ruleset::text AS reads_back
FROM good;
SELECT what, pg_temp.err(format('SELECT test_lang_due.damaged(%L::bytea)::text', v)) AS result
FROM good, LATERAL (VALUES
	('due with a start', overlay(b PLACING '\x00000000'::bytea FROM at + 20)),
	('window kind 4', overlay(b PLACING '\x04'::bytea FROM at + 3)),
	('claim without a start', overlay(b PLACING '\x01'::bytea FROM at + 3))) AS v(what, v)
ORDER BY what;
SELECT pg_temp.err($$SELECT compensation.evaluate(test_lang_due.damaged(overlay(g.b PLACING '\x00000000'::bytea FROM g.at + 20)), x)
	FROM test_lang_due.good g, (SELECT date '2026-01-01' AS d) x$$) AS evaluate;
