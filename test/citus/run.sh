#!/usr/bin/env bash
# test/citus/run.sh: compensation on a real three-node Citus cluster.
#
#   sudo bash test/citus/run.sh            build Citus once, then run the test
#   sudo bash test/citus/run.sh build      only build Citus (into the cache)
#
# Citus is not packaged in Debian 12.  Its unmodified source, Citus 13.2.2,
# is vendored next to the project, in ../shared/vendor/citus-13.2.2.tar.gz
# from the repository root (COMPENSATION_VENDOR_DIR overrides the folder).
# Without it (a user's checkout) the test prints SKIP and exits 0.
#
# What it does, as root:
#   1. installs the Debian packages Citus's build needs (only those missing);
#   2. unpacks the tarball into a cache folder OUTSIDE the checkout
#      (COMPENSATION_CITUS_CACHE, default /var/cache/compensation-citus),
#      applies the one-line PostgreSQL 15.20 header workaround to the
#      unpacked copy (never to the tarball), and builds it once: a later run
#      reuses the build (about 3 minutes of CPU the first time);
#   3. under the install lock /tmp/compensation-install.lock (skipped when
#      the caller already holds it: COMPENSATION_INSTALL_LOCK_HELD=1), installs
#      Citus into the system PostgreSQL 15 and compensation from this checkout,
#      and runs the test with the lock held, so that no other checkout
#      replaces compensation.so under it;
#   4. starts a coordinator and two workers in a mktemp folder (initdb as the
#      postgres user; TCP on 127.0.0.1, three free ports; Unix sockets in the
#      folder), creates citus and compensation, loads the demo data
#      (examples/yes24/yes24_data.sql: 120,000 orders, 30,000 members), keeps a local
#      copy of each table on the coordinator (the one-node reference), and
#      distributes orders by order_id and members by member_id;
#   5. runs the steps of test/citus/cluster_test.sh, which assert that the
#      distributed results equal the one-node ones (evaluate row by row, sum,
#      explain, lines, simulate, a table with a dropped column, aggregates by
#      another name) and that evaluation runs on the workers (EXPLAIN, and
#      function-call counts per node), then print the figures;
#   6. stops the nodes and deletes the folder (COMPENSATION_CITUS_KEEP=1 keeps
#      them running and prints how to connect).
#
# Exit status: 0 if every assertion held (or SKIP), non-zero otherwise.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"

CITUS_VERSION=13.2.2
TARBALL_NAME=citus-$CITUS_VERSION.tar.gz

# The vendored tarball: ../shared/vendor from the repository root; from a
# git worktree, also ../shared/vendor from the main checkout; from a clone
# of a local checkout (a CI run clones the project's checkout into a
# temporary folder), ../shared/vendor from the checkout it was cloned from.
find_vendor() {
	local d common origin
	for d in "${COMPENSATION_VENDOR_DIR:-}" "$ROOT/../shared/vendor"; do
		[ -n "$d" ] && [ -f "$d/$TARBALL_NAME" ] && { (cd "$d" && pwd); return 0; }
	done
	common=$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || return 1
	d=$(dirname "$common")/../shared/vendor
	[ -f "$d/$TARBALL_NAME" ] && { (cd "$d" && pwd); return 0; }
	origin=$(git -C "$ROOT" config --get remote.origin.url 2>/dev/null) || return 1
	case "$origin" in
	/*) d=${origin%/}; d=${d%/.git}/../shared/vendor ;;
	file://*) d=${origin#file://}; d=${d%/}; d=${d%/.git}/../shared/vendor ;;
	*) return 1 ;;
	esac
	[ -f "$d/$TARBALL_NAME" ] && { (cd "$d" && pwd); return 0; }
	return 1
}

if ! VENDOR=$(find_vendor); then
	echo "SKIP: Citus suite: $TARBALL_NAME not found in ../shared/vendor/ (from $ROOT);"
	echo "SKIP: put the unmodified Citus $CITUS_VERSION source tarball there (or set"
	echo "SKIP: COMPENSATION_VENDOR_DIR to its folder) and run: sudo bash test/citus/run.sh"
	exit 0
fi
TARBALL=$VENDOR/$TARBALL_NAME

cluster_need_root "$ROOT/test/citus/run.sh" "$@"

CACHE_BASE=${COMPENSATION_CITUS_CACHE:-/var/cache/compensation-citus}
CACHE=$CACHE_BASE/$CITUS_VERSION
SRC=$CACHE/citus-$CITUS_VERSION
case "$CACHE/" in
"$ROOT"/*) die "the Citus cache must be outside the checkout: $CACHE" ;;
esac

###########################################################################
# 1-2. Build Citus once, into the cache.
###########################################################################
CITUS_PACKAGES=(postgresql-15 postgresql-server-dev-15 build-essential
	libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev
	libpam0g-dev libreadline-dev libssl-dev libxslt1-dev autoconf flex bison)

# PostgreSQL 15.20 made have_createdb_privilege() extern (commands/dbcommands.h);
# Citus 13.2.2's pg_version_compat.h defines its own static copy for
# PostgreSQL < 16, which no longer compiles.  Rename Citus's copy with a
# #define just before it: its one caller then uses Citus's copy, as before.
apply_workaround() {
	local h=$SRC/src/include/pg_version_compat.h
	local pg_h=/usr/include/postgresql/15/server/commands/dbcommands.h
	grep -q 'compensation-citus workaround' "$h" && return 0
	grep -q 'have_createdb_privilege' "$pg_h" 2>/dev/null || return 0
	say "PostgreSQL headers declare have_createdb_privilege: renaming Citus's static copy"
	sed -i '/^static inline bool$/{
N
s/^static inline bool\nhave_createdb_privilege(void)$/#define have_createdb_privilege citus_have_createdb_privilege \/* compensation-citus workaround *\/\n&/
}' "$h"
	grep -q 'compensation-citus workaround' "$h" ||
		die "could not apply the have_createdb_privilege workaround to $h"
}

build_citus() {
	local sum stamp t0
	sum=$(sha256sum "$TARBALL" | cut -c1-16)
	stamp=$CACHE/built-$sum
	if [ -f "$stamp" ] && [ -f "$SRC/src/backend/distributed/citus.so" ]; then
		say "Citus $CITUS_VERSION: reusing the build in $SRC"
		return 0
	fi
	cluster_packages "${CITUS_PACKAGES[@]}" || return 1
	t0=$(date +%s)
	say "Citus $CITUS_VERSION: building in $SRC (once; about 3 minutes of CPU)"
	rm -rf "$SRC" "$CACHE"/built-*
	mkdir -p "$CACHE" || return 1
	tar -xzf "$TARBALL" -C "$CACHE" || return 1
	[ -d "$SRC" ] || die "the tarball did not unpack into $SRC"
	apply_workaround
	(cd "$SRC" && ./configure PG_CONFIG="$PG_CONFIG_BIN" >"$CACHE/configure.log" 2>&1) || {
		tail -30 "$CACHE/configure.log" >&2
		warn "Citus configure failed (log: $CACHE/configure.log)"
		return 1
	}
	# with_llvm=no: no JIT bitcode, half the build time; the test needs none
	(cd "$SRC" && make -j"$(nproc)" with_llvm=no >"$CACHE/build.log" 2>&1) || {
		grep -E 'error|Error' "$CACHE/build.log" | head -20 >&2
		warn "Citus build failed (log: $CACHE/build.log)"
		return 1
	}
	touch "$stamp"
	say "Citus $CITUS_VERSION built in $(($(date +%s) - t0)) s"
}

# One build at a time (two checkouts testing at once share the cache).
mkdir -p "$CACHE_BASE" || die "cannot create $CACHE_BASE"
(
	flock -w 1200 9 || die "timed out waiting for $CACHE_BASE/.build.lock"
	build_citus
) 9>"$CACHE_BASE/.build.lock" || die "building Citus failed"

[ "${1:-}" = build ] && exit 0

###########################################################################
# 3. Install and test, holding the install lock.
###########################################################################
if [ "${COMPENSATION_INSTALL_LOCK_HELD:-}" != 1 ]; then
	say "waiting for the install lock /tmp/compensation-install.lock"
	exec env COMPENSATION_INSTALL_LOCK_HELD=1 flock -w 1800 /tmp/compensation-install.lock \
		bash "$ROOT/test/citus/run.sh" "$@"
fi

exec bash "$ROOT/test/citus/cluster_test.sh" "$SRC"
