-- Privileges per role: what compensation_admin, compensation_analyst and
-- compensation_issuer may do, and every refusal with its SQLSTATE.
-- Runs in a fresh database where pgtap and compensation are installed; it
-- reads the shared tables filtered by its own policy, "roles".
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = warning;
BEGIN;
SELECT plan(144);

-- Fixtures, as the superuser
CREATE TABLE public.roles_orders (order_id bigint PRIMARY KEY, price bigint NOT NULL);
INSERT INTO public.roles_orders VALUES (1, 99000), (2, 5000);
GRANT SELECT ON public.roles_orders TO compensation_issuer, compensation_analyst;
DO $do$
BEGIN
	PERFORM compensation.define_policy($p$
policy "roles"
currency KRW
rule "refund"
  when price > 10000
  credit deposit price * 120% round half_up
end
$p$);
	PERFORM compensation.publish('roles');
	PERFORM compensation.define_incident('roles-incident');
	PERFORM compensation.define_policy($p$
policy "roles/keyed"
currency KRW
rule "refund"
  when price > 10000
  credit deposit price * 120% round half_up
end
$p$);
	PERFORM compensation.publish('roles/keyed');
END
$do$;
CREATE TABLE public.roles_keyed (order_id bigint PRIMARY KEY, price bigint NOT NULL, tag text);
INSERT INTO public.roles_keyed VALUES (1, 99000, 'a'), (2, 5000, 'a');
CREATE VIEW public.roles_keyed_view AS SELECT * FROM public.roles_keyed;

-- The roles exist and cannot log in
SELECT has_role('compensation_admin');
SELECT has_role('compensation_analyst');
SELECT has_role('compensation_issuer');
SELECT has_role('compensation_keyed_issuer');
SELECT is((SELECT count(*)::int FROM pg_roles WHERE rolname LIKE 'compensation\_%' AND NOT rolcanlogin), 4, 'the four roles are NOLOGIN');

-- PUBLIC may not execute anything that writes policies or the ledger
SELECT ok(NOT has_function_privilege('public', p.oid, 'EXECUTE'), 'PUBLIC cannot execute ' || p.oid::regprocedure::text)
FROM pg_proc p
WHERE p.pronamespace = 'compensation'::regnamespace
  AND p.proname IN ('define_incident', 'define_policy', 'publish', 'retire', 'issue',
    'lock_subject', 'outbox_claim', 'issue_trigger', 'issue_all', '_issue_batch', '_run_begin', '_run_advance', '_run_end',
    'issue_key', '_run_check_lock', '_backend_start', '_settle', '_reconcile', '_lock_subjects', '_issue_one',
    'revoke', 'reinstate', 'lock_subjects', 'issue_table', 'reverse_gone', '_reverse_subjects', 'attach', 'detach',
    'adopt_lines', '_table_source', '_app_source', '_row_source', '_canonical_subject', '_issue_target', '_issue_next',
    'define_calendar', 'drop_calendar')
ORDER BY p.oid::regprocedure::text;
SELECT table_privs_are('compensation', 'ledger', 'public', ARRAY[]::text[], 'PUBLIC has no right on the ledger');
SELECT table_privs_are('compensation', 'policy', 'public', ARRAY[]::text[], 'PUBLIC has no right on policies');
SELECT table_privs_are('compensation', 'calendar', 'public', ARRAY[]::text[], 'PUBLIC has no right on shared calendars');
-- shared calendars: the policy owner defines them, every role reads them
-- (compiling a policy that names one reads its row)
SELECT table_privs_are('compensation', 'calendar', 'compensation_admin', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'calendar', 'compensation_analyst', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'calendar', 'compensation_issuer', ARRAY['SELECT']);
SELECT ok(has_function_privilege('compensation_admin', p.oid, 'EXECUTE'), 'compensation_admin can execute ' || p.oid::regprocedure::text)
FROM pg_proc p WHERE p.pronamespace = 'compensation'::regnamespace AND p.proname IN ('define_calendar', 'drop_calendar')
ORDER BY p.oid::regprocedure::text;
SELECT ok(NOT has_function_privilege(r, 'compensation.define_calendar(text,text[],date[])', 'EXECUTE'), r || ' cannot define calendars')
FROM unnest(ARRAY['compensation_analyst', 'compensation_issuer']) AS r ORDER BY r;

-- Table privileges per role: reads only, never writes
SELECT table_privs_are('compensation', 'ledger', 'compensation_admin', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'ledger', 'compensation_analyst', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'ledger', 'compensation_issuer', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'policy', 'compensation_admin', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'policy', 'compensation_analyst', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'policy', 'compensation_issuer', ARRAY[]::text[]);
SELECT table_privs_are('compensation', 'issuance', 'compensation_issuer', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'outbox', 'compensation_issuer', ARRAY[]::text[]);
SELECT table_privs_are('compensation', 'issue_run', 'compensation_issuer', ARRAY[]::text[]);
SELECT table_privs_are('compensation', 'issue_progress', 'compensation_issuer', ARRAY['SELECT']);
-- who bears the cost: the analyst's, not the issuer's
SELECT table_privs_are('compensation', 'issued_by_bearer', 'compensation_analyst', ARRAY['SELECT']);
SELECT table_privs_are('compensation', 'issued_by_bearer', 'compensation_issuer', ARRAY[]::text[]);
SELECT table_privs_are('compensation', 'issued_by_bearer', 'public', ARRAY[]::text[]);
SELECT ok(has_function_privilege('compensation_analyst', p.oid, 'EXECUTE')
	AND NOT has_function_privilege('compensation_issuer', p.oid, 'EXECUTE')
	AND NOT has_function_privilege('public', p.oid, 'EXECUTE'),
	'only the analyst and the admin may execute ' || p.oid::regprocedure::text)
FROM pg_proc p
WHERE p.pronamespace = 'compensation'::regnamespace AND p.proname = 'simulate_by_bearer'
ORDER BY p.oid::regprocedure::text;

---------------------------------------------------------------------------
-- compensation_issuer: issues, nothing else
---------------------------------------------------------------------------
SET ROLE compensation_issuer;
SELECT is((SELECT count(*)::int FROM public.roles_orders o, compensation.issue('roles', o.order_id::text, o)), 1,
	'the issuer issues');
SELECT is((SELECT count(*)::int FROM public.roles_orders o, compensation.issue('roles', o.order_id::text, o)), 0,
	'... exactly once');
SELECT is((SELECT issued_by FROM compensation.ledger WHERE policy = 'roles' AND subject = '1'), session_user,
	'issued_by is session_user');
SELECT is((SELECT row(b.lines_written, b.pending)::text FROM compensation._issue_batch('roles', 1,
		'public.roles_orders', ARRAY['1', '2'], ARRAY(SELECT o FROM public.roles_orders o ORDER BY o.order_id), false) b), '(0,{})',
	'a batch of issue_all issues what the policy awards the rows: here nothing, all issued');
SELECT is((SELECT count(*)::int FROM compensation.outbox_claim(10)), 1, 'the issuer takes lines from the outbox');
SELECT lives_ok($$SELECT compensation.lock_subject('roles', '1')$$, 'the issuer may lock a subject');
SELECT lives_ok($$SELECT compensation.rules('roles')$$, 'the issuer reads published rules');
SELECT throws_ok($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by)
	VALUES ('roles', 1, 'refund', '9', 'credit', now(), 'someone')$$, '42501', NULL, 'the issuer cannot write the ledger');
SELECT throws_ok($$UPDATE compensation.ledger SET amount = 1$$, '42501', NULL, 'the issuer cannot update the ledger');
SELECT throws_ok($$DELETE FROM compensation.ledger$$, '42501', NULL, 'the issuer cannot delete from the ledger');
SELECT throws_ok($$TRUNCATE compensation.ledger$$, '42501', NULL, 'the issuer cannot truncate the ledger');
SELECT throws_ok($$SELECT * FROM compensation._settle('roles', 1, 'public.roles_orders', '{9}', ARRAY['KRW {"refund": credit deposit 1000000}'::compensation.award])$$,
	'42501', NULL, 'the issuer cannot issue an award of its own making');
SELECT is((SELECT count(*)::int FROM compensation.revoke('roles', 'public.roles_orders', '1', 'duplicate account')), 1,
	'the issuer revokes a subject (one reversal line)');
SELECT is((SELECT count(*)::int FROM public.roles_orders o, compensation.issue('roles', o.order_id::text, o)), 0,
	'a revoked subject is not paid again');
SELECT ok(compensation.reinstate('roles', 'public.roles_orders', '1'), 'the issuer reinstates it');
SELECT is((SELECT count(*)::int FROM public.roles_orders o, compensation.issue('roles', o.order_id::text, o)), 1,
	'... and it is paid again');
SELECT throws_ok($$SELECT compensation.attach('roles', 'public.roles_orders', 'order_id')$$, '42501', NULL,
	'the issuer cannot attach a policy to a table');
SELECT throws_ok($$UPDATE compensation.issuance SET version = 99$$, '42501', NULL, 'the issuer cannot forge the issuance state');
SELECT throws_ok($$DELETE FROM compensation.outbox$$, '42501', NULL, 'the issuer cannot drop outbox lines');
SELECT throws_ok($$SELECT compensation.define_policy('policy "x" currency KRW')$$, '42501', NULL, 'the issuer cannot define policies');
SELECT throws_ok($$SELECT compensation.publish('roles')$$, '42501', NULL, 'the issuer cannot publish');
SELECT throws_ok($$SELECT compensation.retire('roles', 1)$$, '42501', NULL, 'the issuer cannot retire');
SELECT throws_ok($$SELECT compensation.define_incident('x')$$, '42501', NULL, 'the issuer cannot define incidents');
SELECT throws_ok($$UPDATE compensation.policy SET source = ''$$, '42501', NULL, 'the issuer cannot edit policies');
SELECT throws_ok($$SELECT * FROM compensation.policy$$, '42501', NULL, 'the issuer does not read policy sources');
SELECT throws_ok($$UPDATE compensation.issue_run SET rows_done = 0$$, '42501', NULL, 'the issuer cannot edit runs directly');
SELECT throws_ok($$CREATE TRIGGER x AFTER INSERT ON public.roles_orders FOR EACH ROW EXECUTE FUNCTION compensation.issue_trigger('roles', 'order_id')$$,
	'42501', NULL, 'the issuer cannot attach the trigger');
RESET ROLE;

---------------------------------------------------------------------------
-- compensation_keyed_issuer: names a row by its key; issue_key() reads the
-- row from the table, so no row of its own making is ever paid
---------------------------------------------------------------------------
SET ROLE compensation_keyed_issuer;
SELECT is((SELECT string_agg(l.rule || ' ' || l.amount, ', ')
	FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'order_id', '1') l),
	'refund 118800', 'the keyed issuer issues a row named by its key');
SELECT is((SELECT count(*)::int FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'order_id', '1')), 0,
	'issuing the same key again writes nothing');
SELECT is((SELECT count(*)::int FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'order_id', '2')), 0,
	'a row owed nothing writes nothing');
SELECT throws_ok($$SELECT * FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'order_id', '99')$$,
	'P0002', NULL, 'a key no row has is an error');
SELECT throws_ok($$SELECT * FROM compensation.issue('roles/keyed', 'forged', ROW(3, 10000000000, NULL)::public.roles_keyed)$$,
	'42501', NULL, 'the keyed issuer cannot issue a row of its own making');
SELECT throws_ok($$SELECT * FROM compensation._issue_batch('roles/keyed', 1, 'public.roles_keyed', '{forged}', ARRAY[ROW(3, 10000000000, NULL)::public.roles_keyed], false)$$,
	'42501', NULL, 'nor through issue_all''s batch helper');
SELECT throws_ok($$SELECT * FROM compensation.issue_key('roles/keyed', 'public.roles_keyed_view', 'order_id', '1')$$,
	'42809', NULL, 'issue_key() reads no view (it would run the view''s code as the owner)');
SELECT throws_ok($$SELECT * FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'tag', 'a')$$,
	'42P10', NULL, 'issue_key() needs a unique key');
SELECT throws_ok($$SELECT * FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'nosuch', 'a')$$,
	'42703', NULL, 'issue_key() names a missing column');
SELECT throws_ok($$SELECT * FROM compensation.issue_key('roles/keyed', 'public.roles_keyed', 'order_id', NULL)$$,
	'22004', NULL, 'a NULL key is an error');
SELECT throws_ok($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by)
	VALUES ('roles/keyed', 1, 'refund', '9', 'credit', now(), 'someone')$$, '42501', NULL, 'the keyed issuer cannot write the ledger');
SELECT throws_ok($$SELECT * FROM compensation.revoke('roles/keyed', 'public.roles_keyed', '1', 'x')$$,
	'42501', NULL, 'the keyed issuer cannot revoke');
RESET ROLE;
SELECT is((SELECT sum(amount)::bigint FROM compensation.ledger WHERE policy = 'roles/keyed'), 118800::bigint,
	'the ledger holds what the real row is owed, once');

---------------------------------------------------------------------------
-- compensation_analyst: reads and evaluates
---------------------------------------------------------------------------
SET ROLE compensation_analyst;
SELECT is((SELECT compensation.amount(compensation.evaluate(compensation.rules('roles'), o), 'deposit')
	FROM public.roles_orders o WHERE order_id = 1), 118800::bigint, 'the analyst evaluates published rules');
SELECT is((SELECT sum(amount) FROM compensation.ledger WHERE policy = 'roles'), 118800::numeric, 'the analyst reads the ledger');
SELECT lives_ok($$SELECT * FROM compensation.policy$$, 'the analyst reads policies');
SELECT lives_ok($$SELECT * FROM compensation.issue_progress$$, 'the analyst reads progress');
SELECT throws_ok($$SELECT compensation.issue('roles', '2', o) FROM public.roles_orders o$$, '42501', NULL, 'the analyst cannot issue');
SELECT throws_ok($$CALL compensation.issue_all('roles', 'public.roles_orders', 'order_id', 10)$$, '42501', NULL, 'the analyst cannot run issue_all');
SELECT throws_ok($$SELECT * FROM compensation.outbox_claim(1)$$, '42501', NULL, 'the analyst cannot take outbox lines');
SELECT throws_ok($$SELECT compensation.lock_subject('roles', '1')$$, '42501', NULL, 'the analyst cannot lock subjects');
SELECT throws_ok($$SELECT compensation._issue_batch('roles', 1, 'public.roles_orders', ARRAY['2'], ARRAY(SELECT o FROM public.roles_orders o WHERE o.order_id = 2), false)$$,
	'42501', NULL, 'the analyst cannot issue a batch');
SELECT throws_ok($$SELECT compensation.define_policy('policy "x" currency KRW')$$, '42501', NULL, 'the analyst cannot define policies');
SELECT throws_ok($$SELECT compensation.publish('roles')$$, '42501', NULL, 'the analyst cannot publish');
SELECT throws_ok($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by)
	VALUES ('roles', 1, 'refund', '9', 'credit', now(), 'someone')$$, '42501', NULL, 'the analyst cannot write the ledger');
SELECT throws_ok($$DELETE FROM compensation.policy$$, '42501', NULL, 'the analyst cannot delete policies');
SELECT throws_ok($$SELECT * FROM compensation.outbox$$, '42501', NULL, 'the analyst does not read the outbox');
RESET ROLE;

---------------------------------------------------------------------------
-- compensation_admin: policies, incidents, triggers; no issuing
---------------------------------------------------------------------------
SET ROLE compensation_admin;
SELECT lives_ok($$SELECT compensation.define_incident('admin-incident', 'by the admin')$$, 'the admin defines incidents');
SELECT is(compensation.define_policy($p$
policy "roles"
currency KRW
rule "refund"
  when price > 10000
  credit deposit price * 150% round half_up
end
$p$, 'roles-incident'), 2, 'the admin defines a draft');
SELECT is(compensation.publish('roles'), 2, 'the admin publishes');
SELECT is((SELECT created_by FROM compensation.policy WHERE name = 'roles' AND version = 2), session_user,
	'created_by is session_user');
SELECT lives_ok($$SELECT compensation.retire('roles', 1)$$, 'the admin retires');
SELECT throws_ok($$UPDATE compensation.policy SET source = '' WHERE version = 2$$, '42501', NULL, 'the admin cannot edit policy rows directly');
SELECT throws_ok($$DELETE FROM compensation.policy$$, '42501', NULL, 'the admin cannot delete policy rows');
SELECT throws_ok($$INSERT INTO compensation.policy (name, version, source, rules) VALUES ('x', 1, 'policy "x" currency KRW', 'policy "x" currency KRW')$$,
	'42501', NULL, 'the admin cannot insert policy rows directly');
SELECT throws_ok($$SELECT compensation.issue('roles', '2', o) FROM public.roles_orders o$$, '42501', NULL, 'the admin cannot issue');
SELECT throws_ok($$CALL compensation.issue_all('roles', 'public.roles_orders', 'order_id', 10)$$, '42501', NULL, 'the admin cannot run issue_all');
SELECT throws_ok($$INSERT INTO compensation.ledger (policy, version, rule, subject, kind, issued_at, issued_by)
	VALUES ('roles', 2, 'refund', '9', 'credit', now(), 'someone')$$, '42501', NULL, 'the admin cannot write the ledger');
SELECT throws_ok($$SELECT * FROM compensation.outbox_claim(1)$$, '42501', NULL, 'the admin cannot take outbox lines');
RESET ROLE;

---------------------------------------------------------------------------
-- Whoever tries, the superuser included: the guards' SQLSTATEs
---------------------------------------------------------------------------
SELECT throws_ok($$UPDATE compensation.ledger SET amount = 1 WHERE policy = 'roles'$$, '55000', 'compensation.ledger is append-only: UPDATE is not allowed', 'superuser UPDATE of the ledger');
SELECT throws_ok($$DELETE FROM compensation.ledger WHERE policy = 'roles'$$, '55000', 'compensation.ledger is append-only: DELETE is not allowed', 'superuser DELETE of the ledger');
SELECT throws_ok($$TRUNCATE compensation.ledger CASCADE$$, '55000', 'compensation.ledger is append-only: TRUNCATE is not allowed', 'superuser TRUNCATE of the ledger');
SELECT throws_ok($$UPDATE compensation.policy SET source = '' WHERE name = 'roles' AND version = 2$$, '55000', 'policy "roles" version 2 is published and cannot be changed', 'superuser edit of a published version');
SELECT throws_ok($$DELETE FROM compensation.policy WHERE name = 'roles' AND version = 1$$, '55000', 'policy "roles" version 1 is retired and cannot be deleted', 'superuser delete of a retired version');

-- issued_by cannot be forged through a role switch: it is the session user
SELECT is((SELECT count(*)::int FROM compensation.ledger WHERE policy = 'roles' AND issued_by <> session_user), 0, 'every line names the session user');

-- A hostile search_path does not change what the functions do
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
CREATE FUNCTION hostile.session_user() RETURNS name LANGUAGE sql AS $$ SELECT 'forged'::name $$;
SET search_path = hostile, public;
SET ROLE compensation_issuer;
SELECT is((SELECT count(*)::int FROM public.roles_orders o, compensation.issue('roles', o.order_id::text, o)), 2,
	'version 2 issued under a hostile search_path');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM compensation.ledger
	WHERE policy = 'roles' AND (issued_at < '2001-01-01' OR issued_by = 'forged')), 0,
	'the hostile now() and session_user were not used');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
