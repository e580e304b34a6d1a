-- Language 0.2 (issue 11), the constructs that replace repeated rules:
-- reserved words as column names, a rule's let before its when, tiers with
-- half-open "below" steps, case (searched, and a lookup by a text column),
-- between.  Parameters (what-if) are in lang_params.  Every award below is
-- computed by hand from the published scheme cited beside it, boundaries
-- included; every error shows its SQLSTATE.
\set test lang_tables
\i test/regress_preamble.sql
\set VERBOSITY default
SET TimeZone = 'UTC';

-- Reserved words as column names ---------------------------------------
-- hours, days (and minutes, hour, day, minute) are units after a value and
-- functions before "(": where a value begins they can only be a column, so
-- they need no quotes there.  type and status are no keywords at all.  end
-- is reserved (it closes rules, tiers and cases): it is written "end".
CREATE TABLE jobs (id int, type text, status text, hours numeric, days int, "end" date);
INSERT INTO jobs VALUES
	(1, 'repair', 'open', 2.5, 1, '2025-01-02'),	-- 2.5 * 10 + 1 = 26
	(2, 'repair', 'open', 2, 1, '2025-01-02'),		-- hours > 2 fails
	(3, 'install', 'open', 4, 0, '2025-01-02'),	-- type fails
	(4, 'repair', 'closed', 4, 2, '2025-01-02'),	-- status fails
	(5, 'repair', 'open', 3, 2, '2024-12-31');		-- "end" fails
CREATE TABLE p_words AS SELECT $$policy "lang_tables/words" currency EUR
rule "r"
  when status = 'open' and type in ('repair', 'survey') and hours > 2 and days >= 0
   and "end" >= 2025-01-01
  credit cash hours * 10 + days
  extend "end" by days days
end$$::compensation.ruleset AS r;
SELECT r FROM p_words;
SELECT j.id, compensation.evaluate(p.r, j) FROM jobs j, p_words p ORDER BY j.id;
-- the canonical form quotes them, and reads back equal
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_words;
-- a unit still reads as a unit after a value, and as a function before "("
SELECT $$policy "lang_tables/units" currency EUR
rule "r" when hours(a, b) > days credit cash hours end$$::compensation.ruleset;
-- any other reserved word where a value begins: the error names it, and how to quote it
SELECT $$policy "p" currency EUR
rule "r"
  when end > 1
end$$::compensation.ruleset;
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" when end > 1 end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash rule end'::compensation.ruleset$$);
-- as a let or an instrument name a reserved word is refused as before
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR let hours = 1'::compensation.ruleset$$);

-- A rule's let before its when ------------------------------------------
-- The when sees the lets written above it; the canonical form keeps a
-- rule's lets above its when exactly when the when reads one of them.
CREATE TABLE orders (id int, price numeric, refunded numeric);
INSERT INTO orders VALUES (1, 100, 20), (2, 100, 95), (3, 100, null);
CREATE TABLE p_let AS SELECT $$policy "lang_tables/let-when" currency EUR
rule "loss"
  let loss = price - refunded
  when loss >= 10
  let half = loss / 2
  credit cash half
end
rule "plain"
  when price > 0
  let x = price
  credit fee x
end$$::compensation.ruleset AS r;
SELECT r FROM p_let;
SELECT o.id, compensation.evaluate(p.r, o) FROM orders o, p_let p ORDER BY o.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_let;
-- a column named like a later let is still the column, quoted when printed
SELECT $$policy "lang_tables/let-shadow" currency EUR
rule "r"
  let a = 1
  when a = 1 and b > 0
  let b = 2
  credit cash a + b
end$$::compensation.ruleset;
-- a let written after the when that reads it: at binding, the hint says so
SELECT compensation.evaluate($$policy "lang_tables/let-after" currency EUR
rule "loss"
  when loss >= 10
  let loss = price - refunded
  credit cash loss
end$$, o) FROM orders o WHERE o.id = 1;
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" when loss > 1 let loss = price end', o) FROM orders o$$);

-- Half-open tiers: below ------------------------------------------------
-- Amazon Compute Service Level Agreement (https://aws.amazon.com/compute/sla/,
-- Region-Level SLA): Monthly Uptime Percentage "less than 99.99% but equal
-- to or greater than 99.0%": 10% service credit; "less than 99.0% but
-- equal to or greater than 95.0%": 30%; "less than 95.0%": 100%.
CREATE TABLE months (account text, uptime numeric, bill numeric);
INSERT INTO months VALUES
	('a', 100, 1234.56),		-- no credit
	('b', 99.99, 1234.56),		-- exactly 99.99: no credit
	('c', 99.989, 1234.56),		-- 10%: 123.456 -> 123.46
	('d', 99.0, 1234.56),		-- exactly 99.0: 10%
	('e', 98.999, 1234.56),		-- 30%: 370.368 -> 370.37
	('f', 95.0, 1234.56),		-- exactly 95.0: 30%
	('g', 94.999, 1234.56),		-- 100%: 1234.56
	('h', null, 1234.56);		-- unknown uptime: no line
CREATE TABLE p_sla AS SELECT $$policy "lang_tables/aws-ec2-region-sla" currency USD
rule "service-credit"
  let credit_rate = tier uptime
    below 95.0 => 100%
    below 99.0 => 30%
    below 99.99 => 10%
  end
  credit cash bill * credit_rate round half_up
end$$::compensation.ruleset AS r;
SELECT r FROM p_sla;
SELECT m.account, m.uptime, compensation.amount(compensation.evaluate(p.r, m), 'cash') AS cents
FROM months m, p_sla p ORDER BY m.account;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_sla;
-- upto and below mix: x <= 1, 1 < x < 5, 5 <= x <= 10, above
SELECT x, compensation.evaluate($$policy "lang_tables/mix" currency USD
rule "r" credit cash tier x upto 1 => 1 below 5 => 2 upto 10 => 3 else 4 end end$$, t)
FROM (VALUES (1), (1.01), (4.99), (5), (10), (10.01)) t(x);
-- bounds ascend strictly, of either kind: "below 5" then "upto 5" is refused
-- (write the band that takes exactly 5 with the next bound)
SELECT pg_temp.err($$SELECT 'policy "p" currency USD rule "r" credit cash tier x below 5 => 1 upto 5 => 2 end end'::compensation.ruleset$$);
-- a tier with no below prints, and is stored, as before
SELECT $$policy "lang_tables/t" currency USD rule "r" credit cash tier x upto 5 => 1 end end$$::compensation.ruleset;
-- errors: below must ascend (22023), a step needs its "=>", a tier needs a step
SELECT pg_temp.err($$SELECT 'policy "p" currency USD rule "r" credit cash tier x below 99 => 1 below 95 => 2 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency USD rule "r" credit cash tier x below 99 1 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency USD rule "r" credit cash tier x else 1 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency USD rule "r" credit cash tier 5 below ''a'' => 1 end end'::compensation.ruleset$$);

-- case, and a lookup by a text column -----------------------------------
-- Canada, Air Passenger Protection Regulations (SOR/2019-150, s. 19(1)):
-- for a delay in arrival of "3 hours or more, but less than 6 hours",
-- "6 hours or more, but less than 9 hours" and "9 hours or more", a large
-- carrier pays CAD 400, 700 and 1,000; a small carrier 125, 250 and 500.
-- One rule: the carrier's size looks up its band table.
CREATE TABLE flights (id int, carrier_size text, scheduled timestamptz, arrived timestamptz);
INSERT INTO flights VALUES
	(1, 'large', '2025-03-01 10:00-05', '2025-03-01 12:59-05'),	-- 2 h 59: nothing
	(2, 'large', '2025-03-01 10:00-05', '2025-03-01 13:00-05'),	-- 3 h: 400
	(3, 'large', '2025-03-01 10:00-05', '2025-03-01 15:59-05'),	-- 5 h 59: 400
	(4, 'large', '2025-03-01 10:00-05', '2025-03-01 16:00-05'),	-- 6 h: 700
	(5, 'large', '2025-03-01 10:00-05', '2025-03-01 18:59-05'),	-- 8 h 59: 700
	(6, 'large', '2025-03-01 10:00-05', '2025-03-01 19:00-05'),	-- 9 h: 1,000
	(7, 'small', '2025-03-01 10:00-05', '2025-03-01 13:00-05'),	-- 3 h: 125
	(8, 'small', '2025-03-01 10:00-05', '2025-03-01 16:00-05'),	-- 6 h: 250
	(9, 'small', '2025-03-01 10:00-05', '2025-03-02 10:00-05'),	-- 24 h: 500
	(10, 'charter', '2025-03-01 10:00-05', '2025-03-01 20:00-05'),	-- no such size: no line
	(11, null, '2025-03-01 10:00-05', '2025-03-01 20:00-05');	-- null size: no line
CREATE TABLE p_appr AS SELECT $$policy "lang_tables/appr-delay" currency CAD
timezone "America/Toronto"
rule "delay"
  let delay = hours(scheduled, arrived)
  when delay >= 3
  credit cash case carrier_size
    when 'large' then tier delay below 6 => 400 below 9 => 700 else 1000 end
    when 'small' then tier delay below 6 => 125 below 9 => 250 else 500 end
  end
end$$::compensation.ruleset AS r;
SELECT r FROM p_appr;
SELECT f.id, f.carrier_size, compensation.evaluate(p.r, f) FROM flights f, p_appr p ORDER BY f.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_appr;

-- Regulation (EC) No 261/2004, Art. 7(1): EUR 250 for flights of 1500 km
-- or less; EUR 400 for intra-Community flights of more than 1500 km and for
-- all other flights between 1500 and 3500 km; EUR 600 for all other flights.
CREATE TABLE legs (id int, distance_km int, intra_eu boolean);
INSERT INTO legs VALUES
	(1, 1500, false),	-- 250
	(2, 1501, true),	-- 400
	(3, 3500, false),	-- 400
	(4, 3501, true),	-- 400 (intra-Community)
	(5, 3501, false),	-- 600
	(6, null, true);	-- unknown distance: the first arm is unknown, the second true: 400
CREATE TABLE p_eu261 AS SELECT $$policy "lang_tables/eu261-art7" currency EUR
rule "compensation"
  credit cash case
    when distance_km <= 1500 then 250
    when intra_eu or distance_km <= 3500 then 400
    else 600
  end
end$$::compensation.ruleset AS r;
SELECT r FROM p_eu261;
SELECT l.id, compensation.amount(compensation.evaluate(p.r, l), 'cash') / 100 AS eur
FROM legs l, p_eu261 p ORDER BY l.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_eu261;

-- between -----------------------------------------------------------------
-- Regulation (EU) 2021/782 (rail passengers' rights), Art. 19(1): 25% of
-- the ticket price for a delay of 60 to 119 minutes, 50% for 120 minutes
-- or more.  "x between lo and hi" is "x in lo .. hi" (both ends in), and
-- prints so.
CREATE TABLE trips (id int, price numeric, delay_minutes int);
INSERT INTO trips VALUES
	(1, 33.30, 59),		-- nothing
	(2, 33.30, 60),		-- 25%: 8.325 -> 8.33
	(3, 33.30, 119),	-- 25%
	(4, 33.30, 120),	-- 50%: 16.65
	(5, 33.30, null);	-- nothing
CREATE TABLE p_rail AS SELECT $$policy "lang_tables/eu-rail-art19" currency EUR
rule "delay"
  when delay_minutes not between 0 and 59
  credit cash price * case when delay_minutes between 60 and 119 then 25% else 50% end round half_up
end$$::compensation.ruleset AS r;
SELECT r FROM p_rail;
SELECT t.id, t.delay_minutes, compensation.evaluate(p.r, t) FROM trips t, p_rail p ORDER BY t.id;
SELECT r::text::compensation.ruleset OPERATOR(compensation.=) r AS round_trip FROM p_rail;

-- explain shows the condition that failed, a case or between in it with its values
SELECT t.id, e.rule, e.matched, e.failed_condition, e.detail
FROM trips t, p_rail p, compensation.explain(p.r, t) e ORDER BY t.id;
SELECT f.id, e.rule, e.matched, e.failed_condition, e.detail
FROM flights f, p_appr p, compensation.explain(p.r, f) e WHERE f.id IN (1, 2) ORDER BY f.id;

-- case with no else gives null (no line), a case as a condition, a simple
-- case over a char(n) column (its values lose their trailing blanks as the
-- column does), and case in a grant amount
CREATE TABLE seats (id int, class char(8), fare numeric);
INSERT INTO seats VALUES (1, 'first', 100), (2, 'second', 100), (3, 'sleeper', 100);
SELECT s.id, compensation.evaluate($$policy "lang_tables/case-misc" currency EUR
rule "r"
  when case class when 'sleeper' then false else true end
  credit cash case class when 'first  ' then fare * 20% when 'second' then fare * 10% end
  grant voucher case when fare > 50 then 5 end valid 2025-01-01 .. 2025-12-31
end$$, s) FROM seats s ORDER BY s.id;

-- errors --------------------------------------------------------------------
SELECT $$policy "p" currency EUR
rule "r"
  credit cash case when a then 1
end$$::compensation.ruleset;
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash case end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash case when a 1 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash case when a then 1 end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash case when 5 then 1 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" credit cash case x when 1 then 1 when then 2 end end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" when x between 1 credit cash 1 end'::compensation.ruleset$$);
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" when x not 5 credit cash 1 end'::compensation.ruleset$$);
-- a column named case is written in double quotes
SELECT pg_temp.err($$SELECT 'policy "p" currency EUR rule "r" when case = 1 end'::compensation.ruleset$$);
SELECT $$policy "lang_tables/quoted-case" currency EUR rule "r" when "case" = 1 end$$::compensation.ruleset;
-- evaluation errors name the rule: a case arm compared with a value of another kind
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "p" currency EUR rule "r" credit cash case id when ''a'' then 1 end end', s) FROM seats s$$);
