-- bench/round1_plpgsql.sql: the YES24 round 1 policy (examples/yes24/yes24-round1.policy)
-- as a PL/pgSQL function: baseline (b) of B1.
--
--   psql -v ON_ERROR_STOP=1 -f bench/round1_plpgsql.sql   (after bench/setup.sql)
--
-- bench.round1_plpgsql(order) returns, per rule, the amount (or 1 for a flag,
-- the days for an extension) that the row gets, NULL when the rule does not
-- match: one IF per rule, in the policy's order, as a developer would
-- translate the policy.  The view bench.b1_plpgsql sums it like
-- bench.b1_case, with the same lines (rule|kind|instrument|amount|days|count).
-- The whole row is passed, as to compensation.evaluate.
\set ON_ERROR_STOP on

DROP VIEW IF EXISTS bench.b1_plpgsql;
DROP FUNCTION IF EXISTS bench.round1_plpgsql(bench.orders);
DROP TYPE IF EXISTS bench.r1_hits;

CREATE TYPE bench.r1_hits AS (
	voucher int, voucher_restore int, attend int, return_direct int,
	return_vendor int, ship_delay int, buyback numeric, ticket bigint,
	ticket_cancel bigint, fee bigint, crema int, ebook int
);

-- No SET search_path: a SET clause costs a GUC save/restore per call and
-- this function is timed.  Every name is schema-qualified or a literal.
CREATE FUNCTION bench.round1_plpgsql(o bench.orders) RETURNS bench.r1_hits
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
	h bench.r1_hits;
BEGIN
	-- R1-voucher
	IF o.service = 'voucher'
		AND o.expires_at >= timestamptz '2025-06-09 00:00+09'
		AND o.expires_at < timestamptz '2025-06-14 00:00+09' THEN
		h.voucher := 1;
	END IF;
	-- R1-voucher-restore
	IF o.service = 'voucher'
		AND o.expires_at >= timestamptz '2025-06-09 00:00+09'
		AND o.expires_at < timestamptz '2025-06-14 00:00+09'
		AND o.expired THEN
		h.voucher_restore := 1;
	END IF;
	-- R1-attend
	IF o.service = 'attend' THEN
		h.attend := 5;
	END IF;
	-- R1-return-direct
	IF o.service = 'book' AND o.delivery = 'direct'
		AND o.shipped_at >= timestamptz '2025-05-26 00:00+09'
		AND o.shipped_at < timestamptz '2025-06-16 00:00+09' THEN
		h.return_direct := 1;
	END IF;
	-- R1-return-vendor
	IF o.service = 'book' AND o.delivery = 'vendor'
		AND o.ordered_at >= timestamptz '2025-06-03 00:00+09'
		AND o.ordered_at < timestamptz '2025-06-10 00:00+09'
		AND NOT o.delivered THEN
		h.return_vendor := 1;
	END IF;
	-- R1-ship-delay
	IF o.service = 'book'
		AND o.ship_scheduled BETWEEN date '2025-06-09' AND date '2025-06-13' THEN
		h.ship_delay := 2000;
	END IF;
	-- R1-buyback
	IF o.service = 'buyback' AND o.received_at < timestamptz '2025-06-09 00:00+09' THEN
		h.buyback := floor(o.final_price / 10);
	END IF;
	-- R1-ticket
	IF o.service = 'ticket'
		AND o.show_at >= timestamptz '2025-06-09 00:00+09'
		AND o.show_at < timestamptz '2025-06-12 00:00+09'
		AND o.cancelled_at IS NULL AND NOT o.attended THEN
		h.ticket := (o.price * 12 + 5) / 10;
	END IF;
	-- R1-ticket-cancel
	IF o.service = 'ticket'
		AND o.show_at >= timestamptz '2025-06-09 00:00+09'
		AND o.show_at < timestamptz '2025-06-14 00:00+09'
		AND o.cancelled_at < timestamptz '2025-06-21 00:00+09' THEN
		h.ticket_cancel := (o.price * 2 + 5) / 10;
	END IF;
	-- R1-fee
	IF o.service = 'ticket'
		AND o.cancelled_at >= timestamptz '2025-06-09 00:00+09'
		AND o.cancelled_at < timestamptz '2025-06-21 00:00+09'
		AND o.cancel_fee > 0 THEN
		h.fee := o.cancel_fee;
	END IF;
	-- R1-crema
	IF o.service = 'crema'
		AND o.ordered_at < timestamptz '2025-06-09 00:00+09'
		AND o.sub_end >= date '2025-06-08' THEN
		h.crema := 30;
	END IF;
	-- R1-ebook
	IF o.service = 'ebook' AND o.rental
		AND o.ordered_at < timestamptz '2025-06-10 00:00+09'
		AND o.rental_end >= date '2025-06-09' THEN
		h.ebook := 5;
	END IF;
	RETURN h;
END
$$;
COMMENT ON FUNCTION bench.round1_plpgsql(bench.orders) IS
	'B1 baseline (b): YES24 round 1 as PL/pgSQL, per rule the amount, days or 1 (flag), NULL if no match';

-- OFFSET 0 keeps the subquery: the function runs once per row, and the
-- fields are read from its one result.
CREATE VIEW bench.b1_plpgsql AS
SELECT bench.r1_lines(
	count((h).voucher), count((h).voucher_restore),
	count((h).attend), sum((h).attend),
	count((h).return_direct), count((h).return_vendor),
	count((h).ship_delay), sum((h).ship_delay),
	count((h).buyback), sum((h).buyback),
	count((h).ticket), sum((h).ticket),
	count((h).ticket_cancel), sum((h).ticket_cancel),
	count((h).fee), sum((h).fee),
	count((h).crema), sum((h).crema),
	count((h).ebook), sum((h).ebook)) AS line
FROM (SELECT bench.round1_plpgsql(o) AS h FROM bench.orders o OFFSET 0) s;
COMMENT ON VIEW bench.b1_plpgsql IS
	'B1 baseline (b): YES24 round 1 through the PL/pgSQL function, totals per rule';
