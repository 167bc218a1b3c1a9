// engine_driver: runs the engine in its own process for crash tests. The resume state
// is persisted to a file (written to a temp file, then renamed) and read back at
// start, as an operator would keep it in the store.
//
//   engine_driver DSN SCHEMA TABLE DDL STATE_FILE copy|cutover CHUNK_MS THREADS
//
// Prints "resumed=0|1 scanned=N" after the copy, "swapped block_ms=N" after a
// cutover; exits 0 on success, 1 with the error on stderr otherwise.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ordo/engine.h"

namespace {

class FileHost : public ordo::EngineHost {
 public:
  explicit FileHost(std::string path) : path_(std::move(path)) {}
  ordo::Status ReportProgress(const ordo::EngineProgress& p) override {
    last_ = p;
    return ordo::Status::Ok();
  }
  ordo::Status SaveResumeState(const std::string& json) override {
    std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << json;
      if (!out) return ordo::Unavailable("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path_.c_str()) != 0) return ordo::Unavailable("cannot rename");
    return ordo::Status::Ok();
  }
  bool ShouldStop() override { return false; }
  ordo::EngineProgress last_;

 private:
  std::string path_;
};

int Fail(const ordo::Status& s) {
  std::fprintf(stderr, "engine_driver: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(
        stderr,
        "usage: engine_driver DSN SCHEMA TABLE DDL STATE_FILE copy|cutover CHUNK_MS THREADS\n");
    return 2;
  }
  ordo::EngineSpec spec;
  spec.target_dsn = argv[1];
  spec.changes.push_back({1, argv[2], argv[3], argv[4]});
  std::string state_file = argv[5];
  std::string mode = argv[6];
  spec.chunk_target_ms = std::stoll(argv[7]);
  spec.copy_threads = std::stoi(argv[8]);
  spec.checkpoint_interval_ms = 100;
  spec.allow_instant = false;  // the crash tests are about the copy
  spec.revert_window = true;   // the old table stays as t_ordo_old for the comparison
  std::ifstream in(state_file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    spec.resume_state = text.str();
  }
  FileHost host(state_file);
  auto engine = ordo::NewMysqlEngine(spec, &host);
  if (!engine.ok()) return Fail(engine.status());
  ordo::Status s = (*engine)->Copy();
  if (!s.ok()) return Fail(s);
  std::printf("resumed=%d scanned=%lld\n", host.last_.resumed ? 1 : 0,
              static_cast<long long>(host.last_.rows_scanned_this_run));
  std::fflush(stdout);
  if (mode == "cutover") {
    auto report = (*engine)->Cutover();
    if (!report.ok()) return Fail(report.status());
    std::printf("swapped block_ms=%lld\n", static_cast<long long>(report->write_block_ms));
  }
  return 0;
}
