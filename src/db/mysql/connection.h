// MysqlConnection: one MariaDB/MySQL client session (Connector/C), with prepared
// statements, bound parameters and string-typed result rows.
//
// Every value ordo sends is bound (never spliced into SQL text); identifiers are
// quoted with QuoteIdentifier. Server errors come back as Status values mapped by
// MapMysqlError in one place: deadlock and lock wait timeout → Aborted (retryable),
// lost or refused connections → Unavailable (retryable), duplicate key →
// AlreadyExists, syntax/unknown column → InvalidArgument, statement timeout → Timeout.
// After an Unavailable error the connection is broken() and must be discarded.
//
// Thread-safety: a connection is used by one thread at a time. Use MysqlPool to share.
//
//   ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn, {}));
//   ORDO_ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT id, name FROM t WHERE id > ?",
//                                                {SqlValue::Int(7)}));
//   for (const auto& row : rows.rows) std::cout << *row[1];
#pragma once

#include <mysql.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/dsn.h"
#include "db/sql_value.h"
#include "ordo/status.h"

namespace ordo::db {

struct MysqlConnectOptions {
  int connect_timeout_s = 5;
  int read_timeout_s = 60;  // a query that takes longer fails Unavailable
  int write_timeout_s = 60;
  // Statements run right after connecting (e.g. "SET SESSION time_zone='+00:00'").
  std::vector<std::string> init_statements;
  // Lets ExecuteScript send several statements in one round trip (CLIENT_MULTI_STATEMENTS).
  bool multi_statements = false;
};

class MysqlConnection {
 public:
  // Unavailable (retryable) when the server cannot be reached; InvalidArgument for a
  // DSN that is not mysql://.
  static Result<std::unique_ptr<MysqlConnection>> Connect(const Dsn& dsn,
                                                          const MysqlConnectOptions& options);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs one statement without parameters, discarding any result.
  Status Execute(std::string_view sql);
  // Runs one statement with bound parameters; returns the affected-row count.
  Result<uint64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params);
  // Text-protocol query without parameters.
  Result<SqlRows> Query(std::string_view sql);
  // Several `;`-separated statements in one round trip, results discarded (needs
  // MysqlConnectOptions::multi_statements). The server stops at the first failing
  // statement; its error is returned and the later ones did not run.
  Status ExecuteScript(std::string_view sql);
  // `v` as an SQL literal for this connection's charset: 42, NULL, 'it''s' (escaped by
  // the client library), X'00ff' for bytes. For ExecuteScript's statements only;
  // everything else binds its values.
  std::string Literal(const SqlValue& v);
  // Prepared query with bound parameters; every cell comes back as a string (NULL as
  // nullopt). Prepared statements are cached per connection.
  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params);

  uint64_t last_insert_id() const { return last_insert_id_; }
  // True after a connection-level failure: discard the connection.
  bool broken() const { return broken_; }
  // Marks the connection unusable (e.g. its state after a failed rollback is unknown),
  // so a pool discards it instead of handing it out again.
  void MarkBroken() { broken_ = true; }
  // Whether a pool may hand it out again: not broken.
  bool reusable() const { return !broken_; }
  // The server's connection id (for KILL).
  uint64_t thread_id();
  MYSQL* raw() { return mysql_; }
  const Dsn& dsn() const { return dsn_; }

 private:
  MysqlConnection() = default;
  Status Fail(unsigned int code, const char* message, std::string_view sql);
  Result<MYSQL_STMT*> Prepare(std::string_view sql);
  Result<SqlRows> RunPrepared(std::string_view sql, const std::vector<SqlValue>& params,
                              uint64_t* affected);
  void DropStatement(std::string_view sql);

  MYSQL* mysql_ = nullptr;
  Dsn dsn_;
  bool broken_ = false;
  uint64_t last_insert_id_ = 0;
  std::map<std::string, MYSQL_STMT*, std::less<>> statements_;
};

// Maps a client or server error number to a Status (the one place for MariaDB/MySQL).
Status MapMysqlError(unsigned int code, std::string_view message);
// Whether `s` carries the error `code` as MapMysqlError wrote it (context added with
// WithContext included).
bool IsMysqlError(const Status& s, unsigned int code);

// `name` quoted as a MariaDB identifier: `a``b`.
std::string QuoteIdentifier(std::string_view name);
// `schema`.`table`
std::string QuoteTable(std::string_view schema, std::string_view table);

}  // namespace ordo::db
