// Real servers for tests: throwaway MariaDB and PostgreSQL processes on loopback,
// each with its own temp datadir, stopped when the test binary exits.
//
// A test binary asks for a server with MariaDbServer::Shared() or
// PostgresServer::Shared(). When the environment names one
// (ORDO_TEST_MYSQL_HOST/PORT/USER/PASSWORD, ORDO_TEST_PG_HOST/PORT/USER/PASSWORD) it
// is used; otherwise scripts/mariadb-tmp or scripts/postgres-tmp starts one. When no
// server can be had, ORDO_REQUIRE_SERVERS=1 (set by CI) makes that a test failure;
// otherwise the test skips with a printed reason.
//
// Thread-safety: Shared() is safe to call from several threads.
//
//   TEST(Foo, Bar) {
//     ORDO_ASSIGN_SERVER_OR_SKIP(server);
//     std::string dsn = server->Dsn(UniqueName("t"));
//   }
//   TEST(Foo, Baz) {
//     ORDO_ASSIGN_PG_SERVER_OR_SKIP(pg);
//     std::string db = UniqueName("t");
//     ASSERT_TRUE(pg->CreateDatabase(db).ok());
//     std::string dsn = pg->Dsn(db);  // postgres://ordo:ordo@127.0.0.1:PORT/db
//   }
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ordo/status.h"

namespace ordo::testing {

// What differs between the throwaway servers of scripts/mariadb-tmp and
// scripts/postgres-tmp.
struct ServerKind {
  const char* script;       // under scripts/, e.g. "mariadb-tmp"
  const char* options_env;  // the script's extra-options variable, e.g. "ORDO_MARIADB_OPTS"
  const char* env_prefix;   // <prefix>_HOST/PORT/USER/PASSWORD name an external server
  const char* scheme;       // of Dsn(), e.g. "mysql"
};

// A server for tests: an external one named by the environment, or a throwaway one
// started by the kind's script in a temp dir (stopped and removed with the object).
class ScriptServer {
 public:
  virtual ~ScriptServer();
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  // scheme://user:password@host:port/database
  std::string Dsn(std::string_view database = "") const;
  // Stops the server (for crash/unreachable tests); Restart() brings it back on the
  // same port and datadir.
  Status Kill();
  Status Restart();

 protected:
  explicit ScriptServer(const ServerKind& kind) : kind_(kind) {}
  // The server the environment names; false when it names none.
  bool FromEnvironment();
  // Starts a throwaway server with `extra_options`.
  Status StartThrowaway(std::string extra_options);
  // The process-wide server of type S (a ScriptServer with a default constructor
  // S::Make() and StartPrivate()), started on first use.
  template <typename S>
  static Result<S*> SharedOf();
  // A private server of type S, started with `extra_options`.
  template <typename S>
  static Result<std::unique_ptr<S>> StartPrivateOf(std::string extra_options);

  const ServerKind& kind_;
  std::string dir_;  // empty for an external server
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "ordo";
  std::string password_ = "ordo";
  std::string extra_options_;
};

class MariaDbServer final : public ScriptServer {
 public:
  // The process-wide shared server, started on first use.
  static Result<MariaDbServer*> Shared();
  // A private server (e.g. one per deployment in an end-to-end test); stopped when
  // the object is destroyed. `extra_options` go to mariadbd.
  static Result<std::unique_ptr<MariaDbServer>> StartPrivate(std::string extra_options = "");
  // Runs SQL statements with the mariadb command-line client; for test setup only.
  Status Exec(std::string_view sql, std::string_view database = "") const;

 private:
  friend class ScriptServer;
  MariaDbServer();
  static std::unique_ptr<MariaDbServer> Make() {
    return std::unique_ptr<MariaDbServer>(new MariaDbServer());
  }
};

class PostgresServer final : public ScriptServer {
 public:
  // The process-wide shared server, started on first use.
  static Result<PostgresServer*> Shared();
  // A private server (e.g. to stop it under a session); stopped when the object is
  // destroyed. `extra_options` go to postgres (ORDO_POSTGRES_OPTS, e.g. "-c a=b"). Its
  // Kill() is a fast shutdown: sessions get 57P01.
  static Result<std::unique_ptr<PostgresServer>> StartPrivate(std::string extra_options = "");
  // Runs SQL with psql (in database `postgres` when none is named); for test setup
  // only. Internal with psql's output when it fails.
  Status Exec(std::string_view sql, std::string_view database = "") const;
  // CREATE DATABASE `name` (a plain identifier, e.g. from UniqueName).
  Status CreateDatabase(std::string_view name) const;

 private:
  friend class ScriptServer;
  PostgresServer();
  static std::unique_ptr<PostgresServer> Make() {
    return std::unique_ptr<PostgresServer>(new PostgresServer());
  }
};

// True when CI demands real servers (ORDO_REQUIRE_SERVERS=1).
bool ServersRequired();

// A name unique within this machine: prefix + pid + counter + random suffix.
std::string UniqueName(std::string_view prefix);

// A fresh temp directory, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Polls `done` every `interval` until it returns true or `timeout` passes.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(10));

// The repository root (for scripts/).
std::string SourceDir();

}  // namespace ordo::testing

// Binds `var` to the shared server of type `Server`, or fails (CI) / skips (locally) the
// test; `what` names the server, `package` what scripts/setup installs for it.
#define ORDO_ASSIGN_SHARED_SERVER_OR_SKIP(var, Server, what, package)                         \
  Server* var = nullptr;                                                                      \
  do {                                                                                        \
    auto ordo_srv_ = Server::Shared();                                                        \
    if (!ordo_srv_.ok()) {                                                                    \
      if (::ordo::testing::ServersRequired())                                                 \
        FAIL() << what " server required but unavailable: " << ordo_srv_.status().ToString(); \
      GTEST_SKIP() << "skipped: no " what " server (" << ordo_srv_.status().ToString()        \
                   << "); run scripts/setup to install " package;                             \
    }                                                                                         \
    var = *ordo_srv_;                                                                         \
  } while (0)

// Binds `var` to the shared MariaDB server, or fails (CI) / skips (locally) the test.
#define ORDO_ASSIGN_SERVER_OR_SKIP(var)                                             \
  ORDO_ASSIGN_SHARED_SERVER_OR_SKIP(var, ::ordo::testing::MariaDbServer, "MariaDB", \
                                    "mariadb-server")

// Binds `var` to the shared PostgreSQL server, or fails (CI) / skips (locally) the test.
#define ORDO_ASSIGN_PG_SERVER_OR_SKIP(var)                                              \
  ORDO_ASSIGN_SHARED_SERVER_OR_SKIP(var, ::ordo::testing::PostgresServer, "PostgreSQL", \
                                    "postgresql")
