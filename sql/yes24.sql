-- The flagship case: every worked example E1-E19 of YES24.md, evaluated
-- with the shipped policies (examples/yes24/yes24-round*.policy).
\set test yes24
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set round1 `cat examples/yes24/yes24-round1.policy`
\set round2 `cat examples/yes24/yes24-round2.policy`
CREATE TEMP TABLE yes24 AS
  SELECT :'round1'::compensation.ruleset AS r1, :'round2'::compensation.ruleset AS r2;
SELECT compensation.policy_name(r1), compensation.rule_count(r1),
       compensation.policy_name(r2), compensation.rule_count(r2) FROM yes24;

-- One wide order table, as in examples/yes24/yes24_data.sql; "example" names the case.
CREATE TEMP TABLE orders (
  example text, order_id bigint, member_id bigint, service text, price bigint,
  show_at timestamptz, attended boolean, cancelled_at timestamptz, cancel_fee bigint,
  ship_scheduled date, shipped_at timestamptz, delivery text, ordered_at timestamptz,
  delivered boolean, expires_at timestamptz, expired boolean, sub_end date,
  rental boolean, rental_end date, received_at timestamptz, final_price numeric(12,0));

INSERT INTO orders (example, order_id, service, price, show_at, attended, cancelled_at, cancel_fee) VALUES
  ('E1',  1, 'ticket', 99000, '2025-06-10 19:00+09', false, NULL, NULL),
  ('E2',  2, 'ticket', 33333, '2025-06-11 19:30+09', false, NULL, NULL),
  ('E3',  3, 'ticket', 55000, '2025-06-11 14:00+09', true,  NULL, NULL),
  ('E4',  4, 'ticket', 77000, '2025-06-12 19:00+09', false, '2025-06-17 10:00+09', 15400),
  ('E5',  5, 'ticket', 77000, '2025-06-25 19:00+09', false, '2025-06-21 10:00+09', 7700);
INSERT INTO orders (example, order_id, service, price, ship_scheduled, delivery, shipped_at, ordered_at, delivered) VALUES
  ('E6',  6, 'book', 18000, '2025-06-11', 'vendor', NULL, '2025-06-01 09:00+09', false),
  ('E7',  7, 'book', 18000, '2025-06-14', 'vendor', NULL, '2025-06-01 09:00+09', false),
  ('E15', 15, 'book', 22000, NULL, 'direct', '2025-06-02 15:00+09', '2025-06-01 11:00+09', true),
  ('E16', 16, 'book', 22000, NULL, 'vendor', NULL, '2025-06-05 11:00+09', true);
INSERT INTO orders (example, order_id, service, expires_at, expired) VALUES
  ('E8a', 81, 'voucher', '2025-06-10 00:00+09', true),
  ('E8b', 82, 'voucher', '2025-06-13 23:00+09', false),
  ('E8c', 83, 'voucher', '2025-06-14 00:00+09', false),
  ('E8d', 84, 'voucher', '2025-06-08 00:00+09', true);
INSERT INTO orders (example, order_id, service, received_at, final_price) VALUES
  ('E9',  9,  'buyback', '2025-06-05 12:00+09', 7355),
  ('E10', 10, 'buyback', '2025-06-09 12:00+09', 7355);
INSERT INTO orders (example, order_id, service, ordered_at, sub_end) VALUES
  ('E11', 11, 'crema', '2025-05-26 08:00+09', '2025-06-25'),
  ('E12', 12, 'crema', '2025-05-02 08:00+09', '2025-06-01'),
  -- not in YES24.md: a subscription begun after 6/8 was not valid on 6/8
  ('E11-late', 111, 'crema', '2025-06-10 08:00+09', '2025-07-10');
INSERT INTO orders (example, order_id, service, ordered_at, rental, rental_end) VALUES
  ('E13', 13, 'ebook', '2025-06-06 20:00+09', true,  '2025-06-20'),
  ('E14', 14, 'ebook', '2025-06-06 20:00+09', false, NULL),
  -- not in YES24.md: a rental begun after 6/9 was not running on 6/9
  ('E13-late', 113, 'ebook', '2025-06-10 20:00+09', true, '2025-06-25');

-- Every award line of round 1, per example.
SELECT o.example, l.rule, l.kind, l.instrument, l.amount, l.days, l.new_date,
       l.window_kind, l.window_from, l.window_until
FROM orders o CROSS JOIN yes24 p
LEFT JOIN LATERAL compensation.lines(compensation.evaluate(p.r1, o)) l ON true
ORDER BY o.order_id, l.rule;

-- The same awards in their text form.
SELECT o.example, compensation.evaluate(p.r1, o) AS award
FROM orders o, yes24 p ORDER BY o.order_id;

-- The acceptance assertions, one boolean per example: all must be true.
SELECT o.example,
  CASE o.example
    WHEN 'E1'  THEN compensation.amount(a, 'deposit') = 118800
    WHEN 'E2'  THEN compensation.amount(a, 'deposit') = 40000
    WHEN 'E3'  THEN compensation.is_empty(a)
    WHEN 'E4'  THEN compensation.amount(a, 'deposit') = 15400 AND compensation.amount(a, 'fee') = 15400
    WHEN 'E5'  THEN compensation.is_empty(a)
    WHEN 'E6'  THEN compensation.amount(a, 'points') = 2000
    WHEN 'E7'  THEN compensation.is_empty(a)
    WHEN 'E8a' THEN compensation.new_date(a, 'expires_at') = '2025-06-20 23:59:59+09' AND compensation.has(a, 'restored')
    WHEN 'E8b' THEN compensation.new_date(a, 'expires_at') = '2025-06-20 23:59:59+09' AND NOT compensation.has(a, 'restored')
    WHEN 'E8c' THEN compensation.is_empty(a)
    WHEN 'E8d' THEN compensation.is_empty(a)
    WHEN 'E9'  THEN compensation.amount(a, 'deposit') = 735
    WHEN 'E10' THEN compensation.is_empty(a)
    WHEN 'E11' THEN compensation.new_date(a, 'sub_end') = '2025-07-25 00:00+09' AND compensation.days(a, 'sub_end') = 30
    WHEN 'E12' THEN compensation.is_empty(a)
    WHEN 'E13' THEN compensation.new_date(a, 'rental_end') = '2025-06-25 00:00+09' AND compensation.days(a, 'rental_end') = 5
    WHEN 'E14' THEN compensation.is_empty(a)
    WHEN 'E15' THEN compensation.has(a, 'free_return')
    WHEN 'E16' THEN compensation.is_empty(a)
    WHEN 'E11-late' THEN compensation.is_empty(a)
    WHEN 'E13-late' THEN compensation.is_empty(a)
  END AS as_expected
FROM orders o, yes24 p, LATERAL compensation.evaluate(p.r1, o) a
ORDER BY o.order_id;

-- Round 2: once per member.
CREATE TEMP TABLE members (
  example text, member_id bigint, joined_at date, last_purchase_at date,
  bought_ebooks boolean, crema_valid_on_0608 boolean);
INSERT INTO members VALUES
  ('E17', 17, '2020-01-01', '2025-03-01', false, false),
  ('E18', 18, '2020-01-01', '2024-06-08', false, false),
  ('E19', 19, '2020-01-01', '2025-05-20', true,  true);

SELECT m.example, l.rule, l.kind, l.instrument, l.amount, l.days,
       l.window_kind, l.window_from, l.window_until
FROM members m CROSS JOIN yes24 p
LEFT JOIN LATERAL compensation.lines(compensation.evaluate(p.r2, m)) l ON true
ORDER BY m.member_id, l.rule;

SELECT m.example,
  CASE m.example
    WHEN 'E17' THEN compensation.amount(a, 'voucher') = 5000 AND compensation.has(a, 'crema_pass')
                    AND compensation.amount(a, 'free_shipping_coupon') = 1
                    AND NOT compensation.has(a, 'ebook_voucher')
    WHEN 'E18' THEN compensation.amount(a, 'voucher') = 5000 AND compensation.has(a, 'crema_pass')
                    AND NOT compensation.has(a, 'free_shipping_coupon')
                    AND NOT compensation.has(a, 'ebook_voucher')
    WHEN 'E19' THEN compensation.amount(a, 'voucher') = 5000 AND compensation.amount(a, 'ebook_voucher') = 5000
                    AND compensation.has(a, 'crema_pass') AND compensation.amount(a, 'free_shipping_coupon') = 1
  END AS as_expected
FROM members m, yes24 p, LATERAL compensation.evaluate(p.r2, m) a
ORDER BY m.member_id;

-- Totals of round 1 over the examples, with sum(award).
SELECT l.rule, l.kind, l.instrument, l.amount, l.days, l.count
FROM (SELECT compensation.sum(compensation.evaluate(p.r1, o)) s FROM orders o, yes24 p) t,
     LATERAL compensation.lines(t.s) l
ORDER BY l.rule, l.kind, l.instrument;

-- The session time zone changes nothing (law 3): the awards computed under
-- Asia/Seoul, recomputed under UTC and Pacific time, are identical.
CREATE TEMP TABLE seoul AS
  SELECT o.order_id, compensation.evaluate(p.r1, o) AS award FROM orders o, yes24 p;
SET TimeZone = 'UTC';
SELECT count(*) AS differing_in_utc FROM orders o, yes24 p, seoul s
WHERE s.order_id = o.order_id AND compensation.evaluate(p.r1, o)::text <> s.award::text;
SET TimeZone = 'America/Los_Angeles';
SELECT count(*) AS differing_in_los_angeles FROM orders o, yes24 p, seoul s
WHERE s.order_id = o.order_id AND compensation.evaluate(p.r1, o)::text <> s.award::text;
RESET TimeZone;
