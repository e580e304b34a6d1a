-- bench/totals.sql: the views of B9 (issue 12): four instrument totals per
-- service, written four ways, each giving the lines
-- service|deposit|points|fee|sub_end days (a service with nothing: zeros).
--
--   psql -v ON_ERROR_STOP=1 -v round1="$(cat examples/yes24/yes24-round1.policy)" -f bench/totals.sql
--   (after bench/setup.sql: bench.policies holds round 1)
--
--   b9_case       the baseline: the totals written by hand as CASE
--                 expressions, only the rules that feed them
--   b9_readme     the form the README teaches: the policy read once (a
--                 scalar subquery), the awards summed per service with
--                 compensation.sum, the four totals read from each sum
--   b9_join       the same sum, the policy joined from bench.policies
--   b9_const      the same sum, the policy a constant of the query
--   b9_accessor   the per-accessor form the README warns about: the
--                 accessors over a subquery of awards, which PostgreSQL
--                 flattens into one evaluate() per accessor
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP VIEW IF EXISTS bench.b9_case, bench.b9_readme, bench.b9_join, bench.b9_const, bench.b9_accessor;

CREATE VIEW bench.b9_case AS
SELECT format('%s|%s|%s|%s|%s', service,
	coalesce(sum(buyback), 0) + coalesce(sum(ticket), 0) + coalesce(sum(ticket_cancel), 0),
	coalesce(sum(attend), 0) + coalesce(sum(ship_delay), 0),
	coalesce(sum(fee), 0), coalesce(sum(crema), 0)) AS line
FROM (
	SELECT o.service,
		-- R1-attend: credit points outage_days (5)
		CASE WHEN o.service = 'attend' THEN 5 END AS attend,
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
			AND o.sub_end >= date '2025-06-08' THEN 30 END AS crema
	FROM bench.orders o
) r
GROUP BY service
ORDER BY 1;
COMMENT ON VIEW bench.b9_case IS
	'B9 baseline: deposit, points, fee and sub_end days per service, as hand-written CASE expressions';

CREATE VIEW bench.b9_readme AS
SELECT format('%s|%s|%s|%s|%s', service,
	compensation.amount(total, 'deposit'), compensation.amount(total, 'points'),
	compensation.amount(total, 'fee'), compensation.days(total, 'sub_end')) AS line
FROM (SELECT o.service,
             compensation.sum(compensation.evaluate(
                 (SELECT rules FROM bench.policies WHERE name = 'yes24-round1'), o)) AS total
      FROM bench.orders o
      GROUP BY o.service) s
ORDER BY 1;
COMMENT ON VIEW bench.b9_readme IS
	'B9 as the README teaches: the policy read once, the awards summed per service, the totals read from each sum';

CREATE VIEW bench.b9_join AS
SELECT format('%s|%s|%s|%s|%s', service,
	compensation.amount(total, 'deposit'), compensation.amount(total, 'points'),
	compensation.amount(total, 'fee'), compensation.days(total, 'sub_end')) AS line
FROM (SELECT o.service, compensation.sum(compensation.evaluate(p.rules, o)) AS total
      FROM bench.orders o JOIN bench.policies p ON p.name = 'yes24-round1'
      GROUP BY o.service) s
ORDER BY 1;
COMMENT ON VIEW bench.b9_join IS
	'B9, the sum form with the policy joined from bench.policies';

CREATE VIEW bench.b9_const AS
SELECT format('%s|%s|%s|%s|%s', service,
	compensation.amount(total, 'deposit'), compensation.amount(total, 'points'),
	compensation.amount(total, 'fee'), compensation.days(total, 'sub_end')) AS line
FROM (SELECT o.service, compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset, o)) AS total
      FROM bench.orders o
      GROUP BY o.service) s
ORDER BY 1;
COMMENT ON VIEW bench.b9_const IS
	'B9, the sum form with the policy a constant of the query';

CREATE VIEW bench.b9_accessor AS
SELECT format('%s|%s|%s|%s|%s', service,
	sum(compensation.amount(a, 'deposit')), sum(compensation.amount(a, 'points')),
	sum(compensation.amount(a, 'fee')), sum(compensation.days(a, 'sub_end'))) AS line
FROM (SELECT o.service, compensation.evaluate(p.rules, o) AS a
      FROM bench.orders o JOIN bench.policies p ON p.name = 'yes24-round1') s
GROUP BY service
ORDER BY 1;
COMMENT ON VIEW bench.b9_accessor IS
	'B9, the per-accessor form: PostgreSQL flattens the subquery, so each accessor evaluates the policy again';
