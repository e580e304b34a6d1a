
--------------------------------------------------------------------------
-- What-if parameters (issues 11 and 12)
--------------------------------------------------------------------------
-- A policy declares "param rate = 120%" (a literal: number, text, boolean,
-- date or time, duration); with_params() returns the ruleset with other
-- values, the same value the edited policy text compiles to, so every other
-- function (evaluate, explain, simulate, the ledger) takes it unchanged
-- (src/ruleset_params.c, docs/policy-language.md "Parameters").  Pure: it
-- compiles once per call, so call it on a constant or in an uncorrelated
-- subquery, not per row.
CREATE FUNCTION @extschema@.with_params(rules @extschema@.ruleset, overrides pg_catalog.jsonb)
RETURNS @extschema@.ruleset
AS 'MODULE_PATHNAME', 'compensation_with_params'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.with_params(@extschema@.ruleset, pg_catalog.jsonb) IS
	'the ruleset with its parameters (param lines) set to other values: a JSON object of names and values (a JSON number, or a string in the policy''s notation such as "130%", "2025-07-01" or "7 days"); an unknown name is 42704, a value of the wrong kind 22023';

CREATE FUNCTION @extschema@.params(rules @extschema@.ruleset,
	OUT name pg_catalog.text, OUT value pg_catalog.text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'compensation_params'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.params(@extschema@.ruleset) IS
	'the parameters a policy declares (param lines), in order, with their values as the policy writes them';
