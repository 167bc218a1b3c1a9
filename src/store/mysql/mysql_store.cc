// MysqlStore: opening, migrations, the clock and the sessions the store core runs on.
#include "store/mysql/mysql_store.h"

#include "store/mysql/migrations.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/sql/turn_signal.h"
#include "store/values.h"

namespace ordo::mysql {

db::MysqlConnectOptions SessionOptions(const db::Dsn& dsn) {
  db::MysqlConnectOptions o;
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
  int seconds = sqlstore::UrlInt(dsn, "lock_wait_timeout", 0);
  if (seconds > 0)
    o.init_statements.push_back("SET SESSION innodb_lock_wait_timeout = " +
                                std::to_string(seconds));
  return o;
}

namespace {

// Transactions draw from a second pool whose sessions run with autocommit off.
db::MysqlConnectOptions TransactionSessionOptions(const db::Dsn& dsn) {
  db::MysqlConnectOptions o = SessionOptions(dsn);
  o.init_statements.push_back(kTransactionSession);
  o.multi_statements = true;  // Transaction::CommitAfter
  return o;
}

}  // namespace

MysqlStore::MysqlStore(const db::Dsn& dsn, const StoreOptions& options)
    : SqlStore(sqlstore::MariaDbDialect(), options),
      copy_search_(gates().copy, gates().ArmA(),
                   {gates().ProbeB(), gates().ProbeC(), gates().ProbeD()}),
      cutover_search_(gates().cutover, gates().Arm1(), {gates().Arm2()}),
      pool_(std::make_unique<db::MysqlPool>(dsn, SessionOptions(dsn),
                                            sqlstore::UrlInt(dsn, "pool", 64))),
      txn_pool_(std::make_unique<db::MysqlPool>(dsn, TransactionSessionOptions(dsn),
                                                sqlstore::UrlInt(dsn, "pool", 64))) {}

Result<std::unique_ptr<MysqlStore>> MysqlStore::Open(const db::Dsn& dsn,
                                                     const StoreOptions& options) {
  ORDO_RETURN_IF_ERROR(sqlstore::CheckServerUrl(dsn, "mysql"));
  return Connected(std::unique_ptr<MysqlStore>(new MysqlStore(dsn, options)));
}

Result<std::unique_ptr<Store>> OpenMysqlUrl(std::string_view rest, const StoreOptions& options) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn("mysql:" + std::string(rest)));
  ORDO_ASSIGN_OR_RETURN(auto store, MysqlStore::Open(dsn, options));
  return std::unique_ptr<Store>(std::move(store));
}

Status MysqlStore::Migrate() {
  ORDO_ASSIGN_OR_RETURN(db::MysqlPool::Handle conn, pool_->Acquire());
  return RunMigrations(*conn);
}

std::unique_ptr<TurnSignal> MysqlStore::WatchTurns() {
  return std::make_unique<sqlstore::PollingTurnSignal>([this] { return SwappingIds(); },
                                                       kTurnWatchEvery);
}

Result<std::unique_ptr<sqlstore::Transaction>> MysqlStore::BeginWrite() {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  return std::unique_ptr<sqlstore::Transaction>(new Transaction(std::move(txn)));
}

Result<std::unique_ptr<sqlstore::Session>> MysqlStore::BeginRead() {
  ORDO_ASSIGN_OR_RETURN(db::MysqlPool::Handle conn, pool_->Acquire());
  return std::unique_ptr<sqlstore::Session>(new PooledSession(std::move(conn)));
}

}  // namespace ordo::mysql
