#include "db/mysql/connection.h"

#include <errmsg.h>

#include <cstdio>
#include <cstring>

namespace ordo::db {
namespace {

// Connector/C must be initialised once per process before threads use it.
struct LibraryInit {
  LibraryInit() { mysql_library_init(0, nullptr, nullptr); }
};

void EnsureLibrary() { static LibraryInit init; }

bool IsConnectionError(unsigned int code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
         code == CR_CONN_HOST_ERROR || code == CR_SERVER_LOST_EXTENDED || code == 1927 ||
         code == 1053;
}

// Parameter buffers that must outlive mysql_stmt_execute.
struct ParamBinds {
  std::vector<MYSQL_BIND> binds;
  std::vector<my_bool> nulls;
  std::vector<unsigned long> lengths;

  explicit ParamBinds(const std::vector<SqlValue>& params)
      : binds(params.size()), nulls(params.size()), lengths(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      MYSQL_BIND& b = binds[i];
      std::memset(&b, 0, sizeof(b));
      nulls[i] = 0;
      b.is_null = &nulls[i];
      switch (p.kind) {
        case SqlValue::Kind::kNull:
          b.buffer_type = MYSQL_TYPE_NULL;
          nulls[i] = 1;
          break;
        case SqlValue::Kind::kInt:
          b.buffer_type = MYSQL_TYPE_LONGLONG;
          b.buffer = const_cast<int64_t*>(&p.i);
          break;
        case SqlValue::Kind::kUInt:
          b.buffer_type = MYSQL_TYPE_LONGLONG;
          b.buffer = const_cast<uint64_t*>(&p.u);
          b.is_unsigned = 1;
          break;
        case SqlValue::Kind::kDouble:
          b.buffer_type = MYSQL_TYPE_DOUBLE;
          b.buffer = const_cast<double*>(&p.d);
          break;
        case SqlValue::Kind::kText:
        case SqlValue::Kind::kBytes:
          // BLOB-typed parameters arrive as binary strings and are stored byte for byte.
          b.buffer_type = p.kind == SqlValue::Kind::kText ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
          b.buffer = const_cast<char*>(p.s.data());
          lengths[i] = p.s.size();
          b.buffer_length = p.s.size();
          b.length = &lengths[i];
          break;
      }
    }
  }
};

}  // namespace

Result<std::unique_ptr<MysqlConnection>> MysqlConnection::Connect(
    const Dsn& dsn, const MysqlConnectOptions& options) {
  if (dsn.scheme != "mysql") return InvalidArgument("not a mysql:// URL: " + dsn.Redacted());
  EnsureLibrary();
  std::unique_ptr<MysqlConnection> conn(new MysqlConnection());
  conn->dsn_ = dsn;
  conn->mysql_ = mysql_init(nullptr);
  if (conn->mysql_ == nullptr) return Internal("mysql_init failed");
  unsigned int timeout = options.connect_timeout_s;
  mysql_optionsv(conn->mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  unsigned int rt = options.read_timeout_s, wt = options.write_timeout_s;
  mysql_optionsv(conn->mysql_, MYSQL_OPT_READ_TIMEOUT, &rt);
  mysql_optionsv(conn->mysql_, MYSQL_OPT_WRITE_TIMEOUT, &wt);
  mysql_optionsv(conn->mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(conn->mysql_, MYSQL_OPT_PROTOCOL, &protocol);
  int port = dsn.port ? dsn.port : 3306;
  if (mysql_real_connect(conn->mysql_, dsn.host.c_str(), dsn.user.c_str(), dsn.password.c_str(),
                         dsn.database.empty() ? nullptr : dsn.database.c_str(), port, nullptr,
                         CLIENT_FOUND_ROWS |
                             (options.multi_statements ? CLIENT_MULTI_STATEMENTS : 0)) == nullptr) {
    unsigned int code = mysql_errno(conn->mysql_);
    Status s = MapMysqlError(code, mysql_error(conn->mysql_));
    return Status(s.code(), "cannot connect to " + dsn.Redacted() + ": " + s.message(),
                  s.retryable());
  }
  for (const auto& stmt : options.init_statements) ORDO_RETURN_IF_ERROR(conn->Execute(stmt));
  return conn;
}

MysqlConnection::~MysqlConnection() {
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  if (mysql_) mysql_close(mysql_);
}

Status MysqlConnection::Fail(unsigned int code, const char* message, std::string_view sql) {
  if (IsConnectionError(code)) broken_ = true;
  Status s = MapMysqlError(code, message);
  (void)sql;
  return s;
}

uint64_t MysqlConnection::thread_id() { return mysql_thread_id(mysql_); }

Status MysqlConnection::Execute(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return Fail(mysql_errno(mysql_), mysql_error(mysql_), sql);
  // Drain any result so the connection stays usable.
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res) mysql_free_result(res);
  last_insert_id_ = mysql_insert_id(mysql_);
  return Status::Ok();
}

Status MysqlConnection::ExecuteScript(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return Fail(mysql_errno(mysql_), mysql_error(mysql_), sql);
  while (true) {
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res) mysql_free_result(res);
    int next = mysql_next_result(mysql_);
    if (next == -1) return Status::Ok();
    if (next > 0) return Fail(mysql_errno(mysql_), mysql_error(mysql_), sql);
  }
}

std::string MysqlConnection::Literal(const SqlValue& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (v.kind) {
    case SqlValue::Kind::kNull:
      return "NULL";
    case SqlValue::Kind::kInt:
      return std::to_string(v.i);
    case SqlValue::Kind::kUInt:
      return std::to_string(v.u);
    case SqlValue::Kind::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.17g", v.d);
      return buf;
    }
    case SqlValue::Kind::kBytes: {
      std::string out = "X'";
      for (unsigned char c : v.s) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
    case SqlValue::Kind::kText: {
      std::string out(v.s.size() * 2 + 1, '\0');
      unsigned long n = mysql_real_escape_string(mysql_, out.data(), v.s.data(), v.s.size());
      out.resize(n);
      return "'" + out + "'";
    }
  }
  return "NULL";
}

Result<SqlRows> MysqlConnection::Query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    return Fail(mysql_errno(mysql_), mysql_error(mysql_), sql);
  SqlRows out;
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Fail(mysql_errno(mysql_), mysql_error(mysql_), sql);
    return out;
  }
  unsigned int n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned int i = 0; i < n; ++i) out.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    SqlRow r(n);
    for (unsigned int i = 0; i < n; ++i)
      if (row[i]) r[i] = std::string(row[i], lengths[i]);
    out.rows.push_back(std::move(r));
  }
  mysql_free_result(res);
  return out;
}

Result<MYSQL_STMT*> MysqlConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (stmt == nullptr) return Internal("mysql_stmt_init failed");
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    mysql_stmt_close(stmt);
    return s;
  }
  statements_.emplace(std::string(sql), stmt);
  return stmt;
}

void MysqlConnection::DropStatement(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) return;
  mysql_stmt_close(it->second);
  statements_.erase(it);
}

Result<uint64_t> MysqlConnection::Execute(std::string_view sql,
                                          const std::vector<SqlValue>& params) {
  uint64_t affected = 0;
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, RunPrepared(sql, params, &affected));
  (void)rows;
  return affected;
}

Result<SqlRows> MysqlConnection::Query(std::string_view sql, const std::vector<SqlValue>& params) {
  uint64_t affected = 0;
  return RunPrepared(sql, params, &affected);
}

Result<SqlRows> MysqlConnection::RunPrepared(std::string_view sql,
                                             const std::vector<SqlValue>& params,
                                             uint64_t* affected) {
  ORDO_ASSIGN_OR_RETURN(MYSQL_STMT * stmt, Prepare(sql));
  if (mysql_stmt_param_count(stmt) != params.size())
    return InvalidArgument("statement expects " + std::to_string(mysql_stmt_param_count(stmt)) +
                           " parameters, got " + std::to_string(params.size()));
  ParamBinds binds(params);
  if (!params.empty() && mysql_stmt_bind_param(stmt, binds.binds.data()) != 0) {
    Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    DropStatement(sql);
    return s;
  }
  if (mysql_stmt_execute(stmt) != 0) {
    Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    // A statement whose table changed must be re-prepared; dropping it is always safe.
    DropStatement(sql);
    return s;
  }
  SqlRows out;
  *affected = mysql_stmt_affected_rows(stmt);
  last_insert_id_ = mysql_stmt_insert_id(stmt);
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
  if (meta == nullptr) return out;
  unsigned int n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  for (unsigned int i = 0; i < n; ++i) out.columns.emplace_back(fields[i].name);
  mysql_free_result(meta);

  constexpr unsigned long kInitial = 256;
  std::vector<MYSQL_BIND> binds_out(n);
  std::vector<std::string> buffers(n, std::string(kInitial, '\0'));
  std::vector<unsigned long> lengths(n);
  std::vector<my_bool> nulls(n), errors(n);
  for (unsigned int i = 0; i < n; ++i) {
    std::memset(&binds_out[i], 0, sizeof(MYSQL_BIND));
    binds_out[i].buffer_type = MYSQL_TYPE_STRING;
    binds_out[i].buffer = buffers[i].data();
    binds_out[i].buffer_length = kInitial;
    binds_out[i].length = &lengths[i];
    binds_out[i].is_null = &nulls[i];
    binds_out[i].error = &errors[i];
  }
  if (mysql_stmt_bind_result(stmt, binds_out.data()) != 0) {
    Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    mysql_stmt_free_result(stmt);
    return s;
  }
  while (true) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
      mysql_stmt_free_result(stmt);
      return s;
    }
    SqlRow row(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= kInitial) {
        row[i] = std::string(buffers[i].data(), lengths[i]);
        continue;
      }
      // Truncated: fetch the whole value into a buffer of the right size.
      std::string big(lengths[i], '\0');
      MYSQL_BIND b;
      std::memset(&b, 0, sizeof(b));
      unsigned long len = 0;
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = big.data();
      b.buffer_length = big.size();
      b.length = &len;
      if (mysql_stmt_fetch_column(stmt, &b, i, 0) != 0) {
        Status s = Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
        mysql_stmt_free_result(stmt);
        return s;
      }
      big.resize(len);
      row[i] = std::move(big);
    }
    out.rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt);
  return out;
}

}  // namespace ordo::db
