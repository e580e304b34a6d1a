# shellcheck shell=bash disable=SC2153  # sourced by bench/run.sh, which sets RUNS, ROOT, ...
# bench/totals.sh: B9 (issue 12), sourced by bench/run.sh after B7; it uses
# run.sh's helpers (psql_b, q_add, session, median, line, res...).
#
# B9: four instrument totals per service (deposit, points, fee, days of
#     sub_end) over bench.orders, written as the README teaches (the policy
#     read once by a scalar subquery, compensation.sum per service, the
#     accessors on each sum: bench.b9_readme) against the same totals
#     written by hand as CASE expressions (bench.b9_case); with, for
#     comparison, the sum joined to bench.policies, the sum of a constant
#     policy, and the per-accessor form the README warns about (accessors
#     over a subquery of awards, which PostgreSQL flattens into one
#     evaluate() per accessor).  The views are in bench/totals.sql; every
#     variant must give the same lines.
#
# bench_totals sets r_b9/v_b9 (README form / CASE), r_b9_cpu (the same in
# the backend's CPU time) and r_b9_acc (per-accessor form / CASE) for
# run.sh's summary.

bench_totals() {
	say "B9: four totals per service over $ROWS_F orders, $((RUNS + 1)) rounds of 5 variants"
	psql_b -v round1="$(cat "$ROUND1")" -f "$ROOT/bench/totals.sql"
	q_reset
	q_add case "" "SELECT * FROM bench.b9_case"
	q_add readme "" "SELECT * FROM bench.b9_readme"
	q_add join "" "SELECT * FROM bench.b9_join"
	q_add const "" "SELECT * FROM bench.b9_const"
	q_add accessor "" "SELECT * FROM bench.b9_accessor"
	session b9 "$RUNS"
	same_results b9 case readme join const accessor
	local m_case m_readme m_join m_const m_acc
	m_case=$(median b9 case)
	m_readme=$(median b9 readme)
	m_join=$(median b9 join)
	m_const=$(median b9 const)
	m_acc=$(median b9 accessor)
	local c_case c_readme c_join c_const c_acc
	c_case=$(median_cpu b9 case)
	c_readme=$(median_cpu b9 readme)
	c_join=$(median_cpu b9 join)
	c_const=$(median_cpu b9 const)
	c_acc=$(median_cpu b9 accessor)
	r_b9=$(calc "$m_readme / $m_case")
	r_b9_cpu=$(calc "$c_readme / $c_case")
	r_b9_acc=$(calc "$m_acc / $m_case")
	v_b9=$(verdict "$r_b9" "<=" 1.0)
	res "B9  four totals per service (deposit, points, fee, sub_end days) over $ROWS_F orders, median of $RUNS runs"
	table_head
	line "hand-written CASE (the rules that feed them)" "$m_case" "$ROWS" b9 case
	line "README: sum per service, policy read once" "$m_readme" "$ROWS" b9 readme
	line "sum per service, policy joined" "$m_join" "$ROWS" b9 join
	line "sum per service, policy a constant" "$m_const" "$ROWS" b9 const
	line "per-accessor form (flattened)" "$m_acc" "$ROWS" b9 accessor
	res "  README form / CASE                        $r_b9 x   target <= 1.0x: $v_b9" \
		"  policy joined / CASE                      $(calc "$m_join / $m_case") x" \
		"  policy a constant / CASE                  $(calc "$m_const / $m_case") x" \
		"  per-accessor form / CASE                  $r_b9_acc x" \
		"  the backend's CPU time (median ms; what waiting for the cores does not inflate):" \
		"    CASE $c_case, README $c_readme, joined $c_join, constant $c_const, per-accessor $c_acc" \
		"  README form / CASE, CPU time              $r_b9_cpu x   target <= 1.0x: $(verdict "$r_b9_cpu" "<=" 1.0)" \
		"  totals: identical in all 5 variants (service|deposit|points|fee|sub_end days):"
	sed 's/^/    /' "$TMP/b9/case.1.res" | tee -a "$OUT"
	res ""
}
