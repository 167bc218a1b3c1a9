#!/usr/bin/env bash
# Idle A/B of engine settings: ordo_engine_bench with each given argument string in
# turn (REPS turns, default 3), on one throwaway MariaDB server with a ROWS-row sysbench
# table (default 1M), the table restored before every run. Prints per run the wall and
# copy time, the rows the verification before the cutover compared, and the phase
# times (ORDO_BENCH_PHASES), then the median wall time per argument string.
#
#   bench/engine/idle_ab.sh "verify_during_copy=1" "verify_during_copy=0"
#   DDL="ADD INDEX idx_c (c)" REPS=5 bench/engine/idle_ab.sh "" "keep_indexes"
#   bench/engine/idle_ab.sh "@/tmp/old/ordo_engine_bench" "@build/bench/engine/ordo_engine_bench"
# An argument string that starts with @ names the ordo_engine_bench binary to run
# (its first word) and that binary's arguments (the rest): two builds compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
[ $# -ge 1 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
ROWS=${ROWS:-1000000}
REPS=${REPS:-3}
DDL=${DDL:-ADD COLUMN x INT NOT NULL DEFAULT 0}
bench_bin=$root/${ORDO_BUILD_DIR:-build}/bench/engine/ordo_engine_bench
for args in "$@"; do
  bin=$bench_bin
  [ "${args:0:1}" = @ ] && read -r bin _ <<<"${args:1}"
  [ -x "$bin" ] || { echo "build $bin first (cmake --build ${ORDO_BUILD_DIR:-build})" >&2; exit 2; }
done

# shellcheck source=bench/engine/server.sh
. "$root/bench/engine/server.sh"
echo "idle A/B: $(server_line), $ROWS rows, $(nproc) cores, '$DDL'" >&2
prepare_tables

declare -A walls
echo "| turn | arguments | wall ms | copy ms | rows verified | phases (ms from start) |"
echo "|---|---|---|---|---|---|"
for rep in $(seq 1 "$REPS"); do
  for args in "$@"; do
    restore
    bin=$bench_bin run_args=$args
    if [ "${args:0:1}" = @ ]; then
      read -r bin run_args <<<"${args:1}"
    fi
    # shellcheck disable=SC2086  # the argument string is split on purpose
    ORDO_BENCH_PHASES=1 "$bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" bench sbtest1 \
      "ALTER TABLE sbtest1 $DDL" $run_args >"$work/out" 2>"$work/phases"
    read -r wall copy verified < <(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["wall_ms"], j["copy_ms"], j["rows_verified"])' <"$work/out")
    phases=$(sed -n 's/^phase \([a-z_]*\) at \([0-9]*\) ms$/\1=\2/p' "$work/phases" | tr '\n' ' ')
    echo "| $rep | ${args:-(defaults)} | $wall | $copy | $verified | $phases|"
    walls["k$args"]+="$wall "
  done
done
for args in "$@"; do
  # shellcheck disable=SC2086  # one argument per wall time
  echo "median wall, ${args:-(defaults)}: $(python3 -c "import statistics,sys; print(statistics.median(map(int, sys.argv[1:])))" ${walls["k$args"]}) ms"
done
