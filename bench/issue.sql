-- bench/issue.sql: the tables and the preparation step of B5 (the issuing
-- trigger) and B6 (issue_all), after bench/setup.sql.  Needs the ledger of
-- issue 3 (compensation.define_policy, publish, issue_trigger, issue_all).
--
--   psql -v ON_ERROR_STOP=1 -v rows=100000 -f bench/issue.sql
--
-- bench.issue_orders   the first :rows of bench.orders, keyed by order_id
--                      (issue_all and the trigger need a unique key)
-- bench.b5_plain       empty copies of it: the plain insert's target, and
-- bench.b5_trig        the trigger's: for b5-trigger the row form (AFTER INSERT
--                      OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION
--                      compensation.issue_trigger(policy, 'order_id')), for
--                      b5-statement the statement form (AFTER INSERT
--                      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT ...)
-- bench.current_policy the policy the next timed statement issues
--                      (b8-v2 and b10-rerun: version 1 already issued; b8-v2
--                      then publishes version 2, ticket refunds at 130%)
-- CALL bench.issue_prepare(variant)
--                      run untimed before each timed statement: empties the
--                      B5 tables and, for the variants that issue, defines
--                      and publishes round 1 under a new name
--                      (<variant>-<n>), so that every run issues from an
--                      empty ledger, as the first run of a policy does (a
--                      second run of the same policy would find everything
--                      issued and write nothing); for b5-trigger and
--                      b5-statement it re-creates the trigger for that name.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP TABLE IF EXISTS bench.issue_orders, bench.b5_plain, bench.b5_trig, bench.current_policy;
DROP SEQUENCE IF EXISTS bench.issue_seq;
DROP PROCEDURE IF EXISTS bench.issue_prepare(text);

CREATE TABLE bench.issue_orders AS SELECT * FROM bench.orders WHERE order_id <= :rows ORDER BY order_id;
ALTER TABLE bench.issue_orders ADD PRIMARY KEY (order_id);
VACUUM (FREEZE, ANALYZE) bench.issue_orders;
CREATE TABLE bench.b5_plain (LIKE bench.orders);
ALTER TABLE bench.b5_plain ADD PRIMARY KEY (order_id);
CREATE TABLE bench.b5_trig (LIKE bench.orders);
ALTER TABLE bench.b5_trig ADD PRIMARY KEY (order_id);
CREATE TABLE bench.current_policy (name text, version integer, rules compensation.ruleset);
CREATE SEQUENCE bench.issue_seq;

SELECT compensation.define_incident('bench', 'benchmark runs (bench/run.sh)')
WHERE NOT EXISTS (SELECT FROM compensation.incident WHERE name = 'bench');

-- B6's floor: what a first issuance must write besides the baseline's
-- ledger lines, written with nothing else: one issuance state row per
-- subject paid and one outbox row per line, each one plain INSERT ... SELECT
-- from rows staged beforehand (bench.issue_floor_stage(), untimed).  No
-- reads of the state, no locks, no checks, no batches; the state's hash is
-- a stand-in of the same size, and the outbox rows take fresh line ids.
-- The baseline plus these two is what any issuance that keeps the state
-- and the outbox as rows pays in plain SQL (docs/ledger.md says what each
-- is for).
CREATE TABLE bench.floor_state (subject text, version integer, lines integer);
CREATE TABLE bench.floor_outbox (ledger_id bigint);

CREATE PROCEDURE bench.issue_floor_stage()
LANGUAGE sql
AS $$
	TRUNCATE bench.floor_state, bench.floor_outbox;
	INSERT INTO bench.floor_state
	SELECT o.order_id::text, p.version, count(*)
	FROM (SELECT * FROM bench.current_policy LIMIT 1) p CROSS JOIN bench.issue_orders o,
		compensation.lines(compensation.evaluate(p.rules, o)) l
	GROUP BY 1, 2;
	INSERT INTO bench.floor_outbox
	SELECT nextval('compensation.ledger_id_seq') FROM bench.floor_state s, generate_series(1, s.lines);
	ANALYZE bench.floor_state, bench.floor_outbox;
$$;

CREATE PROCEDURE bench.issue_floor_state()
LANGUAGE sql
AS $$
	INSERT INTO compensation.issuance (policy, source, subject, version, award_hash, open_lines, issued_at)
	SELECT p.name, 'bench.issue_orders', s.subject, s.version, sha256(convert_to(s.subject, 'UTF8')), s.lines, now()
	FROM (SELECT name FROM bench.current_policy LIMIT 1) p CROSS JOIN bench.floor_state s
	ORDER BY s.subject COLLATE "C";
$$;

CREATE PROCEDURE bench.issue_floor_outbox()
LANGUAGE sql
AS $$
	INSERT INTO compensation.outbox (ledger_id) SELECT ledger_id FROM bench.floor_outbox ORDER BY 1;
$$;

CREATE PROCEDURE bench.issue_prepare(variant text)
LANGUAGE plpgsql
AS $$
DECLARE
	v_name text;
BEGIN
	TRUNCATE bench.b5_plain, bench.b5_trig, bench.current_policy;
	DROP TRIGGER IF EXISTS issue ON bench.b5_trig;
	IF variant = 'b5-plain' THEN
		RETURN;
	END IF;
	v_name := variant || '-' || nextval('bench.issue_seq');
	PERFORM compensation.define_policy(
		replace(source, 'policy "yes24-round1"', format('policy "%s"', v_name)), 'bench')
	FROM bench.policies WHERE name = 'yes24-round1';
	PERFORM compensation.publish(v_name);
	INSERT INTO bench.current_policy VALUES (v_name, 1, compensation.rules(v_name, 1));
	IF variant IN ('b8-v2', 'b10-rerun') THEN
		-- Version 1 issued (untimed); B10 times issue_all again with
		-- nothing owed, B8 times it for version 2: the ticket refund at
		-- 130% instead of 120%, which changes a fraction of the subjects
		-- (bench/issue.sh prints how many).
		PERFORM compensation.issue_table(v_name, 'bench.issue_orders', 'order_id');
		IF variant = 'b8-v2' THEN
			PERFORM compensation.define_policy(replace(p.source, 'param ticket_rate = 120%',
				'param ticket_rate = 130%'), 'bench')
			FROM compensation.policy p WHERE p.name = v_name AND p.version = 1;
			PERFORM compensation.publish(v_name);
			UPDATE bench.current_policy SET version = 2, rules = compensation.rules(v_name, 2);
		END IF;
	END IF;
	IF variant = 'b5-trigger' THEN
		EXECUTE format('CREATE TRIGGER issue AFTER INSERT OR UPDATE ON bench.b5_trig FOR EACH ROW
			EXECUTE FUNCTION compensation.issue_trigger(%L, %L)', v_name, 'order_id');
	ELSIF variant = 'b5-statement' THEN
		EXECUTE format('CREATE TRIGGER issue AFTER INSERT ON bench.b5_trig
			REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
			EXECUTE FUNCTION compensation.issue_trigger(%L, %L)', v_name, 'order_id');
	END IF;
END
$$;
COMMENT ON PROCEDURE bench.issue_prepare(text) IS
	'B5/B6: empties the B5 tables, and for an issuing variant publishes round 1 under a new name (and attaches the trigger)';
