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
-- evaluate(rules, o) over a table o is planned as _evaluate_columns(rules,
-- NULL::o's type, attnos, the columns the policy reads...) by evaluate()'s
-- support function: the same evaluation, without forming and deforming a
-- whole-row datum per row (src/evaluate_columns.c).
CREATE FUNCTION @extschema@._evaluate_columns(rules @extschema@.ruleset,
	rowtype anyelement, attnos pg_catalog.int2[], VARIADIC columns "any")
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_evaluate_columns'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._evaluate_columns(@extschema@.ruleset, anyelement, pg_catalog.int2[], "any") IS
	'internal: evaluate(rules, row) with the row given as the attributes attnos of rowtype; what the planner makes of evaluate() over a table';

CREATE FUNCTION @extschema@._evaluate_support(pg_catalog.internal)
RETURNS pg_catalog.internal
AS 'MODULE_PATHNAME', 'compensation_evaluate_support'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._evaluate_support(pg_catalog.internal) IS
	'internal: planner support for evaluate(): passes a table''s row as its columns';

CREATE FUNCTION @extschema@.evaluate(rules @extschema@.ruleset, "row" anyelement)
RETURNS @extschema@.award
AS 'MODULE_PATHNAME', 'compensation_evaluate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SUPPORT @extschema@._evaluate_support;
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

--------------------------------------------------------------------------
-- Policies, the ledger and issuance (issue 3)
--
-- Policies are versioned rows (draft -> published -> retired); a published
-- version never changes.  The ledger is append-only: corrections are
-- reversal lines.  Issuing a policy for a subject makes the ledger's open
-- lines for (policy name, subject) equal the award of the version issued,
-- writing only the difference, exactly once, under a per-(policy, subject)
-- row lock in compensation.issuance.  See docs/ledger.md.
--------------------------------------------------------------------------

-- The three roles.  Roles belong to the cluster, not the database, so they
-- are created only if missing and are left in place by DROP EXTENSION.
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'compensation_admin') THEN
		CREATE ROLE compensation_admin NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'compensation_analyst') THEN
		CREATE ROLE compensation_analyst NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'compensation_issuer') THEN
		CREATE ROLE compensation_issuer NOLOGIN;
	END IF;
END
$roles$;

GRANT USAGE ON SCHEMA @extschema@ TO compensation_admin, compensation_analyst, compensation_issuer;

--------------------------------------------------------------------------
-- Incidents and policies
--------------------------------------------------------------------------
CREATE TABLE @extschema@.incident (
	name		text PRIMARY KEY CHECK (name <> ''),
	description	text,
	created_by	name NOT NULL DEFAULT session_user,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.incident IS
	'incidents (outages, breaches) that policies compensate for';

CREATE TABLE @extschema@.policy (
	name		text NOT NULL,
	version		integer NOT NULL CHECK (version > 0),
	incident	text REFERENCES @extschema@.incident (name),
	source		text NOT NULL,
	rules		@extschema@.ruleset NOT NULL,
	status		text NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft', 'published', 'retired')),
	created_by	name NOT NULL DEFAULT session_user,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	published_by name,
	published_at timestamptz,
	retired_by	name,
	retired_at	timestamptz,
	PRIMARY KEY (name, version),
	CONSTRAINT policy_name_is_header CHECK (name = @extschema@.policy_name(rules)),
	CONSTRAINT policy_status_stamps CHECK (
		(status = 'draft' AND published_at IS NULL AND retired_at IS NULL)
		OR (status = 'published' AND published_at IS NOT NULL AND published_by IS NOT NULL
			AND retired_at IS NULL)
		OR (status = 'retired' AND published_at IS NOT NULL AND retired_at IS NOT NULL
			AND retired_by IS NOT NULL))
);
-- At most one draft per policy name: the next version.
CREATE UNIQUE INDEX policy_one_draft ON @extschema@.policy (name) WHERE status = 'draft';
COMMENT ON TABLE @extschema@.policy IS
	'policy versions: source text and its compiled ruleset; status draft -> published -> retired; a published version is immutable';
COMMENT ON COLUMN @extschema@.policy.name IS 'the name the policy gives itself in its header';
COMMENT ON COLUMN @extschema@.policy.rules IS 'the source compiled, at definition';

--------------------------------------------------------------------------
-- The ledger, the per-subject issuance state, the outbox, batch runs
--------------------------------------------------------------------------
CREATE SEQUENCE @extschema@.ledger_id_seq;
CREATE TABLE @extschema@.ledger (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('@extschema@.ledger_id_seq'),
	policy		text NOT NULL,
	version		integer NOT NULL,
	rule		text NOT NULL,
	subject		text NOT NULL,
	kind		text NOT NULL,
	instrument	text,
	amount		bigint,
	currency	text,
	days		integer,
	new_date	timestamptz,
	window_kind	text,
	window_from	timestamptz,
	window_until timestamptz,
	note		text,
	issued_at	timestamptz NOT NULL,
	issued_by	name NOT NULL,
	reverses	bigint UNIQUE REFERENCES @extschema@.ledger (id),
	FOREIGN KEY (policy, version) REFERENCES @extschema@.policy (name, version)
);
ALTER SEQUENCE @extschema@.ledger_id_seq OWNED BY @extschema@.ledger.id;
CREATE INDEX ledger_policy_subject ON @extschema@.ledger (policy, subject);
COMMENT ON TABLE @extschema@.ledger IS
	'append-only award lines issued per policy and subject; a correction is a reversal line (reverses = the line, amount and days negated)';
COMMENT ON COLUMN @extschema@.ledger.version IS 'the policy version whose issuance wrote the line';
COMMENT ON COLUMN @extschema@.ledger.amount IS 'minor units of the currency (whole units for counted instruments); negated on a reversal';
COMMENT ON COLUMN @extschema@.ledger.days IS 'days extended or granted; negated on a reversal';
COMMENT ON COLUMN @extschema@.ledger.window_until IS 'exclusive end of the claim or validity window';
COMMENT ON COLUMN @extschema@.ledger.issued_by IS 'session_user of the issuing session: never supplied by the caller';
COMMENT ON COLUMN @extschema@.ledger.reverses IS 'the line this one reverses; a line is reversed at most once';

CREATE TABLE @extschema@.issuance (
	policy		text NOT NULL,
	subject		text NOT NULL,
	version		integer NOT NULL DEFAULT 0,
	award_hash	bytea,
	open_lines	integer NOT NULL DEFAULT 0,
	issued_at	timestamptz,
	PRIMARY KEY (policy, subject)
);
COMMENT ON TABLE @extschema@.issuance IS
	'one row per (policy, subject) ever locked for issuance: the lock that makes issuance exactly-once, the last version issued and a hash of its award';
COMMENT ON COLUMN @extschema@.issuance.award_hash IS
	'sha256 of the binary award whose lines are open in the ledger; NULL when none are';

-- No foreign key to the ledger: outbox rows are only written from the ids
-- the same statement's INSERT INTO ledger returns, and the ledger is
-- append-only (ledger_guard), so the reference cannot dangle; the key's
-- check would cost an index probe per line issued.
CREATE TABLE @extschema@.outbox (
	ledger_id	bigint PRIMARY KEY,
	queued_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.outbox IS
	'ledger lines not yet taken by the application that tells customers; consume with compensation.outbox_claim()';

CREATE SEQUENCE @extschema@.issue_run_id_seq;
CREATE TABLE @extschema@.issue_run (
	id			bigint PRIMARY KEY DEFAULT pg_catalog.nextval('@extschema@.issue_run_id_seq'),
	policy		text NOT NULL,
	version		integer NOT NULL,
	relation	text NOT NULL,
	key_column	text NOT NULL,
	batch_size	integer NOT NULL CHECK (batch_size > 0),
	status		text NOT NULL DEFAULT 'running'
		CHECK (status IN ('running', 'done', 'superseded')),
	last_key	text,
	rows_done	bigint NOT NULL DEFAULT 0,
	rows_total	bigint,
	lines_written bigint NOT NULL DEFAULT 0,
	batches		integer NOT NULL DEFAULT 0,
	resumes		integer NOT NULL DEFAULT 0,
	rows_at_resume bigint NOT NULL DEFAULT 0,
	started_by	name NOT NULL,
	started_at	timestamptz NOT NULL,
	resumed_at	timestamptz NOT NULL,
	updated_at	timestamptz NOT NULL,
	finished_at	timestamptz,
	FOREIGN KEY (policy, version) REFERENCES @extschema@.policy (name, version)
);
ALTER SEQUENCE @extschema@.issue_run_id_seq OWNED BY @extschema@.issue_run.id;
CREATE UNIQUE INDEX issue_run_one_running
	ON @extschema@.issue_run (policy, relation, key_column) WHERE status = 'running';
COMMENT ON TABLE @extschema@.issue_run IS
	'runs of compensation.issue_all: the last key committed, so that calling again resumes';
COMMENT ON COLUMN @extschema@.issue_run.last_key IS 'text form of the last key of the last committed batch';

-- pg_dump keeps the data of all of these (and the sequences' positions).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issuance', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issue_run', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issue_run_id_seq', '');

--------------------------------------------------------------------------
-- Guards: published policies are immutable, the ledger is append-only.
-- They hold for every role, the owner and superusers included.
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.policy_guard()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF OLD.status <> 'draft' THEN
			RAISE EXCEPTION 'policy "%" version % is % and cannot be deleted', OLD.name, OLD.version, OLD.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					DETAIL = 'A published version is immutable: the ledger refers to it.',
					HINT = 'Retire it with compensation.retire(), or define a new version with compensation.define_policy().';
		END IF;
		RETURN OLD;
	END IF;
	IF OLD.status = 'draft' THEN
		RETURN NEW;
	END IF;
	-- The one change a published version admits is its retirement, stamped
	-- with the retiring session and the current time, nothing else changed:
	-- what compensation.retire() writes.
	IF OLD.status = 'published' AND NEW.status = 'retired'
		AND NEW.name = OLD.name AND NEW.version = OLD.version
		AND NEW.incident IS NOT DISTINCT FROM OLD.incident
		AND NEW.source = OLD.source
		AND NEW.rules OPERATOR(@extschema@.=) OLD.rules
		AND NEW.created_by = OLD.created_by AND NEW.created_at = OLD.created_at
		AND NEW.published_by = OLD.published_by AND NEW.published_at = OLD.published_at
		AND NEW.retired_by = session_user AND NEW.retired_at = now() THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'policy "%" version % is % and cannot be changed', OLD.name, OLD.version, OLD.status
		USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'A published version is immutable; the only change it admits is compensation.retire().',
			HINT = 'Define a new version with compensation.define_policy() and publish it.';
END
$$;
COMMENT ON FUNCTION @extschema@.policy_guard() IS
	'trigger: refuses any change to a published or retired policy version except its retirement';

CREATE TRIGGER policy_immutable
	BEFORE UPDATE OR DELETE ON @extschema@.policy
	FOR EACH ROW EXECUTE FUNCTION @extschema@.policy_guard();

CREATE FUNCTION @extschema@.ledger_guard()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'compensation.ledger is append-only: % is not allowed', TG_OP
		USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'Issued lines are never changed or removed.',
			HINT = 'Corrections are reversal lines: issue a new policy version with compensation.issue() or compensation.issue_all().';
END
$$;
COMMENT ON FUNCTION @extschema@.ledger_guard() IS
	'trigger: refuses UPDATE, DELETE and TRUNCATE of the ledger';

CREATE TRIGGER ledger_append_only
	BEFORE UPDATE OR DELETE ON @extschema@.ledger
	FOR EACH ROW EXECUTE FUNCTION @extschema@.ledger_guard();
CREATE TRIGGER ledger_no_truncate
	BEFORE TRUNCATE ON @extschema@.ledger
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.ledger_guard();

--------------------------------------------------------------------------
-- Defining, publishing and retiring policies (compensation_admin).
-- SECURITY DEFINER: the admin role writes policies only through these,
-- never the table; the pinned search_path keeps a caller's schemas from
-- shadowing anything they call.
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.define_incident(name text, description text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL THEN
		RAISE EXCEPTION 'incident name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	INSERT INTO @extschema@.incident (name, description) VALUES ($1, $2)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'incident "%" already exists', $1
			USING ERRCODE = 'duplicate_object';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.define_incident(text, text) IS
	'records an incident that policies can name; not STRICT: the description may be NULL';

CREATE FUNCTION @extschema@.define_policy(source text, incident text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_rules @extschema@.ruleset;
	v_name text;
	v_version integer;
BEGIN
	IF $1 IS NULL THEN
		RAISE EXCEPTION 'policy source must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- Compile errors (line, column, SQLSTATE) come straight from the parser.
	v_rules := $1::@extschema@.ruleset;
	v_name := @extschema@.policy_name(v_rules);
	IF $2 IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.incident i WHERE i.name = $2) THEN
		RAISE EXCEPTION 'incident "%" does not exist', $2
			USING ERRCODE = 'undefined_object',
				HINT = 'Define it first with compensation.define_incident().';
	END IF;
	-- Two admins defining the same policy at once take turns.
	PERFORM pg_advisory_xact_lock(hashtext('compensation.policy'), hashtext(v_name));
	SELECT p.version INTO v_version
	FROM @extschema@.policy p WHERE p.name = v_name AND p.status = 'draft';
	IF FOUND THEN
		UPDATE @extschema@.policy p
		SET source = $1, rules = v_rules, incident = $2,
			created_by = session_user, created_at = now()
		WHERE p.name = v_name AND p.version = v_version;
		RETURN v_version;
	END IF;
	SELECT coalesce(max(p.version), 0) + 1 INTO v_version
	FROM @extschema@.policy p WHERE p.name = v_name;
	INSERT INTO @extschema@.policy (name, version, incident, source, rules)
	VALUES (v_name, v_version, $2, $1, v_rules);
	RETURN v_version;
END
$$;
COMMENT ON FUNCTION @extschema@.define_policy(text, text) IS
	'compiles policy text into the draft of its next version (replacing an existing draft) and returns the version; not STRICT: the incident may be NULL';

CREATE FUNCTION @extschema@.publish(name text, version integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_policy @extschema@.policy;
BEGIN
	IF $1 IS NULL THEN
		RAISE EXCEPTION 'policy name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO v_policy FROM @extschema@.policy p
	WHERE p.name = $1 AND (p.version = $2 OR ($2 IS NULL AND p.status = 'draft'))
	FOR UPDATE;
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object',
					HINT = 'Define it with compensation.define_policy().';
		ELSIF $2 IS NULL THEN
			RAISE EXCEPTION 'policy "%" has no draft to publish', $1
				USING ERRCODE = 'object_not_in_prerequisite_state',
					HINT = 'Define the next version with compensation.define_policy().';
		ELSE
			RAISE EXCEPTION 'policy "%" has no version %', $1, $2
				USING ERRCODE = 'undefined_object';
		END IF;
	END IF;
	IF v_policy.status <> 'draft' THEN
		RAISE EXCEPTION 'policy "%" version % is already %', $1, v_policy.version, v_policy.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Only a draft can be published.';
	END IF;
	UPDATE @extschema@.policy p
	SET status = 'published', published_by = session_user, published_at = now()
	WHERE p.name = $1 AND p.version = v_policy.version;
	RETURN v_policy.version;
END
$$;
COMMENT ON FUNCTION @extschema@.publish(text, integer) IS
	'publishes a draft (by default the draft of the policy) and returns its version; from then on it is immutable and the latest published version is the one issued; not STRICT: a NULL version means the draft';

CREATE FUNCTION @extschema@.retire(name text, version integer)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_status text;
BEGIN
	SELECT p.status INTO v_status FROM @extschema@.policy p
	WHERE p.name = $1 AND p.version = $2 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'policy "%" has no version %', $1, $2
			USING ERRCODE = 'undefined_object';
	ELSIF v_status <> 'published' THEN
		RAISE EXCEPTION 'policy "%" version % is not published: it is %', $1, $2,
			CASE v_status WHEN 'draft' THEN 'a draft' ELSE v_status END
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Only a published version can be retired; a draft is replaced by compensation.define_policy().';
	END IF;
	UPDATE @extschema@.policy p
	SET status = 'retired', retired_by = session_user, retired_at = now()
	WHERE p.name = $1 AND p.version = $2;
END
$$;
COMMENT ON FUNCTION @extschema@.retire(text, integer) IS
	'retires a published version: it is no longer issued; what it issued stays in the ledger';

--------------------------------------------------------------------------
-- Reading published rules.  SECURITY DEFINER so that the issuer and the
-- analyst need no access to the policy table to fetch a ruleset; the pinned
-- search_path keeps a caller's schemas out.
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.current_version(name text)
RETURNS integer
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version integer;
BEGIN
	SELECT max(p.version) INTO v_version FROM @extschema@.policy p
	WHERE p.name = $1 AND p.status = 'published';
	IF v_version IS NULL THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object';
		END IF;
		RAISE EXCEPTION 'policy "%" has no published version', $1
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Publish a draft with compensation.publish().';
	END IF;
	RETURN v_version;
END
$$;
COMMENT ON FUNCTION @extschema@.current_version(text) IS
	'the latest published version of a policy: the one compensation.issue() issues';

CREATE FUNCTION @extschema@.rules(name text, version integer)
RETURNS @extschema@.ruleset
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_rules @extschema@.ruleset;
	v_status text;
BEGIN
	SELECT p.rules, p.status INTO v_rules, v_status FROM @extschema@.policy p
	WHERE p.name = $1 AND p.version = $2;
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object';
		END IF;
		RAISE EXCEPTION 'policy "%" has no version %', $1, $2
			USING ERRCODE = 'undefined_object';
	ELSIF v_status = 'draft' THEN
		RAISE EXCEPTION 'policy "%" version % is a draft', $1, $2
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'A draft is not in force: publish it with compensation.publish(), or try it out from compensation.policy.rules.';
	ELSIF v_status = 'retired' THEN
		RAISE EXCEPTION 'policy "%" version % is retired', $1, $2
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Its rules stay readable in compensation.policy.rules.';
	END IF;
	RETURN v_rules;
END
$$;
COMMENT ON FUNCTION @extschema@.rules(text, integer) IS
	'the ruleset of a published policy version';

CREATE FUNCTION @extschema@.rules(name text)
RETURNS @extschema@.ruleset
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT @extschema@.rules($1, @extschema@.current_version($1)) $$;
COMMENT ON FUNCTION @extschema@.rules(text) IS
	'the ruleset of the latest published version of a policy; call it once per query, e.g. (SELECT compensation.rules(''p''))';

--------------------------------------------------------------------------
-- Issuance
--------------------------------------------------------------------------

-- _issue: the one writer of the ledger.  Granted to nobody: only the
-- SECURITY DEFINER entry points below (running as the extension owner)
-- call it.  Pinned search_path: it runs with the owner's rights.
CREATE FUNCTION @extschema@._issue(policy text, version integer, subject text,
	award @extschema@.award, always_lock boolean DEFAULT false)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	p_subject text := $3;
	p_award @extschema@.award := $4;
	p_always_lock boolean := coalesce($5, false);
	v_hash bytea;
	v_state record;
	v_line @extschema@.ledger;
	v_ids bigint[] := '{}';
	v_open integer;
BEGIN
	IF p_policy IS NULL OR p_version IS NULL OR p_subject IS NULL THEN
		RAISE EXCEPTION 'policy, version and subject must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF p_award IS NOT NULL AND @extschema@.is_empty(p_award) THEN
		p_award := NULL;
	END IF;
	v_hash := CASE WHEN p_award IS NULL THEN NULL
		ELSE sha256(@extschema@.award_send(p_award)) END;

	-- Without a lock: nothing to do if nothing is owed and nothing was
	-- ever issued, if a later version was already issued (versions only go
	-- forward), or if this version's award is already what is open.  A
	-- concurrent uncommitted issuance is then simply ordered after us.
	SELECT s.version, s.award_hash INTO v_state
	FROM @extschema@.issuance s WHERE s.policy = p_policy AND s.subject = p_subject;
	IF p_always_lock THEN
		NULL;
	ELSIF NOT FOUND THEN
		IF v_hash IS NULL THEN
			RETURN;
		END IF;
		-- A first issuance: claim the subject with its final state in one
		-- statement.  The row inserted is ours until commit (a concurrent
		-- issuer waits on the unique index, then sees this state), and no
		-- line of the subject can be open (lines are only written with a
		-- state row), so the award's lines are simply written.  If another
		-- session claimed it first, the locked path below takes over.
		INSERT INTO @extschema@.issuance AS s (policy, subject, version, award_hash, open_lines, issued_at)
		VALUES (p_policy, p_subject, p_version, v_hash,
			(SELECT count(*) FROM @extschema@.lines(p_award)), now())
		ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
		IF FOUND THEN
			-- The lines, their outbox rows and their notifications in one
			-- statement.
			RETURN QUERY
			WITH written AS (
				INSERT INTO @extschema@.ledger AS g (policy, version, rule, subject, kind, instrument,
					amount, currency, days, new_date, window_kind, window_from, window_until, note,
					issued_at, issued_by)
				SELECT p_policy, p_version, l.rule, p_subject, l.kind, l.instrument,
					l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from,
					l.window_until, l.note, now(), session_user
				FROM @extschema@.lines(p_award) WITH ORDINALITY AS l
				ORDER BY l.ordinality
				RETURNING g.*
			), queued AS (
				INSERT INTO @extschema@.outbox AS q (ledger_id)
				SELECT w.id FROM written AS w ORDER BY w.id
				RETURNING q.ledger_id
			)
			SELECT w.* FROM written AS w
			JOIN (SELECT q.ledger_id, pg_notify('compensation_ledger', q.ledger_id::text)
				FROM queued AS q ORDER BY q.ledger_id OFFSET 0) AS n ON n.ledger_id = w.id
			ORDER BY w.id;
			RETURN;
		END IF;
	ELSIF v_state.version > p_version
		OR (v_state.version = p_version AND v_state.award_hash IS NOT DISTINCT FROM v_hash) THEN
		RETURN;
	END IF;

	-- The lock: one row per (policy, subject), locked until commit.  A
	-- second session waits here, then sees what the first one wrote.
	INSERT INTO @extschema@.issuance AS s (policy, subject) VALUES (p_policy, p_subject)
	ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
	SELECT s.version, s.award_hash INTO v_state
	FROM @extschema@.issuance s WHERE s.policy = p_policy AND s.subject = p_subject
	FOR UPDATE;
	IF v_state.version > p_version
		OR (v_state.version = p_version AND v_state.award_hash IS NOT DISTINCT FROM v_hash) THEN
		RETURN;
	END IF;

	-- Open lines (issued, not reversals, not reversed) that the award no
	-- longer contains are reversed; identical lines are matched one to one.
	FOR v_line IN
		WITH cur AS (
			SELECT c.* FROM @extschema@.ledger c
			WHERE c.policy = p_policy AND c.subject = p_subject
		), open AS (
			SELECT o.*, row_number() OVER (PARTITION BY o.k ORDER BY o.id) AS n
			FROM (SELECT c.*, ROW(c.rule, c.kind, c.instrument, c.amount, c.currency, c.days,
					c.new_date, c.window_kind, c.window_from, c.window_until, c.note)::text AS k
				FROM cur c
				WHERE c.reverses IS NULL
					AND NOT EXISTS (SELECT FROM cur r WHERE r.reverses = c.id)) o
		), want AS (
			SELECT w.k, row_number() OVER (PARTITION BY w.k ORDER BY w.ord) AS n
			FROM (SELECT ROW(l.rule, l.kind, l.instrument, l.amount, l.currency, l.days,
					l.new_date, l.window_kind, l.window_from, l.window_until, l.note)::text AS k,
					l.ordinality AS ord
				FROM @extschema@.lines(p_award) WITH ORDINALITY AS l) w
		)
		INSERT INTO @extschema@.ledger (policy, version, rule, subject, kind, instrument,
			amount, currency, days, new_date, window_kind, window_from, window_until, note,
			issued_at, issued_by, reverses)
		SELECT o.policy, p_version, o.rule, o.subject, o.kind, o.instrument,
			-o.amount, o.currency, -o.days, o.new_date, o.window_kind, o.window_from,
			o.window_until, o.note, now(), session_user, o.id
		FROM open o
		WHERE NOT EXISTS (SELECT FROM want w WHERE w.k = o.k AND w.n = o.n)
		ORDER BY o.id
		RETURNING *
	LOOP
		v_ids := v_ids || v_line.id;
		RETURN NEXT v_line;
	END LOOP;

	-- Lines of the award not yet open are issued.
	FOR v_line IN
		WITH cur AS (
			SELECT c.* FROM @extschema@.ledger c
			WHERE c.policy = p_policy AND c.subject = p_subject
		), open AS (
			SELECT o.k, row_number() OVER (PARTITION BY o.k ORDER BY o.id) AS n
			FROM (SELECT c.id, ROW(c.rule, c.kind, c.instrument, c.amount, c.currency, c.days,
					c.new_date, c.window_kind, c.window_from, c.window_until, c.note)::text AS k
				FROM cur c
				WHERE c.reverses IS NULL
					AND NOT EXISTS (SELECT FROM cur r WHERE r.reverses = c.id)) o
		), want AS (
			SELECT w.*, row_number() OVER (PARTITION BY w.k ORDER BY w.ord) AS n
			FROM (SELECT l.*, l.ordinality AS ord, ROW(l.rule, l.kind, l.instrument, l.amount, l.currency, l.days,
					l.new_date, l.window_kind, l.window_from, l.window_until, l.note)::text AS k
				FROM @extschema@.lines(p_award) WITH ORDINALITY AS l) w
		)
		INSERT INTO @extschema@.ledger (policy, version, rule, subject, kind, instrument,
			amount, currency, days, new_date, window_kind, window_from, window_until, note,
			issued_at, issued_by)
		SELECT p_policy, p_version, w.rule, p_subject, w.kind, w.instrument,
			w.amount, w.currency, w.days, w.new_date, w.window_kind, w.window_from,
			w.window_until, w.note, now(), session_user
		FROM want w
		WHERE NOT EXISTS (SELECT FROM open o WHERE o.k = w.k AND o.n = w.n)
		ORDER BY w.ord
		RETURNING *
	LOOP
		v_ids := v_ids || v_line.id;
		RETURN NEXT v_line;
	END LOOP;

	SELECT count(*) INTO v_open FROM @extschema@.lines(p_award);
	UPDATE @extschema@.issuance s
	SET version = p_version, award_hash = v_hash, open_lines = v_open, issued_at = now()
	WHERE s.policy = p_policy AND s.subject = p_subject;

	-- The outbox and its doorbell: both are transactional, so an
	-- application sees the lines exactly when they commit.
	IF cardinality(v_ids) > 0 THEN
		INSERT INTO @extschema@.outbox (ledger_id) SELECT unnest(v_ids);
		PERFORM pg_notify('compensation_ledger', i::text) FROM unnest(v_ids) AS i;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._issue(text, integer, text, @extschema@.award, boolean) IS
	'internal: makes the open ledger lines of (policy, subject) equal an award, writing reversals and new lines; always_lock takes the issuance lock even when nothing is to be written; not STRICT: a NULL award owes nothing';

CREATE FUNCTION @extschema@.issue(policy text, version integer, subject text, "row" anyelement)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, version, subject and row must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY SELECT * FROM @extschema@._issue($1, $2, $3,
		@extschema@.evaluate(@extschema@.rules($1, $2), $4));
END
$$;
COMMENT ON FUNCTION @extschema@.issue(text, integer, text, anyelement) IS
	'issues a published version of a policy for one subject: writes the lines that make the ledger match the row''s award and returns them (none if already issued); SECURITY DEFINER: the issuer cannot write the ledger itself; not STRICT: a NULL argument is an error, not a silent no-op';

CREATE FUNCTION @extschema@.issue(policy text, subject text, "row" anyelement)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version integer;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy, subject and row must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v_version := @extschema@.current_version($1);
	RETURN QUERY SELECT * FROM @extschema@._issue($1, v_version, $2,
		@extschema@.evaluate(@extschema@.rules($1, v_version), $3));
END
$$;
COMMENT ON FUNCTION @extschema@.issue(text, text, anyelement) IS
	'issues the latest published version of a policy for one subject (see the four-argument form); returns the lines written, none if already issued';

CREATE FUNCTION @extschema@.lock_subject(policy text, subject text)
RETURNS void
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'policy and subject must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'policy "%" does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	INSERT INTO @extschema@.issuance AS s (policy, subject) VALUES ($1, $2)
	ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING;
	PERFORM FROM @extschema@.issuance s WHERE s.policy = $1 AND s.subject = $2 FOR UPDATE;
END
$$;
COMMENT ON FUNCTION @extschema@.lock_subject(text, text) IS
	'takes the issuance lock of (policy, subject) until the end of the transaction, for callers that must read a row only after holding it; SECURITY DEFINER: the issuer cannot write compensation.issuance; not STRICT: NULL is an error';

CREATE FUNCTION @extschema@.outbox_claim(max_lines integer DEFAULT 100)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE ROWS 100
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	WITH taken AS (
		DELETE FROM @extschema@.outbox o
		WHERE o.ledger_id IN (SELECT q.ledger_id FROM @extschema@.outbox q
			ORDER BY q.ledger_id LIMIT $1 FOR UPDATE SKIP LOCKED)
		RETURNING o.ledger_id
	)
	SELECT l.* FROM @extschema@.ledger l JOIN taken t ON t.ledger_id = l.id
	ORDER BY l.id;
END
$$;
COMMENT ON FUNCTION @extschema@.outbox_claim(integer) IS
	'takes up to max_lines ledger lines from the outbox, oldest first, skipping lines another session holds; a rollback puts them back; SECURITY DEFINER: the issuer cannot write the outbox itself';

--------------------------------------------------------------------------
-- The trigger for order tables, in two forms.  Row by row:
--   CREATE TRIGGER ... AFTER INSERT OR UPDATE ON orders FOR EACH ROW
--     EXECUTE FUNCTION compensation.issue_trigger('policy', 'key_column');
-- or once per statement, set-based, for bulk loads and mass updates (a
-- trigger with transition tables has one event, hence two triggers):
--   CREATE TRIGGER ... AFTER INSERT ON orders REFERENCING NEW TABLE AS n
--     FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('policy', 'key_column');
--   CREATE TRIGGER ... AFTER UPDATE ON orders REFERENCING OLD TABLE AS o NEW TABLE AS n
--     FOR EACH STATEMENT EXECUTE FUNCTION compensation.issue_trigger('policy', 'key_column');
-- SECURITY DEFINER: whoever inserts or updates orders needs no right on the
-- ledger; the policy decides what is written.  Pinned search_path: it runs
-- with the owner's rights.  jit off: a statement's set-based pass over a
-- large transition table would otherwise be compiled, for more than it
-- saves (see _issue_batch).
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.issue_trigger()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_policy text;
	v_key text;
	v_attnum int2;
	v_keytype oid;
	v_plain_key boolean;
	v_version integer;
	v_subject text;
	v_old_subject text;
	v_rules @extschema@.ruleset;
	v_award @extschema@.award;
	v_lock_old boolean := false;
	v_new_table name;
	v_old_table name;
	v_rowtype text;
	v_nulls bigint;
	v_pending text[];
BEGIN
	IF TG_WHEN <> 'AFTER' THEN
		RAISE EXCEPTION 'compensation.issue_trigger() must be fired AFTER the change'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s fired %s ... FOR EACH %s.', TG_NAME,
					TG_RELID::regclass, TG_WHEN, TG_LEVEL),
				HINT = 'CREATE TRIGGER ... AFTER INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger(''policy'', ''key_column'')';
	END IF;
	IF TG_OP NOT IN ('INSERT', 'UPDATE') THEN
		RAISE EXCEPTION 'compensation.issue_trigger() must be fired for INSERT or UPDATE'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s fired for %s.', TG_NAME, TG_RELID::regclass, TG_OP),
				HINT = 'Removed rows keep their lines; reverse them by issuing a policy version that no longer covers them.';
	END IF;
	IF TG_NARGS <> 2 THEN
		RAISE EXCEPTION 'compensation.issue_trigger() needs two arguments, the policy name and the key column'
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = format('Trigger "%s" on %s has %s.', TG_NAME, TG_RELID::regclass, TG_NARGS),
				HINT = 'EXECUTE FUNCTION compensation.issue_trigger(''policy'', ''key_column'')';
	END IF;
	IF TG_LEVEL = 'STATEMENT' THEN
		-- The statement form reads the rows from the transition tables,
		-- which dynamic SQL in this function (not in a function it calls)
		-- sees under the names CREATE TRIGGER gave them: without them it
		-- is misused, whether or not the policy is in force.
		SELECT t.tgnewtable, t.tgoldtable INTO v_new_table, v_old_table
		FROM pg_trigger t WHERE t.tgrelid = TG_RELID AND t.tgname = TG_NAME;
		IF v_new_table IS NULL OR (TG_OP = 'UPDATE' AND v_old_table IS NULL) THEN
			RAISE EXCEPTION 'compensation.issue_trigger() fired FOR EACH STATEMENT needs the transition tables of the change'
				USING ERRCODE = 'trigger_protocol_violated',
					DETAIL = format('Trigger "%s" on %s fired for %s without %s.', TG_NAME,
						TG_RELID::regclass, TG_OP, CASE WHEN TG_OP = 'INSERT' THEN 'a NEW TABLE'
						ELSE 'an OLD TABLE and a NEW TABLE' END),
					HINT = 'CREATE TRIGGER ... AFTER INSERT ON t REFERENCING NEW TABLE AS n FOR EACH STATEMENT ..., and for updates AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT ...';
		END IF;
	END IF;
	v_policy := TG_ARGV[0];
	v_key := TG_ARGV[1];
	-- What the trigger needs to know of its table and its policy, in three
	-- index probes per row (kept apart: as one query their generic plan
	-- costs more than the three): the key column, which must be a unique
	-- key of its own, and the latest published version of the policy with
	-- its rules (what compensation.rules() returns).
	SELECT a.attnum, a.atttypid INTO v_attnum, v_keytype FROM pg_attribute a
	WHERE a.attrelid = TG_RELID AND a.attname = v_key AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key column "%" of trigger "%" does not exist in %', v_key, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_index i
		WHERE i.indrelid = TG_RELID AND i.indisunique AND i.indisvalid
			AND i.indnkeyatts = 1 AND i.indkey[0] = v_attnum
			AND i.indpred IS NULL AND i.indexprs IS NULL) THEN
		RAISE EXCEPTION 'key column "%" of trigger "%" is not a unique key of %', v_key, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated',
				DETAIL = 'Each row is issued as the subject its key names, so the key must be unique.',
				HINT = 'Name the primary key, or a column with a unique index of its own.';
	END IF;
	SELECT p.version, p.rules INTO v_version, v_rules FROM @extschema@.policy p
	WHERE p.name = v_policy AND p.status = 'published'
	ORDER BY p.version DESC LIMIT 1;
	IF NOT FOUND AND NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = v_policy) THEN
		RAISE EXCEPTION 'policy "%" of trigger "%" on % does not exist', v_policy, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated',
				HINT = 'Define and publish it with compensation.define_policy() and compensation.publish().';
	END IF;
	IF v_version IS NULL THEN
		-- Not (or no longer) in force: nothing to issue.
		RETURN NULL;
	END IF;

	IF TG_LEVEL = 'STATEMENT' THEN
		-- Once per statement, set-based.  Rows are passed as the table's
		-- row type (a transition table's row is a record).
		v_rowtype := format_type((SELECT c.reltype FROM pg_class c WHERE c.oid = TG_RELID), NULL);
		EXECUTE format('SELECT count(*) FROM %I t WHERE t.%I IS NULL', v_new_table, v_key)
			INTO v_nulls;
		IF v_nulls > 0 THEN
			RAISE EXCEPTION 'key column "%" of % is null', v_key, TG_RELID::regclass
				USING ERRCODE = 'null_value_not_allowed';
		END IF;

		IF TG_OP = 'INSERT' THEN
			-- New rows, as issue_all issues a batch: set-based first
			-- issuances by _issue_batch, in chunks of 10,000 rows (issue_all's
			-- default batch: bounded memory), then the subjects it leaves
			-- (they have issuance state, or another session claimed
			-- them) one at a time, in subject order.  Both arrays of a
			-- chunk are built by one aggregate node from the same rows in
			-- the same order, so subjects and rows stay paired.
			FOR v_pending IN EXECUTE format($q$
				SELECT f.pending
				FROM (SELECT array_agg(t.k) AS ks, array_agg(t.r) AS rs
					FROM (SELECT t.%1$I::text AS k, ROW(t.*)::%3$s AS r, row_number() OVER () AS n
						FROM %2$I t) t
					GROUP BY (t.n - 1) / 10000) b,
					LATERAL @extschema@._issue_batch($1, $2, b.ks, b.rs) f$q$,
				v_key, v_new_table, v_rowtype) USING v_policy, v_version
			LOOP
				CONTINUE WHEN cardinality(v_pending) = 0;
				EXECUTE format($q$
					SELECT count(*)
					FROM (SELECT t.%1$I::text AS k, ROW(t.*)::%3$s AS r FROM %2$I t
						WHERE t.%1$I::text = ANY ($4) ORDER BY 1) t,
						LATERAL @extschema@._issue($1, $2, t.k, @extschema@.evaluate($3, t.r)) l$q$,
					v_key, v_new_table, v_rowtype) USING v_policy, v_version, v_rules, v_pending;
			END LOOP;
			RETURN NULL;
		END IF;

		-- Updated rows, subject by subject in subject order, with the
		-- locks the row form takes: a subject whose committed row was owed
		-- something and now is not is locked even when nothing is written
		-- (see below), and a subject no row holds any more (its key
		-- changed) is owed nothing.
		EXECUTE format($q$
			SELECT count(*)
			FROM (SELECT k, n.a AS new_award,
					coalesce(@extschema@.is_empty(n.a), true)
						AND NOT coalesce(@extschema@.is_empty(o.a), true) AS lock_old
				FROM (SELECT t.%1$I::text AS k, @extschema@.evaluate($3, ROW(t.*)::%4$s) AS a
					FROM %2$I t) n
				FULL JOIN (SELECT t.%1$I::text AS k, @extschema@.evaluate($3, ROW(t.*)::%4$s) AS a
					FROM %3$I t) o USING (k)
				ORDER BY k) s,
				LATERAL @extschema@._issue($1, $2, s.k, s.new_award, s.lock_old) l$q$,
			v_key, v_new_table, v_old_table, v_rowtype) USING v_policy, v_version, v_rules;
		RETURN NULL;
	END IF;

	-- The subject is the key's text form.  For key types whose JSON text
	-- is exactly their text form, read it without a dynamic query (which
	-- would be parsed and planned for every row).
	v_plain_key := v_keytype IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,
		'text'::regtype, 'varchar'::regtype, 'numeric'::regtype, 'uuid'::regtype);
	IF v_plain_key THEN
		v_subject := to_jsonb(NEW) ->> v_key;
	ELSE
		EXECUTE format('SELECT ($1).%I::text', v_key) INTO v_subject USING NEW;
	END IF;
	IF v_subject IS NULL THEN
		RAISE EXCEPTION 'key column "%" of % is null', v_key, TG_RELID::regclass
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v_award := @extschema@.evaluate(v_rules, NEW);
	IF TG_OP = 'INSERT' THEN
		-- The common case: a new row owed nothing.  _issue writes nothing
		-- for a subject owed nothing that has no issuance state; only when
		-- it has one (an earlier row of the same key, an application's
		-- issue()) may something be owed back.
		IF @extschema@.is_empty(v_award) AND NOT EXISTS (SELECT FROM @extschema@.issuance s
			WHERE s.policy = v_policy AND s.subject = v_subject) THEN
			RETURN NULL;
		END IF;
		PERFORM FROM @extschema@._issue(v_policy, v_version, v_subject, v_award);
		RETURN NULL;
	END IF;

	IF v_plain_key THEN
		v_old_subject := to_jsonb(OLD) ->> v_key;
	ELSE
		EXECUTE format('SELECT ($1).%I::text', v_key) INTO v_old_subject USING OLD;
	END IF;
	-- When the committed row (OLD) is owed something, issue_all may be
	-- about to issue it: take the issuance lock even if there is nothing
	-- to write, so that issue_all waits for this transaction and then
	-- reads the row as it commits.
	IF v_old_subject IS DISTINCT FROM v_subject OR @extschema@.is_empty(v_award) THEN
		v_lock_old := NOT @extschema@.is_empty(@extschema@.evaluate(v_rules, OLD));
	END IF;
	PERFORM FROM @extschema@._issue(v_policy, v_version, v_subject, v_award,
		v_lock_old AND v_old_subject = v_subject);
	IF v_old_subject IS DISTINCT FROM v_subject THEN
		-- A row whose key changed leaves its old subject owed nothing.
		PERFORM FROM @extschema@._issue(v_policy, v_version, v_old_subject, NULL, v_lock_old);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.issue_trigger() IS
	'AFTER INSERT OR UPDATE trigger (''policy'', ''key_column''), FOR EACH ROW, or FOR EACH STATEMENT with transition tables (set-based, for bulk changes): issues the latest published version of the policy for the rows, paying or reversing the difference on update';

--------------------------------------------------------------------------
-- Batches: CALL compensation.issue_all(policy, table, key_column, batch_size)
--------------------------------------------------------------------------

-- The run bookkeeping.  SECURITY DEFINER: the issuer advances its runs
-- through these but cannot write compensation.issue_run; pinned
-- search_path: they run with the owner's rights.
CREATE FUNCTION @extschema@._run_begin(policy text, relation text, key_column text,
	batch_size integer, rows_total bigint)
RETURNS @extschema@.issue_run
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version integer := @extschema@.current_version($1);
	v_run @extschema@.issue_run;
BEGIN
	SELECT * INTO v_run FROM @extschema@.issue_run r
	WHERE r.policy = $1 AND r.relation = $2 AND r.key_column = $3 AND r.status = 'running'
	FOR UPDATE;
	IF FOUND THEN
		IF v_run.version = v_version THEN
			UPDATE @extschema@.issue_run r
			SET batch_size = $4, rows_total = $5, resumes = r.resumes + 1,
				resumed_at = clock_timestamp(), rows_at_resume = r.rows_done,
				updated_at = clock_timestamp()
			WHERE r.id = v_run.id
			RETURNING * INTO v_run;
			RETURN v_run;
		END IF;
		-- A newer version was published since: a full pass of it
		-- replaces the rest of the old pass.
		UPDATE @extschema@.issue_run r
		SET status = 'superseded', finished_at = clock_timestamp(), updated_at = clock_timestamp()
		WHERE r.id = v_run.id;
	END IF;
	INSERT INTO @extschema@.issue_run (policy, version, relation, key_column, batch_size,
		rows_total, started_by, started_at, resumed_at, updated_at)
	VALUES ($1, v_version, $2, $3, $4, $5, session_user,
		clock_timestamp(), clock_timestamp(), clock_timestamp())
	RETURNING * INTO v_run;
	RETURN v_run;
END
$$;
COMMENT ON FUNCTION @extschema@._run_begin(text, text, text, integer, bigint) IS
	'internal to issue_all: resumes the unfinished run of (policy, relation, key) or starts one at the latest published version';

CREATE FUNCTION @extschema@._run_advance(run bigint, last_key text, rows_done bigint,
	lines_written bigint)
RETURNS void
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.issue_run r
	SET last_key = $2, rows_done = r.rows_done + $3, lines_written = r.lines_written + $4,
		batches = r.batches + 1, updated_at = clock_timestamp()
	WHERE r.id = $1 AND r.status = 'running';
$$;
COMMENT ON FUNCTION @extschema@._run_advance(bigint, text, bigint, bigint) IS
	'internal to issue_all: records a batch, in the batch''s own transaction';

CREATE FUNCTION @extschema@._run_end(run bigint)
RETURNS void
LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE @extschema@.issue_run r
	SET status = 'done', finished_at = clock_timestamp(), updated_at = clock_timestamp()
	WHERE r.id = $1 AND r.status = 'running';
$$;
COMMENT ON FUNCTION @extschema@._run_end(bigint) IS
	'internal to issue_all: marks a run done';

-- _issue_batch: the set-based fast path of issue_all for one batch.
-- Evaluates the rows in one statement; subjects owed something that have
-- no issuance state yet are claimed with one INSERT ... ON CONFLICT DO
-- NOTHING into compensation.issuance, with the state _issue would record
-- (the version, the award's hash, its number of lines): a row inserted is
-- held until commit, so a concurrent issuer of the same subject waits on
-- the unique index and then sees this state.  Their lines (no line of a
-- subject without state can be open) are written with one INSERT ...
-- SELECT, queued in the outbox and announced, like _issue's.  Subjects owed
-- nothing without state need nothing (as in _issue).  What is left, the
-- subjects that have state and may need reversals, or that another
-- session claimed first, is returned in row order as pending, for the
-- locked per-row path.  SECURITY DEFINER: the issuer cannot write the
-- ledger; like issue(), it issues what the policy awards the rows given.
-- jit off: the planner's estimates for its statement (lines() per row)
-- exceed the JIT thresholds, and compiling it cost more than running it
-- (+45% on issue_all with the default settings).
-- Pinned search_path: it runs with the owner's rights.  Not STRICT: NULL
-- is an error.
CREATE FUNCTION @extschema@._issue_batch(policy text, version integer, subjects text[],
	"rows" anyarray, OUT lines_written bigint, OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	p_policy text := $1;
	p_version integer := $2;
	v_rules @extschema@.ruleset;
	v_ids bigint[];
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, version, subjects and rows must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF cardinality($3) <> cardinality($4) THEN
		RAISE EXCEPTION 'subjects and rows differ in length: % and %', cardinality($3), cardinality($4)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position($3, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'subjects must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF (SELECT count(DISTINCT x) FROM unnest($3) AS x) <> cardinality($3) THEN
		RAISE EXCEPTION 'subjects must be distinct'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_rules := @extschema@.rules(p_policy, p_version);

	WITH b AS MATERIALIZED (
		SELECT e.subject, e.ord, e.a,
			CASE WHEN @extschema@.is_empty(e.a) THEN NULL
				ELSE sha256(@extschema@.award_send(e.a)) END AS h
		-- OFFSET 0: evaluate once per row, not once per use of its award
		FROM (SELECT u.subject, u.ord, @extschema@.evaluate(v_rules, u.r) AS a
			FROM (SELECT unnest($3) AS subject, unnest($4) AS r,
				generate_series(1, cardinality($3)) AS ord) AS u OFFSET 0) AS e
	), s AS MATERIALIZED (
		-- The same test _issue makes before it locks.
		SELECT b.subject, b.ord, b.a, b.h, st.policy IS NOT NULL AS has_state,
			CASE WHEN st.policy IS NULL THEN b.h IS NOT NULL
				WHEN st.version > p_version THEN false
				WHEN st.version = p_version THEN st.award_hash IS DISTINCT FROM b.h
				ELSE true END AS work
		-- One index probe per row (LIMIT 1 keeps it from being pulled up
		-- into a join, and makes it a plain index scan rather than a
		-- bitmap one; the key is unique): a hash join would read the
		-- policy's whole state once per batch, or, in the generic plan
		-- this statement gets after a few batches, every policy's.
		FROM b LEFT JOIN LATERAL (SELECT st.policy, st.version, st.award_hash
			FROM @extschema@.issuance st
			WHERE st.policy = p_policy AND st.subject = b.subject LIMIT 1) st ON true
	), claimed AS (
		INSERT INTO @extschema@.issuance AS i (policy, subject, version, award_hash, open_lines, issued_at)
		SELECT p_policy, s.subject, p_version, s.h,
			(SELECT count(*) FROM @extschema@.lines(s.a)), now()
		FROM s WHERE s.work AND NOT s.has_state
		ORDER BY s.ord
		ON CONFLICT ON CONSTRAINT issuance_pkey DO NOTHING
		RETURNING i.subject
	), written AS (
		INSERT INTO @extschema@.ledger AS g (policy, version, rule, subject, kind, instrument,
			amount, currency, days, new_date, window_kind, window_from, window_until, note,
			issued_at, issued_by)
		SELECT p_policy, p_version, l.rule, s.subject, l.kind, l.instrument,
			l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from,
			l.window_until, l.note, now(), session_user
		FROM s JOIN claimed AS c ON c.subject = s.subject,
			@extschema@.lines(s.a) WITH ORDINALITY AS l
		ORDER BY s.ord, l.ordinality
		RETURNING g.id
	), queued AS (
		INSERT INTO @extschema@.outbox AS q (ledger_id)
		SELECT w.id FROM written AS w ORDER BY w.id
		RETURNING q.ledger_id
	)
	SELECT (SELECT array_agg(q.ledger_id ORDER BY q.ledger_id) FROM queued AS q),
		(SELECT array_agg(s.subject ORDER BY s.ord) FROM s
			WHERE s.work AND (s.has_state
				OR NOT EXISTS (SELECT FROM claimed AS c WHERE c.subject = s.subject)))
	INTO v_ids, pending;

	-- The outbox's doorbell, as in _issue.
	PERFORM pg_notify('compensation_ledger', i::text) FROM unnest(v_ids) AS i;
	lines_written := coalesce(cardinality(v_ids), 0);
	pending := coalesce(pending, '{}');
END
$$;
COMMENT ON FUNCTION @extschema@._issue_batch(text, integer, text[], anyarray) IS
	'internal to issue_all: issues a published policy version for a batch of (subject, row) pairs, writing the first issuance of subjects without state in a few set-based statements; returns the lines written and the subjects left for the locked per-row path; not STRICT: NULL is an error';

-- issue_all is SECURITY INVOKER and has no SET clause because a procedure
-- that commits may have neither; it reads the table with the caller's
-- rights, writes only through the functions above, and pins its own
-- search_path with set_config() at the start of every transaction.
CREATE PROCEDURE @extschema@.issue_all(policy text, rel regclass, key_column text,
	batch_size integer DEFAULT 10000)
LANGUAGE plpgsql
AS $$
DECLARE
	p_policy text := $1;
	p_rel regclass := $2;
	p_key text := $3;
	p_batch integer := $4;
	v_relname text;
	v_relkind "char";
	v_attnum int2;
	v_keytype text;
	v_total bigint;
	v_run @extschema@.issue_run;
	v_rules @extschema@.ruleset;
	v_template text;
	v_batch_first text;
	v_batch_next text;
	v_issue text;
	v_pending text[];
	v_k text;
	v_n bigint;
	v_lines bigint;
	v_c bigint;
	v_last text;
	v_lock1 integer := hashtext('compensation.issue_all');
	v_lock2 integer;
	v_rate numeric;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF p_policy IS NULL OR p_rel IS NULL OR p_key IS NULL OR p_batch IS NULL THEN
		RAISE EXCEPTION 'policy, rel, key_column and batch_size must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF p_batch < 1 THEN
		RAISE EXCEPTION 'batch_size must be at least 1, not %', p_batch
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT format('%I.%I', n.nspname, c.relname), c.relkind INTO v_relname, v_relkind
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_rel;
	SELECT a.attnum, format_type(a.atttypid, a.atttypmod) INTO v_attnum, v_keytype
	FROM pg_attribute a
	WHERE a.attrelid = p_rel AND a.attname = p_key AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', p_key, v_relname
			USING ERRCODE = 'undefined_column';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_index i
		WHERE i.indrelid = p_rel AND i.indisunique AND i.indisvalid
			AND i.indnkeyatts = 1 AND i.indkey[0] = v_attnum
			AND i.indpred IS NULL AND i.indexprs IS NULL) THEN
		RAISE EXCEPTION 'column "%" of relation % is not a unique key', p_key, v_relname
			USING ERRCODE = 'invalid_column_reference',
				DETAIL = 'issue_all walks the table in key order and issues each row as the subject its key names.',
				HINT = 'Name the primary key, or a column with a unique index of its own.';
	END IF;
	IF NOT has_table_privilege(p_rel, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', v_relname
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	-- One session at a time per (policy, table, key): a session-level
	-- lock, so that it outlives the batch commits (and dies with the
	-- session).
	v_lock2 := hashtext(p_policy || '/' || v_relname || '/' || p_key);
	IF NOT EXISTS (SELECT FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
			AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
			AND l.classid::bigint = (v_lock1::bigint & 4294967295)
			AND l.objid::bigint = (v_lock2::bigint & 4294967295) AND l.objsubid = 2)
		AND NOT pg_try_advisory_lock(v_lock1, v_lock2) THEN
		RAISE EXCEPTION 'issue_all of policy "%" over % is running in another session', p_policy, v_relname
			USING ERRCODE = 'lock_not_available',
				HINT = 'Watch it in compensation.issue_progress; call again once it ends to resume or re-check.';
	END IF;

	EXECUTE format('SELECT count(*) FROM %s', v_relname) INTO v_total;
	v_run := @extschema@._run_begin(p_policy, v_relname, p_key, p_batch, v_total);
	v_rules := @extschema@.rules(p_policy, v_run.version);

	-- A batch: the next keys in order, their rows issued set-based by
	-- _issue_batch, which returns the subjects that need the per-row path.
	-- The WHERE on the aggregate keeps an empty batch from calling it.
	v_template := $q$
		SELECT b.n, b.ks[b.n], f.lines_written, f.pending
		FROM (SELECT count(*) AS n, array_agg(t.k ORDER BY t.kv) AS ks,
				array_agg(t.r ORDER BY t.kv) AS rs
			FROM (SELECT t.%1$I AS kv, t.%1$I::text AS k, t AS r
				FROM %2$s t %4$s ORDER BY t.%1$I LIMIT $2) t) b,
			LATERAL @extschema@._issue_batch($3, $4, b.ks, b.rs) f
		WHERE b.n > 0$q$;
	v_batch_first := format(v_template, p_key, v_relname, v_keytype, 'WHERE $1::text IS NULL');
	v_batch_next := format(v_template, p_key, v_relname, v_keytype,
		format('WHERE t.%I > $1::text::%s', p_key, v_keytype));
	-- Issuing one row: after the lock, so that the row read is the one
	-- committed last (a trigger's update in flight is waited for).
	v_issue := format('SELECT count(*) FROM %s t, @extschema@.issue($1, $2, $3, t) l WHERE t.%I = $3::%s',
		v_relname, p_key, v_keytype);

	IF v_run.resumes > 0 THEN
		RAISE NOTICE 'issue_all: resuming run % of policy "%" version % over % after key %: % of % rows done',
			v_run.id, p_policy, v_run.version, v_relname, coalesce(v_run.last_key, '(none)'),
			v_run.rows_done, v_total;
	ELSE
		RAISE NOTICE 'issue_all: run % of policy "%" version % over %: % rows in batches of %',
			v_run.id, p_policy, v_run.version, v_relname, v_total, p_batch;
	END IF;
	COMMIT;

	LOOP
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		EXECUTE CASE WHEN v_run.last_key IS NULL THEN v_batch_first ELSE v_batch_next END
			INTO v_n, v_last, v_lines, v_pending
			USING v_run.last_key, p_batch, p_policy, v_run.version;
		EXIT WHEN v_n IS NULL;
		-- The rest, one subject at a time: the lock first, then the row as
		-- committed last (a trigger's update in flight is waited for).
		FOREACH v_k IN ARRAY v_pending LOOP
			PERFORM @extschema@.lock_subject(p_policy, v_k);
			EXECUTE v_issue INTO v_c USING p_policy, v_run.version, v_k;
			v_lines := v_lines + v_c;
		END LOOP;
		PERFORM @extschema@._run_advance(v_run.id, v_last, v_n, v_lines);
		v_run.last_key := v_last;
		v_run.rows_done := v_run.rows_done + v_n;
		v_run.lines_written := v_run.lines_written + v_lines;
		v_run.batches := v_run.batches + 1;
		COMMIT;
		SELECT p.rate INTO v_rate FROM @extschema@.issue_progress p WHERE p.run = v_run.id;
		RAISE NOTICE 'issue_all: run %: % of % rows, % lines written', v_run.id,
			v_run.rows_done, v_total, v_run.lines_written
			USING DETAIL = format('Batch %s; %s rows/s.', v_run.batches, coalesce(v_rate::text, '?'));
	END LOOP;
	PERFORM @extschema@._run_end(v_run.id);
	COMMIT;
	PERFORM pg_catalog.pg_advisory_unlock(v_lock1, v_lock2);
	RAISE NOTICE 'issue_all: run % done: % rows, % lines written', v_run.id, v_run.rows_done,
		v_run.lines_written;
END
$$;
COMMENT ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer) IS
	'issues the latest published version of a policy for every row of a table, keyed by a unique column, in batches that each commit; calling again resumes an unfinished run; progress in compensation.issue_progress';

CREATE VIEW @extschema@.issue_progress AS
SELECT r.id AS run, r.policy, r.version, r.relation, r.key_column, r.status,
	r.rows_done, r.rows_total, r.lines_written, r.batches, r.resumes,
	round(100.0 * r.rows_done / NULLIF(r.rows_total, 0), 1) AS percent,
	round((r.rows_done - r.rows_at_resume)
		/ NULLIF(extract(epoch FROM r.updated_at - r.resumed_at), 0), 1) AS rate,
	CASE WHEN r.status = 'running' AND r.rows_done > r.rows_at_resume
		AND r.updated_at > r.resumed_at THEN
		make_interval(secs => round(greatest(r.rows_total - r.rows_done, 0)
			* extract(epoch FROM r.updated_at - r.resumed_at)
			/ (r.rows_done - r.rows_at_resume), 1)::double precision)
	END AS eta,
	r.last_key, r.started_by, r.started_at, r.updated_at, r.finished_at
FROM @extschema@.issue_run r;
COMMENT ON VIEW @extschema@.issue_progress IS
	'issue_all runs: rows done of total, lines written, rate (rows per second since the last start or resume) and ETA';

--------------------------------------------------------------------------
-- Privileges.  Nothing that writes policies or the ledger is executable by
-- PUBLIC; the roles get exactly what they need.
--------------------------------------------------------------------------
REVOKE ALL ON FUNCTION @extschema@.policy_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.ledger_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.define_incident(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.define_policy(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.publish(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.retire(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.current_version(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rules(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.rules(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue(text, integer, text, @extschema@.award, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_batch(text, integer, text[], anyarray) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.issue(text, integer, text, anyelement) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.issue(text, text, anyelement) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.lock_subject(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.outbox_claim(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.issue_trigger() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._run_begin(text, text, text, integer, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._run_advance(bigint, text, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._run_end(bigint) FROM PUBLIC;
REVOKE ALL ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer) FROM PUBLIC;
REVOKE ALL ON TABLE @extschema@.incident, @extschema@.policy, @extschema@.ledger,
	@extschema@.issuance, @extschema@.outbox, @extschema@.issue_run,
	@extschema@.issue_progress FROM PUBLIC;
REVOKE ALL ON SEQUENCE @extschema@.ledger_id_seq, @extschema@.issue_run_id_seq FROM PUBLIC;

-- admin: policies and incidents, the trigger for order tables, reading.
GRANT EXECUTE ON FUNCTION @extschema@.define_incident(text, text),
	@extschema@.define_policy(text, text), @extschema@.publish(text, integer),
	@extschema@.retire(text, integer), @extschema@.current_version(text),
	@extschema@.rules(text, integer), @extschema@.rules(text),
	@extschema@.issue_trigger()
	TO compensation_admin;
GRANT SELECT ON TABLE @extschema@.incident, @extschema@.policy, @extschema@.ledger,
	@extschema@.issuance, @extschema@.outbox, @extschema@.issue_run,
	@extschema@.issue_progress TO compensation_admin;

-- analyst: reading, evaluating published rules.
GRANT EXECUTE ON FUNCTION @extschema@.current_version(text),
	@extschema@.rules(text, integer), @extschema@.rules(text)
	TO compensation_analyst;
GRANT SELECT ON TABLE @extschema@.incident, @extschema@.policy, @extschema@.ledger,
	@extschema@.issuance, @extschema@.issue_run, @extschema@.issue_progress
	TO compensation_analyst;

-- issuer: issuing and the outbox; it reads the ledger (to tell customers)
-- and the issuance state (issue_all skips rows already issued).
GRANT EXECUTE ON FUNCTION @extschema@.current_version(text),
	@extschema@.rules(text, integer), @extschema@.rules(text),
	@extschema@.issue(text, integer, text, anyelement),
	@extschema@.issue(text, text, anyelement),
	@extschema@.lock_subject(text, text), @extschema@.outbox_claim(integer),
	@extschema@._issue_batch(text, integer, text[], anyarray),
	@extschema@._run_begin(text, text, text, integer, bigint),
	@extschema@._run_advance(bigint, text, bigint, bigint),
	@extschema@._run_end(bigint)
	TO compensation_issuer;
GRANT EXECUTE ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer)
	TO compensation_issuer;
GRANT SELECT ON TABLE @extschema@.ledger, @extschema@.issuance, @extschema@.issue_progress
	TO compensation_issuer;

--------------------------------------------------------------------------
-- simulate: what would a policy cost?
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.simulate(policy text, rel regclass, filter text DEFAULT NULL)
RETURNS TABLE (rule text, kind text, instrument text, rows_awarded bigint,
	amount bigint, amount_major numeric, currency text, days bigint)
LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
-- SECURITY INVOKER on purpose: it reads the caller's table with the caller's
-- rights, and the filter is the caller's own SQL over it.  Not STRICT: a
-- NULL filter means every row.
BEGIN
	IF $1 IS NULL OR $2 IS NULL THEN
		RAISE EXCEPTION 'policy and table must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	RETURN QUERY EXECUTE format(
		'SELECT l.rule, l.kind, l.instrument, l.count, l.amount, l.amount_major, l.currency, l.days::bigint
		 FROM (SELECT @extschema@.sum(@extschema@.evaluate(p.r, t)) AS s
		       FROM %s AS t, (SELECT @extschema@.rules($1) AS r) AS p
		       WHERE %s) AS total,
		      LATERAL @extschema@.lines(total.s) AS l
		 ORDER BY l.rule, l.kind, l.instrument', $2, coalesce($3, 'true'))
	USING $1;
END
$$;
COMMENT ON FUNCTION @extschema@.simulate(text, regclass, text) IS
	'totals per rule, kind and instrument of the published policy over a table (optionally filtered), without issuing anything';
REVOKE ALL ON FUNCTION @extschema@.simulate(text, regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.simulate(text, regclass, text)
	TO compensation_admin, compensation_analyst;
