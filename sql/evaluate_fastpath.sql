\set test evaluate_fastpath
\i test/regress_preamble.sql
--
-- The per-row paths that B9 (issue 12: totals per group as the README
-- teaches them) made cheaper answer exactly as before:
--   * a rule found through its guard's value (COLUMN = CONSTANT first) does
--     not test the guard again, only the rest of its condition;
--   * a guard column with few values is searched without the hash table;
--   * the columns the planner passes are read where they are;
--   * a row that gets nothing shares the evaluator's empty award;
--   * an award is made at once from the row's lines;
-- and the sum of evaluated awards still reports an overflow exactly.
-- explain() evaluates every rule's whole condition, so it is the reference.
--
SET TimeZone = 'UTC';
-- a dropped column and columns no policy reads, among those it reads
CREATE TABLE fp (id int, gone text, svc text, n numeric, k bigint, d date,
  active boolean, price numeric, unread text);
ALTER TABLE fp DROP COLUMN gone;
INSERT INTO fp (id, svc, n, k, d, active, price, unread) VALUES
  (1, 'book', 1, 1, '2025-06-10', true, 100, 'x'),
  (2, 'book', NULL, 2, NULL, false, 200, NULL),
  (3, 'ticket', 2.0, NULL, '2025-06-01', NULL, 0, 'y'),
  (4, NULL, 1, 3, '2025-06-12', true, 50, NULL),
  (5, 'voucher', 0.5, 1, '2025-06-09', false, NULL, 'z'),
  (6, 'zz', 1.00, 1, '2025-06-09', true, 10, NULL),
  (7, 'book', 3, 1, '2025-06-20', NULL, 60, NULL);

-- guarded rules with more after the guard: "and"s three deep, an "or" and a
-- "not" in the rest, NULLs that make the rest unknown; number guards (1.00
-- is 1) and text guards; under hit first and hit collect
CREATE TABLE fp_p AS
SELECT h AS hit, format($f$policy "fp" currency USD hit %s
rule "b1" when svc = 'book' and active and price > 50 credit cash price * 10%% round half_up end
rule "b2" when svc = 'book' and (n > 1 or d < 2025-06-11) and not active flag b2 end
rule "t1" when svc = 'ticket' and k is null and n = 2 flag t1 end
rule "n1" when n = 1 and svc = 'zz' flag n1 end
rule "k1" when k = 1 and d >= 2025-06-09 and price is not null and n < 3 flag k1 end
rule "b3" when svc = 'book' flag b3 end
rule "any" when price > 0 flag any end
$f$, h)::compensation.ruleset AS r
FROM unnest(ARRAY['first', 'collect']) AS h;
SELECT p.hit, f.id,
  ARRAY(SELECT l.rule FROM compensation.lines(compensation.evaluate(p.r, f)) l) AS rules
FROM fp f, fp_p p ORDER BY p.hit, f.id;
SELECT p.hit, f.id,
  ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount)::text
        FROM compensation.lines(compensation.evaluate(p.r, f)) l)
  = ARRAY(SELECT row(l.rule, l.kind, l.instrument, l.amount)::text
          FROM compensation.explain(p.r, f) e,
               LATERAL compensation.lines(e.award) WITH ORDINALITY l
          ORDER BY e.rule_no, l.ordinality) AS same_as_explain
FROM fp f, fp_p p ORDER BY p.hit, f.id;

-- an error in the rest of a rule whose guard holds is raised, with its
-- SQLSTATE; a row whose guard does not hold never reaches it
SELECT f.id, pg_temp.err(format($q$SELECT compensation.evaluate(
  'policy "z" currency USD rule "x" when svc = ''ticket'' and 1 / price > 0 flag x end'::compensation.ruleset, f)
  FROM fp f WHERE f.id = %s$q$, f.id)) AS result
FROM fp f WHERE f.id IN (1, 3, 4) ORDER BY f.id;

-- more values of one guard column than the short search takes (9 and 22:
-- the hash table), and as many as it takes (3 and 8), answer alike
SELECT n_values, f.id,
  ARRAY(SELECT l.rule FROM compensation.lines(compensation.evaluate(
    (format('policy "many" currency USD hit collect %s rule "book" when svc = ''book'' and price >= 100 flag big end rule "zz" when svc = ''zz'' flag zz end',
            (SELECT string_agg(format('rule "v%s" when svc = ''v%s'' flag v end', k, k), ' ')
             FROM generate_series(1, n_values) k)))::compensation.ruleset, f)) l) AS rules
FROM fp f, unnest(ARRAY[1, 6, 7, 20]) AS n_values
WHERE f.id IN (1, 2, 6) ORDER BY n_values, f.id;

-- rows that get nothing share the evaluator's empty award: what a query
-- keeps (an array, a sort, a group, a sum) is the same, also when more
-- policies than an evaluator cache holds take turns at one call site
CREATE TABLE fp_many AS
SELECT k, format('policy "m%s" currency USD rule "r" when k = %s credit cash 1 end', k, k)::compensation.ruleset AS r
FROM generate_series(1, 6) k;
-- (the lateral subquery makes the policy change from one call to the next)
CREATE VIEW fp_turns AS
SELECT f.id, p.k, compensation.evaluate(p.r, f) AS a
FROM fp f, LATERAL (SELECT m.k, m.r FROM fp_many m WHERE f.id IS NOT NULL OFFSET 0) p;
SELECT k, array_agg(a::text ORDER BY id) AS awards FROM fp_turns GROUP BY k ORDER BY k;
SELECT a::text AS award, count(*) FROM fp_turns GROUP BY a::text ORDER BY 1;
SELECT k, compensation.sum(a) FROM fp_turns GROUP BY k ORDER BY k;
SELECT compensation.sum(a)::text = compensation.sum(a ORDER BY id DESC)::text AS order_free FROM fp_turns;

-- sums of evaluated awards: exact, and an overflow is an error (22003)
CREATE TABLE fp_big (id int, k bigint);
INSERT INTO fp_big VALUES (1, 4611686018427387904), (2, 4611686018427387903), (3, 1);
SELECT compensation.sum(compensation.evaluate(
  'policy "big" currency USD rule "p" credit points k end'::compensation.ruleset, b))
FROM fp_big b WHERE b.id <= 2;
SELECT pg_temp.err($q$SELECT compensation.sum(compensation.evaluate(
  'policy "big" currency USD rule "p" credit points k end'::compensation.ruleset, b)) FROM fp_big b$q$) AS overflow;
