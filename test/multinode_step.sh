# test/multinode_step.sh: the timed steps the multi-node suites (test/citus,
# test/fdw) share.  Source it after scripts/cluster.sh and after defining
# psql_node I ARGS... (psql on node I) and ROOT.  A suite may add psql
# variables its SQL reads to STEP_VARS (as -v name=value arguments).
FAILS=0
TIMES=()
declare -A MS
STEP_VARS=()

# step KEY LABEL [NODE]: run stdin's SQL on NODE (0: the node queries go
# to), db yes24 (or $STEP_DB), timed; the SQL asserts with public.expect(label, ok,
# detail), which raises on a mismatch.  Shows its messages (expect()
# reports with INFO), not its rows; counts a failure in FAILS.
step() {
	local key=$1 label=$2 node=${3:-0} t0 out rc ms
	t0=$(date +%s%N)
	out=$(psql_node "$node" -d "${STEP_DB:-yes24}" -v round1="$(cat "$ROOT/examples/yes24/yes24-round1.policy")" \
		-v round2="$(cat "$ROOT/examples/yes24/yes24-round2.policy")" "${STEP_VARS[@]}" 2>&1 >/dev/null)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	MS[$key]=$ms
	TIMES+=("$(printf '%-62s %7d ms' "$label" "$ms")")
	if [ -n "$out" ]; then printf '%s\n' "$out" | sed 's/^/    /'; fi
	if [ $rc -ne 0 ]; then
		FAILS=$((FAILS + 1))
		warn "FAILED: $label"
	else
		say "$label: $ms ms"
	fi
	return $rc
}
