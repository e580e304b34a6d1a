\set test explain
\i test/regress_preamble.sql
-- Values in the detail are shown in the policy's time zone, never the
-- session's.
SET TimeZone = 'America/New_York';

CREATE TABLE tickets (id int, service text, price numeric, show_at timestamptz,
  attended boolean, cancelled_at timestamptz, cancel_fee numeric, ends date);
INSERT INTO tickets VALUES
  (1, 'ticket', 99000, '2025-06-10 19:00+09', false, NULL, NULL, '2025-06-25'),
  (2, 'ticket', 55000, '2025-06-11 14:00+09', true, NULL, NULL, NULL),
  (3, 'ticket', 77000, '2025-06-12 19:00+09', NULL, '2025-06-17 10:00+09', 15400, NULL),
  (4, 'book', 18000, NULL, NULL, NULL, NULL, '2025-06-01'),
  (5, 'it''s', 0.5, '2025-06-14 19:00:00.25+09', false, NULL, 0, NULL);
CREATE TABLE p AS SELECT $$
policy "explain" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 .. 2025-06-13
let share = price / 3
rule "R1-ticket"
  when service = 'ticket' and show_at in 2025-06-09 .. 2025-06-11
    and cancelled_at is null and not attended
  credit deposit price * 120% round half_up
end
rule "R1-cancel"
  when service = 'ticket' and show_at during outage and cancelled_at <= 2025-06-20
  credit deposit price * 20% round half_up
  waive fee cancel_fee
end
rule "R-either" when attended or cancelled_at is not null flag either end
rule "R-share" when share > 20000 credit deposit share round floor end
rule "R-list" when service in ('book', 'ebook') flag paper end
rule "R-always" extend ends by 30 days end
rule "R-never" when false flag never end
$$::compensation.ruleset AS r;

SELECT t.id, e.rule_no, e.rule, e.matched, e.failed_condition, e.detail, e.award
FROM tickets t, p, compensation.explain(p.r, t) e
ORDER BY t.id, e.rule_no;

-- explain and evaluate agree: the lines of all rules, in rule order, are
-- the award's lines.
SELECT t.id,
  ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount, l.days, l.new_date, l.note)::text
        FROM compensation.lines(compensation.evaluate(p.r, t)) l)
  = ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount, l.days, l.new_date, l.note)::text
          FROM compensation.explain(p.r, t) e,
               LATERAL compensation.lines(e.award) WITH ORDINALITY l
          ORDER BY e.rule_no, l.ordinality) AS same_lines
FROM tickets t, p ORDER BY t.id;

-- hit first: rules after the first match are not evaluated.
SELECT t.id, e.rule_no, e.rule, e.matched, e.failed_condition, e.detail, e.award
FROM tickets t, compensation.explain($$
policy "first" currency KRW timezone "Asia/Seoul"
hit first
rule "exclude-books" when service = 'book' end
rule "cheap" when price < 60000 credit deposit 1000 end
rule "all" credit deposit 10 end
$$::compensation.ruleset, t) e
WHERE t.id IN (1, 2, 4) ORDER BY t.id, e.rule_no;

-- Values of every kind in the detail: fractions, durations, days, lets.
SELECT e.rule, e.failed_condition, e.detail
FROM (SELECT date '2025-06-20' AS d, text 'it''s' AS s, NULL::int AS n) x,
compensation.explain($$
policy "kinds" currency USD timezone "Asia/Kolkata"
let third = 1 / 3
let span = 36 hours
let later = 2025-01-01 + span
rule "frac" when third > 1 flag x end
rule "dur" when span > 48 hours flag x end
rule "day" when d > 2025-06-20 flag x end
rule "time" when later = 2025-01-01 flag x end
rule "text" when s = 'a''b' flag x end
rule "null" when s = 'x' or n > 0 flag x end
rule "not" when not (n is null) flag x end
$$::compensation.ruleset, x) e
ORDER BY e.rule_no;

-- A rule that matched but gave no line says why.
SELECT e.rule, e.matched, e.detail, e.award
FROM (SELECT 100 AS price, NULL::int AS missing_price, date '2025-06-01' AS until) x,
compensation.explain($$
policy "empty" currency KRW
rule "zero" credit deposit price - 100 end
rule "null" credit deposit missing_price end
rule "none" credit points tier price upto 10 => 1 end end
rule "later" extend until to 2025-01-01 end
$$::compensation.ruleset, x) e
ORDER BY e.rule_no;

-- Errors are the same as evaluate's.
SELECT e.* FROM tickets t, compensation.explain($$
policy "unique" currency KRW
hit unique
rule "a" credit deposit 1 end
rule "b" credit deposit 2 end
$$::compensation.ruleset, t) e WHERE t.id = 1;
SELECT e.* FROM tickets t, compensation.explain($$
policy "types" currency KRW
rule "a" when service > 1 flag x end
$$::compensation.ruleset, t) e WHERE t.id = 1;
SELECT * FROM compensation.explain('policy "p" currency KRW'::compensation.ruleset, 1);
