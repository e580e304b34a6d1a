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
#        pg_regress      test/sql/*.sql + test/expected/*.out  (make installcheck)
#        isolation       test/specs/*.spec                      (pg_isolation_regress)
#        pgTAP           test/pgtap/*.sql, each in a fresh database (pg_prove)
#        Perl TAP        test/t/*.pl                            (prove)
#        benchmark smoke bench/smoke.sh
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
# parallel group) and `... FAILED` (anything but `ok` is a failure, such as
# `... diff: ...expected/x.out: No such file`); PostgreSQL 16 and later print TAP lines
# `ok 1 - name` / `not ok 1 - name`.  Both are understood.
# Sets FOUND to how many results it found.
FOUND=0
count_pg_regress() {
	local file=$1 suite=$2 line name n=0
	while IFS= read -r line; do
		if [[ $line =~ ^(test[[:space:]]+|[[:space:]]+)([^[:space:]]+)[[:space:]]+\.\.\.[[:space:]]+([^[:space:]]+) ]]; then
			name=${BASH_REMATCH[2]}
			if [ "${BASH_REMATCH[3]}" = ok ]; then pass; else fail "$suite: $name"; fi
			n=$((n + 1))
		elif [[ $line =~ ^ok[[:space:]]+[0-9]+[[:space:]]+-?[[:space:]]*([^[:space:]]+) ]]; then
			pass
			n=$((n + 1))
		elif [[ $line =~ ^not\ ok[[:space:]]+[0-9]+[[:space:]]+-?[[:space:]]*([^[:space:]]+) ]]; then
			fail "$suite: ${BASH_REMATCH[1]}"
			n=$((n + 1))
		fi
	done <"$file"
	FOUND=$n
}

# settle_pg_regress SUITE OUTDIR RC LOG: count a pg_regress-style run and
# print its diffs when something failed.
settle_pg_regress() {
	local suite=$1 outdir=$2 rc=$3 log=$4 before=$FAIL
	count_pg_regress "$log" "$suite"
	if [ "$FOUND" -eq 0 ]; then
		fail "$suite: no test results (pg_regress exit $rc)"
	elif [ "$rc" -ne 0 ] && [ "$FAIL" -eq "$before" ]; then
		fail "$suite: pg_regress exit $rc"
	fi
	if [ "$FAIL" -ne "$before" ]; then
		local diffs
		for diffs in "$outdir/regression.diffs" "$ROOT/test/regression.diffs"; do
			if [ -s "$diffs" ]; then
				say "$suite: differences ($diffs)"
				cat "$diffs"
				break
			fi
		done
	fi
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
regress_tests=(test/sql/*.sql)
if [ ${#regress_tests[@]} -gt 0 ]; then
	say "pg_regress: ${#regress_tests[@]} test file(s)"
	rm -rf test/results test/regression.diffs test/regression.out
	mkdir -p test/results
	make PG_CONFIG="$PG_CONFIG_BIN" installcheck \
		PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" >"$TMP/regress.log" 2>&1
	rc=$?
	cat "$TMP/regress.log"
	settle_pg_regress "pg_regress" "$ROOT/test/results" "$rc" "$TMP/regress.log"
else
	say "pg_regress: no test/sql/*.sql, skipped"
fi

###########################################################################
specs=(test/specs/*.spec)
ISOLATION=$PGXS_DIR/src/test/isolation/pg_isolation_regress
if [ ${#specs[@]} -gt 0 ]; then
	if [ -x "$ISOLATION" ]; then
		names=()
		for s in "${specs[@]}"; do names+=("$(basename "$s" .spec)"); done
		say "isolation: ${#names[@]} spec(s)"
		mkdir -p test/results/isolation
		"$ISOLATION" --inputdir=test --outputdir=test/results/isolation \
			--bindir="$PG_BIN" --dbname=isolation_regression \
			"${names[@]}" >"$TMP/isolation.log" 2>&1
		rc=$?
		cat "$TMP/isolation.log"
		settle_pg_regress "isolation" "$ROOT/test/results/isolation" "$rc" "$TMP/isolation.log"
	else
		echo
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo "!!! ISOLATION TESTS NOT RUN: $ISOLATION is missing."
		echo "!!! ${#specs[@]} spec(s) in test/specs count as ONE failure."
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		echo
		fail "isolation: pg_isolation_regress missing"
	fi
else
	say "isolation: no test/specs/*.spec, skipped"
fi

###########################################################################
tap_files=(test/pgtap/*.sql)
if [ ${#tap_files[@]} -gt 0 ]; then
	say "pgTAP: ${#tap_files[@]} file(s), each in a fresh database"
	psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
	if psql_q -d postgres -c "DROP DATABASE IF EXISTS compensation_tap_template" \
		-c "CREATE DATABASE compensation_tap_template" >"$TMP/tap-setup.log" 2>&1 &&
		psql_q -d compensation_tap_template -c "CREATE EXTENSION pgtap" \
			-c "CREATE EXTENSION compensation" >>"$TMP/tap-setup.log" 2>&1; then
		for f in "${tap_files[@]}"; do
			psql_q -d postgres -c "DROP DATABASE IF EXISTS compensation_tap" \
				-c "CREATE DATABASE compensation_tap TEMPLATE compensation_tap_template" >/dev/null 2>&1
			if pg_prove -v -d compensation_tap "$f" >"$TMP/tap.log" 2>&1; then
				pass
				echo "$f .. ok ($(grep -cE '^ok ' "$TMP/tap.log") tests)"
			else
				fail "pgTAP: $f"
				grep -vE '^ok ' "$TMP/tap.log"
			fi
		done
	else
		cat "$TMP/tap-setup.log"
		for f in "${tap_files[@]}"; do fail "pgTAP: $f (could not create pgtap + compensation)"; done
	fi
else
	say "pgTAP: no test/pgtap/*.sql, skipped"
fi

###########################################################################
if [ ${#perl_tests[@]} -gt 0 ]; then
	say "Perl TAP: ${#perl_tests[@]} file(s)"
	# PostgreSQL::Test::Cluster runs initdb, which refuses root: run as postgres,
	# from a copy of the checkout that postgres can read, with its own tmp_check.
	mkdir -p "$TMP/perl/tmp_check"
	cp -a "$ROOT/test" "$TMP/perl/test"
	chown -R postgres:postgres "$TMP/perl"
	for f in "${perl_tests[@]}"; do
		if (cd "$TMP/perl" && runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER \
			TESTDIR="$TMP/perl" PATH="$PG_BIN:$PATH" \
			PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress" \
			prove -I "$PGXS_DIR/src/test/perl" -I test/t "$f"); then
			pass
		else
			fail "Perl TAP: $f"
			for l in "$TMP"/perl/tmp_check/log/*; do
				[ -f "$l" ] && { say "log $l (last 40 lines)"; tail -n 40 "$l"; }
			done
		fi
	done
else
	say "Perl TAP: no test/t/*.pl, skipped"
fi

###########################################################################
if [ -f bench/smoke.sh ]; then
	say "benchmark smoke: bench/smoke.sh"
	if PGDATABASE=postgres bash bench/smoke.sh; then pass; else fail "benchmark smoke: bench/smoke.sh"; fi
else
	say "benchmark smoke: no bench/smoke.sh, skipped"
fi

finish
