// SqliteStore: the control store on one SQLite file (model.md, docs/store.md).
//
// Every write transaction is BEGIN IMMEDIATE: SQLite has one writer at a time, so a
// claim's SELECT and guarded UPDATE run with no other writer in between, across
// threads and processes alike. The file is in WAL mode (readers never block the
// writer); lock waits poll up to a busy timeout and then fail with Aborted (retryable).
// The rules that do not depend on the database are the store core's
// (store/sql/sql_store.h); this class gives it transactions and SQLite's dialect and
// owns the claims and their gates.
//
// Thread-safety: safe from many threads (one connection guarded by a mutex); several
// processes (or several SqliteStore objects) may open the same file.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, SqliteStore::Open("/var/lib/ordo/ordo.db", {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/store.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_session.h"

namespace ordo::sqlite {

class SqliteStore final : public sqlstore::SqlStore {
 public:
  // Opens (creating) the file; does not migrate.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);

  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Result<Micros> Now() override;
  Result<std::string> StoreId() override;


  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) override;
  Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) override;



  Result<int> ExpireRetries() override;
  Result<int> RederiveUnheldApplies() override;

  Result<std::vector<int64_t>> CopyCandidates() override;
  Result<std::vector<int64_t>> CutoverCandidates() override;
  Result<std::vector<int64_t>> CleanupCandidates() override;
  Result<std::vector<int64_t>> StopCandidates() override;
  Result<std::vector<int64_t>> ExpiryCandidates() override;
  Result<std::vector<int64_t>> RederiveCandidates() override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> db, const StoreOptions& options)
      : SqlStore(SqliteDialect(), options), db_(std::move(db)), here_(db_.get()) {}

  Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
  Result<std::unique_ptr<sqlstore::Session>> BeginRead() override;
  // NowMicros(), which ordo_now() then returns: for a transaction opened here.
  Micros TxnNow();

  // The database clock: StoreOptions::clock when set, else the host clock. Shadows
  // sqlite::NowMicros() in every member function.
  Micros NowMicros() const {
    return options_.clock != nullptr ? options_.clock->NowMicros() : sqlite::NowMicros();
  }

  // ---- SQLite's own helpers; callers hold mu_ and (for writes) an open transaction ----
  Result<std::vector<int64_t>> QueryIds(std::string_view sql, Micros now);
  // Binds :now, :stale_before, :budget and :fresh_after.
  void BindGateParams(Statement& st, Micros now) const;
  Result<ClaimedOperation> FinishClaim(int64_t operation_id, const OperationRecord& before,
                                       const std::string& owner, const std::string& token,
                                       std::string_view arm);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  DbSession here_;  // the store core's helpers on db_, for a caller that holds mu_
};

}  // namespace ordo::sqlite
