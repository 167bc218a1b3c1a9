// SqliteStore: opening, migrations, the clock, the sessions the store core runs on,
// and the claims' candidate lists.
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
  ORDO_RETURN_IF_ERROR(
      db_->ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "applied_at INTEGER NOT NULL)"));
  int current = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st,
                          db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) current = static_cast<int>(st.Int(0));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    ORDO_RETURN_IF_ERROR(
        db_->ExecScript(m.sql).WithContext("migration " + std::to_string(m.version)));
    ORDO_ASSIGN_OR_RETURN(
        auto st,
        db_->Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :now)"));
    ORDO_RETURN_IF_ERROR(st.Bind(":v", m.version).Bind(":now", NowMicros()).Run());
  }
  return txn.Commit();
}

Result<Micros> SqliteStore::Now() { return NowMicros(); }

Result<std::unique_ptr<sqlstore::Transaction>> SqliteStore::BeginWrite() {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<WriteTxn> txn,
                        WriteTxn::Begin(mu_, db_.get(), NowMicros()));
  return std::unique_ptr<sqlstore::Transaction>(std::move(txn));
}

Result<std::unique_ptr<sqlstore::Session>> SqliteStore::BeginRead() {
  return std::unique_ptr<sqlstore::Session>(new ReadSession(mu_, db_.get(), NowMicros()));
}

sqlstore::SqlText SqliteStore::CandidateList(Claim claim) const {
  switch (claim) {
    case Claim::kCopy:
      return copy_list_;
    case Claim::kCutover:
      return cutover_list_;
    case Claim::kCleanup:
      break;
  }
  return cleanup_list_;
}

}  // namespace ordo::sqlite
