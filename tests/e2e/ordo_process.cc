#include "ordo_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "test_servers.h"

namespace ordo::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& cwd,
            const std::map<std::string, std::string>& env, const std::string& out,
            const std::string& err) {
  // The files are truncated before the fork, so a reader never sees a previous
  // process's output in them.
  int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid = fork();
  if (pid != 0) {
    close(o);
    close(e);
    return pid;
  }
  // Child: stdin from /dev/null, stdout/stderr to the files, then exec.
  int in = open("/dev/null", O_RDONLY);
  dup2(in, 0);
  dup2(o, 1);
  dup2(e, 2);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  std::string bin = OrdoBinary();
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string OrdoBinary() { return ORDO_BINARY; }

OrdoResult RunOrdo(const std::vector<std::string>& args, const std::string& cwd,
                   const std::map<std::string, std::string>& env) {
  TempDir dir;
  std::string out = dir.path() + "/out", err = dir.path() + "/err";
  pid_t pid = Spawn(args, cwd, env, out, err);
  int status = 0;
  waitpid(pid, &status, 0);
  return OrdoResult{DecodeStatus(status), ReadFile(out), ReadFile(err)};
}

OrdoProcess::OrdoProcess(const std::vector<std::string>& args, const std::string& dir)
    : out_path_(dir + "/bg.out"), err_path_(dir + "/bg.err") {
  pid_ = Spawn(args, dir, {}, out_path_, err_path_);
}

OrdoProcess::~OrdoProcess() {
  if (pid_ > 0 && exit_code_ < 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string OrdoProcess::out() const { return ReadFile(out_path_); }
std::string OrdoProcess::err() const { return ReadFile(err_path_); }

void OrdoProcess::Signal(int sig) {
  if (pid_ > 0 && exit_code_ < 0) kill(pid_, sig);
}

int OrdoProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_ >= 0) return exit_code_;
  PollUntil(
      [&] {
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) exit_code_ = DecodeStatus(status);
        return exit_code_ >= 0;
      },
      timeout, std::chrono::milliseconds(20));
  return exit_code_;
}

}  // namespace ordo::testing
