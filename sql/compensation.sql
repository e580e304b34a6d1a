-- compensation: the current install script.  The Makefile copies it to
-- compensation--<version>.sql; released versions and upgrade steps are never
-- edited once released.
\echo Use "CREATE EXTENSION compensation" to load this file. \quit

--------------------------------------------------------------------------
-- compensation.ruleset: a compiled policy
--------------------------------------------------------------------------
CREATE TYPE @extschema@.ruleset;

CREATE FUNCTION @extschema@.ruleset_in(pg_catalog.cstring)
RETURNS @extschema@.ruleset
AS 'MODULE_PATHNAME', 'compensation_ruleset_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ruleset_out(@extschema@.ruleset)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'compensation_ruleset_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ruleset_recv(pg_catalog.internal)
RETURNS @extschema@.ruleset
AS 'MODULE_PATHNAME', 'compensation_ruleset_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.ruleset_send(@extschema@.ruleset)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'compensation_ruleset_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.ruleset (
	INPUT = @extschema@.ruleset_in,
	OUTPUT = @extschema@.ruleset_out,
	RECEIVE = @extschema@.ruleset_recv,
	SEND = @extschema@.ruleset_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.ruleset IS
	'a compensation policy compiled from the policy language; prints in canonical form';
COMMENT ON FUNCTION @extschema@.ruleset_in(pg_catalog.cstring) IS
	'compiles policy text into a ruleset; a bad policy is an error naming its line and column';
COMMENT ON FUNCTION @extschema@.ruleset_out(@extschema@.ruleset) IS
	'the canonical text of a policy';
COMMENT ON FUNCTION @extschema@.ruleset_recv(pg_catalog.internal) IS
	'binary input: a version byte and the canonical text, compiled again';
COMMENT ON FUNCTION @extschema@.ruleset_send(@extschema@.ruleset) IS
	'binary output: a version byte and the canonical text';

CREATE FUNCTION @extschema@.ruleset_eq(@extschema@.ruleset, @extschema@.ruleset)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_ruleset_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_eq(@extschema@.ruleset, @extschema@.ruleset) IS
	'true if two rulesets are the same compiled policy';

CREATE FUNCTION @extschema@.ruleset_ne(@extschema@.ruleset, @extschema@.ruleset)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_ruleset_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_ne(@extschema@.ruleset, @extschema@.ruleset) IS
	'true if two rulesets differ';

CREATE FUNCTION @extschema@.ruleset_hash(@extschema@.ruleset)
RETURNS integer
AS 'MODULE_PATHNAME', 'compensation_ruleset_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ruleset_hash(@extschema@.ruleset) IS
	'hash of a ruleset, for the hash operator class';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.ruleset, RIGHTARG = @extschema@.ruleset,
	PROCEDURE = @extschema@.ruleset_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.ruleset, RIGHTARG = @extschema@.ruleset,
	PROCEDURE = @extschema@.ruleset_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE OPERATOR CLASS @extschema@.ruleset_hash_ops
DEFAULT FOR TYPE @extschema@.ruleset USING hash AS
	OPERATOR 1 @extschema@.= ,
	FUNCTION 1 @extschema@.ruleset_hash(@extschema@.ruleset);

CREATE FUNCTION @extschema@.policy_name(@extschema@.ruleset)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_ruleset_policy_name'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.policy_name(@extschema@.ruleset) IS
	'the name a policy gives itself in its header';

CREATE FUNCTION @extschema@.rule_count(@extschema@.ruleset)
RETURNS integer
AS 'MODULE_PATHNAME', 'compensation_ruleset_rule_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rule_count(@extschema@.ruleset) IS
	'how many rules a policy has';

--------------------------------------------------------------------------
-- compensation.award: what one row is owed
--------------------------------------------------------------------------
CREATE TYPE @extschema@.award;

CREATE FUNCTION @extschema@.award_in(pg_catalog.cstring)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_award_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.award_out(@extschema@.award)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'compensation_award_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.award_recv(pg_catalog.internal)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_award_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.award_send(@extschema@.award)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'compensation_award_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.award (
	INPUT = @extschema@.award_in,
	OUTPUT = @extschema@.award_out,
	RECEIVE = @extschema@.award_recv,
	SEND = @extschema@.award_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.award IS
	'the award lines one row gets from a policy: rule, kind, instrument, amount, days, new date, window';
COMMENT ON FUNCTION @extschema@.award_in(pg_catalog.cstring) IS
	'reads an award in the form award_out prints';
COMMENT ON FUNCTION @extschema@.award_out(@extschema@.award) IS
	'an award as text, amounts in major units, times in the policy''s time zone';
COMMENT ON FUNCTION @extschema@.award_recv(pg_catalog.internal) IS
	'binary input of an award, validated';
COMMENT ON FUNCTION @extschema@.award_send(@extschema@.award) IS
	'binary output of an award';

--------------------------------------------------------------------------
-- Evaluation
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.evaluate(rules @extschema@.ruleset, "row" anyelement)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_evaluate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.evaluate(@extschema@.ruleset, anyelement) IS
	'the award a row gets from a policy';

CREATE FUNCTION @extschema@.explain(rules @extschema@.ruleset, "row" anyelement,
	OUT rule_no integer, OUT rule text, OUT matched boolean,
	OUT failed_condition text, OUT detail text, OUT award @extschema@.award)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'compensation_explain'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.explain(@extschema@.ruleset, anyelement) IS
	'for each rule of a policy: whether the row matched, the first condition that failed and its values, and what the rule awarded';

--------------------------------------------------------------------------
-- Reading awards
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.lines(@extschema@.award,
	OUT rule text, OUT kind text, OUT instrument text,
	OUT amount bigint, OUT amount_major numeric, OUT currency text,
	OUT days integer, OUT new_date timestamptz,
	OUT window_kind text, OUT window_from timestamptz, OUT window_until timestamptz,
	OUT note text, OUT count bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'compensation_award_lines'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.lines(@extschema@.award) IS
	'one row per award line; window_until is exclusive';

CREATE FUNCTION @extschema@.is_empty(@extschema@.award)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_award_is_empty'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_empty(@extschema@.award) IS
	'true if nothing is awarded';

CREATE FUNCTION @extschema@.amount(@extschema@.award, instrument text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'compensation_award_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.amount(@extschema@.award, text) IS
	'total amount (minor units, or whole units for counted instruments) of the lines on an instrument; 0 if none';

CREATE FUNCTION @extschema@.days(@extschema@.award, target text)
RETURNS integer
AS 'MODULE_PATHNAME', 'compensation_award_days'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days(@extschema@.award, text) IS
	'total days extended or granted on a column or item; 0 if none';

CREATE FUNCTION @extschema@.new_date(@extschema@.award, target text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'compensation_award_new_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.new_date(@extschema@.award, text) IS
	'the new date of a column the award extends, or NULL';

CREATE FUNCTION @extschema@.has(@extschema@.award, instrument text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'compensation_award_has'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.has(@extschema@.award, text) IS
	'true if any line names this instrument, item, flag or column';

CREATE FUNCTION @extschema@.currency(@extschema@.award)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_award_currency'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.currency(@extschema@.award) IS
	'the ISO 4217 currency of the award''s amounts';

--------------------------------------------------------------------------
-- sum(award): lines summed per rule, kind and instrument
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.award_sum_transfn(pg_catalog.internal, @extschema@.award)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'compensation_award_sum_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_sum_transfn(pg_catalog.internal, @extschema@.award) IS
	'sum(award) transition; not STRICT because the first call creates the state';

CREATE FUNCTION @extschema@.award_sum_combinefn(pg_catalog.internal, pg_catalog.internal)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'compensation_award_sum_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_sum_combinefn(pg_catalog.internal, pg_catalog.internal) IS
	'sum(award) combine, for parallel and partial aggregation; not STRICT: either state may be NULL';

CREATE FUNCTION @extschema@.award_sum_serialfn(pg_catalog.internal)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'compensation_award_sum_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_sum_serialfn(pg_catalog.internal) IS
	'sum(award) state to bytes, for parallel workers';

CREATE FUNCTION @extschema@.award_sum_deserialfn(pg_catalog.bytea, pg_catalog.internal)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'compensation_award_sum_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_sum_deserialfn(pg_catalog.bytea, pg_catalog.internal) IS
	'sum(award) state from bytes, for parallel workers';

CREATE FUNCTION @extschema@.award_sum_finalfn(pg_catalog.internal)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_award_sum_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.award_sum_finalfn(pg_catalog.internal) IS
	'sum(award) result; not STRICT: no rows gives NULL';

CREATE AGGREGATE @extschema@.sum(@extschema@.award) (
	SFUNC = @extschema@.award_sum_transfn,
	STYPE = pg_catalog.internal,
	FINALFUNC = @extschema@.award_sum_finalfn,
	COMBINEFUNC = @extschema@.award_sum_combinefn,
	SERIALFUNC = @extschema@.award_sum_serialfn,
	DESERIALFUNC = @extschema@.award_sum_deserialfn,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.award) IS
	'awards summed per rule, kind and instrument: amounts and days added, lines counted';
