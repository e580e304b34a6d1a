
--------------------------------------------------------------------------
-- A policy as a JSON document and back (src/ruleset_json.c,
-- src/ruleset_json_read.c, docs/json.md): ruleset -> jsonb -> ruleset gives
-- an equal value; a bad element's error names its JSON path.
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.ruleset_to_json(@extschema@.ruleset)
RETURNS pg_catalog.json
AS 'MODULE_PATHNAME', 'compensation_ruleset_to_json'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_to_json(@extschema@.ruleset) IS
	'a compiled policy as a JSON document: header, instruments, outage, lets and rules with conditions, lets and awards as expression trees; lossless (jsonb::ruleset gives the same value back)';

CREATE FUNCTION @extschema@.ruleset_to_jsonb(@extschema@.ruleset)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'compensation_ruleset_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_to_jsonb(@extschema@.ruleset) IS
	'ruleset_to_json() as jsonb';

-- IMMUTABLE as ruleset_in is: the document is compiled by the same parser.
CREATE FUNCTION @extschema@.ruleset_from_jsonb(pg_catalog.jsonb)
RETURNS @extschema@.ruleset
AS 'MODULE_PATHNAME', 'compensation_ruleset_from_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_from_jsonb(pg_catalog.jsonb) IS
	'a policy''s JSON document (as ruleset_to_jsonb writes it) compiled to a ruleset; each error names the JSON path of the bad element';

-- Explicit casts to and from jsonb.  No cast to json: to_json() and
-- to_jsonb() of a row look for a type's cast to json, and a ruleset inside
-- a row (a compensation.policy row, say) stays its canonical text there, as
-- in 0.1.0: compact, lossless, and what a stored row's JSON always was.
-- ruleset_to_json() gives the document as json.
CREATE CAST (@extschema@.ruleset AS pg_catalog.jsonb)
	WITH FUNCTION @extschema@.ruleset_to_jsonb(@extschema@.ruleset);
COMMENT ON CAST (@extschema@.ruleset AS pg_catalog.jsonb) IS
	'a policy as a JSON document (ruleset_to_jsonb)';
CREATE CAST (pg_catalog.jsonb AS @extschema@.ruleset)
	WITH FUNCTION @extschema@.ruleset_from_jsonb(pg_catalog.jsonb);
COMMENT ON CAST (pg_catalog.jsonb AS @extschema@.ruleset) IS
	'a policy''s JSON document compiled to a ruleset (ruleset_from_jsonb)';
