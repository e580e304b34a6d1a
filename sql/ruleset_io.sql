-- compensation.ruleset input and output: the canonical form of every
-- construct, minimal parentheses, round trips, '=' and '<>', hashing,
-- binary send/recv, currencies, policy_name and rule_count.
\set test ruleset_io
\i test/regress_preamble.sql
\set VERBOSITY default
SET search_path = test_ruleset_io, compensation;

--
-- Canonical form: headers in a fixed order, one construct per line,
-- keywords in lower case, comments dropped, single spaces.
--
\pset format unaligned
SELECT $$
-- every header, out of order and in mixed case
Rounding HALF_EVEN To 5
timezone "America/New_York"
OUTAGE 2025-06-09 04:00 ..< 2025-06-14   -- exclusive end
outage 2025-07-01 .. 2025-07-02 12:30:15
instrument miles count instrument credit_note money
LET base = price - refunded
let half = base / 2
HIT first
currency USD
policy "every ""header"""
$$::ruleset;

-- Every award, with rounding and windows.
SELECT $$policy "awards" currency EUR timezone "Europe/Paris"
outage 2025-03-30 01:00 .. 2025-03-30 04:00
rule "awards"
  credit deposit price * 120% round half_up claim 2025-06-17 .. 2025-06-30
  credit voucher 5 valid 2025-06-17 ..< 2025-07-01
  waive fee cancel_fee round ceiling to 50
  waive fee 1
  extend sub_end by outage
  extend sub_end by 30 day
  extend sub_end to 2025-06-20 23:59:59
  extend sub_end to outage_end + 1 days
  grant crema_pass for 30 days
  grant voucher 5_000 valid 2025-06-19 .. 2025-07-06
  grant coupon 1 for 7 days round floor to 2 claim 2025-06-19 .. 2025-07-06
  grant pass
  grant pass valid outage_start .. outage_end
  grant pass (review 'an amount that is a review keeps its parentheses')
  grant pass (round(price, floor))
  flag free_return claim 2025-06-17 .. 2025-06-30
  flag free_return valid 2025-06-17 ..< 2025-06-30 + 1 days
  flag restored
  review 'it''s big'
  credit points outage_days + outage_hours
end
rule "no condition, no award" end
$$::ruleset;

-- Every condition and expression; rule lets come after "when".
SELECT $$policy "exprs" currency KWD timezone "Asia/Seoul" hit unique rounding floor
outage 2025-06-09 .. 2025-06-13
let cap = 5000
rule "conditions"
  when x in ('a', 'b''c', '') and y not in (1, 2 + 3) and z in 1 .. 10
    and w not in 2025-06-01 ..< 2025-06-10 00:00 and v is null and u is not null
    and t during outage and s not during outage and a != b and a <> b
    and a < b and a <= b and a > b and a >= b and not attended and true and not false
    and n is null or null is null
  let loss = coalesce(price, 0) - abs(refund)
  let bonus = tier loss upto 10_000 => 1000 upto 100_000 => 5000 else review 'large loss' end
  let none_above = tier loss upto 1 => 2 end
  credit deposit min(bonus, cap, max(loss * 10%, 1)) round half_up to 10
  credit deposit round(loss * 1.5, half_even) + round(loss, floor, 5) + round(loss, ceiling) + round(loss, half_up)
  credit deposit hours(s, e) + days(s, e) + days_in_month(s)
  credit deposit 0.05 + 0.500 + 100.10 + 99_000 + 0 + 5%
  extend e by 2.50 hours + 30 minute + 1 day + (n + 1) days
  credit deposit none
  credit deposit review 'no amount'
end
$$::ruleset;

-- Literals: dates, times (seconds only when not zero), the largest numbers.
SELECT $$policy "literals" currency KRW
rule "r"
  when t = 2025-06-09 and u = 0001-01-01 and v = 9999-12-31 23:59:59
    and w = 2024-02-29 00:00:00 and x = 2024-02-29 07:05
    and a = 9223372036854775807 and b = 9.223372036854775807 and c = 0.000000000000000001
    and s = 'ünï ''cödé''' and s <> '--not a comment'
end
rule "€ ""quoted"" rule" end
$$::ruleset;
\pset format aligned

--
-- Parentheses: only where the grammar needs them.  Loosest first: or, and,
-- not, comparisons (in, is, during), + -, * /, unary -, postfix % and units.
-- Each is printed as a let's value: as a rule's condition, the durations
-- below would be type errors, which the parser reports (bad_input_compile).
--
CREATE FUNCTION pg_temp.canonical(cond text) RETURNS text
LANGUAGE sql AS $$
	SELECT substring(('policy "p" currency KRW outage 2025-06-09 .. 2025-06-10 rule "r" let v = '
					  || cond || ' end')::compensation.ruleset::text
					 FROM E'\n  let v = ([^\n]*)')
$$;
SELECT cond AS written, pg_temp.canonical(cond) AS canonical
FROM (VALUES
	('((a))'),
	('(a + b) + c'),
	('a + (b + c)'),
	('a - (b - c)'),
	('(a - b) - c'),
	('a - (b + c)'),
	('(a * b) + c'),
	('a * (b + c)'),
	('(a + b) * c'),
	('a / (b * c)'),
	('(a / b) * c'),
	('a * (b / c)'),
	('-(a + b)'),
	('(-a) * (-b)'),
	('a - (-b)'),
	('-(-a)'),
	('- -a'),
	('-(-(-a))'),
	('-(a%)'),
	('(-a)%'),
	('(a + b)%'),
	('a%%'),
	('(-5) days'),
	('-5 days'),
	('(n + 1) days'),
	('n days days'),
	('50% days'),
	('min(a, b) days'),
	('(tier a upto 1 => 2 end) days'),
	('(a or b) and c'),
	('a or (b and c)'),
	('(a or b) or c'),
	('a or (b or c)'),
	('(a and b) and c'),
	('a and (b and c)'),
	('not (a and b)'),
	('not (a or b)'),
	('(not a) and b'),
	('not (not a)'),
	('not (a = b)'),
	('(not a) = b'),
	('(a = b) = c'),
	('a = (b = c)'),
	('(a = b) <> (c < d)'),
	('(a + b) = (c * d)'),
	('(a is null) is not null'),
	('(a = b) is null'),
	('(a or b) in (c or d, (e))'),
	('(a and b) in 1 .. 2'),
	('a in 0 + (b or c) .. (d = e)'),
	('(a < b) not during outage'),
	('min((a or b), (not c))'),
	('tier (a or b) upto (c = d) => (e and f) else (not g) end'),
	('(a in (1)) = (b during outage)')
) AS v(cond);

-- explain shows the condition that failed with the same printer.
CREATE TEMP TABLE row_x (a int, b bool, c bool);
INSERT INTO row_x VALUES (5, false, NULL);
SELECT rule, failed_condition
FROM explain($$policy "p" currency KRW
rule "x" when a - (1 - a) > 1 and (b or c) credit cash 1 end
rule "y" when not (a > 1) end$$, (SELECT r FROM row_x r))
ORDER BY rule_no;

--
-- Round trips: parse(print(x)) = x, and printing is stable.
--
CREATE TEMP TABLE policies (id int, src text);
INSERT INTO policies VALUES
(1, 'policy "empty" currency KRW'),
(2, $$policy "yes24-round1"
currency KRW
timezone "Asia/Seoul"
hit collect
-- The compensation plan treats 6/9-6/13 (KST, inclusive) as the outage.
outage 2025-06-09 .. 2025-06-13
rule "R1-voucher"
  when service = 'voucher' and expires_at during outage
  extend expires_at to 2025-06-20 23:59:59
end
rule "R1-attend"
  when service = 'attend'
  credit points outage_days
end
rule "R1-return-direct"
  when service = 'book' and delivery = 'direct' and shipped_at in 2025-05-26 .. 2025-06-15
  flag free_return claim 2025-06-17 .. 2025-06-30
end
rule "R1-ticket"
  when service = 'ticket' and show_at in 2025-06-09 .. 2025-06-11
    and cancelled_at is null and not attended
  credit deposit price * 120% round half_up
end
rule "R1-crema"
  when service = 'crema' and sub_end >= 2025-06-08
  extend sub_end by 30 days
end$$),
(3, $$policy "yes24-round2" currency KRW timezone "Asia/Seoul"
instrument ebook_voucher money
instrument free_shipping_coupon count
rule "R2-voucher" grant voucher 5000 valid 2025-06-19 .. 2025-07-06 end
rule "R2-crema-pass" grant crema_pass for 30 days end
rule "R2-free-ship"
  when last_purchase_at in 2024-06-09 .. 2025-06-08
  grant free_shipping_coupon 1 valid 2025-06-19 .. 2025-07-06
end$$),
(4, $$policy "lets" currency JPY
let a = 1
let b = a + x
rule "r" when b > 0 let c = a + b + d let d = c credit cash d end
rule "s" when c > 0 credit cash c end$$),
(5, $$policy "p" currency KRW rule "r"
  credit cash ((a - (b - c)) * -(-d) / (e % + 5 days)) round half_up to 1
  grant pass (not a) grant pass (days(a, b)) grant pass (hours(a, b) * 2) grant pass -a
end$$),
(6, $$policy "dst" currency USD timezone "America/New_York"
outage 2025-03-09 02:30 .. 2025-11-02 01:30
rule "r" when t in 2025-03-09 .. 2025-03-09 03:00 extend t by 1 hour end$$),
(7, $$policy "p" currency KRW rounding half_up to 1 hit collect$$),
(8, $$policy "p" currency CLF rounding ceiling to 100 rule "r" credit cash 1.2345 end$$);

SELECT id,
	   src::ruleset::text::ruleset = src::ruleset AS reparsed_equal,
	   src::ruleset::text::ruleset::text = src::ruleset::text AS prints_the_same,
	   ruleset_hash(src::ruleset::text::ruleset) = ruleset_hash(src::ruleset) AS same_hash
FROM policies ORDER BY id;

-- Their canonical text.
\pset format unaligned
SELECT id, src::ruleset AS canonical FROM policies ORDER BY id;
\pset format aligned

--
-- '=' and '<>': the same policy however it is written; any difference counts.
--
SELECT a::ruleset = b::ruleset AS eq, a::ruleset <> b::ruleset AS ne
FROM (VALUES
	('policy "p" currency KRW rule "r" when a>1 credit cash a*2 end',
	 $$currency KRW -- comments and header order do not matter
policy "p"
hit collect
rule "r"
  when (a > 1)
  credit cash (a) * 2
end$$),
	('policy "p" currency KRW rule "r" when a != 1 extend d by 1 day end',
	 'policy "p" currency KRW rule "r" when a <> 1 extend d by 1 days end'),
	('policy "p" currency KRW rule "r" credit cash 1 round half_up to 1 end',
	 'policy "p" currency KRW rule "r" credit cash 1 round half_up end'),
	('policy "p" currency KRW rounding floor to 1',
	 'policy "p" currency KRW rounding floor'),
	('policy "p" currency KRW', 'policy "q" currency KRW'),
	('policy "p" currency KRW', 'policy "p" currency USD'),
	('policy "p" currency KRW', 'policy "p" currency KRW hit first'),
	('policy "p" currency KRW rule "r" credit cash 1.0 end',
	 'policy "p" currency KRW rule "r" credit cash 1 end'),
	('policy "p" currency KRW rule "r" when a - b - c end',
	 'policy "p" currency KRW rule "r" when a - (b - c) end'),
	('policy "p" currency KRW timezone "Asia/Seoul" rule "r" when t = 2025-06-09 end',
	 'policy "p" currency KRW timezone "Asia/Tokyo" rule "r" when t = 2025-06-09 end')
) AS v(a, b);

--
-- Hashing: DISTINCT, GROUP BY and a hash join, with sorting out of the way.
--
CREATE TEMP TABLE rs (id int, r ruleset);
INSERT INTO rs VALUES
	(1, 'policy "p" currency KRW rule "r" when a > 1 credit cash a * 2 end'),
	(2, 'policy "p" currency KRW rule "r" when (a>1) credit cash (a)*2 end -- same'),
	(3, 'policy "p" currency KRW rule "r" when a > 1 credit cash a * 3 end'),
	(4, 'policy "q" currency KRW'),
	(5, $$policy "q"
currency KRW
timezone "UTC"$$),
	(6, 'policy "q" currency USD');
SET enable_sort = off;
SELECT count(*) AS distinct_policies FROM (SELECT DISTINCT r FROM rs) d;
SELECT policy_name(r) AS policy, rule_count(r) AS rules, count(*), min(id), max(id)
FROM rs GROUP BY r ORDER BY 4;
SET enable_nestloop = off;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM rs a JOIN rs b ON a.r = b.r;
SELECT a.id, b.id FROM rs a JOIN rs b ON a.r = b.r AND a.id < b.id ORDER BY 1, 2;
RESET enable_sort;
RESET enable_nestloop;
RESET enable_mergejoin;

--
-- Binary form: a version byte (1), then the canonical text.
--
SELECT ruleset_send('policy "p" currency KRW');
SELECT convert_from(substr(ruleset_send(r), 2), 'UTF8') = r::text AS text_follows,
	   get_byte(ruleset_send(r), 0) AS version
FROM rs ORDER BY id;

-- COPY BINARY out and back in: receive re-parses, so values come back equal.
SELECT '/tmp/compensation_ruleset_io_' || pg_backend_pid() || '.bin' AS binfile \gset
COPY rs TO :'binfile' WITH (FORMAT binary);
CREATE TEMP TABLE rs_back (LIKE rs);
COPY rs_back FROM :'binfile' WITH (FORMAT binary);
SELECT id, b.r = a.r AS equal FROM rs a JOIN rs_back b USING (id) ORDER BY id;

-- A binary value from outside is checked like text: a bytea written out as
-- the field is read back in as a ruleset.
CREATE TEMP TABLE raw (b bytea);
INSERT INTO raw VALUES ('\x01'::bytea || convert_to('policy "from outside" currency KRW rule "r" credit cash 1 end', 'UTF8'));
COPY raw TO :'binfile' WITH (FORMAT binary);
CREATE TEMP TABLE one (r ruleset);
COPY one FROM :'binfile' WITH (FORMAT binary);
SELECT r FROM one;
-- an unknown version
TRUNCATE raw;
INSERT INTO raw VALUES ('\x02'::bytea || convert_to('policy "p" currency KRW', 'UTF8'));
COPY raw TO :'binfile' WITH (FORMAT binary);
COPY one FROM :'binfile' WITH (FORMAT binary);
-- a policy the parser refuses
TRUNCATE raw;
INSERT INTO raw VALUES ('\x01'::bytea || convert_to('policy "p" currency XYZ', 'UTF8'));
COPY raw TO :'binfile' WITH (FORMAT binary);
COPY one FROM :'binfile' WITH (FORMAT binary);
-- an empty value: not even a version
TRUNCATE raw;
INSERT INTO raw VALUES (''::bytea);
COPY raw TO :'binfile' WITH (FORMAT binary);
COPY one FROM :'binfile' WITH (FORMAT binary);
SELECT count(*) FROM one;

--
-- Currencies: ISO 4217 codes in capitals.
--
-- Known codes, with their minor units: one major unit credited is 10^exponent.
CREATE TEMP TABLE one_row (x int);
INSERT INTO one_row VALUES (1);
SELECT code, (lines(evaluate(('policy "p" currency ' || code
							  || ' rule "r" credit cash 1 end')::ruleset, o))).amount AS minor_units
FROM one_row o,
	 unnest(ARRAY['KRW', 'JPY', 'USD', 'EUR', 'GBP', 'KWD', 'BHD', 'JOD', 'OMR',
				  'TND', 'CNY', 'CHF', 'CAD', 'AUD', 'HKD', 'SGD', 'TWD', 'VND',
				  'CLP', 'ISK', 'INR', 'IDR', 'THB', 'SEK', 'NOK', 'DKK', 'PLN',
				  'CZK', 'HUF', 'BRL', 'MXN', 'ZAR', 'NZD', 'PHP', 'MYR', 'TRY',
				  'ILS', 'AED', 'SAR', 'UGX', 'XAF', 'XOF', 'PYG', 'RWF', 'KMF',
				  'GNF', 'DJF', 'VUV', 'XPF', 'LYD', 'IQD', 'CLF', 'AFN', 'ZWG']) AS code
ORDER BY code;
SELECT 'policy "p" currency XYZ'::ruleset;
SELECT 'policy "p" currency usd'::ruleset;
SELECT 'policy "p" currency AAA'::ruleset;
SELECT 'policy "p" currency ZZZ'::ruleset;
SELECT 'policy "p" currency XAU'::ruleset;

--
-- policy_name and rule_count
--
SELECT policy_name(src::ruleset), rule_count(src::ruleset) FROM policies ORDER BY id;
SELECT policy_name($$policy "a ""quoted"" name" currency KRW$$);
