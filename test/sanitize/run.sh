#!/usr/bin/env bash
# test/sanitize/run.sh: the regression suites with the extension checked by a
# sanitizer, in a PRIVATE copy of PostgreSQL 15 (issue 8, "Sanitizers").
#
#   sudo bash test/sanitize/run.sh [ubsan|valgrind]     (default: ubsan)
#
#   ubsan     the extension is built with -fsanitize=undefined (and
#             -fno-wrapv, so that UBSan sees signed overflow in our code; the
#             server itself keeps -fwrapv); the server runs with libubsan
#             preloaded.  Finds signed overflow, bad shifts, misaligned or
#             NULL access, out-of-bounds array indexes, bad enum/bool loads.
#             Takes 40 to 90 seconds on 2 cores.
#   valgrind  the extension is built as usual (-O2 -g); the postmaster and every
#             backend run under valgrind memcheck: reads and writes outside
#             malloc'd blocks, use of uninitialised values.  Takes about
#             20 minutes on 2 cores (pg_regress 24x to 100x slower).
#
# Not offered: AddressSanitizer.  Debian's postgres binary with libasan
# preloaded (gcc 12's and clang 14's runtime alike) deadlocks before main's
# first line of work (in glibc's bindtextdomain, on _nl_state_lock): even
# `postgres -V` hangs.  An ASan run needs a PostgreSQL built from source
# with -fsanitize=address; valgrind covers the same out-of-bounds class here.
#
# Why a private copy: there is one PostgreSQL 15 on the machine, shared by
# every checkout; a sanitized compensation.so installed there would break
# everybody else's tests.  Debian's PostgreSQL is relocatable (it finds its
# share and lib directories relative to its binaries), so the script copies
# /usr/lib/postgresql/15, /usr/share/postgresql/15 and
# /usr/include/postgresql into a mktemp folder, and builds, installs and tests
# there, from a copy of this checkout (the checkout's own objects stay
# untouched).  Nothing is installed into the system's PostgreSQL and no lock
# is needed.
#
# What runs: pg_regress (sql/ + expected/) and isolation (specs/), i.e.
# `make installcheck`, and the pgTAP files when pg_prove is present.
#
# What counts as a finding (exit status 1):
#   * an ASan/UBSan report, or a valgrind error, whose stack names our code
#     (compensation.so or a src/*.c file);
#   * a backend killed by a signal (server.log);
#   * a failing test (the suites must still pass under the sanitizer).
# Reports that name only PostgreSQL are listed, not counted: the server is
# not built for valgrind (no USE_VALGRIND), so its own allocator is opaque.
# All reports and logs are kept in the printed folder.
#
# Environment: COMPENSATION_TEST_PORT (default 54339), KEEP=1 keeps the whole
# temporary folder (cluster, copies), not only the reports.
set -uo pipefail
# The whole script is one block, read before it runs: bash reads a script as
# it goes, and an edit to this file during a 30-minute valgrind run would
# otherwise change the rest of that run.
{

MODE=${1:-ubsan}
case $MODE in ubsan | valgrind) ;; *)
	echo "usage: $0 [ubsan|valgrind]" >&2
	exit 2
	;;
esac

cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
SYS_PG=/usr/lib/postgresql/15
[ -x "$SYS_PG/bin/pg_config" ] || {
	echo "no PostgreSQL 15 in $SYS_PG" >&2
	exit 2
}

TMP=$(mktemp -d /tmp/compensation-san.XXXXXX)
chmod 0755 "$TMP"
PRIV=$TMP/pg
. "$ROOT/scripts/cluster.sh"
cluster_need_root "$ROOT/test/sanitize/run.sh" "$@"

PORT=${COMPENSATION_TEST_PORT:-54339}
REPORTS=$TMP/reports
CL=$TMP/cluster
SRC=$TMP/src
START=$(date +%s)

cleanup() {
	[ -d "$CL/data" ] && cluster_stop "$CL" >/dev/null 2>&1
	if [ "${KEEP:-0}" != 1 ]; then
		rm -rf "$PRIV" "$CL/data" "$SRC"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

###########################################################################
say "private PostgreSQL 15 copy in $PRIV"
mkdir -p "$PRIV/usr/lib/postgresql" "$PRIV/usr/share/postgresql" "$PRIV/usr/include"
cp -a "$SYS_PG" "$PRIV/usr/lib/postgresql/" &&
	cp -a /usr/share/postgresql/15 "$PRIV/usr/share/postgresql/" &&
	cp -a /usr/include/postgresql "$PRIV/usr/include/" || die "copying PostgreSQL failed"
# cluster.sh's helpers (initdb, pg_ctl) use the copy's binaries from here on.
PG_CONFIG_BIN=$PRIV/usr/lib/postgresql/15/bin/pg_config
PG_BIN=$PRIV/usr/lib/postgresql/15/bin
[ "$("$PG_CONFIG_BIN" --pkglibdir)" = "$PRIV/usr/lib/postgresql/15/lib" ] ||
	die "the copy is not relocatable: its pg_config says pkglibdir=$("$PG_CONFIG_BIN" --pkglibdir)"
rm -f "$PRIV/usr/lib/postgresql/15/lib/compensation.so" \
	"$PRIV"/usr/share/postgresql/15/extension/compensation*

###########################################################################
# Build from a copy of the checkout, so that sanitized objects never land in
# the checkout (a later plain `make install` would install them).
mkdir -p "$SRC" "$REPORTS"
cp -a "$ROOT/." "$SRC/"
cd "$SRC" || exit 2
make -s PG_CONFIG="$PG_CONFIG_BIN" clean >/dev/null
case $MODE in
ubsan)
	# -fsanitize-recover: keep going after a report, so that one run lists
	# every finding rather than the first (the reports still fail the run).
	# -fno-wrapv after the server's -fwrapv: signed overflow in our code is a
	# finding, not a wrap.
	SAN_CFLAGS="-fsanitize=undefined -fsanitize-recover=all -fno-omit-frame-pointer -fno-wrapv -O1 -g"
	;;
valgrind)
	# The server's own -O2 -g: -O1 trips a -Wmaybe-uninitialized false
	# positive in eval.c (CI builds at -O2, and -Werror stays on).
	SAN_CFLAGS="-fno-omit-frame-pointer"
	;;
esac
say "building with PG_CFLAGS=\"$CI_CFLAGS $SAN_CFLAGS\""
make -s PG_CONFIG="$PG_CONFIG_BIN" PG_CFLAGS="$CI_CFLAGS $SAN_CFLAGS" >"$REPORTS/build.log" 2>&1 || {
	cat "$REPORTS/build.log"
	die "build failed"
}
make -s PG_CONFIG="$PG_CONFIG_BIN" install >/dev/null || die "make install (into the copy) failed"
[ -f "$PRIV/usr/lib/postgresql/15/lib/compensation.so" ] || die "compensation.so did not land in the copy"
# A run that checks nothing must not pass: the installed module must call
# the UBSan runtime.
if [ "$MODE" = ubsan ] &&
	[ "$(nm -D --undefined-only "$PRIV/usr/lib/postgresql/15/lib/compensation.so" | grep -c __ubsan_handle_)" -eq 0 ]; then
	die "compensation.so is not instrumented (no __ubsan_handle_* symbols)"
fi

###########################################################################
mkdir -p "$CL"
chown postgres:postgres "$REPORTS"
say "cluster in $CL (socket $CL/.s.PGSQL.$PORT), mode $MODE"
cluster_init "$CL" || die "initdb failed"
OPTS="-c listen_addresses='' -c unix_socket_directories='$CL' -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
case $MODE in
ubsan)
	# The server is not instrumented: preload the runtime so that the
	# extension's calls into it resolve when the server loads it.  UBSan
	# reads UBSAN_OPTIONS from /proc/self/environ when it first reports,
	# and by then PostgreSQL has written its process title over that memory,
	# so options such as log_path or print_stacktrace are lost: a report is
	# one line on stderr, i.e. in server.log, "src/FILE.c:LINE:COL: runtime
	# error: ...", which names the place exactly.  Each place is reported
	# once a process.
	as_postgres env LD_PRELOAD="$(gcc -print-file-name=libubsan.so)" \
		"$PG_BIN/pg_ctl" -D "$CL/data" -l "$CL/server.log" -w -t 120 -o "$OPTS" start >/dev/null ||
		{
			cat "$CL/server.log" >&2
			die "the server did not start"
		}
	;;
valgrind)
	# pg_ctl -p names the postmaster executable: a wrapper that runs the real
	# one under valgrind.  Backends are forks of it, so they are checked too.
	cat >"$TMP/postgres-valgrind" <<WRAP
#!/bin/sh
exec valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=yes \\
  --num-callers=40 --error-limit=no --leak-check=no --fullpath-after= \\
  --suppressions=$ROOT/test/sanitize/valgrind.supp \\
  --log-file=$REPORTS/valgrind.%p $PG_BIN/postgres "\$@"
WRAP
	chmod 0755 "$TMP/postgres-valgrind"
	as_postgres "$PG_BIN/pg_ctl" -p "$TMP/postgres-valgrind" -D "$CL/data" -l "$CL/server.log" -w -t 600 \
		-o "$OPTS -c max_connections=20" start >/dev/null ||
		{
			cat "$CL/server.log" >&2
			die "the server did not start under valgrind"
		}
	;;
esac
export PGHOST=$CL PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGSERVICE PGOPTIONS PGPASSWORD

###########################################################################
FAIL=0
say "make installcheck (pg_regress + isolation)"
if make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck >"$REPORTS/installcheck.log" 2>&1; then
	cat "$REPORTS/installcheck.log"
else
	cat "$REPORTS/installcheck.log"
	say "installcheck FAILED"
	for d in regression.diffs output_iso/regression.diffs; do
		[ -f "$d" ] && cp "$d" "$REPORTS/$(echo "$d" | tr / _)" && cat "$d"
	done
	FAIL=1
fi
if command -v pg_prove >/dev/null 2>&1 && ls test/pgtap/*.sql >/dev/null 2>&1; then
	say "make installcheck-pgtap"
	if ! make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck-pgtap >"$REPORTS/pgtap.log" 2>&1; then
		grep -vE '^ok ' "$REPORTS/pgtap.log"
		say "pgTAP FAILED"
		FAIL=1
	else
		say "pgTAP: $(grep -cE '^ok ' "$REPORTS/pgtap.log") checks ok"
	fi
fi
cluster_stop "$CL"
cp "$CL/server.log" "$REPORTS/server.log"

###########################################################################
# Findings.  A report names our code when a stack frame is in
# compensation.so or in one of our source files (valgrind prints full source
# paths, --fullpath-after=, so that src/NAME.c is ours and PostgreSQL's
# src/backend/... is not).
OURS='compensation\.so|(^|[ /])src/[a-z_]+\.[ch]:'
shopt -s nullglob
ours=0
others=0
if [ "$MODE" = ubsan ]; then
	grep -E 'runtime error:' "$CL/server.log" | sort | uniq -c | sort -rn >"$REPORTS/ubsan.txt"
	if [ -s "$REPORTS/ubsan.txt" ]; then
		say "UBSan reports (count, place, message):"
		cat "$REPORTS/ubsan.txt"
		ours=$(grep -Ec "$OURS" "$REPORTS/ubsan.txt")
		others=$(grep -Evc "$OURS" "$REPORTS/ubsan.txt")
	fi
fi
for f in "$REPORTS"/valgrind.*; do
	if [ "$MODE" = valgrind ]; then
		# An empty valgrind log (--quiet) is a clean process.
		grep -q '^==[0-9]*== [A-Z]' "$f" || continue
	fi
	[ -s "$f" ] || continue
	if grep -Eq "$OURS" "$f"; then
		ours=$((ours + 1))
		say "REPORT naming our code: $f"
		head -n 60 "$f"
	else
		others=$((others + 1))
		say "report naming only PostgreSQL or glibc (not counted): $f: $(grep -m1 '^==[0-9]*== [A-Z]' "$f")"
	fi
done
if grep -E 'terminated by signal|was terminated by exception' "$CL/server.log"; then
	say "a backend died of a signal (above)"
	FAIL=1
fi
[ "$ours" -eq 0 ] || FAIL=1

echo
say "$MODE run took $(($(date +%s) - START)) s; reports naming our code: $ours; others: $others"
say "reports and logs: $REPORTS"
exit $FAIL
}
