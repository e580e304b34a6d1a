#!/usr/bin/env bash
# bench/smoke.sh: the benchmark's smoke test, run by scripts/test.sh (CI).
#
#   PGHOST=... PGPORT=... PGUSER=... bash bench/smoke.sh
#
# Against a running server where the extension is installed (the test
# cluster of scripts/test.sh), in a scratch database that it creates and
# drops (compensation_bench_smoke), it loads the benchmark's own files on
# about 10,000 generated orders (bench/data.sql, setup.sql, round1_case.sql,
# round1_plpgsql.sql, policies.sql) and checks that every variant of the
# benchmark computes the same totals:
#   B1  evaluate (policy a constant), evaluate (policy from a table), the
#       hand-written CASE query and the PL/pgSQL function, with and without
#       JIT;
#   B4  evaluate and CASE with 2 parallel workers forced;
#   B2  the generated per-show policies against the same totals in plain SQL;
#   B3  the padded policies (a catch-all first rule) give one line per row;
#   B5  the issuing trigger, row and statement forms, and
#   B6  issue_all and the single INSERT INTO ledger ... SELECT evaluate
#       write into the ledger exactly what evaluate gives over the same
#       2,000 orders (bench/issue.sql);
#   B11 simulate() by name, by version and of a ruleset value gives the
#       hand-written totals.
#   B9  four totals per service (bench/totals.sql): the README's form, the
#       sum with the policy joined or a constant, the per-accessor form and
#       the hand-written CASE query give the same lines.
# No timing is asserted.  Exits non-zero with a message naming the variants
# that disagree.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"

ROWS=${COMPENSATION_SMOKE_ROWS:-10000}
DB=compensation_bench_smoke
TMP=$(mktemp -d /tmp/compensation-smoke.XXXXXX)
FAILED=0

psql_s() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql_s -d "$DB" "$@"; }

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	psql_s -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

bad() {
	printf '==> bench smoke: FAILED: %s\n' "$*" >&2
	FAILED=1
}

# query NAME SETTINGS SQL: run SQL after SETTINGS, its rows in $TMP/NAME.
query() {
	psql_db -At -c "SET max_parallel_workers_per_gather = 0; SET jit = off; $2" -c "$3" >"$TMP/$1" 2>"$TMP/$1.err" || {
		cat "$TMP/$1.err" >&2
		bad "$1: the query failed"
		return 1
	}
}

# same NAME1 NAME2: the two results are identical.
same() {
	if ! cmp -s "$TMP/$1" "$TMP/$2"; then
		bad "$1 and $2 give different totals:"
		diff "$TMP/$1" "$TMP/$2" | sed 's/^/      /' >&2
	fi
}

say "bench smoke: $ROWS orders in database $DB"
psql_s -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
psql_s -d postgres -c "CREATE DATABASE $DB" >/dev/null || {
	bad "cannot create the database $DB"
	exit 1
}
if ! {
	psql_db -c "CREATE EXTENSION compensation" &&
		psql_db -v rows="$ROWS" -f bench/data.sql &&
		psql_db -v round1="$(cat examples/yes24/yes24-round1.policy)" -f bench/setup.sql \
			-f bench/round1_case.sql -f bench/round1_plpgsql.sql -f bench/policies.sql
} >"$TMP/setup.log" 2>&1; then
	cat "$TMP/setup.log" >&2
	bad "loading the benchmark's SQL files failed"
	exit 1
fi

JIT="SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;"
PAR="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;"

# B1 and B4
query evaluate "" "SELECT * FROM bench.b1_evaluate"
query evaluate_table "" "SELECT * FROM bench.b1_evaluate_table"
query evaluate_row "" "SELECT * FROM bench.b1_evaluate_row"
query case "" "SELECT * FROM bench.b1_case"
query plpgsql "" "SELECT * FROM bench.b1_plpgsql"
query evaluate_jit "$JIT" "SELECT * FROM bench.b1_evaluate"
query case_jit "$JIT" "SELECT * FROM bench.b1_case"
query evaluate_parallel "$PAR" "SELECT * FROM bench.b1_evaluate"
query case_parallel "$PAR" "SELECT * FROM bench.b1_case"
if [ "$(wc -l <"$TMP/evaluate")" -ne 12 ]; then
	bad "evaluate gives $(wc -l <"$TMP/evaluate") lines, not one per rule of round 1 (12):"
	sed 's/^/      /' "$TMP/evaluate" >&2
fi
for v in evaluate_table evaluate_row case plpgsql evaluate_jit case_jit evaluate_parallel case_parallel; do
	same evaluate "$v"
done
query workers "$PAR" "EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM bench.b1_evaluate"
launched=$(awk '/Workers Launched/ { print $3 }' "$TMP/workers")
[ -n "$launched" ] || bad "the parallel variant did not plan a Gather (parallel settings ignored?)"

# B2: a ticket of show K <= N gets 120% of its price, half-up.
for n in 10 100 1000; do
	query "b2-$n" "" "SELECT count(*), sum(l.amount), sum(l.count)
		FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
		      FROM bench.orders o JOIN bench.policies p ON p.name = 'b2-$n') t,
			compensation.lines(t.total) l"
	query "b2-$n-sql" "" "SELECT count(DISTINCT show_id), sum((price * 12 + 5) / 10), count(*)
		FROM bench.orders WHERE show_id <= $n"
	same "b2-$n" "b2-$n-sql"
done

# B3: the catch-all first rule, whatever follows it.
echo "all|$ROWS|$ROWS" >"$TMP/b3-want"
for n in 0 1000 10000; do
	query "b3-pad-$n" "" "SELECT l.rule, l.amount, l.count
		FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
		      FROM bench.orders o JOIN bench.policies p ON p.name = 'b3-pad-$n') t,
			compensation.lines(t.total) l"
	same "b3-pad-$n" b3-want
done

# B11: simulate in each form gives the hand-written totals.
if psql_db -v round1="$(cat examples/yes24/yes24-round1.policy)" >"$TMP/b11.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT compensation.define_policy(replace(:'round1', 'policy "yes24-round1"', 'policy "smoke/yes24-round1"'));
SELECT compensation.publish('smoke/yes24-round1');
SQL
then
	query b11-want "" "SELECT l.rule, l.kind, l.instrument, l.count, l.amount, l.days
		FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
		      FROM bench.orders o JOIN bench.policies p ON p.name = 'yes24-round1') t,
			compensation.lines(t.total) l ORDER BY 1, 2, 3"
	query b11-name "" "SELECT rule, kind, instrument, rows_awarded, amount, days
		FROM compensation.simulate('smoke/yes24-round1', 'bench.orders')"
	query b11-version "" "SELECT rule, kind, instrument, rows_awarded, amount, days
		FROM compensation.simulate('smoke/yes24-round1', 1, 'bench.orders')"
	query b11-ruleset "" "SELECT rule, kind, instrument, rows_awarded, amount, days
		FROM compensation.simulate((SELECT rules FROM bench.policies WHERE name = 'yes24-round1'), 'bench.orders')"
	for v in b11-name b11-version b11-ruleset; do same b11-want "$v"; done
else
	cat "$TMP/b11.log" >&2
	bad "B11: defining the policy failed"
fi

# B5 and B6: every issuing variant, on the first 2,000 orders, writes the
# lines evaluate gives.
# B9 (bench/totals.sh): four totals per service, five ways, one answer.
if psql_db -v round1="$(cat examples/yes24/yes24-round1.policy)" -f bench/totals.sql >"$TMP/totals.log" 2>&1; then
	for v in case readme join const accessor; do
		query "b9-$v" "" "SELECT * FROM bench.b9_$v"
	done
	for v in readme join const accessor; do
		same b9-case "b9-$v"
	done
else
	cat "$TMP/totals.log" >&2
	bad "loading bench/totals.sql failed"
fi

ISSUE_ROWS=2000
if psql_db -v rows="$ISSUE_ROWS" -f bench/issue.sql >"$TMP/issue.log" 2>&1; then
	query issue-want "" "SELECT l.rule, l.kind, l.instrument, l.amount, l.days, l.count
		FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
		      FROM bench.issue_orders o JOIN bench.policies p ON p.name = 'yes24-round1') t,
			compensation.lines(t.total) l ORDER BY 1, 2, 3"
	for v in b5-trigger b5-statement b6-insert b6-issue_all; do
		case $v in
		b5-*) sql="INSERT INTO bench.b5_trig SELECT * FROM bench.issue_orders" ;;
		b6-insert) sql="INSERT INTO compensation.ledger (policy, version, source, rule, subject, kind, instrument,
				amount, currency, days, new_date, window_kind, window_from, window_until, note,
				issued_at, issued_by)
			SELECT p.name, p.version, 'bench.issue_orders', l.rule, o.order_id::text, l.kind, l.instrument,
				l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from, l.window_until, l.note,
				now(), session_user
			FROM bench.current_policy p CROSS JOIN bench.issue_orders o,
				compensation.lines(compensation.evaluate(p.rules, o)) l" ;;
		b6-issue_all) sql="DO \$\$ DECLARE p text := (SELECT name FROM bench.current_policy);
			BEGIN CALL compensation.issue_all(p, 'bench.issue_orders', 'order_id', 500); END \$\$" ;;
		esac
		if psql_db -c "SET client_min_messages = warning" -c "CALL bench.issue_prepare('$v')" -c "$sql" >"$TMP/$v.log" 2>&1; then
			query "$v" "" "SELECT rule, kind, instrument, sum(amount), sum(days), count(*)
				FROM compensation.ledger WHERE policy = (SELECT name FROM bench.current_policy)
				GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
			same issue-want "$v"
		else
			cat "$TMP/$v.log" >&2
			bad "$v: issuing failed"
		fi
	done
	# B6's floor writes one state row per subject paid and one outbox row per line.
	if psql_db -c "SET client_min_messages = warning" -c "CALL bench.issue_prepare('b6-floor')" \
		-c "CALL bench.issue_floor_stage()" -c "CALL bench.issue_floor_state()" \
		-c "CALL bench.issue_floor_outbox()" >"$TMP/floor.log" 2>&1; then
		query floor "" "SELECT (SELECT count(*) FROM compensation.issuance
				WHERE policy = (SELECT name FROM bench.current_policy)),
			(SELECT count(DISTINCT subject) FROM compensation.ledger
				WHERE policy = (SELECT max(name) FROM compensation.policy WHERE name ~ '^b6-insert-')),
			(SELECT count(*) FROM compensation.outbox WHERE ledger_id IN (SELECT ledger_id FROM bench.floor_outbox)),
			(SELECT count(*) FROM compensation.ledger
				WHERE policy = (SELECT max(name) FROM compensation.policy WHERE name ~ '^b6-insert-'))"
		awk -F'|' '$1 != $2 || $3 != $4 || $1 == 0 { exit 1 }' "$TMP/floor" ||
			bad "B6's floor: state rows, subjects paid, outbox rows, lines: $(cat "$TMP/floor")"
	else
		cat "$TMP/floor.log" >&2
		bad "B6's floor: writing failed"
	fi
else
	cat "$TMP/issue.log" >&2
	bad "loading bench/issue.sql failed"
fi

if [ "$FAILED" -ne 0 ]; then
	printf '==> bench smoke: FAILED (the variants above disagree)\n' >&2
	exit 1
fi
say "bench smoke: all variants agree (B1: evaluate by columns and by whole row, CASE, PL/pgSQL, JIT; B4: ${launched:-0} parallel workers; B2; B3; B5 row and statement triggers; B6 and its floor; B9; B11 simulate)"
sed 's/^/      /' "$TMP/evaluate"
exit 0
