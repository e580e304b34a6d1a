
--------------------------------------------------------------------------
-- evaluate() over a table: the planner passes the columns by name
--------------------------------------------------------------------------
-- 0.1.0 passed attribute numbers, which name other columns on a node whose
-- copy of the table has no dropped columns (a Citus worker's shard); and the
-- entry point trusted its arguments' types, which anyone could forge.  The
-- C entry point now checks every argument once per call site (types against
-- the named attributes, every column the policy reads present); the new
-- declaration names the columns (src/evaluate_support.c).
DROP FUNCTION @extschema@._evaluate_columns(@extschema@.ruleset, anyelement,
	pg_catalog.int2[], "any");
CREATE FUNCTION @extschema@._evaluate_columns(rules @extschema@.ruleset,
	rowtype anyelement, columns pg_catalog.text[], VARIADIC "values" "any")
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_evaluate_columns'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._evaluate_columns(@extschema@.ruleset, anyelement, pg_catalog.text[], "any") IS
	'internal: evaluate(rules, row) with the row given as the named columns of rowtype; what the planner makes of evaluate() over a table; every argument is checked against the row type (not STRICT: a NULL row type names it, NULL columns are values)';
