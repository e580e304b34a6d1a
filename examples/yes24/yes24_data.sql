-- examples/yes24/yes24_data.sql: a deterministic, YES24-shaped sample for the demo.
--
--   psql -v ON_ERROR_STOP=1 -d yes24 -f examples/yes24/yes24_data.sql
--
-- Creates (dropping them first) in schema public:
--   orders           120,000 generated order lines over every service, plus the
--                    order-shaped worked examples E1-E16 of YES24.md
--   members           30,000 generated members, plus E17-E19
--   worked_examples  which row is which worked example, and what it should get
--
-- Column names are the contract the policies of this folder use.  Columns that
-- do not apply to a service are NULL.  Every timestamp is written with an
-- explicit +09 (KST) offset and every KST date is taken with
-- AT TIME ZONE 'Asia/Seoul', so the data does not depend on the session's
-- TimeZone.
--
-- Deterministic: no random().  Each attribute is drawn from
-- pg_temp.h(i, salt), a 31-bit value of hashint8extended(i, salt), the
-- seeded integer hash that hash partitioning uses (stable across platforms
-- and PostgreSQL versions, since partition placement depends on it).  Two
-- runs give identical tables.
--
-- The spread is chosen so that every rule of both rounds matches some rows
-- and misses others, with rows on both sides of every date boundary:
-- orders are placed 2025-05-20 .. 2025-07-10 KST, the outage is
-- 2025-06-09 04:00 .. 2025-06-13 (KST).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP TABLE IF EXISTS public.worked_examples, public.orders, public.members;

CREATE TABLE public.orders (
	order_id       bigint PRIMARY KEY,
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
COMMENT ON TABLE public.orders IS
	'YES24-shaped sample: one row per order line, all services in one wide table (examples/yes24/yes24_data.sql)';

CREATE TABLE public.members (
	member_id           bigint PRIMARY KEY,
	joined_at           date NOT NULL,
	last_purchase_at    date,       -- last online purchase up to 2025-06-08 (the plan''s snapshot); NULL: none
	bought_ebooks       boolean NOT NULL,
	crema_valid_on_0608 boolean NOT NULL
);
COMMENT ON TABLE public.members IS
	'YES24-shaped sample: one row per member, as of 2025-06-08 (examples/yes24/yes24_data.sql)';

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
-- placed_min: minutes after 2025-05-20 00:00 KST, uniform over 52 days
-- (to 2025-07-10 23:59).
CREATE TEMP TABLE gen AS
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
	1 + pg_temp.h(i, 20) % 30000 AS member_id,
	pg_temp.h(i, 2) % (52 * 1440) AS placed_min
FROM (SELECT i, pg_temp.h(i, 1) % 100 AS b FROM generate_series(1, 120000) AS i) s;

---------------------------------------------------------------------------
-- Books (physical goods).  Ship 1-3 days after the order.  Orders due to ship
-- during the outage left late, 6/13-6/16.  Vendor orders placed 6/3-6/10 were
-- often not marked delivered (status updates were down).
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, ship_scheduled,
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
		      FROM gen g WHERE service = 'book') g
	) a
) b;

---------------------------------------------------------------------------
-- Tickets.  Shows 2025-05-25 .. 2025-07-10 at 14:00, 17:00, 19:00, 19:30 or
-- 20:00 KST, booked 1-40 days before.  Shows during the outage were often
-- missed or cancelled (some cancellations after 6/20); other shows are
-- mostly attended.  The fee is 10% a week or more before the show, else 20%.
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, show_at,
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
		FROM gen WHERE service = 'ticket'
	) a
) b;

---------------------------------------------------------------------------
-- E-books.  40% rentals of 7, 14 or 30 days from the order; the rest owned.
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, rental, rental_end)
SELECT i, member_id, service, 3000 + (pg_temp.h(i, 21) % 25) * 500, ordered_at, rental,
	CASE WHEN rental THEN (ordered_at AT TIME ZONE 'Asia/Seoul')::date
		+ (ARRAY[7, 14, 30])[1 + pg_temp.h(i, 23) % 3] END
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at,
		pg_temp.h(i, 22) % 10 < 4 AS rental
	FROM gen WHERE service = 'ebook') a;

---------------------------------------------------------------------------
-- Crema Club.  Monthly subscriptions started (or renewed) 2025-04-20 ..
-- 2025-06-08, so they end 2025-05-20 .. 2025-07-08: some had ended by 6/8.
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, sub_end)
SELECT i, member_id, service, 9900,
	pg_temp.kst(date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int, pg_temp.h(i, 32) % 1440),
	date '2025-04-20' + (pg_temp.h(i, 31) % 50)::int + 30
FROM gen WHERE service = 'crema';

---------------------------------------------------------------------------
-- Vouchers and coupons.  Validity ends 2025-05-25 .. 2025-07-05, mostly at
-- 23:59:59, some at 00:00, 12:00 or 23:00 KST.  The expiry batch marked the
-- ones ended before 6/16, except half of those that ended during the outage.
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, expires_at, expired)
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
	FROM gen WHERE service = 'voucher') a;

---------------------------------------------------------------------------
-- Buyback (used books sold to YES24).  Received 1-6 days after the request,
-- 5% not received yet; final price 500 .. 39,999 won.
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, ordered_at, received_at, final_price)
SELECT i, member_id, service, ordered_at,
	CASE WHEN pg_temp.h(i, 51) % 20 <> 0
		THEN ordered_at + (1 + pg_temp.h(i, 52) % 6) * interval '1 day' + (pg_temp.h(i, 53) % 720) * interval '1 minute' END,
	500 + pg_temp.h(i, 54) % 39500
FROM (SELECT i, member_id, service,
		timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute' AS ordered_at
	FROM gen WHERE service = 'buyback') a;

---------------------------------------------------------------------------
-- Attendance-event participations (the daily check-in event).
---------------------------------------------------------------------------
INSERT INTO public.orders (order_id, member_id, service, ordered_at)
SELECT i, member_id, service, timestamptz '2025-05-20 00:00+09' + placed_min * interval '1 minute'
FROM gen WHERE service = 'attend';

---------------------------------------------------------------------------
-- Members.  last_purchase_at is the later of the member's last order
-- placed by 2025-06-08 and an older purchase history (2023-01-01 ..
-- 2025-06-08, none for 7%); bought_ebooks and crema_valid_on_0608 agree with
-- the orders above, plus older e-book buyers and yearly subscribers.
---------------------------------------------------------------------------
INSERT INTO public.members (member_id, joined_at, last_purchase_at, bought_ebooks, crema_valid_on_0608)
SELECT m.member_id, m.joined_at,
	CASE
		WHEN o.last_order IS NULL THEN m.history
		WHEN m.history IS NULL THEN o.last_order
		ELSE greatest(o.last_order, m.history)
	END,
	coalesce(o.ebooks, false) OR pg_temp.h(m.member_id, 63) % 4 = 0,
	coalesce(o.crema, false) OR pg_temp.h(m.member_id, 64) % 50 = 0
FROM (
	SELECT member_id, joined_at,
		CASE WHEN pg_temp.h(member_id, 62) % 100 < 7 THEN NULL
			ELSE least(date '2025-06-08', greatest(joined_at, date '2023-01-01' + (pg_temp.h(member_id, 61) % 890)::int))
		END AS history
	FROM (SELECT member_id, date '2010-01-01' + (pg_temp.h(member_id, 60) % 5600)::int AS joined_at
	      FROM generate_series(1, 30000) AS member_id) j
) m
LEFT JOIN (
	SELECT member_id,
		max((ordered_at AT TIME ZONE 'Asia/Seoul')::date)
			FILTER (WHERE ordered_at < timestamptz '2025-06-09 00:00+09'
				AND service IN ('book', 'ticket', 'ebook', 'crema', 'voucher')) AS last_order,
		bool_or(service = 'ebook') AS ebooks,
		bool_or(service = 'crema' AND ordered_at < timestamptz '2025-06-09 00:00+09'
			AND sub_end >= date '2025-06-08') AS crema
	FROM public.orders GROUP BY member_id
) o USING (member_id);

---------------------------------------------------------------------------
-- The worked examples of YES24.md, with ids that stand out: orders
-- 9000000 + 10 * n (E8 is four coupons, 9000081..9000084) of member
-- 9000000, and members 9000170, 9000180, 9000190 for E17-E19.
---------------------------------------------------------------------------
INSERT INTO public.members VALUES
	(9000000, '2015-03-01', '2025-06-06', true, true),
	(9000170, '2019-05-10', '2025-03-01', false, false),
	(9000180, '2018-11-02', '2024-06-08', false, false),
	(9000190, '2021-07-21', '2025-05-15', true, false);

INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, show_at, attended, cancelled_at, cancel_fee) VALUES
	(9000010, 9000000, 'ticket', 99000, '2025-05-30 12:00+09', '2025-06-10 19:00+09', false, NULL, NULL),
	(9000020, 9000000, 'ticket', 33333, '2025-05-30 12:00+09', '2025-06-11 19:30+09', false, NULL, NULL),
	(9000030, 9000000, 'ticket', 55000, '2025-05-30 12:00+09', '2025-06-11 14:00+09', true, NULL, NULL),
	(9000040, 9000000, 'ticket', 77000, '2025-05-30 12:00+09', '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400),
	(9000050, 9000000, 'ticket', 77000, '2025-05-30 12:00+09', '2025-06-25 19:00+09', false, '2025-06-21 10:00+09', 7700);
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, ship_scheduled, delivery, shipped_at, delivered) VALUES
	(9000060, 9000000, 'book', 18000, '2025-06-01 09:00+09', '2025-06-11', 'vendor', NULL, false),
	(9000070, 9000000, 'book', 18000, '2025-06-01 09:00+09', '2025-06-14', 'vendor', NULL, false),
	(9000150, 9000000, 'book', 22000, '2025-06-01 11:00+09', '2025-06-02', 'direct', '2025-06-02 15:00+09', true),
	(9000160, 9000000, 'book', 22000, '2025-06-05 11:00+09', '2025-06-06', 'vendor', '2025-06-06 15:00+09', true);
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, expires_at, expired) VALUES
	(9000081, 9000000, 'voucher', 10000, '2025-03-01 10:00+09', '2025-06-10 00:00+09', true),
	(9000082, 9000000, 'voucher', 10000, '2025-03-01 10:00+09', '2025-06-13 23:00+09', false),
	(9000083, 9000000, 'voucher', 10000, '2025-03-01 10:00+09', '2025-06-14 00:00+09', false),
	(9000084, 9000000, 'voucher', 10000, '2025-03-01 10:00+09', '2025-06-08 00:00+09', true);
INSERT INTO public.orders (order_id, member_id, service, ordered_at, received_at, final_price) VALUES
	(9000090, 9000000, 'buyback', '2025-06-02 12:00+09', '2025-06-05 12:00+09', 7355),
	(9000100, 9000000, 'buyback', '2025-06-05 12:00+09', '2025-06-09 12:00+09', 7355);
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, sub_end) VALUES
	(9000110, 9000000, 'crema', 9900, '2025-05-26 08:00+09', '2025-06-25'),
	(9000120, 9000000, 'crema', 9900, '2025-05-02 08:00+09', '2025-06-01');
INSERT INTO public.orders (order_id, member_id, service, price, ordered_at, rental, rental_end) VALUES
	(9000130, 9000000, 'ebook', 4000, '2025-06-06 20:00+09', true, '2025-06-20'),
	(9000140, 9000000, 'ebook', 12000, '2025-06-06 20:00+09', false, NULL);

CREATE TABLE public.worked_examples (
	example  text PRIMARY KEY,
	tbl      text NOT NULL CHECK (tbl IN ('orders', 'members')),
	id       bigint NOT NULL,
	row_says text NOT NULL,
	expected text NOT NULL
);
COMMENT ON TABLE public.worked_examples IS
	'the worked examples of YES24.md: which sample row is which, and the award YES24.md expects';
INSERT INTO public.worked_examples VALUES
	('E1',  'orders', 9000010, 'ticket 99,000, show 6/10 19:00, not attended', '118,800 deposit'),
	('E2',  'orders', 9000020, 'ticket 33,333, show 6/11, not attended', '40,000 deposit'),
	('E3',  'orders', 9000030, 'ticket 55,000, show 6/11, attended', 'nothing'),
	('E4',  'orders', 9000040, 'ticket 77,000, show 6/12, cancelled 6/17, fee 15,400', '15,400 deposit + 15,400 fee waived'),
	('E5',  'orders', 9000050, 'ticket 77,000, show 6/25, cancelled 6/21, fee 7,700', 'nothing'),
	('E6',  'orders', 9000060, 'book, ship scheduled 6/11', '2,000 points'),
	('E7',  'orders', 9000070, 'book, ship scheduled 6/14', 'nothing'),
	('E8a', 'orders', 9000081, 'coupon expiring 6/10 (marked expired)', 'expires 6/20 23:59:59, restored'),
	('E8b', 'orders', 9000082, 'coupon expiring 6/13 23:00', 'expires 6/20 23:59:59'),
	('E8c', 'orders', 9000083, 'coupon expiring 6/14', 'nothing'),
	('E8d', 'orders', 9000084, 'coupon expiring 6/8', 'nothing'),
	('E9',  'orders', 9000090, 'buyback received 6/5, final price 7,355', '735 deposit'),
	('E10', 'orders', 9000100, 'buyback received 6/9', 'nothing'),
	('E11', 'orders', 9000110, 'Crema Club valid on 6/8, ends 6/25', 'ends 7/25'),
	('E12', 'orders', 9000120, 'Crema Club ended 6/1', 'nothing'),
	('E13', 'orders', 9000130, 'e-book rental ending 6/20', 'ends 6/25'),
	('E14', 'orders', 9000140, 'owned e-book', 'nothing'),
	('E15', 'orders', 9000150, 'direct-delivery book shipped 6/2', 'free return, claim 6/17-6/30'),
	('E16', 'orders', 9000160, 'vendor order placed 6/5, delivered', 'nothing'),
	('E17', 'members', 9000170, 'member, last purchase 2025-03-01, paper books only', '5,000 voucher + Crema pass + free-shipping coupon'),
	('E18', 'members', 9000180, 'member, last purchase 2024-06-08', '5,000 voucher + Crema pass'),
	('E19', 'members', 9000190, 'member who bought e-books in 2025-05', '5,000 voucher + 5,000 e-book voucher + Crema pass + free-shipping coupon');

CREATE INDEX orders_member_id ON public.orders (member_id);
CREATE INDEX orders_service ON public.orders (service);
ANALYZE public.orders;
ANALYZE public.members;
ANALYZE public.worked_examples;
