-- Parallel query on one node: evaluate(), sum(award) and simulate() in a
-- parallel plan (the policy given as a scalar subquery or by rules(name):
-- joined from a table, the planner evaluates above the Gather) (Gather over a Parallel Seq Scan, Partial Aggregate in the
-- workers, sum's combine function above them) give exactly the serial
-- results.
\set test parallel
\i test/regress_preamble.sql
-- The shipped YES24 round 1 policy, under this test's name.
\set round1 `cat examples/yes24/yes24-round1.policy`
SELECT compensation.define_policy(replace(:'round1', 'policy "yes24-round1"',
	'policy "parallel/yes24-round1"')) > 0 AS defined;
SELECT compensation.publish('parallel/yes24-round1') > 0 AS published;
CREATE TABLE policies AS SELECT compensation.rules('parallel/yes24-round1') AS rules;

-- 40,000 deterministic orders over the services round 1 pays for, on both
-- sides of its dates.
CREATE TABLE orders (order_id bigint PRIMARY KEY, member_id bigint, service text, price bigint,
	show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint,
	ship_scheduled date, shipped_at timestamptz, delivery text, ordered_at timestamptz,
	delivered boolean, expires_at timestamptz, expired boolean, sub_end date,
	rental boolean, rental_end date, received_at timestamptz, final_price numeric(12,0));
INSERT INTO orders
SELECT i, i % 9973, s.service,
	1000 + (i * 37) % 99000,
	CASE WHEN s.service = 'ticket' THEN timestamptz '2025-06-07 19:00+09' + (i % 9) * interval '1 day' END,
	CASE WHEN s.service = 'ticket' THEN i % 5 = 0 END,
	CASE WHEN s.service = 'ticket' AND i % 3 = 0 THEN timestamptz '2025-06-05 10:00+09' + (i % 20) * interval '1 day' END,
	CASE WHEN s.service = 'ticket' AND i % 3 = 0 THEN (i * 13) % 20000 END,
	CASE WHEN s.service = 'book' THEN date '2025-06-03' + i % 14 END,
	CASE WHEN s.service = 'book' AND i % 4 <> 0 THEN timestamptz '2025-05-24 12:00+09' + (i % 25) * interval '1 day' END,
	CASE WHEN s.service = 'book' THEN CASE WHEN i % 2 = 0 THEN 'direct' ELSE 'vendor' END END,
	timestamptz '2025-05-30 09:00+09' + (i % 15) * interval '1 day',
	CASE WHEN s.service = 'book' THEN i % 7 = 0 END,
	CASE WHEN s.service = 'voucher' THEN timestamptz '2025-06-06 23:59:59+09' + (i % 10) * interval '1 day' END,
	CASE WHEN s.service = 'voucher' THEN i % 3 = 0 END,
	CASE WHEN s.service = 'crema' THEN date '2025-06-01' + i % 14 END,
	CASE WHEN s.service = 'ebook' THEN i % 2 = 0 END,
	CASE WHEN s.service = 'ebook' THEN date '2025-06-02' + i % 16 END,
	CASE WHEN s.service = 'buyback' THEN timestamptz '2025-06-01 10:00+09' + (i % 14) * interval '1 day' END,
	CASE WHEN s.service = 'buyback' THEN (i * 7) % 30000 END
FROM generate_series(1, 40000) AS i,
	LATERAL (SELECT (ARRAY['ticket', 'book', 'ebook', 'voucher', 'crema', 'buyback', 'attend'])[1 + i % 7] AS service) s;
ANALYZE orders, policies;

-- The serial results first.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE awards_serial AS
SELECT o.order_id, compensation.evaluate((SELECT rules FROM policies), o) AS award FROM orders o;
CREATE TABLE sum_serial AS
SELECT compensation.sum(compensation.evaluate((SELECT rules FROM policies), o)) AS s FROM orders o;
CREATE TABLE sum_by_service_serial AS
SELECT o.service, compensation.sum(compensation.evaluate((SELECT rules FROM policies), o)) AS s
FROM orders o GROUP BY o.service;
CREATE TABLE simulate_serial AS
SELECT * FROM compensation.simulate('parallel/yes24-round1', 'orders');
SELECT count(*) AS orders, count(*) FILTER (WHERE NOT compensation.is_empty(award)) AS awarded
FROM awards_serial;

-- Then parallel: every cost that keeps the planner from it set to zero.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

-- evaluate(): every row's award, evaluated in the workers (VERBOSE: the
-- Parallel Seq Scan outputs it); the policy is an InitPlan of the leader,
-- passed to the workers as a parameter.
EXPLAIN (COSTS OFF, VERBOSE)
CREATE TABLE awards_parallel AS
SELECT o.order_id, compensation.evaluate((SELECT rules FROM policies), o) AS award FROM orders o;
CREATE TABLE awards_parallel AS
SELECT o.order_id, compensation.evaluate((SELECT rules FROM policies), o) AS award FROM orders o;
SELECT count(*) AS orders,
	count(*) FILTER (WHERE compensation.award_send(s.award) IS DISTINCT FROM compensation.award_send(p.award)) AS differing
FROM awards_serial s FULL JOIN awards_parallel p USING (order_id);

-- sum(award): partial sums in the workers, serialized, combined by the leader.
EXPLAIN (COSTS OFF)
SELECT compensation.sum(compensation.evaluate((SELECT rules FROM policies), o)) FROM orders o;
SELECT (SELECT compensation.sum(compensation.evaluate((SELECT rules FROM policies), o)) FROM orders o)::text
	= (SELECT s::text FROM sum_serial) AS sum_equal;
SELECT l.rule, l.kind, l.instrument, l.amount, l.days, l.count
FROM (SELECT compensation.sum(compensation.evaluate((SELECT rules FROM policies), o)) AS s FROM orders o) t,
	compensation.lines(t.s) l;
-- Grouped by a column: the same totals per group.
SELECT count(*) AS differing FROM (
	(SELECT o.service, compensation.sum(compensation.evaluate((SELECT rules FROM policies), o))::text
	 FROM orders o GROUP BY o.service
	 EXCEPT SELECT service, s::text FROM sum_by_service_serial)
	UNION ALL
	(SELECT service, s::text FROM sum_by_service_serial
	 EXCEPT SELECT o.service, compensation.sum(compensation.evaluate((SELECT rules FROM policies), o))::text
	 FROM orders o GROUP BY o.service)) d;
-- The sum of the stored awards, too.
EXPLAIN (COSTS OFF) SELECT compensation.sum(award) FROM awards_serial;
SELECT (SELECT compensation.sum(award) FROM awards_serial)::text
	= (SELECT s::text FROM sum_serial) AS stored_sum_equal;

-- simulate(): its query (RETURN QUERY EXECUTE, which may run in parallel)
-- is this one; the plan, then simulate's own result against the serial one.
EXPLAIN (COSTS OFF)
SELECT l.rule, l.kind, l.instrument, l.count, l.amount, l.amount_major, l.currency, l.days::bigint
FROM (SELECT compensation.sum(compensation.evaluate(p.r, t)) AS s
	FROM orders AS t, (SELECT compensation.rules('parallel/yes24-round1') AS r) AS p
	WHERE true) AS total,
	LATERAL compensation.lines(total.s) AS l
ORDER BY l.rule, l.kind, l.instrument;
SELECT count(*) AS differing FROM (
	(SELECT * FROM compensation.simulate('parallel/yes24-round1', 'orders') EXCEPT TABLE simulate_serial)
	UNION ALL
	(TABLE simulate_serial EXCEPT SELECT * FROM compensation.simulate('parallel/yes24-round1', 'orders'))) d;
SELECT count(*) AS simulate_rows FROM simulate_serial;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
