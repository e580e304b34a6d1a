
--------------------------------------------------------------------------
-- Awards as JSON, = on awards, and a JSON document evaluated as a row
--------------------------------------------------------------------------
-- An app reads an award as a JSON object (src/award_json.c, docs/json.md):
-- currency, exponent and lines with rule, kind, instrument, exact amounts in
-- minor and major units, days, dates in ISO 8601 at the policy's offset,
-- windows.  Pure: no session setting is read.
CREATE FUNCTION @extschema@.award_to_json(@extschema@.award)
RETURNS pg_catalog.json
AS 'MODULE_PATHNAME', 'compensation_award_to_json'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_to_json(@extschema@.award) IS
	'an award as a JSON object: currency, exponent, lines (rule, kind, extend, instrument, unit, amount in minor units, amount_major, days, new_date, window, note, count); times in ISO 8601 at the policy''s UTC offset; reads no session setting';

CREATE FUNCTION @extschema@.award_to_jsonb(@extschema@.award)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'compensation_award_to_jsonb'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_to_jsonb(@extschema@.award) IS
	'award_to_json() as jsonb';

-- Explicit casts: an award is not silently stored into a json column, but
-- award::jsonb works, and to_json()/to_jsonb()/row_to_json()/jsonb_agg()
-- find the cast to json (PostgreSQL looks for one for any type it does not
-- know) and give the object, not the award text as a JSON string.
CREATE CAST (@extschema@.award AS pg_catalog.json)
	WITH FUNCTION @extschema@.award_to_json(@extschema@.award);
COMMENT ON CAST (@extschema@.award AS pg_catalog.json) IS
	'an award as a JSON object (award_to_json); also what to_json() and to_jsonb() use';
CREATE CAST (@extschema@.award AS pg_catalog.jsonb)
	WITH FUNCTION @extschema@.award_to_jsonb(@extschema@.award);
COMMENT ON CAST (@extschema@.award AS pg_catalog.jsonb) IS
	'an award as a JSON object (award_to_jsonb)';

-- = and <> on awards: the same currency and the same lines in the same
-- order (src/award_op.c); a hash operator class, so GROUP BY, DISTINCT,
-- hash joins and IN work on awards.
CREATE FUNCTION @extschema@.award_eq(@extschema@.award, @extschema@.award)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_award_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_eq(@extschema@.award, @extschema@.award) IS
	'true if two awards are the same value: same currency, same lines in the same order (same text)';

CREATE FUNCTION @extschema@.award_ne(@extschema@.award, @extschema@.award)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_award_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_ne(@extschema@.award, @extschema@.award) IS
	'true if two awards differ';

CREATE FUNCTION @extschema@.award_hash(@extschema@.award)
RETURNS integer
AS 'MODULE_PATHNAME', 'compensation_award_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_hash(@extschema@.award) IS
	'hash of an award, for the hash operator class';

CREATE FUNCTION @extschema@.award_hash_extended(@extschema@.award, bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'compensation_award_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_hash_extended(@extschema@.award, bigint) IS
	'seeded hash of an award, for the hash operator class (hash partitioning)';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.award, RIGHTARG = @extschema@.award,
	PROCEDURE = @extschema@.award_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.award, @extschema@.award) IS
	'same award: same currency, same lines in the same order';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.award, RIGHTARG = @extschema@.award,
	PROCEDURE = @extschema@.award_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.award, @extschema@.award) IS
	'different awards';

CREATE OPERATOR CLASS @extschema@.award_hash_ops
DEFAULT FOR TYPE @extschema@.award USING hash AS
	OPERATOR 1 @extschema@.= ,
	FUNCTION 1 @extschema@.award_hash(@extschema@.award),
	FUNCTION 2 @extschema@.award_hash_extended(@extschema@.award, bigint);
COMMENT ON OPERATOR CLASS @extschema@.award_hash_ops USING hash IS
	'equality and hashing of awards';

-- A row an app holds as a JSON object, evaluated as a row of the given row
-- type (src/evaluate_json.c, docs/json.md).  STABLE: a row type's column
-- input may read a setting or catalog (money, interval, enums, domains);
-- dates and times are read in ISO 8601 only, with an offset for
-- timestamptz, so neither DateStyle nor TimeZone changes an award.
CREATE FUNCTION @extschema@.evaluate_json(rules @extschema@.ruleset,
	doc pg_catalog.jsonb, row_type anyelement)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_evaluate_json'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.evaluate_json(@extschema@.ruleset, pg_catalog.jsonb, anyelement) IS
	'the award of a row given as a JSON object, typed by row_type (pass NULL::table): every key must be a column, every column the policy reads a key; ISO 8601 dates and times; an error names its key; not STRICT: row_type is usually NULL (a NULL policy or document gives NULL)';

-- has() and lines() changed meaning in the C library (src/award_read.c):
-- a review line is found by has(a, 'review') and is on no instrument; a
-- counted amount has neither amount_major nor currency.
COMMENT ON FUNCTION @extschema@.has(@extschema@.award, text) IS
	'true if any line awards something on this instrument, item, flag or column; has(a, ''review''): true if any line is a review (a review line is on no instrument)';
COMMENT ON FUNCTION @extschema@.lines(@extschema@.award) IS
	'one row per award line; window_until is exclusive; amount_major and currency only for money (NULL for counted instruments such as points); a review line''s instrument is what is under review';
