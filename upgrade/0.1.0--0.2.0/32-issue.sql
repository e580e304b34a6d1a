
--------------------------------------------------------------------------
-- Issuing, revoking and reinstating one subject
--------------------------------------------------------------------------
-- 0.1.0's writers are replaced by _settle (31-settle.sql).
DROP FUNCTION @extschema@._issue(text, integer, text, @extschema@.award, boolean);
DROP FUNCTION @extschema@._issue_batch(text, integer, text[], anyarray);

-- The source of a row an application passes: its table's (or composite
-- type's) source, so that issue() of an order and the trigger on orders
-- name the same subjects.
CREATE FUNCTION @extschema@._row_source(row_type regtype)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_rel regclass;
BEGIN
	SELECT nullif(t.typrelid, 0)::regclass INTO v_rel FROM pg_type t
	WHERE t.oid = @extschema@._base_type($1);
	IF v_rel IS NULL THEN
		RAISE EXCEPTION 'a row of type % has no source', $1
			USING ERRCODE = 'datatype_mismatch',
				DETAIL = 'Rows are issued as subjects of their table, and a row of this type has none.',
				HINT = 'Pass a table''s row, or name a source: compensation.issue(policy, subject, row, source).';
	END IF;
	RETURN @extschema@._table_source(v_rel, NULL);
END
$$;
COMMENT ON FUNCTION @extschema@._row_source(regtype) IS
	'internal: the source of a row passed to issue(): its table''s (or composite type''s)';

CREATE FUNCTION @extschema@._base_type(typ oid)
RETURNS oid
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_type oid := $1;
	v_next oid;
BEGIN
	LOOP
		SELECT t.typbasetype INTO v_next FROM pg_catalog.pg_type t WHERE t.oid = v_type;
		IF v_next IS NULL THEN
			RETURN NULL;
		END IF;
		EXIT WHEN v_next = 0;
		v_type := v_next;
	END LOOP;
	RETURN v_type;
END
$$;
COMMENT ON FUNCTION @extschema@._base_type(oid) IS 'internal: a type through its domains';

-- One subject: settle it and return the lines written.
CREATE FUNCTION @extschema@._issue_one(policy text, version integer, source text, subject text,
	award @extschema@.award, reason text DEFAULT NULL)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_ids bigint[];
BEGIN
	SELECT s.ids INTO v_ids FROM @extschema@._settle($1, $2, $3, ARRAY[$4], ARRAY[$5], reason => $6) s;
	-- (by subject too: on Citus, one shard answers)
	RETURN QUERY SELECT * FROM @extschema@.ledger g WHERE g.subject = $4 AND g.id = ANY (v_ids) ORDER BY g.id;
END
$$;
COMMENT ON FUNCTION @extschema@._issue_one(text, integer, text, text, @extschema@.award, text) IS
	'internal: settles one subject and returns the lines written';

CREATE OR REPLACE FUNCTION @extschema@.issue(policy text, version integer, subject text, "row" anyelement)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_award @extschema@.award;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, version, subject and row must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@._coordinator_only();
	-- The award first: a value that is not a row gets evaluate()'s error.
	v_award := @extschema@.evaluate(@extschema@.rules($1, $2), $4);
	RETURN QUERY SELECT * FROM @extschema@._issue_one($1, $2, @extschema@._row_source(pg_typeof($4)), $3,
		v_award);
END
$$;
COMMENT ON FUNCTION @extschema@.issue(text, integer, text, anyelement) IS
	'issues a published version of a policy for one subject of the row''s table (its source): writes the lines that make the ledger match the row''s award and returns them (none if already issued); SECURITY DEFINER: the issuer cannot write the ledger itself; not STRICT: a NULL argument is an error, not a silent no-op';

CREATE OR REPLACE FUNCTION @extschema@.issue(policy text, subject text, "row" anyelement)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version integer;
	v_award @extschema@.award;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy, subject and row must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@._coordinator_only();
	v_version := @extschema@.current_version($1);
	v_award := @extschema@.evaluate(@extschema@.rules($1, v_version), $3);
	RETURN QUERY SELECT * FROM @extschema@._issue_one($1, v_version, @extschema@._row_source(pg_typeof($3)), $2,
		v_award);
END
$$;
COMMENT ON FUNCTION @extschema@.issue(text, text, anyelement) IS
	'issues the latest published version of a policy for one subject of the row''s table (see the four-argument form); returns the lines written, none if already issued';

CREATE FUNCTION @extschema@.issue(policy text, subject text, "row" anyelement, source text)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_version integer;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, subject, row and source must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM @extschema@._coordinator_only();
	v_version := @extschema@.current_version($1);
	RETURN QUERY SELECT * FROM @extschema@._issue_one($1, v_version, @extschema@._app_source($4), $2,
		@extschema@.evaluate(@extschema@.rules($1, v_version), $3));
END
$$;
COMMENT ON FUNCTION @extschema@.issue(text, text, anyelement, text) IS
	'issues the latest published version of a policy for one subject of a source the application names (an order kept in memory, a second order system): subjects of two sources never reverse each other; returns the lines written';

-- Reverse what a subject was paid, and keep it from being paid again.
CREATE FUNCTION @extschema@.revoke(policy text, source text, subject text, reason text)
RETURNS SETOF @extschema@.ledger
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE ROWS 3
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p_policy text := $1;
	p_source text := $2;
	p_subject text := $3;
	v_state @extschema@.issuance;
	v_ids bigint[];
BEGIN
	IF p_policy IS NULL OR p_source IS NULL OR p_subject IS NULL OR $4 IS NULL THEN
		RAISE EXCEPTION 'policy, source, subject and reason must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF btrim($4) = '' THEN
		RAISE EXCEPTION 'a revoke needs a reason' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Say why the subject is not owed (it is recorded on the reversal lines).';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = p_policy) THEN
		RAISE EXCEPTION 'policy "%" does not exist', p_policy USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.name = p_source) THEN
		RAISE EXCEPTION 'source "%" does not exist', p_source USING ERRCODE = 'undefined_object',
			HINT = 'SELECT name FROM compensation.source lists them.';
	END IF;
	PERFORM @extschema@._lock_subjects(p_policy, p_source, ARRAY[p_subject]);
	SELECT * INTO v_state FROM @extschema@.issuance s
	WHERE s.policy = p_policy AND s.source = p_source AND s.subject = p_subject;
	IF v_state.revoked_at IS NOT NULL THEN
		RETURN;
	END IF;
	IF v_state.version > 0 THEN
		-- Owed nothing, under the version in force (the reversals are its
		-- lines), or the one whose lines are open if none is.
		SELECT s.ids INTO v_ids FROM @extschema@._settle(p_policy,
			coalesce((SELECT max(p.version) FROM @extschema@.policy p
				WHERE p.name = p_policy AND p.status = 'published'), v_state.version), p_source,
			ARRAY[p_subject], ARRAY[NULL::@extschema@.award], hold => ARRAY[p_subject],
			reason => $4) s;
	END IF;
	UPDATE @extschema@.issuance s
	SET revoked_at = now(), revoked_by = session_user, revoke_reason = $4
	WHERE s.policy = p_policy AND s.source = p_source AND s.subject = p_subject;
	-- (by subject too: on Citus, one shard answers)
	RETURN QUERY SELECT * FROM @extschema@.ledger g WHERE g.subject = p_subject AND g.id = ANY (v_ids) ORDER BY g.id;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke(text, text, text, text) IS
	'reverses every open line of (policy, source, subject), recording the reason on the reversal lines, and keeps every issuance path from paying the subject again until compensation.reinstate(); returns the reversal lines';

CREATE FUNCTION @extschema@.reinstate(policy text, source text, subject text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@._lock_subjects($1, $2, ARRAY[$3]);
	-- The state forgets the award, so that the next issuance pays what the
	-- row is owed then.
	UPDATE @extschema@.issuance s
	SET revoked_at = NULL, revoked_by = NULL, revoke_reason = NULL, award_hash = NULL
	WHERE s.policy = $1 AND s.source = $2 AND s.subject = $3 AND s.revoked_at IS NOT NULL;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.reinstate(text, text, text) IS
	'lifts a revoke: the next issuance of the subject (trigger, issue_all, issue) pays what it is owed then; returns false if it was not revoked';

CREATE FUNCTION @extschema@.lock_subject(policy text, source text, subject text)
RETURNS void
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy, source and subject must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'policy "%" does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM @extschema@._lock_subjects($1, $2, ARRAY[$3]);
END
$$;
COMMENT ON FUNCTION @extschema@.lock_subject(text, text, text) IS
	'takes the issuance lock of (policy, source, subject) until the end of the transaction, for callers that must read a row only after holding it; SECURITY DEFINER: the issuer cannot write compensation.issuance; not STRICT: NULL is an error';

-- 0.1.0's form names no source: it locks the subject in every source that
-- has state for it.
CREATE OR REPLACE FUNCTION @extschema@.lock_subject(policy text, subject text)
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
	PERFORM FROM @extschema@.issuance s WHERE s.policy = $1 AND s.subject = $2
	ORDER BY s.source FOR UPDATE;
END
$$;
COMMENT ON FUNCTION @extschema@.lock_subject(text, text) IS
	'0.1.0''s form: locks the existing issuance state of the subject in every source; use lock_subject(policy, source, subject)';

REVOKE ALL ON FUNCTION @extschema@._row_source(regtype) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_one(text, integer, text, text, @extschema@.award, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.issue(text, text, anyelement, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.revoke(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.reinstate(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.lock_subject(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.issue(text, text, anyelement, text),
	@extschema@.revoke(text, text, text, text), @extschema@.reinstate(text, text, text),
	@extschema@.lock_subject(text, text, text)
	TO compensation_issuer;
