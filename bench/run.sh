#!/usr/bin/env bash
# bench/run.sh: THE benchmark of compensation (issue 4).  One command:
#
#   sudo bash bench/run.sh [--rows N] [--big] [options]
#
#   --rows N       orders to generate (default 1,000,000)
#   --big          10,000,000 orders (unless --rows is given too), and B7 over 10M rows
#   --runs N       timed runs per figure, after one warm-up run (default 5)
#   --b2-rows N    rows of the B2 policy-size sample (default 100,000)
#   --issue-rows N rows issued by B5 and B6 (default 100,000)
#   --only issue   only the issuance figures (B5, B6, B8, B10), after the data
#   --only totals  only B9 (totals per group), after the data
#   --only evaluate  only B1 and B2 (the hot path, policy size), after the data
#   --perf         also profile the backend with perf during B1, B2 and B3 (perf record -g)
#   --no-build     do not build and install the extension first
#   --port P       port of the throwaway cluster (default 54331)
#   --out FILE     results file (default bench/results/<date>.txt)
#
# On a Debian 12 machine it
#   1. installs the packages it lacks and builds and installs the extension
#      (scripts/cluster.sh: a clean build with the CI warning flags);
#   2. starts a throwaway PostgreSQL 15 cluster in a mktemp folder (Unix socket
#      only, run as postgres), stopped and deleted on exit, and prints its
#      settings;
#   3. generates deterministic orders of every YES24 service (bench/data.sql),
#      and the benchmark's views, functions and policies (bench/setup.sql,
#      bench/round1_case.sql, bench/round1_plpgsql.sql, bench/policies.sql);
#   4. measures B1-B7 of issue 4, and B9, B11 and B12 of issue 12 (bench/totals.sh, bench/simulate.sh; see BENCHMARKS.md): every figure is the
#      median of --runs runs after a warm-up run, timed by psql's \timing in
#      one session per figure, the variants of a figure taking turns
#      (round-robin) so that a noisy neighbour slows them alike; every
#      figure is a ratio against a baseline measured in the same run;
#   5. checks that every variant of a figure gives the same totals, and stops
#      with an error if not;
#   6. writes everything it prints under "results" to the results file.
#
# About 5 minutes for 1M rows on 2 cores; --big takes about ten times longer.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"
cluster_need_root "$ROOT/bench/run.sh" "$@"

ROWS=1000000
ROWS_SET=0
BIG=0
RUNS=5
B2_ROWS=100000
ISSUE_ROWS=100000
PERF=0
ONLY=
BUILD=1
PORT=${COMPENSATION_BENCH_PORT:-54331}
OUT=

usage() {
	sed -n '2,18p' "$ROOT/bench/run.sh" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--rows) ROWS=${2:?--rows needs a number}; ROWS_SET=1; shift 2 ;;
	--big) BIG=1; shift ;;
	--runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
	--b2-rows) B2_ROWS=${2:?--b2-rows needs a number}; shift 2 ;;
	--issue-rows) ISSUE_ROWS=${2:?--issue-rows needs a number}; shift 2 ;;
	--perf) PERF=1; shift ;;
	--only) ONLY=${2:?--only needs a figure group}; shift 2
		case "$ONLY" in issue | totals | evaluate) ;; *) die "--only knows these groups: issue, totals, evaluate" ;; esac ;;
	--no-build) BUILD=0; shift ;;
	--port) PORT=${2:?--port needs a number}; shift 2 ;;
	--out) OUT=${2:?--out needs a file}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "unknown option: $1" >&2; usage ;;
	esac
done
if [ "$BIG" = 1 ] && [ "$ROWS_SET" = 0 ]; then ROWS=10000000; fi
for v in ROWS RUNS B2_ROWS ISSUE_ROWS PORT; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -eq 0 ]; then
		die "$v must be a positive integer, not '${!v}'"
	fi
done
[ "$B2_ROWS" -le "$ROWS" ] || B2_ROWS=$ROWS
[ "$ISSUE_ROWS" -le "$ROWS" ] || ISSUE_ROWS=$ROWS
# B7 evaluates at least 3M rows (10M with --big), scanning the table as
# many times as that takes.
if [ "$BIG" = 1 ]; then B7_TARGET=10000000; else B7_TARGET=3000000; fi
B7_PASSES=$(((B7_TARGET + ROWS - 1) / ROWS))

if [ -z "$OUT" ]; then
	mkdir -p "$ROOT/bench/results"
	OUT=$ROOT/bench/results/$(date +%Y-%m-%d).txt
	n=2
	while [ -e "$OUT" ]; do
		OUT=$ROOT/bench/results/$(date +%Y-%m-%d)-$n.txt
		n=$((n + 1))
	done
fi
: >"$OUT"

# res LINE...: a line of the results (stdout and the results file).
res() { printf '%s\n' "$@" | tee -a "$OUT"; }
resf() {
	# shellcheck disable=SC2059
	printf "$@" | tee -a "$OUT"
}
# srow LABEL VALUE TARGET VERDICT: a row of the summary.
srow() { resf "  %-40s %-12s %-16s %s\n" "$1" "$2" "$3" "$4"; }
fail_run() {
	res "" "RUN FAILED: $*"
	die "$*"
}

TMP=
cleanup() {
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		cluster_stop "$TMP" >/dev/null 2>&1 || true
		# COMPENSATION_BENCH_KEEP=1: keep the scripts and outputs (not the data) for debugging.
		if [ "${COMPENSATION_BENCH_KEEP:-0}" = 1 ]; then
			rm -rf "$TMP/data"
			say "kept $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	TMP=
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'res "" "RUN FAILED (line $LINENO): see the messages above"; exit 1' ERR

###########################################################################
# Build, install, start.
###########################################################################
pkgs=(postgresql-15 postgresql-server-dev-15 build-essential)
cluster_packages "${pkgs[@]}"
if [ "$BUILD" = 1 ]; then
	cluster_build || die "the build failed (see above)"
else
	say "--no-build: using the installed extension"
fi
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null 2>&1; then
	warn "--perf: perf is not installed (Debian: apt-get install linux-perf); no profile"
	PERF=0
fi

TMP=$(mktemp -d /tmp/compensation-bench.XXXXXX)
chmod 0755 "$TMP"
say "throwaway cluster in $TMP (socket $TMP/.s.PGSQL.$PORT)"
cluster_init "$TMP" || die "initdb failed"
# The benchmark's server settings.  The table of 1M rows (about 95 MB) fits
# in shared_buffers; autovacuum is off so that it does not run during a
# timed query (the scripts VACUUM explicitly); a large max_wal_size keeps
# checkpoints out of the loads.  Everything else is PostgreSQL's default
# (jit = on, max_parallel_workers_per_gather = 2); the figures set what they
# vary themselves, and print it.
cat >>"$TMP/data/postgresql.conf" <<'EOF'

# bench/run.sh
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off
EOF
cluster_start "$TMP" "$PORT" || die "the server did not start"
export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres PGDATABASE=bench
unset PGSERVICE PGOPTIONS PGPASSWORD

psql_b() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_v() { psql_b -At -c "$1"; }

psql_b -d postgres -c "CREATE DATABASE bench"
psql_b -c "CREATE EXTENSION compensation"

###########################################################################
# Helpers.
###########################################################################
# A timed session.  Queries added with q_add LABEL SETTINGS SQL run in one
# psql session, round-robin, ROUNDS + 1 times: round 0 is the warm-up and is
# not counted.  Before each query: RESET ALL, then $BASE_SET and the query's
# SETTINGS.  psql's \timing measures each query (client round trip included:
# every query returns a handful of rows).  Results: $TMP/<name>/times
# ("label round ms") and $TMP/<name>/<label>.<round>.res (what it returned).
# The backend's CPU time of each query (the first field of
# /proc/<pid>/schedstat, read before and after it) goes to
# $TMP/<name>/cpu ("label round ms"): on a machine other work shares, the
# wall time of a query grows with the waiting, its CPU time much less
# (median_cpu).
Q_LABEL=()
Q_SET=()
Q_SQL=()
q_reset() { Q_LABEL=(); Q_SET=(); Q_SQL=(); }
q_add() {
	[ -n "$3" ] || fail_run "internal: no SQL for $1"
	Q_LABEL+=("$1")
	Q_SET+=("$2")
	Q_SQL+=("$3")
}
BASE_SET="SET max_parallel_workers_per_gather = 0; SET jit = off;"

session() {
	local name=$1 rounds=$2 dir=$TMP/$1 r i
	rm -rf "$dir"
	mkdir -p "$dir"
	local stat="\\! echo %s %s %s \$(cut -d' ' -f1 /proc/\$(cat $dir/pid)/schedstat) >>$dir/cpu.raw"
	{
		printf '%s\n' "SELECT pg_backend_pid() \\g $dir/pid"
		for ((r = 0; r <= rounds; r++)); do
			for i in "${!Q_LABEL[@]}"; do
				# shellcheck disable=SC2059
				printf '%s\n' '\timing off' 'RESET ALL;' "$BASE_SET ${Q_SET[i]}" \
					"\\echo @@ ${Q_LABEL[i]} $r" "$(printf "$stat" b "${Q_LABEL[i]}" "$r")" \
					'\timing on' "${Q_SQL[i]};" '\timing off' \
					"$(printf "$stat" e "${Q_LABEL[i]}" "$r")"
			done
		done
		printf '%s\n' '\timing off'
	} >"$dir/script.sql"
	if ! psql_b -At -f "$dir/script.sql" >"$dir/out.txt" 2>"$dir/err.txt"; then
		cat "$dir/err.txt" >&2
		fail_run "$name: a query failed (script $dir/script.sql)"
	fi
	awk '$1 == "b" { b[$2 " " $3] = $4 } $1 == "e" { printf "%s %s %.3f\n", $2, $3, ($4 - b[$2 " " $3]) / 1e6 }' \
		"$dir/cpu.raw" >"$dir/cpu"
	awk -v dir="$dir" '
		/^@@ / { label = $2; run = $3; file = dir "/" label "." run ".res"; printf "" > file; next }
		/^Time: / { print label, run, $2 >> (dir "/times"); close(file); next }
		{ print >> file }
	' "$dir/out.txt"
	# Every run of a query must return the same thing.
	for i in "${!Q_LABEL[@]}"; do
		for ((r = 1; r <= rounds; r++)); do
			cmp -s "$dir/${Q_LABEL[i]}.0.res" "$dir/${Q_LABEL[i]}.$r.res" ||
				fail_run "$name: ${Q_LABEL[i]} returned something else in run $r than in the warm-up"
		done
	done
}
# median NAME LABEL: median time (ms) of the counted runs.
median() {
	awk -v l="$2" '$1 == l && $2 > 0 { print $3 }' "$TMP/$1/times" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) printf "%.1f\n", a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# median_cpu NAME LABEL: median CPU time (ms) of the backend in the counted runs.
median_cpu() {
	awk -v l="$2" '$1 == l && $2 > 0 { print $3 }' "$TMP/$1/cpu" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) printf "%.1f\n", a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# runs NAME LABEL: the counted run times, and the warm-up.
runs_of() {
	awk -v l="$2" '$1 == l && $2 > 0 { printf "%s%.0f", sep, $3; sep = " " } END { printf "" }' "$TMP/$1/times"
	awk -v l="$2" '$1 == l && $2 == 0 { printf "; warm-up %.0f", $3 }' "$TMP/$1/times"
}
result_of() { cat "$TMP/$1/$2.1.res"; }
# calc EXPR: floating-point arithmetic, 2 decimals.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# calc1 EXPR: the same, 1 decimal (a sum of medians in ms).
calc1() { awk "BEGIN { printf \"%.1f\", $1 }"; }
# verdict VALUE OP TARGET: MET or MISSED.
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "MET" : "MISSED" }'; }
us_per_row() { awk -v ms="$1" -v n="$2" 'BEGIN { printf "%.3f", ms * 1000 / n }'; }
fmt_int() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
export LC_NUMERIC=C

# line LABEL MS ROWS NAME QLABEL: one row of a figure's table.
line() {
	resf "  %-46s %10.1f %9s   %s\n" "$1" "$2" "$(us_per_row "$2" "$3")" "$(runs_of "$4" "$5")"
}
table_head() { resf "  %-46s %10s %9s   %s\n" "variant" "median ms" "us/row" "runs ms"; }

# same_results NAME LABEL...: the named results are byte-identical, or the
# run fails showing the difference.
same_results() {
	local name=$1 first=$2 l
	shift 2
	for l in "$@"; do
		if ! cmp -s "$TMP/$name/$first.1.res" "$TMP/$name/$l.1.res"; then
			res "TOTALS DIFFER between $first and $l:"
			diff "$TMP/$name/$first.1.res" "$TMP/$name/$l.1.res" | tee -a "$OUT" || true
			fail_run "$name: $first and $l do not give the same totals"
		fi
	done
}

# with_backend NAME SQLFILE WATCHER: run SQLFILE in psql in the background;
# once its backend's pid is known, run "WATCHER PID DIR" in the foreground.
# SQLFILE must begin with  SELECT pg_backend_pid() \g DIR/pid  and may wait
# for DIR/go (created by the watcher) with \! commands.  Returns when both
# are done.
with_backend() {
	local name=$1 sql=$2 watcher=$3 dir=$TMP/$1 ppid i
	psql_b -At -f "$sql" >"$dir/out.txt" 2>"$dir/err.txt" &
	ppid=$!
	for ((i = 0; i < 600; i++)); do
		[ -s "$dir/pid" ] && break
		sleep 0.05
	done
	[ -s "$dir/pid" ] || fail_run "$name: no backend pid"
	"$watcher" "$(cat "$dir/pid")" "$dir"
	wait "$ppid" || {
		cat "$dir/err.txt" >&2
		fail_run "$name: the query failed"
	}
}

ROUND1=$ROOT/examples/yes24/yes24-round1.policy
[ -f "$ROUND1" ] || die "missing $ROUND1"
ROWS_F=$(fmt_int "$ROWS")

###########################################################################
# Settings.
###########################################################################
res "compensation benchmark: bench/run.sh $(if [ "$BIG" = 1 ]; then echo "--big "; fi)--rows $ROWS --runs $RUNS"
res "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
res "commit:    $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(if [ -n "$(git -C "$ROOT" status --porcelain -- src sql Makefile 2>/dev/null)" ]; then echo " (src/ or sql/ modified in the working tree: the build includes uncommitted changes)"; fi)"
res "machine:   $(nproc) cores, $(awk -F: '/model name/ { sub(/^ */, "", $2); print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
res "server:    $(psql_v "SELECT version()")"
res "settings:"
psql_b -At -F ' = ' -c "
	SELECT name, current_setting(name)
	FROM pg_settings
	WHERE name IN ('jit', 'jit_above_cost', 'max_parallel_workers_per_gather', 'max_parallel_workers',
	               'max_worker_processes', 'shared_buffers', 'work_mem', 'autovacuum', 'fsync',
	               'synchronous_commit', 'parallel_leader_participation')
	ORDER BY name" | sed 's/^/  /' | tee -a "$OUT"
res "  (each figure's session also sets: $BASE_SET, unless it says otherwise)" ""

###########################################################################
# Data.
###########################################################################
say "generating $ROWS_F orders (bench/data.sql)"
t0=$(date +%s%N)
psql_b -v rows="$ROWS" -f "$ROOT/bench/data.sql"
psql_b -v round1="$(cat "$ROUND1")" -f "$ROOT/bench/setup.sql" -f "$ROOT/bench/round1_case.sql" \
	-f "$ROOT/bench/round1_plpgsql.sql" -f "$ROOT/bench/policies.sql"
psql_b -c "DROP TABLE IF EXISTS bench.orders_b2" \
	-c "CREATE TABLE bench.orders_b2 AS SELECT * FROM bench.orders WHERE order_id <= $B2_ROWS ORDER BY order_id" \
	-c "VACUUM (FREEZE, ANALYZE) bench.orders_b2"
t1=$(date +%s%N)
res "data: $ROWS_F orders in bench.orders ($(psql_v "SELECT pg_size_pretty(pg_table_size('bench.orders'))")), generated in $(((t1 - t0) / 1000000000)) s; by service:"
psql_b -At -F ' ' -c "SELECT format('  %-8s %9s  %5s%%', service, count(*), round(100.0 * count(*) / sum(count(*)) OVER (), 1))
	FROM bench.orders GROUP BY service ORDER BY count(*) DESC" | tee -a "$OUT"
res ""

###########################################################################
# perf (--perf): where the time goes, per figure.
###########################################################################
# shellcheck disable=SC2317  # called through with_backend
perf_watch() {
	local pid=$1 dir=$2 perfpid
	perf record -g -F 999 -p "$pid" -o "$dir/perf.data" >"$dir/perf.log" 2>&1 &
	perfpid=$!
	sleep 1
	touch "$dir/go"
	while [ ! -e "$dir/done" ]; do sleep 0.1; done
	kill -INT "$perfpid" 2>/dev/null || true
	wait "$perfpid" 2>/dev/null || true
}
# profile NAME TITLE SQL: with --perf, run SQL (after one untimed run) in a
# backend recorded by perf, and report the top symbols by self time.
profile() {
	local name=$1 title=$2 sql=$3 dir=$TMP/perf-$1
	[ "$PERF" = 1 ] || return 0
	say "perf: $title"
	mkdir -p "$dir"
	chmod 0777 "$dir"
	cat >"$dir/script.sql" <<EOF
$BASE_SET
SELECT pg_backend_pid() \\g $dir/pid
$sql;
\\! while [ ! -e $dir/go ]; do sleep 0.1; done
$sql;
\\! touch $dir/done
EOF
	with_backend "perf-$name" "$dir/script.sql" perf_watch
	res "  perf: $title; perf record -g -F 999 -p <backend>; self time by symbol (top 20):"
	perf report -i "$dir/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.5 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -20 | sed 's/ *- *- *$//; s/^/  /' | tee -a "$OUT" || true
	res "  by object: $(perf report -i "$dir/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null |
		grep -v '^#' | awk 'NF >= 2 && n++ < 6 { printf "%s%s %s", sep, $2, $1; sep = ", " }' || true)"
	res "  inclusive time (self + callees) of the named frames between 2% and 95% (top 15):"
	perf report -i "$dir/perf.data" --stdio --children --sort symbol -g none 2>/dev/null |
		grep -v '^#' | grep -v '0x0000' |
		awk '{ v = $1; sub(/%/, "", v) } v + 0 >= 2 && v + 0 <= 95' | head -15 |
		sed 's/ *- *- *$//; s/^/  /' | tee -a "$OUT" || true
	res ""
}

# --only issue: the issuance figures alone (a new issuance design is timed
# in minutes, not the whole benchmark's).
if [ "$ONLY" = issue ]; then
	r_b5= r_b5_row= r_b6= r_b6_floor= r_b8= r_b10=
	. "$ROOT/bench/issue.sh"
	bench_issue
	res "SUMMARY (--only issue; ratios of medians measured in this run)"
	[ -z "$r_b5" ] || srow "B5 insert, statement trigger / plain" "$r_b5 x" "<= 2x" "$v_b5"
	[ -z "$r_b5_row" ] || srow "B5 insert, row trigger / plain" "$r_b5_row x" "" ""
	[ -z "$r_b6" ] || srow "B6 issue_all / INSERT ... SELECT" "$r_b6 x" "<= 1.3x" "$v_b6"
	[ -z "$r_b6_floor" ] || srow "B6 floor (writes only) / INSERT ... SELECT" "$r_b6_floor x" "" ""
	[ -z "$r_b8" ] || srow "B8 issue_all v2 / first issuance" "$r_b8 x" "<= 1x" "$v_b8"
	[ -z "$r_b10" ] || srow "B10 issue_all re-run / first issuance" "$r_b10 x" "<= 0.3x" "$v_b10"
	res "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	trap - ERR
	say "results written to ${OUT#"$ROOT"/}"
	exit 0
fi

# --only totals: B9 alone (the sum per group against hand-written CASE).
if [ "$ONLY" = totals ]; then
	r_b9='' r_b9_acc='' r_b9_cpu=''
	. "$ROOT/bench/totals.sh"
	bench_totals
	res "SUMMARY (--only totals; ratios of medians measured in this run)"
	srow "B9 four totals, README form / CASE" "$r_b9 x" "<= 1.0x" "$v_b9"
	srow "B9 the same, backend CPU time" "$r_b9_cpu x" "<= 1.0x" "$(verdict "$r_b9_cpu" "<=" 1.0)"
	srow "B9 per-accessor form / CASE" "$r_b9_acc x" "" ""
	res "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	trap - ERR
	say "results written to ${OUT#"$ROOT"/}"
	exit 0
fi

###########################################################################
# B1: the hot path.
###########################################################################
JIT_ON="SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;"
say "B1: round 1 over $ROWS_F orders, $((RUNS + 1)) rounds of 8 variants"
q_reset
q_add count "" "SELECT * FROM bench.b1_count"
q_add case "" "SELECT * FROM bench.b1_case"
q_add case_jit "$JIT_ON" "SELECT * FROM bench.b1_case"
q_add evaluate "" "SELECT * FROM bench.b1_evaluate"
q_add evaluate_jit "$JIT_ON" "SELECT * FROM bench.b1_evaluate"
q_add evaluate_table "" "SELECT * FROM bench.b1_evaluate_table"
q_add evaluate_row "" "SELECT * FROM bench.b1_evaluate_row"
q_add plpgsql "" "SELECT * FROM bench.b1_plpgsql"
session b1 "$RUNS"
same_results b1 evaluate case case_jit evaluate_jit evaluate_table evaluate_row plpgsql
[ "$(result_of b1 count)" = "$ROWS" ] || fail_run "B1: count(*) is $(result_of b1 count), not $ROWS"

m_count=$(median b1 count)
m_case=$(median b1 case)
m_case_jit=$(median b1 case_jit)
m_eval=$(median b1 evaluate)
m_eval_jit=$(median b1 evaluate_jit)
m_eval_table=$(median b1 evaluate_table)
m_eval_row=$(median b1 evaluate_row)
m_plpgsql=$(median b1 plpgsql)
best_case=$(awk -v a="$m_case" -v b="$m_case_jit" 'BEGIN { print (a < b) ? a : b }')
best_eval=$(awk -v a="$m_eval" -v b="$m_eval_jit" 'BEGIN { print (a < b) ? a : b }')
r_b1_case=$(calc "$best_eval / $best_case")
r_b1_case_net=$(calc "($best_eval - $m_count) / ($best_case - $m_count)")
r_b1_plpgsql=$(calc "$m_plpgsql / $best_eval")
r_b1_floor=$(calc "$best_eval / $m_count")
r_b1_row=$(calc "$m_eval_row / $m_eval")
v_b1_case=$(verdict "$r_b1_case" "<=" 1.25)
v_b1_plpgsql=$(verdict "$r_b1_plpgsql" ">=" 10)

res "B1  hot path: compensation.evaluate(round 1, o) over $ROWS_F orders, summed with compensation.sum"
res "    one backend (max_parallel_workers_per_gather = 0); median of $RUNS runs after a warm-up"
res "    evaluate(rules, o) is planned as _evaluate_columns(rules, ..., the columns the policy reads) (named columns);"
res "    evaluate(rules, ROW(o.*)::bench.orders) keeps the whole row as a composite datum"
res "    \"jit forced\": jit = on, jit_above_cost = jit_inline_above_cost = jit_optimize_above_cost = 0"
table_head
line "(c) floor: count(*)" "$m_count" "$ROWS" b1 count
line "(a) hand-written CASE, jit off" "$m_case" "$ROWS" b1 case
line "(a) hand-written CASE, jit forced" "$m_case_jit" "$ROWS" b1 case_jit
line "evaluate, policy a constant, jit off" "$m_eval" "$ROWS" b1 evaluate
line "evaluate, policy a constant, jit forced" "$m_eval_jit" "$ROWS" b1 evaluate_jit
line "evaluate, policy from a table" "$m_eval_table" "$ROWS" b1 evaluate_table
line "evaluate, whole row (ROW(o.*))" "$m_eval_row" "$ROWS" b1 evaluate_row
line "(b) PL/pgSQL function" "$m_plpgsql" "$ROWS" b1 plpgsql
res "  evaluate / CASE (best of each)            $r_b1_case x   target <= 1.25x: $v_b1_case" \
	"  same, net of the count(*) floor           $r_b1_case_net x" \
	"  PL/pgSQL / evaluate                       $r_b1_plpgsql x   target >= 10x: $v_b1_plpgsql" \
	"  evaluate / count(*) floor                 $r_b1_floor x" \
	"  whole row / named columns (jit off)       $r_b1_row x" \
	"  the backend's CPU time (median ms; what waiting for the cores does not inflate):" \
	"    count $(median_cpu b1 count), CASE $(median_cpu b1 case), evaluate $(median_cpu b1 evaluate), from a table $(median_cpu b1 evaluate_table), PL/pgSQL $(median_cpu b1 plpgsql)" \
	"  evaluate / CASE, CPU time (jit off)       $(calc "$(median_cpu b1 evaluate) / $(median_cpu b1 case)") x" \
	"  PL/pgSQL / evaluate, CPU time             $(calc "$(median_cpu b1 plpgsql) / $(median_cpu b1 evaluate)") x" \
	"  totals: identical in all 7 variants (bench.r1_lines form rule|kind|instrument|amount|days|count):"
sed 's/^/    /' "$TMP/b1/evaluate.1.res" | tee -a "$OUT"
res ""

profile b1 "B1 evaluate, 3 runs of the query" "SELECT * FROM bench.b1_evaluate; SELECT * FROM bench.b1_evaluate; SELECT * FROM bench.b1_evaluate"

###########################################################################
# B2: policy size.
###########################################################################
B2_ROWS_F=$(fmt_int "$B2_ROWS")
say "B2: 10, 100, 1,000 and 10,000-rule policies over $B2_ROWS_F orders"
# b2_sql POLICY [WHERE]: the B2 query; with "WHERE o.ctid = '(0,1)'", over
# one row: what a query costs whatever its rows (fetching the policy,
# binding it), which the per-row figure leaves out.
b2_sql() {
	echo "SELECT count(*) AS lines, sum(l.amount) AS amount, sum(l.count) AS awarded
	FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
	      FROM bench.orders_b2 o JOIN bench.policies p ON p.name = '$1' ${2:-}) t,
		compensation.lines(t.total) l"
}
q_reset
q_add count "" "SELECT count(*) FROM bench.orders_b2 o"
for n in 10 100 1000 10000; do
	q_add "b2-$n" "" "$(b2_sql "b2-$n")"
	q_add "b2-$n-one" "" "$(b2_sql "b2-$n" "WHERE o.ctid = '(0,1)'")"
done
session b2 "$RUNS"
# The totals, checked against plain SQL: a ticket of show K <= N gets 120%
# of its price, half-up.
for n in 10 100 1000 10000; do
	want=$(psql_v "SELECT count(DISTINCT show_id) || '|' || sum((price * 12 + 5) / 10) || '|' || count(*)
		FROM bench.orders_b2 WHERE show_id <= $n")
	got=$(result_of b2 "b2-$n")
	[ "$got" = "$want" ] || fail_run "B2: b2-$n gives $got (lines|amount|awarded), plain SQL gives $want"
done
m_b2_count=$(median b2 count)
res "B2  policy size: per-show rules, hit first (rule \"show-K\" when show_id = K credit deposit price * 120% round half_up end)"
res "    $B2_ROWS_F orders (bench.orders_b2: the first $B2_ROWS_F of bench.orders); policy from bench.policies; median of $RUNS runs"
table_head
line "floor: count(*)" "$m_b2_count" "$B2_ROWS" b2 count
m_b2_10=$(median b2 b2-10)
m_b2_100=$(median b2 b2-100)
m_b2_1000=$(median b2 b2-1000)
m_b2_10000=$(median b2 b2-10000)
line "10 rules" "$m_b2_10" "$B2_ROWS" b2 b2-10
line "100 rules" "$m_b2_100" "$B2_ROWS" b2 b2-100
line "1,000 rules" "$m_b2_1000" "$B2_ROWS" b2 b2-1000
line "10,000 rules" "$m_b2_10000" "$B2_ROWS" b2 b2-10000
m_b2_10_one=$(median b2 b2-10-one)
m_b2_1000_one=$(median b2 b2-1000-one)
m_b2_10000_one=$(median b2 b2-10000-one)
line "10 rules, one row: the cost per query" "$m_b2_10_one" 1 b2 b2-10-one
line "1,000 rules, one row" "$m_b2_1000_one" 1 b2 b2-1000-one
line "10,000 rules, one row" "$m_b2_10000_one" 1 b2 b2-10000-one
# Per row: the query over the sample less the same query over one row.
r_b2_1000=$(calc "($m_b2_1000 - $m_b2_1000_one) / ($m_b2_10 - $m_b2_10_one)")
r_b2_10000=$(calc "($m_b2_10000 - $m_b2_10000_one) / ($m_b2_10 - $m_b2_10_one)")
r_b2_1000_q=$(calc "$m_b2_1000 / $m_b2_10")
r_b2_10000_q=$(calc "$m_b2_10000 / $m_b2_10")
v_b2_1000=$(verdict "$r_b2_1000" "<=" 2)
v_b2_10000=$(verdict "$r_b2_10000" "<=" 3)
res "  per row (each query less its one-row cost):" \
	"  1,000 rules / 10 rules                    $r_b2_1000 x   target <= 2x: $v_b2_1000" \
	"  10,000 rules / 10 rules                   $r_b2_10000 x   target <= 3x: $v_b2_10000" \
	"  whole queries over the sample, the per-query cost included: 1,000 / 10 rules $r_b2_1000_q x, 10,000 / 10 rules $r_b2_10000_q x" \
	"  the same in the backend's CPU time: 1,000 / 10 rules $(calc "$(median_cpu b2 b2-1000) / $(median_cpu b2 b2-10)") x, 10,000 / 10 rules $(calc "$(median_cpu b2 b2-10000) / $(median_cpu b2 b2-10)") x" \
	"  totals: agree with plain SQL for every size (tickets of show K <= N: 120% of the price, half-up)" ""
profile b2 "B2 1,000 rules over the sample" "$(b2_sql b2-1000)"

# --only evaluate: B1 and B2 alone (the hot path and the policy size).
if [ "$ONLY" = evaluate ]; then
	res "SUMMARY (--only evaluate; ratios of medians measured in this run)"
	srow "B1 evaluate / hand-written CASE" "$r_b1_case x" "<= 1.25x" "$v_b1_case"
	srow "B1 PL/pgSQL / evaluate" "$r_b1_plpgsql x" ">= 10x" "$v_b1_plpgsql"
	srow "B1 evaluate / count(*) floor" "$r_b1_floor x" "" ""
	srow "B2 1,000 / 10 rules, per row" "$r_b2_1000 x" "<= 2x" "$v_b2_1000"
	srow "B2 10,000 / 10 rules, per row" "$r_b2_10000 x" "<= 3x" "$v_b2_10000"
	res "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	trap - ERR
	say "results written to ${OUT#"$ROOT"/}"
	exit 0
fi

###########################################################################
# B12: what-if (issue 12): a parameter overridden / the unmodified policy.
###########################################################################
say "B12: round 1 with its ticket rate as a parameter, unmodified and at 130%"
# Round 1 declares "param ticket_rate = 120%" and its ticket rule reads it
# (examples/yes24/yes24-round1.policy); the overridden policy is
# compensation.with_params(that, '{"ticket_rate": "130%"}').  Both are read
# from bench.policies by a scalar subquery (one with_params() call per
# query), as docs/policy-language.md teaches.
psql_b -c "DELETE FROM bench.policies WHERE name = 'b12-param'" \
	-c "INSERT INTO bench.policies (name, source, rules)
	    SELECT 'b12-param', source, rules FROM bench.policies WHERE name = 'yes24-round1'"
[ "$(psql_v "SELECT rules::text LIKE '%param ticket_rate = 120%' FROM bench.policies WHERE name = 'b12-param'")" = t ] ||
	fail_run "B12: the round 1 text did not take the parameter"
b12_sql() {
	echo "SELECT format('%s|%s|%s|%s|%s|%s', l.rule, l.kind, l.instrument, l.amount, l.days, l.count) AS line
	FROM (SELECT compensation.sum(compensation.evaluate(($1), o)) AS total FROM bench.orders o) t,
		compensation.lines(t.total) l ORDER BY 1"
}
q_reset
q_add unmodified "" "$(b12_sql "SELECT rules FROM bench.policies WHERE name = 'b12-param'")"
q_add at120 "" "$(b12_sql "SELECT compensation.with_params(rules, '{\"ticket_rate\": \"120%\"}') FROM bench.policies WHERE name = 'b12-param'")"
q_add at130 "" "$(b12_sql "SELECT compensation.with_params(rules, '{\"ticket_rate\": \"130%\"}') FROM bench.policies WHERE name = 'b12-param'")"
session b12 "$RUNS"
same_results b12 unmodified at120
cmp -s "$TMP/b12/unmodified.1.res" "$TMP/b1/evaluate.1.res" || fail_run "B12: the parameterized round 1 gives other totals than round 1"
cmp -s "$TMP/b12/unmodified.1.res" "$TMP/b12/at130.1.res" && fail_run "B12: 130% gives the same totals as 120%"
m_b12_un=$(median b12 unmodified)
m_b12_120=$(median b12 at120)
m_b12_130=$(median b12 at130)
r_b12=$(calc "$m_b12_130 / $m_b12_un")
v_b12=$(verdict "$r_b12" "<=" 1.1)
res "B12 what-if: round 1 with param ticket_rate = 120%, overridden by with_params(); $ROWS_F orders; median of $RUNS runs"
table_head
line "unmodified policy" "$m_b12_un" "$ROWS" b12 unmodified
line "with_params(ticket_rate: 120%), the same value" "$m_b12_120" "$ROWS" b12 at120
line "with_params(ticket_rate: 130%)" "$m_b12_130" "$ROWS" b12 at130
res "  130% / unmodified                           $r_b12 x   target <= 1.1x: $v_b12" \
	"  totals: the parameterized policy and with_params(120%) equal round 1's (B1); 130% differs" ""

###########################################################################
# B3: compile time, and compile once per query.
###########################################################################
say "B3: compile times, and per-row time against policy size"
compile_ms() {
	psql_v "SELECT format('%s|%s', percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), string_agg(round(ms::numeric, 1)::text, ' ' ORDER BY i))
		FROM bench.compile_ms((SELECT source FROM bench.policies WHERE name = '$1'), $RUNS) WITH ORDINALITY AS c(ms, i)
		WHERE i > 1"
}
psql_b <<'EOF'
-- bench.compile_ms(src, runs): the time (ms) of runs + 1 compilations of a
-- policy text into a ruleset (the first one is a warm-up).  src is a
-- variable, so each cast compiles at run time.
CREATE OR REPLACE FUNCTION bench.compile_ms(src text, runs int) RETURNS SETOF float8
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
	t0 timestamptz;
	n int;
BEGIN
	FOR i IN 0 .. runs LOOP
		t0 := clock_timestamp();
		n := compensation.rule_count(src::compensation.ruleset);
		RETURN NEXT extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
END
$$;
EOF
c_r1=$(compile_ms yes24-round1)
c_1000=$(compile_ms b2-1000)
c_10000=$(compile_ms b2-10000)
c_10000_ms=$(printf '%.1f' "${c_10000%%|*}")
v_b3_compile=$(verdict "$c_10000_ms" "<=" 50)
res "B3  compile: text -> compensation.ruleset (parse, build, validate), median of $RUNS after a warm-up"
resf "  %-34s %9.2f ms   runs: %s\n" "round 1 (12 rules, $(psql_v "SELECT length(source) FROM bench.policies WHERE name = 'yes24-round1'") bytes)" "${c_r1%%|*}" "${c_r1#*|}"
resf "  %-34s %9.2f ms   runs: %s\n" "1,000 rules ($(psql_v "SELECT length(source) FROM bench.policies WHERE name = 'b2-1000'") bytes)" "${c_1000%%|*}" "${c_1000#*|}"
resf "  %-34s %9.2f ms   runs: %s\n" "10,000 rules ($(psql_v "SELECT length(source) FROM bench.policies WHERE name = 'b2-10000'") bytes)" "$c_10000_ms" "${c_10000#*|}"
res "  10,000 rules: target <= 50 ms: $v_b3_compile"
profile b3 "B3 compiling the 10,000-rule policy 5 times" "SELECT count(*) FROM bench.compile_ms((SELECT source FROM bench.policies WHERE name = 'b2-10000'), 4)"

PAD10000=$(psql_v "SELECT source FROM bench.policies WHERE name = 'b3-pad-10000'")
b3_table() {
	echo "SELECT l.rule, l.amount, l.count
	FROM (SELECT compensation.sum(compensation.evaluate(p.rules, o)) AS total
	      FROM bench.orders o JOIN bench.policies p ON p.name = '$1' ${2:-}) t, compensation.lines(t.total) l"
}
q_reset
q_add pad0_table "" "$(b3_table b3-pad-0)"
q_add pad1000_table "" "$(b3_table b3-pad-1000)"
q_add pad10000_table "" "$(b3_table b3-pad-10000)"
q_add pad10000_const "" "SELECT l.rule, l.amount, l.count
	FROM (SELECT compensation.sum(compensation.evaluate(\$policy\$$PAD10000\$policy\$::compensation.ruleset, o)) AS total
	      FROM bench.orders o) t, compensation.lines(t.total) l"
# The same queries over one row (a TID scan): the cost per query.
q_add pad0_one "" "$(b3_table b3-pad-0 "WHERE o.ctid = '(0,1)'")"
q_add pad10000_one "" "$(b3_table b3-pad-10000 "WHERE o.ctid = '(0,1)'")"
session b3 "$RUNS"
same_results b3 pad0_table pad1000_table pad10000_table pad10000_const
same_results b3 pad0_one pad10000_one
[ "$(result_of b3 pad0_table)" = "all|$ROWS|$ROWS" ] || fail_run "B3: b3-pad-0 gives $(result_of b3 pad0_table), not all|$ROWS|$ROWS"
[ "$(result_of b3 pad0_one)" = "all|1|1" ] || fail_run "B3: b3-pad-0 over one row gives $(result_of b3 pad0_one), not all|1|1"
m_pad0=$(median b3 pad0_table)
m_pad1000=$(median b3 pad1000_table)
m_pad10000=$(median b3 pad10000_table)
m_pad10000c=$(median b3 pad10000_const)
m_pad0_one=$(median b3 pad0_one)
m_pad10000_one=$(median b3 pad10000_one)
r_b3_pad=$(calc "$m_pad10000 / $m_pad0")
r_b3_pad_net=$(calc "($m_pad10000 - $m_pad10000_one) / ($m_pad0 - $m_pad0_one)")
r_b3_padc_net=$(calc "($m_pad10000c - $c_10000_ms - $m_pad10000_one) / ($m_pad0 - $m_pad0_one)")
per_row_compile=$(calc "$c_10000_ms * $ROWS / 1000")
res "  compile once per query: policies of 1 + N rules whose first rule matches every row (hit first),"
res "  so evaluation per row is the same whatever N; only compiling or copying the policy per row would grow with N:"
table_head
line "N = 0 (98 bytes), from bench.policies" "$m_pad0" "$ROWS" b3 pad0_table
line "N = 1,000 (86 kB), from bench.policies" "$m_pad1000" "$ROWS" b3 pad1000_table
line "N = 10,000 (878 kB), from bench.policies" "$m_pad10000" "$ROWS" b3 pad10000_table
line "N = 10,000, a constant in the query text" "$m_pad10000c" "$ROWS" b3 pad10000_const
line "N = 0, one row: the cost per query" "$m_pad0_one" 1 b3 pad0_one
line "N = 10,000, one row: the cost per query" "$m_pad10000_one" 1 b3 pad10000_one
res "  N = 10,000 / N = 0 over $ROWS_F rows: $r_b3_pad x; per row, without the one-row query's cost: $r_b3_pad_net x" \
	"  (from the table); as a constant, without its one compile ($c_10000_ms ms, while planning) and the one-row cost: $r_b3_padc_net x." \
	"  Compiling per row would add $c_10000_ms ms x $ROWS_F rows = $per_row_compile s: zero per-row parsing." ""

###########################################################################
# B4: parallel.
###########################################################################
say "B4: 0 and 2 parallel workers"
PAR="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
q_reset
q_add evaluate_w0 "$PAR" "SELECT * FROM bench.b1_evaluate"
q_add evaluate_w2 "$PAR SET max_parallel_workers_per_gather = 2;" "SELECT * FROM bench.b1_evaluate"
q_add evaluate_w1 "$PAR SET max_parallel_workers_per_gather = 1;" "SELECT * FROM bench.b1_evaluate"
q_add case_w0 "$PAR" "SELECT * FROM bench.b1_case"
q_add case_w2 "$PAR SET max_parallel_workers_per_gather = 2;" "SELECT * FROM bench.b1_case"
session b4 "$RUNS"
same_results b4 evaluate_w0 evaluate_w2 evaluate_w1 case_w0 case_w2
cmp -s "$TMP/b4/evaluate_w2.1.res" "$TMP/b1/evaluate.1.res" || fail_run "B4: totals differ from B1's"
launched=$(psql_b -At -c "$BASE_SET $PAR SET max_parallel_workers_per_gather = 2;" \
	-c "EXPLAIN (ANALYZE, TIMING OFF) SELECT * FROM bench.b1_evaluate" | awk '/Workers Launched/ { print $3 }')
m_w0=$(median b4 evaluate_w0)
m_w2=$(median b4 evaluate_w2)
m_w1=$(median b4 evaluate_w1)
m_cw0=$(median b4 case_w0)
m_cw2=$(median b4 case_w2)
r_b4=$(calc "$m_w0 / $m_w2")
r_b4_case=$(calc "$m_cw0 / $m_cw2")
r_b4_w1=$(calc "$m_w0 / $m_w1")
v_b4=$(verdict "$r_b4" ">=" 1.6)
# What the machine itself gives: the same CPU-bound loop (awk) run alone,
# then as two processes at once; the throughput ratio bounds any speed-up
# two parallel processes can show here.
cpu_loop() { awk 'BEGIN { for (i = 0; i < 2e7; i++) s += i }'; }
ms_of() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
cpu_one=$(for i in 1 2 3; do ms_of cpu_loop; done | sort -n | sed -n 2p)
cpu_two=$(for i in 1 2 3; do ms_of bash -c "$(declare -f cpu_loop); cpu_loop & cpu_loop & wait"; done | sort -n | sed -n 2p)
r_cpu=$(calc "2 * $cpu_one / $cpu_two")
res "B4  parallel: the B1 evaluate query with 0 and 2 workers, workers launched: ${launched:-?}" \
	"    the machine: a CPU-bound loop takes $cpu_one ms alone and $cpu_two ms as two processes at once (medians of 3):" \
	"    two processes get $r_cpu x the throughput of one, the ceiling of any parallel speed-up here" \
	"    forced with: $PAR"
table_head
line "evaluate, 0 workers" "$m_w0" "$ROWS" b4 evaluate_w0
line "evaluate, 2 workers" "$m_w2" "$ROWS" b4 evaluate_w2
line "evaluate, 1 worker (and the leader)" "$m_w1" "$ROWS" b4 evaluate_w1
line "CASE, 0 workers (for comparison)" "$m_cw0" "$ROWS" b4 case_w0
line "CASE, 2 workers (for comparison)" "$m_cw2" "$ROWS" b4 case_w2
res "  speed-up with 2 workers: evaluate $r_b4 x (target >= 1.6x: $v_b4), CASE $r_b4_case x" \
	"  speed-up with 1 worker, the leader working too (two processes on two cores): evaluate $r_b4_w1 x" \
	"  totals: identical with 0 and 2 workers, and to B1's" ""

###########################################################################
# B5 and B6: the trigger and issue_all (issue 3).
###########################################################################
r_b5=
r_b5_row=
r_b6=
r_b6_floor=
. "$ROOT/bench/issue.sh"
bench_issue

###########################################################################
# B7: memory.
###########################################################################
B7_ROWS=$((ROWS * B7_PASSES))
B7_ROWS_F=$(fmt_int "$B7_ROWS")
say "B7: backend memory over $B7_ROWS_F evaluations"
mkdir -p "$TMP/b7"
chmod 0777 "$TMP/b7"
# shellcheck disable=SC2317  # called through with_backend
mem_watch() {
	local pid=$1 dir=$2
	while kill -0 "$pid" 2>/dev/null && [ ! -e "$dir/done" ]; do
		awk -v t="$(date +%s.%N)" '
			/^VmRSS|^VmHWM|^RssAnon|^RssShmem/ { v[$1] = $2 }
			END { if (length(v)) printf "%s %s %s %s %s\n", t, v["VmRSS:"], v["VmHWM:"], v["RssAnon:"], v["RssShmem:"] }
		' "/proc/$pid/status" >>"$dir/samples" 2>/dev/null || true
		sleep 0.02
	done
}
# enable_material = off: the passes rescan bench.orders rather than keep a
# copy of it in the backend's memory, which would hide what evaluate does.
B7_SET="SET max_parallel_workers_per_gather = 0; SET jit = off; SET enable_material = off;"
B7_QUERY="SELECT count(*), compensation.sum(compensation.evaluate('$(sed "s/'/''/g" "$ROUND1")'::compensation.ruleset, o)) IS NOT NULL
FROM bench.orders o CROSS JOIN generate_series(1, $B7_PASSES) g"
cat >"$TMP/b7/script.sql" <<EOF
$B7_SET
SELECT pg_backend_pid() \\g $TMP/b7/pid
SELECT count(*) FROM (SELECT compensation.evaluate('$(sed "s/'/''/g" "$ROUND1")'::compensation.ruleset, o) FROM bench.orders o LIMIT 10000) s;
\\! sleep 0.3; date +%s.%N > $TMP/b7/t_start
$B7_QUERY;
\\! date +%s.%N > $TMP/b7/t_end; sleep 0.3; touch $TMP/b7/done
EOF
with_backend b7 "$TMP/b7/script.sql" mem_watch
[ "$(sed -n 2p "$TMP/b7/out.txt")" = "$B7_ROWS|t" ] || fail_run "B7: unexpected result $(sed -n 2p "$TMP/b7/out.txt")"
ts=$(cat "$TMP/b7/t_start")
te=$(cat "$TMP/b7/t_end")
b7=$(awk -v ts="$ts" -v te="$te" '
	$1 < ts { before = $4; before_rss = $2 }
	$1 >= ts && $1 <= te { n++; t[n] = $1; a[n] = $4; r[n] = $2; if ($4 > maxa) maxa = $4; if ($3 > hwm) hwm = $3 }
	$1 > te && !after { after = $4 }
	END {
		if (n < 3) { print "too few samples"; exit }
		i10 = int(n * 0.1) + 1; i50 = int(n * 0.5) + 1; i90 = int(n * 0.9)
		printf "%d|%s|%s|%s|%s|%s|%s|%s|%s", n, before, a[i10], a[i50], a[i90], maxa, after, hwm, te - ts
	}' "$TMP/b7/samples")
IFS='|' read -r b7_n b7_before b7_10 b7_50 b7_90 b7_max b7_after b7_hwm b7_secs <<<"$b7"
b7_growth=$((b7_90 - b7_10))
if [ "$b7_growth" -le 1024 ]; then v_b7=MET; else v_b7=MISSED; fi
b7_plan=$(psql_b -At -c "$B7_SET" -c "EXPLAIN (COSTS OFF) $B7_QUERY" | sed 's/^ *//; s/^-> *//' | paste -sd '|' | sed 's/|/ <- /g')
res "B7  memory: RssAnon (the backend's private memory; shared buffers are RssShmem) sampled every 20 ms"
res "    from /proc/<backend pid>/status while evaluating round 1 over $B7_ROWS_F rows ($B7_PASSES pass(es) over bench.orders) in $(printf '%.1f' "$b7_secs") s, $b7_n samples;"
res "    plan: $b7_plan"
resf "  before (after a 10,000-row warm-up) %8s kB\n" "$b7_before"
resf "  at 10%% / 50%% / 90%% of the query    %8s / %s / %s kB\n" "$b7_10" "$b7_50" "$b7_90"
resf "  maximum during the query            %8s kB   (VmHWM %s kB)\n" "$b7_max" "$b7_hwm"
resf "  after the query                     %8s kB\n" "$b7_after"
res "  growth from 10% to 90% of the rows: $b7_growth kB: flat (<= 1 MB): $v_b7" ""

###########################################################################
# B11: simulate (issue 12).
###########################################################################
r_b11=
. "$ROOT/bench/simulate.sh"
bench_simulate
# B9: totals per group (issue 12).
###########################################################################
r_b9=
r_b9_acc=
r_b9_cpu=
. "$ROOT/bench/totals.sh"
bench_totals

###########################################################################
# Summary.
###########################################################################
# srow FIGURE VALUE TARGET VERDICT: one line of the summary.
res "SUMMARY (targets of issue 4; ratios of medians measured in this run)"
srow "B1 evaluate / hand-written CASE" "$r_b1_case x" "<= 1.25x" "$v_b1_case"
srow "B1 PL/pgSQL / evaluate" "$r_b1_plpgsql x" ">= 10x" "$v_b1_plpgsql"
srow "B1 evaluate / count(*) floor" "$r_b1_floor x" "" ""
srow "B1 whole row / named columns" "$r_b1_row x" "" ""
srow "B2 1,000 / 10 rules, per row" "$r_b2_1000 x" "<= 2x" "$v_b2_1000"
srow "B2 10,000 / 10 rules, per row" "$r_b2_10000 x" "<= 3x" "$v_b2_10000"
srow "B2 10,000 / 10 rules, whole query" "$r_b2_10000_q x" "" ""
srow "B12 what-if (130%) / unmodified" "$r_b12 x" "<= 1.1x" "$v_b12"
srow "B3 compile 10,000 rules" "$c_10000_ms ms" "<= 50 ms" "$v_b3_compile"
srow "B3 per row, 10,001 / 1 rules (pad)" "$r_b3_pad_net x" "~1x: once/query" "$(verdict "$r_b3_pad_net" "<=" 1.2)"
srow "B4 speed-up with 2 workers" "$r_b4 x" ">= 1.6x" "$v_b4"
srow "B4 speed-up, 1 worker + leader" "$r_b4_w1 x" "" ""
srow "B4 machine: 2 processes / 1, throughput" "$r_cpu x" "" ""
if [ -n "${r_b5:-}" ]; then
	srow "B5 insert, statement trigger / plain" "$r_b5 x" "<= 2x" "$v_b5"
	srow "B5 insert, row trigger / plain" "$r_b5_row x" "" ""
else
	srow "B5 trigger insert / plain insert" "skipped: not built yet" "" ""
fi
if [ -n "${r_b6:-}" ]; then srow "B6 issue_all / INSERT ... SELECT" "$r_b6 x" "<= 1.3x" "$v_b6"; else srow "B6 issue_all / INSERT ... SELECT" "skipped: not built yet" "" ""; fi
[ -z "${r_b6_floor:-}" ] || srow "B6 floor (writes only) / INSERT ... SELECT" "$r_b6_floor x" "" ""
if [ -n "${r_b8:-}" ]; then
	srow "B8 issue_all v2 / first issuance" "$r_b8 x" "<= 1x" "$v_b8"
	srow "B10 issue_all re-run / first issuance" "$r_b10 x" "<= 0.3x" "$v_b10"
fi
srow "B7 RssAnon growth over $B7_ROWS_F rows" "$b7_growth kB" "flat" "$v_b7"
srow "B11 simulate / policy a constant" "$r_b11 x" "<= 1.2x" "$v_b11"
srow "B9 four totals, README form / CASE" "$r_b9 x" "<= 1.0x" "$v_b9"
srow "B9 the same, backend CPU time" "$r_b9_cpu x" "<= 1.0x" "$(verdict "$r_b9_cpu" "<=" 1.0)"
srow "B9 per-accessor form / CASE" "$r_b9_acc x" "" ""
res "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
trap - ERR
say "results written to ${OUT#"$ROOT"/}"
