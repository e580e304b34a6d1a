#!/usr/bin/env bash
# test/citus/cluster_test.sh SRC: the three-node part of test/citus/run.sh.
#
# Do not run it directly: run.sh builds Citus into SRC and calls this as
# root with the install lock held.  It installs Citus and compensation,
# starts a coordinator and two workers, loads the data and runs the steps
# below, timing each.  Exit status 0 only if every
# assertion held.
set -uo pipefail

SRC=$1
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"

[ "$(id -u)" -eq 0 ] || die "run through test/citus/run.sh (as root)"
[ "${COMPENSATION_INSTALL_LOCK_HELD:-}" = 1 ] || die "run through test/citus/run.sh (install lock)"

TMP=
cleanup() {
	local n
	[ -n "$TMP" ] && [ -d "$TMP" ] || return 0
	if [ "${COMPENSATION_CITUS_KEEP:-}" = 1 ]; then
		say "COMPENSATION_CITUS_KEEP=1: the nodes keep running in $TMP"
		say "  psql -h $TMP -p ${PORTS[0]} -U postgres yes24    (coordinator)"
		say "  stop: for n in coord w1 w2; do runuser -u postgres -- $PG_BIN/pg_ctl -D $TMP/\$n stop; done"
		return 0
	fi
	for n in coord w1 w2; do
		if [ -f "$TMP/$n/postmaster.pid" ]; then
			as_postgres "$PG_BIN/pg_ctl" -D "$TMP/$n" -m immediate -w stop >/dev/null 2>&1
		fi
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

###########################################################################
# Install Citus (its own files, independent of ours) and compensation from
# this checkout.  The caller holds /tmp/compensation-install.lock.
###########################################################################
say "installing Citus from $SRC into $("$PG_CONFIG_BIN" --pkglibdir)"
make -s -C "$SRC" with_llvm=no install >"$(dirname "$SRC")/install.log" 2>&1 || {
	tail -20 "$(dirname "$SRC")/install.log" >&2
	die "make install of Citus failed"
}
# COMPENSATION_NO_INSTALL=1 (for developing this script): test the
# compensation already installed.
if [ "${COMPENSATION_NO_INSTALL:-}" = 1 ]; then
	say "COMPENSATION_NO_INSTALL=1: testing the compensation already installed"
else
	say "building and installing compensation from $ROOT"
	{ make -s PG_CONFIG="$PG_CONFIG_BIN" PG_CFLAGS="$CI_CFLAGS" &&
		make -s PG_CONFIG="$PG_CONFIG_BIN" install; } >/dev/null || die "building compensation failed"
fi

###########################################################################
# Three nodes: TCP on 127.0.0.1 (Citus connects to the workers that way)
# and a Unix socket each in $TMP (for psql).
###########################################################################
# free_port FROM: the first port >= FROM nobody listens on (TCP or socket).
free_port() {
	local p=$1
	while [ -n "$(ss -Hltn "( sport = :$p )" 2>/dev/null)" ] ||
		[ -e "/tmp/.s.PGSQL.$p" ] || [ -e "/var/run/postgresql/.s.PGSQL.$p" ] ||
		[[ " ${PORTS[*]:-} " == *" $p "* ]]; do
		p=$((p + 1))
	done
	echo "$p"
}
PORTS=()
p=${COMPENSATION_CITUS_PORT:-57640}
for n in coord w1 w2; do
	p=$(free_port "$p")
	PORTS+=("$p")
	p=$((p + 1))
done
NODES=(coord w1 w2)

TMP=$(mktemp -d /tmp/compensation-citus.XXXXXX)
chown postgres:postgres "$TMP"
chmod 0700 "$TMP"
say "nodes in $TMP: coordinator 127.0.0.1:${PORTS[0]}, workers 127.0.0.1:${PORTS[1]} and :${PORTS[2]}"
t0=$(date +%s%N)
for i in 0 1 2; do
	n=${NODES[$i]}
	as_postgres "$PG_BIN/initdb" -D "$TMP/$n" -U postgres --auth=trust --no-locale -E UTF8 \
		>"$TMP/initdb-$n.log" 2>&1 || { cat "$TMP/initdb-$n.log" >&2; die "initdb $n failed"; }
	cat >>"$TMP/$n/postgresql.conf" <<EOF
# test/citus/cluster_test.sh
listen_addresses = '127.0.0.1'
port = ${PORTS[$i]}
unix_socket_directories = '$TMP'
shared_preload_libraries = 'citus'
max_prepared_transactions = 50
max_connections = 100
track_functions = all
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
citus.node_conninfo = 'sslmode=disable'
EOF
done
for n in "${NODES[@]}"; do
	as_postgres "$PG_BIN/pg_ctl" -D "$TMP/$n" -l "$TMP/$n.log" -w -t 60 start >/dev/null || {
		cat "$TMP/$n.log" >&2
		die "node $n did not start"
	}
done
say "three nodes started in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# psql_node I ARGS...: psql on node I (0 coordinator, 1-2 workers), db yes24.
psql_node() {
	local i=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "${PORTS[$i]}" -U postgres "$@"
}


###########################################################################
# The steps.  Each runs SQL on one node, timed; the SQL asserts with
# public.expect(label, ok, detail), which raises on a mismatch.
###########################################################################
COORD_PORT=${PORTS[0]} W1_PORT=${PORTS[1]} W2_PORT=${PORTS[2]}
. "$ROOT/test/multinode_step.sh"

for i in 0 1 2; do
	psql_node "$i" -d postgres -c 'CREATE DATABASE yes24' || die "CREATE DATABASE on node $i failed"
	psql_node "$i" -d yes24 -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION citus' ||
		die "CREATE EXTENSION citus on node $i failed"
done

step setup "set-up: nodes, extensions (citus, compensation)" <<SQL || exit 1
SET client_min_messages = warning;
SELECT citus_set_coordinator_host('127.0.0.1', $COORD_PORT);
SELECT 1 FROM citus_add_node('127.0.0.1', $W1_PORT);
SELECT 1 FROM citus_add_node('127.0.0.1', $W2_PORT);
-- propagated by Citus to both workers; 0.1.0 first, updated below on the
-- live fleet (step update)
CREATE EXTENSION compensation VERSION '0.1.0';
-- the assertion helper stays on the coordinator
SET citus.enable_ddl_propagation = off;
CREATE FUNCTION public.expect(label text, ok boolean, detail text DEFAULT '')
RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'MISMATCH: %', label USING DETAIL = detail;
	END IF;
	RAISE INFO 'ok: %', label || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END;
	RETURN 'ok';
END \$\$;
RESET citus.enable_ddl_propagation;
SELECT expect('compensation on every node',
	(SELECT count(*) FROM run_command_on_workers(
		\$\$SELECT extversion FROM pg_extension WHERE extname = 'compensation'\$\$)
	 WHERE success AND result = (SELECT extversion FROM pg_extension WHERE extname = 'compensation')) = 2,
	'version ' || (SELECT extversion FROM pg_extension WHERE extname = 'compensation'));
SQL

# \i, not the file on stdin: it includes generator.sql relative to itself.
step load "load examples/yes24/yes24_data.sql (coordinator, local)" <<<"\\i '$ROOT/examples/yes24/yes24_data.sql'" || exit 1

step distribute "distribute orders, members (32 shards each), policies (reference)" <<'SQL' || exit 1
SET client_min_messages = warning;
-- the one-node reference: plain tables on the coordinator
CREATE TABLE orders_local AS TABLE orders;
ALTER TABLE orders_local ADD PRIMARY KEY (order_id);
CREATE TABLE members_local AS TABLE members;
ALTER TABLE members_local ADD PRIMARY KEY (member_id);
CREATE TABLE policies_local (name text PRIMARY KEY, rules compensation.ruleset NOT NULL);
INSERT INTO policies_local SELECT compensation.policy_name(r), r
FROM (VALUES (:'round1'::compensation.ruleset), (:'round2'::compensation.ruleset)) v(r);
CREATE TABLE policies (LIKE policies_local INCLUDING ALL);
INSERT INTO policies SELECT * FROM policies_local;
-- the same orders with a dropped column first: on the coordinator order_id
-- is attribute 2, in the worker shards (created fresh) attribute 1
CREATE TABLE orders_dropped (junk text, LIKE orders);
INSERT INTO orders_dropped SELECT 'x', o.* FROM orders o;
ALTER TABLE orders_dropped DROP COLUMN junk;
ALTER TABLE orders_dropped ADD PRIMARY KEY (order_id);

SET citus.shard_count = 32;
SELECT create_distributed_table('orders', 'order_id');
SELECT create_distributed_table('members', 'member_id');
SELECT create_distributed_table('orders_dropped', 'order_id', colocate_with => 'orders');
SELECT create_reference_table('policies');
CREATE TABLE order_awards (order_id bigint PRIMARY KEY, award compensation.award NOT NULL);
SELECT create_distributed_table('order_awards', 'order_id', colocate_with => 'orders');
CREATE TABLE member_awards (member_id bigint PRIMARY KEY, award compensation.award NOT NULL);
SELECT create_distributed_table('member_awards', 'member_id', colocate_with => 'members');
-- create_distributed_table copied the rows into the shards; drop the
-- coordinator's leftover local copy
SELECT truncate_local_data_after_distributing_table(t)
FROM unnest('{orders,members,orders_dropped}'::regclass[]) t;

-- the policies as versioned, published data too (simulate reads them)
SELECT compensation.define_incident('yes24-ransomware-2025-06', 'YES24 outage');
SELECT compensation.define_policy(:'round1', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round1');
SELECT compensation.define_policy(:'round2', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round2');
ANALYZE;

SELECT expect('orders and members distributed, rows equal to the local copies',
	(SELECT count(*) FROM orders) = (SELECT count(*) FROM orders_local)
	AND (SELECT count(*) FROM members) = (SELECT count(*) FROM members_local)
	AND (SELECT count(*) FROM orders_dropped) = (SELECT count(*) FROM orders_local)
	AND (SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'orders'::regclass) = 32,
	format('%s orders, %s members, %s nodes with shards',
		(SELECT count(*) FROM orders), (SELECT count(*) FROM members),
		(SELECT count(DISTINCT nodeport) FROM citus_shards)));
SELECT expect('the dropped column shifts attribute numbers on the coordinator only',
	(SELECT attnum FROM pg_attribute WHERE attrelid = 'orders_dropped'::regclass AND attname = 'order_id') = 2
	AND (SELECT bool_and(result = '1') FROM run_command_on_shards('orders_dropped',
		$$SELECT attnum FROM pg_attribute WHERE attrelid = '%s'::regclass AND attname = 'order_id'$$)),
	'order_id: attribute 2 on the coordinator, 1 in every shard');
SQL

# The update on a live fleet: the policies above were defined under 0.1.0;
# ALTER EXTENSION on the coordinator, which Citus runs on the workers too.
step update "ALTER EXTENSION compensation UPDATE from 0.1.0, coordinator and workers" <<'SQL' || exit 1
SET client_min_messages = warning;
ALTER EXTENSION compensation UPDATE;
SELECT expect('every node at the default version',
	(SELECT extversion FROM pg_extension WHERE extname = 'compensation')
	  = (SELECT default_version FROM pg_available_extensions WHERE name = 'compensation')
	AND (SELECT count(*) FROM run_command_on_workers(
		$$SELECT extversion FROM pg_extension WHERE extname = 'compensation'$$)
	 WHERE success AND result = (SELECT extversion FROM pg_extension WHERE extname = 'compensation')) = 2,
	(SELECT extversion FROM pg_extension WHERE extname = 'compensation'));
SELECT expect('the policies published under 0.1.0 read and evaluate',
	(SELECT count(*) FROM compensation.policy WHERE status = 'published') = 2
	AND (SELECT compensation.sum(compensation.evaluate(compensation.rules('yes24-round1'), o)) IS NOT NULL
	     FROM orders_local o));
SQL

# Evaluate and store, one node and Citus (INSERT ... SELECT pushed down into
# the co-located award tables: evaluation on the workers, nothing through
# the coordinator).
step eval_local "evaluate+store round 1 over orders, one node" <<'SQL' || exit 1
CREATE TABLE order_awards_local AS
SELECT o.order_id, compensation.evaluate(p.rules, o) AS award
FROM orders_local o, policies_local p WHERE p.name = 'yes24-round1';
SQL
step eval_citus "evaluate+store round 1 over orders, Citus" <<'SQL' || exit 1
INSERT INTO order_awards
SELECT o.order_id, compensation.evaluate(p.rules, o)
FROM orders o, policies p WHERE p.name = 'yes24-round1';
SQL
step eval2_local "evaluate+store round 2 over members, one node" <<'SQL' || exit 1
CREATE TABLE member_awards_local AS
SELECT m.member_id, compensation.evaluate(p.rules, m) AS award
FROM members_local m, policies_local p WHERE p.name = 'yes24-round2';
SQL
step eval2_citus "evaluate+store round 2 over members, Citus" <<'SQL' || exit 1
INSERT INTO member_awards
SELECT m.member_id, compensation.evaluate(p.rules, m)
FROM members m, policies p WHERE p.name = 'yes24-round2';
SQL

step eval_check "check: every award identical (binary form)" <<'SQL'
-- bring the workers' awards to the coordinator and compare their binary form
CREATE TABLE order_awards_back AS SELECT order_id, award FROM order_awards;
CREATE TABLE member_awards_back AS SELECT member_id, award FROM member_awards;
SELECT count(*) AS n,
	count(*) FILTER (WHERE compensation.award_send(b.award) IS DISTINCT FROM compensation.award_send(l.award)) AS diff,
	count(*) FILTER (WHERE NOT compensation.is_empty(l.award)) AS awarded
FROM order_awards_back b FULL JOIN order_awards_local l USING (order_id) \gset o_
SELECT count(*) AS n,
	count(*) FILTER (WHERE compensation.award_send(b.award) IS DISTINCT FROM compensation.award_send(l.award)) AS diff,
	count(*) FILTER (WHERE NOT compensation.is_empty(l.award)) AS awarded
FROM member_awards_back b FULL JOIN member_awards_local l USING (member_id) \gset m_
SELECT expect('evaluate round 1: every order''s award identical to one node',
	:o_diff = 0 AND :o_n = (SELECT count(*) FROM orders_local),
	format('%s orders, %s awarded, %s differ', :o_n, :o_awarded, :o_diff));
SELECT expect('evaluate round 2: every member''s award identical to one node',
	:m_diff = 0 AND :m_n = (SELECT count(*) FROM members_local),
	format('%s members, %s awarded, %s differ', :m_n, :m_awarded, :m_diff));
SQL

step dropped "check: a distributed table with a dropped column" <<'SQL'
CREATE TABLE dropped_back AS
SELECT o.order_id, compensation.evaluate(p.rules, o) AS award
FROM orders_dropped o, policies p WHERE p.name = 'yes24-round1';
SELECT count(*) AS n,
	count(*) FILTER (WHERE compensation.award_send(b.award) IS DISTINCT FROM compensation.award_send(l.award)) AS diff
FROM dropped_back b FULL JOIN order_awards_local l USING (order_id) \gset
SELECT expect('evaluate over a table with a dropped column: every award identical',
	:diff = 0 AND :n = (SELECT count(*) FROM orders_local),
	format('%s orders, %s differ', :n, :diff));
SELECT compensation.sum(compensation.evaluate(p.rules, o))::text AS dist
FROM orders_dropped o, policies p WHERE p.name = 'yes24-round1' \gset
SELECT expect('sum over a table with a dropped column',
	:'dist' = (SELECT compensation.sum(award)::text FROM order_awards_local));
SQL

# sum(award): the workers sum their shards, the coordinator sums the sums.
step sum_local "sum(evaluate) round 1 over orders, one node" <<'SQL' || exit 1
CREATE TABLE sum_local AS
SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS s
FROM orders_local o, policies_local p WHERE p.name = 'yes24-round1';
SQL
step sum_citus "sum(evaluate) round 1 over orders, Citus" <<'SQL' || exit 1
CREATE TABLE sum_citus AS
SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS s
FROM orders o, policies p WHERE p.name = 'yes24-round1';
SQL
step sum_check "check: sum, sum by service, sum of members, sum of stored awards" <<'SQL'
SELECT expect('sum(evaluate(...)) over orders equals one node',
	(SELECT s::text FROM sum_citus) = (SELECT s::text FROM sum_local),
	format('%s lines', (SELECT count(*) FROM sum_citus, compensation.lines(s))));
SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service) AS dist
FROM (SELECT o.service, compensation.sum(compensation.evaluate(p.rules, o)) AS s
	FROM orders o, policies p WHERE p.name = 'yes24-round1' GROUP BY o.service) t \gset
SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service) AS local
FROM (SELECT o.service, compensation.sum(compensation.evaluate(p.rules, o)) AS s
	FROM orders_local o, policies_local p WHERE p.name = 'yes24-round1' GROUP BY o.service) t \gset
SELECT expect('sum GROUP BY service (not the distribution column) equals one node', :'dist' = :'local');
SELECT expect('sum(evaluate(...)) over members equals one node',
	(SELECT compensation.sum(compensation.evaluate(p.rules, m))::text
	 FROM members m, policies p WHERE p.name = 'yes24-round2')
	= (SELECT compensation.sum(award)::text FROM member_awards_local));
SELECT expect('sum of the stored awards equals one node',
	(SELECT compensation.sum(award)::text FROM order_awards)
	= (SELECT compensation.sum(award)::text FROM order_awards_local));
SQL

step lines "check: lines() totals per rule, kind, instrument" <<'SQL'
CREATE TABLE lines_dist AS
SELECT l.rule, l.kind, l.instrument, sum(l.amount) AS amount, sum(l.days) AS days,
	sum(l.count) AS lines, count(*) AS n
FROM orders o, policies p, LATERAL compensation.lines(compensation.evaluate(p.rules, o)) l
WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3;
CREATE TABLE lines_local AS
SELECT l.rule, l.kind, l.instrument, sum(l.amount) AS amount, sum(l.days) AS days,
	sum(l.count) AS lines, count(*) AS n
FROM orders_local o, policies_local p, LATERAL compensation.lines(compensation.evaluate(p.rules, o)) l
WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3;
SELECT expect('lines() per rule, kind and instrument equal one node',
	(SELECT count(*) FROM ((TABLE lines_dist EXCEPT TABLE lines_local)
		UNION ALL (TABLE lines_local EXCEPT TABLE lines_dist)) d) = 0
	AND (SELECT count(*) FROM lines_local) > 0,
	format('%s groups, %s lines', (SELECT count(*) FROM lines_local), (SELECT sum(n) FROM lines_local)));
SQL

step explain "check: explain() for every order" <<'SQL'
-- per rule and outcome: rows, and a checksum of every row's detail and award
CREATE TABLE explain_dist AS
SELECT e.rule_no, e.rule, e.matched, e.failed_condition, count(*) AS n,
	sum(hashtext(o.order_id || '|' || coalesce(e.detail, '') || '|' || coalesce(e.award::text, ''))::bigint) AS h
FROM orders o, policies p, LATERAL compensation.explain(p.rules, o) e
WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3, 4;
CREATE TABLE explain_local AS
SELECT e.rule_no, e.rule, e.matched, e.failed_condition, count(*) AS n,
	sum(hashtext(o.order_id || '|' || coalesce(e.detail, '') || '|' || coalesce(e.award::text, ''))::bigint) AS h
FROM orders_local o, policies_local p, LATERAL compensation.explain(p.rules, o) e
WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3, 4;
SELECT expect('explain() of every order equals one node',
	(SELECT count(*) FROM ((TABLE explain_dist EXCEPT TABLE explain_local)
		UNION ALL (TABLE explain_local EXCEPT TABLE explain_dist)) d) = 0,
	format('%s explain rows in %s groups', (SELECT sum(n) FROM explain_local), (SELECT count(*) FROM explain_local)));
-- and the worked examples' explain rows, one by one
SELECT expect('explain() of the worked examples, row by row',
	(SELECT count(*) FROM (
		(SELECT o.order_id, e.rule_no, e.rule, e.matched, e.failed_condition, e.detail,
			compensation.award_send(e.award)
		 FROM orders o, policies p, LATERAL compensation.explain(p.rules, o) e
		 WHERE p.name = 'yes24-round1' AND o.order_id IN (SELECT id FROM worked_examples WHERE tbl = 'orders')
		 EXCEPT
		 SELECT o.order_id, e.rule_no, e.rule, e.matched, e.failed_condition, e.detail,
			compensation.award_send(e.award)
		 FROM orders_local o, policies_local p, LATERAL compensation.explain(p.rules, o) e
		 WHERE p.name = 'yes24-round1' AND o.order_id IN (SELECT id FROM worked_examples WHERE tbl = 'orders'))) d) = 0,
	format('%s worked examples', (SELECT count(*) FROM worked_examples WHERE tbl = 'orders')));
SQL

step sim_local "simulate round 1 over orders, one node" <<'SQL' || exit 1
CREATE TABLE sim_local AS SELECT * FROM compensation.simulate('yes24-round1', 'orders_local');
SQL
step sim_citus "simulate round 1 over orders, Citus" <<'SQL' || exit 1
CREATE TABLE sim_citus AS SELECT * FROM compensation.simulate('yes24-round1', 'orders');
SQL
step sim_check "check: simulate, both rounds" <<'SQL'
SELECT expect('simulate round 1 equals one node',
	(SELECT count(*) FROM ((TABLE sim_citus EXCEPT TABLE sim_local)
		UNION ALL (TABLE sim_local EXCEPT TABLE sim_citus)) d) = 0
	AND (SELECT count(*) FROM sim_local) > 0,
	format('%s rows, %s KRW in deposit credits', (SELECT count(*) FROM sim_local),
		(SELECT sum(amount_major) FROM sim_local WHERE kind = 'credit')));
SELECT expect('simulate round 2 (members) equals one node',
	(SELECT count(*) FROM ((SELECT * FROM compensation.simulate('yes24-round2', 'members')
		EXCEPT SELECT * FROM compensation.simulate('yes24-round2', 'members_local'))
		UNION ALL (SELECT * FROM compensation.simulate('yes24-round2', 'members_local')
		EXCEPT SELECT * FROM compensation.simulate('yes24-round2', 'members'))) d) = 0);
SELECT expect('simulate with a filter equals one node',
	(SELECT count(*) FROM ((SELECT * FROM compensation.simulate('yes24-round1', 'orders', $$service = 'ticket'$$)
		EXCEPT SELECT * FROM compensation.simulate('yes24-round1', 'orders_local', $$service = 'ticket'$$))
		UNION ALL (SELECT * FROM compensation.simulate('yes24-round1', 'orders_local', $$service = 'ticket'$$)
		EXCEPT SELECT * FROM compensation.simulate('yes24-round1', 'orders', $$service = 'ticket'$$))) d) = 0);
SQL

# EXPLAIN: evaluation and the partial sums run on the workers; the
# coordinator only sums one partial sum per shard.
t0=$(date +%s%N)
PLAN=$(psql_node 0 -d yes24 -At <<'SQL' 2>&1
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.sum(compensation.evaluate(p.rules, o))
FROM orders o, policies p WHERE p.name = 'yes24-round1';
SQL
)
ANALYZED=$(psql_node 0 -d yes24 -At <<'SQL' 2>&1
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT compensation.sum(compensation.evaluate(p.rules, o))
FROM orders o, policies p WHERE p.name = 'yes24-round1';
SQL
)
printf '%s\n' "$PLAN" | sed 's/^/    /'
WORKER_PART=$(printf '%s\n' "$PLAN" | sed -n '/->  Task/,$p')
COORD_PART=$(printf '%s\n' "$PLAN" | sed '/->  Task/,$d')
ROWS_BACK=$(printf '%s\n' "$ANALYZED" | sed -n 's/.*Custom Scan (Citus Adaptive) (actual rows=\([0-9]*\).*/\1/p' | head -1)
if printf '%s\n' "$PLAN" | grep -q 'Custom Scan (Citus Adaptive)' &&
	printf '%s\n' "$PLAN" | grep -q 'Task Count: 32' &&
	printf '%s\n' "$WORKER_PART" | grep -Eq 'compensation\.(_evaluate_columns|evaluate)\(' &&
	printf '%s\n' "$WORKER_PART" | grep -q 'compensation.sum(' &&
	! printf '%s\n' "$COORD_PART" | grep -Eq 'compensation\.(_evaluate_columns|evaluate)\(' &&
	[ "$ROWS_BACK" = 32 ]; then
	say "ok: EXPLAIN: evaluate and sum run in the 32 shard tasks on the workers; the coordinator receives $ROWS_BACK partial sums and sums them"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: EXPLAIN does not show evaluation on the workers (rows back: ${ROWS_BACK:-?})"
	printf '%s\n' "$ANALYZED" | sed 's/^/    /'
fi
TIMES+=("$(printf '%-62s %7d ms' "check: EXPLAIN and EXPLAIN ANALYZE" $((($(date +%s%N) - t0) / 1000000)))")

# Function calls per node: the workers evaluate, the coordinator does not.
# (track_functions = all; Citus's worker connections are not cached, so
# their backends end and report their counts.)
for i in 0 1 2; do psql_node "$i" -d yes24 -Atc 'SELECT pg_stat_reset()' >/dev/null; done
psql_node 0 -d yes24 -At <<'SQL' >/dev/null || FAILS=$((FAILS + 1))
SET citus.max_cached_conns_per_worker = 0;
SELECT compensation.sum(compensation.evaluate(p.rules, o)) FROM orders o, policies p WHERE p.name = 'yes24-round1';
SELECT compensation.sum(compensation.evaluate(p.rules, o)) FROM orders_local o, policies_local p WHERE p.name = 'yes24-round1';
SQL
sleep 1.5
declare -A CALLS
say "function calls, one distributed sum(evaluate(...)) over orders and one over orders_local:"
printf '    %-12s %-32s %10s\n' node function calls
for i in 0 1 2; do
	while IFS='|' read -r fn calls; do
		[ -n "$fn" ] || continue
		printf '    %-12s %-32s %10s\n' "${NODES[$i]}" "$fn" "$calls"
		CALLS[$i:$fn]=$calls
	done < <(psql_node "$i" -d yes24 -At -c "SELECT funcname, calls FROM pg_stat_user_functions
		WHERE schemaname = 'compensation' ORDER BY funcname")
done
EVAL_FN=_evaluate_columns
LOCAL_N=$(psql_node 0 -d yes24 -Atc 'SELECT count(*) FROM orders_local')
W_CALLS=$(( ${CALLS[1:$EVAL_FN]:-0} + ${CALLS[2:$EVAL_FN]:-0} ))
C_CALLS=${CALLS[0:$EVAL_FN]:-0}
if [ "$W_CALLS" = "$LOCAL_N" ] && [ "$C_CALLS" = "$LOCAL_N" ] &&
	[ "${CALLS[1:$EVAL_FN]:-0}" -gt 0 ] && [ "${CALLS[2:$EVAL_FN]:-0}" -gt 0 ]; then
	say "ok: the distributed sum evaluated its $LOCAL_N rows on the workers (${CALLS[1:$EVAL_FN]} + ${CALLS[2:$EVAL_FN]}); the $C_CALLS calls on the coordinator are the one-node run"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: evaluation calls: workers $W_CALLS, coordinator $C_CALLS, expected $LOCAL_N each"
fi

# Aggregates under another name.  Citus pushes an aggregate down by its
# name (sum, count, ...) or, for any name, when it has a combine function
# and a state type that is not a pseudo-type: it then moves the state from
# the workers as text, through the state type's output and input functions
# (worker_partial_agg, coord_combine_agg), never through SERIALFUNC.  So the
# same functions as compensation.sum under another name (state internal)
# cannot be split; with coordinator aggregation disabled Citus refuses, with
# it enabled (the default) it brings every row to the coordinator.  An
# aggregate whose state is the award itself is split by any name.
step other_sum "check: sum(award) under another name (state internal, state award)" <<'SQL'
SET client_min_messages = warning;
CREATE AGGREGATE public.other_sum(compensation.award) (
	SFUNC = compensation.award_sum_transfn, STYPE = internal,
	FINALFUNC = compensation.award_sum_finalfn,
	COMBINEFUNC = compensation.award_sum_combinefn,
	SERIALFUNC = compensation.award_sum_serialfn,
	DESERIALFUNC = compensation.award_sum_deserialfn,
	PARALLEL = SAFE);
-- award + award, with sum(award)'s meaning; its own aggregate: one award in
-- a state, so Citus can ship it.
CREATE FUNCTION public.award_add(a compensation.award, b compensation.award)
RETURNS compensation.award LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT compensation.sum(x) FROM (VALUES (a), (b)) v(x) $$;
CREATE AGGREGATE public.award_total(compensation.award) (
	SFUNC = public.award_add, STYPE = compensation.award,
	COMBINEFUNC = public.award_add, PARALLEL = SAFE);
RESET client_min_messages;
SELECT expect('other_sum and award_total exist on both workers',
	(SELECT count(*) FROM run_command_on_workers(
		$$SELECT count(*) FROM pg_aggregate WHERE aggfnoid IN ('public.other_sum'::regproc, 'public.award_total'::regproc)$$)
	 WHERE success AND result = '2') = 2);

SET citus.coordinator_aggregation_strategy = 'disabled';
DO $$
DECLARE
	msg text;
BEGIN
	BEGIN
		PERFORM public.other_sum(compensation.evaluate(p.rules, o))
		FROM orders o, policies p WHERE p.name = 'yes24-round1';
	EXCEPTION WHEN OTHERS THEN
		msg := SQLERRM;
	END;
	IF msg IS DISTINCT FROM 'unsupported aggregate function other_sum' THEN
		RAISE EXCEPTION 'expected Citus to refuse other_sum, got: %', coalesce(msg, 'no error');
	END IF;
	RAISE INFO 'as expected, state internal under another name, coordinator aggregation disabled: %', msg;
END $$;
SELECT expect('award_total (state award), coordinator aggregation disabled: split on the workers, equals one node',
	(SELECT public.award_total(award)::text FROM order_awards)
	= (SELECT compensation.sum(award)::text FROM order_awards_local));
SELECT expect('award_total of evaluate, GROUP BY service: equals one node',
	(SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service)
	 FROM (SELECT o.service, public.award_total(compensation.evaluate(p.rules, o)) s
		FROM orders o, policies p WHERE p.name = 'yes24-round1' GROUP BY o.service) t)
	= (SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service)
	 FROM (SELECT o.service, compensation.sum(a.award) s
		FROM orders_local o JOIN order_awards_local a USING (order_id) GROUP BY o.service) t));
RESET citus.coordinator_aggregation_strategy;
SELECT expect('other_sum (state internal), default strategy: rows gathered on the coordinator, equals one node',
	(SELECT public.other_sum(award)::text FROM order_awards)
	= (SELECT compensation.sum(award)::text FROM order_awards_local));
SQL
AGG_PLAN=$(psql_node 0 -d yes24 -At <<'SQL' 2>&1
SET citus.coordinator_aggregation_strategy = 'disabled';
EXPLAIN (VERBOSE, COSTS OFF) SELECT public.award_total(award) FROM order_awards;
RESET citus.coordinator_aggregation_strategy;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT public.other_sum(award) FROM order_awards;
SQL
)
GATHERED=$(printf '%s\n' "$AGG_PLAN" | sed -n 's/.*Custom Scan (Citus Adaptive) (actual rows=\([0-9]*\).*/\1/p' | head -1)
if printf '%s\n' "$AGG_PLAN" | grep -q 'coord_combine_agg' && printf '%s\n' "$AGG_PLAN" | grep -q 'worker_partial_agg'; then
	say "ok: award_total: worker_partial_agg on the workers, coord_combine_agg on the coordinator; other_sum (state internal) brings ${GATHERED:-?} rows to the coordinator"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: award_total is not split by worker_partial_agg/coord_combine_agg:"
	printf '%s\n' "$AGG_PLAN" | sed 's/^/    /'
fi

# Before compensation.distribute() (issuance_test.sh calls it), reported,
# not asserted: compensation.rules('p') written inline is pushed down to
# the workers, whose compensation.policy is empty (the extension's tables
# are local to each node).  After it, the policy is a reference table and
# the same query equals one node (asserted there).
INLINE=$(psql_node 0 -d yes24 -At -c "SELECT compensation.sum(compensation.evaluate(compensation.rules('yes24-round1'), o)) IS NOT NULL FROM orders o" 2>&1 | head -1)
say "before distribute(): evaluate(compensation.rules('yes24-round1'), o) over orders, inline: ${INLINE:-?}"
INLINE_SUB=$(psql_node 0 -d yes24 -At -c "SELECT (SELECT compensation.sum(compensation.evaluate(p.r, o))::text FROM orders o, (SELECT compensation.rules('yes24-round1') AS r) p) = (SELECT compensation.sum(award)::text FROM order_awards_local)" 2>&1 | head -1)
if [ "$INLINE_SUB" = t ]; then
	say "ok: the same policy resolved once, (SELECT compensation.rules('yes24-round1') AS r) in FROM: equals one node"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: rules() in a FROM subquery: $INLINE_SUB"
fi

# The other ways of giving the policy: a constant (the ruleset travels in
# the shard queries), and a scalar subquery.
step forms "check: the policy as a constant, as a scalar subquery" <<'SQL'
SELECT expect('evaluate(<constant ruleset>, o): equals one node',
	(SELECT compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset, o))::text FROM orders o)
	= (SELECT compensation.sum(award)::text FROM order_awards_local));
SQL
SCALAR=$(psql_node 0 -d yes24 -At -c "SELECT (SELECT compensation.sum(compensation.evaluate((SELECT rules FROM policies WHERE name = 'yes24-round1'), o))::text FROM orders o) = (SELECT compensation.sum(award)::text FROM order_awards_local)" 2>&1 | head -1)
if [ "$SCALAR" = t ]; then
	say "ok: evaluate((SELECT rules FROM policies WHERE name = ...), o): equals one node"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: evaluate((SELECT rules FROM policies WHERE name = ...), o): $SCALAR"
fi

# Issuance: distribute(), then every path against one node.
. "$ROOT/test/citus/issuance_test.sh"

###########################################################################
# Figures.
###########################################################################
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
say "figures: $(psql_node 0 -d yes24 -Atc "SELECT format('%s orders, %s members; %s nodes (1 coordinator, %s workers); 32 shards a table',
	(SELECT count(*) FROM orders), (SELECT count(*) FROM members),
	(SELECT count(*) FROM pg_dist_node), (SELECT count(*) FROM pg_dist_node WHERE groupid > 0))"); all nodes share this $(nproc)-core machine"
printf '    %s\n' "${TIMES[@]}"
echo
printf '    %-44s %9s %9s %7s\n' "step" "one node" "Citus" "ratio"
for pair in "evaluate+store round 1 (orders):eval_local:eval_citus" \
	"evaluate+store round 2 (members):eval2_local:eval2_citus" \
	"sum(evaluate) round 1 (orders):sum_local:sum_citus" \
	"simulate round 1 (orders):sim_local:sim_citus" \
	"issue_all round 1 (orders):one_v1:citus_v1" \
	"issue_all round 1 again, nothing owed:one_rerun:citus_rerun" \
	"issue_all version 2 (Citus killed, resumed):one_v2:citus_v2"; do
	IFS=: read -r label a b <<<"$pair"
	printf '    %-44s %6s ms %6s ms %7s\n' "$label" "${MS[$a]:-?}" "${MS[$b]:-?}" "$(ratio "${MS[$b]:-0}" "${MS[$a]:-0}")"
done
printf '    whole test (install, start, load, distribute, checks): %d s\n' "$SECONDS"
printf '    evaluation calls: coordinator %s (its one-node run), workers %s + %s; partial sums back: %s rows\n' \
	"${CALLS[0:$EVAL_FN]:-0}" "${CALLS[1:$EVAL_FN]:-0}" "${CALLS[2:$EVAL_FN]:-0}" "${ROWS_BACK:-?}"
echo
if [ "$FAILS" -ne 0 ]; then
	echo "citus: FAILED ($FAILS)"
	exit 1
fi
echo "citus: all checks passed"
exit 0
