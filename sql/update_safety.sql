-- ALTER EXTENSION compensation UPDATE on a database in use: a 0.1.0 install
-- with a published policy, a row trigger paying orders, ledger lines (a
-- reversal and reissue among them), a finished issue_all run and awards
-- kept in a user table.  It shows that
--   * an update that fails, wherever it fails (a conflicting object made
--     before it, or a fault injected by an event trigger at its first
--     command, in its middle, at its last), leaves the extension at 0.1.0
--     with the same objects and the same data, and the trigger still pays;
--   * the update waits for a transaction that is paying through the trigger
--     at that moment (it adds each subject's source to the ledger and the
--     issuance state, under ACCESS EXCLUSIVE locks): under lock_timeout it
--     fails cleanly, leaving 0.1.0 as it was, and succeeds once that
--     transaction has committed its lines;
--   * the tables it locks are the ones CHANGELOG.md lists (a new part that
--     locks more shows up here);
--   * after the update, the ledger, issuance state, outbox, runs and the
--     kept awards are unchanged, the awards evaluate the same, and the
--     trigger and issue_all pay nothing twice.
-- It works in a database of its own (the extension must be at 0.1.0 there),
-- read with \c, and drops it at the end.
\set test update_safety
\i test/regress_preamble.sql
\set regress_db :DBNAME
\set live_db :DBNAME _update_safety
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"live_db";
RESET client_min_messages;
CREATE DATABASE :"live_db" TEMPLATE template0;
\c :live_db
CREATE EXTENSION compensation VERSION '0.1.0';
CREATE SCHEMA shop;
CREATE EXTENSION dblink SCHEMA shop;
SET search_path = shop;

-- What a 0.1.0 user has.
CREATE TABLE orders (order_id bigint PRIMARY KEY, service text, price bigint);
SELECT compensation.define_policy($$
policy "update-safety"
currency KRW
rule "refund"
  when service = 'ticket'
  credit deposit price * 120% round half_up
end
$$) IS NOT NULL AS defined;
SELECT compensation.publish('update-safety') IS NOT NULL AS published;
CREATE TRIGGER compensate AFTER INSERT OR UPDATE ON orders FOR EACH ROW
	EXECUTE FUNCTION compensation.issue_trigger('update-safety', 'order_id');
INSERT INTO orders VALUES (1, 'ticket', 99000), (2, 'ticket', 33333), (3, 'book', 18000);
UPDATE orders SET price = 50000 WHERE order_id = 2;
SET client_min_messages = warning;
CALL compensation.issue_all('update-safety', 'shop.orders', 'order_id', 2);
RESET client_min_messages;
CREATE TABLE kept AS
SELECT o.order_id, compensation.evaluate(compensation.rules('update-safety'), o) AS award,
	compensation.rules('update-safety') AS rules
FROM orders o;
SELECT subject, kind, instrument, amount, reverses IS NOT NULL AS reversal
FROM compensation.ledger ORDER BY id;

-- paid(skip): a digest of what was paid (ledger, issuance state, outbox);
-- data(skip): that, the policies, incidents and runs, the orders and the
-- kept awards; both leave out the subject skip names.  Rows as jsonb,
-- without the columns the update adds (issue_run's runner_pid and
-- runner_started, NULL for 0.1.0's runs; the source of the ledger's and
-- the issuance state's subjects, checked after the update; the ledger's
-- reason and bearer, the issuance state's revoke stamps and the policies'
-- publish reason, NULL for what 0.1.0 wrote).
CREATE FUNCTION paid(skip text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
	SELECT md5(concat_ws(E'\n',
		(SELECT string_agg((to_jsonb(t) - '{source,reason,bearer}'::text[])::text, E'\n' ORDER BY t.id)
		 FROM compensation.ledger t WHERE t.subject IS DISTINCT FROM skip),
		(SELECT string_agg((to_jsonb(t) - '{source,revoked_at,revoked_by,revoke_reason}'::text[])::text,
			E'\n' ORDER BY t.policy, t.subject)
		 FROM compensation.issuance t WHERE t.subject IS DISTINCT FROM skip),
		(SELECT string_agg(to_jsonb(t)::text, E'\n' ORDER BY t.ledger_id) FROM compensation.outbox t
		 WHERE t.ledger_id NOT IN (SELECT l.id FROM compensation.ledger l WHERE l.subject = skip))))
$$;
CREATE FUNCTION data(skip text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
	SELECT md5(concat_ws(E'\n', shop.paid(skip),
		(SELECT string_agg((to_jsonb(t) - 'publish_reason')::text, E'\n' ORDER BY t.name, t.version)
		 FROM compensation.policy t),
		(SELECT string_agg(to_jsonb(t)::text, E'\n' ORDER BY t.name) FROM compensation.incident t),
		(SELECT string_agg((to_jsonb(t) - '{runner_pid,runner_started}'::text[])::text, E'\n' ORDER BY t.id)
		 FROM compensation.issue_run t),
		-- awards by their text: 0.2.0 gives award a cast to json, so
		-- to_jsonb() of a stored award is an object after the update
		(SELECT string_agg(t::text, E'\n' ORDER BY t.order_id) FROM shop.kept t),
		(SELECT string_agg(to_jsonb(t)::text, E'\n' ORDER BY t.order_id) FROM shop.orders t
		 WHERE t.order_id::text IS DISTINCT FROM skip)))
$$;
-- objects(): a digest of the extension's members, each by name with its
-- definition (functions' arguments, bodies and settings, tables' columns,
-- every comment) and the extension's version.
CREATE FUNCTION objects() RETURNS text LANGUAGE sql AS $$
	SELECT md5(string_agg(m, E'\n' ORDER BY m)) FROM (
		SELECT concat_ws(' | ', pg_describe_object(d.classid, d.objid, d.objsubid),
			(SELECT concat_ws(' | ', pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
				p.prosrc, p.provolatile, p.proisstrict, p.proparallel, p.prosecdef, p.proconfig, p.proacl)
			 FROM pg_proc p WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid),
			(SELECT string_agg(concat_ws(' ', a.attname, format_type(a.atttypid, a.atttypmod),
				col_description(a.attrelid, a.attnum)), ', ' ORDER BY a.attnum)
			 FROM pg_attribute a WHERE d.classid = 'pg_class'::regclass AND a.attrelid = d.objid
				AND a.attnum > 0 AND NOT a.attisdropped),
			obj_description(d.objid, d.classid::regclass::name)) AS m
		FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
		WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
			AND e.extname = 'compensation'
		UNION ALL
		SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'compensation') s
$$;
SELECT data() AS data_before, objects() AS objects_before \gset
SELECT count(*) AS runs FROM compensation.issue_run;

-- 1. A conflicting object: a function of the name the update creates in
-- its subjects part, after its first part dropped and recreated
-- _evaluate_columns.  The update fails (42723) and is undone whole.
CREATE FUNCTION compensation.subject_key(anyelement) RETURNS text
	LANGUAGE sql AS 'SELECT NULL::text';
\set VERBOSITY sqlstate
ALTER EXTENSION compensation UPDATE;
\set VERBOSITY default
DROP FUNCTION compensation.subject_key(anyelement);
SELECT extversion FROM pg_extension WHERE extname = 'compensation';
SELECT data() = :'data_before' AS same_data, objects() = :'objects_before' AS same_objects;
SELECT pg_get_function_arguments('compensation._evaluate_columns'::regproc) AS evaluate_columns_0_1_0;

-- A user's view over lines(), whose result 0.2.0 changes (it gains a
-- bearer column): the update says which objects and what to do (2BP01),
-- and is undone whole.
CREATE VIEW kept_lines AS SELECT k.order_id, l.* FROM kept k, compensation.lines(k.award) l;
ALTER EXTENSION compensation UPDATE;
DROP VIEW kept_lines;
SELECT extversion FROM pg_extension WHERE extname = 'compensation';
SELECT data() = :'data_before' AS same_data, objects() = :'objects_before' AS same_objects;

-- 2. A fault at the Nth command of the update script: an event trigger
-- counts the commands (ddl_command_end fires for each command of an
-- extension script, and once more for ALTER EXTENSION itself) and raises at
-- the one named by update_safety.fail_at.  First count them, in a
-- transaction rolled back; then fail at the first, the middle and the last.
CREATE FUNCTION fail_at() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
	n integer := coalesce(nullif(current_setting('update_safety.seen', true), ''), '0')::integer + 1;
BEGIN
	PERFORM set_config('update_safety.seen', n::text, true);
	IF n = current_setting('update_safety.fail_at')::integer THEN
		RAISE EXCEPTION 'injected fault at command % of the update (%)', n, tg_tag;
	END IF;
END
$$;
CREATE EVENT TRIGGER fail_at ON ddl_command_end EXECUTE FUNCTION shop.fail_at();
BEGIN;
SET LOCAL update_safety.fail_at = 0;
ALTER EXTENSION compensation UPDATE;
SELECT current_setting('update_safety.seen')::integer AS commands \gset
ROLLBACK;
SELECT :commands > 10 AS counted, (:commands + 1) / 2 AS middle \gset
SELECT :'counted' AS counted_the_commands;
\set VERBOSITY sqlstate
SET update_safety.fail_at = 1;
ALTER EXTENSION compensation UPDATE;
SELECT extversion, data() = :'data_before' AS same_data, objects() = :'objects_before' AS same_objects
FROM pg_extension WHERE extname = 'compensation';
SET update_safety.fail_at = :middle;
ALTER EXTENSION compensation UPDATE;
SELECT extversion, data() = :'data_before' AS same_data, objects() = :'objects_before' AS same_objects
FROM pg_extension WHERE extname = 'compensation';
SET update_safety.fail_at = :commands;
ALTER EXTENSION compensation UPDATE;
SELECT extversion, data() = :'data_before' AS same_data, objects() = :'objects_before' AS same_objects
FROM pg_extension WHERE extname = 'compensation';
\set VERBOSITY default
RESET update_safety.fail_at;
DROP EVENT TRIGGER fail_at;

-- The failed updates left a working 0.1.0: the trigger still pays.
INSERT INTO orders VALUES (4, 'ticket', 10000);
SELECT subject, amount FROM compensation.ledger WHERE subject = '4';
SELECT data() AS data_before \gset

-- 3. The update while another session is paying through the trigger: its
-- transaction holds the ledger, issuance and outbox rows it wrote and the
-- order table's lock.  The update waits for it: under lock_timeout it fails
-- (55P03) and 0.1.0 is as it was; after the session commits, it succeeds.
SELECT dblink_connect('payer', format('host=%s port=%s dbname=%s user=%s',
	split_part(current_setting('unix_socket_directories'), ',', 1),
	current_setting('port'), current_database(), current_user)) AS connected;
SELECT dblink_exec('payer', 'BEGIN');
SELECT dblink_exec('payer', 'INSERT INTO shop.orders VALUES (5, ''ticket'', 20000)');
BEGIN;
SET LOCAL lock_timeout = '200ms';
\set VERBOSITY sqlstate
ALTER EXTENSION compensation UPDATE;
\set VERBOSITY default
ROLLBACK;
SELECT extversion FROM pg_extension WHERE extname = 'compensation';
SELECT dblink_exec('payer', 'COMMIT');
SELECT dblink_disconnect('payer');
BEGIN;
SET LOCAL lock_timeout = '10s';
ALTER EXTENSION compensation UPDATE;
-- The relations it locked, outside the system catalogs: whether
-- exclusively (the tables it alters or creates, the views it creates: new,
-- nobody waits for them), or not (SHARE UPDATE EXCLUSIVE on the two
-- sequences for COMMENT ON, which nextval does not wait for).
SELECT l.relation::regclass AS locked, bool_or(l.mode = 'AccessExclusiveLock') AS exclusive
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
	AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace)
	AND l.mode NOT IN ('AccessShareLock')
GROUP BY 1 ORDER BY 1;
COMMIT;
SELECT extversion = (SELECT default_version FROM pg_available_extensions
                     WHERE name = 'compensation') AS at_default_version
FROM pg_extension WHERE extname = 'compensation';
-- The trigger and the run name one table: every subject was given its source.
SELECT source, count(*) FROM compensation.ledger GROUP BY 1;
SELECT source, count(*) FROM compensation.issuance GROUP BY 1;

-- The paying session's line committed (issued by 0.1.0's trigger).
SELECT subject, amount FROM compensation.ledger WHERE subject = '5';

-- 4. Everything stored before the update is as it was (order 5 and its
-- line aside: the paying session wrote them), and reads the same.
SELECT data('5') = :'data_before' AS same_data;
SELECT paid() AS paid_before \gset
SELECT k.order_id, compensation.evaluate(k.rules, o)::text = k.award::text AS same_award
FROM kept k JOIN orders o USING (order_id) ORDER BY 1;
-- Nothing is paid twice: the trigger on an unchanged price writes nothing,
-- issue_all writes nothing, a new order is paid once.
UPDATE orders SET price = price;
SET client_min_messages = warning;
CALL compensation.issue_all('update-safety', 'shop.orders', 'order_id', 2);
RESET client_min_messages;
SELECT paid() = :'paid_before' AS nothing_paid;
INSERT INTO orders VALUES (6, 'ticket', 1000);
SELECT subject, amount FROM compensation.ledger WHERE subject = '6';

\c :regress_db
DROP DATABASE :"live_db";
