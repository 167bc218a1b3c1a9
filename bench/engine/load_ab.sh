#!/usr/bin/env bash
# A/B check of ordo's foreground impact under load: two (or more) ordo_engine_bench
# binaries take turns on one throwaway MariaDB server with a ROWS-row sysbench table
# (default 1M). Each turn restores the table, starts a 4-thread oltp_write_only load
# (server-side prepared statements), measures BASELINE_S seconds of baseline TPS, runs
# the driver with the change, and prints the TPS during the migration as a ratio of
# that baseline, the wall time and the phase times (ORDO_BENCH_PHASES) with the TPS of
# the load's reports inside each phase (0 for a phase shorter than a report). Quicker than
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

# shellcheck source=bench/engine/server.sh
. "$root/bench/engine/server.sh"
echo "load A/B: $(server_line), $ROWS rows, $(nproc) cores, '$DDL'" >&2
prepare_tables

echo "| turn | binary | wall ms | baseline TPS | TPS during | ratio | phases (ms from start, TPS inside) |"
echo "|---|---|---|---|---|---|---|"
for rep in $(seq 1 "$REPS"); do
  for bin in "$@"; do
    restore
    start_load auto
    sleep "$BASELINE_S"  # start_load returned at sysbench's 2 s report
    t0=$(now_ms)
    ORDO_BENCH_PHASES=1 "$bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" bench sbtest1 \
      "ALTER TABLE sbtest1 $DDL" >"$work/out" 2>"$work/phases"
    t1=$(now_ms)
    sleep 1
    stop_load
    # Baseline: the reports of seconds 3 to BASELINE_S + 1; during: those inside [t0, t1].
    read -r base _ < <(window_stats $((load_t0 + 2000)) $((load_t0 + (BASELINE_S + 1) * 1000)))
    read -r during _ < <(window_stats "$t0" "$t1")
    ratio=$(python3 -c "print(f'{$during / $base:.2f}' if $base else 'n/a')")
    # Each phase with its start (ms from t0) and the TPS of the reports inside it.
    phases=""
    mapfile -t marks < <(sed -n 's/^phase \([a-z_]*\) at \([0-9]*\) ms$/\1 \2/p' "$work/phases")
    for i in "${!marks[@]}"; do
      read -r name at <<<"${marks[$i]}"
      end=$((t1 - t0))
      [ $((i + 1)) -lt ${#marks[@]} ] && read -r _ end <<<"${marks[$((i + 1))]}"
      read -r tps _ < <(window_stats $((t0 + at)) $((t0 + end)))
      phases+="$name=$at ($tps) "
    done
    echo "| $rep | $bin | $((t1 - t0)) | $base | $during | $ratio | $phases|"
    echo "turn $rep $bin: $(cat "$work/out")" >&2  # the driver's report (attempts, write block)
    sed 's/^/  /' "$work/phases" >&2  # phase changes and the backlog of every progress report
  done
done
