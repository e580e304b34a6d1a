#!/usr/bin/env bash
# bench/compile.sh: how long compiling a large generated policy takes, and
# how much memory the backend needs for it (peak RSS, VmHWM).
#
#   PGHOST=... PGPORT=... PGUSER=... bash bench/compile.sh CASE N
#
# CASE is one of
#   columns  N rules, each naming its own column (rule "rI" when cI > 0 ...)
#   lets     N policy-level lets (let lI = I) and one rule using the last
#   instr    N declared instruments (instrument iI count), one rule using
#            the last
#   typical  N rules of about 120 bytes each, on a handful of columns
#   inlist   one rule whose condition is a list of N numbers (a node per
#            two or three bytes of text: the densest policy there is)
# The policy text is generated first and stored in the table
# bench_compile_src of the database; then a fresh connection, whose VmHWM
# (peak resident memory) is read before and after, compiles it with
# ruleset_in.  The difference is what compiling took, including reading
# the stored text and converting it to a cstring.  Needs a superuser
# (pg_read_file of /proc).  COMPILE overrides the expression that compiles
# t, e.g. to call a private copy of another build of the input function.
set -euo pipefail
case_=${1:?CASE}
n=${2:?N}
case "$case_" in
columns) gen="'policy \"big\" currency KRW ' || string_agg(format('rule \"r%s\" when c%s > 0 credit points 1 end', i, i), E'\n')" ;;
lets) gen="'policy \"big\" currency KRW ' || string_agg(format('let l%s = %s', i, i), E'\n') || format(' rule \"r\" credit points l%s end', $n)" ;;
instr) gen="'policy \"big\" currency KRW ' || string_agg(format('instrument i%s count', i), E'\n') || format(' rule \"r\" credit i%s 1 end', $n)" ;;
typical) gen="'policy \"big\" currency KRW timezone \"Asia/Seoul\" ' || string_agg(format(\$f\$rule \"r%s\" when service = 'ticket' and price > %s and show_at < 2025-06-12 credit deposit price * 120%% round half_up end\$f\$, i, i), E'\n')" ;;
inlist) gen="'policy \"big\" currency KRW rule \"r\" when a in (' || string_agg((i % 100)::text, ',') || ') credit points 1 end'" ;;
*) echo "unknown case $case_" >&2; exit 2 ;;
esac
psql -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" <<SQL
CREATE UNLOGGED TABLE IF NOT EXISTS bench_compile_src (t text);
TRUNCATE bench_compile_src;
INSERT INTO bench_compile_src SELECT $gen FROM generate_series(1, $n) i;
SELECT '$case_' AS "case", $n AS n, octet_length(t) AS text_bytes FROM bench_compile_src;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" <<SQL
SET statement_timeout = 0;
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB')::int AS kb \gset before_
\timing on
SELECT ${COMPILE:-compensation.rule_count(t::compensation.ruleset)} AS result FROM bench_compile_src;
\timing off
SELECT :before_kb AS peak_rss_before_kb,
       substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB')::int AS peak_rss_after_kb,
       round((substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+) kB')::int - :before_kb) * 1024.0
             / (SELECT octet_length(t) FROM bench_compile_src), 1) AS growth_per_text_byte;
SQL
