-- The policy language's local calendar (issue 11): date(), days() in
-- calendar days, date parts, months and years, durations divided by
-- durations, and working days of a declared calendar; their canonical
-- form, explain, and every error with its SQLSTATE.
--
-- The policies are real published schemes (their sources are cited in the
-- policy files under examples/calendars/ that this test loads):
--   ofcom-delayed-repair  Ofcom's automatic compensation, delayed repairs
--                         (UK, 2019): a daily amount after two full
--                         working days; England and Wales bank holidays
--   us-dot-refunds        US DOT airline refund deadlines (14 CFR part 260,
--                         2024): 7 business days by card, 20 calendar days
--                         otherwise; US federal holidays
--   eu261                 Regulation (EC) No 261/2004, Art. 5 and 7, with the
--                         Sturgeon ruling: two weeks' notice, 3 hours' delay,
--                         a 6-year claim window (Limitation Act 1980)
--   ec2-region-sla        the Amazon Compute SLA's service credits (uptime
--                         below 99.99% / 99.0% / 95.0%)
-- Every expected award below is worked out by hand in the comment above it.
\set test lang_dates
\i test/regress_preamble.sql
\set ofcom `cat examples/calendars/ofcom-delayed-repair.policy`
\set dot `cat examples/calendars/us-dot-refunds.policy`
\set eu261 `cat examples/calendars/eu261.policy`
\set sla `cat examples/calendars/ec2-region-sla.policy`
SET TimeZone = 'UTC';

-- pg_temp.compile(policy): 'ok', or the error as 'SQLSTATE: message'.
CREATE FUNCTION pg_temp.compile(p text) RETURNS text LANGUAGE sql
	AS $$ SELECT pg_temp.err(format('SELECT %L::compensation.ruleset', p)) $$;
-- pg_temp.roundtrip(policy): the canonical text parses back to an equal value
-- and prints the same text.
CREATE FUNCTION pg_temp.roundtrip(p text) RETURNS boolean LANGUAGE sql AS $$
	SELECT p::compensation.ruleset OPERATOR(compensation.=) p::compensation.ruleset::text::compensation.ruleset
	   AND p::compensation.ruleset::text = p::compensation.ruleset::text::compensation.ruleset::text $$;

--
-- 1. The local date of an instant, and days() in calendar days.
--
-- The bug of issue 11: in Europe/London, 2026-03-28 .. 2026-03-30 spans the
-- night the clocks go forward (29 March), 47 hours, but 2 calendar days.
CREATE TABLE spans (id int, a timestamptz, b timestamptz);
INSERT INTO spans VALUES
  (1, '2026-03-28 00:00+00', '2026-03-30 00:00+01'),   -- midnight to midnight, London
  (2, '2026-03-28 12:00+00', '2026-03-29 12:00+01'),   -- noon to noon: 23 hours, 1 day
  (3, '2026-10-24 12:00+01', '2026-10-25 12:00+00'),   -- 25 hours, 1 day
  (4, '2026-03-28 23:30+00', '2026-03-29 00:30+00');   -- 1 hour, two local days
SELECT s.id, compensation.evaluate($$
policy "london-days" currency GBP timezone "Europe/London"
rule "days" credit points days(a, b) * 24 end
rule "hours" credit cash hours(a, b) end
rule "calendar-days" credit coupon days(date(a), date(b)) end
rule "literal" when days(2026-03-28, 2026-03-30) = 2 flag two_days end
$$::compensation.ruleset, s) FROM spans s ORDER BY s.id;
-- 1: 2 days (48 points), 47 hours, 2 calendar days.  2: 1 day, 23 hours.
-- 3: 1 day, 25 hours.  4: 23:30 GMT on the 28th to 00:30 GMT on the 29th
-- (the clocks go forward at 01:00 UTC): 1/24 day (1 point), 1 hour, and
-- 1 calendar day between the two local dates.

-- America/New_York: the clocks go forward on 8 March and back on 1 November 2026.
SELECT compensation.evaluate($$
policy "ny-days" currency USD timezone "America/New_York"
rule "spring" when days(2026-03-07 12:00, 2026-03-08 12:00) = 1 and hours(2026-03-07 12:00, 2026-03-08 12:00) = 23 flag spring end
rule "fall" when days(2026-10-31 12:00, 2026-11-01 12:00) = 1 and hours(2026-10-31 12:00, 2026-11-01 12:00) = 25 flag fall end
rule "back" when days(2026-03-08 12:00, 2026-03-07 12:00) = -1 flag back end
$$::compensation.ruleset, s) FROM spans s WHERE s.id = 1;

-- date(t) is the whole local day: a time compares with it as with a date
-- literal, and date(t) + 1 day is the next local day.
CREATE TABLE stamps (id int, t timestamptz);
INSERT INTO stamps VALUES (1, '2026-03-29 00:30+00'), (2, '2026-03-29 23:30+00'),
  (3, '2026-10-25 00:30+00'), (4, '2026-10-25 01:30+00'), (5, '2028-02-29 12:00+00'),
  (6, NULL), (7, 'infinity');
SELECT s.id, compensation.evaluate($$
policy "parts" currency GBP timezone "Europe/London"
rule "on-29" when date(t) = 2026-03-29 flag on_the_29th end
rule "next" when date(t) + 1 day = 2026-03-30 flag next_is_30th end
rule "parts" when t is not null
  credit points year(t) * 10000 + month(t) * 100 + day(t)
  grant pass weekday(t)
  credit coupon hour(t) + 1
end
$$::compensation.ruleset, s) FROM stamps s WHERE s.id <= 6 ORDER BY s.id;
-- 1: 00:30 GMT on Sunday 29 March: 20260329, weekday 7, hour 0.
-- 2: 23:30 UTC is 00:30 BST on Monday 30 March: 20260330, weekday 1, hour 0.
-- 3: 00:30 UTC on 25 October is 01:30 BST (Sunday), hour 1;
-- 4: 01:30 UTC is 01:30 GMT, the hour again: hour 1.
-- 5: Tuesday 29 February 2028, 12:00 GMT: 20280229, weekday 2, hour 12.
-- 6: NULL: no line.
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP rule "r" credit points month(t) end'::compensation.ruleset, s) FROM stamps s WHERE s.id = 7$$);

--
-- 2. Months and years: the day is clamped to the end of the month, as
-- PostgreSQL's date + interval does; the wall clock is kept across a
-- daylight-saving change; a date stays a whole day.
--
CREATE TABLE subs (id int, d date, t timestamptz, n int);
INSERT INTO subs VALUES
  (1, '2026-01-31', '2026-03-15 09:00+00', 1),
  (2, '2028-01-31', '2026-03-31 23:30+01', 1),
  (3, '2028-02-29', '2028-02-29 12:00+00', 12),
  (4, '2026-08-31', '2026-10-31 12:00+00', 2),
  (5, '2026-03-31', NULL, 0);
SELECT s.id, compensation.evaluate($$
policy "months" currency GBP timezone "Europe/London"
rule "d" extend d by n months end
rule "t" extend t by 1 month end
rule "year" when d + 1 year = 2029-02-28 flag leap_year_clamped end
rule "four" when d + 4 years = 2032-02-29 flag leap_to_leap end
rule "back" when d - 1 month = 2026-02-28 flag back_clamped end
rule "mixed" when d + (1 month + 1 day) = 2026-03-01 flag month_then_day end
rule "between" when d - 1 month in 2026-02-28 .. 2026-02-28 flag a_whole_day end
$$::compensation.ruleset, s) FROM subs s ORDER BY s.id;
-- 1: 2026-01-31 + 1 month = 2026-02-28 (+28 days); 2026-03-15 09:00 GMT +
--    1 month = 2026-04-15 09:00 BST, 08:00 UTC (+31 days); 2026-01-31 +
--    (1 month + 1 day) = 2026-02-28 + 1 day = 2026-03-01.
-- 2: 2028-01-31 + 1 month = 2028-02-29, a leap year (+29 days);
--    2026-03-31 23:30 BST + 1 month = 2026-04-30 23:30 BST (+30 days).
-- 3: 2028-02-29 + 12 months = 2029-02-28 (+365 days), and + 1 year too;
--    + 4 years = 2032-02-29; 2028-02-29 12:00 + 1 month = 2028-03-29.
-- 4: 2026-08-31 + 2 months = 2026-10-31 (+61 days); 2026-10-31 12:00 GMT
--    + 1 month = 2026-11-30 12:00 GMT (+30 days).
-- 5: 2026-03-31 - 1 month = 2026-02-28; 0 months: no line.
-- Extending backwards is an error, as with days.
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP rule "d" extend d by (n - 3) months end'::compensation.ruleset, s) FROM subs s WHERE s.id = 4$$);

--
-- 3. Durations divided by durations are numbers.
--
SELECT compensation.evaluate($$
policy "ratios" currency USD calendar "c"
rule "hours" when 15 hours / 720 hours = 1 / 48 flag in_hours end
rule "days" when 3 days / 2 days = 1.5 flag in_days end
rule "months" when 18 months / 1 year = 1.5 flag in_months end
rule "working" when 3 working days / 2 working days = 1.5 flag in_working_days end
rule "mixed-units" when 90 minutes / 1 hour = 1.5 flag in_minutes end
rule "zero" when 0 hours / 1 day = 0 flag zero end
$$::compensation.ruleset, s) FROM spans s WHERE s.id = 1;
SELECT expr, pg_temp.err(format($q$SELECT compensation.evaluate('policy "p" currency USD calendar "c" rule "r" when (%s) is not null flag f end'::compensation.ruleset, s) FROM spans s WHERE s.id = 1$q$, expr))
FROM unnest(ARRAY['1 day / 24 hours', '1 month / 30 days', '1 hour / 0 minutes', '2 working days / 1 day',
  '(1 day + 1 hour) / 1 hour', '1 month < 30 days', '2 working days + 1 day', '1.5 months > 0 months',
  '2000000000 years > 0 months', '(1 day + 1 hour) < 2 days']) AS expr;

--
-- 4. The AWS SLA: minutes of downtime over the month's length.
--
CREATE TABLE months (id int, month_start date, down_minutes int, bill numeric);
INSERT INTO months VALUES
  (1, '2026-04-01', 4, 1234.56),    -- 4 / 43,200 = 0.00926% < 0.01%: nothing
  (2, '2026-04-01', 5, 1234.56),    -- 0.01157%: 10% of 1,234.56 = 123.456 -> 123.46
  (3, '2028-02-01', 417, 1000),     -- 29 days, 41,760 min: 0.9986%: 10% = 100.00
  (4, '2028-02-01', 418, 1000),     -- 1.00096% > 1%: 30% = 300.00
  (5, '2026-02-01', 2016, 1000),    -- 28 days, 40,320 min: exactly 5%: 30%
  (6, '2026-02-01', 2017, 1000);    -- over 5%: 100% = 1,000.00
SELECT m.id, compensation.evaluate(:'sla'::compensation.ruleset, m) FROM months m ORDER BY m.id;

--
-- 5. Working days: a calendar (weekend and holidays) in the header.
--
-- Ofcom's delayed repairs, England and Wales bank holidays of 2026.
CREATE TABLE faults (id int, reported_at timestamptz, fixed_at timestamptz);
INSERT INTO faults VALUES
  (1, '2026-03-27 16:00+00', '2026-04-02 09:00+01'),
  (2, '2026-04-02 10:00+01', '2026-04-08 23:59:59+01'),
  (3, '2026-04-02 10:00+01', '2026-04-09 00:00+01'),
  (4, '2026-12-24 12:00+00', '2027-01-04 10:00+00'),
  (5, '2026-06-01 23:30+00', '2026-06-04 22:30+00'),
  (6, '2026-06-01 23:30+00', '2026-06-04 23:30+00'),
  (7, '2026-03-28 11:00+00', '2026-03-31 18:00+01');
SELECT f.id, compensation.evaluate(:'ofcom'::compensation.ruleset, f) FROM faults f ORDER BY f.id;
-- 1: reported Friday 27 March; working days Monday 30, Tuesday 31 (the
--    clocks changed on Sunday 29): due by the end of 31 March; fixed
--    Thursday 2 April: 2 calendar days late, 2 x 9.76 = 19.52.
-- 2: reported Thursday 2 April: Good Friday 3 April, the weekend, Easter
--    Monday 6 April are skipped; 7 and 8 April are the two working days:
--    fixed at 23:59:59 on the 8th, in time: nothing.
-- 3: fixed at midnight starting the 9th: 1 day late, 9.76.
-- 4: reported Thursday 24 December: 25 (Christmas), 26-27 (weekend), 28
--    (Boxing Day, substitute) skipped; 29 and 30 December: due by the end
--    of the 30th; fixed Monday 4 January 2027: 5 days late, 48.80.
-- 5: 23:30 UTC on 1 June is 00:30 BST on Tuesday 2 June: 3 and 4 June are
--    the two working days; fixed 23:30 BST on the 4th: in time (in UTC the
--    report would be a day earlier and the fix late).
-- 6: fixed 00:30 BST on 5 June: 1 day late, 9.76.
-- 7: reported on Saturday 28 March: Monday 30 and Tuesday 31 are the two
--    working days; fixed 18:00 BST on the 31st: in time.

-- The example of docs/policy-language.md, as it stands there.
SELECT compensation.evaluate($$
policy "ofcom-delayed-repair"
currency GBP
timezone "Europe/London"
calendar "england-and-wales" weekend saturday, sunday
  holidays 2026-01-01, 2026-04-03, 2026-04-06, 2026-05-04, 2026-05-25,
           2026-08-31, 2026-12-25, 2026-12-28

rule "delayed-repair"
  when fixed_at > date(reported_at) + 2 working days
  let late_days = days(date(reported_at) + 2 working days, date(fixed_at))
  credit cash late_days * 9.76
end
$$::compensation.ruleset, f)
FROM (SELECT timestamptz '2026-04-02 10:00+01' AS reported_at,
             timestamptz '2026-04-09 00:00+01' AS fixed_at) f;

-- explain shows the days a working-day computation skipped.
SELECT f.id, e.rule, e.matched, e.failed_condition, e.detail, e.award
FROM faults f, compensation.explain(:'ofcom'::compensation.ruleset, f) e
WHERE f.id IN (2, 3, 4) ORDER BY f.id, e.rule_no;

-- US DOT refund deadlines, US federal holidays of 2026.
CREATE TABLE refunds (id int, paid_by text, requested_at timestamptz, refunded_at timestamptz);
INSERT INTO refunds VALUES
  (1, 'card', '2026-11-20 18:00-05', '2026-12-02 23:30-05'),
  (2, 'card', '2026-11-20 18:00-05', '2026-12-03 00:10-05'),
  (3, 'card', '2026-03-06 22:00-05', '2026-03-17 23:30-04'),
  (4, 'card', '2026-03-06 22:00-05', '2026-03-18 00:30-04'),
  (5, 'cash', '2026-02-10 10:00-05', '2026-03-02 12:00-05'),
  (6, 'cash', '2026-02-10 10:00-05', '2026-03-03 09:00-05'),
  (7, 'cash', '2028-02-09 10:00-05', '2028-02-29 15:00-05'),
  (8, 'cash', '2028-02-09 10:00-05', '2028-03-01 00:01-05'),
  (9, 'card', '2026-07-02 09:00-04', '2026-07-14 08:00-04'),
  (10, 'card', '2026-07-02 09:00-04', NULL);
SELECT r.id, compensation.evaluate(:'dot'::compensation.ruleset, r) FROM refunds r ORDER BY r.id;
-- 1: requested Friday 20 November: 23, 24, 25, (Thanksgiving 26 skipped),
--    27, 30 November, 1, 2 December are the 7 business days: refunded by
--    23:30 on 2 December, in time.  2: 00:10 on 3 December: late.
-- 3: requested Friday 6 March 22:00 EST (03:00 UTC on the 7th: the local
--    date counts); 9-13 and 16-17 March: due by the end of 17 March, EDT
--    after the clocks went forward on the 8th: 23:30 EDT is in time.
-- 4: 00:30 EDT on 18 March: late.
-- 5: other payment: 20 calendar days after 10 February is 2 March: in time.
-- 6: 3 March: late.
-- 7: 20 days after 9 February 2028 is 29 February (a leap year): in time.
-- 8: 1 March 2028: late.
-- 9: requested Thursday 2 July: Friday 3 July (Independence Day
--    observed), 4-5 July (weekend) skipped; 6-10 and 13-14 July: due by the
--    end of the 14th: in time.  10: not refunded yet: unknown, nothing.
SELECT r.id, e.rule, e.matched, e.detail
FROM refunds r, compensation.explain(:'dot'::compensation.ruleset, r) e
WHERE r.id IN (2, 9) ORDER BY r.id, e.rule_no;

-- EU261: two weeks' notice in calendar days; 3 hours' delay in real hours;
-- a 6-year claim window from a leap day.
CREATE TABLE flights (id int, cancelled boolean, informed_at timestamptz,
  scheduled_departure timestamptz, scheduled_arrival timestamptz,
  actual_arrival timestamptz, distance_km int);
INSERT INTO flights VALUES
  (1, true, '2026-03-22 08:30+00', '2026-04-05 09:00+01', NULL, NULL, 1200),
  (2, true, '2026-03-22 09:30+00', '2026-04-05 09:00+01', NULL, NULL, 1200),
  (3, false, NULL, '2026-10-24 20:00+01', '2026-10-25 01:30+01', '2026-10-25 03:15+00', 2400),
  (4, false, NULL, '2026-10-24 19:00+01', '2026-10-24 23:50+01', '2026-10-25 02:00+00', 2400),
  (5, true, '2028-02-28 18:00+00', '2028-02-29 10:00+00', NULL, NULL, 5000),
  (6, false, NULL, '2026-06-01 10:00+01', '2026-06-01 12:00+01', '2026-06-01 15:00+01', 1500);
SELECT f.id, compensation.evaluate(:'eu261'::compensation.ruleset, f) FROM flights f ORDER BY f.id;
-- 1: departure 5 April 09:00 BST; two weeks before is 22 March 09:00 GMT
--    (the wall clock kept across 29 March): informed at 08:30, in time:
--    nothing.  (336 hours before would be 08:00 GMT, and this passenger
--    would wrongly be paid.)
-- 2: informed at 09:30 GMT: late notice, 1,200 km: 250 euros, claimable
--    from 5 April 2026 to the end of 5 April 2032.
-- 3: arrival due 01:30 BST (00:30 UTC) on 25 October, arrived 03:15 GMT:
--    2 h 45 min late in real time (the wall clock says 1 h 45 min): nothing.
-- 4: due 23:50 BST (22:50 UTC), arrived 02:00 GMT (02:00 UTC): 3 h 10 min
--    late (the wall clock says 2 h 10 min): 2,400 km: 400 euros.
-- 5: cancelled the day before a departure on 29 February 2028, 5,000 km:
--    600 euros, claimable to the end of 28 February 2034 (no 29th).
-- 6: exactly 3 hours late, 1,500 km (the first band includes its bound):
--    250 euros.

--
-- 6. The canonical form, and the value it parses back to.
--
SELECT :'dot'::compensation.ruleset;
SELECT pg_temp.roundtrip(p) FROM unnest(ARRAY[:'ofcom', :'dot', :'eu261', :'sla']) AS p;
SELECT pg_temp.roundtrip(p) FROM unnest(ARRAY[
  'policy "p" currency GBP calendar "c" weekend none',
  'policy "p" currency GBP calendar "c" weekend friday, saturday holidays 2026-04-10',
  'policy "p" currency GBP calendar "Trading days" rule "r" let x = 1 working day + 3 working days grant pass (d + x) end',
  'policy "p" currency GBP rule "r" extend d by 1 month + 2 days - 1 year grant pass day(t) grant coupon (hour(t)) end',
  'policy "p" currency GBP let date = date(t) let month = 1 rule "r" when month(date) = month flag f end'
]) AS p;
-- The holidays are kept in ascending order and the weekend in weekday
-- order, so the same calendar written another way is the same value.
SELECT 'policy "p" currency GBP calendar "c" weekend sunday, saturday holidays 2026-12-28, 2026-01-01'::compensation.ruleset
     OPERATOR(compensation.=) 'policy "p" currency GBP calendar "c" holidays 2026-01-01, 2026-12-28'::compensation.ruleset AS same;
SELECT 'policy "p" currency GBP calendar "c" weekend sunday, saturday holidays 2026-12-28, 2026-01-01'::compensation.ruleset;
-- A calendar is not a value a policy can name: a column of its name is a column.
SELECT compensation.evaluate($$policy "p" currency GBP calendar "c" rule "r" credit points c end$$::compensation.ruleset, x)
FROM (SELECT 7 AS c) x;
-- The binary form is the canonical text: recv parses (and checks) it again.
CREATE TEMP TABLE rs (r compensation.ruleset);
INSERT INTO rs VALUES (:'ofcom'), (:'dot');
SELECT pg_backend_pid() AS pid \gset
\set binfile '/tmp/compensation_lang_dates_' :pid '.bin'
COPY rs TO :'binfile' WITH (FORMAT binary);
CREATE TEMP TABLE rs_back (r compensation.ruleset);
COPY rs_back FROM :'binfile' WITH (FORMAT binary);
SELECT count(*) AS equal FROM rs a JOIN rs_back b ON a.r OPERATOR(compensation.=) b.r;

--
-- 7. Compile errors, with line, column and SQLSTATE.
--
SELECT p, pg_temp.compile(p) FROM unnest(ARRAY[
  'policy "p" currency GBP rule "r" extend d by 2 working days end',
  'policy "p" currency GBP rule "r" credit points working_days(a, b) end',
  'policy "p" currency GBP calendar "a" calendar "b"',
  'policy "p" currency GBP calendar "a" weekend monday, tuesday, wednesday, thursday, friday, saturday, sunday',
  'policy "p" currency GBP calendar "a" weekend saturday, saturday',
  'policy "p" currency GBP calendar "a" weekend funday',
  'policy "p" currency GBP calendar "a" weekend',
  'policy "p" currency GBP calendar "a" holidays 2026-12-25 10:00',
  'policy "p" currency GBP calendar "a" holidays 2026-12-25, 2026-01-01, 2026-12-25',
  'policy "p" currency GBP calendar "a" holidays',
  'policy "p" currency GBP calendar a',
  'policy "p" currency GBP calendar "a" rule "r" extend d by 2 working hours end',
  'policy "p" currency GBP calendar "a" holidays 2026-01-01 timezone "Europe/London"',
  'policy "p" currency GBP rule "r" credit points date() end',
  'policy "p" currency GBP rule "r" credit points working_days(a) end',
  'policy "p" currency GBP rule "r" credit points weekday(a, b) end',
  'policy "p" currency GBP rule "r" credit points month(5) end',
  'policy "p" currency GBP rule "r" credit points hour(''x'') end',
  'policy "p" currency GBP rule "r" when date(2026-01-01) = 5 flag f end',
  'policy "p" currency GBP calendar "a" rule "r" credit points working_days(1, 2026-01-01) end',
  'policy "p" currency GBP rule "r" credit points days(date(2026-01-02) - date(2026-01-01), 1) end',
  'policy "p" currency GBP rule "r" credit points 1 month / 2026-01-01 end',
  'policy "p" currency GBP rule "r" credit points ''a'' months end',
  'policy "p" currency GBP rule "r" credit cash tier d upto 1 month => 1 upto 1 year => 2 upto 6 months => 3 end end'
]) AS p;
-- Tier bounds in months and years ascend like months; days do not compare
-- with months, so they cannot be checked.
SELECT pg_temp.compile('policy "p" currency GBP rule "r" credit cash tier d upto 11 months => 1 upto 1 year => 2 upto 400 days => 3 end end');

--
-- 8. Evaluation errors, each with its SQLSTATE.
--
CREATE TABLE odd (id int, t timestamptz, s text, n numeric);
INSERT INTO odd VALUES (1, 'infinity', 'x', 1.5), (2, '2026-01-01 00:00+00', 'x', 1.5);
SELECT q, pg_temp.err(format($f$SELECT compensation.evaluate(%L::compensation.ruleset, o) FROM odd o WHERE o.id = 2$f$,
  'policy "p" currency GBP calendar "c" ' || q))
FROM unnest(ARRAY[
  'rule "r" extend t by n months end',
  'rule "r" extend t by n working days end',
  'rule "r" grant pass for 1 month end',
  'rule "r" grant pass for 2 working days end',
  'rule "r" credit points weekday(s) end',
  'rule "r" credit points working_days(s, t) end',
  'rule "r" when t + 2000000000 months > t flag f end',
  'rule "r" when t + 2000000000 working days > t flag f end',
  'rule "r" when t - 2147483647 months > t flag f end'
]) AS q;
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP calendar "c" rule "r" credit points working_days(t, 2026-01-01) end'::compensation.ruleset, o) FROM odd o WHERE o.id = 1$$);
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency GBP rule "r" when date(t) > 2026-01-01 flag f end'::compensation.ruleset, o) FROM odd o WHERE o.id = 1$$);
-- Working days count both ways and in any calendar that leaves a working day.
SELECT compensation.evaluate($$
policy "p" currency GBP calendar "gulf" weekend friday, saturday holidays 2026-01-01
rule "count" credit points working_days(2026-01-01, 2026-01-11) end
rule "back" grant pass -working_days(2026-01-11, 2026-01-01) end
rule "minus" when 2026-01-11 - 5 working days = 2026-01-04 flag minus end
rule "saturday" when 2026-01-03 + 1 working day = 2026-01-04 flag sunday_works end
rule "zero" when 2026-01-02 + 0 working days = 2026-01-02 flag zero end
$$::compensation.ruleset, o) FROM odd o WHERE o.id = 2;
-- explain lists the first twelve days skipped, and counts the rest: 40
-- working days after Thursday 1 January are 8 weeks, to Thursday 26
-- February, skipping 16 weekend days.
SELECT e.detail FROM odd o, compensation.explain($$policy "p" currency GBP calendar "c"
rule "r" when 2026-01-01 + 40 working days = 2026-02-26 flag f end$$::compensation.ruleset, o) e WHERE o.id = 2;
-- An award that extends by working days: its line has the calendar days
-- it adds, and explain the days it skipped.  Thursday 24 December 2026 + 3
-- working days (England and Wales): 29, 30, 31 December: +7 days.
SELECT e.rule, e.detail, e.award FROM odd o, compensation.explain($$policy "p" currency GBP timezone "Europe/London"
calendar "england-and-wales" holidays 2026-12-25, 2026-12-28, 2027-01-01
rule "r" extend t by 3 working days end$$::compensation.ruleset,
  (SELECT x FROM (SELECT timestamptz '2026-12-24 09:00+00' AS t) x)) e WHERE o.id = 2;
-- 1 January 2026 is a Thursday.  Working days in (1 Jan, 11 Jan] with a
-- Friday-Saturday weekend: 4, 5, 6, 7, 8, 11 (Sunday to Thursday, then
-- Sunday): 6.  Back: -6.  11 January - 5 working days, counting back:
-- the 8th, 7th, 6th, 5th, 4th: 4 January.  Saturday 3 January + 1
-- working day is Sunday the 4th.

--
-- 9. A damaged stored value is refused (XX001), as every other (see
-- bad_input_fuzz): a calendar with no working weekday, holidays out of
-- order, working days with no calendar.
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
-- The nodes start 76 bytes after the length word, 32 bytes each: the
-- calendar is node 0 (op at byte 0, b at byte 8), its holidays nodes 1 and
-- 2 (a at byte 4).
CREATE TABLE cal AS SELECT bytes('policy "p" currency GBP calendar "c" holidays 2026-01-01, 2026-12-25 rule "r" when t > t + 1 working day flag f end') AS b;
SELECT get_byte(b, 76) AS calendar_op, get_byte(b, 76 + 8) AS weekend FROM cal;
SELECT what, pg_temp.err(format('SELECT compensation.policy_name(damaged(%L::bytea))', b)) FROM (
  SELECT 1 AS k, 'no working weekday' AS what, set_byte(b, 76 + 8, 127) AS b FROM cal
  UNION ALL SELECT 2, 'holidays out of order',
    set_byte(set_byte(b, 76 + 32 + 4, get_byte(b, 76 + 64 + 4)), 76 + 32 + 5, get_byte(b, 76 + 64 + 5)) FROM cal
  UNION ALL SELECT 3, 'no calendar', set_byte(b, 76, 4) FROM cal
  UNION ALL SELECT 4, 'intact', b FROM cal) x ORDER BY k;
