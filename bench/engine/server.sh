# shellcheck shell=bash
# shellcheck disable=SC2154  # root and ROWS: set by the sourcing script
# Sourced by the engine benchmarks (run.sh, load_ab.sh): starts one throwaway MariaDB
# (scripts/mariadb-tmp) in a temp dir removed on exit, and defines the helpers they
# share — sql, sb (sysbench on the ROWS-row table), now_ms, server_line,
# prepare_tables, restore, start_load / stop_load (4-thread oltp_write_only, or its
# strict form, reports in $work/load) and window_stats. Needs `root` and `ROWS` set; sets `work` and `port`.
#
# BUFFER_POOL (default 1G) sizes the server's InnoDB buffer pool. 1 GiB holds what
# an online schema change of the 1M-row table works on at once (the table, its
# shadow and a new CHAR(120) index, ~650 MB), as a production server's buffer pool
# holds its working set; the benchmark's targets are measured there.
# BUFFER_POOL=256M is the I/O-bound case (docs/benchmarks.md, "Buffer pool").
# ORDO_MARIADB_OPTS, if set, comes after it and wins.
BUFFER_POOL=${BUFFER_POOL:-1G}
work=$(mktemp -d /tmp/ordo-bench-XXXXXX)
port=$(ORDO_MARIADB_OPTS="--innodb-buffer-pool-size=$BUFFER_POOL ${ORDO_MARIADB_OPTS:-}" \
  "$root/scripts/mariadb-tmp" start "$work/server")
cleanup() {
  [ -n "${sb_pid:-}" ] && kill "$sb_pid" 2>/dev/null || true
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
# The server, for the scripts' first line.
server_line() {
  echo "MariaDB $(sql 'SELECT VERSION()') on 127.0.0.1:$port, $(sql 'SELECT @@innodb_buffer_pool_size DIV 1048576') MiB buffer pool"
}

# The ROWS-row sysbench table bench.sbtest1, and a pristine copy restore() starts from.
prepare_tables() {
  sql "CREATE DATABASE bench; CREATE DATABASE pristine"
  sb prepare >/dev/null
  sql "CREATE TABLE pristine.sbtest1 LIKE bench.sbtest1; INSERT INTO pristine.sbtest1 SELECT * FROM bench.sbtest1"
}
restore() {
  sql "DROP TABLE IF EXISTS bench.sbtest1, bench._sbtest1_new, bench._sbtest1_old, bench.sbtest1_ordo_old,
         bench.sbtest1_ordo_new;
       CREATE TABLE bench.sbtest1 LIKE pristine.sbtest1;
       INSERT INTO bench.sbtest1 SELECT * FROM pristine.sbtest1"
}

# Background load: sysbench with per-second reports into $work/load. Stock
# oltp_write_only retries its deadlocks (its default --mysql-ignore-errors), which it
# also has with no schema change at all; `strict` runs bench/sysbench/own_rows.lua
# instead (the same transaction, each thread on its own rows) with no error ignored.
start_load() {  # start_load PS_MODE [strict]
  local script=oltp_write_only ignore=()
  if [ "${2:-}" = strict ]; then
    script=$root/bench/sysbench/own_rows.lua ignore=(--mysql-ignore-errors=none)
  fi
  # exec: $! must be sysbench itself, so that stop_load's signal reaches it.
  (exec sysbench "$script" --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=ordo \
    --mysql-password=ordo --mysql-db=bench --tables=1 --table-size="$ROWS" --threads=4 \
    --time=3600 --report-interval=1 --db-ps-mode="$1" "${ignore[@]}" run >"$work/load" 2>&1) &
  sb_pid=$!
  load_t0=$(now_ms)
  until grep -q '^\[ 2s \]' "$work/load" 2>/dev/null; do sleep 0.2; done
}
stop_load() {
  kill -TERM "$sb_pid" 2>/dev/null || true
  wait "$sb_pid" 2>/dev/null || true
  sb_pid=""
}
# avg_tps FROM_MS TO_MS: mean of the per-second TPS reports inside the window, and the
# summed err/s; "died" when sysbench printed FATAL.
window_stats() {
  local from=$(( ($1 - load_t0) / 1000 )) to=$(( ($2 - load_t0) / 1000 ))
  awk -v a="$from" -v b="$to" '
    /^\[ *[0-9]+s \]/ { s = $2; sub("s", "", s); if (s + 0 > a && s + 0 <= b) {
        for (i = 1; i <= NF; i++) { if ($i == "tps:") { t += $(i + 1); n++ } if ($i == "err/s:") e += $(i + 1) } } }
    /FATAL/ { dead = 1 }
    END { printf "%.0f %.0f %s\n", (n ? t / n : 0), e, (dead ? "died" : "ok") }' "$work/load"
}

