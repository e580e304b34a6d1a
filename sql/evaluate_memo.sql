-- Several calls of evaluate() on one row (the accessors over a subquery of
-- awards, which PostgreSQL flattens into one call per accessor) evaluate
-- the row once and copy the award (src/eval_memo.c).  Each case checks the
-- awards against the ones evaluated one call per row.
\set test evaluate_memo
\i test/regress_preamble.sql
\set VERBOSITY default
SET search_path = test_evaluate_memo, compensation;

CREATE TABLE orders (order_id int PRIMARY KEY, service text, price bigint, fee bigint, note text);
INSERT INTO orders VALUES
  (1, 'ticket', 10000, 500, 'a'), (2, 'ticket', 10000, 500, 'a'),   -- equal values: one award
  (3, 'ticket', 10000, NULL, 'a'), (4, 'ticket', NULL, 500, NULL),
  (5, 'book', 2000, 0, 'b'), (6, 'ticket', 30000, 900, repeat('x', 3000)),
  (7, 'ticket', 30000, 900, repeat('x', 2999) || 'y');               -- differ at the end of a long value
CREATE TABLE policies (name text PRIMARY KEY, rules ruleset);
INSERT INTO policies VALUES
 ('p1', $$policy "evaluate_memo/p1" currency KRW
   rule "refund" when service = 'ticket' credit deposit price * 120% round half_up end
   rule "fee" when service = 'ticket' and fee > 0 waive fee fee end
   rule "points" when service = 'book' credit points price / 100 end
   rule "long" when note = repeat_me credit points 1 end$$),
 ('p2', $$policy "evaluate_memo/p2" currency KRW
   rule "refund" when service = 'ticket' credit deposit price * 50% round half_up end$$);
-- p1 reads a column that orders lacks: give it one, per row
ALTER TABLE orders ADD COLUMN repeat_me text;
UPDATE orders SET repeat_me = note WHERE order_id IN (1, 2, 6);

-- The per-accessor form, flattened: four calls per row.
CREATE TABLE per_accessor AS
SELECT o.order_id, amount(a, 'deposit') AS deposit, amount(a, 'fee') AS fee,
       amount(a, 'points') AS points, a::text AS award
FROM (SELECT o.*, evaluate(p.rules, o) AS a FROM orders o, policies p WHERE p.name = 'p1') o;
-- One call per row: a LATERAL call is not flattened.
CREATE TABLE one_call AS
SELECT o.order_id, amount(a, 'deposit') AS deposit, amount(a, 'fee') AS fee,
       amount(a, 'points') AS points, a::text AS award
FROM orders o, policies p, LATERAL evaluate(p.rules, o) a WHERE p.name = 'p1';
SELECT * FROM per_accessor ORDER BY order_id;
SELECT count(*) AS rows, count(*) FILTER (WHERE x IS NOT DISTINCT FROM y) AS same
FROM (SELECT p, q FROM per_accessor p FULL JOIN one_call q USING (order_id)) s(x, y);

-- Two policies on the same rows, their calls interleaved: each keeps its
-- own awards.
SELECT o.order_id,
       amount(evaluate(p1.rules, o), 'deposit') AS p1_deposit,
       amount(evaluate(p2.rules, o), 'deposit') AS p2_deposit,
       amount(evaluate(p1.rules, o), 'fee') AS p1_fee,
       amount(evaluate(p2.rules, o), 'fee') AS p2_fee
FROM orders o, policies p1, policies p2 WHERE p1.name = 'p1' AND p2.name = 'p2'
ORDER BY 1;

-- The same policy over two row types in one query (a join): the rows of
-- one table are not the rows of the other.
CREATE TABLE orders2 AS SELECT order_id, service, price * 2 AS price, fee, note, repeat_me FROM orders;
SELECT o.order_id,
       amount(evaluate(p.rules, o), 'deposit') AS deposit,
       amount(evaluate(p.rules, o2), 'deposit') AS deposit2,
       amount(evaluate(p.rules, o), 'fee') AS fee
FROM orders o JOIN orders2 o2 USING (order_id), policies p WHERE p.name = 'p1'
ORDER BY 1;

-- A row whose evaluation fails leaves nothing behind: the next rows and
-- queries are right.
INSERT INTO orders VALUES (8, 'ticket', 9223372036854775807, 1, 'c', NULL);
SELECT pg_temp.err($$SELECT sum(amount(a, 'deposit')), sum(amount(a, 'fee'))
	FROM (SELECT evaluate(p.rules, o) AS a FROM orders o, policies p WHERE p.name = 'p1') s$$) AS overflow;
DELETE FROM orders WHERE order_id = 8;
SELECT sum(amount(a, 'deposit')) AS deposit, sum(amount(a, 'fee')) AS fee
FROM (SELECT evaluate(p.rules, o) AS a FROM orders o, policies p WHERE p.name = 'p1') s;

-- A column's type changes between two queries: the second binds anew.
ALTER TABLE orders ALTER COLUMN fee TYPE numeric USING fee * 1.5;
SELECT o.order_id, amount(a, 'fee') AS fee, amount(a, 'deposit') AS deposit
FROM (SELECT o.order_id, evaluate(p.rules, o) AS a FROM orders o, policies p WHERE p.name = 'p1') o
ORDER BY 1;
