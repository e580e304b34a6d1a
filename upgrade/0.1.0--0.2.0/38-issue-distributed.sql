
--------------------------------------------------------------------------
-- issue_all on Citus: evaluation on the workers
--------------------------------------------------------------------------
-- The single-node batch (_issue_next) reads whole rows in key order with
-- LIMIT and evaluates them in the writer.  Over a distributed table that
-- would evaluate on the coordinator, and a LIMIT pushed to every shard
-- would evaluate up to batch_size rows per shard.  So a batch on Citus is
-- a key range:
--   1. the batch's last key: the batch_size-th key after the last one done
--      (keys only travel; nothing is evaluated);
--   2. the rows of the range, evaluated where they live: the policy is a
--      constant of the query, so every shard query carries it and the
--      workers evaluate; the awards come back in key order;
--   3. the awards are settled on the coordinator (_settle_awards, the
--      writer's entry for awards evaluated elsewhere); subjects whose
--      claim was lost or whose award changed are locked, their rows read
--      and evaluated again on the workers, and settled under the locks.

-- The rows of a range (or of the keys given), read and evaluated with the
-- extension owner's rights, and settled.  The issuer cannot hand the
-- writer awards of its own (docs/ledger.md, "Trust model"), so the query
-- that evaluates on the workers runs here, under the rules of issue_key():
-- a plain or partitioned table the login role may read and whose rows no
-- policy of row security hides from it, and a key of a built-in type (the
-- cast from text and the operators are PostgreSQL's own).
CREATE FUNCTION @extschema@._issue_range_distributed(policy text, version integer, rel regclass,
	key_column text, after_key text, upto_key text, keys text[], defer boolean,
	OUT rows_done bigint, OUT last_key text, OUT lines_written bigint, OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_relkind "char";
	v_rls boolean;
	v_relname text;
	v_col record;
	v_type text;
	v_ops record;
	v_source text;
	v_where text;
	v_keys text[];
	v_awards @extschema@.award[];
	v_ids bigint[];
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL OR $8 IS NULL THEN
		RAISE EXCEPTION 'policy, version, rel, key_column and defer must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT c.relkind, c.relrowsecurity, format('%I.%I', n.nspname, c.relname)
	INTO v_relkind, v_rls, v_relname
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $3;
	IF v_relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION 'issue_all on Citus reads only tables, not %', v_relname
			USING ERRCODE = 'wrong_object_type';
	END IF;
	-- the caller is who logged in: inside this function current_user is the owner
	IF NOT has_table_privilege(session_user, $3, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', v_relname USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF v_rls AND NOT (SELECT r.rolbypassrls OR r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
		RAISE EXCEPTION 'issue_all on Citus cannot read %: it has row-level security', v_relname
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'The rows are read with the extension owner''s rights, which would see rows the policies hide from you.';
	END IF;
	SELECT * INTO v_col FROM @extschema@._key_column($3, $4);
	IF v_col.attnum IS NULL OR NOT v_col.is_unique THEN
		RAISE EXCEPTION 'column "%" of relation % is not a unique key', $4, v_relname
			USING ERRCODE = 'invalid_column_reference';
	END IF;
	IF v_col.base_type NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
		'text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'uuid'::regtype,
		'date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype, 'bool'::regtype) THEN
		RAISE EXCEPTION 'issue_all on Citus cannot read a key of type %', format_type(v_col.type_oid, NULL)
			USING ERRCODE = 'feature_not_supported',
				DETAIL = 'Only keys of built-in types are read with the extension owner''s rights: another type''s cast and operators may be a role''s code.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.policy p
		WHERE p.name = $1 AND p.version = $2 AND p.status <> 'draft') THEN
		RAISE EXCEPTION 'policy "%" has no published version %', $1, $2
			USING ERRCODE = 'undefined_object';
	END IF;
	v_type := format_type(v_col.base_type, NULL);
	SELECT * INTO v_ops FROM @extschema@._btree_operators(v_col.base_type);
	v_source := @extschema@._table_source($3, $4, NULL, $1);
	IF $7 IS NOT NULL THEN
		v_where := format('t.%I = ANY ($3::%s[])', $4, v_type);
	ELSE
		v_where := concat_ws(' AND ', 'true',
			CASE WHEN $5 IS NOT NULL THEN format('t.%I %s $1::%s', $4, v_ops.op_gt, v_type) END,
			CASE WHEN $6 IS NOT NULL THEN format('NOT t.%I %s $2::%s', $4, v_ops.op_gt, v_type) END);
	END IF;
	-- The rows, evaluated where they live (the policy is a constant of
	-- every shard query), in key order.
	EXECUTE format($q$
		SELECT count(*), array_agg(s.k ORDER BY s.key USING %3$s), array_agg(s.a ORDER BY s.key USING %3$s),
			(array_agg(s.k ORDER BY s.key USING %4$s))[1]
		FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, t.%1$I AS key,
				@extschema@.evaluate($4, t) AS a
			FROM %2$s t WHERE %5$s) s$q$,
		$4, v_relname, v_ops.op_lt, v_ops.op_gt, v_where)
		INTO rows_done, v_keys, v_awards, last_key USING $5, $6, $7, @extschema@.rules($1, $2);
	IF rows_done = 0 THEN
		lines_written := 0;
		pending := '{}';
		RETURN;
	END IF;
	SELECT s.ids, s.pending INTO v_ids, pending
	FROM @extschema@._settle($1, $2, v_source, v_keys, v_awards, '{}', $8) s;
	lines_written := cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION @extschema@._issue_range_distributed(text, integer, regclass, text, text, text,
	text[], boolean) IS
	'internal to issue_all on Citus: reads the rows of a key range (or of the keys given) with the owner''s rights, under issue_key''s rules, evaluates them on the workers and settles them; returns the rows read, the last key and the subjects that need their lock';

CREATE FUNCTION @extschema@._issue_next_distributed(policy text, version integer, source text,
	rel regclass, key_column text, keytype text, op_lt text, op_gt text, op_eq text,
	last_key text, batch_size integer, OUT rows_done bigint, OUT next_key text,
	OUT lines_written bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_upto text;
	v_pending text[];
	v_more bigint;
BEGIN
	-- 1. The batch's last key (NULL: fewer than batch_size rows are left),
	-- read with the caller's rights; only keys travel, as their canonical
	-- text (subject_key), which reads back as the same key under any
	-- DateStyle or TimeZone (key::text does not: under 'Postgres, YMD' a
	-- date prints as 12-31-2025, which that DateStyle cannot read).
	EXECUTE format('SELECT @extschema@.subject_key(t.%1$I) FROM %2$s t WHERE %3$s ORDER BY t.%1$I USING %4$s OFFSET $2 - 1 LIMIT 1',
		$5, $4, CASE WHEN $10 IS NULL THEN 'true' ELSE format('t.%I %s $1::text::%s', $5, $8, $6) END, $7)
		INTO v_upto USING $10, $11;
	-- 2. The range, evaluated on the workers, settled on the coordinator.
	SELECT r.rows_done, r.last_key, r.lines_written, r.pending
	INTO rows_done, next_key, lines_written, v_pending
	FROM @extschema@._issue_range_distributed($1, $2, $4, $5, $10, v_upto, NULL, true) r;
	IF rows_done = 0 THEN
		next_key := NULL;
		RETURN;
	END IF;
	-- 3. What needs a lock: locked, read again, settled under the locks.
	IF cardinality(v_pending) > 0 THEN
		PERFORM @extschema@.lock_subjects($1, $3, v_pending);
		SELECT r.lines_written INTO v_more
		FROM @extschema@._issue_range_distributed($1, $2, $4, $5, NULL, NULL, v_pending, false) r;
		lines_written := lines_written + coalesce(v_more, 0);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._issue_next_distributed(text, integer, text, regclass, text, text,
	text, text, text, text, integer) IS
	'internal to issue_all on Citus: the next batch as a key range, evaluated on the workers, settled on the coordinator';

REVOKE ALL ON FUNCTION @extschema@._issue_range_distributed(text, integer, regclass, text, text, text,
	text[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_next_distributed(text, integer, text, regclass, text, text,
	text, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@._issue_range_distributed(text, integer, regclass, text, text,
		text, text[], boolean),
	@extschema@._issue_next_distributed(text, integer, text, regclass, text, text, text, text, text,
		text, integer)
	TO compensation_issuer;
