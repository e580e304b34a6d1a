
--------------------------------------------------------------------------
-- Sources: a subject is (policy, source, subject)
--------------------------------------------------------------------------
-- 0.1.0 named a subject by its key text alone, per policy: order 9000040 of
-- the table orders and a copy of it in app_orders were one subject, so
-- issuing either reversed the other's lines, and every later run
-- flip-flopped them.  A subject now also names its source: the table it
-- was read from (or a name an application gives).  The name of a table's
-- source is recorded here the first time the table is issued from, and
-- found again by the table's oid, so ALTER TABLE ... RENAME keeps it (and
-- pg_dump restores the regclass by name).
CREATE TABLE @extschema@.source (
	name		text PRIMARY KEY CHECK (name <> '' AND length(name) <= 200),
	relation	regclass UNIQUE,
	created_by	name NOT NULL DEFAULT session_user,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.source IS
	'where subjects come from: a table (found by its oid, so a rename keeps the name), or a name an application issues under';
COMMENT ON COLUMN @extschema@.source.name IS
	'the source part of a subject''s identity (policy, source, subject); for a table, its schema-qualified name when first issued from';
COMMENT ON COLUMN @extschema@.source.relation IS
	'the table (or composite type), NULL for an application''s source; a dropped table leaves its oid (its lines stay in the ledger)';

-- A policy names a table's rows by one key column: by another, the same
-- row would be another subject, paid again.
CREATE TABLE @extschema@.source_key (
	policy		text NOT NULL,
	source		text NOT NULL REFERENCES @extschema@.source (name),
	key_column	text NOT NULL,
	PRIMARY KEY (policy, source)
);
COMMENT ON TABLE @extschema@.source_key IS
	'the key column each policy names a table''s rows by, recorded when the trigger, issue_all or attach first uses it; another column is refused';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_key', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source', '');

ALTER TABLE @extschema@.ledger
	ADD COLUMN source text,
	ADD COLUMN reason text;
COMMENT ON COLUMN @extschema@.ledger.source IS
	'where the subject was read from (compensation.source); with policy and subject, the subject''s identity';
COMMENT ON COLUMN @extschema@.ledger.reason IS
	'why a line was written other than by a new evaluation: a revoke''s reason, ''row deleted'', ''row gone''; NULL otherwise';

ALTER TABLE @extschema@.issuance
	ADD COLUMN source text,
	ADD COLUMN revoked_at timestamptz,
	ADD COLUMN revoked_by name,
	ADD COLUMN revoke_reason text,
	ADD CONSTRAINT issuance_revoke_stamps CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)
		AND (revoked_at IS NULL) = (revoke_reason IS NULL));
COMMENT ON COLUMN @extschema@.issuance.revoked_at IS
	'set by compensation.revoke(): the subject''s lines were reversed and no issuance pays it again until compensation.reinstate()';

--------------------------------------------------------------------------
-- The source of a table, recorded on first use
--------------------------------------------------------------------------
-- SECURITY DEFINER: the trigger, issue_all and attach (which run as
-- different roles) record a table's source here, nobody writes the table
-- directly.  A table has one source and one key column: issuing it by
-- another column would name its rows as other subjects.
CREATE FUNCTION @extschema@._table_source(rel regclass, key_column text DEFAULT NULL,
	source text DEFAULT NULL, policy text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_rel regclass := $1;
	p_key text := $2;
	p_source text := $3;
	p_policy text := $4;
	v_name text;
	v_key text;
BEGIN
	IF p_rel IS NULL THEN
		RAISE EXCEPTION 'rel must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT s.name INTO v_name FROM @extschema@.source s WHERE s.relation = p_rel;
	IF NOT FOUND THEN
		v_name := coalesce(p_source, (SELECT format('%I.%I', n.nspname, c.relname)
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_rel));
		INSERT INTO @extschema@.source AS s (name, relation) VALUES (v_name, p_rel)
		ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			-- A table dropped and created again under its name (a restore, a
			-- test's setup) takes over the source: its rows are the subjects
			-- its lines were paid for.
			UPDATE @extschema@.source s SET relation = p_rel
			WHERE s.name = v_name AND s.relation IS NOT NULL
				AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = s.relation);
		END IF;
		IF NOT FOUND THEN
			-- Another session recorded it first, or the name is taken.
			SELECT s.name INTO v_name FROM @extschema@.source s WHERE s.relation = p_rel;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'source "%" already names another table or an application',
					coalesce(p_source, p_rel::text)
					USING ERRCODE = 'duplicate_object',
						HINT = 'Give this table a source name of its own: compensation.attach(..., source => ''name'').';
			END IF;
		END IF;
	END IF;
	IF p_source IS NOT NULL AND p_source <> v_name THEN
		RAISE EXCEPTION 'table % is source "%", not "%"', p_rel, v_name, p_source
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'A table has one source name; its lines are recorded under it.';
	END IF;
	IF p_policy IS NOT NULL AND p_key IS NOT NULL THEN
		SELECT k.key_column INTO v_key FROM @extschema@.source_key k
		WHERE k.policy = p_policy AND k.source = v_name;
		IF NOT FOUND THEN
			INSERT INTO @extschema@.source_key AS k (policy, source, key_column)
			VALUES (p_policy, v_name, p_key) ON CONFLICT DO NOTHING;
			SELECT k.key_column INTO v_key FROM @extschema@.source_key k
			WHERE k.policy = p_policy AND k.source = v_name;
		END IF;
		IF v_key <> p_key THEN
			RAISE EXCEPTION 'policy "%" names the rows of % by key column "%", not "%"', p_policy, p_rel, v_key, p_key
				USING ERRCODE = 'invalid_column_reference',
					DETAIL = 'By another column the same row would be another subject, and paid again.';
		END IF;
	END IF;
	RETURN v_name;
END
$$;
COMMENT ON FUNCTION @extschema@._table_source(regclass, text, text, text) IS
	'internal: the source name of a table (or composite type), recorded on first use (by default its schema-qualified name); with a policy and a key column, records the column the policy names the table''s rows by, and refuses another';

-- The source an application names in issue(..., source): recorded on first
-- use.  It may be a table's source name: the application then issues rows
-- of that table under the subjects the trigger and issue_all use.
CREATE FUNCTION @extschema@._app_source(source text)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.name = $1) THEN
		IF $1 = '' OR length($1) > 200 THEN
			RAISE EXCEPTION 'a source name must have 1 to 200 characters, not %', length($1)
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		INSERT INTO @extschema@.source (name) VALUES ($1) ON CONFLICT DO NOTHING;
	END IF;
	RETURN $1;
END
$$;
COMMENT ON FUNCTION @extschema@._app_source(text) IS
	'internal: records the source name an application gives to issue() on first use';

REVOKE ALL ON FUNCTION @extschema@._table_source(regclass, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._app_source(text) FROM PUBLIC;

--------------------------------------------------------------------------
-- 0.1.0's lines: their source, and their subjects in canonical text
--------------------------------------------------------------------------
-- 0.1.0 did not record where a line's subject came from.  A policy that
-- 0.1.0 issued over one table only (its issue_all runs and its triggers
-- name one table and key column) is given that table's source, and its
-- subjects are rewritten in canonical text (0.1.0 wrote key::text, which
-- followed DateStyle and TimeZone: under the session's settings they cast
-- back to the key).  Lines of a policy with no such table keep the source
-- '' (unknown); issuing that policy from a table then stops with an error
-- until an administrator names the table with compensation.adopt_lines().
-- This is the only writer that changes ledger rows: a migration of what
-- names them, not of what they pay.
CREATE FUNCTION @extschema@.adopt_lines(policy text, rel regclass, key_column text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_policy text := $1;
	v_source text;
	v_keytype text;
	v_lines bigint;
	v_left bigint;
BEGIN
	IF NOT EXISTS (SELECT FROM @extschema@.issuance s WHERE s.policy = p_policy AND s.source = '') THEN
		RETURN 0;
	END IF;
	SELECT format_type(k.type_oid, NULL) INTO v_keytype FROM @extschema@._key_column($2, $3) k;
	IF v_keytype IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', $3, $2 USING ERRCODE = 'undefined_column';
	END IF;
	v_source := @extschema@._table_source($2, $3, NULL, p_policy);
	-- The canonical text of each 0.1.0 subject that reads back as a key
	-- and prints again as the same text under this session's settings
	-- (so the settings are the ones it was written under: '10/06/2025'
	-- is June under DMY and October under MDY).  The others stay unknown.
	CREATE TEMP TABLE _adopt (old text PRIMARY KEY, new text NOT NULL) ON COMMIT DROP;
	INSERT INTO _adopt
	SELECT x.old, x.new
	FROM (SELECT s.subject AS old, @extschema@._canonical_subject(s.subject, v_keytype) AS new
		FROM @extschema@.issuance s WHERE s.policy = p_policy AND s.source = '') x
	WHERE x.new IS NOT NULL;
	GET DIAGNOSTICS v_lines = ROW_COUNT;
	v_left := (SELECT count(*) FROM @extschema@.issuance s WHERE s.policy = p_policy AND s.source = '')
		- v_lines;
	IF v_left > 0 THEN
		RAISE WARNING '% subjects of policy "%" do not read back as keys of % under this session''s DateStyle and TimeZone', v_left, p_policy, $2
			USING DETAIL = 'They keep an unknown source, and the policy is not issued until they have one.',
				HINT = 'SET DateStyle and TimeZone as they were when 0.1.0 issued them, and call compensation.adopt_lines() again.';
	END IF;
	ALTER TABLE @extschema@.ledger DISABLE TRIGGER ledger_append_only;
	UPDATE @extschema@.ledger g SET source = v_source, subject = a.new
	FROM _adopt a WHERE g.policy = p_policy AND g.source = '' AND g.subject = a.old;
	GET DIAGNOSTICS v_lines = ROW_COUNT;
	ALTER TABLE @extschema@.ledger ENABLE TRIGGER ledger_append_only;
	-- Two 0.1.0 subjects with one canonical text (one row paid under two
	-- DateStyles) become one subject whose state forgets its award, so
	-- that the next issuance compares its open lines with what it is owed
	-- and reverses the double payment.
	CREATE TEMP TABLE _adopt_state ON COMMIT DROP AS
	SELECT a.new AS subject, max(s.version) AS version,
		CASE WHEN count(*) = 1 THEN (array_agg(s.award_hash))[1] END AS award_hash,
		sum(s.open_lines)::integer AS open_lines, max(s.issued_at) AS issued_at
	FROM @extschema@.issuance s JOIN _adopt a ON a.old = s.subject
	WHERE s.policy = p_policy AND s.source = ''
	GROUP BY a.new;
	DELETE FROM @extschema@.issuance s USING _adopt a
	WHERE s.policy = p_policy AND s.source = '' AND s.subject = a.old;
	INSERT INTO @extschema@.issuance (policy, source, subject, version, award_hash, open_lines, issued_at)
	SELECT p_policy, v_source, n.subject, n.version, n.award_hash, n.open_lines, n.issued_at
	FROM _adopt_state n
	ON CONFLICT ON CONSTRAINT issuance_pkey DO UPDATE
	SET version = greatest(EXCLUDED.version, issuance.version), award_hash = NULL,
		open_lines = EXCLUDED.open_lines + issuance.open_lines;
	DROP TABLE _adopt, _adopt_state;
	RETURN v_lines;
END
$$;
COMMENT ON FUNCTION @extschema@.adopt_lines(text, regclass, text) IS
	'gives the lines 0.1.0 issued for a policy (source unknown) the source of a table, and their subjects the canonical text of its key column (for subjects whose text reads back as a key under this session''s DateStyle and TimeZone); returns the lines relabelled; for administrators, before issuing that policy from the table';
REVOKE ALL ON FUNCTION @extschema@.adopt_lines(text, regclass, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.adopt_lines(text, regclass, text) TO compensation_admin;

-- The canonical text of a 0.1.0 subject read back as a key of type
-- keytype under this session's settings; NULL if it does not read.
CREATE FUNCTION @extschema@._canonical_subject(subject text, keytype text)
RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v text;
BEGIN
	EXECUTE format('SELECT @extschema@.subject_key(k) FROM (SELECT $1::%1$s AS k) x WHERE x.k::text = $1', $2)
		INTO v USING $1;
	RETURN v;
EXCEPTION WHEN data_exception OR feature_not_supported THEN
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._canonical_subject(text, text) IS
	'internal to adopt_lines: a 0.1.0 subject (key::text) as the canonical subject_key() of the key it reads back as, if that key prints as the same text under this session''s settings; NULL otherwise';
REVOKE ALL ON FUNCTION @extschema@._canonical_subject(text, text) FROM PUBLIC;


-- A trigger's arguments, from pg_trigger.tgargs (each ends with a NUL byte).
CREATE FUNCTION @extschema@._trigger_args(tgargs bytea)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_args text[] := '{}';
	v_rest bytea := $1;
	v_end integer;
BEGIN
	LOOP
		v_end := position('\x00'::bytea IN v_rest);
		EXIT WHEN v_end = 0;
		v_args := v_args || convert_from(substring(v_rest FROM 1 FOR v_end - 1), getdatabaseencoding());
		v_rest := substring(v_rest FROM v_end + 1);
	END LOOP;
	RETURN v_args;
END
$$;
COMMENT ON FUNCTION @extschema@._trigger_args(bytea) IS
	'internal: the arguments of a trigger, from pg_trigger.tgargs';

-- The migration: every 0.1.0 line gets the source '' first; a policy whose
-- issue_all runs and triggers name exactly one (table, key column) is then
-- adopted by it.
UPDATE @extschema@.issuance SET source = '';
ALTER TABLE @extschema@.ledger DISABLE TRIGGER ledger_append_only;
UPDATE @extschema@.ledger SET source = '';
ALTER TABLE @extschema@.ledger ENABLE TRIGGER ledger_append_only;
ALTER TABLE @extschema@.ledger ALTER COLUMN source SET NOT NULL;
ALTER TABLE @extschema@.issuance ALTER COLUMN source SET NOT NULL;
-- Every path that takes several subjects' locks sorts them COLLATE "C"
-- (byte order: the same whatever the database's collation), so that two
-- batches lock in one order.  The columns keep the database's collation:
-- declared COLLATE "C", they no longer matched the text values compared
-- with them, and the subject part of the key left the index conditions.
-- The subject leads the state's key: every issuing path probes it once
-- per subject of a batch (src/settle_classify.c), and a descent that
-- compares the subject first settles most comparisons on one column
-- instead of three (a re-run with nothing owed, B10, took 11% less time
-- over 100,000 rows; BENCHMARKS.md).  What reads one policy's whole state
-- (reverse_gone, adopt_lines) scans the table.
ALTER TABLE @extschema@.issuance DROP CONSTRAINT issuance_pkey;
ALTER TABLE @extschema@.issuance ADD CONSTRAINT issuance_pkey PRIMARY KEY (subject, policy, source);
DROP INDEX @extschema@.ledger_policy_subject;
CREATE INDEX ledger_policy_subject ON @extschema@.ledger (policy, source, subject);

DO $adopt$
DECLARE
	v record;
	v_n bigint;
BEGIN
	FOR v IN
		WITH used AS (
			SELECT r.policy, to_regclass(r.relation) AS rel, r.key_column
			FROM @extschema@.issue_run r
			UNION
			SELECT a[1], t.tgrelid::regclass, a[2]
			FROM pg_trigger t, @extschema@._trigger_args(t.tgargs) a
			WHERE t.tgfoid = '@extschema@.issue_trigger()'::regprocedure AND t.tgnargs = 2
		)
		SELECT u.policy, min(u.rel::oid)::regclass AS rel, min(u.key_column) AS key_column,
			count(*) AS n
		FROM used u
		WHERE u.rel IS NOT NULL
			AND EXISTS (SELECT FROM @extschema@.issuance s WHERE s.policy = u.policy)
		GROUP BY u.policy
		ORDER BY u.policy
	LOOP
		IF v.n = 1 THEN
			v_n := @extschema@.adopt_lines(v.policy, v.rel, v.key_column);
			RAISE NOTICE 'compensation 0.2.0: % ledger lines of policy "%" are given source "%"',
				v_n, v.policy, @extschema@._table_source(v.rel);
		END IF;
	END LOOP;
	FOR v IN SELECT s.policy, count(*) AS n FROM @extschema@.issuance s
		WHERE s.source = '' GROUP BY s.policy ORDER BY s.policy
	LOOP
		RAISE WARNING 'compensation 0.2.0: % subjects of policy "%" were issued by 0.1.0 from an unknown source', v.n, v.policy
			USING HINT = format('Before issuing it again, name their table: SELECT compensation.adopt_lines(%L, ''schema.table'', ''key_column'');', v.policy);
	END LOOP;
END
$adopt$;

GRANT SELECT ON TABLE @extschema@.source, @extschema@.source_key TO compensation_admin, compensation_analyst, compensation_issuer;
-- issue_all runs with its caller's rights and records its table's source.
GRANT EXECUTE ON FUNCTION @extschema@._table_source(regclass, text, text, text) TO compensation_issuer;
