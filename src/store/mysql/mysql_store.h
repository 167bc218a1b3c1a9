// MysqlStore: the control store on MariaDB/MySQL (model.md, docs/store.md).
//
// Connections come from a MysqlPool; every session runs READ COMMITTED with
// time_zone '+00:00', and every timestamp is the database clock (NOW(6) into
// DATETIME(6)). A claim is one transaction: a non-locking query lists the first
// candidates in (created_at, id) order, then each is locked by primary key with
// `SELECT … FOR UPDATE SKIP LOCKED` that repeats every gate against the newest
// committed row, the first one locked is moved by a guarded UPDATE, and the
// transaction commits (zero rows updated: nothing claimed). Fenced writes lock the row
// they write, so a write from a displaced driver waits for an uncommitted steal and
// then fails with LeaseLost. Deadlocks and lock wait timeouts come back as Aborted
// (retryable). The rules that do not depend on the database (fenced writes, creates,
// requests, reads, what housekeeping does to one apply) are the store core's
// (store/sql/sql_store.h); this class gives it transactions and MariaDB's dialect and
// owns the claims and their gates.
//
// Thread-safety: safe from many threads (each call takes its own pooled connection);
// several processes may share one database.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, mysql::MysqlStore::Open(dsn, {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/dsn.h"
#include "db/mysql/pool.h"
#include "ordo/store.h"
#include "store/mysql/gates.h"
#include "store/sql/sql_store.h"

namespace ordo::mysql {

class Transaction;

class MysqlStore final : public sqlstore::SqlStore {
 public:
  // Checks that the server answers; does not migrate. Unavailable when it cannot be
  // reached.
  static Result<std::unique_ptr<MysqlStore>> Open(const Dsn& dsn, const StoreOptions& options);

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
  MysqlStore(const Dsn& dsn, const StoreOptions& options);

  Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
  Result<std::unique_ptr<sqlstore::Session>> BeginRead() override;

  // ---- MariaDB's own helpers; `conn` is inside the caller's transaction ----
  // WriteEvent's INSERT as text, for Transaction::CommitAfter.
  static std::string EventInsert(MysqlConnection& conn, const Event& e);
  Result<std::vector<int64_t>> QueryIds(const GateQuery& query);
  // A candidate row locked by this transaction, and the database clock then.
  struct Locked {
    OperationRecord operation;  // as committed before the claim
    std::string now;            // NOW(6) as DATETIME text, reused for every write of the claim
  };
  // The external id of apply `apply_id`, read once per apply (`conn` may be inside a
  // transaction) and kept: an apply's external id never changes and ids are not reused.
  Result<std::string> ExternalIdOf(sqlstore::Session& conn, int64_t apply_id);
  static constexpr size_t kMaxCachedExternalIds = 10000;  // then the cache starts over
  // Locks the first row in claim order that is claimable (every gate evaluated on the
  // newest committed row) and that no other transaction holds (see ClaimGates).
  Result<std::optional<Locked>> LockFirstCandidate(sqlstore::Session& conn, const ClaimGates& gates);
  // Writes the claimed event and commits, in one round trip, and builds the answer
  // (the state from before the claim).
  Result<ClaimedOperation> CommitClaim(Transaction& txn, const Locked& locked,
                                       OperationState after, const std::string& owner,
                                       const std::string& token, std::string_view arm);
  // The rare-arm probe reads at most this many pages of rows that turn out not to be
  // claimable before the claim settles for the ordered arm's row.
  static constexpr int kMaxCandidatePages = 16;

  GateParams gate_params_;
  std::unique_ptr<MysqlPool> pool_;      // single statements (autocommit)
  std::unique_ptr<MysqlPool> txn_pool_;  // transactions (autocommit off)
  std::mutex external_ids_mu_;
  std::unordered_map<int64_t, std::string> external_ids_;  // ExternalIdOf's, by apply id
};

// The settings of every store session (UTC time zone, READ COMMITTED, strict sql_mode,
// MariaDB optimizer switches; the DSN's lock_wait_timeout). Tools that must plan
// queries exactly as the store does (EXPLAIN in bench/store) connect with these.
MysqlConnectOptions SessionOptions(const Dsn& dsn);

// OpenStore's entry for "mysql:": `rest` is the URL after the scheme
// ("//user:pass@host:port/database?lock_wait_timeout=10&pool=64").
Result<std::unique_ptr<Store>> OpenMysqlUrl(std::string_view rest, const StoreOptions& options);

}  // namespace ordo::mysql
