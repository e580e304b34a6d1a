
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

-- The writer's entry for awards evaluated by the issuing session (on the
-- workers): the checks of _issue_batch, then _settle.  The issuer role
-- may hand rows to _issue_batch; here it hands their awards, which it
-- could compute from those rows as well.
CREATE FUNCTION @extschema@._settle_awards(policy text, version integer, source text,
	subjects text[], awards @extschema@.award[], defer boolean,
	OUT lines_written bigint, OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_ids bigint[];
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL OR $6 IS NULL THEN
		RAISE EXCEPTION 'policy, version, source, subjects, awards and defer must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF cardinality($4) <> cardinality($5) THEN
		RAISE EXCEPTION 'subjects and awards differ in length: % and %', cardinality($4), cardinality($5)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position($4, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'subjects must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF (SELECT count(DISTINCT x) FROM unnest($4) AS x) <> cardinality($4) THEN
		RAISE EXCEPTION 'subjects must be distinct' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.source s WHERE s.name = $3) THEN
		RAISE EXCEPTION 'source "%" does not exist', $3 USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.policy p
		WHERE p.name = $1 AND p.version = $2 AND p.status <> 'draft') THEN
		RAISE EXCEPTION 'policy "%" has no published version %', $1, $2
			USING ERRCODE = 'undefined_object';
	END IF;
	SELECT s.ids, s.pending INTO v_ids, pending
	FROM @extschema@._settle($1, $2, $3, $4, $5, '{}', $6) s;
	lines_written := cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION @extschema@._settle_awards(text, integer, text, text[], @extschema@.award[], boolean) IS
	'internal to issue_all on Citus: settles awards the issuing session evaluated on the workers (the checks of _issue_batch, then _settle)';

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
	v_rules @extschema@.ruleset := @extschema@.rules($1, $2);
	v_after text := CASE WHEN $10 IS NULL THEN 'true'
		ELSE format('t.%I %s $1::text::%s', $5, $8, $6) END;
	v_upto text;
	v_keys text[];
	v_awards @extschema@.award[];
	v_pending text[];
	v_more bigint;
BEGIN
	-- 1. The batch's last key (NULL: fewer than batch_size rows are left).
	EXECUTE format('SELECT t.%1$I::text FROM %2$s t WHERE %3$s ORDER BY t.%1$I USING %4$s OFFSET $2 - 1 LIMIT 1',
		$5, $4, v_after, $7)
		INTO v_upto USING $10, $11;
	-- 2. The range's rows, evaluated on the workers, in key order.
	EXECUTE format($q$
		SELECT count(*), array_agg(s.k ORDER BY s.key USING %3$s), array_agg(s.a ORDER BY s.key USING %3$s),
			(array_agg(s.key::text ORDER BY s.key USING %4$s))[1]
		FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, t.%1$I AS key,
				@extschema@.evaluate($3, t) AS a
			FROM %2$s t WHERE %5$s AND %6$s) s$q$,
		$5, $4, $7, $8, v_after,
		CASE WHEN v_upto IS NULL THEN 'true' ELSE format('NOT t.%I %s $2::text::%s', $5, $8, $6) END)
		INTO rows_done, v_keys, v_awards, next_key USING $10, v_upto, v_rules;
	IF rows_done = 0 THEN
		next_key := NULL;
		RETURN;
	END IF;
	-- 3. Settled on the coordinator; what needs a lock is read again.
	SELECT f.lines_written, f.pending INTO lines_written, v_pending
	FROM @extschema@._settle_awards($1, $2, $3, v_keys, v_awards, true) f;
	IF cardinality(v_pending) > 0 THEN
		PERFORM @extschema@.lock_subjects($1, $3, v_pending);
		EXECUTE format($q$
			SELECT array_agg(s.k ORDER BY s.k COLLATE "C"), array_agg(s.a ORDER BY s.k COLLATE "C")
			FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, @extschema@.evaluate($2, t) AS a
				FROM %2$s t WHERE t.%1$I %3$s ANY ($1::text[]::%4$s[])) s$q$,
			$5, $4, $9, $6)
			INTO v_keys, v_awards USING v_pending, v_rules;
		IF cardinality(v_keys) > 0 THEN
			SELECT f.lines_written INTO v_more
			FROM @extschema@._settle_awards($1, $2, $3, v_keys, v_awards, false) f;
			lines_written := lines_written + coalesce(v_more, 0);
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._issue_next_distributed(text, integer, text, regclass, text, text,
	text, text, text, text, integer) IS
	'internal to issue_all on Citus: the next batch as a key range, evaluated on the workers, settled on the coordinator';

REVOKE ALL ON FUNCTION @extschema@._settle_awards(text, integer, text, text[], @extschema@.award[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_next_distributed(text, integer, text, regclass, text, text,
	text, text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@._settle_awards(text, integer, text, text[], @extschema@.award[], boolean),
	@extschema@._issue_next_distributed(text, integer, text, regclass, text, text, text, text, text,
		text, integer)
	TO compensation_issuer;
