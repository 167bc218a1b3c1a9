#!/usr/bin/env bash
# Engine benchmark (numbers in docs/benchmarks.md, "Engine copy" and "Engine part 2").
#
# On one throwaway MariaDB server and a ROWS-row sysbench table (default 1M), runs
# ADD COLUMN and ADD INDEX with ordo, pt-online-schema-change, a blocking ALTER TABLE …
# ALGORITHM=COPY (TOOLS picks among ordo ptosc insert alter) and CREATE TABLE … LIKE +
# one INSERT … SELECT, idle and under a 4-thread oltp_write_only load; then CUTOVERS
# (default 20) ordo migrations under load for the cutover write-block distribution.
# Reports wall time, rows/s, foreground TPS during the migration as a ratio of the TPS
# without one, client errors, and the write-blocked time at cutover. ordo's copy rows
# force the copy path (ordo_engine_bench's default), so ADD COLUMN measures the copy.
#
# Part 2 phases: `instant` runs REPS ordo ADD COLUMNs with the instant path allowed
# (ALGORITHM=INSTANT at cutover), idle and under load; `revert` runs REPS ordo ADD
# COLUMNs (copy path) with a revert window of REVERT_WINDOW_MS (default 5000) and then
# reverts, idle and under load, reporting the revert's time (verification + swap back)
# and its write-blocked time. Medians over the repetitions.
#
#   ORDO_BUILD_DIR=build-engine bench/engine/run.sh            # full run (~15 min idle machine)
#   ROWS=100000 CUTOVERS=3 bench/engine/run.sh                  # a quick look
#   PHASES="load cutovers" bench/engine/run.sh                  # some phases only
#   PHASES="instant revert" ROWS=100000 REPS=5 bench/engine/run.sh
#   PHASES=app ROWS=100000 REVERT_WINDOW_MS=1000 bench/engine/run.sh  # what the application sees
#   PHASES=idle DDLS=add_column IDLE_REPS=5 bench/engine/run.sh  # idle medians
#   BUFFER_POOL=256M PHASES="idle load" bench/engine/run.sh     # the I/O-bound server
#
# The server's buffer pool is 1 GiB unless BUFFER_POOL says otherwise (server.sh).
#
# Under load ordo and INSERT … SELECT face prepared statements (--db-ps-mode=auto);
# pt-osc faces plain statements, because its triggers make every prepared-statement
# client fail (docs/engine.md), which is reported separately.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${ORDO_BUILD_DIR:-build}
ROWS=${ROWS:-1000000}
CUTOVERS=${CUTOVERS:-20}
PHASES=${PHASES:-idle load cutovers app instant revert}
REPS=${REPS:-5}
IDLE_REPS=${IDLE_REPS:-1}  # repetitions of the idle comparison (medians reported when > 1)
REVERT_WINDOW_MS=${REVERT_WINDOW_MS:-5000}
DDLS=${DDLS:-add_column add_index}
# alter: a blocking ALTER TABLE … ALGORITHM=COPY (its block is its whole run).
TOOLS=${TOOLS:-ordo ptosc insert alter}
TOOLS_LOAD=${TOOLS_LOAD:-$TOOLS}  # the tools run under load
phase() { [[ " $PHASES " == *" $1 "* ]]; }
bench_bin=$root/$build/bench/engine/ordo_engine_bench
[ -x "$bench_bin" ] || { echo "build $bench_bin first (cmake --build $build)" >&2; exit 2; }

# shellcheck source=bench/engine/server.sh
. "$root/bench/engine/server.sh"
echo "engine bench: $(server_line), $ROWS rows, $(nproc) cores" >&2
prepare_tables
table_mb=$(sql "SELECT ROUND((DATA_LENGTH + INDEX_LENGTH) / 1048576) FROM information_schema.TABLES
                WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME = 'sbtest1'")
echo "engine bench: sbtest1 is $table_mb MB (data and indexes)" >&2

# cpu_during CMD…: runs CMD with `vmstat 1` beside it and prints, on stderr, the
# machine's mean CPU split over the run (user, system, idle, I/O wait): what bounds it.
cpu_during() {
  vmstat -n 1 >"$work/vmstat" &
  local vm=$!
  "$@"
  kill "$vm" 2>/dev/null || true
  wait "$vm" 2>/dev/null || true
  awk 'NR > 2 { us += $13; sy += $14; id += $15; wa += $16; n++ }
       END { if (n) printf "cpu over %d s: user %.0f%% system %.0f%% idle %.0f%% iowait %.0f%%\n", n, us / n, sy / n, id / n, wa / n }' \
    "$work/vmstat" >&2
}

ddl_add_column="ADD COLUMN x INT NOT NULL DEFAULT 0"
ddl_add_index="ADD INDEX idx_c (c)"

run_tool() {  # run_tool TOOL DDL → prints "wall_ms rows_per_s block_ms"
  local tool=$1 ddl=$2 t0 t1
  case "$tool" in
  ordo)
    local out
    out=$("$bench_bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" bench sbtest1 "ALTER TABLE sbtest1 $ddl")
    echo "$out" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["wall_ms"], j["rows_per_s"], j["write_block_ms"])'
    ;;
  ptosc)
    t0=$(now_ms)
    pt-online-schema-change --alter "$ddl" "D=bench,t=sbtest1,h=127.0.0.1,P=$port,u=ordo,p=ordo" \
      --execute --recursion-method=none --no-check-alter >"$work/ptosc.log" 2>&1 || echo "pt-osc failed: $(tail -3 "$work/ptosc.log")" >&2
    t1=$(now_ms)
    echo "$((t1 - t0)) $(( ROWS * 1000 / (t1 - t0) )) -"
    ;;
  alter)
    # The blocking baseline: the server's own table copy (writes wait for its end).
    t0=$(now_ms)
    sql "ALTER TABLE bench.sbtest1 $ddl, ALGORITHM=COPY"
    t1=$(now_ms)
    echo "$((t1 - t0)) $(( ROWS * 1000 / (t1 - t0) )) $((t1 - t0))"
    ;;
  insert)
    t0=$(now_ms)
    sql "CREATE TABLE bench._sbtest1_new LIKE bench.sbtest1; ALTER TABLE bench._sbtest1_new $ddl;
         INSERT INTO bench._sbtest1_new (id, k, c, pad) SELECT id, k, c, pad FROM bench.sbtest1"
    t1=$(now_ms)
    echo "$((t1 - t0)) $(( ROWS * 1000 / (t1 - t0) )) -"
    ;;
  esac
}

# median: the median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# ordo_json ARGS…: runs the driver and prints the named fields of its JSON line.
ordo_json() {  # ordo_json "DDL" "OPTIONS" FIELD…
  local ddl=$1 opts=$2; shift 2
  local out
  # shellcheck disable=SC2086
  out=$("$bench_bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" bench sbtest1 "ALTER TABLE sbtest1 $ddl" $opts 2>"$work/bench.err") ||
    echo "ordo_engine_bench failed: $(tail -3 "$work/bench.err")" >&2
  echo "$out" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(" ".join(str(j[k]).lower() for k in sys.argv[1:]))' "$@"
}

results=()
part2=()
base_tps=0 base_err=0 base_tps_plain=0 stats="- -" cut_err=- cut_state=-
phase idle && echo "## idle" >&2
declare -A idle_walls
phase idle && for rep in $(seq 1 "$IDLE_REPS"); do
  for ddl_name in $DDLS; do
    ddl_var="ddl_$ddl_name"
    # The tools take turns within a repetition, so a slow spell of the machine hits all.
    for tool in $TOOLS; do
      restore
      read -r wall rps block < <(cpu_during run_tool "$tool" "${!ddl_var}")
      echo "idle $ddl_name $tool rep=$rep wall_ms=$wall rows_per_s=$rps block_ms=$block" >&2
      results+=("idle|$ddl_name|$tool|$wall|$rps|$block")
      idle_walls[$ddl_name|$tool]+="$wall "
    done
  done
done
if phase idle && [ "$IDLE_REPS" -gt 1 ]; then
  for ddl_name in $DDLS; do
    for tool in $TOOLS; do
      walls=${idle_walls[$ddl_name|$tool]}
      med=$(tr ' ' '\n' <<<"$walls" | grep . | median)
      results+=("idle median of $IDLE_REPS|$ddl_name|$tool|$med|$(( ROWS * 1000 / ${med%.*} ))|-")
    done
    echo "idle $ddl_name medians: ordo/ptosc=$(python3 -c "
import statistics as s; o=[float(x) for x in '${idle_walls[$ddl_name|ordo]}'.split()]
p=[float(x) for x in '${idle_walls[$ddl_name|ptosc]}'.split()]; i=[float(x) for x in '${idle_walls[$ddl_name|insert]}'.split()]
print(f'{s.median(o)/s.median(p):.2f} ordo/insert={s.median(o)/s.median(i):.2f}')")" >&2
  done
fi

if phase load; then
echo "## baseline load" >&2
restore
start_load auto
t0=$(now_ms); sleep 20; t1=$(now_ms)
read -r base_tps base_err base_state < <(window_stats "$t0" "$t1")
stop_load
start_load disable
t0=$(now_ms); sleep 20; t1=$(now_ms)
read -r base_tps_plain base_err_plain _ < <(window_stats "$t0" "$t1")
stop_load
echo "baseline tps prepared=$base_tps plain=$base_tps_plain" >&2

echo "## under load" >&2
for ddl_name in $DDLS; do
  ddl_var="ddl_$ddl_name"
  for tool in $TOOLS_LOAD; do
    restore
    mode=auto; base=$base_tps
    [ "$tool" = ptosc ] && { mode=disable; base=$base_tps_plain; }
    start_load "$mode"
    t0=$(now_ms)
    read -r wall rps block < <(cpu_during run_tool "$tool" "${!ddl_var}")
    t1=$(now_ms)
    sleep 2
    read -r tps err state < <(window_stats "$t0" "$t1")
    stop_load
    ratio=$(python3 -c "print(f'{$tps / $base:.2f}' if $base else 'n/a')")
    echo "load $ddl_name $tool wall_ms=$wall rows_per_s=$rps block_ms=$block tps=$tps ratio=$ratio err=$err sysbench=$state" >&2
    results+=("load|$ddl_name|$tool|$wall|$rps|$block|$tps|$ratio|$err|$state")
  done
done
fi

if phase cutovers; then
echo "## $CUTOVERS ordo cutovers under load" >&2
restore
blocks=()
start_load auto
for i in $(seq 1 "$CUTOVERS"); do
  if (( i % 2 )); then ddl="ADD COLUMN x INT NOT NULL DEFAULT 0"; else ddl="DROP COLUMN x"; fi
  read -r wall rps block < <(run_tool ordo "$ddl")
  blocks+=("$block")
  echo "cutover $i: block_ms=$block wall_ms=$wall" >&2
done
read -r _ cut_err cut_state < <(window_stats "$load_t0" "$(now_ms)")
stop_load
stats=$(printf '%s\n' "${blocks[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m, a[NR]}')
fi

# The application's view: a read-then-write client that never retries
# (ordo_rw_client, 4 sessions on rows of their own) beside the 4-thread prepared-statement
# load in its strict form (own_rows.lua, --mysql-ignore-errors=none: its first error
# ends a thread, "died"), through CUTOVERS ordo ADD COLUMNs each swapped and then
# reverted after a REVERT_WINDOW_MS window; then APP_PTOSC pt-osc runs with the same
# client (and the strict load with plain statements, which pt-osc's triggers leave
# alive). Every error either sees counts.
app_line=""
if phase app; then
echo "## the read-then-write client: $CUTOVERS ordo cutovers and reverts under load" >&2
rw_bin=$root/$build/bench/engine/ordo_rw_client
rw_run() {  # rw_run LABEL CMD…: runs CMD with the client beside it; prints the client's line
  local label=$1; shift
  rm -f "$work/rw-stop"
  "$rw_bin" "mysql://ordo:ordo@127.0.0.1:$port/bench" sbtest1 threads=4 stop="$work/rw-stop" >"$work/rw-$label" 2>&1 &
  local rw_pid=$!
  sleep 1
  "$@"
  touch "$work/rw-stop"
  wait "$rw_pid" || true
  cat "$work/rw-$label"
}
app_ordo() {
  for i in $(seq 1 "$CUTOVERS"); do
    read -r cblock rblock < <(ordo_json "$ddl_add_column" "revert_after_ms=$REVERT_WINDOW_MS" write_block_ms revert_block_ms)
    echo "app $i: cutover_block_ms=$cblock revert_block_ms=$rblock" >&2
    echo "$cblock" >>"$work/app-blocks"; echo "$rblock" >>"$work/app-blocks"
  done
}
app_ptosc() {
  for i in $(seq 1 "${APP_PTOSC:-3}"); do
    if (( i % 2 )); then ddl="ADD COLUMN x INT NOT NULL DEFAULT 0"; else ddl="DROP COLUMN x"; fi
    read -r wall _ block < <(run_tool ptosc "$ddl")
    echo "app pt-osc $i: wall_ms=$wall" >&2
  done
}
restore
: >"$work/app-blocks"
start_load auto strict
t0=$(now_ms)
ordo_rw=$(rw_run ordo app_ordo)
read -r _ app_err app_state < <(window_stats "$t0" "$(now_ms)")
stop_load
app_stats=$(sort -n "$work/app-blocks" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print m, a[NR], NR}')
restore
start_load disable strict
t0=$(now_ms)
ptosc_rw=$(rw_run ptosc app_ptosc)
read -r _ pt_err pt_state < <(window_stats "$t0" "$(now_ms)")
stop_load
app_line="read-then-write client (4 sessions, no retries) through $CUTOVERS ordo cutovers + $CUTOVERS reverts under the strict prepared-statement load: ${ordo_rw#rw_client }; write blocks (${app_stats##* } swaps) median $(echo "$app_stats" | cut -d' ' -f1) ms, max $(echo "$app_stats" | cut -d' ' -f2) ms; sysbench $app_state, err/s summed $app_err
same client through ${APP_PTOSC:-3} pt-osc runs under the strict plain-statement load: ${ptosc_rw#rw_client }; sysbench $pt_state, err/s summed $pt_err"
echo "$app_line" >&2
fi

# Part 2: the instant path and the revert, idle and under load, REPS times each.
for mode in idle load; do
  if phase instant; then
    walls=() blocks=()
    for i in $(seq 1 "$REPS"); do
      restore
      [ "$mode" = load ] && start_load auto
      t0=$(now_ms)
      read -r wall block inst < <(ordo_json "$ddl_add_column" instant wall_ms write_block_ms instant)
      t1=$(now_ms)
      if [ "$mode" = load ]; then read -r tps err state < <(window_stats "$t0" "$t1"); stop_load; else err=- state=-; fi
      echo "instant $mode $i: instant=$inst wall_ms=$wall block_ms=$block err=$err sysbench=$state" >&2
      walls+=("$wall"); blocks+=("$block")
    done
    part2+=("instant|$mode|$(printf '%s
' "${walls[@]}" | median)|$(printf '%s
' "${blocks[@]}" | median)|$(printf '%s
' "${blocks[@]}" | sort -n | tail -1)|${walls[*]}|${blocks[*]}")
  fi
  if phase revert; then
    reverts=() rblocks=() cblocks=()
    for i in $(seq 1 "$REPS"); do
      restore
      [ "$mode" = load ] && start_load auto
      t0=$(now_ms)
      read -r cblock rms rblock rattempts < <(ordo_json "$ddl_add_column" "revert_after_ms=$REVERT_WINDOW_MS" \
        write_block_ms revert_ms revert_block_ms revert_attempts)
      t1=$(now_ms)
      if [ "$mode" = load ]; then read -r tps err state < <(window_stats "$t0" "$t1"); stop_load; else err=- state=-; fi
      echo "revert $mode $i: cutover_block_ms=$cblock revert_ms=$rms revert_block_ms=$rblock attempts=$rattempts err=$err sysbench=$state" >&2
      reverts+=("$rms"); rblocks+=("$rblock"); cblocks+=("$cblock")
    done
    part2+=("revert|$mode|$(printf '%s
' "${reverts[@]}" | median)|$(printf '%s
' "${rblocks[@]}" | median)|$(printf '%s
' "${rblocks[@]}" | sort -n | tail -1)|${reverts[*]}|${rblocks[*]}")
  fi
done

echo
echo "$(server_line); $ROWS rows, sbtest1 $table_mb MB; $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| phase | change | tool | wall ms | rows/s | cutover block ms | TPS during | TPS ratio | client err/s summed | sysbench |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do
  IFS='|' read -r phase ddl tool wall rps block tps ratio err state <<<"$r"
  echo "| $phase | $ddl | $tool | $wall | $rps | $block | ${tps:--} | ${ratio:--} | ${err:--} | ${state:--} |"
done
echo
echo "baseline TPS (4 threads oltp_write_only): prepared $base_tps (err/s summed $base_err), plain $base_tps_plain"
echo "ordo cutover write-block over $CUTOVERS cutovers under load: median ${stats% *} ms, max ${stats#* } ms; sysbench $cut_state, err/s summed $cut_err"
[ -n "$app_line" ] && echo && echo "$app_line"
if [ ${#part2[@]} -gt 0 ]; then
  echo
  echo "part 2, $REPS runs each, ADD COLUMN on $ROWS rows (revert window $REVERT_WINDOW_MS ms):"
  echo "| what | load | median ms (instant: wall; revert: revert time) | median write-block ms | max write-block ms | all times | all write-blocks |"
  echo "|---|---|---|---|---|---|---|"
  for r in "${part2[@]}"; do
    IFS='|' read -r what mode med bmed bmax all ball <<<"$r"
    echo "| $what | $mode | $med | $bmed | $bmax | $all | $ball |"
  done
fi
