// PgConnection::Connect: opening a session and its setup.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "db/postgres/connection.h"

namespace ordo::db {
namespace {

void DropNotice(void*, const char*) {}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const Dsn& dsn,
                                                            const PgConnectOptions& options) {
  if (dsn.scheme != "postgres") return InvalidArgument("not a postgres:// URL: " + dsn.Redacted());
  std::vector<std::pair<std::string, std::string>> params = {
      {"host", dsn.host},
      {"port", std::to_string(dsn.port ? dsn.port : 5432)},
      {"user", dsn.user},
      {"client_encoding", "UTF8"},
      {"application_name", "ordo"},
      {"connect_timeout", std::to_string(options.connect_timeout_s)},
      {"keepalives", "1"},
      {"keepalives_idle", std::to_string(std::max(1, options.dead_peer_timeout_s / 2))},
      {"keepalives_interval", std::to_string(std::max(1, options.dead_peer_timeout_s / 6))},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", std::to_string(options.dead_peer_timeout_s * 1000)},
  };
  if (!dsn.password.empty()) params.emplace_back("password", dsn.password);
  if (!dsn.database.empty()) params.emplace_back("dbname", dsn.database);
  for (const char* key : {"sslmode", "sslrootcert", "sslcert", "sslkey"}) {
    auto it = dsn.params.find(key);
    if (it != dsn.params.end()) params.emplace_back(key, it->second);
  }
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  std::unique_ptr<PgConnection> conn(new PgConnection());
  conn->dsn_ = dsn;
  conn->conn_ = PQconnectStartParams(keys.data(), values.data(), 0);
  if (conn->conn_ == nullptr) return Internal("libpq could not allocate a connection");
  PQsetErrorVerbosity(conn->conn_, PQERRORS_VERBOSE);
  auto refused = [&](const Status& s) {
    return Status(s.code(), "cannot connect to " + dsn.Redacted() + ": " + s.message(),
                  s.retryable());
  };

  // The blocking PQconnectdb would use connect_timeout per address tried; polling
  // keeps one deadline for the whole attempt.
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.connect_timeout_s);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (PQstatus(conn->conn_) != CONNECTION_BAD && state != PGRES_POLLING_OK &&
         state != PGRES_POLLING_FAILED) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return refused(MapPgError(
          "08001", "timed out after " + std::to_string(options.connect_timeout_s) + " s"));
    pollfd p{PQsocket(conn->conn_),
             static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return refused(MapPgError("08001", "poll failed"));
    if (ready > 0) state = PQconnectPoll(conn->conn_);
  }
  if (PQstatus(conn->conn_) != CONNECTION_OK)
    return refused(MapPgConnectError(PQerrorMessage(conn->conn_)));
  PQsetErrorVerbosity(conn->conn_, PQERRORS_DEFAULT);
  PQsetNoticeProcessor(conn->conn_, DropNotice, nullptr);

  // One round trip for the session's fixed setup.
  std::string setup =
      "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED; "
      "SET TIME ZONE 'UTC'";
  if (options.statement_timeout_ms > 0)
    setup += "; SET statement_timeout = " + std::to_string(options.statement_timeout_ms);
  std::string context = "setting up a session on " + dsn.Redacted();
  ORDO_RETURN_IF_ERROR(conn->Execute(setup).WithContext(context));
  for (const auto& stmt : options.init_statements)
    ORDO_RETURN_IF_ERROR(conn->Execute(stmt).WithContext(context));
  return conn;
}

}  // namespace ordo::db
