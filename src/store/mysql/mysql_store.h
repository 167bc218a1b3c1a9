// MysqlStore: the control store on MariaDB/MySQL (docs/model.md, docs/store.md).
//
// Connections come from a MysqlPool; every session runs READ COMMITTED with
// time_zone '+00:00', and every timestamp is the database clock (NOW(6) into
// DATETIME(6)). The rules are the store core's (store/sql/sql_store.h); this class
// gives it transactions, MariaDB's dialect, its migrations, and the copy and cutover
// claims' search (gates.h): the ordered arm's first claimable row is locked with
// `SELECT … FOR UPDATE SKIP LOCKED` on the claim index, the rare arms are probed
// without locks and a probe row that comes first is locked by primary key with every
// gate re-checked against the newest committed row. Fenced writes lock the row they
// write, so a write from a displaced driver waits for an uncommitted steal and then
// fails with LeaseLost. Deadlocks and lock wait timeouts come back as Aborted
// (retryable).
//
// Thread-safety: safe from many threads (each call takes its own pooled connection);
// several processes may share one database.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, mysql::MysqlStore::Open(dsn, {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "db/dsn.h"
#include "db/mysql/pool.h"
#include "ordo/store.h"
#include "store/mysql/gates.h"
#include "store/sql/sql_store.h"

namespace ordo::mysql {

class MysqlStore final : public sqlstore::SqlStore {
 public:
  // Checks that the server answers; does not migrate. Unavailable when it cannot be
  // reached.
  static Result<std::unique_ptr<MysqlStore>> Open(const db::Dsn& dsn, const StoreOptions& options);

  Status Migrate() override;
  // A polling watch (store/sql/turn_signal.h): MariaDB cannot notify.
  std::unique_ptr<TurnSignal> WatchTurns() override;
  // How often that watch looks at the swapping operations.
  static constexpr Micros kTurnWatchEvery = 30'000;

 private:
  MysqlStore(const db::Dsn& dsn, const StoreOptions& options);

  Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
  Result<std::unique_ptr<sqlstore::Session>> BeginRead() override;

  // The copy and cutover claims walk the claim index (gates.h); the cleanup claim
  // takes the core's default search.
  Result<std::optional<OperationRecord>> FindCandidate(sqlstore::Session& s, Claim claim) override;
  // The rare-arm probe reads at most this many pages of rows that turn out not to be
  // claimable before the claim settles for the ordered arm's row.
  static constexpr int kMaxCandidatePages = 16;

  ClaimSearch copy_search_;
  ClaimSearch cutover_search_;
  std::unique_ptr<db::MysqlPool> pool_;      // single statements (autocommit)
  std::unique_ptr<db::MysqlPool> txn_pool_;  // transactions (autocommit off)
};

// The settings of every store session (UTC time zone, READ COMMITTED, strict sql_mode,
// MariaDB optimizer switches; the DSN's lock_wait_timeout). Tools that must plan
// queries exactly as the store does (EXPLAIN in bench/store) connect with these.
db::MysqlConnectOptions SessionOptions(const db::Dsn& dsn);

// OpenStore's entry for "mysql:": `rest` is the URL after the scheme
// ("//user:pass@host:port/database?lock_wait_timeout=10&pool=64").
Result<std::unique_ptr<Store>> OpenMysqlUrl(std::string_view rest, const StoreOptions& options);

}  // namespace ordo::mysql
