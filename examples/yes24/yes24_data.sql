-- examples/yes24/yes24_data.sql: a deterministic, YES24-shaped sample for the demo.
--
--   psql -v ON_ERROR_STOP=1 -d yes24 -f examples/yes24/yes24_data.sql
--
-- Creates (dropping them first) in schema public:
--   orders           120,000 generated order lines over every service
--                    (generator.sql), plus the order-shaped worked examples
--                    E1-E16 of the case (README.md next to this file)
--   members           30,000 generated members, plus E17-E19
--   worked_examples  which row is which worked example, and what it should get
--
-- Column names are the contract the policies of this folder use.  Columns
-- that do not apply to a service are NULL.  Deterministic, and independent
-- of the session's TimeZone, as generator.sql says: the members are drawn
-- with the same hash pg_temp.h(i, salt), and every KST date is taken with
-- AT TIME ZONE 'Asia/Seoul'.  Two runs give identical tables.
--
-- It includes generator.sql with \ir (relative to this file): run it with
-- -f or \i, not by piping it into psql from another directory.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP TABLE IF EXISTS public.worked_examples, public.orders, public.members;

-- The generated orders, from the generator this sample shares with the
-- benchmark (generator.sql, next to this file).
\set gen_orders public.orders
\set gen_kind
\set gen_rows 120000
\set gen_members 30000
\ir generator.sql
ALTER TABLE public.orders ADD PRIMARY KEY (order_id);
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
-- The worked examples of the case (README.md here), with ids that stand out: orders
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
	'the worked examples of the case (examples/yes24/README.md): which sample row is which, and the award the case expects';
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
