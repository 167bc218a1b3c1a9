#include "test_servers.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

namespace ordo::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Runs a shell command, collecting its stdout in `out`; its exit status (-1 when it
// cannot be run).
int RunCollecting(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out->append(buf.data(), n);
  return pclose(pipe);
}

// Runs a shell command, returning its stdout; Unavailable on a non-zero exit.
Result<std::string> Run(const std::string& command) {
  std::string out;
  int rc = RunCollecting(command, &out);
  if (rc == -1) return Unavailable("cannot run: " + command);
  if (rc != 0) return Unavailable("command failed (" + std::to_string(rc) + "): " + command);
  return out;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// The port a start script printed on its last line.
Result<int> PrintedPort(const std::string& out, std::string_view script) {
  std::string text = out;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.rfind('\n');
  int port = std::atoi(text.c_str() + (nl == std::string::npos ? 0 : nl + 1));
  if (port <= 0) return Unavailable(std::string(script) + " printed no port: " + out);
  return port;
}

}  // namespace

std::string SourceDir() { return ORDO_SOURCE_DIR; }

bool ServersRequired() { return Env("ORDO_REQUIRE_SERVERS") == "1"; }

namespace {

const ServerKind kMariaDb{"mariadb-tmp", "ORDO_MARIADB_OPTS", "ORDO_TEST_MYSQL", "mysql"};
const ServerKind kPostgres{"postgres-tmp", "ORDO_POSTGRES_OPTS", "ORDO_TEST_PG", "postgres"};

}  // namespace

bool ScriptServer::FromEnvironment() {
  std::string prefix = kind_.env_prefix;
  if (Env((prefix + "_PORT").c_str()).empty()) return false;
  if (!Env((prefix + "_HOST").c_str()).empty()) host_ = Env((prefix + "_HOST").c_str());
  port_ = std::atoi(Env((prefix + "_PORT").c_str()).c_str());
  if (!Env((prefix + "_USER").c_str()).empty()) user_ = Env((prefix + "_USER").c_str());
  password_ = Env((prefix + "_PASSWORD").c_str());
  return true;
}

template <typename S>
Result<S*> ScriptServer::SharedOf() {
  static std::mutex mu;
  static std::unique_ptr<S> shared;
  static Status failure = Status::Ok();
  std::lock_guard<std::mutex> lock(mu);
  if (shared) return shared.get();
  if (!failure.ok()) return failure;
  std::unique_ptr<S> named = S::Make();
  if (named->FromEnvironment()) {
    shared = std::move(named);
    return shared.get();
  }
  auto started = S::StartPrivate();
  if (!started.ok()) {
    failure = started.status();
    return failure;
  }
  shared = std::move(*started);
  // Stopped by the static destructor at exit.
  return shared.get();
}

Status ScriptServer::StartThrowaway(std::string extra_options) {
  std::string tmpl = std::string("/tmp/ordo-") + kind_.script + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return Unavailable("mkdtemp failed");
  dir_ = tmpl;
  extra_options_ = std::move(extra_options);
  return Restart();
}

Status ScriptServer::Restart() {
  std::string cmd = std::string(kind_.options_env) + "=" + ShellQuote(extra_options_) + " " +
                    ShellQuote(SourceDir() + "/scripts/" + kind_.script) + " start " +
                    ShellQuote(dir_) + (port_ ? " " + std::to_string(port_) : "") + " 2>&1";
  auto out = Run(cmd);
  if (!out.ok()) return out.status();
  ORDO_ASSIGN_OR_RETURN(port_, PrintedPort(*out, kind_.script));
  return Status::Ok();
}

Status ScriptServer::Kill() {
  if (dir_.empty()) return FailedPrecondition("cannot stop an external server");
  return Run(ShellQuote(SourceDir() + "/scripts/" + kind_.script) + " stop " + ShellQuote(dir_))
      .status();
}

ScriptServer::~ScriptServer() {
  if (dir_.empty()) return;
  (void)Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ScriptServer::Dsn(std::string_view database) const {
  return std::string(kind_.scheme) + "://" + user_ + ":" + password_ + "@" + host_ + ":" +
         std::to_string(port_) + "/" + std::string(database);
}

template <typename S>
Result<std::unique_ptr<S>> ScriptServer::StartPrivateOf(std::string extra_options) {
  std::unique_ptr<S> server = S::Make();
  ORDO_RETURN_IF_ERROR(server->StartThrowaway(std::move(extra_options)));
  return server;
}

MariaDbServer::MariaDbServer() : ScriptServer(kMariaDb) {}

Result<MariaDbServer*> MariaDbServer::Shared() { return SharedOf<MariaDbServer>(); }

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::StartPrivate(std::string extra_options) {
  return StartPrivateOf<MariaDbServer>(std::move(extra_options));
}

PostgresServer::PostgresServer() : ScriptServer(kPostgres) {}

Result<PostgresServer*> PostgresServer::Shared() { return SharedOf<PostgresServer>(); }

Result<std::unique_ptr<PostgresServer>> PostgresServer::StartPrivate(std::string extra_options) {
  return StartPrivateOf<PostgresServer>(std::move(extra_options));
}

Status MariaDbServer::Exec(std::string_view sql, std::string_view database) const {
  std::string cmd = "mariadb --no-defaults --protocol=tcp -h" + ShellQuote(host_) + " -P" +
                    std::to_string(port_) + " -u" + ShellQuote(user_) +
                    (password_.empty() ? "" : " -p" + ShellQuote(password_)) + " " +
                    (database.empty() ? "" : ShellQuote(database)) + " -e " + ShellQuote(sql) +
                    " 2>&1";
  auto out = Run(cmd);
  if (!out.ok()) return Internal(out.status().message());
  return Status::Ok();
}

Status PostgresServer::Exec(std::string_view sql, std::string_view database) const {
  std::string cmd = "PGPASSWORD=" + ShellQuote(password_) + " PGCONNECT_TIMEOUT=10 psql -X -q" +
                    " -v ON_ERROR_STOP=1 -h " + ShellQuote(host_) + " -p " + std::to_string(port_) +
                    " -U " + ShellQuote(user_) + " -d " +
                    ShellQuote(database.empty() ? "postgres" : database) + " -c " +
                    ShellQuote(sql) + " 2>&1";
  std::string out;
  int rc = RunCollecting(cmd, &out);
  // The command line holds the password: report psql's output only.
  if (rc != 0) return Internal("psql failed (" + std::to_string(rc) + "): " + out);
  return Status::Ok();
}

Status PostgresServer::CreateDatabase(std::string_view name) const {
  return Exec("CREATE DATABASE \"" + std::string(name) + "\"");
}

std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::string(prefix) + "_" + std::to_string(getpid()) + "_" +
         std::to_string(counter.fetch_add(1)) + "_" + std::to_string(rng() % 100000);
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/ordo-test-XXXXXX";
  char* p = mkdtemp(tmpl);
  path_ = p ? p : "/tmp";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (path_ != "/tmp") std::filesystem::remove_all(path_, ec);
}

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace ordo::testing
