// PgStore: opening, migrations, the clock and the sessions the store core runs on.
#include "store/postgres/pg_store.h"

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_session.h"

namespace ordo::postgres {

std::string PgSchema(const db::Dsn& dsn) {
  auto it = dsn.params.find("schema");
  return it == dsn.params.end() ? "" : it->second;
}

db::PgConnectOptions PgSessionOptions(const db::Dsn& dsn) {
  db::PgConnectOptions o;
  int seconds = sqlstore::UrlInt(dsn, "lock_wait_timeout", 50);
  // jit off: the store's statements read a handful of rows, but the planner's cost of
  // their many subqueries passes jit_above_cost with a few thousand queued operations,
  // and compiling them took 100–200 ms a statement (a cleanup claim: 106 ms instead
  // of 2 ms with 4,000 pending; docs/benchmarks.md).
  // Generic plans: the connection prepares each statement once, and under `auto` the
  // planner keeps planning the claims afresh for their parameters (15–48 ms for the
  // copy claim's legs after an ANALYZE of the queue) — their shape, not their values,
  // decides the plan: the states are literals, and every parameter is an id or a time
  // compared through an index.
  o.init_statements = {"SET lock_timeout = '" + std::to_string(seconds) + "s'",
                       "SET datestyle = 'ISO, YMD'", "SET jit = off",
                       "SET plan_cache_mode = force_generic_plan"};
  std::string schema = PgSchema(dsn);
  if (!schema.empty())
    o.init_statements.push_back("SET search_path TO " + db::QuotePgIdentifier(schema));
  return o;
}

PgStore::PgStore(const db::Dsn& dsn, const StoreOptions& options)
    : SqlStore(sqlstore::PostgresDialect(), options),
      dsn_(dsn),
      schema_(PgSchema(dsn)),
      pool_(std::make_unique<db::PgPool>(dsn, PgSessionOptions(dsn),
                                         sqlstore::UrlInt(dsn, "pool", 64))),
      find_sql_{FirstCandidateSql(ArmsOf(Claim::kCopy)), FirstCandidateSql(ArmsOf(Claim::kCutover)),
                FirstCleanupSql(gates())},
      copy_claim_sql_(CopyClaimSql(gates())) {}

Result<std::unique_ptr<PgStore>> PgStore::Open(const db::Dsn& dsn, const StoreOptions& options) {
  ORDO_RETURN_IF_ERROR(sqlstore::CheckServerUrl(dsn, "postgres"));
  return Connected(std::unique_ptr<PgStore>(new PgStore(dsn, options)));
}

Result<std::unique_ptr<Store>> OpenPgUrl(std::string_view url, const StoreOptions& options) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  ORDO_ASSIGN_OR_RETURN(auto store, PgStore::Open(dsn, options));
  return std::unique_ptr<Store>(std::move(store));
}

Status PgStore::Migrate() {
  ORDO_ASSIGN_OR_RETURN(db::PgPool::Handle conn, pool_->Acquire());
  if (!schema_.empty()) ORDO_RETURN_IF_ERROR(CreatePgSchema(*conn, schema_));
  return RunPgMigrations(*conn);
}

namespace {

// The watch's own session, LISTENing; (re)connected on demand.
class PgTurnSignal final : public TurnSignal {
 public:
  explicit PgTurnSignal(db::Dsn dsn) : dsn_(std::move(dsn)) {}

  Result<bool> Wait(Micros timeout_micros) override {
    if (!conn_ || conn_->broken()) {
      conn_.reset();
      ORDO_ASSIGN_OR_RETURN(auto conn, db::PgConnection::Connect(dsn_, PgSessionOptions(dsn_)));
      ORDO_RETURN_IF_ERROR(conn->Execute("LISTEN ordo_turn"));
      conn_ = std::move(conn);
      return true;  // what happened while no session listened is unknown: ask again
    }
    return conn_->WaitForNotification(static_cast<int>(timeout_micros / 1000));
  }

 private:
  const db::Dsn dsn_;
  std::unique_ptr<db::PgConnection> conn_;
};

}  // namespace

std::unique_ptr<TurnSignal> PgStore::WatchTurns() { return std::make_unique<PgTurnSignal>(dsn_); }

Result<std::unique_ptr<sqlstore::Transaction>> PgStore::BeginWrite() {
  ORDO_ASSIGN_OR_RETURN(auto txn, PgTransaction::Begin(*pool_));
  return std::unique_ptr<sqlstore::Transaction>(std::move(txn));
}

Result<std::unique_ptr<sqlstore::Session>> PgStore::BeginRead() {
  ORDO_ASSIGN_OR_RETURN(db::PgPool::Handle conn, pool_->Acquire());
  return std::unique_ptr<sqlstore::Session>(new PgReadSession(std::move(conn)));
}

}  // namespace ordo::postgres
