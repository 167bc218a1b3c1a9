#include "db/postgres/connection.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "db/postgres/placeholders.h"

namespace ordo::db {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;

std::string Field(const PGresult* r, int field) {
  const char* v = r ? PQresultErrorField(r, field) : nullptr;
  return v ? std::string(v) : std::string();
}

// A cell as ordo reads it: bytea decoded to raw bytes, booleans as 1/0.
Result<std::string> Cell(const PGresult* r, int row, int col) {
  const char* v = PQgetvalue(r, row, col);
  int len = PQgetlength(r, row, col);
  Oid type = PQftype(r, col);
  if (type == kBoolOid) return std::string(v[0] == 't' ? "1" : "0");
  if (type != kByteaOid) return std::string(v, len);
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
  if (raw == nullptr) return Internal("cannot decode a bytea value");
  std::string out(reinterpret_cast<char*>(raw), n);
  PQfreemem(raw);
  return out;
}

Result<SqlRows> ToRows(const PGresult* r) {
  SqlRows out;
  int cols = PQnfields(r);
  int rows = PQntuples(r);
  for (int c = 0; c < cols; ++c) out.columns.emplace_back(PQfname(r, c));
  out.rows.reserve(rows);
  for (int i = 0; i < rows; ++i) {
    SqlRow row(cols);
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) continue;
      ORDO_ASSIGN_OR_RETURN(row[c], Cell(r, i, c));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

// Parameter values in libpq's form; the strings must outlive the call.
struct ParamValues {
  std::vector<std::string> text;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit ParamValues(const std::vector<SqlValue>& params)
      : text(params.size()), values(params.size()), lengths(params.size()), formats(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      switch (p.kind) {
        case SqlValue::Kind::kNull:
          values[i] = nullptr;
          continue;
        case SqlValue::Kind::kInt:
          text[i] = std::to_string(p.i);
          break;
        case SqlValue::Kind::kUInt:
          text[i] = std::to_string(p.u);
          break;
        case SqlValue::Kind::kDouble: {
          char buf[32];
          std::snprintf(buf, sizeof(buf), "%.17g", p.d);
          text[i] = buf;
          break;
        }
        case SqlValue::Kind::kText:
          values[i] = p.s.c_str();
          continue;
        case SqlValue::Kind::kBytes:
          values[i] = p.s.data();
          lengths[i] = static_cast<int>(p.s.size());
          formats[i] = 1;  // binary: the bytes as they are
          continue;
      }
      values[i] = text[i].c_str();
    }
  }
};

// The statement cache's key: the caller's SQL text, '\0', one letter per parameter
// ('b' for bytes, which are declared bytea).
std::string StatementKey(std::string_view sql, const std::vector<SqlValue>& params) {
  std::string key(sql);
  key += '\0';
  for (const SqlValue& p : params) key += p.kind == SqlValue::Kind::kBytes ? 'b' : '-';
  return key;
}

}  // namespace

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

bool PgConnection::in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

int PgConnection::backend_pid() const { return PQbackendPID(conn_); }

Status PgConnection::Fail(const PGresult* result) {
  bool lost = PQstatus(conn_) == CONNECTION_BAD;
  std::string message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && result) message = PQresultErrorMessage(result);
  if (message.empty()) message = PQerrorMessage(conn_);
  std::string detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) message += " (" + detail + ")";
  Status s = MapPgError(Field(result, PG_DIAG_SQLSTATE), message, lost);
  // The server also says so before it closes a session (57P01 on shutdown): the
  // connection is as good as lost even when libpq has not seen the close yet.
  if (s.Is(StatusCode::kUnavailable)) broken_ = true;
  return s;
}

Status PgConnection::Check(const PGresult* result) {
  switch (result ? PQresultStatus(result) : PGRES_FATAL_ERROR) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return Status::Ok();
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH:
      // The session now waits for COPY data ordo never sends.
      broken_ = true;
      return InvalidArgument("COPY is not supported by PgConnection");
    default:
      return Fail(result);
  }
}

Result<PgConnection::ResultPtr> PgConnection::RunText(std::string_view sql) {
  ResultPtr result(PQexec(conn_, std::string(sql).c_str()));
  ORDO_RETURN_IF_ERROR(Check(result.get()));
  return result;
}

Status PgConnection::Execute(std::string_view sql) { return RunText(sql).status(); }

Result<bool> PgConnection::WaitForNotification(int timeout_ms) {
  auto lost = [&] {
    broken_ = true;
    return Unavailable(std::string("postgres: the connection was lost while listening: ") +
                       PQerrorMessage(conn_));
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (PQconsumeInput(conn_) == 0) return lost();
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    if (any) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (fd.fd < 0) return lost();
    int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return lost();
  }
}

Result<SqlRows> PgConnection::Query(std::string_view sql) {
  ORDO_ASSIGN_OR_RETURN(ResultPtr result, RunText(sql));
  return ToRows(result.get());
}

Result<const PgConnection::Prepared*> PgConnection::Prepare(std::string_view sql,
                                                            const std::vector<SqlValue>& params) {
  std::string key = StatementKey(sql, params);
  auto it = statements_.find(key);
  if (it != statements_.end()) return &it->second;

  PgStatementText text = ToPgPlaceholders(sql);
  if (text.placeholders != params.size())
    return InvalidArgument("statement expects " + std::to_string(text.placeholders) +
                           " parameters, got " + std::to_string(params.size()));
  // Bytes are declared bytea (they are sent in binary); every other type is left to
  // the server to infer from the statement, as it does for an untyped literal.
  std::vector<Oid> types(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].kind == SqlValue::Kind::kBytes) types[i] = kByteaOid;
  Prepared prepared{"ordo_" + std::to_string(++next_statement_)};
  ResultPtr result(PQprepare(conn_, prepared.name.c_str(), text.sql.c_str(),
                             static_cast<int>(types.size()), types.data()));
  ORDO_RETURN_IF_ERROR(Check(result.get()));
  return &statements_.emplace(std::move(key), std::move(prepared)).first->second;
}

void PgConnection::DropStatement(std::string_view key) {
  auto it = statements_.find(key);
  if (it == statements_.end()) return;
  // Outside a transaction the server's copy is freed now; inside one (the transaction
  // has failed) it stays until the session ends, under a name never used again.
  if (!broken_ && !in_transaction())
    ResultPtr(PQexec(conn_, ("DEALLOCATE " + it->second.name).c_str()));
  statements_.erase(it);
}

Result<PgConnection::ResultPtr> PgConnection::RunPrepared(std::string_view sql,
                                                          const std::vector<SqlValue>& params) {
  ParamValues values(params);
  for (int attempt = 0;; ++attempt) {
    ORDO_ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(sql, params));
    ResultPtr result(PQexecPrepared(conn_, prepared->name.c_str(), static_cast<int>(params.size()),
                                    values.values.data(), values.lengths.data(),
                                    values.formats.data(), 0));
    Status s = Check(result.get());
    if (s.ok()) return result;
    // A statement whose result type changed under it ("cached plan must not change
    // result type", after an ALTER TABLE) or that the session lost (DEALLOCATE ALL)
    // must be prepared again. Outside a transaction the failed statement did nothing,
    // so it is prepared and run once more; inside one the transaction has failed and
    // the caller must roll back (the next call prepares it again).
    std::string state = Field(result.get(), PG_DIAG_SQLSTATE);
    if (state != "0A000" && state != "26000") return s;
    DropStatement(StatementKey(sql, params));
    if (attempt > 0 || broken_ || in_transaction()) return s;
  }
}

Result<uint64_t> PgConnection::Execute(std::string_view sql, const std::vector<SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(ResultPtr result, RunPrepared(sql, params));
  std::string_view count = PQcmdTuples(result.get());
  uint64_t affected = 0;
  std::from_chars(count.data(), count.data() + count.size(), affected);
  return affected;
}

Result<SqlRows> PgConnection::Query(std::string_view sql, const std::vector<SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(ResultPtr result, RunPrepared(sql, params));
  return ToRows(result.get());
}

std::string QuotePgIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace ordo::db
