\set test evaluate
\i test/regress_preamble.sql
-- Awards print at the policy's own UTC offset; the session zone is set to
-- something else on purpose.
SET TimeZone = 'America/New_York';

--
-- Exact arithmetic: + - * / %, unary minus, precedence, every integer type
-- and numeric.  USD has two minor digits; amounts print in major units.
--
CREATE TABLE nums (id int, x numeric, y integer, z bigint, s smallint);
INSERT INTO nums VALUES (1, 10.10, 3, 7, 2), (2, 0.005, 1, 1000000, -4);
CREATE TABLE p_arith AS SELECT $$
policy "arith"
currency USD
rounding half_even
rule "add" credit cash x + y end
rule "sub" credit cash x - s end
rule "mul" credit cash x * y end
rule "div" credit cash x / y end
rule "third" credit cash 1 / 3 * 3 end
rule "pct" credit cash z * 12.5% end
rule "neg" credit cash -(s - z) end
rule "prec" credit cash x + y * 2 end
rule "paren" credit cash (x + y) * 2 - s * 3 + y / y end
$$::compensation.ruleset AS r;
SELECT n.id, compensation.evaluate(p.r, n) FROM nums n, p_arith p ORDER BY n.id;

-- Exact rationals: no binary fractions anywhere.  0.1 + 0.2 is 0.3; a third
-- times three is one; 1/7 survives many operations.
CREATE TABLE one (id int);
INSERT INTO one VALUES (1);
SELECT compensation.evaluate($$
policy "exact" currency USD
rule "a" when 0.1 + 0.2 = 0.3 flag tenths_add_up end
rule "b" when 1 / 3 + 1 / 3 + 1 / 3 = 1 flag thirds_add_up end
rule "c" when (1 / 7) * 7 * 1000000007 / 1000000007 = 1 flag sevenths end
rule "d" when 2 / 4 = 0.5 and -1 / -2 = 1 / 2 and 1 / -3 < 0 flag signs end
rule "e" when 0.000000000000000001 * 1000000000000000000 = 1 flag tiny end
$$::compensation.ruleset, o) FROM one o;

--
-- Rounding modes, at exact halves, positive and negative (inside
-- expressions with round(); an award itself cannot be negative).
--
CREATE TABLE halves (id int, v numeric);
INSERT INTO halves VALUES (1, 2.5), (2, -2.5), (3, 3.5), (4, -3.5), (5, 2.4999),
  (6, -2.5001), (7, 0), (8, 7);
SELECT h.id, h.v, compensation.lines(compensation.evaluate($$
policy "modes" currency USD
rule "half_up"   credit cash round(v, half_up) + 10 end
rule "half_even" credit cash round(v, half_even) + 10 end
rule "floor"     credit cash round(v, floor) + 10 end
rule "ceiling"   credit cash round(v, ceiling) + 10 end
$$::compensation.ruleset, h)) AS line
FROM halves h ORDER BY h.id, line;

-- round() with an increment in major units
SELECT compensation.evaluate($$
policy "incr" currency USD
rule "a" credit cash round(1.025, half_up, 0.05) end
rule "b" credit cash round(1.025, half_even, 0.05) end
rule "c" credit cash round(1.075, half_even, 0.05) end
rule "d" credit cash round(1234, floor, 100) end
rule "e" credit cash round(1234, ceiling, 100) end
rule "f" credit cash round(1 / 3, half_up, 1 / 4) end
rule "g" credit cash round(-7, half_up, 5) + 20 end
$$::compensation.ruleset, o) FROM one o;

-- Award rounding to minor units: 0.125 USD is 12.5 cents, 0.135 is 13.5.
CREATE TABLE cents (id int, v numeric);
INSERT INTO cents VALUES (1, 0.125), (2, 0.135), (3, 0.1251), (4, 0.12);
SELECT c.id, compensation.evaluate($$
policy "award-rounding" currency USD
rule "half_up"   credit cash v round half_up end
rule "half_even" credit cash v round half_even end
rule "floor"     credit cash v round floor end
rule "ceiling"   credit cash v round ceiling end
$$::compensation.ruleset, c) FROM cents c ORDER BY c.id;

-- Increments in minor units: the policy's default, and the award's own.
-- An award "round MODE" without "to" keeps the policy's increment.
CREATE TABLE won (id int, price bigint);
INSERT INTO won VALUES (1, 12345), (2, 12344), (3, 12355), (4, 12300);
SELECT w.id, w.price, compensation.evaluate($$
policy "krw" currency KRW
rounding half_up to 10
rule "policy"  credit deposit price end
rule "floor"   credit deposit price round floor to 100 end
rule "ceiling" credit deposit price round ceiling to 100 end
rule "even"    credit deposit price round half_even end
$$::compensation.ruleset, w) FROM won w ORDER BY w.id;

-- 120% of 33,333 won is 39,999.6: half up to the won is 40,000.
SELECT compensation.evaluate($$
policy "e2" currency KRW
rule "R1-ticket" credit deposit price * 120% round half_up end
$$::compensation.ruleset, w) FROM (SELECT 33333 AS price) w;

-- Count instruments are whole units, not scaled by the currency.
SELECT compensation.evaluate($$
policy "count" currency USD
rounding floor
rule "p" credit points 2.9 end
rule "m" credit cash 2.999 end
$$::compensation.ruleset, o) FROM one o;

-- With no rounding named, an amount that is not whole is an error.
SELECT compensation.evaluate($$
policy "strict" currency USD
rule "R-third" credit cash 10 / 3 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "strict" currency USD
rule "R-half-cent" credit cash 0.125 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "strict" currency USD
rule "R-points" credit points 1 / 2 end
$$::compensation.ruleset, o) FROM one o;
-- ... but an exact amount needs no rounding.
SELECT compensation.evaluate($$
policy "strict" currency USD
rule "R-ok" credit cash 10 / 4 end
$$::compensation.ruleset, o) FROM one o;

-- Overflow (22003) and division by zero (22012) name the rule.
SELECT compensation.evaluate($$
policy "big" currency USD
rule "R-mul" credit cash 9223372036854775807 * 2 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "big" currency USD
rule "R-minor" credit cash 100000000000000000 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "big" currency KRW
rule "R-max" credit deposit 9223372036854775807 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "big" currency USD
rule "R-frac" credit cash 1 / 3000000000 / 3000000000 / 3000000000 end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "zero" currency USD
rule "R-div" credit cash x / (y - 3) end
$$::compensation.ruleset, n) FROM nums n WHERE id = 1;
CREATE TABLE huge (id int, n numeric, b bigint);
INSERT INTO huge VALUES (1, 1e30, 1), (2, 'NaN', 1), (3, 'Infinity', 1),
  (4, 0.1234567890123456789012345, 1), (5, 1, -9223372036854775808);
SELECT h.id, compensation.evaluate($$
policy "huge" currency USD
rule "R-n" when n > 0 flag positive end
$$::compensation.ruleset, h) FROM huge h WHERE id = 1;
SELECT compensation.evaluate($$
policy "huge" currency USD
rule "R-n" when n > 0 flag positive end
$$::compensation.ruleset, h) FROM huge h WHERE id = 2;
SELECT compensation.evaluate($$
policy "huge" currency USD
rule "R-n" when n > 0 flag positive end
$$::compensation.ruleset, h) FROM huge h WHERE id = 3;
SELECT compensation.evaluate($$
policy "huge" currency USD
rule "R-n" when n > 0 flag positive end
$$::compensation.ruleset, h) FROM huge h WHERE id = 4;
SELECT compensation.evaluate($$
policy "huge" currency USD
rule "R-b" when b < 0 flag negative end
$$::compensation.ruleset, h) FROM huge h WHERE id = 5;

-- Negative awards are errors; zero gives no line.
SELECT compensation.evaluate($$
policy "neg" currency USD
rule "R-refund" credit cash y - 5 end
$$::compensation.ruleset, n) FROM nums n WHERE id = 1;
SELECT compensation.evaluate($$
policy "neg" currency USD
rule "R-zero" credit cash y - 3 end
rule "R-rounds-to-zero" credit cash 0.001 round half_up end
$$::compensation.ruleset, n) FROM nums n WHERE id = 1;

-- Numeric columns convert exactly, whatever their scale or size.
CREATE TABLE decimals (id int, v numeric);
INSERT INTO decimals VALUES (1, 0), (2, 1), (3, 0.0001), (4, 12345678.9012),
  (5, 99999999999999.99), (6, -0.5), (7, 100000000), (8, 1e15), (9, 10000.00001),
  (10, 1234567890123456);
SELECT d.id, d.v, compensation.evaluate($$
policy "dec" currency KWD
rule "same" when v = 0 or v = 1 or v = 0.0001 or v = 12345678.9012
  or v = 99999999999999.99 or v = -0.5 or v = 100000000 or v = 1000000000000000
  or v = 10000.00001 or v = 1234567890123456 flag exact end
rule "minor" when v >= 0 credit cash v round half_up end
$$::compensation.ruleset, d) FROM decimals d ORDER BY d.id;

--
-- Binding a policy to a row type: column names and types.
--
CREATE DOMAIN amount_d AS numeric(12,2);
CREATE TYPE tier_e AS ENUM ('bronze', 'silver', 'gold');
CREATE TABLE kinds (id int, a smallint, b int, c bigint, d numeric, e amount_d,
  f boolean, g text, h varchar(10), i char(6), j name, k tier_e, l date,
  m timestamp, n timestamptz, dropped int);
ALTER TABLE kinds DROP COLUMN dropped;
INSERT INTO kinds VALUES (1, 1, 2, 3, 4.5, 6.25, true, 'ticket', 'book', 'gold', 'pg',
  'silver', '2025-06-10', '2025-06-10 12:00', '2025-06-10 03:00+00');
SELECT compensation.evaluate($$
policy "kinds" currency USD timezone "Asia/Seoul"
rule "nums" when a + b + c = 6 and d = 4.5 and e = 6.25 flag nums end
rule "bool" when f flag bool end
rule "text" when g = 'ticket' and h = 'book' and j = 'pg' flag text end
rule "bpchar" when i = 'gold' and i in ('gold', 'x') flag bpchar_trims end
rule "enum" when k = 'silver' and k in ('silver', 'x') flag enum_labels end
rule "date" when l = 2025-06-10 and l in 2025-06-10 .. 2025-06-10 flag date end
rule "timestamp" when m = 2025-06-10 12:00 flag local_timestamp end
rule "timestamptz" when n = 2025-06-10 12:00 flag instant end
$$::compensation.ruleset, kk) FROM kinds kk;

-- A column the row type does not have (42703).
SELECT compensation.evaluate($$
policy "p" currency USD
rule "r" when price > 0 credit cash price end
$$::compensation.ruleset, kk) FROM kinds kk;
-- Columns match by exact name: a differently named table works through a
-- subquery (or a view) that selects the columns under the policy's names.
CREATE TABLE tickets (ticket_no int, ticket_price numeric, state text);
INSERT INTO tickets VALUES (1, 99000, 'missed'), (2, 33333, 'attended');
SELECT t.ticket_no, compensation.evaluate($$
policy "renamed" currency KRW
rule "R" when status = 'missed' credit deposit price * 120% round half_up end
$$::compensation.ruleset, t)
FROM (SELECT ticket_no, ticket_price AS price, state AS status FROM tickets) t
ORDER BY t.ticket_no;
CREATE VIEW tickets_v AS SELECT ticket_no, ticket_price AS price, state AS status FROM tickets;
SELECT t.ticket_no, compensation.evaluate($$
policy "renamed" currency KRW
rule "R" when status = 'missed' credit deposit price * 120% round half_up end
$$::compensation.ruleset, t) FROM tickets_v t ORDER BY t.ticket_no;
-- An anonymous row: its columns are f1, f2, ...
SELECT compensation.evaluate($$
policy "anon" currency KRW
rule "R" when f1 = 'x' credit deposit f2 end
$$::compensation.ruleset, ROW('x'::text, 5));
-- Unusable column types (42804), refused when the policy is bound.
CREATE TABLE floats (id int, price float8, fee real, cash money, span interval);
INSERT INTO floats VALUES (1, 1.5, 2.5, 3.5, '1 day');
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" credit cash price round half_up end
$$::compensation.ruleset, f) FROM floats f;
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" credit cash fee round half_up end
$$::compensation.ruleset, f) FROM floats f;
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" credit cash cash end
$$::compensation.ruleset, f) FROM floats f;
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" when span is null flag none_span end
$$::compensation.ruleset, f) FROM floats f;
-- The policy is bound at the first row: with no rows there is no error,
-- with any row there is, even when no rule would read the column.
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" when false credit cash price round half_up end
$$::compensation.ruleset, f) FROM floats f WHERE false;
SELECT compensation.evaluate($$
policy "f" currency USD
rule "r" when false credit cash price round half_up end
$$::compensation.ruleset, f) FROM floats f;
-- The row argument must be a row.
SELECT compensation.evaluate('policy "p" currency USD'::compensation.ruleset, 42);
-- A table altered after rows were written: new columns read their default.
CREATE TABLE grown (id int);
INSERT INTO grown VALUES (1);
ALTER TABLE grown ADD COLUMN bonus int DEFAULT 7, ADD COLUMN note text;
SELECT compensation.evaluate($$
policy "grown" currency USD
rule "r" when note is null credit cash bonus end
$$::compensation.ruleset, g) FROM grown g;

--
-- NULL: arithmetic with NULL is NULL (no line), comparisons are unknown,
-- three-valued and/or/not, a rule matches only when its condition is true.
--
CREATE TABLE tri (id int, p boolean, q boolean, n numeric);
INSERT INTO tri VALUES (1, true, true, 1), (2, true, false, NULL), (3, true, NULL, 2),
  (4, false, false, 3), (5, false, NULL, NULL), (6, NULL, NULL, 0);
SELECT t.id, t.p, t.q, t.n, compensation.evaluate($$
policy "tri" currency USD
rule "and" when p and q flag p_and_q end
rule "or" when p or q flag p_or_q end
rule "not-and" when not (p and q) flag not_p_and_q end
rule "not-or" when not (p or q) flag not_p_or_q end
rule "is-null" when q is null flag q_null end
rule "not-null" when n is not null flag n_not_null end
rule "cmp" when n > 1 flag n_gt_1 end
rule "not-cmp" when not n > 1 flag n_not_gt_1 end
rule "in" when n in (1, 2, null) flag n_in end
rule "not-in" when n not in (1, 2, null) flag n_not_in end
rule "not-in-2" when n not in (1, 2) flag n_not_in_12 end
rule "arith" credit cash n + 1 end
$$::compensation.ruleset, t) FROM tri t ORDER BY t.id;

--
-- Times.  A date is a whole local day, an instant is an instant:
-- t <= 2025-06-20 includes all of June 20 (Seoul time), t < 2025-06-20
-- ends before it, t = 2025-06-20 means "on that day".
--
CREATE TABLE instants (id int, t timestamptz);
INSERT INTO instants VALUES
  (1, '2025-06-19 23:59:59.999999+09'), (2, '2025-06-20 00:00:00+09'),
  (3, '2025-06-20 13:00:00+09'), (4, '2025-06-20 23:59:59.999999+09'),
  (5, '2025-06-21 00:00:00+09'), (6, NULL);
CREATE TABLE p_day AS SELECT $$
policy "day" currency KRW timezone "Asia/Seoul"
rule "lt" when t < 2025-06-20 flag lt end
rule "le" when t <= 2025-06-20 flag le end
rule "eq" when t = 2025-06-20 flag eq end
rule "ne" when t <> 2025-06-20 flag ne end
rule "ge" when t >= 2025-06-20 flag ge end
rule "gt" when t > 2025-06-20 flag gt end
rule "in" when t in 2025-06-19 .. 2025-06-20 flag in_incl end
rule "in-excl" when t in 2025-06-19 ..< 2025-06-20 flag in_excl end
rule "not-in" when t not in 2025-06-20 .. 2025-06-20 flag not_in end
rule "at-13" when t = 2025-06-20 13:00 flag at_13 end
rule "before-13" when t < 2025-06-20 13:00 flag before_13 end
$$::compensation.ruleset AS r;
SELECT i.id, i.t AT TIME ZONE 'Asia/Seoul' AS seoul, compensation.evaluate(p.r, i)
FROM instants i, p_day p ORDER BY i.id;

-- Dates against dates and against instants; timestamps without time zone
-- are local time in the policy's zone.
CREATE TABLE days (id int, d date, l timestamp, t timestamptz);
INSERT INTO days VALUES
  (1, '2025-06-19', '2025-06-20 00:00', '2025-06-20 00:00+09'),
  (2, '2025-06-20', '2025-06-19 23:59:59', '2025-06-19 15:00+00'),
  (3, '2025-06-21', '2025-06-20 12:00', '2025-06-21 00:30+09');
SELECT x.id, compensation.evaluate($$
policy "dates" currency KRW timezone "Asia/Seoul"
rule "d=day" when d = 2025-06-20 flag d_is_0620 end
rule "d<=day" when d <= 2025-06-20 flag d_le_0620 end
rule "d<noon" when d < 2025-06-20 12:00 flag d_before_noon end
rule "d=noon" when d = 2025-06-20 12:00 flag d_contains_noon end
rule "d>noon" when d > 2025-06-20 12:00 flag d_after_noon end
rule "l=day" when l = 2025-06-20 flag l_on_0620 end
rule "t=d" when t = d flag t_on_d end
rule "t<d" when t < d flag t_before_d end
rule "t>d" when t > d flag t_after_d end
rule "d=d" when d = d flag d_d end
$$::compensation.ruleset, x) FROM days x ORDER BY x.id;

-- The outage: a window that starts at 04:00 on 6/9 and ends with 6/13.
CREATE TABLE o_rows (id int, t timestamptz, d date);
INSERT INTO o_rows VALUES
  (1, '2025-06-09 03:59:59+09', '2025-06-08'), (2, '2025-06-09 04:00+09', '2025-06-09'),
  (3, '2025-06-13 23:59:59+09', '2025-06-13'), (4, '2025-06-14 00:00+09', '2025-06-14'),
  (5, NULL, NULL);
SELECT x.id, compensation.evaluate($$
policy "outage" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 04:00 .. 2025-06-13
rule "t" when t during outage flag t_during end
rule "not-t" when t not during outage flag t_not_during end
rule "d" when d during outage flag d_during end
$$::compensation.ruleset, x) FROM o_rows x ORDER BY x.id;
-- Several windows; the outage builtins.
SELECT compensation.evaluate($$
policy "outages" currency USD timezone "Asia/Seoul"
outage 2025-06-09 04:00 ..< 2025-06-09 10:30
outage 2025-06-12 .. 2025-06-13
rule "hours" credit points outage_hours * 2 end
rule "days" credit points outage_days * 96 end
rule "start" when outage_start = 2025-06-09 04:00 flag start_ok end
rule "end" when outage_end = 2025-06-14 and outage_end = 2025-06-14 00:00 flag end_ok end
rule "t1" when 2025-06-09 10:29 during outage flag in_first end
rule "t2" when 2025-06-09 10:30 during outage flag in_gap end
rule "t3" when 2025-06-12 during outage flag in_second end
$$::compensation.ruleset, o) FROM one o;

--
-- Durations and date arithmetic.  "+ N days" moves the local calendar
-- date (daylight saving does not shift the hour); hours are exact.
--
CREATE TABLE dst (id int, t timestamptz, d date);
INSERT INTO dst VALUES (1, '2025-03-08 12:00-05', '2025-03-08'), (2, '2025-11-01 12:00-04', '2025-11-01'),
  (3, NULL, NULL), (4, '2025-06-01 12:00-04', '2025-06-01');
SELECT x.id, compensation.evaluate($$
policy "dst" currency USD timezone "America/New_York"
rule "t+1day" extend t by 1 day end
rule "t+24h" extend t by 24 hours end
rule "t+90min" extend t by 90 minutes end
rule "t+1.5h" extend t by 1.5 hours end
rule "d+1day" extend d by 1 day end
rule "t+2days" when t + 2 days = t + 48 hours flag same_without_dst_change end
rule "t-1day" when t - 1 day < t and t - 1 day = 2025-03-07 12:00 flag minus_day end
$$::compensation.ruleset, x) FROM dst x ORDER BY x.id;
-- Duration arithmetic, and durations that are not whole.
SELECT compensation.evaluate($$
policy "durations" currency USD timezone "UTC"
rule "a" when 2025-01-01 + 2 * 3 days = 2025-01-07 flag mul end
rule "b" when 2025-01-01 + (1 days + 12 hours) = 2025-01-02 12:00 flag add end
rule "c" when 2025-01-10 - (1 + 2) days = 2025-01-07 flag sub end
rule "d" when 30 minutes = 0.5 hours and 2 days > 1 day flag compare end
rule "e" when (2 days) = 48 hours flag never end
$$::compensation.ruleset, o) FROM one o;
SELECT compensation.evaluate($$
policy "durations" currency USD
rule "R-half-day" extend d by 1.5 days end
$$::compensation.ruleset, x) FROM dst x WHERE id = 1;
SELECT compensation.evaluate($$
policy "durations" currency USD
rule "R-time-minus-time" when t - 2025-01-01 > 0 flag x end
$$::compensation.ruleset, x) FROM dst x WHERE id = 1;
SELECT compensation.evaluate($$
policy "durations" currency USD
rule "R-mixed" when 1 day < 24 hours flag x end
$$::compensation.ruleset, o) FROM one o;

-- hours(), days(), days_in_month()
CREATE TABLE spans (id int, a timestamptz, b timestamptz, d date);
INSERT INTO spans VALUES (1, '2025-06-09 04:00+09', '2025-06-13 22:30+09', '2024-02-10'),
  (2, '2025-06-09 04:00+09', NULL, '2025-02-28'), (3, '2025-06-10 00:00+09', '2025-06-09 00:00+09', '2025-12-31');
SELECT x.id, compensation.evaluate($$
policy "spans" currency USD timezone "Asia/Seoul"
rounding floor
rule "hours" when hours(a, b) >= 0 credit cash hours(a, b) end
rule "days" when days(a, b) >= 0 credit points days(a, b) * 10 end
rule "month" credit points days_in_month(d) end
rule "neg" when hours(a, b) < 0 flag backwards end
$$::compensation.ruleset, x) FROM spans x ORDER BY x.id;

--
-- extend: by a duration, to a time (never backwards), by the outage.
--
CREATE TABLE subs (id int, sub_end date, expires_at timestamptz, extra int);
INSERT INTO subs VALUES (1, '2025-06-25', '2025-06-10 00:00+09', 3), (2, '2025-06-01', '2025-06-21 10:00+09', 0),
  (3, NULL, NULL, NULL), (4, '2025-06-25', '2025-06-20 23:59:59+09', -1);
SELECT s.id, compensation.evaluate($$
policy "extend" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 .. 2025-06-13
rule "by" when extra >= 0 extend sub_end by extra days end
rule "to" extend expires_at to 2025-06-20 23:59:59 end
rule "to-day" extend sub_end to 2025-06-30 end
rule "outage" extend sub_end by outage end
$$::compensation.ruleset, s) FROM subs s ORDER BY s.id;
SELECT compensation.evaluate($$
policy "extend" currency KRW timezone "Asia/Seoul"
rule "R-back" extend sub_end by extra days end
$$::compensation.ruleset, s) FROM subs s WHERE id = 4;
-- An outage that is not whole days extends by its exact length.
SELECT compensation.evaluate($$
policy "extend" currency KRW timezone "Asia/Seoul"
outage 2025-06-09 04:00 .. 2025-06-13
rule "outage" extend expires_at by outage end
$$::compensation.ruleset, s) FROM subs s WHERE id = 1;

--
-- Hit policies.
--
CREATE TABLE hits (id int, service text, price int);
INSERT INTO hits VALUES (1, 'ticket', 100), (2, 'book', 50), (3, 'staff', 10), (4, NULL, NULL);
-- collect: every matching rule, in rule order
SELECT h.id, compensation.evaluate($$
policy "collect" currency KRW
hit collect
rule "all" credit points 1 end
rule "ticket" when service = 'ticket' credit deposit price end
rule "cheap" when price < 60 credit deposit 5 end
$$::compensation.ruleset, h) FROM hits h ORDER BY h.id;
-- first: the first matching rule only; a rule with no awards excludes
SELECT h.id, compensation.evaluate($$
policy "first" currency KRW
hit first
rule "no-staff" when service = 'staff' end
rule "ticket" when service = 'ticket' credit deposit price end
rule "cheap" when price < 60 credit deposit 5 end
rule "default" credit points 1 end
$$::compensation.ruleset, h) FROM hits h ORDER BY h.id;
-- unique: one match is fine, two is an error (21000)
SELECT h.id, compensation.evaluate($$
policy "unique" currency KRW
hit unique
rule "ticket" when service = 'ticket' credit deposit price end
rule "book" when service = 'book' credit deposit 1 end
$$::compensation.ruleset, h) FROM hits h ORDER BY h.id;
SELECT h.id, compensation.evaluate($$
policy "unique" currency KRW
hit unique
rule "ticket" when service = 'ticket' credit deposit price end
rule "pricey" when price > 60 credit deposit 1 end
$$::compensation.ruleset, h) FROM hits h ORDER BY h.id;

--
-- Tiers: the first bound the subject is at most; else; none; review.
--
CREATE TABLE losses (id int, loss numeric);
INSERT INTO losses VALUES (1, 0), (2, 10000), (3, 10000.01), (4, 100000), (5, 250000), (6, NULL);
SELECT l.id, l.loss, compensation.evaluate($$
policy "tiers" currency KRW
rule "with-else" credit deposit tier loss upto 10000 => 1000 upto 100000 => 5000
  else review 'loss above 100,000' end end
rule "no-else" credit points tier loss upto 10000 => 1 upto 100000 => 2 end end
rule "none" credit points tier loss upto 0 => none else 3 end end
rule "times" credit deposit tier loss upto 10000 => loss * 10% else 10000 end round floor end
$$::compensation.ruleset, l) FROM losses l ORDER BY l.id;

--
-- Lets: computed when first used, once per row; rule lets see policy lets.
--
CREATE TABLE lets (id int, price numeric, qty int);
INSERT INTO lets VALUES (1, 1000, 3), (2, 1000, 0), (3, NULL, 2);
SELECT l.id, compensation.evaluate($$
policy "lets" currency KRW
let total = price * qty
let unit_share = total / qty
rule "total" when total > 0 let bonus = total * 10% credit deposit total + bonus end
rule "share" when qty > 0 credit points unit_share end
rule "null" when total is null flag no_total end
$$::compensation.ruleset, l) FROM lets l ORDER BY l.id;
-- unit_share divides by zero on row 2, but only a rule that uses it fails.
SELECT l.id, compensation.evaluate($$
policy "lets" currency KRW
let total = price * qty
let unit_share = total / qty
rule "share" credit points unit_share end
$$::compensation.ruleset, l) FROM lets l WHERE id = 2;

--
-- grant, flag, review; windows (inclusive and exclusive ends).
--
CREATE TABLE members (id int, vip boolean, joined date);
INSERT INTO members VALUES (1, true, '2020-01-01'), (2, false, '2025-06-01'), (3, NULL, NULL);
SELECT m.id, compensation.evaluate($$
policy "grants" currency KRW timezone "Asia/Seoul"
rule "voucher" grant voucher 5000 valid 2025-06-19 .. 2025-07-06 end
rule "pass" grant crema_pass for 30 days end
rule "coupon" when vip grant coupon 2 for 1 days claim 2025-06-17 ..< 2025-07-01 end
rule "flag" flag free_return claim joined .. joined + 13 days end
rule "review" when vip is null review 'no VIP status on file' end
rule "tiered" credit deposit tier joined upto 2024-12-31 => 100 else review 'new member' end end
$$::compensation.ruleset, m) FROM members m ORDER BY m.id;
SELECT compensation.evaluate($$
policy "grants" currency KRW
rule "R-grant-hours" grant pass for 36 hours end
$$::compensation.ruleset, o) FROM one o;

--
-- Functions: min, max, coalesce, abs, round.
--
CREATE TABLE fx (id int, a numeric, b numeric, t timestamptz, u timestamptz);
INSERT INTO fx VALUES (1, 3, 7, '2025-06-01 00:00+00', '2025-06-02 00:00+00'),
  (2, -4, NULL, NULL, '2025-06-02 00:00+00'), (3, NULL, NULL, NULL, NULL);
SELECT f.id, compensation.evaluate($$
policy "fx" currency USD timezone "UTC"
rule "min" credit cash min(a, b, 5) + 10 end
rule "max" credit cash max(a, b, 5) end
rule "cap" credit cash min(abs(a) * 150%, 5) end
rule "coalesce" credit cash coalesce(b, a, 1) + 10 end
rule "abs" credit cash abs(a) end
rule "max-time" when max(t, u) = 2025-06-02 flag latest_0602 end
rule "min-time" when min(t, u) = 2025-06-01 flag earliest_0601 end
rule "all-null" when max(b, null) is null flag max_null end
$$::compensation.ruleset, f) FROM fx f ORDER BY f.id;

--
-- Type mismatches inside expressions (42804) name the rule and show the
-- expression.
--
CREATE TABLE mixed (id int, service text, price numeric, visit date, ok boolean);
INSERT INTO mixed VALUES (1, 'ticket', 100, '2025-06-10', true);
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-text-num" when service = 5 flag x end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-add-text" credit cash price + service end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-num-cond" when price flag x end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-date-num" when visit > 100 flag x end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-credit-date" credit cash visit end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-extend-num" extend price by 1 day end
$$::compensation.ruleset, m) FROM mixed m;
SELECT compensation.evaluate($$
policy "types" currency USD
rule "R-bool-lt" when ok < 'x' flag x end
$$::compensation.ruleset, m) FROM mixed m;
-- Text comparisons are byte-wise, whatever the collation.
SELECT compensation.evaluate($$
policy "bytes" currency USD
rule "a" when 'B' < 'a' and 'a' < 'b' and 'ab' > 'a' and '' < 'a' flag bytewise end
rule "b" when 'é' > 'z' flag utf8_bytes end
rule "c" when service in ('Ticket', 'TICKET') flag case_insensitive end
$$::compensation.ruleset, m) FROM mixed m;

--
-- One call site, many policies and row values: the evaluator is cached per
-- policy and rebuilt only when the policy changes.
--
CREATE TABLE policies (id int, r compensation.ruleset);
INSERT INTO policies SELECT g, format($$
policy "p%s" currency KRW
rule "r%s" when price >= %s credit deposit price * %s%% round floor end
$$, g, g, g * 10, g)::compensation.ruleset FROM generate_series(1, 6) g;
SELECT p.id, h.id AS row_id, compensation.evaluate(p.r, h)
FROM policies p, hits h WHERE h.price IS NOT NULL ORDER BY h.id, p.id;
-- a large policy, stored compressed and stored out of line
CREATE TABLE big_policies (how text, r compensation.ruleset);
ALTER TABLE big_policies ALTER COLUMN r SET STORAGE external;
INSERT INTO big_policies
SELECT 'external', ('policy "big" currency KRW' || string_agg(format(E'\nrule "rule-%s" when price = %s credit deposit %s end', g, g, g * 100), ''))::compensation.ruleset
FROM generate_series(1, 120) g;
-- (a ruleset column is stored external by default, 75-ruleset-storage.sql:
-- never compressed; compression is still read right when a column asks)
SELECT 'compensation.policy.rules' AS what, a.attstorage FROM pg_attribute a
WHERE a.attrelid = 'compensation.policy'::regclass AND a.attname = 'rules'
UNION ALL
SELECT 'default of a new column', t.typstorage FROM pg_type t WHERE t.oid = 'compensation.ruleset'::regtype;
CREATE TABLE big_policies_c (how text, r compensation.ruleset);
ALTER TABLE big_policies_c ALTER COLUMN r SET STORAGE extended;
INSERT INTO big_policies_c SELECT 'compressed', r FROM big_policies;
SELECT how, pg_column_compression(r) IS NOT NULL AS compressed FROM big_policies
UNION ALL SELECT how, pg_column_compression(r) IS NOT NULL FROM big_policies_c;
SELECT b.how, pg_column_size(b.r) < 8000 AS small_on_disk, h.id, compensation.evaluate(b.r, h)
FROM (SELECT * FROM big_policies UNION ALL SELECT * FROM big_policies_c) b, hits h
WHERE h.price IS NOT NULL ORDER BY b.how, h.id;

--
-- Cross-checks against PostgreSQL's own arithmetic, on generated rows:
-- numeric conversion and every rounding mode, and local days, local
-- timestamps, "+ N days" and days_in_month in a zone with daylight saving.
--
CREATE TABLE gen_nums AS
SELECT i, round((hashint8extended(i, 1) % 2000000000000)::numeric
                / (10::numeric ^ (hashint8extended(i, 2) & 15)),
                (hashint8extended(i, 3) & 15)::int) AS v
FROM generate_series(1, 20000) i;
SELECT count(*) FILTER (WHERE v < 0) > 0 AND count(*) FILTER (WHERE v > 0) > 0 AS both_signs,
       count(*) FILTER (WHERE
         compensation.amount(a, 'cash') <> CASE WHEN v >= 0 THEN round(v * 1000) ELSE round(-v * 3000) END
         OR compensation.amount(a, 'deposit') <> CASE WHEN v >= 0 THEN floor(v * 1000) ELSE 0 END
         OR compensation.amount(a, 'fee') <> CASE WHEN v >= 0 THEN ceil(v * 1000) ELSE 0 END
         OR compensation.amount(a, 'refund') <> CASE WHEN v < 0 THEN 0
              WHEN v * 1000 - floor(v * 1000) = 0.5 THEN floor(v * 1000) + (floor(v * 1000)::bigint % 2)
              ELSE round(v * 1000) END) AS mismatches
FROM gen_nums g, LATERAL compensation.evaluate($$
policy "cross" currency KWD
rule "hu" when v >= 0 credit cash v round half_up end
rule "fl" when v >= 0 credit deposit v round floor end
rule "ce" when v >= 0 credit fee v round ceiling end
rule "he" when v >= 0 credit refund v round half_even end
rule "m" when v < 0 credit cash -v * 3 round half_up end
$$::compensation.ruleset, g) a;
CREATE TABLE gen_times AS
SELECT i, date '1990-01-01' + (hashint8extended(i, 4) % 15000)::int AS d,
  timestamp '1990-01-01' + (hashint8extended(i, 5) % (15000 * 1440)) * interval '1 minute' AS l,
  timestamptz '1990-01-01 00:00-05' + (hashint8extended(i, 6) % (15000 * 1440)) * interval '1 minute' AS t,
  (hashint8extended(i, 7) & 255)::int + 1 AS n
FROM generate_series(1, 20000) i;
SELECT count(*) FILTER (WHERE NOT compensation.has(a, 'd_ok') OR NOT compensation.has(a, 'l_ok')
         OR compensation.new_date(a, 't') <> x.t + x.n * interval '1 day'
         OR compensation.amount(a, 'points') <>
            extract(day from date_trunc('month', x.t) + interval '1 month' - interval '1 day'))
       AS mismatches
FROM (SELECT g.*, g.d::timestamp AT TIME ZONE 'America/New_York' AS m,
             g.l AT TIME ZONE 'America/New_York' AS lt FROM gen_times g) x,
LATERAL compensation.evaluate($$
policy "cross" currency USD timezone "America/New_York"
rule "d" when m = d and m - 1 minutes < d and m + 1 day > d and m + 1 day - 1 minutes = d
  flag d_ok end
rule "l" when lt = l flag l_ok end
rule "n" extend t by n days end
rule "dim" credit points days_in_month(t) end
$$::compensation.ruleset, x) a;

--
-- The SQLSTATE of every evaluation error above.
--
CREATE VIEW nan_row AS SELECT n FROM huge WHERE id = 2;
CREATE FUNCTION pg_temp.sqlstate(policy text, tab text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE format('SELECT compensation.evaluate(%L::compensation.ruleset, t) FROM %I t', policy, tab);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END
$f$;
SELECT what, pg_temp.sqlstate(policy, tab) FROM (VALUES
  ('overflow', 'policy "e" currency USD rule "r" credit cash 9223372036854775807 * 2 end', 'one'),
  ('division by zero', 'policy "e" currency USD rule "r" credit cash 1 / (1 - 1) end', 'one'),
  ('needs rounding', 'policy "e" currency USD rule "r" credit cash 1 / 3 end', 'one'),
  ('negative award', 'policy "e" currency USD rule "r" credit cash 0 - 1 end', 'one'),
  ('missing column', 'policy "e" currency USD rule "r" credit cash price end', 'one'),
  ('float column', 'policy "e" currency USD rule "r" credit cash price end', 'floats'),
  ('type mismatch', 'policy "e" currency USD rule "r" when service = 1 end', 'mixed'),
  ('time minus time', 'policy "e" currency USD rule "r" when 2025-01-02 - 2025-01-01 > 0 end', 'one'),
  ('hit unique', 'policy "e" currency USD hit unique rule "a" end rule "b" end', 'one'),
  ('bad increment', 'policy "e" currency USD rule "r" credit cash round(1, floor, 0) end', 'one'),
  ('numeric too large', 'policy "e" currency USD rule "r" when n > 0 end', 'huge'),
  ('numeric NaN', 'policy "e" currency USD rule "r" when n > 0 end', 'nan_row')
) AS c(what, policy, tab);

--
-- Infinite dates and times compare beyond every finite one; extending one
-- gives no line; windows keep them as infinity.
--
CREATE TABLE inf (id int, d date, t timestamptz);
INSERT INTO inf VALUES (1, 'infinity', 'infinity'), (2, '-infinity', '-infinity'),
  (3, '2025-01-01', '2025-01-01 00:00+00');
SELECT i.id, compensation.evaluate($$
policy "inf" currency USD timezone "Asia/Seoul"
rule "by" extend d by 1 day end
rule "to" extend t to 2025-06-01 end
rule "win" flag f claim t .. d end
rule "future" when d > 2100-01-01 and t > 2100-01-01 flag future end
rule "past" when d < 1900-01-01 and t < 1900-01-01 flag past end
$$::compensation.ruleset, i) FROM inf i ORDER BY i.id;

--
-- The rule index: rules whose condition starts with COLUMN = CONSTANT (a
-- number or text column and a constant of that kind) are looked up by the
-- column's value; the others are always evaluated.  The answers are those
-- of evaluating every rule in order; explain evaluates every rule, so it
-- must agree with evaluate.
--
CREATE TABLE gi (id int, show_id int, big bigint, n numeric, t text, c char(6),
  price numeric);
INSERT INTO gi VALUES
  (1, 1, 1, 1.0, 'a', 'ab', 100),
  (2, 2, 2, 2.50, 'b', 'b', 200),
  (3, NULL, NULL, NULL, NULL, NULL, 300),
  (4, 3, 3, 0.5, 'ab ', 'ab    ', 400),
  (5, 1, 2, 1, 'a', 'zz', 500);
CREATE TABLE gi_rules AS SELECT $$
rule "s1" when show_id = 1 and price > 100 flag s1 end
rule "big" when price >= 400 flag big end
rule "n1" when n = 1.00 flag n_one end
rule "half" when 0.5 = n flag half end
rule "cab" when c = 'ab' flag c_ab end
rule "tab" when t = 'ab' flag t_ab end
rule "b2" when big = 2 and t = 'b' flag big2 end
rule "s1b" when show_id = 1 flag s1b end
rule "s-null" when show_id is null flag no_show end
rule "rest" flag rest end
$$::text AS body;
CREATE TABLE gi_p AS
SELECT h AS hit, format('policy "gi" currency USD hit %s %s', h, body)::compensation.ruleset AS r
FROM gi_rules, unnest(ARRAY['first', 'collect']) AS h;
SELECT p.hit, g.id,
  ARRAY(SELECT l.rule FROM compensation.lines(compensation.evaluate(p.r, g)) l) AS rules
FROM gi g, gi_p p ORDER BY p.hit, g.id;
SELECT p.hit, g.id,
  ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount, l.note)::text
        FROM compensation.lines(compensation.evaluate(p.r, g)) l)
  = ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount, l.note)::text
          FROM compensation.explain(p.r, g) e,
               LATERAL compensation.lines(e.award) WITH ORDINALITY l
          ORDER BY e.rule_no, l.ordinality) AS same_as_explain
FROM gi g, gi_p p ORDER BY p.hit, g.id;
-- many rules on one column, the catch-all last
SELECT g.id, compensation.lines(compensation.evaluate(
  ('policy "many" currency USD hit first ' ||
   (SELECT string_agg(format('rule "s%s" when show_id = %s credit cash %s end', k, k, k), ' ' ORDER BY k)
    FROM generate_series(1, 2000) k) ||
   ' rule "other" flag other end')::compensation.ruleset, g)) AS line
FROM gi g ORDER BY g.id;
-- hit unique: a guarded and an unguarded rule both match row 5 only
SELECT g.id, compensation.evaluate($$
policy "u" currency USD hit unique
rule "a" when show_id = 1 flag a end
rule "b" when price > 400 flag b end
$$::compensation.ruleset, g) FROM gi g WHERE g.id < 5 ORDER BY g.id;
SELECT compensation.evaluate($$
policy "u" currency USD hit unique
rule "a" when show_id = 1 flag a end
rule "b" when price > 400 flag b end
$$::compensation.ruleset, g) FROM gi g WHERE g.id = 5;
-- a NULL guard column: the rest of the condition is still evaluated (and
-- may fail); another value stops the "and" at the guard
SELECT g.id, compensation.evaluate($$
policy "nul" currency USD
rule "x" when show_id = 7 and 1 / (price - 300) > 0 flag x end
$$::compensation.ruleset, g) FROM gi g WHERE g.id <> 3 ORDER BY g.id;
SELECT compensation.evaluate($$
policy "nul" currency USD
rule "x" when show_id = 7 and 1 / (price - 300) > 0 flag x end
$$::compensation.ruleset, g) FROM gi g WHERE g.id = 3;
-- a constant of another kind than the column is no guard: the type error
-- stays, raised by the rule that compares (a NULL compares as unknown)
SELECT g.id, compensation.evaluate($$
policy "mix" currency USD hit first
rule "ok" when show_id = 1 flag ok end
rule "bad" when t = 5 flag bad end
$$::compensation.ruleset, g) FROM gi g WHERE g.id IN (1, 3) ORDER BY g.id;
SELECT compensation.evaluate($$
policy "mix" currency USD hit first
rule "ok" when show_id = 1 flag ok end
rule "bad" when t = 5 flag bad end
$$::compensation.ruleset, g) FROM gi g WHERE g.id = 2;
SELECT compensation.evaluate($$
policy "mix" currency USD
rule "bad" when show_id = 'x' flag bad end
$$::compensation.ruleset, g) FROM gi g WHERE g.id = 1;
-- a guard column that cannot be read (NaN, -2^63): the rule that reads it
-- raises the error, and a rule that matches first under hit first hides it
CREATE TABLE gi_bad (id int, n numeric, big bigint);
INSERT INTO gi_bad VALUES (1, 'NaN', 1), (2, 1, -9223372036854775808);
SELECT compensation.evaluate($$
policy "bad" currency USD
rule "first" flag f end
rule "g" when n = 1 flag g end
$$::compensation.ruleset, b) FROM gi_bad b WHERE b.id = 1;
SELECT compensation.evaluate($$
policy "bad" currency USD
rule "first" flag f end
rule "g" when big = 1 flag g end
$$::compensation.ruleset, b) FROM gi_bad b WHERE b.id = 2;
SELECT b.id, compensation.evaluate($$
policy "bad" currency USD hit first
rule "first" flag f end
rule "g" when n = 1 and big = 1 flag g end
$$::compensation.ruleset, b) FROM gi_bad b ORDER BY b.id;
