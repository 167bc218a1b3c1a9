// MysqlStore: opening, migrations, the clock and the helpers the other mysql_store_*.cc
// files share (events, row reads, lease checks, apply-state writes).
#include "store/mysql/mysql_store.h"

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
    : SqlStore(MysqlDialect(), options),
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

Result<std::unique_ptr<sqlstore::Transaction>> MysqlStore::BeginWrite() {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  return std::unique_ptr<sqlstore::Transaction>(new Transaction(std::move(txn)));
}

Result<std::unique_ptr<sqlstore::Session>> MysqlStore::BeginRead() {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  return std::unique_ptr<sqlstore::Session>(new PooledSession(std::move(conn)));
}

Result<std::string> MysqlStore::ExternalIdOf(sqlstore::Session& conn, int64_t apply_id) {
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

}  // namespace ordo::mysql
