// MysqlStore: opening, migrations, the clock and the helpers the other mysql_store_*.cc
// files share (events, row reads, lease checks, apply-state writes).
#include "store/mysql/mysql_store.h"

#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store/mysql/migrations.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/values.h"

namespace ordo::mysql {

MysqlConnectOptions SessionOptions(const Dsn& dsn) {
  MysqlConnectOptions o;
  o.init_statements = {
      // Timestamps are UTC DATETIME(6) from the database clock.
      "SET SESSION time_zone = '+00:00'",
      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
      // Refuse rather than truncate: a value that does not fit is a bug, not data.
      // On MariaDB also keep EXISTS gates as correlated subqueries: each is then one
      // index lookup per candidate row, where the default rewrite to IN materialises a
      // temporary table on every claim. (The /*M! */ part is run by MariaDB only.)
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
      "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"
      " /*M!100000 , SESSION optimizer_switch = 'exists_to_in=off' */",
  };
  // A fenced write waits for an uncommitted steal of its row; bound how long.
  auto it = dsn.params.find("lock_wait_timeout");
  if (it != dsn.params.end()) {
    int seconds = std::atoi(it->second.c_str());
    if (seconds > 0)
      o.init_statements.push_back("SET SESSION innodb_lock_wait_timeout = " +
                                  std::to_string(seconds));
  }
  return o;
}

namespace {

size_t PoolSize(const Dsn& dsn) {
  auto it = dsn.params.find("pool");
  if (it != dsn.params.end() && std::atoi(it->second.c_str()) > 0)
    return static_cast<size_t>(std::atoi(it->second.c_str()));
  return 64;
}

// Transactions draw from a second pool whose sessions run with autocommit off.
MysqlConnectOptions TransactionSessionOptions(const Dsn& dsn) {
  MysqlConnectOptions o = SessionOptions(dsn);
  o.init_statements.push_back(kTransactionSession);
  o.multi_statements = true;  // Transaction::CommitAfter
  return o;
}

}  // namespace

MysqlStore::MysqlStore(const Dsn& dsn, const StoreOptions& options)
    : options_(options),
      gate_params_(options),
      pool_(std::make_unique<MysqlPool>(dsn, SessionOptions(dsn), PoolSize(dsn))),
      txn_pool_(std::make_unique<MysqlPool>(dsn, TransactionSessionOptions(dsn), PoolSize(dsn))) {}

Result<std::unique_ptr<MysqlStore>> MysqlStore::Open(const Dsn& dsn, const StoreOptions& options) {
  if (dsn.scheme != "mysql") return InvalidArgument("not a mysql:// URL: " + dsn.Redacted());
  if (dsn.database.empty())
    return InvalidArgument("mysql store: the URL names no database: " + dsn.Redacted());
  std::unique_ptr<MysqlStore> store(new MysqlStore(dsn, options));
  // Connect once so an unreachable server or a missing database fails here.
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, store->pool_->Acquire());
  (void)conn;
  return store;
}

Result<std::unique_ptr<Store>> OpenMysqlUrl(std::string_view rest, const StoreOptions& options) {
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn("mysql:" + std::string(rest)));
  ORDO_ASSIGN_OR_RETURN(auto store, MysqlStore::Open(dsn, options));
  return std::unique_ptr<Store>(std::move(store));
}

Status MysqlStore::Migrate() {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  return RunMigrations(*conn);
}

Result<int> MysqlStore::SchemaVersion() {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  return AppliedVersion(*conn);
}

Result<Micros> MysqlStore::Now() {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn->Query("SELECT NOW(6)"));
  if (rows.rows.empty() || !rows.rows[0][0]) return Internal("SELECT NOW(6) returned nothing");
  return ParseDatetime(*rows.rows[0][0]);
}

Result<std::string> MysqlStore::StoreId() {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  auto rows = conn->Query("SELECT id FROM store_identity ORDER BY created_at, id LIMIT 1");
  if (!rows.ok()) {
    if (rows.status().Is(StatusCode::kNotFound)) return NotFound("the store has no identity yet: migrate it first");
    return rows.status();
  }
  if (rows->rows.empty() || !rows->rows[0][0]) return NotFound("the store has no identity yet: migrate it first");
  return *rows->rows[0][0];
}

std::string MysqlStore::EventInsert(MysqlConnection& conn, const Event& e) {
  auto text = [&](const std::optional<std::string>& v) {
    return v ? conn.Literal(SqlValue::Text(*v)) : std::string("NULL");
  };
  return "INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, "
         "message) VALUES (" +
         std::to_string(e.apply_id) + ", " +
         (e.operation_id ? std::to_string(*e.operation_id) : std::string("NULL")) + ", NOW(6), " +
         conn.Literal(SqlValue::Text(e.kind)) + ", " + text(e.from_state) + ", " + text(e.to_state) + ", " +
         conn.Literal(SqlValue::Text(e.message)) + ")";
}

Status MysqlStore::WriteEvent(MysqlConnection& conn, const Event& e) {
  return conn
      .Execute(
          "INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, "
          "message) VALUES (?, ?, NOW(6), ?, ?, ?, ?)",
          {SqlValue::Int(e.apply_id),
           e.operation_id ? SqlValue::Int(*e.operation_id) : SqlValue::Null(),
           SqlValue::Text(e.kind), e.from_state ? SqlValue::Text(*e.from_state) : SqlValue::Null(),
           e.to_state ? SqlValue::Text(*e.to_state) : SqlValue::Null(),
           SqlValue::Text(e.message)})
      .status();
}

Result<ApplyRecord> MysqlStore::ReadApply(MysqlConnection& conn, int64_t apply_id,
                                          bool for_update) {
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows, conn.Query(std::string("SELECT ") + kApplyColumns +
                                   " FROM applies a WHERE a.id = ?" + (for_update ? " FOR UPDATE" : ""),
                               {SqlValue::Int(apply_id)}));
  if (rows.rows.empty()) return NotFound("apply " + std::to_string(apply_id) + " not found");
  return DecodeApply(rows.rows[0]);
}

Result<std::string> MysqlStore::ExternalIdOf(MysqlConnection& conn, int64_t apply_id) {
  {
    std::lock_guard<std::mutex> lock(external_ids_mu_);
    auto it = external_ids_.find(apply_id);
    if (it != external_ids_.end()) return it->second;
  }
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, apply_id));
  std::lock_guard<std::mutex> lock(external_ids_mu_);
  if (external_ids_.size() >= kMaxCachedExternalIds) external_ids_.clear();
  external_ids_.emplace(apply_id, apply.external_id);
  return apply.external_id;
}

Result<OperationRecord> MysqlStore::ReadOperation(MysqlConnection& conn, int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        conn.Query(std::string("SELECT ") + kOperationColumns +
                                       " FROM apply_operations o WHERE o.id = ?",
                                   {SqlValue::Int(operation_id)}));
  if (rows.rows.empty())
    return NotFound("operation " + std::to_string(operation_id) + " not found");
  return DecodeOperation(rows.rows[0]);
}

Result<std::vector<OperationRecord>> MysqlStore::ReadOperations(MysqlConnection& conn,
                                                                int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        conn.Query(std::string("SELECT ") + kOperationColumns +
                                       " FROM apply_operations o WHERE o.apply_id = ? ORDER BY o.id",
                                   {SqlValue::Int(apply_id)}));
  std::vector<OperationRecord> out;
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(row));
    out.push_back(std::move(op));
  }
  return out;
}

Result<std::optional<RequestStatus>> MysqlStore::ReadRequestStatus(MysqlConnection& conn,
                                                                   int64_t apply_id,
                                                                   RequestKind kind) {
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT status FROM control_requests WHERE apply_id = ? AND kind = ?",
                 {SqlValue::Int(apply_id), SqlValue::Text(std::string(ToString(kind)))}));
  if (rows.rows.empty() || !rows.rows[0][0]) return std::optional<RequestStatus>();
  ORDO_ASSIGN_OR_RETURN(RequestStatus status, StoredRequestStatus(*rows.rows[0][0]));
  return std::optional<RequestStatus>(status);
}

Result<bool> MysqlStore::ReleaseLatched(MysqlConnection& conn, int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(auto status, ReadRequestStatus(conn, apply_id, RequestKind::kRelease));
  return status == RequestStatus::kPending || status == RequestStatus::kCompleted;
}

Result<std::vector<int64_t>> MysqlStore::QueryIds(const GateQuery& query) {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn->Query(query.sql, query.params));
  std::vector<int64_t> ids;
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    ids.push_back(id);
  }
  return ids;
}

Status MysqlStore::RederiveApply(MysqlConnection& conn, int64_t apply_id, std::string_view why) {
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, apply_id, /*for_update=*/true));
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply_id));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(conn, apply_id));
  DerivedApplyState derived = DeriveApplyState(ops, latched);
  if (derived.state == apply.state) return Status::Ok();
  return WriteApplyState(conn, apply, derived.state, derived.error, why);
}

Status MysqlStore::WriteApplyState(MysqlConnection& conn, const ApplyRecord& apply,
                                   ApplyState next, const std::optional<std::string>& error,
                                   std::string_view why) {
  bool started = next != ApplyState::kPending;
  ORDO_RETURN_IF_ERROR(
      conn.Execute(
              "UPDATE applies SET state = ?, error = COALESCE(?, error), updated_at = NOW(6), "
              "started_at = IF(?, COALESCE(started_at, NOW(6)), started_at), "
              "completed_at = IF(?, COALESCE(completed_at, NOW(6)), completed_at), "
              "failed_at = IF(?, NOW(6), failed_at) WHERE id = ?",
              {SqlValue::Text(std::string(ToString(next))),
               error ? SqlValue::Text(*error) : SqlValue::Null(), SqlValue::Int(started),
               SqlValue::Int(IsSettled(next)), SqlValue::Int(next == ApplyState::kFailedRetryable),
               SqlValue::Int(apply.id)})
          .status());
  ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply.id, std::nullopt, "state_change",
                                         std::string(ToString(apply.state)),
                                         std::string(ToString(next)),
                                         std::string(why) + (error ? ": " + *error : "")}));
  if (IsSettled(next)) return CompleteMootRequests(conn, apply.id, next);
  return Status::Ok();
}

Status MysqlStore::CompleteMootRequests(MysqlConnection& conn, int64_t apply_id,
                                        ApplyState state) {
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT kind FROM control_requests WHERE apply_id = ? AND status = 'pending' "
                 "ORDER BY id",
                 {SqlValue::Int(apply_id)}));
  std::string why = "moot: apply " + std::string(ToString(state));
  for (const auto& row : rows.rows) {
    std::string kind = row[0].value_or("");
    ORDO_RETURN_IF_ERROR(
        conn.Execute("UPDATE control_requests SET status = 'completed', error = ?, "
                     "updated_at = NOW(6), completed_at = NOW(6) WHERE apply_id = ? AND kind = ? "
                     "AND status = 'pending'",
                     {SqlValue::Text(why), SqlValue::Int(apply_id), SqlValue::Text(kind)})
            .status());
    ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request", "pending",
                                           "completed", kind + " " + why}));
  }
  return Status::Ok();
}

Result<OperationRecord> MysqlStore::LockLeased(MysqlConnection& conn, const Lease& lease) {
  const std::string sql = std::string("SELECT ") + kOperationColumns +
                          " FROM apply_operations o WHERE o.id = ? FOR UPDATE";
  // Try without waiting first: when another transaction holds the row (a claim
  // stealing it, not yet committed) say so at the sync point, then wait for it. The
  // locking read returns the newest committed row, so the token check below sees the
  // steal once it commits.
  auto rows = conn.Query(sql + " NOWAIT", {SqlValue::Int(lease.operation_id)});
  if (!rows.ok() && rows.status().Is(StatusCode::kAborted)) {
    ORDO_SYNC_POINT("Store::WaitingForLock");
    rows = conn.Query(sql, {SqlValue::Int(lease.operation_id)});
  }
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty())
    return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(rows->rows[0]));
  if (op.lease_token == lease.token) return op;
  return LostLease(conn, lease, op.apply_id, op.lease_owner);
}

Status MysqlStore::FenceFailure(MysqlConnection& conn, const Lease& lease) {
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT apply_id, lease_token, lease_owner FROM apply_operations WHERE id = ?",
                 {SqlValue::Int(lease.operation_id)}));
  if (rows.rows.empty())
    return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  const SqlRow& row = rows.rows[0];
  if (row[1] == lease.token) return Status::Ok();
  ORDO_ASSIGN_OR_RETURN(int64_t apply_id, CellInt(row, 0));
  return LostLease(conn, lease, apply_id, row[2]);
}

Status MysqlStore::LostLease(MysqlConnection& conn, const Lease& lease, int64_t apply_id,
                             const std::optional<std::string>& holder) {
  std::string message = "lease of " + lease.owner + " (token " + lease.token +
                        ") lost; held by " + holder.value_or("nobody");
  ORDO_RETURN_IF_ERROR(WriteEvent(
      conn, {apply_id, lease.operation_id, "lease_lost", std::nullopt, std::nullopt, message}));
  return LeaseLost("operation " + std::to_string(lease.operation_id) + ": " + message);
}

}  // namespace ordo::mysql
