#!/usr/bin/env bash
# examples/yes24/demo.sh: the YES24 case, end to end, on a throwaway cluster.
#
#   sudo bash examples/yes24/demo.sh          build, install, start, load, evaluate, summarise
#   sudo bash examples/yes24/demo.sh stop     stop the demo cluster (its data stays in .cluster/)
#   sudo bash examples/yes24/demo.sh clean    stop it and delete .cluster/
#
# On a Debian 12 machine it installs the packages it lacks, builds and
# installs the extension, starts a PostgreSQL 15 cluster whose data lives in
# .cluster/ of this checkout (git ignores it; Unix socket in .cluster/, no
# TCP), creates the database yes24 with yes24_data.sql (120,000 orders of
# every service, 30,000 members), defines the policies yes24-round1.policy
# and yes24-round2.policy (all three next to this script), evaluates round 1
# over every order and round 2 over every member, publishes and issues both
# into the ledger, defines a what-if version 2 of round 1 (tickets refunded
# at 130%, a draft: nothing issued), and ends with a readable summary: per
# rule the rows awarded and the totals, the ledger checked against the
# evaluation, the worked examples, what the what-if changes.  It writes a
# self-contained HTML report (report.sql: inline SVG charts of the cost per
# rule and per service, the version history, the diff of the last two
# versions; no JavaScript) to .demo/report.html and prints its path.
# Package installation and compiler output go to .demo/demo.log, not the
# terminal (its last lines are shown if a step fails).
# The cluster keeps running so that you can explore; the last lines say how
# to connect and how to stop it.  Running it again rebuilds, restarts the
# same cluster and recreates the yes24 database from scratch.
set -Eeuo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
HERE=$ROOT/examples/yes24
. "$ROOT/scripts/cluster.sh"

CLUSTER=$ROOT/.cluster
PORT=${COMPENSATION_DEMO_PORT:-54330}
DB=yes24
ROUND1=$HERE/yes24-round1.policy
ROUND2=$HERE/yes24-round2.policy
# What the demo writes for its reader: the log of the noisy steps and the
# HTML report.  Outside .cluster/, which is private to root and postgres.
OUT=${COMPENSATION_DEMO_OUT:-$ROOT/.demo}
LOG=$OUT/demo.log
REPORT=$OUT/report.html

psql_demo() {
	"$PG_BIN/psql" -X -h "$CLUSTER" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@"
}

case "${1:-run}" in
stop)
	cluster_need_root "$HERE/demo.sh" "$@"
	if [ -d "$CLUSTER/data" ] && cluster_running "$CLUSTER"; then
		cluster_stop "$CLUSTER"
		say "demo cluster stopped (data kept in $CLUSTER; 'bash examples/yes24/demo.sh clean' deletes it)"
	else
		say "demo cluster is not running"
	fi
	exit 0
	;;
clean)
	cluster_need_root "$HERE/demo.sh" "$@"
	[ -d "$CLUSTER/data" ] && cluster_stop "$CLUSTER"
	rm -rf "$CLUSTER"
	say "removed $CLUSTER"
	exit 0
	;;
run) ;;
*)
	echo "usage: bash examples/yes24/demo.sh [run|stop|clean]" >&2
	exit 2
	;;
esac

cluster_need_root "$HERE/demo.sh" "$@"
trap 'warn "the demo stopped on an error (see above; the log of the build: $LOG). If the cluster started, it still runs: bash examples/yes24/demo.sh stop"' ERR

if [ ! -f "$ROUND1" ] || [ ! -f "$ROUND2" ]; then die "missing $ROUND1 or $ROUND2"; fi

mkdir -p "$OUT"
chmod 0755 "$OUT"
: >"$LOG"
# logged STEP CMD...: run a noisy step with its output in the log; on
# failure show the log's end and stop.
logged() {
	local step=$1
	shift
	say "$step (output in ${LOG#"$ROOT"/})"
	printf '\n===== %s: %s\n' "$(date '+%H:%M:%S')" "$step" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		warn "$step failed; the end of $LOG:"
		tail -n 40 "$LOG" >&2
		die "$step failed"
	fi
}
logged "checking the packages (postgresql-15, its server headers, a C compiler)" \
	cluster_packages postgresql-15 postgresql-server-dev-15 build-essential
logged "building and installing the extension" cluster_build

###########################################################################
# The cluster: reuse .cluster/ if it holds a PostgreSQL 15 cluster, else
# make a new one.  Always (re)start it so that it loads the library just
# installed.
###########################################################################
cluster_traversable "$ROOT"
if [ -f "$CLUSTER/data/PG_VERSION" ] && [ "$(cat "$CLUSTER/data/PG_VERSION")" = "$PG_MAJOR" ]; then
	say "reusing the cluster in $CLUSTER (restarting it)"
	cluster_stop "$CLUSTER"
else
	say "creating a cluster in $CLUSTER"
	if [ -d "$CLUSTER/data" ]; then cluster_stop "$CLUSTER" || true; fi
	rm -rf "$CLUSTER"
	mkdir -p "$CLUSTER"
	cluster_init "$CLUSTER"
fi
cluster_start "$CLUSTER" "$PORT"
say "cluster running: socket $CLUSTER/.s.PGSQL.$PORT, log $CLUSTER/server.log"

###########################################################################
# The data and the policies.
###########################################################################
PGOPTIONS='-c client_min_messages=warning' psql_demo -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
say "loading examples/yes24/yes24_data.sql into $DB"
psql_demo -q -d "$DB" -f "$HERE/yes24_data.sql"

say "defining the policies"
psql_demo -q -o /dev/null -d "$DB" -v round1="$(cat "$ROUND1")" -v round2="$(cat "$ROUND2")" \
	-v file1="examples/yes24/$(basename "$ROUND1")" -v file2="examples/yes24/$(basename "$ROUND2")" <<'SQL'
CREATE EXTENSION compensation;
CREATE TABLE public.policies (
	name   text PRIMARY KEY,
	file   text NOT NULL,
	source text NOT NULL,
	rules  compensation.ruleset NOT NULL
);
COMMENT ON TABLE public.policies IS 'the YES24 policies of the demo, source and compiled';
INSERT INTO public.policies (name, file, source, rules)
SELECT compensation.policy_name(r), f, s, r
FROM (VALUES (:'file1', :'round1'), (:'file2', :'round2')) AS v(f, s),
	LATERAL (SELECT s::compensation.ruleset AS r) c;

-- The same policies as versioned data, published: what issuance pays from.
SELECT compensation.define_incident('yes24-ransomware-2025-06',
	'YES24 ransomware outage, 2025-06-09 .. 2025-06-13 KST');
SELECT compensation.define_policy(:'round1', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round1');
SELECT compensation.define_policy(:'round2', 'yes24-ransomware-2025-06');
SELECT compensation.publish('yes24-round2');
SQL

###########################################################################
# Evaluate: round 1 per order, round 2 per member.  Only rows that get
# something are kept.
###########################################################################
say "evaluating yes24-round1 over orders and yes24-round2 over members"
t0=$(date +%s%N)
psql_demo -q -d "$DB" <<'SQL'
CREATE TABLE public.order_awards AS
SELECT o.order_id, o.member_id, o.service, a.award
FROM public.orders o
CROSS JOIN (SELECT rules FROM public.policies WHERE name = 'yes24-round1') p
CROSS JOIN LATERAL (SELECT compensation.evaluate(p.rules, o) AS award) a
WHERE NOT compensation.is_empty(a.award);
ALTER TABLE public.order_awards ADD PRIMARY KEY (order_id);
COMMENT ON TABLE public.order_awards IS 'what yes24-round1 awards each order (orders that get nothing are left out)';

CREATE TABLE public.member_awards AS
SELECT m.member_id, a.award
FROM public.members m
CROSS JOIN (SELECT rules FROM public.policies WHERE name = 'yes24-round2') p
CROSS JOIN LATERAL (SELECT compensation.evaluate(p.rules, m) AS award) a
WHERE NOT compensation.is_empty(a.award);
ALTER TABLE public.member_awards ADD PRIMARY KEY (member_id);
COMMENT ON TABLE public.member_awards IS 'what yes24-round2 awards each member (members who get nothing are left out)';
ANALYZE public.order_awards;
ANALYZE public.member_awards;
SQL
t1=$(date +%s%N)
elapsed_ms=$(((t1 - t0) / 1000000))

###########################################################################
# Issue: pay both rounds into the ledger, exactly once, in committed
# batches (compensation.issue_all).  Running it again would add nothing.
###########################################################################
say "issuing yes24-round1 over orders and yes24-round2 over members into the ledger"
t0=$(date +%s%N)
psql_demo -q -d "$DB" <<'SQL'
SET client_min_messages = warning;
CALL compensation.issue_all('yes24-round1', 'public.orders', 'order_id', 20000);
CALL compensation.issue_all('yes24-round2', 'public.members', 'member_id', 20000);
SQL
t1=$(date +%s%N)
issue_ms=$(((t1 - t0) / 1000000))

###########################################################################
# A what-if: round 1 with tickets refunded at 130% instead of 120%, as a
# draft version 2 (nothing is issued from a draft).  The summary and the
# report show what it would change (compensation.diff_totals, diff).
###########################################################################
say "defining a what-if draft: yes24-round1 version 2, tickets at 130%"
psql_demo -q -o /dev/null -d "$DB" -v round1="$(cat "$ROUND1")" <<'SQL'
-- round 1 declares the rate as a parameter: with_params, no text edit
SELECT compensation.define_policy(
  compensation.with_params(:'round1'::compensation.ruleset, '{"ticket_rate": "130%"}')::text,
  'yes24-ransomware-2025-06');
SQL

###########################################################################
# The HTML report.
###########################################################################
say "writing the HTML report"
psql_demo -q -d "$DB" -f "$HERE/report.sql" -o "$REPORT"
chmod 0644 "$REPORT"

###########################################################################
# The summary.
###########################################################################
echo
psql_demo -q -d "$DB" -P footer=off -v elapsed_ms="$elapsed_ms" -v issue_ms="$issue_ms" <<'SQL'
\pset null ''
SET TimeZone = 'Asia/Seoul';
-- 1234567 -> '1,234,567'; 12.5 -> '12.5'
CREATE FUNCTION pg_temp.money(numeric) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT rtrim(to_char($1, 'FM999G999G999G999G999G990D999'), '.') $$;
\echo '=================================================================='
\echo ' YES24 ransomware outage, June 2025: what the two plans award'
\echo '=================================================================='
SELECT (SELECT count(*) FROM public.orders) AS orders,
       (SELECT count(*) FROM public.members) AS members,
       (SELECT count(*) FROM public.order_awards) AS orders_awarded,
       (SELECT count(*) FROM public.member_awards) AS members_awarded,
       :elapsed_ms AS evaluate_and_store_ms,
       (SELECT count(*) FROM compensation.ledger) AS ledger_lines,
       :issue_ms AS issue_ms;

-- One table per round: per rule, the rows it awards and the totals of
-- compensation.sum(award), line by line (kind and instrument).
\echo
\echo '--- Round 1 (2025-06-16), per order: yes24-round1 over orders ---'
WITH per_rule AS (
	SELECT l.rule, count(DISTINCT a.order_id) AS rows_awarded
	FROM public.order_awards a CROSS JOIN LATERAL compensation.lines(a.award) l
	GROUP BY l.rule
), totals AS (
	SELECT l.*
	FROM (SELECT compensation.sum(award) AS s FROM public.order_awards) t
	CROSS JOIN LATERAL compensation.lines(t.s) l
)
SELECT t.rule, r.rows_awarded AS "rows", t.kind, t.instrument,
       pg_temp.money(coalesce(t.amount_major, t.amount)) AS total,
       coalesce(t.currency, CASE WHEN t.amount IS NOT NULL THEN t.instrument END) AS unit,
       t.days AS days_extended, t.count AS lines
FROM totals t JOIN per_rule r USING (rule)
ORDER BY t.rule, t.kind, t.instrument;

\echo
\echo '--- Round 2 (2025-06-17), once per member: yes24-round2 over members ---'
WITH per_rule AS (
	SELECT l.rule, count(DISTINCT a.member_id) AS rows_awarded
	FROM public.member_awards a CROSS JOIN LATERAL compensation.lines(a.award) l
	GROUP BY l.rule
), totals AS (
	SELECT l.*
	FROM (SELECT compensation.sum(award) AS s FROM public.member_awards) t
	CROSS JOIN LATERAL compensation.lines(t.s) l
)
SELECT t.rule, r.rows_awarded AS "rows", t.kind, t.instrument,
       pg_temp.money(coalesce(t.amount_major, t.amount)) AS total,
       coalesce(t.currency, CASE WHEN t.amount IS NOT NULL THEN t.instrument END) AS unit,
       t.days AS days, t.count AS lines
FROM totals t JOIN per_rule r USING (rule)
ORDER BY t.rule, t.kind, t.instrument;

\echo
\echo '--- Both rounds, per instrument ---'
SELECT l.kind, l.instrument,
       pg_temp.money(coalesce(sum(l.amount_major), sum(l.amount))) AS total,
       coalesce(min(l.currency), CASE WHEN sum(l.amount) IS NOT NULL THEN l.instrument END) AS unit, sum(l.days) AS days, sum(l.count) AS lines
FROM (SELECT compensation.sum(award) AS s FROM public.order_awards
      UNION ALL
      SELECT compensation.sum(award) FROM public.member_awards) t
CROSS JOIN LATERAL compensation.lines(t.s) l
GROUP BY l.kind, l.instrument
ORDER BY l.kind, l.instrument;

\echo
\echo '--- The ledger against the evaluation: what was paid is what is owed ---'
WITH evaluated AS (
	SELECT 'yes24-round1' AS policy, l.rule, l.kind, l.instrument, l.amount, l.days, l.count
	FROM (SELECT compensation.sum(award) AS s FROM public.order_awards) t,
	     LATERAL compensation.lines(t.s) l
	UNION ALL
	SELECT 'yes24-round2', l.rule, l.kind, l.instrument, l.amount, l.days, l.count
	FROM (SELECT compensation.sum(award) AS s FROM public.member_awards) t,
	     LATERAL compensation.lines(t.s) l
), paid AS (
	-- compensation.issued_totals: per version, the lines still owed
	SELECT policy, rule, kind, instrument, sum(open_amount) AS amount, sum(open_days) AS days,
	       sum(open_lines) AS count
	FROM compensation.issued_totals GROUP BY policy, rule, kind, instrument
), cmp AS (
	SELECT coalesce(e.policy, p.policy) AS policy, coalesce(e.rule, p.rule) AS rule,
	       coalesce(e.kind, p.kind) AS kind, coalesce(e.instrument, p.instrument) AS instrument,
	       e.amount AS evaluated, p.amount AS in_ledger, e.days AS days_evaluated, p.days AS days_in_ledger,
	       e.count AS lines_evaluated, p.count AS lines_in_ledger,
	       e.amount IS NOT DISTINCT FROM p.amount AND e.days IS NOT DISTINCT FROM p.days
	           AND e.count IS NOT DISTINCT FROM p.count AS agree
	FROM evaluated e FULL JOIN paid p
	  ON (e.policy, e.rule, e.kind, e.instrument) = (p.policy, p.rule, p.kind, p.instrument)
)
\pset tuples_only on
SELECT format('%s of %s rule totals agree (amount, days, lines)', count(*) FILTER (WHERE agree), count(*))
	|| CASE WHEN bool_and(agree) THEN ': the ledger holds exactly what the policies award.'
	   ELSE E': DIFFERENCES:\n' || string_agg(format('  %s %s %s %s: evaluated %s / %s days / %s lines, ledger %s / %s days / %s lines',
		policy, rule, kind, instrument, evaluated, days_evaluated, lines_evaluated,
		in_ledger, days_in_ledger, lines_in_ledger), E'\n') FILTER (WHERE NOT agree) END AS " "
FROM cmp;
\pset tuples_only off

\echo
\echo '--- The worked examples of the case (examples/yes24/README.md), as the sample rows get them ---'
SELECT CASE WHEN x.n = 1 THEN x.example END AS example,
       CASE WHEN x.n = 1 THEN x.expected END AS "the case expects",
       x.rule, x.line AS "the policy awards"
FROM (
	SELECT w.id, w.example, w.expected, l.rule, coalesce(l.n, 1) AS n,
		CASE WHEN l.rule IS NULL THEN '(nothing)' ELSE compensation.describe_line(l.kind, l.instrument,
			l.amount, l.currency, l.days, l.new_date, l.window_kind, l.window_from, l.window_until,
			l.note, 'Asia/Seoul') END AS line
	FROM public.worked_examples w
	LEFT JOIN public.order_awards oa ON w.tbl = 'orders' AND oa.order_id = w.id
	LEFT JOIN public.member_awards ma ON w.tbl = 'members' AND ma.member_id = w.id
	LEFT JOIN LATERAL compensation.lines(coalesce(oa.award, ma.award)) WITH ORDINALITY AS l(
		rule, kind, instrument, amount, amount_major, currency, days, new_date,
		window_kind, window_from, window_until, note, count, bearer, n) ON true
) x
ORDER BY x.id, x.n;

\echo
\echo '--- What-if: version 2 of yes24-round1 (a draft), tickets refunded at 130% instead of 120% ---'
SELECT rule, kind, instrument, rows_changed AS "orders that change",
       pg_temp.money(old_amount) AS "version 1", pg_temp.money(new_amount) AS "version 2",
       pg_temp.money(delta) AS difference, currency
FROM compensation.diff_totals('yes24-round1', 1, 2, 'public.orders')
WHERE rows_gained + rows_lost + rows_changed > 0
ORDER BY rule, kind, instrument;
SQL

CONNECT="psql -h $CLUSTER -p $PORT -U postgres $DB"
cat <<EOF

==================================================================
The HTML report (charts of the cost per rule and per service, the version
history, the what-if diff), self-contained; open it in a browser:

    $REPORT

The log of the package and build steps: $LOG

The demo cluster keeps running.  Connect (as root; otherwise prefix sudo,
the socket folder is private to root and postgres):

    $CONNECT

Things to try:
    SELECT name, compensation.rule_count(rules) FROM policies;
    SELECT rules FROM policies WHERE name = 'yes24-round1';   -- canonical form
    SELECT * FROM order_awards WHERE service = 'ticket' LIMIT 5;
    SELECT l.* FROM order_awards a, compensation.lines(a.award) l WHERE a.order_id = 9000040;
    SELECT e.* FROM orders o, policies p, compensation.explain(p.rules, o) e
      WHERE p.name = 'yes24-round1' AND o.order_id = 9000050;
    SELECT status, what, reason FROM compensation.customer_lines WHERE subject = '9000040';
    SELECT * FROM compensation.customer_pending('yes24-round1', 'orders', 'order_id', '9000010');
    SELECT * FROM compensation.diff('yes24-round1', 1, 2, 'orders', 'order_id') LIMIT 10;

Stop it:    bash examples/yes24/demo.sh stop     (as root, or with sudo)
Delete it:  bash examples/yes24/demo.sh clean
==================================================================
EOF
