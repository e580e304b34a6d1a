#!/usr/bin/env bash
# test/fdw/run.sh: compensation over postgres_fdw, with Debian's own parts.
#
#   sudo bash test/fdw/run.sh
#
# A front node whose `orders` is partitioned by order_id range across two
# shard nodes through foreign partitions (postgres_fdw, part of Debian's
# postgresql-15), with `compensation` listed in each foreign server's
# `extensions` option, so that postgres_fdw may send compensation's
# functions and operators to the shards.  Three throwaway PostgreSQL 15
# clusters in a mktemp folder, Unix sockets only.
#
# It shows (EXPLAIN VERBOSE, Remote SQL) which forms run on the shards and
# asserts that every form gives the totals of the same data on one node:
#   - sum(evaluate(<constant policy>, o)) and evaluate() per row: the policy
#     is a constant (a literal, a psql variable or a parameter), the row is
#     the foreign partition's row;
#   - the policy joined from a local table: evaluated on the front;
#   - simulate() over the partitioned table.
#
# As run.sh of test/citus: root; compensation is installed from this
# checkout under /tmp/compensation-install.lock, held for the whole test
# (skipped when the caller holds it: COMPENSATION_INSTALL_LOCK_HELD=1).
# COMPENSATION_FDW_KEEP=1 keeps the nodes running.  Exit status 0 only if
# every assertion held.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"
cluster_need_root "$ROOT/test/fdw/run.sh" "$@"

if [ "${COMPENSATION_INSTALL_LOCK_HELD:-}" != 1 ]; then
	say "waiting for the install lock /tmp/compensation-install.lock"
	exec env COMPENSATION_INSTALL_LOCK_HELD=1 flock -w 1800 /tmp/compensation-install.lock \
		bash "$ROOT/test/fdw/run.sh" "$@"
fi

cluster_packages postgresql-15 postgresql-server-dev-15 build-essential || die "packages"
[ -f "$($PG_CONFIG_BIN --pkglibdir)/postgres_fdw.so" ] || die "postgres_fdw is missing from $($PG_CONFIG_BIN --pkglibdir)"
if [ "${COMPENSATION_NO_INSTALL:-}" = 1 ]; then
	say "COMPENSATION_NO_INSTALL=1: testing the compensation already installed"
else
	say "building and installing compensation from $ROOT"
	{ make -s PG_CONFIG="$PG_CONFIG_BIN" PG_CFLAGS="$CI_CFLAGS" &&
		make -s PG_CONFIG="$PG_CONFIG_BIN" install; } >/dev/null || die "building compensation failed"
fi

NODES=(front s1 s2)
PORTS=()
TMP=
cleanup() {
	local n
	[ -n "$TMP" ] && [ -d "$TMP" ] || return 0
	if [ "${COMPENSATION_FDW_KEEP:-}" = 1 ]; then
		say "COMPENSATION_FDW_KEEP=1: the nodes keep running; front: psql -h $TMP/front -p ${PORTS[0]} -U postgres yes24"
		return 0
	fi
	for n in "${NODES[@]}"; do cluster_stop "$TMP/$n" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TMP=$(mktemp -d /tmp/compensation-fdw.XXXXXX)
chmod 0711 "$TMP"
port=${COMPENSATION_FDW_PORT:-57660}
t0=$(date +%s%N)
for i in 0 1 2; do
	PORTS+=($((port + i)))
	mkdir "$TMP/${NODES[$i]}"
	cluster_init "$TMP/${NODES[$i]}" || die "initdb ${NODES[$i]} failed"
	echo "track_functions = all" >>"$TMP/${NODES[$i]}/data/postgresql.conf"
	cluster_start "$TMP/${NODES[$i]}" "${PORTS[$i]}" || die "node ${NODES[$i]} did not start"
done
say "three nodes (front, s1, s2) started in $((($(date +%s%N) - t0) / 1000000)) ms in $TMP"

psql_node() {
	local i=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$TMP/${NODES[$i]}" -p "${PORTS[$i]}" -U postgres "$@"
}

. "$ROOT/test/multinode_step.sh"
STEP_VARS=(-v s1_host="$TMP/s1" -v s1_port="${PORTS[1]}" -v s2_host="$TMP/s2" -v s2_port="${PORTS[2]}")

# The data: the demo's, generated on each node (deterministic); each shard
# keeps its range of order_id, the front keeps a full local copy (the
# one-node reference) and the partitioned table over the shards.
for i in 0 1 2; do
	psql_node "$i" -d postgres -c 'CREATE DATABASE yes24' || die "CREATE DATABASE on ${NODES[$i]}"
	psql_node "$i" -d yes24 -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION compensation' ||
		die "CREATE EXTENSION compensation on ${NODES[$i]}"
	# \i, not the file on stdin: it includes generator.sql relative to itself.
	step "load$i" "load examples/yes24/yes24_data.sql (${NODES[$i]})" "$i" <<<"\\i '$ROOT/examples/yes24/yes24_data.sql'" || exit 1
done
step shard1 "shard s1 keeps order_id < 60001" 1 <<'SQL' || exit 1
DELETE FROM orders WHERE order_id >= 60001;
DROP TABLE worked_examples, members;
ANALYZE orders;
SQL
step shard2 "shard s2 keeps order_id >= 60001" 2 <<'SQL' || exit 1
DELETE FROM orders WHERE order_id < 60001;
DROP TABLE worked_examples, members;
ANALYZE orders;
SQL

step setup "front: foreign servers, partitioned orders, policies" <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE FUNCTION public.expect(label text, ok boolean, detail text DEFAULT '')
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'MISMATCH: %', label USING DETAIL = detail;
	END IF;
	RAISE INFO 'ok: %', label || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END;
	RETURN 'ok';
END $$;
ALTER TABLE orders RENAME TO orders_local;
CREATE EXTENSION postgres_fdw;
-- extensions 'compensation': its functions and operators may be sent to the
-- shards (they have the same extension, same version)
CREATE SERVER s1 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'s1_host', port :'s1_port', dbname 'yes24', extensions 'compensation',
		fetch_size '10000', async_capable 'true');
CREATE SERVER s2 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host :'s2_host', port :'s2_port', dbname 'yes24', extensions 'compensation',
		fetch_size '10000', async_capable 'true');
CREATE USER MAPPING FOR postgres SERVER s1;
CREATE USER MAPPING FOR postgres SERVER s2;
CREATE TABLE orders (LIKE orders_local) PARTITION BY RANGE (order_id);
CREATE FOREIGN TABLE orders_s1 PARTITION OF orders FOR VALUES FROM (MINVALUE) TO (60001)
	SERVER s1 OPTIONS (table_name 'orders');
CREATE FOREIGN TABLE orders_s2 PARTITION OF orders FOR VALUES FROM (60001) TO (MAXVALUE)
	SERVER s2 OPTIONS (table_name 'orders');
ANALYZE orders_s1, orders_s2;
CREATE TABLE policies (name text PRIMARY KEY, rules compensation.ruleset NOT NULL);
INSERT INTO policies SELECT compensation.policy_name(r), r
FROM (VALUES (:'round1'::compensation.ruleset), (:'round2'::compensation.ruleset)) v(r);
SELECT compensation.define_incident('yes24-ransomware-2025-06', 'YES24 outage');
SELECT compensation.define_policy(:'round1', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round1');
CREATE TABLE order_awards_local AS
SELECT o.order_id, compensation.evaluate(p.rules, o) AS award
FROM orders_local o, policies p WHERE p.name = 'yes24-round1';
SELECT expect('the shards hold every order once',
	(SELECT count(*) FROM orders) = (SELECT count(*) FROM orders_local)
	AND (SELECT count(*) FROM orders_s1) > 0 AND (SELECT count(*) FROM orders_s2) > 0,
	format('%s orders: %s on s1, %s on s2', (SELECT count(*) FROM orders),
		(SELECT count(*) FROM orders_s1), (SELECT count(*) FROM orders_s2)));
SQL

# The form every query of the README uses: evaluate(policy, o) over the
# partitioned table.  postgres_fdw ships only what it can deparse with
# shippable parts; evaluate(policy, o) is planned as _evaluate_columns(policy,
# NULL::orders, ...), whose NULL::orders is of the front's own row type,
# which is not shippable: the shards send the columns, the front evaluates.
step direct_local "sum(evaluate) over orders, one node (front's local copy)" <<'SQL' || exit 1
CREATE TABLE sum_local AS
SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS s
FROM orders_local o, policies p WHERE p.name = 'yes24-round1';
SQL
step direct_fdw "sum(evaluate) over orders, foreign partitions (constant policy)" <<'SQL' || exit 1
CREATE TABLE sum_fdw AS
SELECT compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset, o)) AS s FROM orders o;
SQL
step direct_fdw_join "sum(evaluate) over orders, foreign partitions (policy joined)" <<'SQL' || exit 1
CREATE TABLE sum_fdw_join AS
SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS s
FROM orders o, policies p WHERE p.name = 'yes24-round1';
SQL
step direct_check "check: evaluate and sum over the foreign partitions" <<'SQL'
SELECT expect('sum(evaluate(constant policy, o)) over the foreign partitions equals one node',
	(SELECT s::text FROM sum_fdw) = (SELECT s::text FROM sum_local));
SELECT expect('sum(evaluate(joined policy, o)) over the foreign partitions equals one node',
	(SELECT s::text FROM sum_fdw_join) = (SELECT s::text FROM sum_local));
SELECT count(*) AS n,
	count(*) FILTER (WHERE compensation.award_send(f.award) IS DISTINCT FROM compensation.award_send(l.award)) AS diff
FROM (SELECT o.order_id, compensation.evaluate(p.rules, o) AS award
	FROM orders o, policies p WHERE p.name = 'yes24-round1') f
	FULL JOIN order_awards_local l USING (order_id) \gset
SELECT expect('evaluate() of every order over the foreign partitions equals one node',
	:diff = 0 AND :n = (SELECT count(*) FROM orders_local), format('%s orders, %s differ', :n, :diff));
SELECT expect('lines() per rule over the foreign partitions equals one node',
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (
		SELECT l.rule, l.kind, l.instrument, sum(l.amount), sum(l.days), sum(l.count)
		FROM orders o, policies p, LATERAL compensation.lines(compensation.evaluate(p.rules, o)) l
		WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3) x)
	= (SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (
		SELECT l.rule, l.kind, l.instrument, sum(l.amount), sum(l.days), sum(l.count)
		FROM order_awards_local a, LATERAL compensation.lines(a.award) l GROUP BY 1, 2, 3) x));
SELECT expect('explain() of every order over the foreign partitions equals one node',
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (
		SELECT e.rule_no, e.matched, e.failed_condition, count(*),
			sum(hashtext(o.order_id || '|' || coalesce(e.detail, '') || '|' || coalesce(e.award::text, ''))::bigint)
		FROM orders o, policies p, LATERAL compensation.explain(p.rules, o) e
		WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3) x)
	= (SELECT string_agg(x::text, ';' ORDER BY x::text) FROM (
		SELECT e.rule_no, e.matched, e.failed_condition, count(*),
			sum(hashtext(o.order_id || '|' || coalesce(e.detail, '') || '|' || coalesce(e.award::text, ''))::bigint)
		FROM orders_local o, policies p, LATERAL compensation.explain(p.rules, o) e
		WHERE p.name = 'yes24-round1' GROUP BY 1, 2, 3) x));
SELECT expect('simulate() over the partitioned table equals one node',
	(SELECT count(*) FROM ((SELECT * FROM compensation.simulate('yes24-round1', 'orders')
		EXCEPT SELECT * FROM compensation.simulate('yes24-round1', 'orders_local'))
		UNION ALL (SELECT * FROM compensation.simulate('yes24-round1', 'orders_local')
		EXCEPT SELECT * FROM compensation.simulate('yes24-round1', 'orders'))) d) = 0);
SQL
PLAN_DIRECT=$(psql_node 0 -d yes24 -At -v round1="$(cat "$ROOT/examples/yes24/yes24-round1.policy")" <<'SQL' 2>&1
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.sum(compensation.evaluate(:'round1'::compensation.ruleset, o)) FROM orders o;
SQL
)
say "EXPLAIN VERBOSE, sum(evaluate(constant, o)) over the partitioned table: Remote SQL"
printf '%s\n' "$PLAN_DIRECT" | grep -E 'Foreign Scan|Remote SQL' | sed 's/^/    /'
if printf '%s\n' "$PLAN_DIRECT" | grep 'Remote SQL' | grep -q compensation; then
	say "note: part of compensation is now shipped in this form (update docs/scaling-out.md)"
fi

# The form that ships the work: each shard has a view that evaluates its own
# rows with a constant policy; the front's partitions are foreign tables
# over those views, and with partitionwise aggregation the sum of each
# partition is pushed down (compensation.sum is shippable: the extension is
# listed in the servers' option), so each shard returns one award.
for i in 1 2; do
	step "view$i" "shard ${NODES[$i]}: view order_awards_v (evaluate with a constant policy)" "$i" <<'SQL' || exit 1
SELECT format('CREATE VIEW order_awards_v AS SELECT o.order_id, o.service,
	compensation.evaluate(%L::compensation.ruleset, o) AS award FROM orders o', :'round1') \gexec
SQL
done
step views_front "front: foreign partitions over the shards' views" <<'SQL' || exit 1
CREATE TABLE order_awards (order_id bigint, service text, award compensation.award)
	PARTITION BY RANGE (order_id);
CREATE FOREIGN TABLE order_awards_s1 PARTITION OF order_awards FOR VALUES FROM (MINVALUE) TO (60001)
	SERVER s1 OPTIONS (table_name 'order_awards_v');
CREATE FOREIGN TABLE order_awards_s2 PARTITION OF order_awards FOR VALUES FROM (60001) TO (MAXVALUE)
	SERVER s2 OPTIONS (table_name 'order_awards_v');
SQL
# A sum over the partitioned table is planned as a partial aggregate per
# partition (PostgreSQL 15's postgres_fdw does not push partial aggregates
# down): each shard sends its awards.  Summed per foreign partition, the
# whole aggregate is pushed down: each shard returns one award, and the
# front sums the sums.
step view_sum_part "sum(award) over the partitioned table (awards fetched)" <<'SQL' || exit 1
SET enable_partitionwise_aggregate = on;
CREATE TABLE sum_views_part AS SELECT compensation.sum(award) AS s FROM order_awards;
SQL
step view_sum "sum(award) per foreign partition, pushed down, summed" <<'SQL' || exit 1
CREATE TABLE sum_views AS
SELECT compensation.sum(s) AS s
FROM (SELECT compensation.sum(award) AS s FROM order_awards_s1
	UNION ALL SELECT compensation.sum(award) FROM order_awards_s2) t;
SQL
step view_check "check: the shards' views" <<'SQL'
SELECT expect('sum of the shards'' sums (pushed down) equals one node',
	(SELECT s::text FROM sum_views) = (SELECT s::text FROM sum_local));
SELECT expect('sum(award) over the partitioned table equals one node',
	(SELECT s::text FROM sum_views_part) = (SELECT s::text FROM sum_local));
SELECT expect('sum(award) GROUP BY service equals one node',
	(SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service)
	 FROM (SELECT service, compensation.sum(award) s FROM order_awards GROUP BY service) t)
	= (SELECT string_agg(service || ': ' || s::text, E'\n' ORDER BY service)
	 FROM (SELECT o.service, compensation.sum(a.award) s
		FROM orders_local o JOIN order_awards_local a USING (order_id) GROUP BY o.service) t));
SELECT expect('every award through the views equals one node',
	(SELECT count(*) FROM order_awards a FULL JOIN order_awards_local l USING (order_id)
	 WHERE compensation.award_send(a.award) IS DISTINCT FROM compensation.award_send(l.award)) = 0);
SQL
PLAN_VIEWS=$(psql_node 0 -d yes24 -At <<'SQL' 2>&1
EXPLAIN (VERBOSE, COSTS OFF)
SELECT compensation.sum(s)
FROM (SELECT compensation.sum(award) AS s FROM order_awards_s1
	UNION ALL SELECT compensation.sum(award) FROM order_awards_s2) t;
SET enable_partitionwise_aggregate = on;
EXPLAIN (VERBOSE, COSTS OFF) SELECT compensation.sum(award) FROM order_awards;
SQL
)
say "EXPLAIN VERBOSE: the sum of the shards' sums, then the sum over the partitioned table:"
printf '%s\n' "$PLAN_VIEWS" | sed 's/^/    /'
if [ "$(printf '%s\n' "$PLAN_VIEWS" | grep -c 'Remote SQL: SELECT compensation.sum(award) FROM public.order_awards_v')" = 2 ]; then
	say "ok: each shard sums its own awards (Remote SQL: SELECT compensation.sum(award) ...)"
else
	FAILS=$((FAILS + 1))
	warn "FAILED: sum(award) is not pushed down to both shards"
fi

echo
say "figures: $(psql_node 0 -d yes24 -Atc "SELECT format('%s orders: %s on s1, %s on s2; 3 nodes on this machine ($(nproc) cores)',
	(SELECT count(*) FROM orders_local), (SELECT count(*) FROM orders_s1), (SELECT count(*) FROM orders_s2))")"
printf '    %s\n' "${TIMES[@]}"
printf '    whole test (install, start, load, checks): %d s\n' "$SECONDS"
echo
if [ "$FAILS" -ne 0 ]; then
	echo "fdw: FAILED ($FAILS)"
	exit 1
fi
echo "fdw: all checks passed"
exit 0
