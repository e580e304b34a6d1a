
--------------------------------------------------------------------------
-- Issuing a whole table: issue_all (batches that commit), issue_table (one
-- transaction), reverse_gone (rows deleted behind the trigger's back)
--------------------------------------------------------------------------

-- evaluate() of each row of an array, the awards in the rows' order
-- (src/evaluate_rows.c); a NULL row gives a NULL award.
CREATE FUNCTION @extschema@._evaluate_rows(rules @extschema@.ruleset, "rows" anyarray)
RETURNS @extschema@.award[]
AS 'MODULE_PATHNAME', 'compensation_evaluate_rows'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._evaluate_rows(@extschema@.ruleset, anyarray) IS
	'internal to _issue_batch: evaluate(rules, row) of each row of an array of a table''s rows, in order';
REVOKE ALL ON FUNCTION @extschema@._evaluate_rows(@extschema@.ruleset, anyarray) FROM PUBLIC;

-- A batch of rows, issued set-based: the rows are evaluated here, with the
-- rules of a published version (the caller cannot hand in an award), and
-- settled.  defer: subjects that need their lock are returned instead of
-- locked (issue_all locks them, reads their rows again, and calls back).
-- SECURITY DEFINER: the issuer cannot write the ledger itself.  jit off:
-- the planner's estimates for its statements (lines() per row) exceed the
-- JIT thresholds, and compiling cost more than running (+45%).
CREATE FUNCTION @extschema@._issue_batch(policy text, version integer, source text,
	subjects text[], "rows" anyarray, defer boolean,
	OUT lines_written bigint, OUT pending text[])
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_rules @extschema@.ruleset;
	v_awards @extschema@.award[];
	v_ids bigint[];
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL OR $6 IS NULL THEN
		RAISE EXCEPTION 'policy, version, source, subjects, rows and defer must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF cardinality($4) <> cardinality($5) THEN
		RAISE EXCEPTION 'subjects and rows differ in length: % and %', cardinality($4), cardinality($5)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF array_position($4, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'subjects must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- (Subjects given twice are refused by _settle, which sorts them
	-- anyway: a separate count(DISTINCT) cost a tenth of a re-run.)
	IF NOT EXISTS (SELECT FROM @extschema@.source s WHERE s.name = $3) THEN
		RAISE EXCEPTION 'source "%" does not exist', $3 USING ERRCODE = 'undefined_object';
	END IF;
	v_rules := @extschema@.rules($1, $2);
	-- evaluate() of each row, in the rows' order (in C: numbering the rows
	-- and sorting them back into order cost a tenth of a re-run)
	v_awards := @extschema@._evaluate_rows(v_rules, $5);
	SELECT s.ids, s.pending INTO v_ids, pending
	FROM @extschema@._settle($1, $2, $3, $4, v_awards, '{}', $6) s;
	lines_written := cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION @extschema@._issue_batch(text, integer, text, text[], anyarray, boolean) IS
	'internal to issue_all and issue_table: issues a published policy version for a batch of (subject, row) pairs of a source, set-based; returns the lines written and, with defer, the subjects left for the caller to lock and read again; not STRICT: NULL is an error';

-- Locks for issue_all's deferred subjects (the issuer cannot write
-- compensation.issuance).
CREATE FUNCTION @extschema@.lock_subjects(policy text, source text, subjects text[])
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR array_position($3, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'policy, source and subjects must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
		RAISE EXCEPTION 'policy "%" does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	RETURN cardinality(@extschema@._lock_subjects($1, $2, $3));
END
$$;
COMMENT ON FUNCTION @extschema@.lock_subjects(text, text, text[]) IS
	'takes the issuance locks of many subjects of a source until the end of the transaction, in subject order (the order every issuance path locks in); returns how many';

-- The operators of a type's default btree operator class, wherever they
-- live (citext's are in its schema; the search_path of the callers is
-- pg_catalog only).  Only a superuser creates an operator class.  An enum's
-- class is declared for anyenum.
CREATE FUNCTION @extschema@._btree_operators(typ oid, OUT op_lt text, OUT op_gt text, OUT op_eq text)
RETURNS record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT max(format('OPERATOR(%I.%s)', n.nspname, o.oprname)) FILTER (WHERE m.amopstrategy = 1),
		max(format('OPERATOR(%I.%s)', n.nspname, o.oprname)) FILTER (WHERE m.amopstrategy = 5),
		max(format('OPERATOR(%I.%s)', n.nspname, o.oprname)) FILTER (WHERE m.amopstrategy = 3)
	FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'btree'
		JOIN pg_amop m ON m.amopfamily = c.opcfamily AND m.amoplefttype = c.opcintype
			AND m.amoprighttype = c.opcintype AND m.amopstrategy IN (1, 3, 5)
		JOIN pg_operator o ON o.oid = m.amopopr JOIN pg_namespace n ON n.oid = o.oprnamespace
	WHERE c.opcdefault AND (c.opcintype = $1
		OR (c.opcintype = 'anyenum'::regtype
			AND (SELECT t.typtype FROM pg_type t WHERE t.oid = $1) = 'e'))
$$;
COMMENT ON FUNCTION @extschema@._btree_operators(oid) IS
	'internal: <, > and = of a type''s default btree operator class, schema-qualified (NULLs if it has none)';

-- What issue_all and issue_table need to know of a table, checked once,
-- with short errors that name the table, the column and the policy.
CREATE FUNCTION @extschema@._issue_target(policy text, rel regclass, key_column text,
	per text DEFAULT NULL,
	OUT relname text, OUT keytype text, OUT op_lt text, OUT op_gt text, OUT op_eq text,
	OUT source text, OUT version integer,
	OUT per_type text, OUT per_lt text, OUT per_gt text, OUT per_eq text)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_key record;
	v_per record;
BEGIN
	IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL THEN
		RAISE EXCEPTION 'policy, rel and key_column must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT format('%I.%I', n.nspname, c.relname) INTO relname
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $2;
	SELECT * INTO v_key FROM @extschema@._key_column($2, $3);
	IF v_key.attnum IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', $3, relname
			USING ERRCODE = 'undefined_column';
	END IF;
	IF NOT v_key.is_unique THEN
		RAISE EXCEPTION 'column "%" of relation % is not a unique key', $3, relname
			USING ERRCODE = 'invalid_column_reference',
				DETAIL = 'Each row is issued as the subject its key names, so the key must be unique.',
				HINT = 'Name the primary key, or a column with a unique index of its own.';
	END IF;
	IF NOT has_table_privilege($2, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', relname USING ERRCODE = 'insufficient_privilege';
	END IF;
	keytype := format_type(v_key.type_oid, NULL);
	SELECT o.op_lt, o.op_gt, o.op_eq INTO op_lt, op_gt, op_eq
	FROM @extschema@._btree_operators(v_key.base_type) o;
	IF op_lt IS NULL THEN
		RAISE EXCEPTION 'key column "%" of % has type %, which has no btree ordering', $3, relname, keytype
			USING ERRCODE = 'feature_not_supported',
				HINT = 'The table is walked in key order: use a key whose type has a default btree operator class.';
	END IF;
	IF per IS NULL THEN
		-- The subject text of this key type (refuses types it cannot name).
		PERFORM @extschema@._check_key_type(v_key.type_oid, $3);
		source := @extschema@._table_source($2, $3, NULL, $1);
	ELSE
		-- Once per value of another column (a member): that column names
		-- the subjects; the key orders each member's rows.  (Refused
		-- before a run begins on Citus.)
		IF @extschema@._distributed() THEN
			RAISE EXCEPTION 'issue_all per member is not supported on Citus'
				USING ERRCODE = 'feature_not_supported',
					DETAIL = 'Once per member walks each member''s rows in key order, which a table distributed by its key spreads over every shard.',
					HINT = 'Issue such a policy from a table with one row per member (distributed by the member), or on one node.';
		END IF;
		SELECT * INTO v_per FROM @extschema@._key_column($2, per);
		IF v_per.attnum IS NULL THEN
			RAISE EXCEPTION 'column "%" of relation % does not exist', per, relname
				USING ERRCODE = 'undefined_column';
		END IF;
		per_type := format_type(v_per.type_oid, NULL);
		SELECT o.op_lt, o.op_gt, o.op_eq INTO per_lt, per_gt, per_eq
		FROM @extschema@._btree_operators(v_per.base_type) o;
		IF per_lt IS NULL THEN
			RAISE EXCEPTION 'column "%" of % has type %, which has no btree ordering', per, relname, per_type
				USING ERRCODE = 'feature_not_supported';
		END IF;
		PERFORM @extschema@._check_key_type(v_per.type_oid, per);
		source := @extschema@._table_source($2, 'per ' || per, NULL, $1);
	END IF;
	version := @extschema@.current_version($1);
END
$$;
COMMENT ON FUNCTION @extschema@._issue_target(text, regclass, text, text) IS
	'internal to issue_all, issue_table and reverse_gone: checks the table and its key column once (unique, readable, a type with a btree ordering that names subjects; with per, the column that names the subjects instead) and returns the operators to walk it, its source and the policy version in force';

-- subject_key() is STRICT: called on NULL it says nothing about the type.
CREATE FUNCTION @extschema@._check_key_type(typ oid, key_column text)
RETURNS void
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'compensation_check_key_type';
COMMENT ON FUNCTION @extschema@._check_key_type(oid, text) IS
	'internal: errors (0A000) if values of the type cannot name a subject (see subject_key)';

-- One batch: the next rows after last_key in key order, issued; the
-- subjects another session holds are locked, their rows read again (the
-- row committed last is the one paid) and issued.  Runs with the caller's
-- rights: it reads the table as the caller.
CREATE FUNCTION @extschema@._issue_next(policy text, version integer, source text, rel regclass,
	key_column text, keytype text, op_lt text, op_gt text, op_eq text, last_key text,
	batch_size integer, OUT rows_done bigint, OUT next_key text, OUT lines_written bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_pending text[];
	v_more bigint;
BEGIN
	-- On Citus: key ranges evaluated on the workers (38-issue-distributed.sql).
	IF @extschema@._distributed() THEN
		SELECT d.rows_done, d.next_key, d.lines_written INTO rows_done, next_key, lines_written
		FROM @extschema@._issue_next_distributed($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) d;
		RETURN;
	END IF;
	EXECUTE format($q$
		SELECT b.n, b.ks[b.n], f.lines_written, f.pending
		-- (the rows come in key order from the subquery, and the arrays
		-- take them in that order: sorting whole rows again cost more than
		-- reading them)
		FROM (SELECT count(*) AS n, array_agg(t.k) AS ks, array_agg(t.r) AS rs
			FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, t AS r
				FROM %2$s t WHERE %4$s ORDER BY t.%1$I USING %3$s LIMIT $2) t) b,
			LATERAL @extschema@._issue_batch($3, $4, $5, b.ks, b.rs, true) f
		WHERE b.n > 0$q$,
		$5, $4, $7,
		CASE WHEN $10 IS NULL THEN 'true' ELSE format('t.%I %s $1::text::%s', $5, $8, $6) END)
		INTO rows_done, next_key, lines_written, v_pending
		USING $10, $11, $1, $2, $3;
	IF rows_done IS NULL THEN
		rows_done := 0;
		RETURN;
	END IF;
	IF cardinality(v_pending) > 0 THEN
		PERFORM @extschema@.lock_subjects($1, $3, v_pending);
		EXECUTE format($q$
			SELECT f.lines_written
			FROM (SELECT array_agg(t.k ORDER BY t.k COLLATE "C") AS ks, array_agg(t.r ORDER BY t.k COLLATE "C") AS rs
				FROM (SELECT @extschema@.subject_key(t.%1$I) AS k, t AS r
					FROM %2$s t WHERE t.%1$I %3$s ANY ($1::text[]::%4$s[])) t) b,
				LATERAL @extschema@._issue_batch($2, $3, $4, b.ks, b.rs, false) f
			WHERE cardinality(b.ks) > 0$q$,
			$5, $4, $9, $6)
			INTO v_more USING v_pending, $1, $2, $3;
		lines_written := lines_written + coalesce(v_more, 0);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._issue_next(text, integer, text, regclass, text, text, text, text,
	text, text, integer) IS
	'internal to issue_all and issue_table: issues the next batch of a table after last_key (NULL for the first); returns the rows read, the last key and the lines written';

-- One batch once per member: the next members (values of the per column)
-- after last_per, each with the row that carries its award: the first of
-- its rows in key order whose award is not empty (or, if none is, its
-- first row, so that what it was paid before is reversed).  Rows whose
-- per column is NULL name no member and are skipped.  The members another
-- session holds are locked, their rows read again, and settled.
CREATE FUNCTION @extschema@._issue_next_per(policy text, version integer, source text, rel regclass,
	key_column text, op_lt text, per text, per_type text, per_lt text, per_gt text, per_eq text,
	last_per text, batch_size integer, OUT rows_done bigint, OUT next_key text, OUT lines_written bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	v_pending text[];
	v_more bigint;
	v_rules @extschema@.ruleset := @extschema@.rules($1, $2);
	-- The carrying rows of the members a WHERE clause selects.
	v_carriers constant text := $q$
		SELECT DISTINCT ON (t.%1$I) @extschema@.subject_key(t.%1$I) AS k, t AS r
		FROM %2$s t WHERE %3$s
		ORDER BY t.%1$I USING %4$s, @extschema@.is_empty(@extschema@.evaluate($9, t)),
			t.%5$I USING %6$s$q$;
BEGIN
	EXECUTE format($q$
		SELECT b.n, b.ks[b.n], f.lines_written, f.pending
		FROM (SELECT count(*) AS n, array_agg(c.k ORDER BY c.i) AS ks, array_agg(c.r ORDER BY c.i) AS rs
			FROM (SELECT c.k, c.r, row_number() OVER () AS i FROM (%1$s) c) c) b,
			LATERAL @extschema@._issue_batch($3, $4, $5, b.ks, b.rs, true) f
		WHERE b.n > 0$q$,
		format(v_carriers, $7, $4,
			format('t.%I %s ANY (ARRAY(SELECT DISTINCT m.%I FROM %s m WHERE m.%I IS NOT NULL %s ORDER BY 1 USING %s LIMIT $2))',
				$7, $11, $7, $4, $7,
				CASE WHEN $12 IS NULL THEN '' ELSE format('AND m.%I %s $1::text::%s', $7, $10, $8) END, $9),
			$9, $5, $6))
		INTO rows_done, next_key, lines_written, v_pending
		USING $12, $13, $1, $2, $3, NULL::text, NULL::text, NULL::text, v_rules;
	IF rows_done IS NULL THEN
		rows_done := 0;
		RETURN;
	END IF;
	IF cardinality(v_pending) > 0 THEN
		PERFORM @extschema@.lock_subjects($1, $3, v_pending);
		EXECUTE format($q$
			SELECT f.lines_written
			FROM (SELECT array_agg(c.k ORDER BY c.k COLLATE "C") AS ks, array_agg(c.r ORDER BY c.k COLLATE "C") AS rs FROM (%1$s) c) b,
				LATERAL @extschema@._issue_batch($2, $3, $4, b.ks, b.rs, false) f
			WHERE cardinality(b.ks) > 0$q$,
			format(v_carriers, $7, $4, format('t.%I %s ANY ($1::text[]::%s[])', $7, $11, $8), $9, $5, $6))
			INTO v_more USING v_pending, $1, $2, $3, NULL::text, NULL::text, NULL::text, NULL::text, v_rules;
		lines_written := lines_written + coalesce(v_more, 0);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._issue_next_per(text, integer, text, regclass, text, text, text, text,
	text, text, text, text, integer) IS
	'internal to issue_all and issue_table with per: issues the next batch of members (values of the per column) after last_per, each with the award of its carrying row (the first in key order whose award is not empty); returns the members read, the last member and the lines written';

-- issue_all is SECURITY INVOKER and has no SET clause because a procedure
-- that commits may have neither; it reads the table with the caller's
-- rights, writes only through the functions above, and pins its own
-- search_path with set_config() at the start of every transaction.
DROP PROCEDURE @extschema@.issue_all(text, regclass, text, integer);
CREATE PROCEDURE @extschema@.issue_all(policy text, rel regclass, key_column text,
	batch_size integer DEFAULT 10000, per text DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	p_policy text := $1;
	p_rel regclass := $2;
	p_key text := $3;
	p_batch integer := $4;
	p_per text := $5;
	-- what a run walks: the key, or the members (issue_progress shows it)
	v_walk text := CASE WHEN $5 IS NULL THEN $3 ELSE 'per ' || $5 END;
	v_t record;
	v_total bigint;
	v_run @extschema@.issue_run;
	v_b record;
	v_lock1 integer := hashtext('compensation.issue_all');
	v_lock2 integer;
	v_rate numeric;
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	IF p_batch IS NULL OR p_batch < 1 THEN
		RAISE EXCEPTION 'batch_size must be at least 1, not %', coalesce(p_batch::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_t := @extschema@._issue_target(p_policy, p_rel, p_key, p_per);

	-- One session at a time per (policy, table, key): a session-level
	-- lock, so that it outlives the batch commits (and dies with the
	-- session).
	v_lock2 := hashtext(p_policy || '/' || v_t.relname || '/' || v_walk);
	IF NOT EXISTS (SELECT FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
			AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
			AND l.classid::bigint = (v_lock1::bigint & 4294967295)
			AND l.objid::bigint = (v_lock2::bigint & 4294967295) AND l.objsubid = 2)
		AND NOT pg_try_advisory_lock(v_lock1, v_lock2) THEN
		RAISE EXCEPTION 'issue_all of policy "%" over % is running in another session', p_policy, v_t.relname
			USING ERRCODE = 'lock_not_available',
				HINT = 'Watch it in compensation.issue_progress; call again once it ends to resume or re-check.';
	END IF;

	EXECUTE format('SELECT count(*) FROM %s', v_t.relname) INTO v_total;
	v_run := @extschema@._run_begin(p_policy, v_t.relname, v_walk, p_batch, v_total);
	IF v_run.resumes > 0 THEN
		RAISE NOTICE 'issue_all: resuming run % of policy "%" version % over % after key %: % of % rows done',
			v_run.id, p_policy, v_run.version, v_t.relname, coalesce(v_run.last_key, '(none)'),
			v_run.rows_done, v_total;
	ELSE
		RAISE NOTICE 'issue_all: run % of policy "%" version % over %: % rows in batches of %',
			v_run.id, p_policy, v_run.version, v_t.relname, v_total, p_batch;
	END IF;
	COMMIT;

	LOOP
		PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
		IF p_per IS NULL THEN
			v_b := @extschema@._issue_next(p_policy, v_run.version, v_t.source, p_rel, p_key, v_t.keytype,
				v_t.op_lt, v_t.op_gt, v_t.op_eq, v_run.last_key, p_batch);
		ELSE
			v_b := @extschema@._issue_next_per(p_policy, v_run.version, v_t.source, p_rel, p_key, v_t.op_lt,
				p_per, v_t.per_type, v_t.per_lt, v_t.per_gt, v_t.per_eq, v_run.last_key, p_batch);
		END IF;
		EXIT WHEN v_b.rows_done = 0;
		PERFORM @extschema@._run_advance(v_run.id, v_b.next_key, v_b.rows_done, v_b.lines_written);
		v_run.last_key := v_b.next_key;
		v_run.rows_done := v_run.rows_done + v_b.rows_done;
		v_run.lines_written := v_run.lines_written + v_b.lines_written;
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
COMMENT ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer, text) IS
	'issues the latest published version of a policy for every row of a table, keyed by a unique column, in batches that each commit (set-based: a new version or a re-run writes only differences); with per, once per value of that column (a member), carried by the member''s first row in key order whose award is not empty; calling again resumes an unfinished run; progress in compensation.issue_progress; outside a transaction block (see issue_table)';
REVOKE ALL ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.issue_all(text, regclass, text, integer, text) TO compensation_issuer;

-- The same pass inside the caller's transaction: all or nothing, no run
-- recorded (there is nothing to resume), for callers that must issue with
-- other work in one transaction.
CREATE FUNCTION @extschema@.issue_table(policy text, rel regclass, key_column text,
	batch_size integer DEFAULT 10000, per text DEFAULT NULL,
	OUT rows_done bigint, OUT lines_written bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_t record;
	v_b record;
	v_last text;
BEGIN
	IF $4 IS NULL OR $4 < 1 THEN
		RAISE EXCEPTION 'batch_size must be at least 1, not %', coalesce($4::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_t := @extschema@._issue_target($1, $2, $3, $5);
	rows_done := 0;
	lines_written := 0;
	LOOP
		IF $5 IS NULL THEN
			v_b := @extschema@._issue_next($1, v_t.version, v_t.source, $2, $3, v_t.keytype,
				v_t.op_lt, v_t.op_gt, v_t.op_eq, v_last, $4);
		ELSE
			v_b := @extschema@._issue_next_per($1, v_t.version, v_t.source, $2, $3, v_t.op_lt,
				$5, v_t.per_type, v_t.per_lt, v_t.per_gt, v_t.per_eq, v_last, $4);
		END IF;
		EXIT WHEN v_b.rows_done = 0;
		rows_done := rows_done + v_b.rows_done;
		lines_written := lines_written + v_b.lines_written;
		v_last := v_b.next_key;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.issue_table(text, regclass, text, integer, text) IS
	'issues the latest published version of a policy for every row of a table (or once per value of per), like issue_all, inside the caller''s transaction (all or nothing, nothing to resume); returns the rows (or members) read and the lines written';

-- Subjects with open lines whose row is gone (deleted without the
-- trigger, TRUNCATE, or before the trigger existed) are owed nothing.
CREATE FUNCTION @extschema@.reverse_gone(policy text, rel regclass, key_column text,
	OUT subjects bigint, OUT lines_written bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_t record;
	v_gone text[];
BEGIN
	v_t := @extschema@._issue_target($1, $2, $3);
	EXECUTE format($q$
		SELECT array_agg(s.subject ORDER BY s.subject COLLATE "C") FROM @extschema@.issuance s
		WHERE s.policy = $1 AND s.source = $2 AND s.open_lines > 0 AND s.revoked_at IS NULL
			AND NOT EXISTS (SELECT FROM %1$s t WHERE @extschema@.subject_key(t.%2$I) = s.subject)$q$,
		v_t.relname, $3) INTO v_gone USING $1, v_t.source;
	subjects := 0;
	lines_written := 0;
	IF v_gone IS NULL THEN
		RETURN;
	END IF;
	-- Locked, then read again: a row inserted meanwhile is issued by its
	-- own trigger or issue(), not reversed here.
	PERFORM @extschema@.lock_subjects($1, v_t.source, v_gone);
	EXECUTE format($q$
		SELECT array_agg(g.k ORDER BY g.k COLLATE "C") FROM unnest($1) AS g(k)
		WHERE NOT EXISTS (SELECT FROM %1$s t WHERE @extschema@.subject_key(t.%2$I) = g.k)$q$,
		v_t.relname, $3) INTO v_gone USING v_gone;
	IF v_gone IS NULL THEN
		RETURN;
	END IF;
	SELECT cardinality(v_gone), r.lines_written INTO subjects, lines_written
	FROM @extschema@._reverse_subjects($1, v_t.version, v_t.source, v_gone, 'row gone') r;
	RAISE NOTICE 'reverse_gone: % subjects of % whose rows are gone, % reversal lines', subjects,
		v_t.relname, lines_written;
END
$$;
COMMENT ON FUNCTION @extschema@.reverse_gone(text, regclass, text) IS
	'reverses the open lines of the subjects of a table (its source) whose rows are gone, recording the reason ''row gone''; returns how many subjects and lines';

CREATE FUNCTION @extschema@._reverse_subjects(policy text, version integer, source text,
	subjects text[], reason text, OUT lines_written bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_ids bigint[];
BEGIN
	PERFORM @extschema@.rules($1, $2);
	SELECT s.ids INTO v_ids FROM @extschema@._settle($1, $2, $3, $4,
		array_fill(NULL::@extschema@.award, ARRAY[cardinality($4)]), '{}', false, $5) s;
	lines_written := cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION @extschema@._reverse_subjects(text, integer, text, text[], text) IS
	'internal to reverse_gone: settles subjects as owed nothing under a published version, with a reason';

REVOKE ALL ON FUNCTION @extschema@._issue_batch(text, integer, text, text[], anyarray, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.lock_subjects(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_target(text, regclass, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_next_per(text, integer, text, regclass, text, text, text, text,
	text, text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._issue_next(text, integer, text, regclass, text, text, text, text,
	text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.issue_table(text, regclass, text, integer, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.reverse_gone(text, regclass, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._reverse_subjects(text, integer, text, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@._issue_batch(text, integer, text, text[], anyarray, boolean),
	@extschema@.lock_subjects(text, text, text[]),
	@extschema@._issue_target(text, regclass, text, text),
	@extschema@._issue_next(text, integer, text, regclass, text, text, text, text, text, text, integer),
	@extschema@._issue_next_per(text, integer, text, regclass, text, text, text, text, text, text, text,
		text, integer),
	@extschema@.issue_table(text, regclass, text, integer, text),
	@extschema@.reverse_gone(text, regclass, text),
	@extschema@._reverse_subjects(text, integer, text, text[], text)
	TO compensation_issuer;
