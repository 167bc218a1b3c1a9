#!/usr/bin/env bash
# A/B check of ordo's foreground impact under load: two (or more) ordo_engine_bench
# binaries take turns on one throwaway MariaDB server with a ROWS-row sysbench table
# (default 1M). Each turn restores the table, starts a 4-thread oltp_write_only load
# (server-side prepared statements), measures BASELINE_S seconds of baseline TPS, runs
# the driver with the change, and prints the TPS during the migration as a ratio of
# that baseline, the wall time and the phase times (ORDO_BENCH_PHASES). Quicker than
# run.sh's `load` phase for comparing two builds of the engine; run.sh stays the
# benchmark of record (docs/benchmarks.md).
#
#   bench/engine/load_ab.sh OLD_BENCH_BIN NEW_BENCH_BIN           # ADD COLUMN, 2 turns each
#   DDL="ADD INDEX idx_c (c)" REPS=3 bench/engine/load_ab.sh A B
#   ROWS=100000 REPS=1 bench/engine/load_ab.sh build-main/bench/engine/ordo_engine_bench
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
[ $# -ge 1 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
ROWS=${ROWS:-1000000}
REPS=${REPS:-2}
BASELINE_S=${BASELINE_S:-15}
DDL=${DDL:-ADD COLUMN x INT NOT NULL DEFAULT 0}
for bin in "$@"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; done

work=$(mktemp -d /tmp/ordo-load-ab-XXXXXX)
port=$("$root/scripts/mariadb-tmp" start "$work/server")
sb_pid=""
cleanup() {
  [ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null || true
  "$root/scripts/mariadb-tmp" stop "$work/server" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
sql() { mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uordo -pordo -N -e "$1"; }
sb() {
  sysbench oltp_write_only --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=ordo \
    --mysql-password=ordo --mysql-db=bench --tables=1 --table-size="$ROWS" "$@"
}
now_ms() { date +%s%3N; }

echo "load A/B: MariaDB $(sql 'SELECT VERSION()') on 127.0.0.1:$port, $ROWS rows, $(nproc) cores, '$DDL'" >&2
sql "CREATE DATABASE bench; CREATE DATABASE pristine"
sb prepare >/dev/null
sql "CREATE TABLE pristine.sbtest1 LIKE bench.sbtest1; INSERT INTO pristine.sbtest1 SELECT * FROM bench.sbtest1"

echo "| turn | binary | wall ms | baseline TPS | TPS during | ratio | phases (ms from start) |"
echo "|---|---|---|---|---|---|---|"
for rep in $(seq 1 "$REPS"); do
  for bin in "$@"; do
    sql "DROP TABLE IF EXISTS bench.sbtest1, bench.sbtest1_ordo_old, bench.sbtest1_ordo_new;
         CREATE TABLE bench.sbtest1 LIKE pristine.sbtest1;
         INSERT INTO bench.sbtest1 SELECT * FROM pristine.sbtest1"
    (exec sysbench oltp_write_only --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=ordo \
      --mysql-password=ordo --mysql-db=bench --tables=1 --table-size="$ROWS" --threads=4 \
      --time=3600 --report-interval=1 --db-ps-mode=auto run >"$work/load" 2>&1) &
    sb_pid=$!
    load_t0=$(now_ms)
    sleep $((BASELINE_S + 2))
    t0=$(now_ms)
    ORDO_BENCH_PHASES=1 "$bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" bench sbtest1 \
      "ALTER TABLE sbtest1 $DDL" >"$work/out" 2>"$work/phases"
    t1=$(now_ms)
    sleep 1
    kill -TERM "$sb_pid" 2>/dev/null || true
    wait "$sb_pid" 2>/dev/null || true
    sb_pid=""
    # Baseline: reports 3..BASELINE_S+1 s; during: the reports inside [t0, t1].
    read -r base during < <(awk -v b="$BASELINE_S" -v a=$(((t0 - load_t0) / 1000)) -v z=$(((t1 - load_t0) / 1000)) '
      /^\[ *[0-9]+s \]/ { s = $2; sub("s", "", s); s += 0
        for (i = 1; i <= NF; i++) if ($i == "tps:") t = $(i + 1)
        if (s >= 3 && s <= b + 1) { bs += t; bn++ } else if (s > a && s <= z) { ds += t; dn++ } }
      END { printf "%.0f %.0f\n", (bn ? bs / bn : 0), (dn ? ds / dn : 0) }' "$work/load")
    ratio=$(python3 -c "print(f'{$during / $base:.2f}' if $base else 'n/a')")
    phases=$(sed -n 's/^phase \([a-z_]*\) at \([0-9]*\) ms$/\1=\2/p' "$work/phases" | tr '\n' ' ')
    echo "| $rep | $bin | $((t1 - t0)) | $base | $during | $ratio | $phases|"
  done
done
