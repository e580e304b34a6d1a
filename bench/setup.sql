-- bench/setup.sql: what every benchmark query shares (after bench/data.sql).
--
--   psql -v ON_ERROR_STOP=1 -v round1="$(cat examples/yes24/yes24-round1.policy)" -f bench/setup.sql
--
-- Creates in schema bench:
--   r1_lines(...)        the per-rule totals of round 1 as text lines
--                        rule|kind|instrument|amount|days|count, sorted:
--                        the form in which every B1 variant reports, so that
--                        their results can be compared as text
--   policies             the compiled policies the benchmark evaluates
--                        (round 1 here; bench/policies.sql adds the generated
--                        ones of B2 and B3)
--   b1_count             the floor: count(*) over bench.orders
--   b1_evaluate          compensation.evaluate(round 1, o) summed with
--                        compensation.sum, the policy a constant of the query
--   b1_evaluate_table    the same, the policy read from bench.policies
--   b1_evaluate_row      as b1_evaluate, the row passed as a composite datum
--                        (ROW(o.*)::bench.orders), which keeps the planner from
--                        passing evaluate() the columns the policy reads
-- The CASE and PL/pgSQL baselines are in round1_case.sql and
-- round1_plpgsql.sql.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;
DROP VIEW IF EXISTS bench.b1_count, bench.b1_evaluate, bench.b1_evaluate_table, bench.b1_evaluate_row,
	bench.b1_case, bench.b1_plpgsql;
DROP FUNCTION IF EXISTS bench.r1_lines(numeric, numeric, numeric, numeric, numeric,
	numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric,
	numeric, numeric, numeric, numeric, numeric, numeric);
DROP TABLE IF EXISTS bench.policies;

-- The lines compensation.lines() gives for the round 1 total, from
-- per-rule counts and sums: rule|kind|instrument|amount|days|count (an
-- empty field where lines() gives NULL).  Rules no row matched give no line,
-- as in sum(award).
CREATE FUNCTION bench.r1_lines(
	voucher_n numeric, restore_n numeric,
	attend_n numeric, attend_points numeric,
	direct_n numeric, vendor_n numeric,
	ship_n numeric, ship_points numeric,
	buyback_n numeric, buyback_deposit numeric,
	ticket_n numeric, ticket_deposit numeric,
	cancel_n numeric, cancel_deposit numeric,
	fee_n numeric, fee_waived numeric,
	crema_n numeric, crema_days numeric,
	ebook_n numeric, ebook_days numeric)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT l FROM (VALUES
	('R1-voucher|extend|expires_at|||' || voucher_n, voucher_n),
	('R1-voucher-restore|flag|restored|||' || restore_n, restore_n),
	('R1-attend|credit|points|' || attend_points || '||' || attend_n, attend_n),
	('R1-return-direct|flag|free_return|||' || direct_n, direct_n),
	('R1-return-vendor|flag|free_return|||' || vendor_n, vendor_n),
	('R1-ship-delay|credit|points|' || ship_points || '||' || ship_n, ship_n),
	('R1-buyback|credit|deposit|' || buyback_deposit || '||' || buyback_n, buyback_n),
	('R1-ticket|credit|deposit|' || ticket_deposit || '||' || ticket_n, ticket_n),
	('R1-ticket-cancel|credit|deposit|' || cancel_deposit || '||' || cancel_n, cancel_n),
	('R1-fee|waive|fee|' || fee_waived || '||' || fee_n, fee_n),
	('R1-crema|extend|sub_end||' || crema_days || '|' || crema_n, crema_n),
	('R1-ebook|extend|rental_end||' || ebook_days || '|' || ebook_n, ebook_n)
) v(l, n)
WHERE n > 0
ORDER BY l
$$;
COMMENT ON FUNCTION bench.r1_lines(numeric, numeric, numeric, numeric, numeric,
	numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric,
	numeric, numeric, numeric, numeric, numeric, numeric) IS
	'round 1 totals per rule as rule|kind|instrument|amount|days|count lines, as compensation.lines gives them';

CREATE TABLE bench.policies (
	name   text PRIMARY KEY,
	source text NOT NULL,
	rules  compensation.ruleset NOT NULL
);
COMMENT ON TABLE bench.policies IS 'the policies the benchmark evaluates, source and compiled';
INSERT INTO bench.policies VALUES ('yes24-round1', :'round1', :'round1');

CREATE VIEW bench.b1_count AS
SELECT count(*)::text AS line FROM bench.orders o;
COMMENT ON VIEW bench.b1_count IS 'B1 floor (c): a bare scan';

CREATE VIEW bench.b1_evaluate AS
SELECT format('%s|%s|%s|%s|%s|%s', l.rule, l.kind, l.instrument, l.amount, l.days, l.count) AS line
FROM (SELECT compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset, o)) AS total
      FROM bench.orders o) t,
	compensation.lines(t.total) l
ORDER BY 1;
COMMENT ON VIEW bench.b1_evaluate IS
	'B1: YES24 round 1 evaluated over every order, the policy a constant, totals per rule';

CREATE VIEW bench.b1_evaluate_table AS
SELECT format('%s|%s|%s|%s|%s|%s', l.rule, l.kind, l.instrument, l.amount, l.days, l.count) AS line
FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
      FROM bench.orders o JOIN bench.policies p ON p.name = 'yes24-round1') t,
	compensation.lines(t.total) l
ORDER BY 1;
COMMENT ON VIEW bench.b1_evaluate_table IS
	'B1: YES24 round 1 evaluated over every order, the policy read from bench.policies';
CREATE VIEW bench.b1_evaluate_row AS
SELECT format('%s|%s|%s|%s|%s|%s', l.rule, l.kind, l.instrument, l.amount, l.days, l.count) AS line
FROM (SELECT compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset,
		ROW(o.*)::bench.orders)) AS total
      FROM bench.orders o) t,
	compensation.lines(t.total) l
ORDER BY 1;
COMMENT ON VIEW bench.b1_evaluate_row IS
	'B1: as b1_evaluate, the row passed whole, as a composite datum';
