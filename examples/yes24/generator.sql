-- examples/yes24/generator.sql: the YES24-shaped order generator, shared by
-- the demo sample (yes24_data.sql, next to this file) and the benchmark
-- (bench/data.sql).  Not run on its own: a caller sets four psql variables
-- and includes it with \ir, e.g.
--
--   \set gen_orders public.orders   the table to create (it must not exist)
--   \set gen_kind                   its persistence: empty, or UNLOGGED
--   \set gen_rows 120000            how many order lines: order_id 1 .. gen_rows
--   \set gen_members 30000          member_id drawn from 1 .. gen_members
--   \ir generator.sql
--
-- It creates the orders table (the columns the policies of this folder
-- read: their names are the contract; columns that do not apply to a
-- service are NULL, and there is no index: the caller adds what it needs)
-- and fills it with gen_rows generated order lines over every service:
-- books, tickets, e-books, Crema Club, vouchers and coupons, buybacks and
-- attendance-event entries, inserted service by service.  It leaves the
-- hash pg_temp.h(i, salt) and pg_temp.kst(d, minutes) defined for the rest
-- of the session, so that the caller draws its own columns the same way.
--
-- Deterministic: no random().  Each attribute is drawn from
-- pg_temp.h(i, salt), a 31-bit value of hashint8extended(i, salt), the
-- seeded integer hash that hash partitioning uses (stable across platforms
-- and PostgreSQL versions, since partition placement depends on it).  Two
-- runs with the same variables give identical tables, and a row depends on
-- its order_id and gen_members only: with the same gen_members, the first N
-- rows of a larger table are the table of N rows.  Every timestamp is written with an explicit +09
-- (KST) offset and every KST date is taken with AT TIME ZONE 'Asia/Seoul':
-- nothing depends on the session's TimeZone.
--
-- The spread is chosen so that every rule of both rounds matches some rows
-- and misses others, with rows on both sides of every date boundary:
-- orders are placed 2025-05-20 .. 2025-07-10 KST, the outage is
-- 2025-06-09 04:00 .. 2025-06-13 (KST).

-- The service draw, a work table dropped at the end: named after the
-- orders table, unlogged (it is rebuilt on every run).
\set gen_draw :gen_orders _draw
DROP TABLE IF EXISTS :gen_draw;

CREATE :gen_kind TABLE :gen_orders (
	order_id       bigint NOT NULL,
	member_id      bigint NOT NULL,
	service        text NOT NULL
		CHECK (service IN ('book', 'ticket', 'ebook', 'crema', 'voucher', 'buyback', 'attend')),
	price          bigint,          -- KRW: book/e-book/ticket price, crema fee, voucher face value
	show_at        timestamptz,     -- ticket: performance start
	attended       boolean,         -- ticket: the customer attended (NULL: unknown)
	cancelled_at   timestamptz,     -- ticket: cancellation time
	cancel_fee     bigint,          -- ticket: the fee the cancellation would charge
	ship_scheduled date,            -- book: scheduled ship date
	shipped_at     timestamptz,     -- book: actual ship time (NULL: not shipped yet)
	delivery       text CHECK (delivery IN ('direct', 'vendor')),  -- book
	ordered_at     timestamptz,     -- every service: when the order was placed
	delivered      boolean,         -- book: marked delivered
	expires_at     timestamptz,     -- voucher/coupon: end of validity
	expired        boolean,         -- voucher/coupon: marked expired
	sub_end        date,            -- crema: last day of the subscription
	rental         boolean,         -- ebook: rental (true) or owned (false)
	rental_end     date,            -- ebook rental: last day
	received_at    timestamptz,     -- buyback: YES24 received the used book
	final_price    numeric(12,0)    -- buyback: final purchase price, KRW
);

-- h(i, salt): a deterministic pseudo-random 31-bit integer.  Inlined by the
-- planner (a single expression, each argument used once).
CREATE FUNCTION pg_temp.h(i bigint, salt bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.hashint8extended(i, salt) & 2147483647 $$;

-- kst(d, minutes): the instant that is `minutes` after local midnight of
-- day d in Seoul.  Seoul has had no daylight saving time since 1988.
CREATE FUNCTION pg_temp.kst(d date, minutes bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (d + pg_catalog.make_interval(mins => minutes::int)) AT TIME ZONE 'Asia/Seoul' $$;

-- Which service each generated order is: 40% book, 20% ticket, 12% e-book,
-- 6% Crema Club, 12% voucher/coupon, 5% buyback, 5% attendance event.
-- member_id: uniform over 1 .. gen_members.  placed_min: minutes after
-- 2025-05-20 00:00 KST, uniform over 52 days (to 2025-07-10 23:59).
CREATE UNLOGGED TABLE :gen_draw AS
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
	1 + pg_temp.h(i, 20) % (:gen_members) AS member_id,
	pg_temp.h(i, 2) % (52 * 1440) AS placed_min
FROM (SELECT i, pg_temp.h(i, 1) % 100 AS b FROM generate_series(1, :gen_rows) AS i) s;

---------------------------------------------------------------------------
-- Books (physical goods).  Ship 1-3 days after the order.  Orders due to ship
-- during the outage left late, 6/13-6/16.  Vendor orders placed 6/3-6/10 were
-- often not marked delivered (status updates were down).
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, price, ordered_at, ship_scheduled,
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
		      FROM :gen_draw g WHERE service = 'book') g
	) a
) b;

---------------------------------------------------------------------------
-- Tickets.  Shows 2025-05-25 .. 2025-07-10 at 14:00, 17:00, 19:00, 19:30 or
-- 20:00 KST, booked 1-40 days before.  Shows during the outage were often
-- missed or cancelled (some cancellations after 6/20); other shows are
-- mostly attended.  The fee is 10% a week or more before the show, else 20%.
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, price, ordered_at, show_at,
	cancelled_at, cancel_fee, attended)
SELECT i, member_id, service, price,
	show_at - (1 + pg_temp.h(i, 11) % 40) * interval '1 day' - (pg_temp.h(i, 12) % 600) * interval '1 minute',
	show_at, cancelled_at,
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
		FROM :gen_draw WHERE service = 'ticket'
	) a
) b;

---------------------------------------------------------------------------
-- E-books.  40% rentals of 7, 14 or 30 days from the order; the rest owned.
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, price, ordered_at, rental, rental_end)
SELECT i, member_id, service, 3000 + (pg_temp.h(i, 21) % 25) * 500, ordered_at, rental,
	CASE WHEN rental THEN (ordered_at AT TIME ZONE 'Asia/Seoul')::date
		+ (ARRAY[7, 14, 30])[1 + pg_temp.h(i, 23) % 3] END
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at,
		pg_temp.h(i, 22) % 10 < 4 AS rental
	FROM :gen_draw WHERE service = 'ebook') a;

---------------------------------------------------------------------------
-- Crema Club.  Monthly subscriptions started (or renewed) 2025-04-20 ..
-- 2025-06-08, so they end 2025-05-20 .. 2025-07-08: some had ended by 6/8.
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, price, ordered_at, sub_end)
SELECT i, member_id, service, 9900,
	pg_temp.kst(date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int, pg_temp.h(i, 32) % 1440),
	date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int + 30
FROM :gen_draw WHERE service = 'crema';

---------------------------------------------------------------------------
-- Vouchers and coupons.  Validity ends 2025-05-25 .. 2025-07-05, mostly at
-- 23:59:59, some at 00:00, 12:00 or 23:00 KST.  The expiry batch marked the
-- ones ended before 6/16, except half of those that ended during the outage.
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, price, ordered_at, expires_at, expired)
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
	FROM :gen_draw WHERE service = 'voucher') a;

---------------------------------------------------------------------------
-- Buyback (used books sold to YES24).  Received 1-6 days after the request,
-- 5% not received yet; final price 500 .. 39,999 won.
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, ordered_at, received_at, final_price)
SELECT i, member_id, service, ordered_at,
	CASE WHEN pg_temp.h(i, 51) % 20 <> 0
		THEN ordered_at + (1 + pg_temp.h(i, 52) % 6) * interval '1 day' + (pg_temp.h(i, 53) % 720) * interval '1 minute' END,
	500 + pg_temp.h(i, 54) % 39500
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at
	FROM :gen_draw WHERE service = 'buyback') a;

---------------------------------------------------------------------------
-- Attendance-event participations (the daily check-in event).
---------------------------------------------------------------------------
INSERT INTO :gen_orders (order_id, member_id, service, ordered_at)
SELECT i, member_id, service, timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute'
FROM :gen_draw WHERE service = 'attend';

DROP TABLE :gen_draw;
