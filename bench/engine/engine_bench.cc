// ordo_engine_bench: runs one migration with the engine (defaults unless told) and
// prints one JSON line with its numbers, for bench/engine/run.sh.
//
//   ordo_engine_bench DSN SCHEMA TABLE DDL [copy_threads=N] [instant] [revert_after_ms=N]
//
// The copy path is forced (allow_instant false) unless `instant` is given, so that an
// ADD COLUMN measures the copy; with `instant` the engine takes ALGORITHM=INSTANT when
// MariaDB can (the JSON says which it did). With `revert_after_ms`, the migration runs
// with a revert window: after the swap the old table is kept in sync for that long
// (under whatever load runs), then Revert() verifies and swaps back; its wall time and
// write-blocked time are reported.
//
//   {"wall_ms":…,"copy_ms":…,"verify_cutover_ms":…,"rows":…,"rows_per_s":…,
//    "write_block_ms":…,"attempts":…,"instant":…,"rows_verified":…,"max_backlog_bytes":…,
//    "max_backlog_phase":…,"failed_attempts":[reason…]}
//   with revert_after_ms, also: "window_ms":…,"revert_ms":…,"revert_verified_rows":…,
//    "revert_block_ms":…,"revert_attempts":…
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ordo/engine.h"

namespace {

using Clock = std::chrono::steady_clock;

// Counts copied rows; with ORDO_BENCH_PHASES set, prints each phase change and when
// it happened (ms since start) on stderr, to see where an operation's time goes, and
// the binlog backlog of every progress report.
class QuietHost : public ordo::EngineHost {
 public:
  ordo::Status ReportProgress(const ordo::EngineProgress& p) override {
    rows = 0;
    for (const auto& c : p.changes) rows += c.rows_copied;
    if (show_phases_ && p.phase != phase_) {
      phase_ = p.phase;
      std::fprintf(stderr, "phase %s at %lld ms\n", phase_.c_str(),
                   static_cast<long long>(Ms(start_, Clock::now())));
    }
    if (show_phases_)
      std::fprintf(stderr, "backlog %lld bytes at %lld ms\n",
                   static_cast<long long>(p.backlog_bytes),
                   static_cast<long long>(Ms(start_, Clock::now())));
    if (p.backlog_bytes > max_backlog) {
      max_backlog = p.backlog_bytes;
      max_backlog_phase = p.phase;
    }
    return ordo::Status::Ok();
  }
  ordo::Status SaveResumeState(const std::string&) override { return ordo::Status::Ok(); }
  bool ShouldStop() override { return false; }
  int64_t rows = 0;
  int64_t max_backlog = 0;  // the largest binlog backlog reported, and in which phase
  std::string max_backlog_phase;

 private:
  static int64_t Ms(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
  }
  const bool show_phases_ = std::getenv("ORDO_BENCH_PHASES") != nullptr;
  const Clock::time_point start_ = Clock::now();
  std::string phase_;
};

int64_t Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

int Fail(const ordo::Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

bool Option(const std::string& arg, const std::string& name, std::string* value) {
  if (arg.rfind(name + "=", 0) != 0) return false;
  *value = arg.substr(name.size() + 1);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: ordo_engine_bench DSN SCHEMA TABLE DDL [copy_threads=N] [instant] "
                 "[revert_after_ms=N] [max_backlog_bytes=N] [copy_rest=X] [verify_rest=X] "
                 "[verify_during_copy=0|1] [apply_sessions=N] [keep_indexes]\n");
    return 2;
  }
  ordo::EngineSpec spec;
  spec.target_dsn = argv[1];
  spec.changes.push_back({1, argv[2], argv[3], argv[4]});
  spec.allow_instant = false;
  int64_t revert_after_ms = -1;
  for (int i = 5; i < argc; ++i) {
    std::string arg = argv[i], value;
    if (arg == "instant") {
      spec.allow_instant = true;
    } else if (Option(arg, "copy_threads", &value)) {
      spec.copy_threads = std::stoi(value);
    } else if (Option(arg, "copy_rest", &value)) {
      spec.rest_under_writes = std::stod(value);
    } else if (Option(arg, "verify_rest", &value)) {
      spec.verify_rest_under_writes = std::stod(value);
    } else if (Option(arg, "verify_during_copy", &value)) {
      spec.verify_during_copy = value != "0";
    } else if (Option(arg, "max_backlog_bytes", &value)) {
      spec.max_backlog_bytes = std::stoll(value);
    } else if (Option(arg, "apply_sessions", &value)) {
      spec.apply_sessions = std::stoi(value);
    } else if (arg == "keep_indexes") {
      spec.defer_secondary_indexes = false;
    } else if (Option(arg, "revert_after_ms", &value)) {
      revert_after_ms = std::stoll(value);
      spec.revert_window = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  QuietHost host;
  auto t0 = Clock::now();
  auto engine = ordo::NewMysqlEngine(spec, &host);
  if (!engine.ok()) return Fail(engine.status());
  ordo::Status s = (*engine)->Preflight();
  if (s.ok()) s = (*engine)->Copy();
  if (!s.ok()) return Fail(s);
  auto t1 = Clock::now();
  auto report = (*engine)->Cutover();
  if (!report.ok()) return Fail(report.status());
  auto t2 = Clock::now();
  double secs = Ms(t0, t1) / 1000.0;
  std::printf(
      "{\"wall_ms\":%lld,\"copy_ms\":%lld,\"verify_cutover_ms\":%lld,\"rows\":%lld,"
      "\"rows_per_s\":%.0f,\"write_block_ms\":%lld,\"attempts\":%d,\"instant\":%s",
      static_cast<long long>(Ms(t0, t2)), static_cast<long long>(Ms(t0, t1)),
      static_cast<long long>(Ms(t1, t2)), static_cast<long long>(host.rows),
      secs > 0 ? host.rows / secs : 0.0, static_cast<long long>(report->write_block_ms),
      report->attempts, report->instant ? "true" : "false");
  std::printf(
      ",\"rows_verified\":%lld,\"max_backlog_bytes\":%lld,\"max_backlog_phase\":\"%s\",\"failed_"
      "attempts\":[",
      static_cast<long long>(report->rows_verified), static_cast<long long>(host.max_backlog),
      host.max_backlog_phase.c_str());
  for (size_t i = 0; i < report->failed_attempt_reasons.size(); ++i) {
    std::string reason;
    for (char c : report->failed_attempt_reasons[i])
      if (c != '"' && c != '\\') reason += c;
    std::printf("%s\"%s\"", i ? "," : "", reason.c_str());
  }
  std::printf("]");
  if (revert_after_ms >= 0) {
    auto window_end = t2 + std::chrono::milliseconds(revert_after_ms);
    s = (*engine)->KeepOldInSync([&] { return Clock::now() >= window_end; });
    if (!s.ok()) return Fail(s);
    auto t3 = Clock::now();
    auto reverted = (*engine)->Revert();
    if (!reverted.ok()) return Fail(reverted.status());
    auto t4 = Clock::now();
    std::printf(
        ",\"window_ms\":%lld,\"revert_ms\":%lld,\"revert_verified_rows\":%lld,"
        "\"revert_block_ms\":%lld,\"revert_attempts\":%d",
        static_cast<long long>(Ms(t2, t3)), static_cast<long long>(Ms(t3, t4)),
        static_cast<long long>(reverted->rows_verified),
        static_cast<long long>(reverted->write_block_ms), reverted->attempts);
  }
  std::printf("}\n");
  return 0;
}
