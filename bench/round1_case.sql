-- bench/round1_case.sql: the YES24 round 1 policy (examples/yes24/yes24-round1.policy)
-- written by hand as SQL CASE expressions: baseline (a) of B1.
--
--   psql -v ON_ERROR_STOP=1 -f bench/round1_case.sql     (after bench/setup.sql)
--
-- The view bench.b1_case gives the same totals as
--   compensation.lines(compensation.sum(compensation.evaluate(round1, o)))
-- over bench.orders, one text line per rule in the form of bench.r1_lines:
-- rule|kind|instrument|amount|days|count.  bench/run.sh and bench/smoke.sh
-- fail if the two ever differ.
--
-- Written the way a careful SQL author would for speed: one CASE per rule,
-- no function calls per row, exact integer arithmetic, the policy's KST
-- calendar days turned into half-open ranges of instants by hand:
--   `t in 2025-06-09 .. 2025-06-13`  ->  t >= 06-09 00:00+09 and t < 06-14 00:00+09
--   `t <= 2025-06-20`                ->  t < 06-21 00:00+09
--   `t < 2025-06-09`                 ->  t < 06-09 00:00+09
-- and the policy's roundings written for the non-negative amounts of the data:
--   price * 120% half_up -> (price * 12 + 5) / 10,   final_price * 10% floor -> floor(final_price / 10).
\set ON_ERROR_STOP on

CREATE OR REPLACE VIEW bench.b1_case AS
SELECT bench.r1_lines(
	count(voucher), count(voucher_restore),
	count(attend), sum(attend),
	count(return_direct), count(return_vendor),
	count(ship_delay), sum(ship_delay),
	count(buyback), sum(buyback),
	count(ticket), sum(ticket),
	count(ticket_cancel), sum(ticket_cancel),
	count(fee), sum(fee),
	count(crema), sum(crema),
	count(ebook), sum(ebook)) AS line
FROM (
	SELECT
		-- R1-voucher: extend expires_at to 2025-06-20 23:59:59 (always later
		-- than an expiry inside the outage, so every match gives a line)
		CASE WHEN o.service = 'voucher'
			AND o.expires_at >= timestamptz '2025-06-09 00:00+09'
			AND o.expires_at < timestamptz '2025-06-14 00:00+09' THEN 1 END AS voucher,
		-- R1-voucher-restore: flag restored
		CASE WHEN o.service = 'voucher'
			AND o.expires_at >= timestamptz '2025-06-09 00:00+09'
			AND o.expires_at < timestamptz '2025-06-14 00:00+09'
			AND o.expired THEN 1 END AS voucher_restore,
		-- R1-attend: credit points outage_days (5)
		CASE WHEN o.service = 'attend' THEN 5 END AS attend,
		-- R1-return-direct: flag free_return
		CASE WHEN o.service = 'book' AND o.delivery = 'direct'
			AND o.shipped_at >= timestamptz '2025-05-26 00:00+09'
			AND o.shipped_at < timestamptz '2025-06-16 00:00+09' THEN 1 END AS return_direct,
		-- R1-return-vendor: flag free_return
		CASE WHEN o.service = 'book' AND o.delivery = 'vendor'
			AND o.ordered_at >= timestamptz '2025-06-03 00:00+09'
			AND o.ordered_at < timestamptz '2025-06-10 00:00+09'
			AND NOT o.delivered THEN 1 END AS return_vendor,
		-- R1-ship-delay: credit points 2000
		CASE WHEN o.service = 'book'
			AND o.ship_scheduled BETWEEN date '2025-06-09' AND date '2025-06-13' THEN 2000 END AS ship_delay,
		-- R1-buyback: credit deposit final_price * 10% round floor
		CASE WHEN o.service = 'buyback'
			AND o.received_at < timestamptz '2025-06-09 00:00+09'
			THEN floor(o.final_price / 10) END AS buyback,
		-- R1-ticket: credit deposit price * 120% round half_up
		CASE WHEN o.service = 'ticket'
			AND o.show_at >= timestamptz '2025-06-09 00:00+09'
			AND o.show_at < timestamptz '2025-06-12 00:00+09'
			AND o.cancelled_at IS NULL AND NOT o.attended
			THEN (o.price * 12 + 5) / 10 END AS ticket,
		-- R1-ticket-cancel: credit deposit price * 20% round half_up
		CASE WHEN o.service = 'ticket'
			AND o.show_at >= timestamptz '2025-06-09 00:00+09'
			AND o.show_at < timestamptz '2025-06-14 00:00+09'
			AND o.cancelled_at < timestamptz '2025-06-21 00:00+09'
			THEN (o.price * 2 + 5) / 10 END AS ticket_cancel,
		-- R1-fee: waive fee cancel_fee
		CASE WHEN o.service = 'ticket'
			AND o.cancelled_at >= timestamptz '2025-06-09 00:00+09'
			AND o.cancelled_at < timestamptz '2025-06-21 00:00+09'
			AND o.cancel_fee > 0 THEN o.cancel_fee END AS fee,
		-- R1-crema: extend sub_end by 30 days
		CASE WHEN o.service = 'crema'
			AND o.ordered_at < timestamptz '2025-06-09 00:00+09'
			AND o.sub_end >= date '2025-06-08' THEN 30 END AS crema,
		-- R1-ebook: extend rental_end by 5 days
		CASE WHEN o.service = 'ebook' AND o.rental
			AND o.ordered_at < timestamptz '2025-06-10 00:00+09'
			AND o.rental_end >= date '2025-06-09' THEN 5 END AS ebook
	FROM bench.orders o
) r;
COMMENT ON VIEW bench.b1_case IS
	'B1 baseline (a): YES24 round 1 as hand-written CASE expressions, totals per rule';
