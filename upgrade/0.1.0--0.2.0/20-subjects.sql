
--------------------------------------------------------------------------
-- Subjects: the canonical text of a key, the same in every session
--------------------------------------------------------------------------
-- 0.1.0 named a subject key::text, which follows DateStyle and TimeZone (one
-- row paid once per setting) and, in the trigger, ran with the extension
-- owner's rights a cast the table owner could define (to_jsonb(NEW) calls a
-- CAST (enum AS json), key::text a CAST (type AS text)): a table owner made
-- itself superuser.  The subject is now made in C from the key's value by
-- rules that read no setting and run no user code (src/subject.c,
-- docs/ledger.md); the trigger and issue_all use it.  STABLE, not IMMUTABLE:
-- an enum key's text is its label, which ALTER TYPE ... RENAME VALUE can
-- change (PostgreSQL's enum_out is STABLE for the same reason).
CREATE FUNCTION @extschema@.subject_key(key anyelement)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_subject_key'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.subject_key(anyelement) IS
	'the subject a key names in the ledger: a canonical text no session setting changes (ISO dates, UTC instants, numerics without trailing zeros); what the trigger and issue_all issue under';

CREATE FUNCTION @extschema@._row_subject("row" anyelement, key_column text)
RETURNS text
AS 'MODULE_PATHNAME', 'compensation_row_subject'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._row_subject(anyelement, text) IS
	'internal: subject_key() of a row''s key column, NULL if the key is NULL; how the trigger reads NEW''s key without a cast or a dynamic query';

CREATE OR REPLACE FUNCTION @extschema@.issue_trigger()
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
	v_unique boolean;
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
	SELECT k.attnum, k.is_unique INTO v_attnum, v_unique FROM @extschema@._key_column(TG_RELID, v_key) k;
	IF v_attnum IS NULL THEN
		RAISE EXCEPTION 'key column "%" of trigger "%" does not exist in %', v_key, TG_NAME, TG_RELID::regclass
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF NOT v_unique THEN
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
					FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, ROW(t.*)::%3$s AS r, row_number() OVER () AS n
						FROM %2$I t) t
					GROUP BY (t.n - 1) / 10000) b,
					LATERAL @extschema@._issue_batch($1, $2, b.ks, b.rs) f$q$,
				v_key, v_new_table, v_rowtype) USING v_policy, v_version
			LOOP
				CONTINUE WHEN cardinality(v_pending) = 0;
				EXECUTE format($q$
					SELECT count(*)
					FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, ROW(t.*)::%3$s AS r FROM %2$I t
						WHERE @extschema@.subject_key(t.%1$I) = ANY ($4) ORDER BY 1) t,
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
				FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, @extschema@.evaluate($3, ROW(t.*)::%4$s) AS a
					FROM %2$I t) n
				FULL JOIN (SELECT @extschema@.subject_key(t.%1$I) AS k, @extschema@.evaluate($3, ROW(t.*)::%4$s) AS a
					FROM %3$I t) o USING (k)
				ORDER BY k) s,
				LATERAL @extschema@._issue($1, $2, s.k, s.new_award, s.lock_old) l$q$,
			v_key, v_new_table, v_old_table, v_rowtype) USING v_policy, v_version, v_rules;
		RETURN NULL;
	END IF;

	-- The subject is the key's canonical text (src/subject.c): no session
	-- setting changes it, and no cast or operator of the key's type runs
	-- (this function runs with the extension owner's rights).
	v_subject := @extschema@._row_subject(NEW, v_key);
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

	v_old_subject := @extschema@._row_subject(OLD, v_key);
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

CREATE OR REPLACE PROCEDURE @extschema@.issue_all(policy text, rel regclass, key_column text,
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
	v_unique boolean;
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
	SELECT k.attnum, format_type(k.type_oid, NULL), k.is_unique INTO v_attnum, v_keytype, v_unique
	FROM @extschema@._key_column(p_rel, p_key) k;
	IF v_attnum IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', p_key, v_relname
			USING ERRCODE = 'undefined_column';
	END IF;
	IF NOT v_unique THEN
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
			FROM (SELECT t.%1$I AS kv, @extschema@.subject_key(t.%1$I) AS k, t AS r
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

