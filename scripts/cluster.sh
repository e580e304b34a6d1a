# scripts/cluster.sh: helpers shared by the scripts that build and start
# clusters: scripts/test.sh, examples/yes24/demo.sh, bench/, test/citus, test/fdw.
#
# Source it, do not run it:   . "$(dirname "$0")/cluster.sh"
#
# It knows how to
#   - become root (re-run the calling script through sudo),
#   - install the Debian 12 packages a script needs, only those missing,
#   - build and install the extension with the CI warning flags,
#   - start and stop a throwaway PostgreSQL 15 cluster that listens on a Unix
#     socket only (no TCP), owned by the `postgres` system user.
#
# Nothing here touches the system's own clusters (pg_lsclusters, port 5432).

PG_MAJOR=15
# COMPENSATION_PG_CONFIG: another PostgreSQL 15 installation's pg_config (for
# developing these scripts against a private copy); Debian's by default.
if [ -n "${COMPENSATION_PG_CONFIG:-}" ]; then
	PG_CONFIG_BIN=$COMPENSATION_PG_CONFIG
	PG_BIN=$("$PG_CONFIG_BIN" --bindir)
	PGXS_DIR=$(dirname "$(dirname "$(dirname "$("$PG_CONFIG_BIN" --pgxs)")")")
else
	PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
	PG_CONFIG_BIN=$PG_BIN/pg_config
	PGXS_DIR=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs
fi
export PGXS_DIR
# The warning flags CI builds with (STYLE.md: set through PG_CFLAGS).
CI_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare"

# Prefix for this script's own messages, so they stand out from make/psql.
say() { printf '==> %s\n' "$*"; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

# cluster_need_root "$0" "$@": re-run the calling script as root through
# sudo when it is not already root.
cluster_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			say "not root: re-running through sudo"
			exec sudo bash "$@"
		fi
		die "run this as root, or with sudo: sudo bash $1"
	fi
}

# cluster_packages PKG...: install the packages that dpkg does not list as
# installed.  apt-get update runs once, and only when something is missing.
cluster_packages() {
	local missing=() p
	for p in "$@"; do
		if ! dpkg -s "$p" >/dev/null 2>&1 ||
			! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "packages present: $*"
		return 0
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "missing packages (${missing[*]}) and no apt-get: this script expects Debian 12"
	say "installing: ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# cluster_build: a clean build with the CI warning flags, then make install.
# Runs in the current directory (the checkout).  Returns non-zero on failure.
cluster_build() {
	say "building (clean) with PG_CFLAGS=\"$CI_CFLAGS\""
	make PG_CONFIG="$PG_CONFIG_BIN" clean >/dev/null || return 1
	make PG_CONFIG="$PG_CONFIG_BIN" PG_CFLAGS="$CI_CFLAGS" || return 1
	say "installing the extension into $("$PG_CONFIG_BIN" --pkglibdir)"
	make PG_CONFIG="$PG_CONFIG_BIN" install >/dev/null || return 1
}

# as_postgres CMD...: run a command as the postgres system user.
as_postgres() {
	runuser -u postgres -- "$@"
}

# cluster_traversable DIR: make every ancestor of DIR searchable (o+x) by the
# postgres user if it is not already, telling the user what changed.
cluster_traversable() {
	local d=$1
	while [ "$d" != "/" ] && [ -n "$d" ]; do
		if ! as_postgres test -x "$d" 2>/dev/null; then
			say "chmod o+x $d (so the postgres user can reach the cluster folder)"
			chmod o+x "$d"
		fi
		d=$(dirname "$d")
	done
}

# cluster_init DIR: initdb a new cluster in DIR/data, owned by postgres,
# trust authentication (the socket is in a folder only root and postgres can
# enter), C locale, UTF-8.  DIR must exist.
cluster_init() {
	local dir=$1
	chown postgres:postgres "$dir"
	chmod 0700 "$dir"
	as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		--no-locale -E UTF8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
}

# cluster_start DIR PORT: start the cluster in DIR/data listening only on
# the Unix socket DIR/.s.PGSQL.PORT.  Log in DIR/server.log.
cluster_start() {
	local dir=$1 port=$2
	local sock="$dir/.s.PGSQL.$port"
	if [ ${#sock} -gt 100 ]; then
		die "socket path too long for a Unix socket (${#sock} > 100 bytes): $sock"
	fi
	# The server must not inherit a descriptor of ours beyond the standard
	# three: a lock file held by `flock FILE cmd` (the machine's shared
	# install lock) would be held for as long as the server runs.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-"; fi
		done
		as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >/dev/null
	) || {
		warn "the server did not start; its log:"
		cat "$dir/server.log" >&2
		return 1
	}
}

# cluster_running DIR: true if a postmaster runs on DIR/data.
cluster_running() {
	[ -f "$1/data/postmaster.pid" ] &&
		as_postgres "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# cluster_stop DIR: stop the cluster in DIR/data if it runs (fast shutdown).
cluster_stop() {
	local dir=$1
	if cluster_running "$dir"; then
		as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null ||
			as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
	fi
}
