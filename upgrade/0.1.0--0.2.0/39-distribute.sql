
--------------------------------------------------------------------------
-- compensation.distribute(): the product on Citus
--------------------------------------------------------------------------
-- CREATE EXTENSION makes the catalog, the state and the ledger plain
-- tables of every node.  distribute(), called once on the coordinator of a
-- Citus cluster (citus and compensation created, the workers added),
-- hands them to Citus:
--   - the catalog (incident, policy, source, source_key) becomes reference
--     tables: every node reads the same policies, so
--     evaluate(compensation.rules('p'), o) runs on the workers;
--   - the issuance state and the ledger are distributed by subject and
--     co-located: a subject's state and lines live in one shard;
--   - the outbox and the runs of issue_all stay on the coordinator, where
--     the writer (_settle) and issue_all run.
-- Citus takes over a table of an extension only if every node's copy of
-- it is alike, and converts, for a foreign key from a plain table to a
-- reference table, the plain table (which the extension's views forbid).
-- So the foreign keys between these tables are dropped on every node
-- first and added again once both sides are Citus tables; issue_run's key
-- to the policy is not added again (it stays a coordinator table: the
-- runs name only versions that issued).  The append-only triggers of the
-- ledger and the policy go to every shard (citus.enable_unsafe_triggers,
-- set for the call only).
CREATE FUNCTION @extschema@.distribute(shard_count integer DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_coordinator boolean;
	v_drop text := 'ALTER TABLE @extschema@.policy DROP CONSTRAINT IF EXISTS policy_incident_fkey;'
		' ALTER TABLE @extschema@.ledger DROP CONSTRAINT IF EXISTS ledger_policy_version_fkey;'
		' ALTER TABLE @extschema@.issue_run DROP CONSTRAINT IF EXISTS issue_run_policy_version_fkey;'
		' ALTER TABLE @extschema@.source_key DROP CONSTRAINT IF EXISTS source_key_source_fkey';
	-- rules() read the policy (a reference table) inside a shard's query:
	-- Citus refuses a query on a Citus table there unless allowed; the
	-- reference table has a copy on every node, so the read is local.
	v_nested text := 'ALTER FUNCTION @extschema@.rules(text) SET citus.allow_nested_distributed_execution = on;'
		' ALTER FUNCTION @extschema@.rules(text, integer) SET citus.allow_nested_distributed_execution = on;'
		' ALTER FUNCTION @extschema@.current_version(text) SET citus.allow_nested_distributed_execution = on';
	-- Issuance on the coordinator runs a few shard queries per batch, one
	-- after the other: with Citus's default pool, each opens up to 16
	-- connections per worker, and all but one close at the batch's commit
	-- (citus.max_cached_conns_per_worker); reopening them was 2 s of a
	-- 2.5 s batch on the test machine.  One connection per worker, cached,
	-- for the writer and issue_all's batches.
	v_pool text := 'ALTER FUNCTION @extschema@._settle(text, integer, text, text[], @extschema@.award[], text[], boolean, text) SET citus.max_adaptive_executor_pool_size = 1;'
		' ALTER FUNCTION @extschema@._issue_next(text, integer, text, regclass, text, text, text, text, text, text, integer) SET citus.max_adaptive_executor_pool_size = 1;'
		' ALTER FUNCTION @extschema@.lock_subjects(text, text, text[]) SET citus.max_adaptive_executor_pool_size = 1';
	v_r record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'citus') THEN
		RAISE EXCEPTION 'compensation.distribute() needs the citus extension'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'On the coordinator: CREATE EXTENSION citus; add the workers with citus_add_node(); CREATE EXTENSION compensation; then SELECT compensation.distribute();';
	END IF;
	IF $1 IS NOT NULL AND $1 < 1 THEN
		RAISE EXCEPTION 'shard_count must be at least 1, not %', $1
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	EXECUTE 'SELECT pg_catalog.citus_is_coordinator()' INTO v_coordinator;
	IF NOT v_coordinator THEN
		RAISE EXCEPTION 'compensation.distribute() runs on the coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF @extschema@._distributed() THEN
		RAISE NOTICE 'compensation is already distributed';
		RETURN;
	END IF;
	PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
	PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);

	-- 1. Every node's copy alike, without the keys Citus cannot convert.
	EXECUTE v_drop;
	FOR v_r IN EXECUTE 'SELECT w.nodename, w.nodeport, w.success, w.result FROM pg_catalog.run_command_on_workers($1) w'
		USING v_drop
	LOOP
		IF NOT v_r.success THEN
			RAISE EXCEPTION 'could not prepare worker %:%: %', v_r.nodename, v_r.nodeport, v_r.result
				USING ERRCODE = 'object_not_in_prerequisite_state',
					HINT = 'compensation must be installed, at the same version, on every worker.';
		END IF;
	END LOOP;

	-- 2. The catalog on every node; 3. the state and the ledger by subject.
	PERFORM pg_catalog.create_reference_table(t)
	FROM unnest(ARRAY['@extschema@.incident', '@extschema@.policy', '@extschema@.source',
		'@extschema@.source_key']::regclass[]) t;
	EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''subject'', colocate_with => ''none'', shard_count => coalesce($2, current_setting(''citus.shard_count'')::integer))'
		USING '@extschema@.issuance'::regclass, $1;
	EXECUTE 'SELECT pg_catalog.create_distributed_table($1, ''subject'', colocate_with => $2)'
		USING '@extschema@.ledger'::regclass, '@extschema@.issuance';

	-- 4. The keys again, between Citus tables.
	ALTER TABLE @extschema@.policy ADD CONSTRAINT policy_incident_fkey
		FOREIGN KEY (incident) REFERENCES @extschema@.incident (name);
	ALTER TABLE @extschema@.source_key ADD CONSTRAINT source_key_source_fkey
		FOREIGN KEY (source) REFERENCES @extschema@.source (name);
	ALTER TABLE @extschema@.ledger ADD CONSTRAINT ledger_policy_version_fkey
		FOREIGN KEY (policy, version) REFERENCES @extschema@.policy (name, version);

	-- 5. The writer's connections; rules() on the workers.
	EXECUTE v_pool;
	EXECUTE v_nested;
	FOR v_r IN EXECUTE 'SELECT w.nodename, w.nodeport, w.success, w.result FROM pg_catalog.run_command_on_workers($1) w'
		USING v_nested
	LOOP
		IF NOT v_r.success THEN
			RAISE EXCEPTION 'could not set up worker %:%: %', v_r.nodename, v_r.nodeport, v_r.result
				USING ERRCODE = 'object_not_in_prerequisite_state';
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.distribute(integer) IS
	'on the coordinator of a Citus cluster: makes the policy catalog reference tables and distributes the issuance state and the ledger by subject (shard_count: citus.shard_count by default); once, for a new or an existing install';
REVOKE ALL ON FUNCTION @extschema@.distribute(integer) FROM PUBLIC;
