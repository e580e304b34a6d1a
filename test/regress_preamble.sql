\set ECHO none
-- test/regress_preamble.sql: the start every pg_regress test (sql/*.sql but
-- 00_install) shares.  A test begins with
--     \set test NAME
--     \i test/regress_preamble.sql
-- pg_regress feeds each file to psql on stdin with the repository root as
-- working directory, hence the path; this file lives outside sql/ so that
-- pg_regress does not take it for a test.  It echoes nothing (ECHO none
-- above): a test's expected output shows the two lines above, not these.
--
-- The extension is installed once, by sql/00_install.sql (0.1.0, then
-- updated), and every later test shares it: its policies, incidents, ledger,
-- issuance state, outbox and runs.  So a test never drops or recreates it;
-- it keeps its tables in its own schema and its policies and incidents
-- under its own names ("NAME/..."), and reads the shared tables filtered by
-- those names.  This file gives the test:
--   * its own schema test_NAME, alone on the search_path;
--   * :ledger_base, a ledger id taken before the test writes any line.
--     Ledger ids come from one sequence for all tests, so a test that shows
--     ids shows id - :ledger_base: 1 for its first line, whatever earlier
--     tests wrote (tests run one at a time);
--   * pg_temp.err(sql): runs a statement and returns 'SQLSTATE: message' of
--     the error it raises, or 'ok', so that an error case shows its SQLSTATE.
-- Session settings that shape the output (TimeZone, SHOW_CONTEXT,
-- VERBOSITY) stay in each test, where a reader sees them.
SELECT format('test_%s', :'test') AS schema \gset
CREATE SCHEMA :"schema";
SET search_path = :"schema";
SELECT nextval('compensation.ledger_id_seq') AS ledger_base \gset
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- pg_regress runs psql with -a: ECHO all again.
\set ECHO all
