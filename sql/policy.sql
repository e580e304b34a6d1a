-- Policies as versioned data: incidents, drafts, publishing, retiring,
-- compensation.rules(), and the immutability of published versions.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS compensation CASCADE;
CREATE EXTENSION compensation;
DROP SCHEMA IF EXISTS test_policy CASCADE;
RESET client_min_messages;
CREATE SCHEMA test_policy;
SET search_path = test_policy;
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never
-- err(sql): the SQLSTATE and message of the error a statement raises, or ok.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

--
-- Incidents
--
SELECT compensation.define_incident('yes24-2025-06', 'YES24 ransomware outage, 2025-06-09 .. 2025-06-13');
SELECT compensation.define_incident('no-description');
SELECT pg_temp.err($$SELECT compensation.define_incident('yes24-2025-06')$$);
SELECT pg_temp.err($$SELECT compensation.define_incident(NULL)$$);
SELECT pg_temp.err($$SELECT compensation.define_incident('')$$);
SELECT name, description, created_by FROM compensation.incident ORDER BY name;

--
-- Drafts: the version comes from the policy's own header name
--
SELECT compensation.define_policy($p$
policy "ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 2000
end
$p$, 'yes24-2025-06') AS version;
SELECT name, version, incident, status, created_by, published_at IS NULL AS unpublished,
       compensation.rule_count(rules) FROM compensation.policy ORDER BY name, version;
-- A draft is replaced by the next definition, keeping its version.
SELECT compensation.define_policy($p$
policy "ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 1500
end
$p$, 'yes24-2025-06') AS version;
SELECT name, version, status, rules::text FROM compensation.policy ORDER BY name, version;

-- Compile errors are the parser's own, with line and column.
SELECT compensation.define_policy($p$policy "broken"
currency KRW
rule "x"
  credit points
$p$);
SELECT pg_temp.err($$SELECT compensation.define_policy('policy "b" currency XXX')$$);
SELECT pg_temp.err($$SELECT compensation.define_policy(NULL)$$);
SELECT pg_temp.err($$SELECT compensation.define_policy('policy "c" currency KRW', 'no-such-incident')$$);
SELECT count(*) AS policies FROM compensation.policy;

--
-- rules(): only published versions are in force
--
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.rules('nope')$$);
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay', 7)$$);
SELECT compensation.rules(NULL) IS NULL AS strict;

--
-- Publishing
--
SELECT compensation.publish('ship-delay') AS published;
SELECT name, version, status, published_by, published_at IS NOT NULL AS stamped
FROM compensation.policy ORDER BY name, version;
SELECT compensation.current_version('ship-delay');
SELECT compensation.rules('ship-delay')::text = compensation.rules('ship-delay', 1)::text AS same,
       compensation.rule_count(compensation.rules('ship-delay'));
SELECT pg_temp.err($$SELECT compensation.publish('ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.publish('ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.publish('ship-delay', 9)$$);
SELECT pg_temp.err($$SELECT compensation.publish('nope')$$);
SELECT pg_temp.err($$SELECT compensation.publish(NULL)$$);

-- Version 2: a new draft next to the published version 1.
SELECT compensation.define_policy($p$
policy "ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 3000
end
$p$, 'yes24-2025-06') AS version;
SELECT compensation.current_version('ship-delay');
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay', 2)$$);
SELECT compensation.publish('ship-delay', 2);
SELECT compensation.current_version('ship-delay');
SELECT compensation.rules('ship-delay') OPERATOR(compensation.=) compensation.rules('ship-delay', 2) AS latest;

--
-- A published version is immutable, whoever tries (here: the superuser)
--
UPDATE compensation.policy SET source = source || '-- edited' WHERE name = 'ship-delay' AND version = 1;
UPDATE compensation.policy SET status = 'draft', published_at = NULL, published_by = NULL
WHERE name = 'ship-delay' AND version = 1;
-- even "retiring" by hand with a forged stamp
UPDATE compensation.policy SET status = 'retired', retired_at = now(), retired_by = 'someone_else'
WHERE name = 'ship-delay' AND version = 1;
DELETE FROM compensation.policy WHERE name = 'ship-delay' AND version = 1;
SELECT pg_temp.err($$UPDATE compensation.policy SET incident = NULL WHERE version = 2$$);
-- a draft may be changed or discarded
SELECT compensation.define_policy('policy "scratch" currency KRW') AS version;
UPDATE compensation.policy SET incident = 'no-description' WHERE name = 'scratch';
DELETE FROM compensation.policy WHERE name = 'scratch';
-- the header name and the row name agree
SELECT pg_temp.err($$INSERT INTO compensation.policy (name, version, source, rules)
  VALUES ('other', 1, 'policy "x" currency KRW', 'policy "x" currency KRW')$$);

--
-- Retiring
--
SELECT compensation.retire('ship-delay', 1);
SELECT name, version, status, retired_by, retired_at IS NOT NULL AS stamped
FROM compensation.policy ORDER BY name, version;
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.retire('ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.retire('ship-delay', 5)$$);
SELECT compensation.define_policy('policy "ship-delay" currency KRW') AS version;
SELECT pg_temp.err($$SELECT compensation.retire('ship-delay', 3)$$);
-- a retired version is as immutable as a published one
SELECT pg_temp.err($$UPDATE compensation.policy SET status = 'published', retired_at = NULL, retired_by = NULL WHERE version = 1$$);
SELECT pg_temp.err($$DELETE FROM compensation.policy WHERE version = 1$$);
SELECT compensation.retire('ship-delay', 2);
SELECT pg_temp.err($$SELECT compensation.rules('ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.current_version('ship-delay')$$);
SELECT name, version, status FROM compensation.policy ORDER BY name, version;

--
-- Catalog contract: what pg_dump keeps, labels of every function
--
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'compensation' ORDER BY 1;
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.provolatile, p.proisstrict,
       p.proparallel, p.prosecdef,
       coalesce(array_to_string(p.proconfig, ','), '') AS config,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p
WHERE p.pronamespace = 'compensation'::regnamespace
  AND p.proname IN ('define_incident', 'define_policy', 'publish', 'retire', 'current_version',
    'rules', 'issue', '_issue', 'lock_subject', 'outbox_claim', 'issue_trigger', 'issue_all',
    '_run_begin', '_run_advance', '_run_end', 'policy_guard', 'ledger_guard')
ORDER BY 1, 2;
-- every SECURITY DEFINER function pins its search_path
SELECT count(*) AS unpinned_definers FROM pg_proc p
WHERE p.pronamespace = 'compensation'::regnamespace AND p.prosecdef
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
