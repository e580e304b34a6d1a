# test/citus/issuance_test.sh: issuance on Citus, against one node.
#
# Sourced by cluster_test.sh once the read side is checked (it uses its
# psql_node, step, say, warn, FAILS, TMP, PORTS and ROOT).  The one-node
# reference is a database of its own on the coordinator, yes24_one, with
# the same data and policies and no Citus.  Both pay round 1 (issue_all),
# pay it again (nothing owed), then version 2 (ticket refunds at 130%):
# on Citus the run is killed (kill -9 of its backend: the coordinator
# restarts) and resumed.  After each step the two ledgers must hold the
# same lines and the two issuance states the same rows.

ONE_CONN="host=$TMP port=${PORTS[0]} dbname=yes24_one user=postgres"
STEP_VARS=(-v one="$ONE_CONN")

psql_node 0 -d postgres -c 'CREATE DATABASE yes24_one' >/dev/null || die "CREATE DATABASE yes24_one failed"
STEP_DB=yes24_one step one_setup "one node: yes24_one (no Citus), data and round 1" <<SQL || exit 1
SET client_min_messages = warning;
CREATE EXTENSION compensation;
\\i '$ROOT/examples/yes24/yes24_data.sql'
SELECT compensation.define_incident('yes24-ransomware-2025-06', 'YES24 outage');
SELECT compensation.define_policy(:'round1', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round1');
SQL

# compare LABEL: the two ledgers and the two states, line for line.
compare() {
	step "cmp_$1" "check: $1: ledger and state equal one node's" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TEMP TABLE got AS
	SELECT subject, version, rule, kind, instrument, amount, currency, days, new_date,
		window_kind, window_from, window_until, note, bearer, reverses IS NOT NULL AS reversal
	FROM compensation.ledger;
CREATE TEMP TABLE want AS SELECT * FROM dblink(:'one',
	$$SELECT subject, version, rule, kind, instrument, amount, currency, days, new_date,
		window_kind, window_from, window_until, note, bearer, reverses IS NOT NULL
	  FROM compensation.ledger$$)
	AS t(subject text, version integer, rule text, kind text, instrument text, amount bigint,
		currency text, days integer, new_date timestamptz, window_kind text,
		window_from timestamptz, window_until timestamptz, note text, bearer text,
		reversal boolean);
CREATE TEMP TABLE got_state AS
	SELECT subject, version, award_hash, open_lines, revoked_at IS NOT NULL AS revoked
	FROM compensation.issuance;
CREATE TEMP TABLE want_state AS SELECT * FROM dblink(:'one',
	$$SELECT subject, version, award_hash, open_lines, revoked_at IS NOT NULL FROM compensation.issuance$$)
	AS t(subject text, version integer, award_hash bytea, open_lines integer, revoked boolean);
-- every reversal reverses a line of its own subject, at most once
CREATE TEMP TABLE pairs AS
	SELECT count(*) AS reversals,
		count(*) FILTER (WHERE l.id IS NULL OR l.amount IS DISTINCT FROM -r.amount) AS bad
	FROM compensation.ledger r LEFT JOIN compensation.ledger l
		ON l.subject = r.subject AND l.id = r.reverses
	WHERE r.reverses IS NOT NULL;
SELECT expect('ledger lines equal one node''s',
	NOT EXISTS (SELECT * FROM got EXCEPT ALL SELECT * FROM want)
	AND NOT EXISTS (SELECT * FROM want EXCEPT ALL SELECT * FROM got),
	format('%s lines, net %s', (SELECT count(*) FROM got), (SELECT sum(amount) FROM got)));
SELECT expect('issuance state equals one node''s',
	NOT EXISTS (SELECT * FROM got_state EXCEPT ALL SELECT * FROM want_state)
	AND NOT EXISTS (SELECT * FROM want_state EXCEPT ALL SELECT * FROM got_state),
	format('%s subjects', (SELECT count(*) FROM got_state)));
SELECT expect('every reversal reverses a line of its subject',
	(SELECT bad FROM pairs) = 0, format('%s reversals', (SELECT reversals FROM pairs)));
SQL
}

# lines_of_last_run DB: lines written by the last issue_all run in DB.
lines_of_last_run() {
	psql_node 0 -d "$1" -Atc 'SELECT lines_written FROM compensation.issue_run ORDER BY id DESC LIMIT 1'
}

STEP_DB=yes24_one step one_v1 "issue_all round 1 over orders, one node" <<'SQL' || exit 1
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SQL

step set_up "compensation.distribute(): catalog by reference, ledger and state by subject" <<'SQL' || exit 1
SET client_min_messages = warning;
SELECT compensation.distribute();
SELECT expect('distribute(): the catalog is reference tables, the state and the ledger hash-distributed by subject, co-located',
	(SELECT string_agg(format('%s:%s', logicalrelid::regclass, partmethod), ' ' ORDER BY logicalrelid::regclass::text)
	 FROM pg_dist_partition WHERE logicalrelid::regclass::text LIKE 'compensation.%')
	= 'compensation.incident:n compensation.issuance:h compensation.ledger:h compensation.policy:n compensation.source:n compensation.source_key:n'
	AND (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'compensation.ledger'::regclass)
	  = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'compensation.issuance'::regclass)
	AND (SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition
	     WHERE logicalrelid = 'compensation.ledger'::regclass) = 'subject');
-- again: nothing to do
SELECT compensation.distribute();
-- a policy written inline now reaches the workers
SELECT expect('evaluate(compensation.rules(''yes24-round1''), o) inline: equals one node',
	(SELECT compensation.sum(compensation.evaluate(compensation.rules('yes24-round1'), o))::text FROM orders o)
	= (SELECT compensation.sum(award)::text FROM order_awards_local));
SQL

# Round 1 on Citus, counting where evaluate() runs (track_functions; an
# idle backend reports its counts within PGSTAT_IDLE_INTERVAL, 10 s, so the
# count is read until it is complete).
for i in 0 1 2; do psql_node "$i" -d yes24 -Atc 'SELECT pg_stat_reset()' >/dev/null; done
step citus_v1 "issue_all round 1 over orders, Citus" <<'SQL' || exit 1
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SQL
ROWS=$(psql_node 0 -d yes24 -Atc 'SELECT count(*) FROM orders')
declare -A ICALLS
for _ in $(seq 1 30); do
	for i in 0 1 2; do
		ICALLS[$i]=$(psql_node "$i" -d yes24 -Atc "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
			WHERE schemaname = 'compensation' AND funcname = '_evaluate_columns'")
	done
	[ $(( ${ICALLS[1]} + ${ICALLS[2]} )) -ge "$ROWS" ] && break
	sleep 0.5
done
if [ "${ICALLS[0]}" = 0 ] && [ $(( ${ICALLS[1]} + ${ICALLS[2]} )) = "$ROWS" ] && [ "${ICALLS[1]}" -gt 0 ] && [ "${ICALLS[2]}" -gt 0 ]; then
	say "ok: issue_all evaluated its $ROWS rows on the workers (${ICALLS[1]} + ${ICALLS[2]}), none on the coordinator"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: issue_all evaluation calls: coordinator ${ICALLS[0]}, workers ${ICALLS[1]} + ${ICALLS[2]}, rows $ROWS"
fi
compare v1

STEP_DB=yes24_one step one_rerun "issue_all round 1 again (nothing owed), one node" <<'SQL' || exit 1
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SQL
step citus_rerun "issue_all round 1 again (nothing owed), Citus" <<'SQL' || exit 1
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SQL
if [ "$(lines_of_last_run yes24)" = 0 ] && [ "$(lines_of_last_run yes24_one)" = 0 ]; then
	say "ok: the re-run wrote nothing, on one node and on Citus"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: the re-run wrote $(lines_of_last_run yes24) lines on Citus, $(lines_of_last_run yes24_one) on one node"
fi

# Version 2: ticket refunds at 130% (round 1's parameter ticket_rate).
V2="SET client_min_messages = warning;
SELECT compensation.define_policy(replace(source, 'param ticket_rate = 120%', 'param ticket_rate = 130%'), incident)
FROM compensation.policy WHERE name = 'yes24-round1' AND version = 1;
SELECT compensation.publish('yes24-round1', 2, 'tickets at 130%');"
STEP_DB=yes24_one step one_v2 "issue_all round 1 version 2, one node" <<SQL || exit 1
$V2
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SQL
psql_node 0 -d yes24 -c "$V2" >/dev/null || { FAILS=$((FAILS + 1)); warn "FAILED: publishing version 2 on Citus"; }

# The crash: the run in batches of 2,000, its backend killed (kill -9)
# once some batches are committed; the coordinator restarts.
t0=$(date +%s%N)
psql_node 0 -d yes24 -c 'SET client_min_messages = warning' \
	-c "CALL compensation.issue_all('yes24-round1', 'orders', 'order_id', 2000)" >/dev/null 2>&1 &
RUN_PSQL=$!
PID=
for _ in $(seq 1 600); do
	PID=$(psql_node 0 -d yes24 -Atc "SELECT a.pid FROM pg_stat_activity a, compensation.issue_run r
		WHERE a.query LIKE 'CALL compensation.issue_all%' AND r.version = 2 AND r.status = 'running'
		AND r.rows_done >= 20000 LIMIT 1" 2>/dev/null)
	[ -n "$PID" ] && break
	sleep 0.1
done
if [ -n "$PID" ]; then
	kill -9 "$PID"
	wait "$RUN_PSQL" 2>/dev/null
	for _ in $(seq 1 100); do psql_node 0 -d yes24 -Atc 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
	CRASH=$(psql_node 0 -d yes24 -Atc "SELECT format('%s of %s rows', rows_done, rows_total) FROM compensation.issue_run
		WHERE version = 2 AND status = 'running'")
	say "killed the run's backend (pid $PID) after ${CRASH:-?}; the coordinator restarted"
else
	wait "$RUN_PSQL"
	FAILS=$((FAILS + 1))
	warn "FAILED: could not catch version 2's run mid-way to kill it"
fi
step citus_v2 "issue_all round 1 version 2, resumed after the crash, Citus" <<'SQL' || exit 1
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SELECT expect('the run resumed and finished',
	(SELECT status = 'done' AND resumes = 1 FROM compensation.issue_run WHERE version = 2 ORDER BY id DESC LIMIT 1),
	(SELECT format('%s rows, %s lines, %s resume', rows_done, lines_written, resumes)
	 FROM compensation.issue_run WHERE version = 2 ORDER BY id DESC LIMIT 1));
SQL
MS[citus_v2]=$(( ($(date +%s%N) - t0) / 1000000 ))
compare v2

# An application's issue() on the coordinator, with the row it holds (here
# read first with \gset).  A query that reads the row from the distributed
# table in the same statement, such as FROM orders o, issue(..., o), is a
# query Citus sends to a worker: there issue() refuses to run (the last
# check below).
# (a copy of a paid ticket order, under a new key)
NEW_ORDER="INSERT INTO orders SELECT (jsonb_populate_record(NULL::orders, to_jsonb(o) || '{\"order_id\": 900000001}')).*
FROM orders o WHERE o.order_id = (SELECT min(l.subject::bigint) FROM compensation.ledger l WHERE l.rule = 'R1-ticket');"
STEP_DB=yes24_one step one_app "issue() of a new order, one node" <<SQL || exit 1
SET client_min_messages = warning;
$NEW_ORDER
SELECT o AS new_order FROM orders o WHERE o.order_id = 900000001 \gset
SELECT count(*) FROM compensation.issue('yes24-round1', '900000001', :'new_order'::orders);
SQL
step app "check: issue() from the application on Citus" <<SQL
SET client_min_messages = warning;
SELECT o AS paid_order FROM orders o WHERE o.order_id = (SELECT min(subject)::bigint FROM compensation.ledger) \gset
SELECT expect('issue() of a subject issue_all paid writes nothing',
	(SELECT count(*) FROM compensation.issue('yes24-round1', (:'paid_order'::orders).order_id::text, :'paid_order'::orders)) = 0);
$NEW_ORDER
SELECT o AS new_order FROM orders o WHERE o.order_id = 900000001 \gset
SELECT expect('issue() of a new order pays it',
	(SELECT count(*) FROM compensation.issue('yes24-round1', '900000001', :'new_order'::orders)) > 0);
SELECT expect('issue() of it again writes nothing',
	(SELECT count(*) FROM compensation.issue('yes24-round1', '900000001', :'new_order'::orders)) = 0);
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id');
SELECT expect('issue_all after it writes nothing',
	(SELECT lines_written FROM compensation.issue_run ORDER BY id DESC LIMIT 1) = 0);
SQL
compare app

# What stays refused on Citus: changing a line (the append-only trigger
# runs on the shards), an issuer writing the ledger (privileges), and an
# issuing trigger on a distributed table.
step refuse "check: append-only, roles, attach on Citus" <<'SQL'
SET client_min_messages = warning;
SET citus.enable_ddl_propagation = off;
CREATE FUNCTION public.refused(label text, stmt text, state text)
RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
	BEGIN
		EXECUTE stmt;
	EXCEPTION WHEN others THEN
		RETURN expect(label, SQLSTATE = state, SQLSTATE || ': ' || SQLERRM);
	END;
	RETURN expect(label, false, 'no error');
END $f$;
RESET citus.enable_ddl_propagation;
SELECT refused('UPDATE of a ledger line', $$UPDATE compensation.ledger SET amount = 0 WHERE subject = '900000001'$$, '55000');
-- (read first: a query on one shard, with expect() in it, would go whole to the worker)
CREATE TEMP TABLE new_lines AS SELECT count(*) AS n FROM compensation.ledger WHERE subject = '900000001';
SELECT expect('(order 900000001 has lines)', (SELECT n FROM new_lines) > 0);
SELECT refused('DELETE of a ledger line', $$DELETE FROM compensation.ledger WHERE subject = '900000001'$$, '55000');
SELECT refused('an issuer''s INSERT into the ledger',
	$$SET LOCAL ROLE compensation_issuer; INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, issued_at, issued_by) VALUES ('yes24-round1', 1, 'public.orders', 'x', '1', 'grant', now(), session_user)$$, '42501');
SELECT refused('attach() to a distributed table',
	$$SELECT compensation.attach('yes24-round1', 'orders', 'order_id')$$, '0A000');
SELECT refused('issue() sent to a worker with the row''s shard query',
	$$SELECT count(*) FROM orders o, compensation.issue('yes24-round1', o.order_id::text, o) WHERE o.order_id = 900000001$$, '0A000');
SELECT refused('issue_all per member on Citus',
	$$CALL compensation.issue_all('yes24-round1', 'orders', 'order_id', per => 'member_id')$$, '0A000');
SELECT refused('a batch that names one subject twice',
	$$SELECT compensation._issue_batch('yes24-round1', compensation.current_version('yes24-round1'),
		'public.orders', ARRAY['900000001', '900000001'],
		ARRAY(SELECT o FROM orders o ORDER BY o.order_id LIMIT 2), false)$$, '22023');
SQL

# An application's login role, a member of compensation_issuer (Citus
# creates it on the workers too), runs issue_all: nothing owed, nothing
# written, and it still cannot write the ledger itself.
step issuer "check: issue_all as a member of compensation_issuer" <<'SQL'
SET client_min_messages = warning;
CREATE ROLE compensation_app LOGIN IN ROLE compensation_issuer;
GRANT SELECT ON orders TO compensation_app;
SET ROLE compensation_app;
CALL compensation.issue_all('yes24-round1', 'orders', 'order_id', 50000);
RESET ROLE;
SELECT expect('issue_all as the application''s role writes nothing owed twice',
	(SELECT lines_written = 0 AND status = 'done' AND rows_done = rows_total
	 FROM compensation.issue_run ORDER BY id DESC LIMIT 1),
	(SELECT format('run %s: %s rows, %s lines', id, rows_done, lines_written)
	 FROM compensation.issue_run ORDER BY id DESC LIMIT 1));
SELECT refused('the application''s role writing a ledger line',
	$$SET LOCAL ROLE compensation_app; INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, issued_at, issued_by) VALUES ('yes24-round1', 1, 'public.orders', 'x', '1', 'grant', now(), session_user)$$, '42501');
SQL

# A date key under a DateStyle whose output does not read back ('Postgres,
# YMD' prints 12-31-2025 and reads it as year 12): each batch's last key
# travels as its canonical text (subject_key), so every row is paid once.
step datestyle "check: issue_all over a date key under DateStyle Postgres, YMD" <<'SQL'
SET client_min_messages = warning;
CREATE TABLE public.dated (k date PRIMARY KEY, price bigint NOT NULL);
SELECT create_distributed_table('public.dated', 'k');
INSERT INTO public.dated SELECT date '2025-12-01' + g, g * 1000 FROM generate_series(1, 40) g;
SELECT compensation.define_policy($p$
policy "citus-dated"
currency KRW
rule "refund"
  when price > 0
  credit deposit price * 10% round floor
end
$p$);
SELECT compensation.publish('citus-dated');
SET DateStyle = 'Postgres, YMD';
CALL compensation.issue_all('citus-dated', 'public.dated', 'k', 7);
RESET DateStyle;
SELECT expect('issue_all over a date key under DateStyle Postgres, YMD pays each of 40 rows once',
	(SELECT count(*) = 40 AND count(DISTINCT subject) = 40 AND sum(amount) = 82000
	 FROM compensation.ledger WHERE policy = 'citus-dated'),
	(SELECT format('%s lines, %s subjects, %s KRW', count(*), count(DISTINCT subject), sum(amount))
	 FROM compensation.ledger WHERE policy = 'citus-dated'));
SQL
