
--------------------------------------------------------------------------
-- attach / detach: a policy on a table in one call that checks itself
--------------------------------------------------------------------------
-- 0.1.0 accepted any CREATE TRIGGER and reported a missing key or column at
-- the first INSERT.  attach() checks what the trigger will need before it
-- creates it, with short errors that name the table, the column and the
-- policy: a plain or partitioned table; a key column that is unique, NOT
-- NULL and of a type that names subjects; every column the policy reads
-- present with a type it can read (the policy's latest version, published
-- or draft, bound to the table's row type as the first evaluation would),
-- and evaluating without error over the rows already there (up to 1,000).

-- Binds a ruleset to a row type, without a row.
CREATE FUNCTION @extschema@._check_row_type(rules @extschema@.ruleset, row_type regtype)
RETURNS void
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'compensation_check_row_type';
COMMENT ON FUNCTION @extschema@._check_row_type(@extschema@.ruleset, regtype) IS
	'internal: errors if the rules cannot be evaluated over rows of the type (a missing column, a column of an unusable type)';

-- The name of one of attach's triggers: readable, at most 63 bytes.
CREATE FUNCTION @extschema@._trigger_name(policy text, event text)
RETURNS name
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN octet_length(n) <= 63 THEN n
		ELSE left(n, 40) || ' ' || left(md5(n), 12) END::name
	FROM (SELECT concat_ws(' ', 'compensation', $1, $2) AS n) x
$$;
COMMENT ON FUNCTION @extschema@._trigger_name(text, text) IS
	'internal: the name attach() gives a trigger of a policy (and event, NULL for the row form), shortened with a hash beyond 63 bytes';

CREATE FUNCTION @extschema@.detach(policy text, rel regclass)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_trigger name;
	v_n integer := 0;
BEGIN
	FOR v_trigger IN
		SELECT t.tgname FROM pg_trigger t
		WHERE t.tgrelid = $2 AND t.tgfoid = '@extschema@.issue_trigger()'::regprocedure
			AND (@extschema@._trigger_args(t.tgargs))[1] = $1
		ORDER BY t.tgname
	LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', v_trigger, $2);
		v_n := v_n + 1;
	END LOOP;
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION @extschema@.detach(text, regclass) IS
	'drops the issuing triggers of a policy on a table (what attach created, or hand-made ones); returns how many; what was issued stays in the ledger';

CREATE FUNCTION @extschema@.attach(policy text, rel regclass, key_column text,
	source text DEFAULT NULL, form text DEFAULT 'statement', on_delete text DEFAULT 'reverse')
RETURNS text
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_policy text := $1;
	p_rel regclass := $2;
	p_key text := $3;
	v_relkind "char";
	v_relname text;
	v_reltype regtype;
	v_key record;
	v_notnull boolean;
	v_rules @extschema@.ruleset;
	v_version integer;
	v_status text;
	v_source text;
	v_events text;
	v_err text;
	v_state text;
BEGIN
	IF p_policy IS NULL OR p_rel IS NULL OR p_key IS NULL OR $5 IS NULL OR $6 IS NULL THEN
		RAISE EXCEPTION 'policy, rel, key_column, form and on_delete must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF $5 NOT IN ('row', 'statement') THEN
		RAISE EXCEPTION 'form must be ''row'' or ''statement'', not %', quote_literal($5)
			USING ERRCODE = 'invalid_parameter_value',
				HINT = '''statement'' (the default) issues a bulk change set-based; ''row'' issues each row as it changes.';
	END IF;
	IF $6 NOT IN ('reverse', 'keep') THEN
		RAISE EXCEPTION 'on_delete must be ''reverse'' or ''keep'', not %', quote_literal($6)
			USING ERRCODE = 'invalid_parameter_value',
				HINT = '''reverse'' (the default) reverses what a deleted row was paid; ''keep'' leaves it.';
	END IF;
	SELECT c.relkind, format('%I.%I', n.nspname, c.relname), c.reltype
	INTO v_relkind, v_relname, v_reltype
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_rel;
	IF v_relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: it is not a table', p_policy, v_relname
			USING ERRCODE = 'wrong_object_type',
				HINT = 'Attach it to the table the view or foreign table reads; issue other rows with compensation.issue_all() or issue().';
	END IF;
	-- A trigger on a Citus table fires on the workers, where the writer
	-- cannot run (the ledger is a Citus table, and a NOTIFY there would
	-- block the two-phase commit).
	IF @extschema@._citus_table(p_rel) THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: it is a Citus table', p_policy, v_relname
			USING ERRCODE = 'feature_not_supported',
				DETAIL = 'An issuing trigger fires on the workers; the ledger is written from the coordinator.',
				HINT = 'Issue its rows with compensation.issue() from the application, or compensation.issue_all() on the coordinator after each load.';
	END IF;
	SELECT p.rules, p.version, p.status INTO v_rules, v_version, v_status
	FROM @extschema@.policy p WHERE p.name = p_policy AND p.status <> 'retired'
	ORDER BY p.version DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: %', p_policy, v_relname,
			CASE WHEN EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = p_policy)
				THEN 'every version is retired' ELSE 'the policy does not exist' END
			USING ERRCODE = 'undefined_object',
				HINT = 'Define it with compensation.define_policy() (and publish it: the trigger issues the version in force).';
	END IF;
	SELECT * INTO v_key FROM @extschema@._key_column(p_rel, p_key);
	IF v_key.attnum IS NULL THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: column "%" does not exist', p_policy, v_relname, p_key
			USING ERRCODE = 'undefined_column';
	END IF;
	IF NOT v_key.is_unique THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: key column "%" is not unique', p_policy, v_relname, p_key
			USING ERRCODE = 'invalid_column_reference',
				DETAIL = 'Each row is issued as the subject its key names.',
				HINT = format('Name the primary key, or add one: ALTER TABLE %s ADD UNIQUE (%I).', v_relname, p_key);
	END IF;
	SELECT a.attnotnull INTO v_notnull FROM pg_attribute a
	WHERE a.attrelid = p_rel AND a.attnum = v_key.attnum;
	IF NOT v_notnull THEN
		RAISE EXCEPTION 'cannot attach policy "%" to %: key column "%" is nullable', p_policy, v_relname, p_key
			USING ERRCODE = 'invalid_column_reference',
				DETAIL = 'A row without a key names no subject: the trigger would refuse it.',
				HINT = format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', v_relname, p_key);
	END IF;
	-- The key's type, the columns the policy reads, and a dry run over up to
	-- 1,000 rows already in the table: a column whose type the policy
	-- cannot use (text where it multiplies) fails there, not at the first
	-- INSERT after.
	BEGIN
		PERFORM @extschema@._check_key_type(v_key.type_oid, p_key);
		PERFORM @extschema@._check_row_type(v_rules, v_reltype);
		EXECUTE format('SELECT count(@extschema@.evaluate($1, t)) FROM (SELECT * FROM %s LIMIT 1000) t', v_relname)
			USING v_rules;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS v_err = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
		RAISE EXCEPTION 'cannot attach policy "%" to %: %', p_policy, v_relname, v_err
			USING ERRCODE = v_state,
				DETAIL = format('Checked against version %s (%s) of the policy.', v_version, v_status);
	END;
	v_source := @extschema@._table_source(p_rel, p_key, $4, p_policy);

	-- The triggers: this policy's old ones go (re-attaching changes the
	-- form), then one per event set.
	PERFORM @extschema@.detach(p_policy, p_rel);
	v_events := CASE WHEN $6 = 'reverse' THEN 'INSERT OR UPDATE OR DELETE' ELSE 'INSERT OR UPDATE' END;
	IF $5 = 'row' THEN
		EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.issue_trigger(%L, %L, %L)',
			@extschema@._trigger_name(p_policy, NULL), v_events, v_relname, p_policy, p_key, v_source);
	ELSE
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.issue_trigger(%L, %L, %L)',
			@extschema@._trigger_name(p_policy, 'insert'), v_relname, p_policy, p_key, v_source);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.issue_trigger(%L, %L, %L)',
			@extschema@._trigger_name(p_policy, 'update'), v_relname, p_policy, p_key, v_source);
		IF $6 = 'reverse' THEN
			EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.issue_trigger(%L, %L, %L)',
				@extschema@._trigger_name(p_policy, 'delete'), v_relname, p_policy, p_key, v_source);
		END IF;
	END IF;
	RAISE NOTICE 'policy "%" attached to % (key %, source "%", % trigger%, deletions %)', p_policy, v_relname,
		p_key, v_source, $5, CASE WHEN $5 = 'statement' THEN 's' ELSE '' END,
		CASE WHEN $6 = 'reverse' THEN 'reversed' ELSE 'kept' END
		USING HINT = CASE WHEN v_status = 'draft' THEN 'The policy has no published version yet: rows are issued once one is published.'
			ELSE 'Rows already in the table are issued by CALL compensation.issue_all(' || quote_literal(p_policy)
				|| ', ' || quote_literal(v_relname) || ', ' || quote_literal(p_key) || ').' END;
	RETURN v_source;
END
$$;
COMMENT ON FUNCTION @extschema@.attach(text, regclass, text, text, text, text) IS
	'attaches a policy to a table: checks the table, its key column (unique, NOT NULL, a type that names subjects) and that every column the policy reads is there with a usable type, records the table''s source and creates the issuing triggers (form ''statement'' or ''row''; on_delete ''reverse'' or ''keep''); returns the source name';

REVOKE ALL ON FUNCTION @extschema@.attach(text, regclass, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.detach(text, regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.attach(text, regclass, text, text, text, text),
	@extschema@.detach(text, regclass),
	@extschema@._table_source(regclass, text, text, text)
	TO compensation_admin;
