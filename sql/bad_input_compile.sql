-- Bad input to the policy compiler (issue 8): what the parser must refuse,
-- each case with its SQLSTATE, and the neighbours it must still accept.
-- Defects 4 (uninterruptible, quadratic compile), 7 (a column named like a
-- built-in), 8 (checks that belong at compile time) and the compile-side
-- parts of 9 (limits, depth, time zones).
\set test bad_input_compile
\i test/regress_preamble.sql
\set SHOW_CONTEXT never

-- compile(policy): ok, or the SQLSTATE and message of the compile error
-- (pg_temp.err(sql), from the preamble, does the same for a statement).
CREATE FUNCTION pg_temp.compile(policy text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM policy::compensation.ruleset;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- roundtrip(policy): does the canonical text parse back to an equal value?
CREATE FUNCTION pg_temp.roundtrip(policy text) RETURNS boolean LANGUAGE sql AS $$
	SELECT policy::compensation.ruleset::text::compensation.ruleset
		OPERATOR(compensation.=) policy::compensation.ruleset
$$;

--
-- Defect 4: a large compile is linear and can be cancelled.  100,000 rules,
-- each naming its own column, took 19 s on 0.1.0 (a linear column lookup
-- per identifier) and ignored statement_timeout; it takes about a second
-- now, so a timeout of 100 ms cancels it (57014), every time.
--
CREATE TEMP TABLE big_columns AS
SELECT 'policy "big" currency KRW ' ||
       string_agg(format('rule "r%s" when c%s > 0 credit points 1 end', i, i), E'\n') AS t
FROM generate_series(1, 100000) i;
-- cancelled(sql): how the statement ended under the statement_timeout set,
-- and whether that was within 5 seconds (0.1.0 noticed the cancel only
-- after the whole compile, 19 s later).
CREATE FUNCTION pg_temp.cancelled(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE q;
	RETURN 'not cancelled';
EXCEPTION WHEN query_canceled THEN
	RETURN SQLSTATE || ': ' || SQLERRM ||
		CASE WHEN clock_timestamp() - t0 < interval '5 s' THEN ', within 5 s' ELSE ', too late' END;
END $$;
SET statement_timeout = '100ms';
SELECT pg_temp.cancelled('SELECT compensation.rule_count(t::compensation.ruleset) FROM big_columns');
RESET statement_timeout;
-- Without the timeout it compiles: every column distinct, in order.
CREATE TEMP TABLE big_compiled AS SELECT t::compensation.ruleset AS r FROM big_columns;
SELECT compensation.rule_count(r), substring(r::text FROM 'c99999 > 0') FROM big_compiled;

--
-- Limits (SQLSTATE 54000), each checked before the memory it bounds is used.
--
-- policy text: at most 16 MB
SELECT pg_temp.compile('policy "p" currency KRW --' || repeat('x', 16 * 1024 * 1024));
-- rules: at most 250,000
SELECT pg_temp.compile('policy "p" currency KRW ' ||
       string_agg(format('rule "r%s" end', i), ' ')) FROM generate_series(1, 250001) i;
-- award lines: at most 500,000 (the most lines one row's award can have)
SELECT pg_temp.compile('policy "p" currency KRW rule "r" ' ||
       repeat('flag f ', 500001) || 'end');
-- the compiled value: at most 128 MB (here: one list of 4,000,000 values)
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when a in (' ||
       repeat('1,', 4000000) || '1) flag f end');
-- arguments of a function: at most 100
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash min(' ||
       repeat('1, ', 100) || '1) end');

--
-- Expression depth: at most 1,000, checked at compile time.  An "or" chain
-- of 1,000 comparisons is 1,001 deep: it compiled on 0.1.0 but could never
-- be evaluated; now the compiler refuses it, at the "or" that goes too deep.
--
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when ' ||
       string_agg('a = 1', ' or ') || ' flag f end') FROM generate_series(1, 1000);
-- 1,000 deep is the limit, and what compiles can be evaluated: an "or" of
-- 1,000 boolean columns.
CREATE TABLE flags (id int, a boolean);
INSERT INTO flags VALUES (1, true), (2, false);
CREATE TABLE deep AS
SELECT ('policy "p" currency KRW rule "r" when ' ||
        string_agg('a', ' or ') || ' flag f end')::compensation.ruleset AS r
FROM generate_series(1, 1000);
SELECT f.id, compensation.evaluate(d.r, f) FROM flags f, deep d ORDER BY f.id;
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when ' ||
       string_agg('a', ' or ') || ' flag f end') FROM generate_series(1, 1001);
-- Nesting the parser sees: parentheses, not, unary minus (before the stack
-- runs out, which would be 54001).
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when ' ||
       repeat('(', 1001) || 'a' || repeat(')', 1001) || ' flag f end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when ' ||
       repeat('not ', 100000) || 'a flag f end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash ' ||
       repeat('- ', 100000) || '1 end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when ' ||
       repeat('(', 500) || 'a' || repeat(')', 500) || ' flag f end');
-- Depth through lets counts, as the evaluator counts it.
SELECT pg_temp.compile('policy "p" currency KRW let x = ' ||
       string_agg('a', ' + ') || E'\nrule "r" credit cash x + 1 end')
FROM generate_series(1, 1000);

--
-- Time zones: only IANA names (22023).  "localtime" and "posixrules" follow
-- the host's settings; POSIX TZ strings and the posix/ and right/ copies are
-- no names.
--
SELECT zone, pg_temp.compile(format('policy "p" currency KRW timezone "%s"', zone))
FROM unnest(ARRAY['localtime', 'LocalTime', 'posixrules', 'JST-9', '<+09>-9',
                  'UTC+3', 'posix/Asia/Seoul', 'right/UTC', 'Asia/Nowhere', '/etc/localtime',
                  'Asia/Seoul', 'UTC', 'utc', 'US/Pacific', 'EST5EDT', 'Etc/GMT+9', 'GMT0',
                  'America/Argentina/Buenos_Aires', 'America/Port-au-Prince']) AS zone;

--
-- Defect 7: a column named like a built-in, or like a keyword.
--
-- Double quotes name a column, always: a keyword, a built-in's name, a let's
-- name, or any text.
SELECT $$policy "q" currency KRW outage 2025-06-09 .. 2025-06-13
let x = 5
rule "r"
  when "end" > 0 and "outage_days" > 1 and "days" < "hours" and "x" = x and "order total" > 0
  let y = "y" + 1
  extend "valid" by 1 day
  credit points "outage_days" + y
end$$::compensation.ruleset;
SELECT pg_temp.roundtrip($$policy "q" currency KRW outage 2025-06-09 .. 2025-06-13
let x = 5
rule "r"
  when "end" > 0 and "outage_days" > 1 and "days" < "hours" and "x" = x and "order total" > 0
  let y = "y" + 1
  extend "valid" by 1 day
  credit points "outage_days" + y
end$$);
-- A let is visible only after it is defined: before that, a bare name is the
-- column, printed bare.
SELECT $$policy "q" currency KRW rule "r" when d > 0 let c = d let d = c credit cash d end$$::compensation.ruleset;
SELECT pg_temp.roundtrip($$policy "q" currency KRW rule "r" when d > 0 let c = d let d = c credit cash d + "d" end$$);
-- A quoted name is never empty; a bare keyword is an error (where a name
-- must follow, the hint says how to quote it).
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when "" > 0 end');
SELECT 'policy "p" currency KRW rule "r" when end > 0 end'::compensation.ruleset;
SELECT $$policy "p" currency KRW rule "r" extend days by 1 day end$$::compensation.ruleset;

-- Bare, a built-in's name is the built-in.  A row type that has a column of
-- that name is ambiguous (42702) when the policy is bound to it: on 0.1.0
-- the outage length silently replaced the column, and a tier on it paid
-- 400,000 to rows that should get nothing.
CREATE TABLE outage_orders (id int, outage_days int, outage_start date);
INSERT INTO outage_orders VALUES (1, 0, NULL), (2, 3, NULL);
CREATE TABLE p_bare AS SELECT $$policy "bare" currency KRW
outage 2025-06-09 .. 2025-06-13
rule "r" credit deposit tier outage_days upto 0 => 0 upto 3 => 100000 else 400000 end end
$$::compensation.ruleset AS r;
SELECT pg_temp.err($$SELECT compensation.evaluate(r, o) FROM outage_orders o, p_bare$$);
SELECT pg_temp.err($$SELECT * FROM compensation.explain((SELECT r FROM p_bare), (SELECT o FROM outage_orders o WHERE id = 1))$$);
-- Other built-ins too.
SELECT pg_temp.err($$SELECT compensation.evaluate('policy "s" currency KRW outage 2025-06-09 .. 2025-06-13
rule "r" when outage_start is not null flag f end'::compensation.ruleset, o) FROM outage_orders o$$);
-- Quoted, it is the column: row 1 (0 days) gets nothing, row 2 (3 days) 100,000.
SELECT o.id, compensation.evaluate($$policy "quoted" currency KRW
outage 2025-06-09 .. 2025-06-13
rule "r" credit deposit tier "outage_days" upto 0 => 0 upto 3 => 100000 else 400000 end end
$$::compensation.ruleset, o) FROM outage_orders o ORDER BY o.id;
-- A row without such a column: the built-in, as before (5 days: 400,000).
SELECT compensation.evaluate(r, f) FROM p_bare, flags f WHERE f.id = 1;

--
-- Defect 8: what can never be right is refused at compile time.
--
-- Tier bounds must ascend (22023): the first step whose bound is at least
-- the subject wins, so a later step with a bound not above an earlier one is
-- never reached.
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier loss upto 100 => 1 upto 50 => 2 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier loss upto 100 => 1 upto 100 => 2 end end');
SELECT pg_temp.compile($$policy "p" currency KRW
rule "r"
  credit cash tier loss
    upto 10 => 1
    upto cap => 2
    upto 5 => 3
  end
end$$);
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier t upto 2025-06-10 => 1 upto 2025-06-10 12:00 => 2 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier d upto 2 days => 1 upto 1 day => 2 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier loss upto -1 => 1 upto -2 => 2 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier loss upto 50% => 1 upto 0.4 => 2 end end');
-- ... and what ascends, or cannot be known, compiles.
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier loss upto -2 => 1 upto 0.5 => 2 upto 1 => 3 upto cap => 4 upto 2 => 5 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier t upto 2025-06-10 => 1 upto 2025-06-11 00:00 => 2 upto 2025-06-11 => 3 end end');
SELECT pg_temp.compile('policy "p" currency KRW rule "r" credit cash tier d upto 1 day => 1 upto 24 hours => 2 end end');

-- Type errors between constants (42804), with line and column: 0.1.0
-- reported them only when a row reached them.
SELECT pg_temp.compile($$policy "p" currency KRW
rule "r"
  credit points 15 hours / 2025-06-09
end$$);
SELECT expr, pg_temp.compile('policy "p" currency KRW outage 2025-06-09 .. 2025-06-10 rule "r" let v = ' || expr || ' end')
FROM unnest(ARRAY[
  '''a'' + 1', '1 - ''a''', 'true * 2', '2025-06-09 / 2', '2025-06-10 - 2025-06-09',
  '5 days days', '''x'' days', '-''x''', '''x''%', '1 = ''a''', '2025-06-09 < 5',
  'not 5', '1 and a', '''x'' during outage', '5 in (''a'', 1)', '5 in ''a'' .. ''b''',
  'tier 5 upto ''a'' => 1 end', 'min(1, 2025-06-09)', 'max(''a'', ''b'')', 'round(''a'', half_up)',
  'round(1, half_up, ''x'')', 'hours(1, 2)', 'days(2025-06-09, 5)', 'days_in_month(3)', 'abs(''x'')',
  'outage_days + outage_start', 'outage_hours - 5 days'
]) AS expr;
SELECT pg_temp.compile('policy "p" currency KRW rule "r" when 5 flag f end');
-- A let's constant value is known where the let is used.
SELECT pg_temp.compile('policy "p" currency KRW let h = 15 hours rule "r" credit points h * h end');
-- What depends on the row, or is null, review or none, is left to evaluation.
SELECT expr, pg_temp.compile('policy "p" currency KRW rule "r" let v = ' || expr || ' end')
FROM unnest(ARRAY[
  'x / 720 hours', '15 hours / x', 'null + ''a''', '''a'' + null', 'none * 2 days',
  'review ''why'' + 1', 'coalesce(1, ''a'')', '5 in (5, ''a'')', 'false and 5', 'true or 5',
  'min(x, ''a'')', '2025-06-09 + 1 day', '1 day * 2', '2 * 1 day', '-(1 day)', 'days(2025-06-09, 2025-06-10) * 2',
  '2025-06-09 in 2025-06-01 .. 2025-06-30', 'x in (''a'', 1)'
]) AS expr;
