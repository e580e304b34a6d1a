#!/usr/bin/env bash
# scripts/package_test.sh: the release checks of compensation: version
# agreement, PGXN metadata, the PGXN archive, and the Debian package built,
# installed, tested and removed.
#
#   sudo bash scripts/package_test.sh   (or, as root: bash scripts/package_test.sh)
#
# Steps, each counted once:
#   versions    scripts/check_versions.sh: compensation.control's
#               default_version is the version of META.json, debian/changelog,
#               CHANGELOG.md and the newest install script (and it fails on a
#               copy whose control file names another version);
#   META.json   scripts/validate_meta.pl: PGXN Meta Spec 1.0.0 (and it refuses
#               broken copies);
#   make dist   compensation-<version>.zip from git archive, with the files a
#               PGXN install builds from (skipped outside a git checkout);
#   deb build   dpkg-buildpackage -us -uc -b in a copy of the checkout in a
#               mktemp folder (dpkg-buildpackage writes the .deb to the parent
#               folder, which is then that temporary one): the build
#               dependencies come from Debian's archive (debhelper,
#               postgresql-server-dev-all);
#   deb files   the package holds the control file, the frozen 0.1.0 script,
#               the update step generated from upgrade/ (byte for byte their
#               concatenation) and the library;
#   install     apt-get install ./postgresql-15-compensation_*.deb into the
#               system's PostgreSQL 15, and dpkg --verify: the files on disk are
#               the package's;
#   installcheck  make installcheck (pg_regress sql/ + expected/ and the
#               isolation specs/) against a throwaway cluster on a Unix socket
#               in a mktemp folder (port $COMPENSATION_PACKAGE_TEST_PORT,
#               54331 by default), i.e. against the packaged install;
#   remove      dpkg --purge, and no file of the package is left.
# COMPENSATION_PACKAGE_KEEP=1 keeps the temporary folder (the .deb, the
# build and test logs) instead of deleting it.
# Ends with `package_test: N passed, N failed` (the names of what passed and
# failed above it) and exits non-zero if anything failed.
#
# The shared installation.  This machine has ONE PostgreSQL 15, into which
# every developer's `make install` writes the same files the package holds
# (/usr/lib/postgresql/15/lib/compensation.so, .../extension/compensation*).
# So from before the install until after the removal this script holds the
# lock every install+test holds (flock /tmp/compensation-install.lock;
# COMPENSATION_INSTALL_LOCK names another), and it leaves those files as it
# found them: installing the package overwrites them and removing it deletes
# them, so it saves them first and puts them back after the removal.  It
# restores exactly what was there (when scripts/test.sh calls it, that is
# the checkout's own `make install`) rather than running `make install`
# again: run on its own, it must not replace another checkout's install.
# When the lock is already held by a process that started this one
# (`flock ... bash scripts/test.sh` calling it), it does not take it again,
# which would wait forever on its own caller.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
. "$ROOT/scripts/cluster.sh"
cluster_need_root "$ROOT/scripts/package_test.sh" "$@"

PORT=${COMPENSATION_PACKAGE_TEST_PORT:-54331}
LOCK=${COMPENSATION_INSTALL_LOCK:-/tmp/compensation-install.lock}
PKG=postgresql-$PG_MAJOR-compensation
V=$(sed -n "s/^default_version = '\(.*\)'\$/\1/p" compensation.control)
PASSED=()
FAILED=()
WORK=
INSTALLED=0
SAVED=
LOCK_FD=

pass() {
	PASSED+=("$1")
	say "PASS: $1"
}
fail() {
	FAILED+=("$1")
	say "FAIL: $1"
}

# The files of the shared installation that the package also installs: the
# control file and scripts, the library and its JIT bitcode.
shared_files() {
	local share lib
	share=$("$PG_CONFIG_BIN" --sharedir)/extension
	lib=$("$PG_CONFIG_BIN" --pkglibdir)
	local f
	for f in "$share"/compensation.control "$share"/compensation--*.sql \
		"$lib"/compensation.so "$lib"/bitcode/compensation "$lib"/bitcode/compensation.index.bc; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done
	return 0
}

# Save the shared files (with their paths), then take them away: the package
# installs into a clean slate, so that the tests see only its files (not a
# stray update step another branch installed) and its removal can be shown
# to leave nothing.
save_shared() {
	SAVED=$WORK/shared-before.tar
	mapfile -t files < <(shared_files)
	if [ ${#files[@]} -gt 0 ]; then
		tar -cPf "$SAVED" "${files[@]}" || return 1
		rm -rf "${files[@]}"
	fi
	say "saved and took away ${#files[@]} file(s) of the shared installation"
}

# Put them back: whatever the package left (nothing, after dpkg --purge) goes,
# what was there before comes back.
restore_shared() {
	[ -n "$SAVED" ] || return 0
	mapfile -t files < <(shared_files)
	[ ${#files[@]} -eq 0 ] || rm -rf "${files[@]}"
	if [ -f "$SAVED" ]; then
		tar -xPf "$SAVED" && say "restored the shared installation as it was before"
	else
		say "the shared installation had no compensation files before: none left"
	fi
	SAVED=
}

cleanup() {
	if [ -n "$WORK" ] && [ -d "$WORK/cluster" ]; then
		cluster_stop "$WORK/cluster" >/dev/null 2>&1
	fi
	if [ "$INSTALLED" -eq 1 ]; then
		dpkg --purge "$PKG" >/dev/null 2>&1
		INSTALLED=0
	fi
	restore_shared
	if [ -n "$LOCK_FD" ]; then
		flock -u "$LOCK_FD"
		exec {LOCK_FD}>&-
		LOCK_FD=
	fi
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "${COMPENSATION_PACKAGE_KEEP:-}" = 1 ]; then
			say "kept $WORK (the .deb and logs: build.log, installcheck.log)"
		else
			rm -rf "$WORK"
		fi
	fi
	WORK=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

join_items() {
	local out=$1
	shift
	for i in "$@"; do out+="; $i"; done
	printf '%s' "$out"
}

finish() {
	cleanup
	echo
	[ ${#PASSED[@]} -eq 0 ] || say "package_test passed: $(join_items "${PASSED[@]}")"
	[ ${#FAILED[@]} -eq 0 ] || say "package_test FAILED: $(join_items "${FAILED[@]}")"
	echo "package_test: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
	[ ${#FAILED[@]} -eq 0 ]
	exit
}

# lock_held_by_caller: true if a process this one descends from holds the
# flock on $LOCK (/proc/locks names the holder's pid and the file's inode).
lock_held_by_caller() {
	[ -e "$LOCK" ] || return 1
	local ino pid ancestors=" " p=$$
	ino=$(stat -c %i "$LOCK")
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		ancestors+="$p "
		p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	done
	while read -r pid; do
		[[ $ancestors == *" $pid "* ]] && return 0
	done < <(awk -v ino="$ino" '$2 == "FLOCK" { split($6, f, ":"); if (f[3] == ino) print $5 }' /proc/locks)
	return 1
}

take_lock() {
	if [ "${COMPENSATION_INSTALL_LOCK_HELD:-}" = 1 ] || lock_held_by_caller; then
		say "the install lock $LOCK is held by this run's caller: not taken again"
		return 0
	fi
	exec {LOCK_FD}>>"$LOCK"
	say "waiting for the install lock $LOCK"
	flock "$LOCK_FD"
	say "holding the install lock"
}

###########################################################################
say "compensation $V: package test in $ROOT"
cluster_packages build-essential debhelper dpkg-dev fakeroot git unzip \
	postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-server-dev-all || {
	fail "install build dependencies"
	finish
}
WORK=$(mktemp -d /tmp/compensation-pkg.XXXXXX)
chmod 0755 "$WORK"

###########################################################################
say "versions: scripts/check_versions.sh"
ok=1
bash scripts/check_versions.sh || ok=0
# It must also see a disagreement: a copy whose control file says 9.9.9.
mkdir -p "$WORK/versions"
cp -a compensation.control META.json CHANGELOG.md Makefile compensation--*.sql "$WORK/versions/"
cp -a debian upgrade "$WORK/versions/"
sed -i "s/^default_version = .*/default_version = '9.9.9'/" "$WORK/versions/compensation.control"
if bash scripts/check_versions.sh "$WORK/versions" >"$WORK/versions.log" 2>&1; then
	say "check_versions.sh accepted a control file saying 9.9.9:"
	cat "$WORK/versions.log"
	ok=0
fi
if [ $ok -eq 1 ]; then pass "versions agree ($V)"; else fail "versions"; fi

###########################################################################
say "META.json: scripts/validate_meta.pl"
ok=1
perl scripts/validate_meta.pl META.json || ok=0
# And it must refuse what the spec refuses (each copy one fault).
mkdir -p "$WORK/meta"
cp -a compensation.control README.md "$WORK/meta/"
for fault in 'delete $m->{version}' '$m->{version} = "0.2"' '$m->{license} = "gpl"' \
	'$m->{provides}{compensation}{file} = "nowhere.sql"' '$m->{maintainer} = []' \
	'$m->{"meta-spec"}{version} = "2.0.0"' '$m->{prereqs}{runtime}{requires}{PostgreSQL} = "15+"' \
	'$m->{extra} = 1'; do
	perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); '"$fault"'; print encode_json($m)' \
		<META.json >"$WORK/meta/META.json"
	if perl scripts/validate_meta.pl "$WORK/meta/META.json" >/dev/null; then
		say "validate_meta.pl accepted META.json with: $fault"
		ok=0
	fi
done
if [ $ok -eq 1 ]; then pass "META.json valid"; else fail "META.json"; fi

###########################################################################
say "make dist"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	zip=$WORK/compensation-$V.zip
	if make -s PG_CONFIG="$PG_CONFIG_BIN" dist DIST_ZIP="$zip" && [ -f "$zip" ]; then
		unzip -Z1 "$zip" >"$WORK/dist.list"
		ok=1
		for f in META.json compensation.control Makefile compensation--0.1.0.sql README.md CHANGELOG.md; do
			grep -qx "compensation-$V/$f" "$WORK/dist.list" || {
				say "the archive lacks compensation-$V/$f"
				ok=0
			}
		done
		grep -q "^compensation-$V/upgrade/0.1.0--$V/.*\.sql\$" "$WORK/dist.list" || {
			say "the archive lacks upgrade/0.1.0--$V/*.sql"
			ok=0
		}
		grep -v "^compensation-$V/" "$WORK/dist.list" && {
			say "files outside compensation-$V/ (above)"
			ok=0
		}
		if [ $ok -eq 1 ]; then
			pass "make dist (compensation-$V.zip, $(wc -l <"$WORK/dist.list") entries, $(stat -c %s "$zip") bytes)"
		else
			fail "make dist"
		fi
	else
		fail "make dist"
	fi
else
	say "make dist: not a git checkout, skipped"
fi

###########################################################################
# The build, in a copy: the checkout's working tree as it is (uncommitted
# changes included), without git's files or anything built or run here.
say "deb build: dpkg-buildpackage -us -uc -b in $WORK/build"
src=$WORK/build/compensation-$V
mkdir -p "$src"
tar -C "$ROOT" -cf - --exclude=./.git --exclude=./results --exclude=./output_iso \
	--exclude=./tmp_check --exclude=./log --exclude=./.cluster --exclude=./.bench \
	--exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=./regression.diffs \
	--exclude=./regression.out --exclude="./compensation--0.1.0--$V.sql" \
	--exclude='./compensation-*.zip' . | tar -C "$src" -xf -
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	debs=("$WORK"/build/"${PKG}"_*.deb)
	deb=${debs[0]}
	if [ ${#debs[@]} -eq 1 ] && [ -f "$deb" ]; then
		pass "deb build ($(basename "$deb"), $(stat -c %s "$deb") bytes)"
	else
		fail "deb build (no ${PKG}_*.deb in $WORK/build)"
		ls -la "$WORK/build"
		finish
	fi
else
	fail "deb build"
	tail -n 60 "$WORK/build.log"
	finish
fi

###########################################################################
say "deb files: $(basename "$deb")"
dpkg-deb -I "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\|Installed-Size\):/   \1:/p'
dpkg-deb -c "$deb" | awk '{ print "   " $6 }' | grep -E 'compensation' | grep -v '/$'
share=$("$PG_CONFIG_BIN" --sharedir)/extension
lib=$("$PG_CONFIG_BIN" --pkglibdir)
mkdir -p "$WORK/deb"
dpkg-deb -x "$deb" "$WORK/deb"
ok=1
for f in "$share/compensation.control" "$share/compensation--0.1.0.sql" \
	"$share/compensation--0.1.0--$V.sql" "$lib/compensation.so"; do
	[ -f "$WORK/deb$f" ] || {
		say "the package lacks $f"
		ok=0
	}
done
cmp -s "$WORK/deb$share/compensation--0.1.0.sql" compensation--0.1.0.sql || {
	say "the package's compensation--0.1.0.sql is not the frozen one"
	ok=0
}
# The Makefile joins the parts in $(sort) order: byte order, as LC_ALL=C.
(
	export LC_ALL=C
	cat $(printf '%s\n' upgrade/0.1.0--"$V"/*.sql | sort)
) >"$WORK/step.sql"
cmp -s "$WORK/deb$share/compensation--0.1.0--$V.sql" "$WORK/step.sql" || {
	say "the package's update step is not the concatenation of upgrade/0.1.0--$V/*.sql"
	ok=0
}
cmp -s "$WORK/deb$share/compensation.control" compensation.control || {
	say "the package's control file differs from compensation.control"
	ok=0
}
if [ $ok -eq 1 ]; then pass "deb files"; else fail "deb files"; fi

###########################################################################
# From here to the removal, the shared installation is the package's.
take_lock
save_shared || {
	fail "save the shared installation"
	finish
}
say "install: apt-get install $deb"
INSTALLED=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
	>"$WORK/install.log" 2>&1 &&
	dpkg -s "$PKG" 2>/dev/null | grep -q '^Status: install ok installed' &&
	dpkg --verify "$PKG" >"$WORK/verify.log" 2>&1 && [ ! -s "$WORK/verify.log" ]; then
	pass "install ($(dpkg-query -W -f '${Package} ${Version}' "$PKG"), dpkg --verify clean)"
else
	fail "install"
	cat "$WORK/install.log" "$WORK/verify.log" 2>/dev/null
	finish
fi

###########################################################################
say "installcheck against the package, cluster in $WORK/cluster (socket port $PORT)"
mkdir -p "$WORK/cluster"
if cluster_init "$WORK/cluster" && cluster_start "$WORK/cluster" "$PORT"; then
	# Run from the build copy, so that results/ and regression.diffs land
	# in the temporary folder, not in the checkout.
	if (cd "$src" && env -u PGDATABASE -u PGSERVICE -u PGOPTIONS -u PGPASSWORD \
		PGHOST="$WORK/cluster" PGPORT="$PORT" PGUSER=postgres \
		make -s PG_CONFIG="$PG_CONFIG_BIN" installcheck) >"$WORK/installcheck.log" 2>&1; then
		n=$(grep -cE '\.\.\. ok' "$WORK/installcheck.log")
		pass "installcheck ($n pg_regress and isolation tests ok)"
	else
		fail "installcheck"
		cat "$WORK/installcheck.log"
		for d in "$src/regression.diffs" "$src/output_iso/regression.diffs"; do
			[ -s "$d" ] && { say "$d"; cat "$d"; }
		done
	fi
	cluster_stop "$WORK/cluster"
else
	fail "installcheck (the throwaway cluster did not start)"
fi

###########################################################################
say "remove: dpkg --purge $PKG"
if dpkg --purge "$PKG" >"$WORK/remove.log" 2>&1; then
	INSTALLED=0
	left=$(shared_files)
	if [ -z "$left" ] && ! dpkg -s "$PKG" >/dev/null 2>&1; then
		pass "remove (no file left)"
	else
		fail "remove (left: $left)"
	fi
else
	fail "remove"
	cat "$WORK/remove.log"
fi
restore_shared

finish
