-- test/pgtap/contract.sql: the SQL contract of the extension, as its
-- install scripts (compensation--0.1.0.sql, then the update steps built from
-- upgrade/) declare it: schema, types, every function with its exact
-- signature and result, STRICT-ness, volatility, parallel safety, comments,
-- the hash operator class and the sum(award) aggregate.
--
-- The table `contract` below is the list of every function and aggregate
-- the extension owns.  A function added in an update step must be added
-- here too (test "no function outside the contract" says which).
-- Run by `make installcheck-pgtap` with pg_prove, in a fresh database made
-- from a template where pgtap and compensation (0.1.0, updated) are
-- installed; it neither creates nor drops an extension.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SET LOCAL search_path = public, pg_catalog;

SELECT plan(553);

-- sig: regprocedure input; result: pg_get_function_result(); strict: declared
-- STRICT (NULL for the aggregate); pure: IMMUTABLE and PARALLEL SAFE;
-- args: pg_get_function_arguments(), where parameter names or OUT columns
-- are part of the contract.
CREATE TEMP TABLE contract (ord int, sig text, result text, strict boolean, pure boolean, args text);
INSERT INTO contract VALUES
	( 1, 'compensation.ruleset_in(cstring)', 'compensation.ruleset', true, true),
	( 2, 'compensation.ruleset_out(compensation.ruleset)', 'cstring', true, true),
	( 3, 'compensation.ruleset_recv(internal)', 'compensation.ruleset', true, true),
	( 4, 'compensation.ruleset_send(compensation.ruleset)', 'bytea', true, true),
	( 5, 'compensation.ruleset_eq(compensation.ruleset,compensation.ruleset)', 'boolean', true, true),
	( 6, 'compensation.ruleset_ne(compensation.ruleset,compensation.ruleset)', 'boolean', true, true),
	( 7, 'compensation.ruleset_hash(compensation.ruleset)', 'integer', true, true),
	( 8, 'compensation.policy_name(compensation.ruleset)', 'text', true, true),
	( 9, 'compensation.rule_count(compensation.ruleset)', 'integer', true, true),
	(10, 'compensation.award_in(cstring)', 'compensation.award', true, true),
	(11, 'compensation.award_out(compensation.award)', 'cstring', true, true),
	(12, 'compensation.award_recv(internal)', 'compensation.award', true, true),
	(13, 'compensation.award_send(compensation.award)', 'bytea', true, true),
	(14, 'compensation.evaluate(compensation.ruleset,anyelement)', 'compensation.award', true, true),
	(15, 'compensation.explain(compensation.ruleset,anyelement)', 'SETOF record', true, true),
	(16, 'compensation.lines(compensation.award)', 'SETOF record', true, true),
	(17, 'compensation.is_empty(compensation.award)', 'boolean', true, true),
	(18, 'compensation.amount(compensation.award,text)', 'bigint', true, true),
	(19, 'compensation.days(compensation.award,text)', 'integer', true, true),
	(20, 'compensation.new_date(compensation.award,text)', 'timestamp with time zone', true, true),
	(21, 'compensation.has(compensation.award,text)', 'boolean', true, true),
	(22, 'compensation.currency(compensation.award)', 'text', true, true),
	(23, 'compensation.award_sum_transfn(internal,compensation.award)', 'internal', false, true),
	(24, 'compensation.award_sum_combinefn(internal,internal)', 'internal', false, true),
	(25, 'compensation.award_sum_serialfn(internal)', 'bytea', true, true),
	(26, 'compensation.award_sum_deserialfn(bytea,internal)', 'internal', true, true),
	(27, 'compensation.award_sum_finalfn(internal)', 'compensation.award', false, true),
	(28, 'compensation.sum(compensation.award)', 'compensation.award', NULL, true),
	-- policies, the ledger and issuance: read or write tables, so not pure
	(29, 'compensation.policy_guard()', 'trigger', false, false),
	(30, 'compensation.ledger_guard()', 'trigger', false, false),
	(31, 'compensation.define_incident(text,text)', 'void', false, false),
	(32, 'compensation.define_policy(text,text)', 'integer', false, false),
	(33, 'compensation.publish(text,integer,text)', 'integer', false, false),
	(34, 'compensation.retire(text,integer)', 'void', true, false),
	(35, 'compensation.current_version(text)', 'integer', true, false),
	(36, 'compensation.rules(text,integer)', 'compensation.ruleset', true, false),
	(37, 'compensation.rules(text)', 'compensation.ruleset', true, false),
	(39, 'compensation.issue(text,integer,text,anyelement)', 'SETOF compensation.ledger', false, false),
	(40, 'compensation.issue(text,text,anyelement)', 'SETOF compensation.ledger', false, false),
	(41, 'compensation.lock_subject(text,text)', 'void', false, false),
	(42, 'compensation.outbox_claim(integer)', 'SETOF compensation.ledger', true, false),
	(43, 'compensation.issue_trigger()', 'trigger', false, false),
	(44, 'compensation._run_begin(text,text,text,integer,bigint)', 'compensation.issue_run', true, false),
	(45, 'compensation._run_advance(bigint,text,bigint,bigint)', 'void', true, false),
	(46, 'compensation._run_end(bigint)', 'void', true, false),
	(47, 'compensation.issue_all(text,regclass,text,integer,text)', NULL, NULL, false),
	(49, 'compensation._issue_batch(text,integer,text,text[],anyarray,boolean)', 'record', false, false),
	(50, 'compensation._evaluate_columns(compensation.ruleset,anyelement,text[],"any")', 'compensation.award', false, true),
	(51, 'compensation._evaluate_support(internal)', 'internal', true, true),
	(52, 'compensation.subject_key(anyelement)', 'text', true, false),
	(53, 'compensation._row_subject(anyelement,text)', 'text', true, false),
	(54, 'compensation._backend_start()', 'timestamp with time zone', true, false),
	(55, 'compensation._run_check_lock(text,text,text)', 'void', true, false),
	(56, 'compensation._key_column(regclass,text)', 'record', true, false),
	(57, 'compensation.issue_key(text,regclass,text,text)', 'SETOF compensation.ledger', false, false),
	-- awards as JSON, = on awards (upgrade/0.1.0--0.2.0/50-award-json.sql)
	(70, 'compensation.award_to_json(compensation.award)', 'json', true, true),
	(71, 'compensation.award_to_jsonb(compensation.award)', 'jsonb', true, true),
	(72, 'compensation.award_eq(compensation.award,compensation.award)', 'boolean', true, true),
	(73, 'compensation.award_ne(compensation.award,compensation.award)', 'boolean', true, true),
	(74, 'compensation.award_hash(compensation.award)', 'integer', true, true),
	(75, 'compensation.award_hash_extended(compensation.award,bigint)', 'bigint', true, true),
	-- sources, settling, revoking, attaching (upgrade/0.1.0--0.2.0/2x-3x)
	(77, 'compensation._table_source(regclass,text,text,text)', 'text', false, false),
	(78, 'compensation._app_source(text)', 'text', true, false),
	(79, 'compensation.adopt_lines(text,regclass,text)', 'bigint', true, false),
	(80, 'compensation._canonical_subject(text,text)', 'text', true, false),
	(81, 'compensation._trigger_args(bytea)', 'text[]', true, true),
	(83, 'compensation._line_key(text,text,text,bigint,text,integer,timestamp with time zone,text,timestamp with time zone,timestamp with time zone,text)', 'text', false, true),
	(84, 'compensation._settle(text,integer,text,text[],compensation.award[],text[],boolean,text)', 'record', false, false),
	(85, 'compensation._lock_subjects(text,text,text[])', 'text[]', true, false),
	(86, 'compensation._reconcile(text,integer,text,text[],compensation.award[],text[],text)', 'bigint[]', false, false),
	(87, 'compensation._row_source(regtype)', 'text', true, false),
	(88, 'compensation._base_type(oid)', 'oid', true, false),
	(89, 'compensation._issue_one(text,integer,text,text,compensation.award,text)', 'SETOF compensation.ledger', false, false),
	(90, 'compensation.issue(text,text,anyelement,text)', 'SETOF compensation.ledger', false, false),
	(91, 'compensation.revoke(text,text,text,text)', 'SETOF compensation.ledger', false, false),
	(92, 'compensation.reinstate(text,text,text)', 'boolean', true, false),
	(93, 'compensation.lock_subject(text,text,text)', 'void', false, false),
	(95, 'compensation.lock_subjects(text,text,text[])', 'integer', false, false),
	(96, 'compensation._issue_target(text,regclass,text,text)', 'record', false, false),
	(106, 'compensation._btree_operators(oid)', 'record', true, false),
	(107, 'compensation._issue_next_per(text,integer,text,regclass,text,text,text,text,text,text,text,text,integer)', 'record', false, false),
	(97, 'compensation._check_key_type(oid,text)', 'void', true, false),
	(98, 'compensation._issue_next(text,integer,text,regclass,text,text,text,text,text,text,integer)', 'record', false, false),
	(99, 'compensation.issue_table(text,regclass,text,integer,text)', 'record', false, false),
	(100, 'compensation.reverse_gone(text,regclass,text)', 'record', false, false),
	(101, 'compensation._reverse_subjects(text,integer,text,text[],text)', 'bigint', true, false),
	(102, 'compensation._check_row_type(compensation.ruleset,regtype)', 'void', true, false),
	(103, 'compensation._trigger_name(text,text)', 'name', false, true),
	(104, 'compensation.detach(text,regclass)', 'integer', true, false),
	(105, 'compensation.attach(text,regclass,text,text,text,text)', 'text', false, false),
	-- STABLE: a row type's input functions may read settings (not pure)
	(76, 'compensation.evaluate_json(compensation.ruleset,jsonb,anyelement)', 'compensation.award', false, false),
	-- what-if parameters (upgrade/0.1.0--0.2.0/70-params.sql)
	(110, 'compensation.with_params(compensation.ruleset,jsonb)', 'compensation.ruleset', true, true),
	(111, 'compensation.params(compensation.ruleset)', 'SETOF record', true, true),
	-- a policy as JSON (upgrade/0.1.0--0.2.0/73-ruleset-json.sql)
	(120, 'compensation.ruleset_to_json(compensation.ruleset)', 'json', true, true),
	(121, 'compensation.ruleset_to_jsonb(compensation.ruleset)', 'jsonb', true, true),
	(122, 'compensation.ruleset_from_jsonb(jsonb)', 'compensation.ruleset', true, true),
	-- accessors (upgrade/0.1.0--0.2.0/74-award-accessors.sql)
	(123, 'compensation.reviews(compensation.award)', 'text[]', true, true),
	(124, 'compensation.local_window(compensation.award,text)', 'tsrange', true, true),
	-- Citus (upgrade/0.1.0--0.2.0/36-39): the writer's distributed steps and the set-up
	(210, 'compensation._announce(bigint[])', 'void', true, false),
	(211, 'compensation._distributed()', 'boolean', false, false),
	(212, 'compensation._citus_table(regclass)', 'boolean', true, false),
	(213, 'compensation._state_distributed(text,text,text[])', 'jsonb', true, false),
	(214, 'compensation._settle_distributed(text,integer,text,text[],compensation.award[],text[],boolean,text)', 'record', false, false),
	(215, 'compensation._lock_subjects_distributed(text,text,text[])', 'text[]', true, false),
	(216, 'compensation._reconcile_distributed(text,integer,text,text[],compensation.award[],text[],text)', 'bigint[]', false, false),
	(217, 'compensation._issue_range_distributed(text,integer,regclass,text,text,text,text[],boolean)', 'record', false, false),
	(218, 'compensation._issue_next_distributed(text,integer,text,regclass,text,text,text,text,text,text,integer)', 'record', false, false),
	(219, 'compensation.distribute(integer)', 'void', false, false),
	(221, 'compensation._subjects_by_shard(text[])', 'SETOF text[]', true, false),
	(222, 'compensation._simulate_sum(compensation.ruleset,regclass,text)', 'compensation.award', false, false),
	(220, 'compensation._coordinator_only()', 'void', false, false),
	(223, 'compensation._settle_classify(text,integer,text,text[],compensation.award[],text[])', 'record', true, false),
	(224, 'compensation._evaluate_rows(compensation.ruleset,anyarray)', 'compensation.award[]', true, true),
	-- shared calendars (upgrade/0.1.0--0.2.0/65-calendar-catalog.sql)
	(130, 'compensation.define_calendar(text,text[],date[])', 'compensation.calendar', false, false),
	(131, 'compensation.drop_calendar(text)', 'boolean', true, false),
	(48, 'compensation.simulate(text,regclass,text)',
	     'TABLE(rule text, kind text, instrument text, rows_awarded bigint, amount bigint, amount_major numeric, currency text, days bigint)',
	     false, false),
	-- analysis and reports (upgrade/0.1.0--0.2.0/60-analysis.sql, 62-reports.sql)
	(160, 'compensation.version_rules(text,integer)',
	     'compensation.ruleset', true, false),
	(161, 'compensation.draft_rules(text)',
	     'compensation.ruleset', true, false),
	(162, 'compensation.simulate(compensation.ruleset,regclass,text)',
	     'TABLE(rule text, kind text, instrument text, rows_awarded bigint, amount bigint, amount_major numeric, currency text, days bigint)', false, false),
	(163, 'compensation.simulate(text,integer,regclass,text)',
	     'TABLE(rule text, kind text, instrument text, rows_awarded bigint, amount bigint, amount_major numeric, currency text, days bigint)', false, false),
	(164, 'compensation.diff(compensation.ruleset,compensation.ruleset,regclass,text,text)',
	     'TABLE(subject text, rule text, kind text, instrument text, change text, old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text, old_days bigint, new_days bigint, old_new_date timestamp with time zone, new_new_date timestamp with time zone)', false, false),
	(165, 'compensation.diff(text,integer,integer,regclass,text,text)',
	     'TABLE(subject text, rule text, kind text, instrument text, change text, old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text, old_days bigint, new_days bigint, old_new_date timestamp with time zone, new_new_date timestamp with time zone)', false, false),
	(166, 'compensation.diff_totals(compensation.ruleset,compensation.ruleset,regclass,text)',
	     'TABLE(rule text, kind text, instrument text, old_rows bigint, new_rows bigint, rows_gained bigint, rows_lost bigint, rows_changed bigint, old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text, old_days bigint, new_days bigint)', false, false),
	(167, 'compensation.diff_totals(text,integer,integer,regclass,text)',
	     'TABLE(rule text, kind text, instrument text, old_rows bigint, new_rows bigint, rows_gained bigint, rows_lost bigint, rows_changed bigint, old_amount bigint, new_amount bigint, delta bigint, delta_major numeric, currency text, old_days bigint, new_days bigint)', false, false),
	(168, 'compensation._currency_unit(text)',
	     'bigint', true, true),
	(169, 'compensation._policy_zone(text,integer)',
	     'text', true, false),
	(170, 'compensation.describe_line(text,text,bigint,text,bigint,timestamp with time zone,text,timestamp with time zone,timestamp with time zone,text,text)',
	     'text', false, false),
	(171, 'compensation.customer_pending(text,regclass,text,text)',
	     'TABLE(subject text, pending text, rule text, what text, kind text, instrument text, amount bigint, currency text, days bigint, new_date timestamp with time zone, window_kind text, window_from timestamp with time zone, window_until timestamp with time zone, note text)', false, false),
	-- who bears the cost (upgrade/0.1.0--0.2.0/80-bearer.sql)
	(180, 'compensation.simulate_by_bearer(compensation.ruleset,regclass,text)',
	     'TABLE(bearer text, kind text, instrument text, rows_awarded bigint, amount bigint, amount_major numeric, currency text, days bigint)', false, false),
	(181, 'compensation.simulate_by_bearer(text,regclass,text)',
	     'TABLE(bearer text, kind text, instrument text, rows_awarded bigint, amount bigint, amount_major numeric, currency text, days bigint)', false, false);
UPDATE contract SET args = v.args
FROM (VALUES
	(14, 'rules compensation.ruleset, "row" anyelement'),
	(15, 'rules compensation.ruleset, "row" anyelement, OUT rule_no integer, OUT rule text, '
	     'OUT matched boolean, OUT failed_condition text, OUT detail text, OUT award compensation.award'),
	(16, 'compensation.award, OUT rule text, OUT kind text, OUT instrument text, OUT amount bigint, '
	     'OUT amount_major numeric, OUT currency text, OUT days integer, '
	     'OUT new_date timestamp with time zone, OUT window_kind text, '
	     'OUT window_from timestamp with time zone, OUT window_until timestamp with time zone, '
	     'OUT note text, OUT count bigint, OUT bearer text'),
	(18, 'compensation.award, instrument text'),
	(19, 'compensation.award, target text'),
	(20, 'compensation.award, target text'),
	(21, 'compensation.award, instrument text'),
	(33, 'name text, version integer DEFAULT NULL::integer, reason text DEFAULT NULL::text'),
	(49, 'policy text, version integer, source text, subjects text[], rows anyarray, defer boolean, '
	     'OUT lines_written bigint, OUT pending text[]'),
	(91, 'policy text, source text, subject text, reason text'),
	(99, 'policy text, rel regclass, key_column text, batch_size integer DEFAULT 10000, '
	     'per text DEFAULT NULL::text, OUT rows_done bigint, OUT lines_written bigint'),
	(100, 'policy text, rel regclass, key_column text, OUT subjects bigint, OUT lines_written bigint'),
	(105, 'policy text, rel regclass, key_column text, source text DEFAULT NULL::text, '
	     'form text DEFAULT ''statement''::text, on_delete text DEFAULT ''reverse''::text'),
	(50, 'rules compensation.ruleset, rowtype anyelement, columns text[], VARIADIC "values" "any"'),
	(76, 'rules compensation.ruleset, doc jsonb, row_type anyelement'),
	(110, 'rules compensation.ruleset, overrides jsonb'),
	(111, 'rules compensation.ruleset, OUT name text, OUT value text'),
	(130, 'name text, weekend text[] DEFAULT ''{saturday,sunday}''::text[], holidays date[] DEFAULT ''{}''::date[]'),
	(131, 'name text'),

	(124, 'compensation.award, target text'),
	(180, 'rules compensation.ruleset, rel regclass, filter text DEFAULT NULL::text'),
	(181, 'policy text, rel regclass, filter text DEFAULT NULL::text')) AS v(ord, args)
WHERE contract.ord = v.ord;

-- The extension -----------------------------------------------------------
SELECT has_schema('compensation', 'schema compensation exists');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'compensation'),
	(SELECT default_version FROM pg_available_extensions WHERE name = 'compensation'),
	'the installed version is the default version');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'compensation'), false,
	'the extension is not relocatable');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'compensation'),
	'compensation', 'the extension lives in schema compensation');

-- Types -------------------------------------------------------------------
SELECT has_type('compensation', 'ruleset', 'type compensation.ruleset exists');
SELECT has_type('compensation', 'award', 'type compensation.award exists');
SELECT ok(t.typsend <> 0 AND t.typreceive <> 0, format('type %s has binary send and receive', t.oid::regtype))
FROM pg_type t WHERE t.oid IN ('compensation.ruleset'::regtype, 'compensation.award'::regtype)
ORDER BY t.typname DESC;
SELECT is(
	(SELECT count(*)::int FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'compensation')
	   AND t.typtype = 'b'),
	2, 'the extension owns exactly two base types');

-- Every function: exists, result, STRICT-ness, volatility, parallel safety -
SELECT ok(to_regprocedure(sig) IS NOT NULL, format('%s exists', sig))
FROM contract ORDER BY ord;

SELECT is(pg_get_function_result(to_regprocedure(sig)), result, format('%s returns %s', sig, result))
FROM contract WHERE result IS NOT NULL ORDER BY ord;
SELECT is((SELECT prokind::text FROM pg_proc WHERE oid = to_regprocedure(sig)), 'p',
	format('%s is a procedure', sig))
FROM contract WHERE result IS NULL ORDER BY ord;

SELECT is(pg_get_function_arguments(to_regprocedure(sig)), args, format('%s takes (%s)', sig, args))
FROM contract WHERE args IS NOT NULL ORDER BY ord;

SELECT is(p.proisstrict, c.strict,
	format('%s is %sSTRICT', c.sig, CASE WHEN c.strict THEN '' ELSE 'not ' END))
FROM contract c LEFT JOIN pg_proc p ON p.oid = to_regprocedure(c.sig)
WHERE c.strict IS NOT NULL ORDER BY c.ord;

SELECT is(p.provolatile::text, 'i', format('%s is IMMUTABLE', c.sig))
FROM contract c LEFT JOIN pg_proc p ON p.oid = to_regprocedure(c.sig)
WHERE c.pure ORDER BY c.ord;

SELECT is(p.proparallel::text, 's', format('%s is PARALLEL SAFE', c.sig))
FROM contract c LEFT JOIN pg_proc p ON p.oid = to_regprocedure(c.sig)
WHERE c.pure ORDER BY c.ord;

-- Subjects: STABLE, not IMMUTABLE (an enum key's text is its label, which
-- ALTER TYPE ... RENAME VALUE changes), and safe in parallel workers.
SELECT is(p.provolatile::text || p.proparallel::text, 'ss', format('%s is STABLE PARALLEL SAFE', p.oid::regprocedure))
FROM pg_proc p WHERE p.oid IN ('compensation.subject_key(anyelement)'::regprocedure,
	'compensation._row_subject(anyelement,text)'::regprocedure) ORDER BY 1;

SELECT is((SELECT prosupport::regproc::text FROM pg_proc
	WHERE oid = 'compensation.evaluate(compensation.ruleset,anyelement)'::regprocedure),
	'compensation._evaluate_support', 'evaluate() has its planner support function');

-- The contract is complete, and documented --------------------------------
CREATE TEMP VIEW extension_functions AS
SELECT p.oid::regprocedure AS fn
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'compensation');

SELECT is_empty(
	$$ SELECT fn::text FROM extension_functions
	   WHERE fn NOT IN (SELECT to_regprocedure(sig) FROM contract WHERE to_regprocedure(sig) IS NOT NULL) $$,
	'no function outside the contract (add new ones to test/pgtap/contract.sql)');

SELECT is_empty(
	$$ SELECT fn::text FROM extension_functions
	   WHERE coalesce(obj_description(fn, 'pg_proc'), '') = '' ORDER BY 1 $$,
	'every function and aggregate of the extension has a comment');

SELECT is_empty(
	$$ SELECT t.oid::regtype::text FROM pg_type t
	   JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
	   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	     AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'compensation')
	     AND coalesce(obj_description(t.oid, 'pg_type'), '') = '' $$,
	'every type of the extension has a comment');

-- Shared calendars: the catalog, kept by pg_dump, written only through
-- define_calendar() and drop_calendar() (SECURITY DEFINER, pinned
-- search_path) ------------------------------------------------------------
SELECT has_table('compensation', 'calendar', 'table compensation.calendar exists');
SELECT columns_are('compensation', 'calendar',
	ARRAY['name', 'weekend', 'holidays', 'defined_by', 'defined_at'],
	'compensation.calendar has its columns');
SELECT col_is_pk('compensation', 'calendar', 'name', 'a calendar is named by its primary key');
SELECT col_type_is('compensation', 'calendar', 'weekend', 'text[]', 'calendar.weekend is text[]');
SELECT col_type_is('compensation', 'calendar', 'holidays', 'date[]', 'calendar.holidays is date[]');
SELECT ok('compensation.calendar'::regclass = ANY ((SELECT extconfig FROM pg_extension WHERE extname = 'compensation')::oid[]),
	'compensation.calendar is a configuration table of the extension (pg_dump keeps its rows)');
SELECT is(p.prosecdef AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp'], true,
	format('%s is SECURITY DEFINER with a pinned search_path', p.oid::regprocedure))
FROM pg_proc p WHERE p.oid IN ('compensation.define_calendar(text,text[],date[])'::regprocedure,
	'compensation.drop_calendar(text)'::regprocedure) ORDER BY 1;
SELECT is(obj_description('compensation.calendar'::regclass, 'pg_class') IS NOT NULL, true,
	'compensation.calendar has a comment');

-- Who bears the cost: the ledger's column and the settlement view ----------
SELECT has_column('compensation', 'ledger', 'bearer', 'the ledger records who bears each line');
SELECT col_type_is('compensation', 'ledger', 'bearer', 'text', 'ledger.bearer is text');
SELECT col_is_null('compensation', 'ledger', 'bearer', 'ledger.bearer is nullable (NULL: the company)');
SELECT isnt(col_description('compensation.ledger'::regclass,
	(SELECT attnum FROM pg_attribute WHERE attrelid = 'compensation.ledger'::regclass AND attname = 'bearer')),
	NULL, 'ledger.bearer has a comment');
SELECT has_view('compensation', 'issued_by_bearer', 'view issued_by_bearer exists');
SELECT isnt(obj_description('compensation.issued_by_bearer'::regclass, 'pg_class'), NULL,
	'issued_by_bearer has a comment');

-- Equality and hashing of rulesets ----------------------------------------
SELECT has_operator('compensation.ruleset', 'compensation', '=', 'compensation.ruleset', 'boolean',
	'operator = (ruleset, ruleset) exists');
SELECT has_operator('compensation.ruleset', 'compensation', '<>', 'compensation.ruleset', 'boolean',
	'operator <> (ruleset, ruleset) exists');
SELECT ok(coalesce((SELECT oprcanhash FROM pg_operator
	WHERE oid = to_regoperator('compensation.=(compensation.ruleset,compensation.ruleset)')), false),
	'= on rulesets supports hash joins (HASHES)');
SELECT has_opclass('compensation', 'ruleset_hash_ops', 'operator class ruleset_hash_ops exists');
SELECT ok(EXISTS (
	SELECT FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
	WHERE c.opcname = 'ruleset_hash_ops' AND c.opcnamespace = 'compensation'::regnamespace
	  AND a.amname = 'hash' AND c.opcdefault AND c.opcintype = 'compensation.ruleset'::regtype),
	'ruleset_hash_ops is the default hash operator class of ruleset');

-- Equality and hashing of awards, casts to JSON ----------------------------
SELECT has_operator('compensation.award', 'compensation', '=', 'compensation.award', 'boolean',
	'operator = (award, award) exists');
SELECT has_operator('compensation.award', 'compensation', '<>', 'compensation.award', 'boolean',
	'operator <> (award, award) exists');
SELECT ok(coalesce((SELECT oprcanhash FROM pg_operator
	WHERE oid = to_regoperator('compensation.=(compensation.award,compensation.award)')), false),
	'= on awards supports hash joins (HASHES)');
SELECT ok(EXISTS (
	SELECT FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
	WHERE c.opcname = 'award_hash_ops' AND c.opcnamespace = 'compensation'::regnamespace
	  AND a.amname = 'hash' AND c.opcdefault AND c.opcintype = 'compensation.award'::regtype),
	'award_hash_ops is the default hash operator class of award');
SELECT is((SELECT count(*)::int FROM pg_amproc p JOIN pg_opclass c ON c.opcfamily = p.amprocfamily
	WHERE c.opcname = 'award_hash_ops' AND c.opcnamespace = 'compensation'::regnamespace),
	2, 'award_hash_ops has a hash and a seeded hash (hash partitioning)');
SELECT is((SELECT string_agg(format('%s:%s:%s', c.casttarget::regtype, c.castfunc::regproc, c.castcontext), ', '
		ORDER BY c.casttarget::regtype::text)
	FROM pg_cast c WHERE c.castsource = 'compensation.award'::regtype),
	'json:compensation.award_to_json:e, jsonb:compensation.award_to_jsonb:e',
	'award casts explicitly to json and jsonb, by award_to_json and award_to_jsonb');
SELECT is((SELECT string_agg(format('%s:%s:%s', c.casttarget::regtype, c.castfunc::regproc, c.castcontext), ', '
		ORDER BY c.casttarget::regtype::text)
	FROM pg_cast c WHERE c.castsource = 'compensation.ruleset'::regtype),
	'jsonb:compensation.ruleset_to_jsonb:e',
	'ruleset casts explicitly to jsonb only (in a row, to_jsonb keeps its text), by ruleset_to_jsonb');
SELECT is((SELECT format('%s:%s', c.castfunc::regproc, c.castcontext)
	FROM pg_cast c WHERE c.castsource = 'jsonb'::regtype AND c.casttarget = 'compensation.ruleset'::regtype),
	'compensation.ruleset_from_jsonb:e', 'jsonb casts explicitly to ruleset, by ruleset_from_jsonb');
SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc
	WHERE oid = to_regprocedure('compensation.evaluate_json(compensation.ruleset,jsonb,anyelement)')),
	'ss', 'evaluate_json() is STABLE and PARALLEL SAFE');

-- sum(award) ---------------------------------------------------------------
SELECT is_aggregate('compensation', 'sum', ARRAY['compensation.award'], 'sum(award) is an aggregate');
SELECT is((SELECT aggcombinefn::text FROM pg_aggregate
	WHERE aggfnoid = to_regprocedure('compensation.sum(compensation.award)')),
	'compensation.award_sum_combinefn', 'sum(award) has a combine function');
SELECT is((SELECT aggserialfn::text || ' / ' || aggdeserialfn::text FROM pg_aggregate
	WHERE aggfnoid = to_regprocedure('compensation.sum(compensation.award)')),
	'compensation.award_sum_serialfn / compensation.award_sum_deserialfn',
	'sum(award) serializes its state, for parallel workers');

SELECT * FROM finish();
ROLLBACK;
