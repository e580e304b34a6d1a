-- evaluate(rules, o) over a table is planned as _evaluate_columns(): the row
-- is passed as the columns the policy reads.  The award must be the same
-- as from the whole row in every case, and the rewrite must not be made
-- where it could change a result.
\set test evaluate_columns
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';

CREATE TABLE orders (
	id int PRIMARY KEY, gone text, service text NOT NULL, price bigint, note text,
	show_at timestamptz, attended boolean);
ALTER TABLE orders DROP COLUMN gone;
INSERT INTO orders VALUES
	(1, 'ticket', 99000, 'a', '2025-06-10 19:00+09', false),
	(2, 'ticket', NULL, 'b', '2025-06-10 19:00+09', false),
	(3, 'book', 15000, repeat('long ', 2000), NULL, NULL),
	(4, 'ticket', 55000, NULL, '2025-06-10 19:00+09', true);
CREATE TABLE policies (name text PRIMARY KEY, rules compensation.ruleset);
INSERT INTO policies VALUES ('p', $p$
policy "p"
currency KRW
timezone "Asia/Seoul"
rule "ticket"
  when service = 'ticket' and show_at in 2025-06-09 .. 2025-06-11 and not attended
  credit deposit coalesce(price, 1000) * 120% round half_up
end
rule "any"
  when price is null
  flag no_price
end
$p$);

-- The plan: a policy that is a constant passes only the columns it reads;
-- one from a table or a subquery, every column but the dropped one.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate($p$policy "c" currency KRW rule "r" when price > 0 credit points price end$p$, o)
FROM orders o;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate(p.rules, o) FROM orders o, policies p;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate((SELECT rules FROM policies), o) FROM orders o;

-- The same awards as from the whole row (a row built by ROW() is not a
-- table's: it keeps the whole-row path, as the plan shows).
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate(p.rules, ROW(o.*)::orders) FROM orders o, policies p;
SELECT o.id, compensation.evaluate(p.rules, o)::text AS by_columns,
	compensation.evaluate(p.rules, o)::text
		= compensation.evaluate(p.rules, ROW(o.*)::orders)::text AS same
FROM orders o, policies p ORDER BY o.id;

-- A NULL policy gives NULL, as evaluate() is STRICT.
SELECT count(*) AS nulls FROM orders o
WHERE compensation.evaluate((SELECT rules FROM policies WHERE name = 'none'), o) IS NULL;

-- The nullable side of an outer join keeps the whole row: a missing row is
-- NULL (evaluate() gives NULL), not a row of NULL columns (which would be
-- owed the flag).
CREATE TABLE customers (id int PRIMARY KEY, order_id int);
INSERT INTO customers VALUES (10, 1), (11, NULL);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, compensation.evaluate(p.rules, o) FROM customers c LEFT JOIN orders o ON o.id = c.order_id, policies p;
SELECT c.id, compensation.evaluate(p.rules, o)::text AS award
FROM customers c LEFT JOIN orders o ON o.id = c.order_id, policies p ORDER BY c.id;
SELECT c.id, compensation.evaluate(p.rules, o)::text AS award
FROM orders o RIGHT JOIN customers c ON o.id = c.order_id CROSS JOIN policies p ORDER BY c.id;
SELECT c.id, compensation.evaluate(p.rules, o) IS NULL AS null_award
FROM orders o FULL JOIN customers c ON o.id = c.order_id CROSS JOIN policies p ORDER BY c.id, o.id;

-- A column the policy reads that the table lacks: the same error either way.
\set VERBOSITY terse
SELECT compensation.evaluate($p$policy "m" currency KRW rule "r" when missing > 0 credit points 1 end$p$, o)
FROM orders o;
SELECT compensation.evaluate(p.rules, c) FROM customers c, policies p;
\set VERBOSITY default

-- Views, subqueries and sums: the same totals either way.
CREATE VIEW owed AS
SELECT o.id, compensation.evaluate(p.rules, o) AS award FROM orders o, policies p;
SELECT compensation.sum(award)::text FROM owed;
SELECT compensation.sum(compensation.evaluate(p.rules, ROW(o.*)::orders))::text FROM orders o, policies p;

-- A table wider than a function call can take (100 arguments) keeps the
-- whole row when the policy comes from a table.
SELECT format('CREATE TABLE wide (%s)', string_agg(format('c%s int', i), ', '))
FROM generate_series(1, 120) AS i \gexec
INSERT INTO wide (c1, c120) VALUES (1, 7);
SELECT compensation.evaluate(r.rules, w)::text AS award
FROM wide w, (VALUES ($p$policy "w" currency KRW rule "r" when c120 > 0 credit points c120 end$p$::compensation.ruleset)) AS r(rules);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate(r.rules, w) FROM wide w,
	(SELECT $p$policy "w" currency KRW rule "r" when c120 > 0 credit points c120 end$p$::compensation.ruleset AS rules OFFSET 0) r;

-- A partitioned table whose partition has its own column order, and the
-- parent a dropped column: the columns are the parent's, mapped per
-- partition by the planner; the awards are the whole row's.
CREATE TABLE parted (id int, gone int, service text, price bigint) PARTITION BY RANGE (id);
ALTER TABLE parted DROP COLUMN gone;
CREATE TABLE parted_low (price bigint, id int, service text);
ALTER TABLE parted ATTACH PARTITION parted_low FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (10) TO (20);
INSERT INTO parted VALUES (1, 'ticket', 1000), (11, 'ticket', 2000), (12, 'book', 5);
CREATE TABLE parted_policy AS
SELECT $p$policy "q" currency KRW rule "t" when service = 'ticket' credit points price end$p$::compensation.ruleset AS rules;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate(p.rules, t) FROM parted t, parted_policy p;
SELECT t.id, compensation.evaluate(p.rules, t)::text AS award,
	compensation.evaluate(p.rules, t)::text
		= compensation.evaluate(p.rules, ROW(t.*)::parted)::text AS same
FROM parted t, parted_policy p ORDER BY t.id;

-- The call stands for evaluate(): without the right to call evaluate(), it
-- is refused over a table as it is over a row (42501).
CREATE ROLE regress_compensation_columns;
GRANT USAGE ON SCHEMA test_evaluate_columns, compensation TO regress_compensation_columns;
GRANT SELECT ON orders, policies TO regress_compensation_columns;
REVOKE EXECUTE ON FUNCTION compensation.evaluate(compensation.ruleset, anyelement) FROM PUBLIC;
SET ROLE regress_compensation_columns;
\set VERBOSITY terse
SELECT count(compensation.evaluate(p.rules, o)) FROM orders o, policies p;
SELECT count(compensation.evaluate(p.rules, ROW(o.*)::orders)) FROM orders o, policies p;
\set VERBOSITY default
RESET ROLE;
GRANT EXECUTE ON FUNCTION compensation.evaluate(compensation.ruleset, anyelement) TO PUBLIC;
SET ROLE regress_compensation_columns;
SELECT count(compensation.evaluate(p.rules, o)) FROM orders o, policies p;
RESET ROLE;
REVOKE ALL ON orders, policies FROM regress_compensation_columns;
REVOKE ALL ON SCHEMA test_evaluate_columns, compensation FROM regress_compensation_columns;
DROP ROLE regress_compensation_columns;
