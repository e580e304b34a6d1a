
--------------------------------------------------------------------------
-- Who bears the cost (issue 12): lines() and the ledger
--------------------------------------------------------------------------
-- An award line can name its bearer, a partner the policy names (a
-- concert's promoter, a vendor), or none: the company (80-bearer.sql has
-- the rest).  Here, before the reports of 62-reports.sql read it: lines()
-- gains a bearer column, and the ledger records it (31-settle.sql writes
-- it, and counts it in a line's identity).

-- lines() with the bearer as its last column: the result type changes, so
-- the function is dropped and created again (nothing of the extension
-- depends on it by OID: every caller is a function body read when it runs).
-- A user's view over lines() would stop the DROP with a bare "cannot drop";
-- say which objects and what to do, before anything is changed (the whole
-- update is undone either way).
DO $$
DECLARE
	v_deps text;
BEGIN
	SELECT string_agg(pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), ', '
		ORDER BY 1)
	INTO v_deps
	FROM pg_catalog.pg_depend AS d
	WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
	  AND d.refobjid = '@extschema@.lines(@extschema@.award)'::pg_catalog.regprocedure
	  AND d.deptype = 'n';
	IF v_deps IS NOT NULL THEN
		RAISE EXCEPTION 'compensation 0.2.0 changes the result of compensation.lines(award), which other objects use'
			USING ERRCODE = 'dependent_objects_still_exist',
				DETAIL = pg_catalog.format('lines() gains a last column, bearer. These depend on it: %s.', v_deps),
				HINT = 'Drop them, run ALTER EXTENSION compensation UPDATE, and create them again.';
	END IF;
END
$$;
DROP FUNCTION @extschema@.lines(@extschema@.award);
CREATE FUNCTION @extschema@.lines(@extschema@.award,
	OUT rule text, OUT kind text, OUT instrument text,
	OUT amount bigint, OUT amount_major numeric, OUT currency text,
	OUT days integer, OUT new_date timestamptz,
	OUT window_kind text, OUT window_from timestamptz, OUT window_until timestamptz,
	OUT note text, OUT count bigint, OUT bearer text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'compensation_award_lines'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.lines(@extschema@.award) IS
	'one row per award line; window_until is exclusive; bearer is who bears the line''s cost (NULL: the company)';

-- The ledger records who bears each line; a reversal copies its line's.
-- NULL is the company, and every line written before 0.2.0.
ALTER TABLE @extschema@.ledger ADD COLUMN bearer text;
COMMENT ON COLUMN @extschema@.ledger.bearer IS
	'who bears the line''s cost: the partner the policy named (a promoter, a vendor), or NULL for the company';
