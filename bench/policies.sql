-- bench/policies.sql: the generated policies of B2 and B3 (after bench/setup.sql).
--
--   psql -v ON_ERROR_STOP=1 -f bench/policies.sql
--
-- Adds to bench.policies (source text and compiled ruleset):
--
--   b2-N       N = 10, 100, 1,000, 10,000: one rule per show, first match,
--                rule "show-K" when show_id = K credit deposit price * 120% round half_up end
--              for K = 1 .. N.  Ticket rows carry a show_id in 1 .. 10,000
--              (bench/data.sql), so a ticket of show K <= N matches rule K;
--              every other row (other services: show_id NULL; later shows)
--              goes through all N conditions unless the evaluator can skip them.
--   b3-pad-N   N = 0, 1,000, 10,000: a catch-all first rule (no condition,
--              credit points 1) followed by N rules of the b2 shape that are
--              never reached under "hit first".  Evaluating them costs the
--              same per row whatever N is, unless the policy is compiled
--              (or copied, or scanned) per row: the compile-once proof of B3.
--
-- Deterministic: the text depends on N only.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.show_rules(first int, last int) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
SELECT coalesce(string_agg(format(E'rule "show-%s"\n  when show_id = %s\n  credit deposit price * 120%% round half_up\nend\n', k, k),
		E'\n' ORDER BY k), '')
FROM generate_series(first, last) AS k
$$;

CREATE FUNCTION pg_temp.header(name text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
SELECT format(E'policy "%s"\ncurrency KRW\ntimezone "Asia/Seoul"\nhit first\n\n', name)
$$;

DELETE FROM bench.policies WHERE name LIKE 'b2-%' OR name LIKE 'b3-%';

INSERT INTO bench.policies (name, source, rules)
SELECT name, source, source::compensation.ruleset
FROM (
	SELECT 'b2-' || n AS name, pg_temp.header('b2-' || n) || pg_temp.show_rules(1, n) AS source
	FROM unnest(ARRAY[10, 100, 1000, 10000]) AS n
	UNION ALL
	SELECT 'b3-pad-' || n, pg_temp.header('b3-pad-' || n)
		|| E'rule "all"\n  credit points 1\nend\n\n' || pg_temp.show_rules(1, n)
	FROM unnest(ARRAY[0, 1000, 10000]) AS n
) s;

ANALYZE bench.policies;
