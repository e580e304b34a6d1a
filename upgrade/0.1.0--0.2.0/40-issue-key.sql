
--------------------------------------------------------------------------
-- Issuing by key: the issuer names a row, the extension reads it
--------------------------------------------------------------------------
-- 0.1.0's issue(policy, subject, row) takes the row from its caller: an
-- issuer could pass ROW(1, 10000000000, NULL)::orders and be paid what the
-- policy awards a row that does not exist.  The trust model (docs/ledger.md,
-- "Roles"): compensation_issuer is trusted with the rows it presents (it is
-- the application that owns the order data; issue_all reads the table with
-- its rights); compensation_keyed_issuer is not: it names a key, and
-- issue_key() reads that row from the table itself.

DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'compensation_keyed_issuer') THEN
		CREATE ROLE compensation_keyed_issuer NOLOGIN;
	END IF;
END
$roles$;
GRANT USAGE ON SCHEMA @extschema@ TO compensation_keyed_issuer;

-- issue_key reads a table with the owner's rights, so it reads only what
-- runs no code a role wrote: a plain table (ONLY: no inheritance child, which
-- could be a foreign table) or a partitioned table whose partitions are all
-- plain tables; a key of a built-in type whose cast from text and = are
-- PostgreSQL's own (a domain is compared as its base type, so that its
-- CHECK, which a role may have written, does not run).
CREATE FUNCTION @extschema@.issue_key(policy text, rel regclass, key_column text, key text)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_policy text := $1;
	p_rel regclass := $2;
	p_key_column text := $3;
	p_key text := $4;
	v_relkind "char";
	v_relname text;
	v_col record;
	v_base oid;
	v_version integer;
	v_subject text;
	v_source text;
	v_exists boolean;
BEGIN
	IF p_policy IS NULL OR p_rel IS NULL OR p_key_column IS NULL OR p_key IS NULL THEN
		RAISE EXCEPTION 'policy, rel, key_column and key must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT c.relkind, format('%I.%I', n.nspname, c.relname) INTO v_relkind, v_relname
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_rel;
	IF v_relkind NOT IN ('r', 'p') OR (v_relkind = 'p' AND EXISTS (
		SELECT FROM pg_partition_tree(p_rel) t JOIN pg_class c ON c.oid = t.relid
		WHERE t.isleaf AND c.relkind <> 'r')) THEN
		RAISE EXCEPTION 'issue_key() reads only plain and partitioned tables, not %', v_relname
			USING ERRCODE = 'wrong_object_type',
				DETAIL = 'A view, a foreign table or a foreign partition would run code with the extension owner''s rights.',
				HINT = 'Issue such rows with compensation.issue(policy, subject, row) as compensation_issuer.';
	END IF;
	-- the caller is who logged in: inside this function current_user is the owner
	IF NOT has_table_privilege(session_user, p_rel, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', v_relname
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	SELECT * INTO v_col FROM @extschema@._key_column(p_rel, p_key_column);
	IF v_col.attnum IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', p_key_column, v_relname
			USING ERRCODE = 'undefined_column';
	ELSIF NOT v_col.is_unique THEN
		RAISE EXCEPTION 'column "%" of relation % is not a unique key', p_key_column, v_relname
			USING ERRCODE = 'invalid_column_reference',
				HINT = 'Name the primary key, or a column with a unique index of its own.';
	END IF;
	v_base := v_col.base_type;
	IF v_base NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
		'text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'uuid'::regtype,
		'date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype, 'bool'::regtype) THEN
		RAISE EXCEPTION 'issue_key() cannot read a key of type %', format_type(v_col.type_oid, NULL)
			USING ERRCODE = 'feature_not_supported',
				DETAIL = 'Only keys of built-in types are read with the extension owner''s rights: another type''s cast and operators may be a role''s code.',
				HINT = 'Issue such rows with compensation.issue(policy, subject, row) as compensation_issuer.';
	END IF;
	v_version := @extschema@.current_version(p_policy);
	v_source := @extschema@._table_source(p_rel, p_key_column, NULL, p_policy);
	-- The lock first, then the row as committed last: a trigger's update in
	-- flight is waited for (as issue_all does).
	EXECUTE format('SELECT @extschema@.subject_key($1::%s)', format_type(v_base, NULL))
		INTO v_subject USING p_key;
	PERFORM @extschema@._lock_subjects(p_policy, v_source, ARRAY[v_subject]);
	RETURN QUERY EXECUTE format(
		'SELECT l.* FROM %s %s AS t, @extschema@._issue_one($1, $2, $3, $4, @extschema@.evaluate($5, t)) AS l
		 WHERE t.%I = $6::%s',
		CASE WHEN v_relkind = 'r' THEN 'ONLY' ELSE '' END, v_relname, p_key_column,
		format_type(v_base, NULL))
		USING p_policy, v_version, v_source, v_subject, @extschema@.rules(p_policy, v_version), p_key;
	IF NOT FOUND THEN
		-- No line written: the row may be missing, or already issued.
		EXECUTE format('SELECT EXISTS (SELECT FROM %s %s AS t WHERE t.%I = $1::%s)',
			CASE WHEN v_relkind = 'r' THEN 'ONLY' ELSE '' END, v_relname, p_key_column,
			format_type(v_base, NULL)) INTO v_exists USING p_key;
		IF NOT v_exists THEN
			RAISE EXCEPTION 'no row of % has % = %', v_relname, quote_ident(p_key_column), quote_literal(p_key)
				USING ERRCODE = 'no_data_found';
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.issue_key(text, regclass, text, text) IS
	'issues the latest published version of a policy for the row of a table whose key column equals key, reading the row itself: the caller names a row but cannot make one up; returns the lines written (none if already issued); not STRICT: NULL is an error';

REVOKE ALL ON FUNCTION @extschema@.issue_key(text, regclass, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.issue_key(text, regclass, text, text)
	TO compensation_issuer, compensation_keyed_issuer;
GRANT EXECUTE ON FUNCTION @extschema@.current_version(text),
	@extschema@.rules(text, integer), @extschema@.rules(text)
	TO compensation_keyed_issuer;
GRANT SELECT ON TABLE @extschema@.ledger, @extschema@.issue_progress
	TO compensation_keyed_issuer;
