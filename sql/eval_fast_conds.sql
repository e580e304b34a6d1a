\set test eval_fast_conds
\i test/regress_preamble.sql
--
-- Condition leaves tested from the column's datum (src/eval_fast.c): a time,
-- integer, text or boolean column against constants of its kind answers as
-- the general path does, NULLs (unknown), bounds, infinities, dates far from
-- the present era and the smallest bigint included.  Two references:
--   * the same policy with every column read through a let, which the
--     leaves do not see through (the general path for every leaf);
--   * explain(), which tests every leaf the general way.
-- Each leaf has a rule for "true" and one for "not (...)", so false and
-- unknown are told apart (unknown matches neither).
--
SET TimeZone = 'UTC';
CREATE TABLE fc (id int, ts timestamptz, d date, i2 int2, i4 int4, i8 int8,
  s text, b boolean);
INSERT INTO fc VALUES
  (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (2, '2025-06-08 14:59:59.999999+00', '2025-06-08', -32768, -2147483648, -9223372036854775807, '', true),
  (3, '2025-06-08 15:00:00+00', '2025-06-09', 0, 0, 0, 'abc', false),
  (4, '2025-06-09 12:00:00+09', '2025-06-10', 5, 5, 5, 'abd', true),
  (5, '2025-06-11 14:59:59.999999+00', '2025-06-11', 7, 7, 7, 'ab', false),
  (6, '2025-06-11 15:00:00+00', '2025-06-12', 32767, 2147483647, 9223372036854775807, 'abc ', true),
  (7, '-infinity', '-infinity', 3, 3, 3, repeat('abc', 4000), NULL),
  (8, 'infinity', 'infinity', -3, -3, -3, 'ABC', false),
  (9, '4713-01-01 00:00:00+00 BC', '4713-01-01 BC', 2, 2, 2, 'a', true),
  (10, '294276-12-31 23:59:59+00', '100000-01-01', 1, 1, 1, 'abc', true);
-- a long value stored compressed, and one stored out of line
ALTER TABLE fc ALTER COLUMN s SET STORAGE external;
INSERT INTO fc VALUES (11, '2025-06-10', '2025-06-10', 1, 1, 1, repeat('x', 5000), true);
SELECT id, pg_column_size(s) < length(s) AS compressed FROM fc WHERE length(s) > 1000 ORDER BY id;

-- the leaves, written on the columns, or on lets of them
CREATE FUNCTION leaves_policy(through_lets boolean) RETURNS compensation.ruleset
LANGUAGE sql AS $f$
SELECT format($p$policy "fc" currency USD timezone "Asia/Seoul" hit collect
outage 2025-06-09 .. 2025-06-11
%s
%s$p$,
  CASE WHEN through_lets THEN 'let ts_ = ts let d_ = d let i2_ = i2 let i4_ = i4 let i8_ = i8 let s_ = s let b_ = b' ELSE '' END,
  (SELECT string_agg(format('rule "yes: %1$s" when %2$s flag yes end rule "no: %1$s" when not (%2$s) flag no end',
                            leaf, CASE WHEN through_lets THEN regexp_replace(leaf, '^(ts|d|i2|i4|i8|s|b)\M', '\1_') ELSE leaf END),
                     E'\n' ORDER BY k)
   FROM unnest(ARRAY[
     'ts < 2025-06-09', 'ts <= 2025-06-09', 'ts > 2025-06-09 12:00', 'ts >= 2025-06-11',
     'ts = 2025-06-09', 'ts <> 2025-06-09', 'ts in 2025-06-09 .. 2025-06-11',
     'ts in 2025-06-09 ..< 2025-06-11', 'ts not in 2025-06-09 .. 2025-06-10',
     'ts during outage', 'ts is null', 'ts is not null',
     'd < 2025-06-09', 'd <= 2025-06-09', 'd > 2025-06-09 12:00', 'd >= 2025-06-11',
     'd = 2025-06-10 23:00', 'd <> 2025-06-10', 'd in 2025-06-09 .. 2025-06-11',
     'd in 2025-06-09 ..< 2025-06-11', 'd not in 2025-06-10 .. 2025-06-10', 'd during outage',
     'i2 < 0', 'i2 <= 5', 'i2 > 2.5', 'i2 >= -3', 'i2 = 7', 'i2 <> 7', 'i2 is null',
     'i4 < 0', 'i4 <= 5', 'i4 > 2.5', 'i4 >= -3', 'i4 = 7', 'i4 <> 7', 'i4 is not null',
     'i8 < 0', 'i8 <= 5', 'i8 > 922337203685477580.5', 'i8 >= -3', 'i8 = 7', 'i8 <> 7',
     's = ''abc''', 's <> ''abc''', 's = ''''', 's is null',
     'b', 'not b', 'b is null', 'b is not null']) WITH ORDINALITY AS l(leaf, k)))::compensation.ruleset
$f$;

-- the answers, leaf by leaf: the rows where it is true (yes) and false
-- (no); unknown on the rows in neither
SELECT r.rule, string_agg(f.id::text, ',' ORDER BY f.id) AS rows_matched
FROM fc f,
     LATERAL compensation.lines(compensation.evaluate(leaves_policy(false), f)) r
GROUP BY r.rule ORDER BY substr(r.rule, strpos(r.rule, ':')), r.rule DESC;

-- the same awards as the general path, through lets and in explain
SELECT f.id,
  compensation.evaluate(leaves_policy(false), f) OPERATOR(compensation.=)
    compensation.evaluate(leaves_policy(true), f) AS same_as_lets,
  ARRAY(SELECT l.rule FROM compensation.lines(compensation.evaluate(leaves_policy(false), f)) l)
  = ARRAY(SELECT l.rule FROM compensation.explain(leaves_policy(false), f) e,
               LATERAL compensation.lines(e.award) WITH ORDINALITY l
          ORDER BY e.rule_no, l.ordinality) AS same_as_explain
FROM fc f ORDER BY f.id;

-- the smallest bigint is read the general way, which refuses it (22003)
INSERT INTO fc (id, i8) VALUES (12, -9223372036854775808);
SELECT pg_temp.err($q$SELECT compensation.evaluate('policy "m" currency USD rule "r" when i8 < 0 flag x end'::compensation.ruleset, f) FROM fc f WHERE id = 12$q$) AS smallest_bigint;
SELECT pg_temp.err($q$SELECT compensation.evaluate('policy "m" currency USD rule "r" when i8 is null flag x end'::compensation.ruleset, f) FROM fc f WHERE id = 12$q$) AS smallest_bigint_is_null;
-- a date no instant can stand for is refused by the general path (22008),
-- as before
INSERT INTO fc (id, d) VALUES (13, '5874897-12-31');
SELECT pg_temp.err($q$SELECT compensation.evaluate('policy "m" currency USD rule "r" when d < 2025-06-09 flag x end'::compensation.ruleset, f) FROM fc f WHERE id = 13$q$) AS last_date;
-- a type error is still the general path's (a text column is not a time)
SELECT pg_temp.err($q$SELECT compensation.evaluate('policy "m" currency USD rule "r" when s < 2025-06-09 flag x end'::compensation.ruleset, f) FROM fc f WHERE id = 3$q$) AS text_vs_time;
SELECT pg_temp.err($q$SELECT compensation.evaluate('policy "m" currency USD outage 2025-06-09 .. 2025-06-11 rule "r" when s during outage flag x end'::compensation.ruleset, f) FROM fc f WHERE id = 3$q$) AS text_during_outage;
