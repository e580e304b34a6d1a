#!/usr/bin/env bash
# scripts/test.sh: THE test command of compensation.  `.ci/run` runs exactly this.
#
#   sudo bash scripts/test.sh        (or, as root: bash scripts/test.sh)
#
# On a Debian 12 machine it
#   1. installs the packages it needs, only those dpkg does not list;
#   2. builds the extension from clean with -Wall -Wextra -Werror and installs it;
#   3. starts a throwaway PostgreSQL 15 cluster in a mktemp folder (Unix socket
#      only, owned by the postgres user), and stops and removes it on exit;
#   4. runs every suite that exists:
#        pg_regress      sql/*.sql + expected/*.out   (make installcheck ISOLATION=)
#        isolation       specs/*.spec                 (make installcheck REGRESS=)
#        pgTAP           test/pgtap/*.sql             (make installcheck-pgtap)
#        docs            README.md, docs/*.md         (make installcheck-docs)
#        Perl TAP        test/t/*.pl                  (make installcheck-tap, as postgres)
#        other suites    scripts/package_test.sh (Debian package, PGXN,
#                        versions), test/fuzz/run.sh (libFuzzer, short run),
#                        test/citus/run.sh, test/fdw/run.sh (multi-node)
#        benchmark smoke bench/smoke.sh
#      The Makefile declares every suite; this script only prepares the
#      machine and the cluster, and counts.
#   5. ends with the line `N passed, N failed` and exits non-zero if anything
#      failed (a failed build counts as one failure and stops the run).
#
# Counting: each pg_regress and isolation test counts once (from pg_regress's
# own "... ok" / "... FAILED" lines), each pgTAP file once, each Perl TAP file
# once, the benchmark smoke once.  A suite that fails without naming a test
# (it could not connect, say) counts as one failure.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"
cluster_need_root "$ROOT/scripts/test.sh" "$@"

PORT=${COMPENSATION_TEST_PORT:-54329}
PASS=0
FAIL=0
FAILED=()
TMP=

pass() { PASS=$((PASS + 1)); }
fail() {
	FAIL=$((FAIL + 1))
	FAILED+=("$1")
}

cleanup() {
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		cluster_stop "$TMP" >/dev/null 2>&1
		rm -rf "$TMP"
	fi
	TMP=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
	cleanup
	echo
	if [ ${#FAILED[@]} -gt 0 ]; then
		say "failed:"
		printf '      %s\n' "${FAILED[@]}"
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

# count_pg_regress FILE SUITE: add pg_regress's per-test results to the
# totals.  PostgreSQL 15 prints `test name ... ok 12 ms` (or indented inside a
# parallel group) and `... FAILED`; anything but `ok` is a failure, such as
# `... diff: ...: No such file`.  PostgreSQL 16 and later print TAP lines
# `ok 1 - name` / `not ok 1 - name`.  Both are understood.  Records the names
# seen in SEEN (name -> 1).
declare -A SEEN
count_pg_regress() {
	local file=$1 suite=$2 line name
	SEEN=()
	while IFS= read -r line; do
		if [[ $line =~ ^(test[[:space:]]+|[[:space:]]+)([^[:space:]]+)[[:space:]]+\.\.\.[[:space:]]+([^[:space:]]+) ]]; then
			name=${BASH_REMATCH[2]}
			SEEN[$name]=1
			if [ "${BASH_REMATCH[3]}" = ok ]; then pass; else fail "$suite: $name"; fi
		elif [[ $line =~ ^ok[[:space:]]+[0-9]+[[:space:]]+-?[[:space:]]*([^[:space:]]+) ]]; then
			SEEN[${BASH_REMATCH[1]}]=1
			pass
		elif [[ $line =~ ^not\ ok[[:space:]]+[0-9]+[[:space:]]+-?[[:space:]]*([^[:space:]]+) ]]; then
			SEEN[${BASH_REMATCH[1]}]=1
			fail "$suite: ${BASH_REMATCH[1]}"
		fi
	done <"$file"
}

# run_regress_suite SUITE OUTDIR RUNNER: run a pg_regress-style suite over
# the test names in NAMES (global array); RUNNER is a command to which test
# names are appended, writing its results under OUTDIR.
#  - a test with no expected/NAME.out counts as failed; it is run first,
#    alone (pg_regress would stop the whole run at it), so that its output
#    OUTDIR/results/NAME.out can be reviewed and copied to expected/;
#  - then the others run together: every test pg_regress reports counts
#    once, and a test it never reached counts as failed;
#  - on failure the diffs are printed.
run_regress_suite() {
	local suite=$1 outdir=$2 runner=$3
	local have=() missing=() n rc before=$FAIL
	for n in "${NAMES[@]}"; do
		if [ -f "expected/$n.out" ]; then have+=("$n"); else missing+=("$n"); fi
	done
	mkdir -p "$outdir"
	for n in "${missing[@]}"; do
		fail "$suite: $n (no expected/$n.out)"
		echo "!!! $suite: $n has no expected/$n.out: FAILED; running it alone for review"
		"$runner" "$n" >"$TMP/$suite-$n.log" 2>&1
		if [ -f "$outdir/results/$n.out" ]; then
			echo "!!! its output, to review and copy to expected/$n.out: $outdir/results/$n.out"
		else
			cat "$TMP/$suite-$n.log"
		fi
	done
	[ ${#have[@]} -gt 0 ] || return 0
	"$runner" "${have[@]}" >"$TMP/$suite.log" 2>&1
	rc=$?
	cat "$TMP/$suite.log"
	count_pg_regress "$TMP/$suite.log" "$suite"
	for n in "${have[@]}"; do
		[ -n "${SEEN[$n]:-}" ] || fail "$suite: $n (did not run; exit status $rc)"
	done
	if [ "$rc" -ne 0 ] && [ "$FAIL" -eq "$before" ]; then
		fail "$suite: exit status $rc"
	fi
	if [ "$FAIL" -ne "$before" ] && [ -s "$outdir/regression.diffs" ]; then
		say "$suite: differences ($outdir/regression.diffs)"
		cat "$outdir/regression.diffs"
	fi
}

# The runners: the Makefile's targets, one suite at a time (an empty REGRESS
# or ISOLATION turns the other suite off); the names to run come last.
# shellcheck disable=SC2317  # called through run_regress_suite
regress_runner() {
	make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck ISOLATION= REGRESS="$*"
}
# shellcheck disable=SC2317
isolation_runner() {
	make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck REGRESS= ISOLATION="$*"
}

###########################################################################
say "compensation test run in $ROOT"
packages=(postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
	libtap-parser-sourcehandler-pgtap-perl build-essential)
shopt -s nullglob
perl_tests=(test/t/*.pl)
[ ${#perl_tests[@]} -gt 0 ] && packages+=(libipc-run-perl)
cluster_packages "${packages[@]}" || {
	fail "install packages"
	finish
}

###########################################################################
if ! cluster_build; then
	fail "build (make with -Werror, or make install)"
	finish
fi

###########################################################################
TMP=$(mktemp -d /tmp/compensation-test.XXXXXX)
say "throwaway cluster in $TMP (socket $TMP/.s.PGSQL.$PORT)"
if ! cluster_init "$TMP" || ! cluster_start "$TMP" "$PORT"; then
	fail "start a throwaway cluster"
	finish
fi
export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGSERVICE PGOPTIONS PGPASSWORD

###########################################################################
regress_tests=(sql/*.sql)
rm -rf results output_iso regression.diffs regression.out
if [ ${#regress_tests[@]} -gt 0 ]; then
	say "pg_regress: ${#regress_tests[@]} test file(s)"
	NAMES=()
	for t in "${regress_tests[@]}"; do NAMES+=("$(basename "$t" .sql)"); done
	run_regress_suite pg_regress "$ROOT" regress_runner
else
	say "pg_regress: no sql/*.sql, skipped"
fi

###########################################################################
specs=(specs/*.spec)
ISOLATION=$PGXS_DIR/src/test/isolation/pg_isolation_regress
if [ ${#specs[@]} -gt 0 ]; then
	if [ -x "$ISOLATION" ]; then
		NAMES=()
		for s in "${specs[@]}"; do NAMES+=("$(basename "$s" .spec)"); done
		say "isolation: ${#NAMES[@]} spec(s)"
		run_regress_suite isolation "$ROOT/output_iso" isolation_runner
	else
		echo
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo "!!! ISOLATION TESTS NOT RUN: $ISOLATION is missing."
		echo "!!! ${#specs[@]} spec(s) in specs/ count as ONE failure."
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo
		fail "isolation: pg_isolation_regress missing"
	fi
else
	say "isolation: no specs/*.spec, skipped"
fi

###########################################################################
tap_files=(test/pgtap/*.sql)
if [ ${#tap_files[@]} -gt 0 ]; then
	say "pgTAP: ${#tap_files[@]} file(s), each in a fresh database"
	for f in "${tap_files[@]}"; do
		if make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck-pgtap PGTAP_TESTS="$f" >"$TMP/tap.log" 2>&1; then
			pass
			echo "$f .. ok ($(grep -cE '^ok ' "$TMP/tap.log") tests)"
		else
			fail "pgTAP: $f"
			grep -vE '^ok ' "$TMP/tap.log"
		fi
	done
else
	say "pgTAP: no test/pgtap/*.sql, skipped"
fi

###########################################################################
# The docs test: each Markdown file counts once (test/docs/run.pl prints
# "ok N - FILE" or "not ok N - FILE" and why).
say "docs: the SQL blocks of README.md and docs/*.md (make installcheck-docs)"
make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck-docs >"$TMP/docs.log" 2>&1
docs_rc=$?
cat "$TMP/docs.log"
docs_counted=0
while IFS= read -r line; do
	if [[ $line =~ ^ok\ [0-9]+\ -\ ([^[:space:]]+) ]]; then
		pass
		docs_counted=1
	elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ ([^[:space:]]+) ]]; then
		fail "docs: ${BASH_REMATCH[1]}"
		docs_counted=1
	fi
done <"$TMP/docs.log"
if [ "$docs_rc" -ne 0 ] && [ "$docs_counted" = 0 ]; then fail "docs: exit status $docs_rc"; fi

###########################################################################
if [ ${#perl_tests[@]} -gt 0 ]; then
	say "Perl TAP: ${#perl_tests[@]} file(s)"
	# The TAP tests start their own clusters with initdb, which refuses root:
	# run them as postgres, from a copy of the checkout that postgres owns.
	mkdir -p "$TMP/perl"
	cp -a "$ROOT/." "$TMP/perl/src"
	chown -R postgres:postgres "$TMP/perl"
	for f in "${perl_tests[@]}"; do
		if (cd "$TMP/perl/src" && runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER \
			make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck-tap TAP_TESTS_PL="$f"); then
			pass
		else
			fail "Perl TAP: $f"
			for l in "$TMP"/perl/src/tmp_check/log/*; do
				[ -f "$l" ] && { say "log $l (last 40 lines)"; tail -n 40 "$l"; }
			done
		fi
	done
else
	say "Perl TAP: no test/t/*.pl, skipped"
fi

###########################################################################
# The other suites, each a script that prepares what it needs, exits
# non-zero on failure and counts once: the release checks (Debian package,
# PGXN metadata, versions), the fuzzers' short run, the multi-node suites.
# A suite that cannot run here (no vendored Citus source) says so and
# passes; it never skips silently.
other_suites=(scripts/package_test.sh test/fuzz/run.sh test/citus/run.sh test/fdw/run.sh)
for suite in "${other_suites[@]}"; do
	[ -f "$suite" ] || continue
	say "suite: $suite"
	if COMPENSATION_INSTALL_LOCK_HELD=${COMPENSATION_INSTALL_LOCK_HELD:-} bash "$suite" >"$TMP/suite.log" 2>&1; then
		pass
		tail -n 3 "$TMP/suite.log"
	else
		fail "suite: $suite"
		tail -n 60 "$TMP/suite.log"
	fi
done

###########################################################################
if [ -f bench/smoke.sh ]; then
	say "benchmark smoke: bench/smoke.sh"
	if PGDATABASE=postgres bash bench/smoke.sh; then pass; else fail "benchmark smoke: bench/smoke.sh"; fi
else
	say "benchmark smoke: no bench/smoke.sh, skipped"
fi

finish
