// SqliteStore: the control store on one SQLite file (docs/model.md, docs/store.md).
//
// Every write transaction is BEGIN IMMEDIATE: SQLite has one writer at a time, so a
// claim's SELECT and guarded UPDATE run with no other writer in between, across
// threads and processes alike. The file is in WAL mode (readers never block the
// writer); lock waits poll up to a busy timeout and then fail with Aborted (retryable).
// The rules that do not depend on the database are the store core's
// (store/sql/sql_store.h); this class gives it transactions and SQLite's dialect and
// its candidate lists (the claims' search on SQLite's indexes).
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
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_session.h"

namespace ordo::sqlite {

class SqliteStore final : public sqlstore::SqlStore {
 public:
  // Opens (creating) the file; does not migrate.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);

  Status Migrate() override;
  // The host clock (or StoreOptions::clock): SQLite has no clock of its own.
  Result<Micros> Now() override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> db, const StoreOptions& options)
      : SqlStore(sqlstore::SqliteDialect(), options),
        db_(std::move(db)),
        copy_list_(CopyCandidatesSql(gates())),
        cutover_list_(CutoverCandidatesSql(gates())),
        cleanup_list_(CleanupCandidatesSql(gates())) {}

  Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
  Result<std::unique_ptr<sqlstore::Session>> BeginRead() override;

  // The database clock: StoreOptions::clock when set, else the host clock. Shadows
  // sqlite::NowMicros() in every member function.
  Micros NowMicros() const {
    return options_.clock != nullptr ? options_.clock->NowMicros() : sqlite::NowMicros();
  }

  // The claims' candidate lists on SQLite's indexes (sqlite_gates.h), built once.
  sqlstore::SqlText CandidateList(Claim claim) const override;

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  const sqlstore::SqlText copy_list_;
  const sqlstore::SqlText cutover_list_;
  const sqlstore::SqlText cleanup_list_;
};

}  // namespace ordo::sqlite
