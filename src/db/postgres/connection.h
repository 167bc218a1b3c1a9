// PgConnection: one PostgreSQL client session (libpq), with `?` placeholders, cached
// prepared statements and string-typed result rows — the PostgreSQL counterpart of
// MysqlConnection, taking and returning the same SqlValue/SqlRows.
//
// Callers write the SQL text the other backends run, with `?` placeholders; they are
// rewritten to $1 … $n (ToPgPlaceholders) and every value is bound, never spliced
// into SQL: as text with a type the server infers from the statement, except kBytes,
// which goes as binary bytea. Results come back as text (NULL as nullopt), except
// that bytea cells are decoded to their raw bytes and booleans read "1"/"0" (as
// MariaDB's TINYINT(1) does). Server errors come back as Status values mapped by
// MapPgError in one place: serialization failure, deadlock and lock_timeout/NOWAIT →
// Aborted (retryable), lost or refused connections → Unavailable (retryable), unique
// violation → AlreadyExists, syntax/undefined column → InvalidArgument, missing table
// → NotFound, statement_timeout → Timeout, refused login → FailedPrecondition. After
// a lost connection the connection is broken() and must be discarded.
//
// Every session is READ COMMITTED (SET SESSION CHARACTERISTICS AS TRANSACTION
// ISOLATION LEVEL READ COMMITTED) and UTC (SET TIME ZONE 'UTC'), whatever the server's
// or database's defaults, before any init statement runs. Statements run with
// autocommit unless the caller sends BEGIN. NOTICE and WARNING messages are dropped.
//
// Thread-safety: a connection is used by one thread at a time. Use PgPool to share.
//
//   ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn("postgres://ordo:secret@127.0.0.1:5432/ordo"));
//   ORDO_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(dsn, {}));
//   ORDO_ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT id, name FROM t WHERE id > ?",
//                                                {SqlValue::Int(7)}));
//   for (const auto& row : rows.rows) std::cout << *row[1];
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/dsn.h"
#include "db/postgres/error_map.h"
#include "db/sql_value.h"
#include "ordo/status.h"

namespace ordo::db {

struct PgConnectOptions {
  // Connecting (TCP, TLS if the DSN asks, authentication, the session setup's round
  // trip excluded) that takes longer fails Unavailable.
  int connect_timeout_s = 5;
  // A server that stops answering at the TCP level (host gone, cable cut) is noticed
  // after about this long (TCP keepalives and tcp_user_timeout) and the statement
  // fails Unavailable. A slow statement on a live server is not cut short by it.
  int dead_peer_timeout_s = 60;
  // When > 0, SET statement_timeout for the session: a longer statement fails Timeout.
  int statement_timeout_ms = 0;
  // Statements run right after the session setup (e.g. "SET lock_timeout = '5s'").
  std::vector<std::string> init_statements;
};

class PgConnection {
 public:
  // Unavailable (retryable) when the server cannot be reached or refuses for now
  // (starting up, too many connections); FailedPrecondition when it refuses the login;
  // NotFound for a database that does not exist; InvalidArgument for a DSN that is not
  // postgres://. The DSN's port defaults to 5432 and an empty database to the user's
  // name (libpq's default); its parameters sslmode, sslrootcert, sslcert and sslkey go
  // to libpq, the others are ignored here (they belong to the caller).
  static Result<std::unique_ptr<PgConnection>> Connect(const Dsn& dsn,
                                                       const PgConnectOptions& options);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs SQL text without parameters (simple query protocol: several `;`-separated
  // statements are allowed and run as one implicit transaction unless they manage
  // their own), discarding any result. `?` is not rewritten here.
  Status Execute(std::string_view sql);
  // Runs one statement with bound parameters; returns the affected-row count (0 for
  // statements that report none). InvalidArgument when the number of `?` and of
  // parameters differ.
  Result<uint64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params);
  // Runs SQL text without parameters and returns the last statement's rows.
  Result<SqlRows> Query(std::string_view sql);
  // Prepared query with bound parameters; every cell comes back as a string (NULL as
  // nullopt). Prepared statements are cached per connection, by SQL text and by which
  // parameters are bytes. A cached statement whose result columns changed (an ALTER
  // TABLE under `SELECT *`) is prepared again: at once outside a transaction, after
  // the failed transaction (InvalidArgument, 0A000) inside one.
  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params);

  // After "LISTEN channel": waits up to `timeout_ms` for a notification (on any
  // channel this session listens on) and consumes every one already received. True
  // when at least one arrived; false when the time ran out. Unavailable (and broken())
  // when the connection was lost.
  Result<bool> WaitForNotification(int timeout_ms);

  // True after a connection-level failure: discard the connection.
  bool broken() const { return broken_; }
  // Marks the connection unusable (e.g. its state after a failed rollback is unknown),
  // so a pool discards it instead of handing it out again.
  void MarkBroken() { broken_ = true; }
  // True between BEGIN and COMMIT/ROLLBACK (also after an error inside the
  // transaction block, until it is rolled back) or when the state is unknown.
  bool in_transaction() const;
  // Whether a pool may hand it out again: not broken and outside a transaction.
  bool reusable() const { return !broken_ && !in_transaction(); }
  // The server process serving this session (for pg_terminate_backend).
  int backend_pid() const;
  PGconn* raw() { return conn_; }
  const Dsn& dsn() const { return dsn_; }

 private:
  struct Prepared {
    std::string name;
  };
  struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

  PgConnection() = default;
  // The Status for a failed command (`result` may be null), marking the connection
  // broken when libpq lost it.
  Status Fail(const PGresult* result);
  // Ok for a result that is not an error; the error otherwise.
  Status Check(const PGresult* result);
  Result<ResultPtr> RunText(std::string_view sql);
  Result<const Prepared*> Prepare(std::string_view sql, const std::vector<SqlValue>& params);
  Result<ResultPtr> RunPrepared(std::string_view sql, const std::vector<SqlValue>& params);
  void DropStatement(std::string_view key);

  PGconn* conn_ = nullptr;
  Dsn dsn_;
  bool broken_ = false;
  uint64_t next_statement_ = 0;
  // Keyed by StatementKey: the SQL text and which parameters are bytes.
  std::map<std::string, Prepared, std::less<>> statements_;
};

// `name` quoted as a PostgreSQL identifier: "a""b".
std::string QuotePgIdentifier(std::string_view name);

}  // namespace ordo::db
