-- bench/data.sql: deterministic YES24-shaped orders for the benchmark.
--
--   psql -v ON_ERROR_STOP=1 -v rows=1000000 -f bench/data.sql
--
-- Creates (dropping it first) the table bench.orders with :rows generated
-- order lines over every YES24 service: books, tickets, e-books, Crema Club,
-- vouchers and coupons, buybacks and attendance-event entries.  The columns
-- and the spread of values are those of examples/yes24/yes24_data.sql (the demo
-- sample), so that the round 1 policy matches some rows of every rule and
-- misses others; one column is added:
--
--   show_id   ticket: which show (1 .. 10,000), for the per-show policies
--             of B2 (`when show_id = 123`); NULL for other services.
--
-- Deterministic: no random().  Every attribute is drawn from
-- pg_temp.h(i, salt), the seeded integer hash hashint8extended, so two runs
-- with the same :rows give identical tables, and the first N rows of a
-- larger table are the table of N rows.  No index: the benchmark scans.
-- Timestamps carry an explicit +09 (KST) offset; nothing depends on the
-- session's TimeZone.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
-- The load is a one-off: let it use both cores and a large sort/hash memory.
SET max_parallel_workers_per_gather = 2;
SET work_mem = '256MB';

CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.orders, bench.gen, bench.load;

-- Loaded service by service into bench.load, then copied in order_id order:
-- services are interleaved on disk as in a real order table (a table sorted
-- by service would make every branch on the service trivially predictable).
CREATE UNLOGGED TABLE bench.load (
	order_id       bigint NOT NULL,
	member_id      bigint NOT NULL,
	service        text NOT NULL,
	price          bigint,
	show_at        timestamptz,
	show_id        bigint,
	attended       boolean,
	cancelled_at   timestamptz,
	cancel_fee     bigint,
	ship_scheduled date,
	shipped_at     timestamptz,
	delivery       text,
	ordered_at     timestamptz,
	delivered      boolean,
	expires_at     timestamptz,
	expired        boolean,
	sub_end        date,
	rental         boolean,
	rental_end     date,
	received_at    timestamptz,
	final_price    numeric(12,0)
);

CREATE FUNCTION pg_temp.h(i bigint, salt bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.hashint8extended(i, salt) & 2147483647 $$;

CREATE FUNCTION pg_temp.kst(d date, minutes bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (d + pg_catalog.make_interval(mins => minutes::int)) AT TIME ZONE 'Asia/Seoul' $$;

-- Service mix: 40% book, 20% ticket, 12% e-book, 6% Crema Club,
-- 12% voucher/coupon, 5% buyback, 5% attendance event.
CREATE UNLOGGED TABLE bench.gen AS
SELECT i,
	CASE
		WHEN b < 40 THEN 'book'
		WHEN b < 60 THEN 'ticket'
		WHEN b < 72 THEN 'ebook'
		WHEN b < 78 THEN 'crema'
		WHEN b < 90 THEN 'voucher'
		WHEN b < 95 THEN 'buyback'
		ELSE 'attend'
	END AS service,
	1 + pg_temp.h(i, 20) % (1 + :rows / 4) AS member_id,
	pg_temp.h(i, 2) % (52 * 1440) AS placed_min
FROM (SELECT i, pg_temp.h(i, 1) % 100 AS b FROM generate_series(1, :rows) AS i) s;

-- Books: ship 1-3 days after the order; those due during the outage left
-- 6/13-6/16; vendor orders placed 6/3-6/10 often not marked delivered.
INSERT INTO bench.load (order_id, member_id, service, price, ordered_at, ship_scheduled,
	delivery, shipped_at, delivered)
SELECT i, member_id, service, price, ordered_at, ship_scheduled, delivery, shipped_at,
	shipped_at IS NOT NULL
		AND shipped_at + interval '2 days' <= timestamptz '2025-07-10 23:59:59+09'
		AND pg_temp.h(i, 7) % 100 >=
			CASE WHEN delivery = 'vendor'
				AND ordered_at >= timestamptz '2025-06-03 00:00+09'
				AND ordered_at <  timestamptz '2025-06-11 00:00+09' THEN 40 ELSE 3 END
FROM (
	SELECT i, member_id, service, price, ordered_at, ship_scheduled, delivery,
		CASE
			WHEN ship_scheduled > date '2025-07-09' OR pg_temp.h(i, 6) % 50 = 0 THEN NULL
			WHEN ship_scheduled BETWEEN date '2025-06-09' AND date '2025-06-13'
				THEN pg_temp.kst(date '2025-06-13' + (pg_temp.h(i, 6) % 4)::int,
					9 * 60 + pg_temp.h(i, 8) % (10 * 60))
			ELSE pg_temp.kst(ship_scheduled + (pg_temp.h(i, 6) % 2)::int,
				9 * 60 + pg_temp.h(i, 8) % (10 * 60))
		END AS shipped_at
	FROM (
		SELECT i, member_id, service,
			8000 + (pg_temp.h(i, 3) % 60) * 500 AS price,
			ordered_at,
			(ordered_at AT TIME ZONE 'Asia/Seoul')::date + 1 + (pg_temp.h(i, 5) % 3)::int AS ship_scheduled,
			CASE WHEN pg_temp.h(i, 4) % 10 < 7 THEN 'direct' ELSE 'vendor' END AS delivery
		FROM (SELECT g.*, timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at
		      FROM bench.gen g WHERE service = 'book') g
	) a
) b;

-- Tickets: shows 2025-05-25 .. 2025-07-10, booked 1-40 days before; shows
-- during the outage often missed or cancelled; fee 10% or 20%.
INSERT INTO bench.load (order_id, member_id, service, price, ordered_at, show_at, show_id,
	cancelled_at, cancel_fee, attended)
SELECT i, member_id, service, price,
	show_at - (1 + pg_temp.h(i, 11) % 40) * interval '1 day' - (pg_temp.h(i, 12) % 600) * interval '1 minute',
	show_at, 1 + pg_temp.h(i, 19) % 10000, cancelled_at,
	CASE WHEN cancelled_at IS NULL THEN NULL
		WHEN cancelled_at < show_at - interval '7 days' THEN price * 10 / 100
		ELSE price * 20 / 100 END,
	CASE
		WHEN cancelled_at IS NOT NULL THEN false
		WHEN pg_temp.h(i, 14) % 100 = 0 THEN NULL
		WHEN show_day BETWEEN date '2025-06-09' AND date '2025-06-11' THEN pg_temp.h(i, 15) % 100 < 25
		WHEN show_day BETWEEN date '2025-06-12' AND date '2025-06-13' THEN pg_temp.h(i, 15) % 100 < 60
		ELSE pg_temp.h(i, 15) % 100 < 97
	END
FROM (
	SELECT i, member_id, service, price, show_day, show_at,
		CASE
			WHEN show_day BETWEEN date '2025-06-09' AND date '2025-06-13' THEN
				CASE WHEN pg_temp.h(i, 13) % 100 < 35
					THEN timestamptz '2025-06-09 04:00+09' + (pg_temp.h(i, 16) % (15 * 1440)) * interval '1 minute' END
			ELSE
				CASE WHEN pg_temp.h(i, 13) % 100 < 8
					THEN show_at - (1 + pg_temp.h(i, 16) % 12) * interval '1 day' - (pg_temp.h(i, 17) % 600) * interval '1 minute' END
		END AS cancelled_at
	FROM (
		SELECT i, member_id, service,
			(ARRAY[33000, 33333, 44000, 55000, 77000, 99000, 121000, 154000])[1 + pg_temp.h(i, 9) % 8] AS price,
			date '2025-05-25' + (pg_temp.h(i, 10) % 47)::int AS show_day,
			pg_temp.kst(date '2025-05-25' + (pg_temp.h(i, 10) % 47)::int,
				(ARRAY[14 * 60, 17 * 60, 19 * 60, 19 * 60 + 30, 20 * 60])[1 + pg_temp.h(i, 18) % 5]) AS show_at
		FROM bench.gen WHERE service = 'ticket'
	) a
) b;

-- E-books: 40% rentals of 7, 14 or 30 days; the rest owned.
INSERT INTO bench.load (order_id, member_id, service, price, ordered_at, rental, rental_end)
SELECT i, member_id, service, 3000 + (pg_temp.h(i, 21) % 25) * 500, ordered_at, rental,
	CASE WHEN rental THEN (ordered_at AT TIME ZONE 'Asia/Seoul')::date
		+ (ARRAY[7, 14, 30])[1 + pg_temp.h(i, 23) % 3] END
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at,
		pg_temp.h(i, 22) % 10 < 4 AS rental
	FROM bench.gen WHERE service = 'ebook') a;

-- Crema Club: monthly subscriptions started 2025-04-20 .. 2025-06-08.
INSERT INTO bench.load (order_id, member_id, service, price, ordered_at, sub_end)
SELECT i, member_id, service, 9900,
	pg_temp.kst(date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int, pg_temp.h(i, 32) % 1440),
	date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int + 30
FROM bench.gen WHERE service = 'crema';

-- Vouchers and coupons: validity ends 2025-05-25 .. 2025-07-05.
INSERT INTO bench.load (order_id, member_id, service, price, ordered_at, expires_at, expired)
SELECT i, member_id, service, price, ordered_at, expires_at,
	CASE
		WHEN expires_at >= timestamptz '2025-06-16 00:00+09' THEN false
		WHEN expires_at >= timestamptz '2025-06-09 04:00+09'
			AND expires_at < timestamptz '2025-06-14 00:00+09' THEN pg_temp.h(i, 44) % 2 = 0
		ELSE true
	END
FROM (SELECT i, member_id, service,
		(ARRAY[5000, 10000, 30000, 50000, 100000])[1 + pg_temp.h(i, 41) % 5] AS price,
		pg_temp.kst(date '2025-01-01' + (pg_temp.h(i, 45) % 140)::int, pg_temp.h(i, 46) % 1440) AS ordered_at,
		pg_temp.kst(date '2025-05-25' + (pg_temp.h(i, 42) % 42)::int,
			(ARRAY[24 * 60 - 1, 24 * 60 - 1, 24 * 60 - 1, 0, 12 * 60, 23 * 60])[1 + pg_temp.h(i, 43) % 6])
			+ CASE WHEN pg_temp.h(i, 43) % 6 < 3 THEN interval '59 seconds' ELSE interval '0' END AS expires_at
	FROM bench.gen WHERE service = 'voucher') a;

-- Buybacks: received 1-6 days after the request, 5% not yet received.
INSERT INTO bench.load (order_id, member_id, service, ordered_at, received_at, final_price)
SELECT i, member_id, service, ordered_at,
	CASE WHEN pg_temp.h(i, 51) % 20 <> 0
		THEN ordered_at + (1 + pg_temp.h(i, 52) % 6) * interval '1 day' + (pg_temp.h(i, 53) % 720) * interval '1 minute' END,
	500 + pg_temp.h(i, 54) % 39500
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at
	FROM bench.gen WHERE service = 'buyback') a;

-- Attendance-event entries.
INSERT INTO bench.load (order_id, member_id, service, ordered_at)
SELECT i, member_id, service, timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute'
FROM bench.gen WHERE service = 'attend';

CREATE TABLE bench.orders AS SELECT * FROM bench.load ORDER BY order_id;
COMMENT ON TABLE bench.orders IS
	'benchmark orders: the columns of examples/yes24/yes24_data.sql plus show_id (bench/data.sql)';
DROP TABLE bench.gen, bench.load;
-- Set hint bits and the visibility map now, so that no timed scan pays for them.
VACUUM (FREEZE, ANALYZE) bench.orders;
