// Running the real `ordo` binary from tests: arguments, environment, exit code,
// captured stdout and stderr; and a background process that can be signalled.
//
// Thread-safety: one test thread.
//
//   OrdoResult r = RunOrdo({"-c", cfg, "status", "--json"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ordo::testing {

struct OrdoResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

// Runs `ordo args…` to completion with stdin from /dev/null, in `cwd` when given.
OrdoResult RunOrdo(const std::vector<std::string>& args, const std::string& cwd = "",
                   const std::map<std::string, std::string>& env = {});

// `ordo args…` in the background; output goes to files read on demand.
class OrdoProcess {
 public:
  OrdoProcess(const std::vector<std::string>& args, const std::string& dir);
  ~OrdoProcess();
  pid_t pid() const { return pid_; }
  std::string out() const;
  std::string err() const;
  void Signal(int sig);
  // Waits (polling) up to `timeout` for the exit; the exit code, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  int exit_code_ = -1;
};

// The path of the built `ordo` binary.
std::string OrdoBinary();

}  // namespace ordo::testing
