// ordo_engine_bench: runs one migration with the engine (defaults unless told) and
// prints one JSON line with its numbers, for bench/engine/run.sh.
//
//   ordo_engine_bench DSN SCHEMA TABLE DDL [COPY_THREADS]
//   {"wall_ms":…,"copy_ms":…,"verify_cutover_ms":…,"rows":…,"rows_per_s":…,
//    "write_block_ms":…,"attempts":…}
#include <chrono>
#include <cstdio>
#include <string>

#include "ordo/engine.h"

namespace {

class QuietHost : public ordo::EngineHost {
 public:
  ordo::Status ReportProgress(const ordo::EngineProgress& p) override {
    rows = 0;
    for (const auto& c : p.changes) rows += c.rows_copied;
    return ordo::Status::Ok();
  }
  ordo::Status SaveResumeState(const std::string&) override { return ordo::Status::Ok(); }
  bool ShouldStop() override { return false; }
  int64_t rows = 0;
};

int64_t Ms(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: ordo_engine_bench DSN SCHEMA TABLE DDL [COPY_THREADS]\n");
    return 2;
  }
  ordo::EngineSpec spec;
  spec.target_dsn = argv[1];
  spec.changes.push_back({1, argv[2], argv[3], argv[4]});
  if (argc > 5) spec.copy_threads = std::stoi(argv[5]);
  QuietHost host;
  auto t0 = std::chrono::steady_clock::now();
  auto engine = ordo::NewMysqlEngine(spec, &host);
  if (!engine.ok()) return std::fprintf(stderr, "%s\n", engine.status().ToString().c_str()), 1;
  ordo::Status s = (*engine)->Preflight();
  if (s.ok()) s = (*engine)->Copy();
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  auto t1 = std::chrono::steady_clock::now();
  auto report = (*engine)->Cutover();
  if (!report.ok()) return std::fprintf(stderr, "%s\n", report.status().ToString().c_str()), 1;
  auto t2 = std::chrono::steady_clock::now();
  double secs = Ms(t0, t1) / 1000.0;
  std::printf(
      "{\"wall_ms\":%lld,\"copy_ms\":%lld,\"verify_cutover_ms\":%lld,\"rows\":%lld,"
      "\"rows_per_s\":%.0f,\"write_block_ms\":%lld,\"attempts\":%d}\n",
      static_cast<long long>(Ms(t0, t2)), static_cast<long long>(Ms(t0, t1)),
      static_cast<long long>(Ms(t1, t2)), static_cast<long long>(host.rows),
      secs > 0 ? host.rows / secs : 0.0, static_cast<long long>(report->write_block_ms),
      report->attempts);
  return 0;
}
