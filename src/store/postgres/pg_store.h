// PgStore: the control store on PostgreSQL (docs/model.md, docs/store.md).
//
// Connections come from a PgPool; every session runs READ COMMITTED in UTC, and every
// timestamp is the database clock (statement_timestamp() into timestamp(6)). The
// rules, the gates and the claims are the store core's (store/sql/sql_store.h); a
// claim finds its row in one statement (pg_store_search.cc): each arm's first rows in
// (created_at, id) order, merged, and of those the first that no other transaction
// holds, locked with FOR UPDATE SKIP LOCKED and every arm re-checked against the
// newest committed row. The copy claim of a pending or a stale in-flight row is that
// statement with its UPDATE and event, committed alone (pg_store_claims.cc).
// Serialization failures, deadlocks (40001, 40P01), lock timeouts and lost connections
// come back retryable (db/postgres/error_map.h).
//
// Thread-safety: safe from many threads (each call takes its own pooled connection);
// several processes may share one database.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, postgres::PgStore::Open(dsn, {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "db/dsn.h"
#include "db/postgres/pool.h"
#include "ordo/store.h"
#include "store/sql/sql_store.h"

namespace ordo::postgres {

class PgStore final : public sqlstore::SqlStore {
 public:
  // Checks that the server answers; does not migrate. Unavailable when it cannot be
  // reached.
  static Result<std::unique_ptr<PgStore>> Open(const db::Dsn& dsn, const StoreOptions& options);

  // The statement a claim finds and locks its row with (pg_store_search.cc), for the
  // arms of that claim (Gates::copy, cutover, cleanup): the operation's columns
  // (kOperationColumns) of at most one row. Public for EXPLAIN (bench/store).
  static sqlstore::SqlText FirstCandidateSql(const sqlstore::ClaimArms& arms);
  // The same for the cleanup claim, whose idle-ended leg reads only the rows of applies
  // that ended (found without reading the settled history).
  static sqlstore::SqlText FirstCleanupSql(const sqlstore::Gates& gates);
  // The copy claim in one statement (pg_store_claims.cc): its values come first — the
  // owner, the token and the claimed event's message for either arm it takes — then
  // the statement's own (SqlText::params). Answers the row as it was locked (the
  // operation's columns), `taken` (1 when the statement claimed it) and the apply's
  // external id.
  static sqlstore::SqlText CopyClaimSql(const sqlstore::Gates& gates);

  // The copy claim, in one statement where the row's arm allows (pg_store_claims.cc):
  // the same row, lease, UPDATE and claimed event as the core's claim.
  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;

  Status Migrate() override;
  // LISTEN ordo_turn on a connection of the watch's own: a deployment that completes
  // or fails notifies it when its transition commits.
  std::unique_ptr<TurnSignal> WatchTurns() override;

 private:
  PgStore(const db::Dsn& dsn, const StoreOptions& options);

  Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
  Result<std::unique_ptr<sqlstore::Session>> BeginRead() override;

  // One statement per claim (FirstCandidateSql) instead of the core's list and one
  // lock statement per candidate tried.
  Result<std::optional<OperationRecord>> FindCandidate(sqlstore::Session& s, Claim claim) override;

  // The statement whose legs list `legs_of`'s arms and whose re-check is `arms`' (the
  // legs may add what narrows them, implied by the arm).
  static sqlstore::SqlText FirstCandidateSql(const sqlstore::ClaimArms& arms,
                                             const sqlstore::ClaimArms& legs_of);
  const db::Dsn dsn_;
  const std::string schema_;  // the URL's `schema`, empty: the server's search_path
  std::unique_ptr<db::PgPool> pool_;
  const std::array<sqlstore::SqlText, 3> find_sql_;  // each claim's find statement, by Claim
  const sqlstore::SqlText copy_claim_sql_;           // CopyClaimSql
};

// The URL's `schema` parameter: the schema that holds the store's tables (created by
// Migrate when missing), so one database can hold several stores beside other
// services' tables. Empty: the session's default search_path (normally `public`).
std::string PgSchema(const db::Dsn& dsn);

// The settings of every store session: the DSN's lock_wait_timeout (seconds, default
// 50, as InnoDB's) as lock_timeout, so a fenced write waiting for a stuck writer
// fails retryably instead of waiting forever; ISO dates; no JIT compilation; the URL's
// schema first on the search_path.
db::PgConnectOptions PgSessionOptions(const db::Dsn& dsn);

// OpenStore's entry for "postgres:" / "postgresql:": `url` is the whole URL
// ("postgres://user:pass@host:5432/database?schema=ordo&lock_wait_timeout=10&pool=64").
Result<std::unique_ptr<Store>> OpenPgUrl(std::string_view url, const StoreOptions& options);

}  // namespace ordo::postgres
