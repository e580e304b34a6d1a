# shellcheck shell=bash disable=SC2153  # sourced by bench/run.sh, which sets RUNS, ROOT, ...
# bench/simulate.sh: B11 (issue 12), sourced by bench/run.sh after B7 (it
# uses run.sh's helpers: psql_b, q_add, session, median, line, res...).
#
# B11: compensation.simulate() of round 1 over bench.orders, in each of its
#      forms (a published policy by name, a version, a ruleset value), vs the
#      same totals written by hand with the policy as a constant of the query
#      (sum(evaluate('...'::ruleset, o)) and lines()).  0.1.0's simulate read
#      the policy with rules() once per row (15-28x); every form now reads it
#      once per call.  The totals of every variant must be identical.
#
# bench_simulate sets r_b11/v_b11 for run.sh's summary.

bench_simulate() {
	local quoted
	say "B11: simulate round 1 over $ROWS_F orders, $((RUNS + 1)) rounds of 4 variants"
	psql_b -v round1="$(cat "$ROUND1")" <<'SQL'
SET client_min_messages = warning;
SELECT compensation.define_policy(:'round1');
SELECT compensation.publish('yes24-round1');
SQL
	quoted=$(sed "s/'/''/g" "$ROUND1")
	q_reset
	q_add constant "" "SELECT l.rule, l.kind, l.instrument, l.count, l.amount, l.days
FROM (SELECT compensation.sum(compensation.evaluate('$quoted'::compensation.ruleset, o)) AS s
      FROM bench.orders o) t, compensation.lines(t.s) l ORDER BY 1, 2, 3"
	q_add by_name "" "SELECT rule, kind, instrument, rows_awarded, amount, days
FROM compensation.simulate('yes24-round1', 'bench.orders')"
	q_add by_version "" "SELECT rule, kind, instrument, rows_awarded, amount, days
FROM compensation.simulate('yes24-round1', 1, 'bench.orders')"
	q_add by_ruleset "" "SELECT rule, kind, instrument, rows_awarded, amount, days
FROM compensation.simulate((SELECT rules FROM bench.policies WHERE name = 'yes24-round1'), 'bench.orders')"
	session b11 "$RUNS"
	same_results b11 constant by_name by_version by_ruleset

	local m_const m_name m_version m_ruleset worst
	m_const=$(median b11 constant)
	m_name=$(median b11 by_name)
	m_version=$(median b11 by_version)
	m_ruleset=$(median b11 by_ruleset)
	worst=$(awk -v a="$m_name" -v b="$m_version" -v c="$m_ruleset" 'BEGIN { m = a; if (b > m) m = b; if (c > m) m = c; print m }')
	r_b11=$(calc "$worst / $m_const")
	v_b11=$(verdict "$r_b11" "<=" 1.2)
	res "B11 simulate: compensation.simulate(round 1, 'bench.orders') over $ROWS_F orders vs the same totals"
	res "    written by hand with the policy a constant of the query; one backend; median of $RUNS runs"
	table_head
	line "hand-written, policy a constant" "$m_const" "$ROWS" b11 constant
	line "simulate('yes24-round1', table)" "$m_name" "$ROWS" b11 by_name
	line "simulate('yes24-round1', 1, table)" "$m_version" "$ROWS" b11 by_version
	line "simulate(ruleset from a table, table)" "$m_ruleset" "$ROWS" b11 by_ruleset
	res "  slowest simulate form / hand-written      $r_b11 x   target <= 1.2x: $v_b11" \
		"  totals: identical in all 4 variants (rule|kind|instrument|rows|amount|days):"
	sed 's/^/    /' "$TMP/b11/constant.1.res" | tee -a "$OUT"
	res ""
}
