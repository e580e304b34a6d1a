-- Bad input at evaluation, the evaluator's side of issue 8: every path
-- raises the same error for the same row (law 3), and a column's type never
-- silently changes what a comparison means.
\set test bad_input_evaluate
\i test/regress_preamble.sql
\set SHOW_CONTEXT never

-- hit unique: two rules match, and the first one's award would itself fail
-- (an amount that overflows).  evaluate() checks every condition before it
-- computes the one match's award, so it raises 21000; explain() raised
-- 22000 from the first match's award (seen 7,043 times by the differential
-- fuzzer).  Both now raise 21000.
CREATE TABLE two (id int, price bigint);
INSERT INTO two VALUES (1, 9000000000000000000);
SELECT pg_temp.err($q$SELECT compensation.evaluate($p$
policy "bad_input_evaluate/unique" currency KRW hit unique
rule "a" when price > 0 credit deposit price * 10 end
rule "b" when id = 1 flag x end
$p$::compensation.ruleset, t) FROM two t$q$) AS evaluate;
SELECT pg_temp.err($q$SELECT count(*) FROM two t, compensation.explain($p$
policy "bad_input_evaluate/unique" currency KRW hit unique
rule "a" when price > 0 credit deposit price * 10 end
rule "b" when id = 1 flag x end
$p$::compensation.ruleset, t) e$q$) AS explain;
-- With one match, explain shows its award on the matched rule.
SELECT e.rule, e.matched, e.award FROM two t, compensation.explain($p$
policy "bad_input_evaluate/unique" currency KRW hit unique
rule "a" when id = 2 credit deposit price * 10 end
rule "b" when id = 1 credit points 5 end
rule "c" when id = 2 flag x end
$p$::compensation.ruleset, t) e ORDER BY e.rule_no;

-- char(n): PostgreSQL's equality ignores trailing blanks, and so does a
-- policy's, on the column's side and on the constant's.
CREATE TABLE coded (id int, code char(4));
INSERT INTO coded VALUES (1, 'AB'), (2, 'ABC');
SELECT t.id, t.code = 'AB  ' AS postgres_says, compensation.evaluate($p$
policy "bad_input_evaluate/bpchar" currency KRW
rule "eq" when code = 'AB  ' credit points 1 end
rule "in" when code in ('ABC ', 'X') credit points 10 end
rule "range" when code in 'AA  ' .. 'AB  ' credit points 100 end
$p$::compensation.ruleset, t) AS award
FROM coded t ORDER BY t.id;

-- An enum orders by its declaration: 'high' < 'low' as text, but not in
-- this type.  Ordering an enum column is an error at binding; = and in
-- compare labels as before.
CREATE TYPE level AS ENUM ('low', 'high');
CREATE TABLE levels (id int, lvl level);
INSERT INTO levels VALUES (1, 'low'), (2, 'high');
SELECT pg_temp.err($q$SELECT compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when lvl > ''low'' credit points 1 end'::compensation.ruleset,
	t) FROM levels t$q$) AS greater;
SELECT pg_temp.err($q$SELECT compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when lvl in ''high'' .. ''low'' credit points 1 end'::compensation.ruleset,
	t) FROM levels t$q$) AS range;
\set VERBOSITY default
SELECT compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when ''low'' <= lvl credit points 1 end'::compensation.ruleset,
	t) FROM levels t;
\set VERBOSITY terse
SELECT t.id, compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when lvl = ''high'' or lvl in (''low'') credit points 1 end'::compensation.ruleset,
	t) FROM levels t ORDER BY t.id;
-- As text, the labels order as text, by the caller's choice.
SELECT t.id, compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when lvl > ''low'' credit points 1 end'::compensation.ruleset,
	s) FROM levels t, LATERAL (SELECT t.lvl::text AS lvl) s ORDER BY t.id;
SELECT t.id, compensation.evaluate(
	'policy "bad_input_evaluate/enum" currency KRW rule "r" when lvl < ''low'' credit points 1 end'::compensation.ruleset,
	s) FROM levels t, LATERAL (SELECT t.lvl::text AS lvl) s ORDER BY t.id;
\set VERBOSITY default

-- A date the policy's time zone cannot place (beyond the timestamp range)
-- is an error that names the rule that read it (the time-zone code raises
-- it; the evaluator's error context names the rule and the policy).
CREATE TABLE far (id int, due date);
INSERT INTO far VALUES (1, '5000000-01-01');
\set SHOW_CONTEXT errors
SELECT compensation.evaluate(
	'policy "bad_input_evaluate/far" currency KRW rule "early" when due < 2025-01-01 credit points 1 end'::compensation.ruleset,
	t) FROM far t;
\set SHOW_CONTEXT never

-- _evaluate_rows (internal to _issue_batch, src/evaluate_rows.c): each
-- row's award, in the array's order, the same as evaluate() gives it; a
-- NULL row a NULL award; anything but a one-dimensional array of a table's
-- rows refused.
CREATE TABLE er_rows (id int, price bigint);
INSERT INTO er_rows VALUES (1, 100), (2, 0), (3, 50);
CREATE TABLE er_policy AS SELECT $p$
policy "bad_input_evaluate/rows" currency KRW
rule "paid" when price > 0 credit deposit price * 10% round floor end
$p$::compensation.ruleset AS r;
SELECT u.ord, u.award::text, u.award::text IS NOT DISTINCT FROM (SELECT compensation.evaluate(p.r, e)::text
		FROM er_rows e WHERE e.id = u.id) AS same_as_evaluate
FROM er_policy p,
	unnest(compensation._evaluate_rows(p.r,
		ARRAY(SELECT e FROM er_rows e ORDER BY e.id DESC) || NULL::er_rows),
		ARRAY[3, 2, 1, NULL]) WITH ORDINALITY AS u(award, id, ord)
ORDER BY u.ord;
SELECT cardinality(compensation._evaluate_rows(p.r, '{}'::er_rows[])) AS none FROM er_policy p;
SELECT pg_temp.err($q$SELECT compensation._evaluate_rows(p.r, ARRAY[1, 2]) FROM er_policy p$q$) AS not_rows;
SELECT pg_temp.err($q$SELECT compensation._evaluate_rows(p.r, ARRAY[ROW(1, 2)]) FROM er_policy p$q$) AS records;
SELECT pg_temp.err($q$SELECT compensation._evaluate_rows(p.r, ARRAY[[e, e], [e, e]])
	FROM er_policy p, er_rows e WHERE e.id = 1$q$) AS two_dimensions;
