-- A subject's identity depends on no session setting (issue 8, defect 3).
-- 0.1.0 named a subject key::text: issue_all under DateStyle ISO, then
-- SQL/DMY, then German paid one row three times.  compensation.subject_key()
-- is the canonical text, and every path issues under it.
\set test subjects
\i test/regress_preamble.sql

-- The canonical forms, under settings chosen to differ from them.
SET DateStyle = 'German, DMY';
SET TimeZone = 'America/St_Johns';
SET extra_float_digits = -3;
SELECT compensation.subject_key(42::smallint) AS int2, compensation.subject_key(42) AS int4,
	compensation.subject_key(-9000000000::bigint) AS int8;
SELECT compensation.subject_key(1.50::numeric) AS numeric_trailing_zero,
	compensation.subject_key(1.5::numeric(10,4)) AS numeric_typmod,
	compensation.subject_key(100::numeric) AS numeric_whole,
	compensation.subject_key('NaN'::numeric) AS nan;
SELECT compensation.subject_key('ab '::char(5)) AS bpchar, compensation.subject_key('ab '::varchar) AS varchar,
	compensation.subject_key('x'::name) AS name, compensation.subject_key(true) AS bool;
SELECT compensation.subject_key('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid) AS uuid;
SELECT compensation.subject_key('2025-06-10'::date) AS date,
	compensation.subject_key('infinity'::date) AS date_inf,
	compensation.subject_key('2025-06-10 19:00:00.25'::timestamp) AS ts,
	compensation.subject_key('2025-06-10 19:00:00+09'::timestamptz) AS tstz,
	compensation.subject_key('0044-03-15 BC'::date) AS bc;
CREATE DOMAIN order_no AS bigint;
CREATE TYPE status AS ENUM ('new', 'paid');
SELECT compensation.subject_key(7::order_no) AS domain, compensation.subject_key('paid'::status) AS enum;
-- Equal keys are one subject, whatever the settings; others are refused.
SELECT compensation.subject_key('2025-06-10 10:00:00+00'::timestamptz)
	= compensation.subject_key('2025-06-10 19:00:00+09'::timestamptz) AS same_instant;
\set VERBOSITY terse
SELECT compensation.subject_key(1.5::float8);
SELECT compensation.subject_key(ROW(1, 2));
SELECT compensation.subject_key('{1}'::int[]);
\set VERBOSITY default
RESET DateStyle;
RESET TimeZone;
RESET extra_float_digits;

-- issue_all of one policy over tables keyed by date, timestamptz, numeric,
-- uuid and text, run again under other DateStyles and TimeZones: the second
-- and later runs write nothing.
SELECT compensation.define_policy($p$
policy "subjects/all"
currency KRW
rule "all"
  when price > 0
  credit points price
end
$p$) IS NOT NULL AS defined;
SELECT compensation.publish('subjects/all') IS NOT NULL AS published;
CREATE TABLE by_date (k date PRIMARY KEY, price bigint);
CREATE TABLE by_tstz (k timestamptz PRIMARY KEY, price bigint);
CREATE TABLE by_numeric (k numeric PRIMARY KEY, price bigint);
CREATE TABLE by_uuid (k uuid PRIMARY KEY, price bigint);
CREATE TABLE by_text (k text PRIMARY KEY, price bigint);
INSERT INTO by_date VALUES ('2025-06-09', 1), ('2025-06-10', 2), ('2025-12-31', 3);
INSERT INTO by_tstz VALUES ('2025-06-09 23:30+09', 10), ('2025-06-10 00:30+09', 20);
INSERT INTO by_numeric VALUES (1.50, 100), (2, 200);
INSERT INTO by_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1000);
INSERT INTO by_text VALUES ('order-1', 10000);
CREATE PROCEDURE issue_every_table() LANGUAGE plpgsql AS $$
BEGIN
	CALL compensation.issue_all('subjects/all', 'test_subjects.by_date', 'k');
	CALL compensation.issue_all('subjects/all', 'test_subjects.by_tstz', 'k');
	CALL compensation.issue_all('subjects/all', 'test_subjects.by_numeric', 'k');
	CALL compensation.issue_all('subjects/all', 'test_subjects.by_uuid', 'k');
	CALL compensation.issue_all('subjects/all', 'test_subjects.by_text', 'k');
END $$;
SET client_min_messages = warning;
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
CALL issue_every_table();
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Seoul';
CALL issue_every_table();
SET DateStyle = 'German';
SET TimeZone = 'America/Los_Angeles';
CALL issue_every_table();
SET DateStyle = 'Postgres, YMD';
CALL issue_every_table();
RESET client_min_messages;
RESET DateStyle;
RESET TimeZone;
-- One line per row, under its canonical subject.
SELECT subject, sum(amount) AS paid, count(*) AS lines
FROM compensation.ledger WHERE policy = 'subjects/all'
GROUP BY subject ORDER BY subject;

-- The trigger names subjects the same way, under any settings.
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Pacific/Auckland';
SELECT compensation.define_policy(replace(compensation.rules('subjects/all')::text,
	'"subjects/all"', '"subjects/trigger"')) IS NOT NULL AS defined;
SELECT compensation.publish('subjects/trigger') IS NOT NULL AS published;
CREATE TABLE trig_tstz (k timestamptz PRIMARY KEY, price bigint);
CREATE TRIGGER pay AFTER INSERT OR UPDATE ON trig_tstz
	FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('subjects/trigger', 'k');
INSERT INTO trig_tstz VALUES ('2025-06-10 00:30+09', 5);
SET DateStyle = 'German';
SET TimeZone = 'UTC';
UPDATE trig_tstz SET price = 5;
UPDATE trig_tstz SET price = 6;
SELECT subject, amount FROM compensation.ledger
WHERE policy = 'subjects/trigger' ORDER BY id;
RESET DateStyle;
RESET TimeZone;
RESET search_path;
