
--------------------------------------------------------------------------
-- issue_all's runs belong to the session that runs them
--------------------------------------------------------------------------
-- 0.1.0's _run_advance(run, ...) and _run_end(run) advanced any run: a second
-- issuer moved another session's run past 7,599 unpaid subjects and marked it
-- done.  A run now records the session running it (backend pid and start
-- time: a pid alone is reused), which must hold issue_all's session lock of
-- (policy, table, key) to start or resume it; only that session advances or
-- ends it.  A crashed run is resumed by the next issue_all, which takes it
-- over.
ALTER TABLE @extschema@.issue_run
	ADD COLUMN runner_pid integer,
	ADD COLUMN runner_started timestamptz;
COMMENT ON COLUMN @extschema@.issue_run.runner_pid IS
	'backend pid of the session running (or last running) the run; with runner_started, the only session that may advance it';
COMMENT ON COLUMN @extschema@.issue_run.runner_started IS
	'backend start time of that session (a pid alone is reused)';

CREATE FUNCTION @extschema@._backend_start()
RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid();
$$;
COMMENT ON FUNCTION @extschema@._backend_start() IS
	'internal: when this session''s backend started; with its pid, names the session that runs an issue_all';

-- The caller must hold issue_all's session-level advisory lock of the run's
-- (policy, relation, key): issue_all takes it before it starts or resumes.
CREATE FUNCTION @extschema@._run_check_lock(policy text, relation text, key_column text)
RETURNS void
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_lock1 integer := hashtext('compensation.issue_all');
	v_lock2 integer := hashtext($1 || '/' || $2 || '/' || $3);
BEGIN
	IF NOT EXISTS (SELECT FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
			AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
			AND l.classid::bigint = (v_lock1::bigint & 4294967295)
			AND l.objid::bigint = (v_lock2::bigint & 4294967295) AND l.objsubid = 2) THEN
		RAISE EXCEPTION 'a run of policy "%" over % is started only by compensation.issue_all', $1, $2
			USING ERRCODE = 'insufficient_privilege',
				HINT = 'CALL compensation.issue_all(policy, table, key_column).';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._run_check_lock(text, text, text) IS
	'internal to issue_all: raises 42501 unless this session holds issue_all''s lock of (policy, relation, key)';

CREATE OR REPLACE FUNCTION @extschema@._run_begin(policy text, relation text, key_column text,
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
	PERFORM @extschema@._run_check_lock($1, $2, $3);
	SELECT * INTO v_run FROM @extschema@.issue_run r
	WHERE r.policy = $1 AND r.relation = $2 AND r.key_column = $3 AND r.status = 'running'
	FOR UPDATE;
	IF FOUND THEN
		IF v_run.version = v_version THEN
			UPDATE @extschema@.issue_run r
			SET batch_size = $4, rows_total = $5, resumes = r.resumes + 1,
				runner_pid = pg_backend_pid(), runner_started = @extschema@._backend_start(),
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
		rows_total, started_by, started_at, resumed_at, updated_at, runner_pid, runner_started)
	VALUES ($1, v_version, $2, $3, $4, $5, session_user,
		clock_timestamp(), clock_timestamp(), clock_timestamp(),
		pg_backend_pid(), @extschema@._backend_start())
	RETURNING * INTO v_run;
	RETURN v_run;
END
$$;
COMMENT ON FUNCTION @extschema@._run_begin(text, text, text, integer, bigint) IS
	'internal to issue_all: resumes the unfinished run of (policy, relation, key) or starts one at the latest published version; the caller must hold issue_all''s lock, and becomes the run''s only runner';

CREATE OR REPLACE FUNCTION @extschema@._run_advance(run bigint, last_key text, rows_done bigint,
	lines_written bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $3 < 0 OR $4 < 0 THEN
		RAISE EXCEPTION 'rows_done and lines_written must not be negative'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE @extschema@.issue_run r
	SET last_key = $2, rows_done = r.rows_done + $3, lines_written = r.lines_written + $4,
		batches = r.batches + 1, updated_at = clock_timestamp()
	WHERE r.id = $1 AND r.status = 'running'
		AND r.runner_pid = pg_backend_pid() AND r.runner_started = @extschema@._backend_start();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'run % is not running in this session', $1
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only the session running a compensation.issue_all run records its batches.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._run_advance(bigint, text, bigint, bigint) IS
	'internal to issue_all: records a batch, in the batch''s own transaction; only the session running the run may';

CREATE OR REPLACE FUNCTION @extschema@._run_end(run bigint)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.issue_run r
	SET status = 'done', finished_at = clock_timestamp(), updated_at = clock_timestamp()
	WHERE r.id = $1 AND r.status = 'running'
		AND r.runner_pid = pg_backend_pid() AND r.runner_started = @extschema@._backend_start();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'run % is not running in this session', $1
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only the session running a compensation.issue_all run ends it.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._run_end(bigint) IS
	'internal to issue_all: marks a run done; only the session running the run may';

REVOKE ALL ON FUNCTION @extschema@._backend_start() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._run_check_lock(text, text, text) FROM PUBLIC;
