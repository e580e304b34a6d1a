-- bench/data.sql: deterministic YES24-shaped orders for the benchmark.
--
--   psql -v ON_ERROR_STOP=1 -v rows=1000000 -f bench/data.sql
--
-- Creates (dropping it first) the table bench.orders with :rows generated
-- order lines over every YES24 service: books, tickets, e-books, Crema Club,
-- vouchers and coupons, buybacks and attendance-event entries.  The rows
-- are those of the demo sample's generator (examples/yes24/generator.sql,
-- which examples/yes24/yes24_data.sql runs with 120,000 rows), so that the
-- round 1 policy matches some rows of every rule and misses others; members
-- are drawn from 1 .. 1 + :rows / 4, and one column is added:
--
--   show_id   ticket: which show (1 .. 10,000), for the per-show policies
--             of B2 (`when show_id = 123`); NULL for other services.
--
-- Deterministic, as the generator says: two runs with the same :rows give
-- identical tables (member_id depends on :rows, so the first N rows of a
-- larger table differ from the table of N rows in that column only).  No
-- index: the benchmark scans.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- The load is a one-off: let it use both cores and a large sort/hash memory.
SET max_parallel_workers_per_gather = 2;
SET work_mem = '256MB';

CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.orders, bench.load;

-- Generated service by service into bench.load, then copied in order_id
-- order: services are interleaved on disk as in a real order table (a table
-- sorted by service would make every branch on the service trivially
-- predictable).
\set gen_orders bench.load
\set gen_kind UNLOGGED
\set gen_rows :rows
SELECT 1 + :rows / 4 AS gen_members \gset
\ir ../examples/yes24/generator.sql

-- show_id is drawn like the generator's columns (pg_temp.h, which it
-- leaves defined), with its own salt.
CREATE TABLE bench.orders AS
SELECT order_id, member_id, service, price, show_at,
	CASE WHEN service = 'ticket' THEN 1 + pg_temp.h(order_id, 19) % 10000 END AS show_id,
	attended, cancelled_at, cancel_fee, ship_scheduled, shipped_at, delivery, ordered_at,
	delivered, expires_at, expired, sub_end, rental, rental_end, received_at, final_price
FROM bench.load ORDER BY order_id;
COMMENT ON TABLE bench.orders IS
	'benchmark orders: the columns of examples/yes24/generator.sql plus show_id (bench/data.sql)';
DROP TABLE bench.load;
-- Set hint bits and the visibility map now, so that no timed scan pays for them.
VACUUM (FREEZE, ANALYZE) bench.orders;
