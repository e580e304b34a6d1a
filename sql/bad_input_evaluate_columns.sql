-- Bad input: compensation._evaluate_columns(), the call the planner makes
-- of evaluate() over a table, is callable by anyone who may call
-- evaluate(), so every argument can be forged.  0.1.0 trusted them: a
-- bigint passed for a name column crashed the server, a text passed for a
-- bigint column paid a heap address.  Each forged call is now 22023
-- before any value is read.
CREATE SCHEMA test_bad_columns;
SET search_path = test_bad_columns;
\set SHOW_CONTEXT never
-- Errors with their detail: here the message is the same for every case.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ': ' || SQLERRM || E'\n' || d;
END $$;
CREATE ROLE bad_columns_user;
GRANT USAGE ON SCHEMA test_bad_columns TO bad_columns_user;
GRANT compensation_analyst TO bad_columns_user;   -- USAGE on the schema
SET ROLE bad_columns_user;

-- The two calls of the report: a bigint as a name (signal 11), a text as a
-- bigint (a heap address as the amount).
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" when relname = ''x'' flag f end'::compensation.ruleset,
	NULL::pg_catalog.pg_class, '{relname}', 12345::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{seqstart}', 'abc'::text)$q$);
-- Their neighbours: an unknown or dropped column, a column the policy reads
-- left out (it would read as NULL and pay nothing), a count mismatch, a NULL
-- name, a two-dimensional list, a record instead of a row type, a list of
-- another element type.
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{nosuch}', 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{seqincrement}', 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{seqstart,seqmax}', 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, ARRAY[NULL]::text[], 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, '{{seqstart}}', 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::record, '{seqstart}', 5::bigint)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points seqstart end'::compensation.ruleset,
	NULL::pg_catalog.pg_sequence, NULL, 5::bigint)$q$);
-- A domain over the column's type is another type: refused too.
RESET ROLE;
CREATE DOMAIN big AS bigint;
CREATE TABLE dropped (a int, gone text, price bigint);
ALTER TABLE dropped DROP COLUMN gone;
INSERT INTO dropped VALUES (1, 1000);
SET ROLE bad_columns_user;
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points price end'::compensation.ruleset,
	NULL::test_bad_columns.dropped, '{price}', 5::test_bad_columns.big)$q$);
SELECT pg_temp.err($q$SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points price end'::compensation.ruleset,
	NULL::test_bad_columns.dropped, '{........pg.dropped.2........}', 5::bigint)$q$);
-- A well-formed call is the award evaluate() gives, and the planner's own
-- rewrite names the columns, so a table with a dropped column (a Citus
-- shard made without it numbers its columns differently) still evaluates
-- by name.
RESET ROLE;
GRANT SELECT ON dropped TO bad_columns_user;
SET ROLE bad_columns_user;
SELECT compensation._evaluate_columns(
	'policy "p" currency KRW rule "r" credit points price end'::compensation.ruleset,
	NULL::test_bad_columns.dropped, '{price}', 5::bigint);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.evaluate('policy "p" currency KRW rule "r" credit points price end'::compensation.ruleset, d)
FROM dropped d;
SELECT compensation.evaluate('policy "p" currency KRW rule "r" credit points price end'::compensation.ruleset, d)
FROM dropped d;
RESET ROLE;
DROP SCHEMA test_bad_columns CASCADE;
DROP OWNED BY bad_columns_user;
DROP ROLE bad_columns_user;
RESET search_path;
