#!/usr/bin/env bash
# test/fuzz/run.sh [SECONDS]: build the libFuzzer targets and run each for
# SECONDS (default 15; four targets, so about a minute in all; FUZZ_TARGETS
# names fewer).
#
# For every target it first replays the inputs kept in regress/<target>/
# (crashes found before, fixed since), then fuzzes from the seed corpus
# (made fresh from policies/, sql/*.sql and docs/*.md) into a scratch
# corpus.  It prints, per target, the executions, the coverage (libFuzzer's
# "cov:" edges and "ft:" features), exec/s and the corpus size, and exits
# non-zero if any target crashed, leaked, hit undefined behaviour, broke a
# property, or took more than 10 s on one input (the input is then in
# build/artifacts/<target>/).
#
# Needs (Debian 12): clang-14, libclang-rt-14-dev (the libFuzzer and
# sanitizer runtimes), postgresql-server-dev-15 (headers, libpgcommon.a,
# libpgport.a), make, perl.  Run as root, it installs what is missing.
#
# The run is reproducible: libFuzzer's random choices come from a fixed
# seed, FUZZ_SEED (default 1), so a run of the same code and seeds explores
# the same inputs, and the short run of the test command fails on a change,
# not on the luck of the day.  FUZZ_SEED=0 lets libFuzzer pick one (long
# runs, to look further).
#
# Long runs: see README.md in this folder.
set -uo pipefail

SECONDS_PER_TARGET=${1:-15}
cd "$(dirname "$0")" || exit 1
TARGETS="${FUZZ_TARGETS:-parse ruleset_value award_recv ruleset_recv}"
SEED=${FUZZ_SEED:-1}
case $SEED in '' | *[!0-9]*) echo "fuzz: FUZZ_SEED must be a number (0: random)" >&2; exit 2 ;; esac
PKGS="clang-14 libclang-rt-14-dev postgresql-server-dev-15 make perl"

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "fuzz: installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null || exit 1
	else
		echo "fuzz: missing packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
		exit 1
	fi
fi

echo "fuzz: building (seed $SEED)"
make -s -j"$(nproc)" all >build.log 2>&1 || { cat build.log; exit 1; }
make -s seeds 2>&1 | sed 's/^/fuzz: /' || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1
rc=0
total_execs=0
for t in $TARGETS; do
	bin=build/fuzz_$t
	corpus=build/corpus-run/$t
	art=build/artifacts/$t/
	log=build/logs/run-$t.log
	rm -rf "$corpus"
	mkdir -p "$corpus" "$art" build/logs

	if [ -d "regress/$t" ] && [ -n "$(ls -A "regress/$t")" ]; then
		if ! "$bin" -timeout=10 "regress/$t"/* >"$log.regress" 2>&1; then
			echo "fuzz: $t: a kept regression input fails again:"
			grep -E 'ERROR|FAILED|runtime error|LEAK|SUMMARY|Running:' "$log.regress" | head -20
			rc=1
			continue
		fi
		echo "fuzz: $t: $(ls "regress/$t" | wc -l) regression inputs pass"
	fi

	dict=()
	case $t in parse | ruleset_recv) dict=(-dict=policy.dict) ;; esac
	"$bin" -seed="$SEED" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" \
		"$corpus" "build/seeds/$t" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(echo "$last" | grep -o 'cov: [0-9]*' | cut -d' ' -f2)
	ft=$(echo "$last" | grep -o 'ft: [0-9]*' | cut -d' ' -f2)
	corp=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9A-Za-z]*' | cut -d' ' -f2)
	printf 'fuzz: %-14s %8s execs  cov: %-5s ft: %-6s exec/s: %-6s corpus: %s\n' \
		"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${speed:-?}" "${corp:-?}"
	total_execs=$((total_execs + ${execs:-0}))
	if [ $status -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $status); log: test/fuzz/$log"
		grep -E -A3 'FUZZ PROPERTY FAILED|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error|LEAK:|deadly signal|timeout|out-of-memory|Test unit written' "$log" | head -30
		rc=1
	fi
done
echo "fuzz: $total_execs executions in all; $([ $rc = 0 ] && echo ok || echo FAILED)"
exit $rc
