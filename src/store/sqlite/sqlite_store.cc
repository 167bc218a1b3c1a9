// SqliteStore: opening, migrations, the clock and the helpers the other
// sqlite_store_*.cc files share (events, row reads, apply-state writes).
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_session.h"
#include "store/values.h"

namespace ordo::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const StoreOptions& options) {
  if (path.empty()) return InvalidArgument("sqlite store: empty path");
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, kBusyTimeoutMs));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), options));
}

Status SqliteStore::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  ORDO_RETURN_IF_ERROR(db_->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at INTEGER NOT NULL)"));
  int current = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) current = static_cast<int>(st.Int(0));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    ORDO_RETURN_IF_ERROR(db_->ExecScript(m.sql).WithContext("migration " + std::to_string(m.version)));
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :now)"));
    ORDO_RETURN_IF_ERROR(st.Bind(":v", m.version).Bind(":now", NowMicros()).Run());
  }
  return txn.Commit();
}

Result<int> SqliteStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  ORDO_ASSIGN_OR_RETURN(auto exists, db_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"));
  ORDO_ASSIGN_OR_RETURN(bool has_table, exists.Step());
  if (!has_table) return 0;
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<int>(st.Int(0)) : 0;
}

Result<Micros> SqliteStore::Now() { return NowMicros(); }

Result<std::string> SqliteStore::StoreId() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("SELECT id FROM store_identity ORDER BY created_at, id LIMIT 1");
  if (!st.ok()) return NotFound("the store has no identity yet: migrate it first");
  ORDO_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NotFound("the store has no identity yet: migrate it first");
  return st->Text(0);
}

void SqliteStore::BindGateParams(Statement& st, Micros now) const {
  st.Bind(":now", now)
      .Bind(":stale_before", now - options_.lease_staleness_micros)
      .Bind(":budget", options_.retry_budget)
      .Bind(":fresh_after", now - options_.retry_freshness_micros);
}

Result<std::vector<int64_t>> SqliteStore::QueryIds(std::string_view sql, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(sql));
  BindGateParams(st, now);
  std::vector<int64_t> ids;
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Int(0));
  }
  return ids;
}

Result<std::unique_ptr<sqlstore::Transaction>> SqliteStore::BeginWrite() {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<WriteTxn> txn, WriteTxn::Begin(mu_, db_.get(), NowMicros()));
  return std::unique_ptr<sqlstore::Transaction>(std::move(txn));
}

Result<std::unique_ptr<sqlstore::Session>> SqliteStore::BeginRead() {
  return std::unique_ptr<sqlstore::Session>(new ReadSession(mu_, db_.get()));
}

Micros SqliteStore::TxnNow() {
  Micros now = NowMicros();
  db_->SetNow(now);
  return now;
}

}  // namespace ordo::sqlite
