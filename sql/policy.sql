-- Policies as versioned data: incidents, drafts, publishing, retiring,
-- compensation.rules(), and the immutability of published versions.
-- This test's policies and incidents are named policy/...
\set test policy
\i test/regress_preamble.sql
SET TimeZone = 'Asia/Seoul';
\set SHOW_CONTEXT never

--
-- Incidents
--
SELECT compensation.define_incident('policy/yes24-2025-06', 'YES24 ransomware outage, 2025-06-09 .. 2025-06-13');
SELECT compensation.define_incident('policy/no-description');
SELECT pg_temp.err($$SELECT compensation.define_incident('policy/yes24-2025-06')$$);
SELECT pg_temp.err($$SELECT compensation.define_incident(NULL)$$);
SELECT pg_temp.err($$SELECT compensation.define_incident('')$$);
SELECT name, description, created_by FROM compensation.incident WHERE name LIKE 'policy/%' ORDER BY name;

--
-- Drafts: the version comes from the policy's own header name
--
SELECT compensation.define_policy($p$
policy "policy/ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 2000
end
$p$, 'policy/yes24-2025-06') AS version;
SELECT name, version, incident, status, created_by, published_at IS NULL AS unpublished,
       compensation.rule_count(rules) FROM compensation.policy WHERE name LIKE 'policy/%' ORDER BY name, version;
-- A draft is replaced by the next definition, keeping its version.
SELECT compensation.define_policy($p$
policy "policy/ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 1500
end
$p$, 'policy/yes24-2025-06') AS version;
SELECT name, version, status, rules::text FROM compensation.policy WHERE name LIKE 'policy/%' ORDER BY name, version;

-- Compile errors are the parser's own, with line and column.
SELECT compensation.define_policy($p$policy "policy/broken"
currency KRW
rule "x"
  credit points
$p$);
SELECT pg_temp.err($$SELECT compensation.define_policy('policy "b" currency XXX')$$);
SELECT pg_temp.err($$SELECT compensation.define_policy(NULL)$$);
SELECT pg_temp.err($$SELECT compensation.define_policy('policy "policy/c" currency KRW', 'policy/no-such-incident')$$);
SELECT count(*) AS policies FROM compensation.policy WHERE name LIKE 'policy/%';

--
-- rules(): only published versions are in force
--
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.rules('policy/nope')$$);
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay', 7)$$);
SELECT compensation.rules(NULL) IS NULL AS strict;

--
-- Publishing
--
SELECT compensation.publish('policy/ship-delay') AS published;
SELECT name, version, status, published_by, published_at IS NOT NULL AS stamped
FROM compensation.policy WHERE name LIKE 'policy/%' ORDER BY name, version;
SELECT compensation.current_version('policy/ship-delay');
SELECT compensation.rules('policy/ship-delay')::text = compensation.rules('policy/ship-delay', 1)::text AS same,
       compensation.rule_count(compensation.rules('policy/ship-delay'));
SELECT pg_temp.err($$SELECT compensation.publish('policy/ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.publish('policy/ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.publish('policy/ship-delay', 9)$$);
SELECT pg_temp.err($$SELECT compensation.publish('policy/nope')$$);
SELECT pg_temp.err($$SELECT compensation.publish(NULL)$$);

-- Version 2: a new draft next to the published version 1.
SELECT compensation.define_policy($p$
policy "policy/ship-delay"
currency KRW
timezone "Asia/Seoul"
rule "late"
  when ship_scheduled in 2025-06-09 .. 2025-06-13
  credit points 3000
end
$p$, 'policy/yes24-2025-06') AS version;
SELECT compensation.current_version('policy/ship-delay');
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay', 2)$$);
SELECT compensation.publish('policy/ship-delay', 2);
SELECT compensation.current_version('policy/ship-delay');
SELECT compensation.rules('policy/ship-delay') OPERATOR(compensation.=) compensation.rules('policy/ship-delay', 2) AS latest;

--
-- A published version is immutable, whoever tries (here: the superuser)
--
UPDATE compensation.policy SET source = source || '-- edited' WHERE name = 'policy/ship-delay' AND version = 1;
UPDATE compensation.policy SET status = 'draft', published_at = NULL, published_by = NULL
WHERE name = 'policy/ship-delay' AND version = 1;
-- even "retiring" by hand with a forged stamp
UPDATE compensation.policy SET status = 'retired', retired_at = now(), retired_by = 'someone_else'
WHERE name = 'policy/ship-delay' AND version = 1;
DELETE FROM compensation.policy WHERE name = 'policy/ship-delay' AND version = 1;
SELECT pg_temp.err($$UPDATE compensation.policy SET incident = NULL WHERE name = 'policy/ship-delay' AND version = 2$$);
-- a draft may be changed or discarded
SELECT compensation.define_policy('policy "policy/scratch" currency KRW') AS version;
UPDATE compensation.policy SET incident = 'policy/no-description' WHERE name = 'policy/scratch';
DELETE FROM compensation.policy WHERE name = 'policy/scratch';
-- the header name and the row name agree
SELECT pg_temp.err($$INSERT INTO compensation.policy (name, version, source, rules)
  VALUES ('other', 1, 'policy "x" currency KRW', 'policy "x" currency KRW')$$);

--
-- Retiring
--
SELECT compensation.retire('policy/ship-delay', 1);
SELECT name, version, status, retired_by, retired_at IS NOT NULL AS stamped
FROM compensation.policy WHERE name LIKE 'policy/%' ORDER BY name, version;
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.retire('policy/ship-delay', 1)$$);
SELECT pg_temp.err($$SELECT compensation.retire('policy/ship-delay', 5)$$);
SELECT compensation.define_policy('policy "policy/ship-delay" currency KRW') AS version;
SELECT pg_temp.err($$SELECT compensation.retire('policy/ship-delay', 3)$$);
-- a retired version is as immutable as a published one
SELECT pg_temp.err($$UPDATE compensation.policy SET status = 'published', retired_at = NULL, retired_by = NULL WHERE name = 'policy/ship-delay' AND version = 1$$);
SELECT pg_temp.err($$DELETE FROM compensation.policy WHERE name = 'policy/ship-delay' AND version = 1$$);
SELECT compensation.retire('policy/ship-delay', 2);
SELECT pg_temp.err($$SELECT compensation.rules('policy/ship-delay')$$);
SELECT pg_temp.err($$SELECT compensation.current_version('policy/ship-delay')$$);
SELECT name, version, status FROM compensation.policy WHERE name LIKE 'policy/%' ORDER BY name, version;

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
