\set test award
\i test/regress_preamble.sql
SET TimeZone = 'UTC';

--
-- Text round trip: award_in(award_out(x)) is x, byte for byte
--
CREATE TABLE award_texts (id int, t text);
INSERT INTO award_texts VALUES
 (1, 'KRW {}'),
 (2, '{}'),
 (3, 'KRW {"R1-ticket": credit deposit 118800; "R1-fee": waive fee 15400; "R1-ebook": extend rental_end +5 days -> 2025-06-25 00:00:00+09; "R1-return": flag free_return claim 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09; "R2-voucher": grant voucher 5000 valid 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09; "R9": review ''case review''}'),
 (4, 'USD {"a": credit deposit 123.45; "b": credit points 500 units; "c": waive fee -0.05 x3; "d": extend due to 2025-01-01 12:30:00.5+05:30; "e": extend due by outage +1 day -> 2025-01-02 00:00:00-03:30; "f": extend due to; "g": grant coupon 1 unit +30 days}'),
 (5, '{"we""ird": flag "sp ace"; "r": review; "k": flag "claim"; "z": grant "x12" -3 days; "q": review ''it''''s odd''}'),
 (6, 'BHD {"max": credit deposit 9223372036854775.807; "min": credit deposit -9223372036854775.808; "small": credit deposit 0.001}'),
 (7, 'JPY {"t": extend d -> infinity claim -infinity ..< 0044-03-15 12:00:00+00:19:32 BC}'),
 (8, 'EUR {"ü-rule": credit "dépôt" 0.10 x9223372036854775807}');

SELECT id, t::compensation.award AS award FROM award_texts ORDER BY id;

-- text and binary images are identical after a round trip
SELECT id,
       compensation.award_in(compensation.award_out(t::compensation.award))::text = t AS text_same,
       compensation.award_send(compensation.award_in(compensation.award_out(t::compensation.award)))
         = compensation.award_send(t::compensation.award) AS bytes_same
FROM award_texts ORDER BY id;

-- the stored bytes themselves (a varlena viewed as bytea, superuser only)
CREATE FUNCTION pg_temp.award_bytes(compensation.award, int = -1, bool = false) RETURNS bytea
LANGUAGE internal IMMUTABLE STRICT AS 'varchar';
SELECT id,
       pg_temp.award_bytes(compensation.award_in(compensation.award_out(t::compensation.award)))
         = pg_temp.award_bytes(t::compensation.award) AS image_same,
       length(pg_temp.award_bytes(t::compensation.award)) AS payload_bytes
FROM award_texts ORDER BY id;

-- input is lenient about spacing and digits; output is canonical
SELECT '  USD{ "a" :credit   deposit 1.5 ;"b":extend   x +2 days->2025-01-01 00:00:00+00 }  '::compensation.award;
SELECT 'KRW {"a": credit deposit 100 x1; "b": grant pass 1 units; "c": extend d +1 days; "d": extend d 2 days}'::compensation.award;

-- binary round trip through COPY
CREATE TABLE award_bin (id int, a compensation.award);
INSERT INTO award_bin SELECT id, t::compensation.award FROM award_texts;
-- The file is named by the backend's pid: several test runs (clusters) on
-- one machine share /tmp, and a fixed name let one run read another's file.
SELECT '/tmp/compensation_award_regress_' || pg_backend_pid() || '.bin' AS binfile \gset
COPY award_bin TO :'binfile' WITH (FORMAT binary);
CREATE TABLE award_bin2 (LIKE award_bin);
COPY award_bin2 FROM :'binfile' WITH (FORMAT binary);
SELECT b.id, compensation.award_send(b.a) = compensation.award_send(c.a) AS same
FROM award_bin b JOIN award_bin2 c USING (id) ORDER BY id;

--
-- Binary input checks everything: payloads written as COPY BINARY files
--
CREATE FUNCTION pg_temp.str(s text) RETURNS bytea LANGUAGE sql
AS $$ SELECT int4send(octet_length(convert_to(s, 'UTF8'))) || convert_to(s, 'UTF8') $$;
CREATE FUNCTION pg_temp.b(v int) RETURNS bytea LANGUAGE sql
AS $$ SELECT set_byte('\x00'::bytea, 0, v) $$;
CREATE FUNCTION pg_temp.ts(t timestamptz) RETURNS bytea LANGUAGE sql
AS $$ SELECT int8send(((extract(epoch FROM t) - 946684800) * 1000000)::int8) $$;
CREATE FUNCTION pg_temp.head(currency text, exponent int, n_lines int, version int = 1) RETURNS bytea LANGUAGE sql
AS $$ SELECT pg_temp.b(version) || pg_temp.b(octet_length(currency)) || convert_to(currency, 'UTF8')
             || int2send(exponent::int2) || int4send(n_lines) $$;
CREATE FUNCTION pg_temp.line(kind int, has int, window_kind int, unit int, utc_offset int, days int,
                             count int8, amount int8, new_date bytea, lo bytea, hi bytea,
                             rule bytea, instrument bytea, note bytea) RETURNS bytea LANGUAGE sql
AS $$ SELECT pg_temp.b(kind) || pg_temp.b(has) || pg_temp.b(window_kind) || pg_temp.b(unit)
             || int4send(utc_offset) || int4send(days) || int8send(count) || int8send(amount)
             || new_date || lo || hi || rule || instrument
             || CASE WHEN note IS NULL THEN pg_temp.b(0) ELSE pg_temp.b(1) || note END $$;
CREATE TEMP TABLE recv_t (a compensation.award);
CREATE FUNCTION pg_temp.recv(payload bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	lo oid;
	path text;
	result text;
BEGIN
	lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || int4send(0) || int4send(0)
						   || int2send(1::int2) || int4send(octet_length(payload)) || payload
						   || int2send(-1::int2));
	-- one file a backend (pid): a fixed name is shared by every test run on
	-- the machine, and a concurrent run's file was read in its place
	path := format('/tmp/compensation_award_recv_%s.bin', pg_backend_pid());
	PERFORM lo_export(lo, path);
	PERFORM lo_unlink(lo);
	TRUNCATE recv_t;
	EXECUTE format('COPY recv_t FROM %L WITH (FORMAT binary)', path);
	SELECT a::text INTO result FROM recv_t;
	RETURN result;
END
$$;
\set SHOW_CONTEXT never
-- good ones; fields the has bits do not cover are cleared
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 0));
SELECT pg_temp.recv(pg_temp.head('', 0, 0));
SELECT pg_temp.recv(pg_temp.head('USD', 2, 2)
	|| pg_temp.line(1, 1, 0, 1, 0, 0, 1, 12345, int8send(9223372036854775807), int8send(-1), int8send(-1), pg_temp.str('R1'), pg_temp.str('deposit'), NULL)
	|| pg_temp.line(3, 2 | 4 | 8, 1, 2, 32400, 5, 2, 99, pg_temp.ts('2025-06-25 00:00+09'), pg_temp.ts('2025-06-17 00:00+09'), pg_temp.ts('2025-07-01 00:00+09'), pg_temp.str('R2'), pg_temp.str('rental_end'), pg_temp.str('a note')));
SELECT a, pg_temp.award_bytes(a) = pg_temp.award_bytes(a::text::compensation.award) AS canonical FROM recv_t;
-- bad ones
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 0, 2));
SELECT pg_temp.recv(pg_temp.b(1) || pg_temp.b(2) || convert_to('KR', 'UTF8') || int2send(0::int2) || int4send(0));
SELECT pg_temp.recv(pg_temp.head('krw', 0, 0));
SELECT pg_temp.recv(pg_temp.head('KRW', 2, 0));
SELECT pg_temp.recv(pg_temp.head('', 2, 0));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1000000));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, -1));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(0, 0, 0, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(9, 0, 0, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(1, 32, 0, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(1, 1, 0, 3, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('', 0, 1)
	|| pg_temp.line(1, 1, 0, 1, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 8, 4, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
-- window kind 3 is "due" (a deadline): it has no start, so a start other
-- than -infinity is refused, and a line without one reads back as its text
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 8, 3, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 8, 3, 0, 0, 0, 1, 0, int8send(0), int8send(-9223372036854775808), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 0, 0, 0, 0, 0, 0, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(3, 4, 0, 0, 0, 0, 1, 0, int8send(9223372036854775000), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(3, 4, 0, 0, 86400, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 0, 0, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), int4send(1000), NULL));
SELECT pg_temp.recv(pg_temp.head('KRW', 0, 1)
	|| pg_temp.line(7, 0, 0, 0, 0, 0, 1, 0, int8send(0), int8send(0), int8send(0), pg_temp.str('R'), pg_temp.str('i'), NULL) || pg_temp.b(0));
\set SHOW_CONTEXT errors

--
-- Input errors
--
SELECT 'KRW'::compensation.award;
SELECT 'KR {}'::compensation.award;
SELECT 'XYZ {}'::compensation.award;
SELECT 'KRW {"a": credit deposit 100'::compensation.award;
SELECT 'KRW {"a": pay deposit 100}'::compensation.award;
SELECT 'KRW {a: credit deposit 100}'::compensation.award;
SELECT 'KRW {"a: credit deposit 100}'::compensation.award;
SELECT 'KRW {"a": credit deposit 100.5}'::compensation.award;
SELECT 'USD {"a": credit deposit 1.005}'::compensation.award;
SELECT '{"a": credit deposit 100}'::compensation.award;
SELECT 'KRW {"a": credit deposit 9223372036854775808}'::compensation.award;
SELECT 'KRW {"a": credit deposit -9223372036854775808}'::compensation.award;
SELECT 'KRW {"a": extend d +2147483648 days}'::compensation.award;
SELECT 'KRW {"a": credit points 1.5 units}'::compensation.award;
SELECT 'KRW {"a": credit deposit 100 200}'::compensation.award;
SELECT 'KRW {"a": extend d +1 days 100}'::compensation.award;
SELECT 'KRW {"a": extend d -> 2025-02-29 00:00:00+09}'::compensation.award;
SELECT 'KRW {"a": extend d -> 2025-02-28 24:00:00+09}'::compensation.award;
SELECT 'KRW {"a": extend d -> 2025-02-28 00:00:00}'::compensation.award;
SELECT 'KRW {"a": extend d -> 2025-02-28 00:00:00+16}'::compensation.award;
SELECT 'KRW {"a": extend d -> 2025-02-28 00:00:00+09 claim 2025-02-28 00:00:00+08 ..< infinity}'::compensation.award;
SELECT 'KRW {"a": flag f claim 2025-02-28 00:00:00+09 2025-03-28 00:00:00+09}'::compensation.award;
SELECT 'KRW {"a": flag f x0}'::compensation.award;
SELECT 'KRW {"a": flag f} x'::compensation.award;
SELECT 'KRW {"a": flag f;}'::compensation.award;
SELECT 'KRW {"a": credit by 1}'::compensation.award;
SELECT 'KRW {"a": extend d -> 294277-01-01 00:00:00+00}'::compensation.award;

--
-- lines()
--
SELECT l.* FROM compensation.lines((SELECT t::compensation.award FROM award_texts WHERE id = 3)) l;
SELECT l.* FROM compensation.lines((SELECT t::compensation.award FROM award_texts WHERE id = 4)) l;
SELECT l.rule, l.amount, l.amount_major, l.currency
FROM award_texts, compensation.lines(t::compensation.award) l
WHERE id = 6;
SELECT count(*) FROM compensation.lines('KRW {}');

--
-- Accessors
--
CREATE TABLE acc (a compensation.award);
INSERT INTO acc VALUES ('USD {"a": credit deposit 1.50; "b": credit deposit 2.25; "c": credit points 7 units; "d": extend due +2 days -> 2025-01-03 00:00:00+09; "e": extend due to 2025-02-01 00:00:00+09; "f": extend due +3 days; "g": flag vip}');
SELECT compensation.amount(a, 'deposit') AS deposit, compensation.amount(a, 'points') AS points,
       compensation.amount(a, 'nothing') AS nothing,
       compensation.days(a, 'due') AS due_days, compensation.days(a, 'nothing') AS no_days,
       compensation.new_date(a, 'due') AS due_new_date, compensation.new_date(a, 'vip') AS vip_new_date,
       compensation.has(a, 'vip') AS has_vip, compensation.has(a, 'gold') AS has_gold,
       compensation.is_empty(a) AS empty, compensation.currency(a) AS currency
FROM acc;
SELECT compensation.is_empty('KRW {}'), compensation.currency('KRW {}'), compensation.currency('{}') IS NULL AS no_currency;
SELECT compensation.amount('KRW {"a": credit deposit 9223372036854775807; "b": credit deposit 1}', 'deposit');
SELECT compensation.days('KRW {"a": extend d +2147483647 days; "b": extend d +1 day}', 'd');

--
-- sum(award)
--
SELECT compensation.sum(a) FROM (VALUES
  ('KRW {"R1": credit deposit 100; "R2": extend d +2 days -> 2025-01-03 00:00:00+09; "R3": flag f claim 2025-01-01 00:00:00+09 ..< 2025-02-01 00:00:00+09; "R9": review ''x''}'::compensation.award),
  ('KRW {"R1": credit deposit 250; "R2": extend d +2 days -> 2025-01-03 00:00:00+09; "R3": flag f claim 2025-01-01 00:00:00+09 ..< 2025-02-01 00:00:00+09; "R9": review ''y''}'),
  (NULL),
  ('KRW {}'),
  ('KRW {"R1": credit points 3 units; "R2": extend d +1 day -> 2025-01-05 00:00:00+09; "R0": waive fee 7}')
) v(a);
-- no rows, only NULLs, only empties
SELECT compensation.sum(a) IS NULL AS is_null FROM (SELECT NULL::compensation.award WHERE false) v(a);
SELECT compensation.sum(a) IS NULL AS is_null FROM (VALUES (NULL::compensation.award)) v(a);
SELECT compensation.sum(a) FROM (VALUES ('KRW {}'::compensation.award), ('{}')) v(a);
SELECT compensation.sum(a) FROM (VALUES ('{"a": flag f}'::compensation.award), ('{"a": flag f}')) v(a);
-- an award without a currency goes with any
SELECT compensation.sum(a) FROM (VALUES ('{"a": flag f}'::compensation.award), ('USD {"b": credit deposit 1.00}')) v(a);
-- a window kept only if all agree, even if a later line agrees again
SELECT compensation.sum(a) FROM (VALUES
  ('KRW {"a": flag f claim 2025-01-01 00:00:00+09 ..< 2025-02-01 00:00:00+09}'::compensation.award),
  ('KRW {"a": flag f claim 2025-01-01 00:00:00+09 ..< 2025-03-01 00:00:00+09}'),
  ('KRW {"a": flag f claim 2025-01-01 00:00:00+09 ..< 2025-02-01 00:00:00+09}')) v(a);
-- grouped
SELECT g, compensation.sum(a) FROM (VALUES
  (1, 'KRW {"a": credit deposit 1}'::compensation.award), (2, 'USD {"a": credit deposit 0.01}'),
  (1, 'KRW {"a": credit deposit 2}'), (2, 'USD {"a": credit deposit 0.02}')) v(g, a)
GROUP BY g ORDER BY g;
-- errors
SELECT compensation.sum(a) FROM (VALUES ('KRW {}'::compensation.award), ('USD {}')) v(a);
SELECT compensation.sum(a) FROM (VALUES ('KRW {"a": credit deposit 9223372036854775807}'::compensation.award), ('KRW {"a": credit deposit 1}')) v(a);
SELECT compensation.sum(a) FROM (VALUES ('KRW {"a": extend d -2147483648 days}'::compensation.award), ('KRW {"a": extend d -1 days}')) v(a);
SELECT compensation.sum(a) FROM (VALUES ('KRW {"a": flag f x9223372036854775807}'::compensation.award), ('KRW {"a": flag f}')) v(a);

-- many keys: the hash index
SELECT compensation.is_empty(s), (SELECT count(*) FROM compensation.lines(s)) AS n_lines,
       (SELECT sum(amount) FROM compensation.lines(s)) AS total,
       (SELECT min(count) FROM compensation.lines(s)) AS min_count,
       (SELECT max(count) FROM compensation.lines(s)) AS max_count
FROM (SELECT compensation.sum(format('KRW {"R%s": credit deposit %s; "S": credit deposit 1}', i % 100, i)::compensation.award) AS s
      FROM generate_series(1, 10000) i) v;
SELECT compensation.sum(format('KRW {"R%s": credit deposit %s}', i % 20, i)::compensation.award)
FROM generate_series(1, 200) i;

-- parallel: partial sums combined across workers give the same award
CREATE TABLE award_rows (id int, a compensation.award);
INSERT INTO award_rows
SELECT i, format('KRW {"R1": credit deposit %s; "R2": extend rental_end +%s days%s; "R3": flag vip claim 2025-06-17 00:00:00+09 ..< 2025-07-01 00:00:00+09%s}',
                 i, i % 3, CASE WHEN i % 1000 = 0 THEN ' -> 2025-06-25 00:00:00+09' ELSE '' END,
                 CASE WHEN i % 7 = 0 THEN '; "R4": credit points 2 units' ELSE '' END)::compensation.award
FROM generate_series(1, 50000) i;
ANALYZE award_rows;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT compensation.sum(a) FROM award_rows;
SELECT compensation.sum(a) FROM award_rows;
CREATE TABLE par AS SELECT compensation.sum(a) AS s FROM award_rows;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT compensation.award_send(s) = (SELECT compensation.award_send(compensation.sum(a)) FROM award_rows) AS serial_equals_parallel
FROM par;
SELECT l.rule, l.kind, l.instrument, l.amount, l.days, l.new_date, l.window_kind, l.count
FROM par, compensation.lines(s) l;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- output does not depend on the session time zone
SET TimeZone = 'America/New_York';
SELECT t::compensation.award FROM award_texts WHERE id = 3;
SELECT new_date FROM compensation.lines((SELECT t::compensation.award FROM award_texts WHERE id = 3)) WHERE new_date IS NOT NULL;
RESET TimeZone;

DROP TABLE recv_t, award_texts, award_bin, award_bin2, acc, award_rows, par;
