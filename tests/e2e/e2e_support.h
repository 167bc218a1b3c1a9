// Fixtures for the end-to-end tests (real MariaDB servers, real `ordo` processes):
// private servers as deployments, tables filled server-side, an ordo.yaml written for
// them, the `status --json` / `logs --json` documents, a metadata-lock holder that keeps
// a cutover from taking its locks, and a fingerprint of a table's rows.
//
// Every wait polls with a deadline; nothing here sleeps a fixed time to let something
// happen.
//
// Thread-safety: one test thread.
//
//   ORDO_START_SERVERS_OR_SKIP(servers, 2);
//   ASSERT_OK(FillOrders(*servers[0], "shop", 5000));
//   WriteConfig(dir.path(), ConfigSpec{...});
//   json doc = StatusOf(dir.path(), id);
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "assert_ok.h"
#include "db/mysql/connection.h"
#include "ordo_process.h"
#include "test_servers.h"

namespace ordo::testing {

using nlohmann::json;

// `n` private MariaDB servers (`extra_options` go to each mariadbd); empty when they
// cannot be started (the caller skips or, under ORDO_REQUIRE_SERVERS=1, fails).
std::vector<std::unique_ptr<MariaDbServer>> StartServers(int n,
                                                         const std::string& extra_options = "");

// A connection to `database` on `server` (may be empty: no default database).
Result<std::unique_ptr<db::MysqlConnection>> Connect(const MariaDbServer& server,
                                                     const std::string& database);

// Creates `database` with `orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40),
// code INT NOT NULL)` holding `rows` rows (code = id), filled by the server itself.
Status FillOrders(const MariaDbServer& server, const std::string& database, int rows);

// The first column of the first row of `sql` (its `?` bound to `params`), as text.
Result<std::string> QueryValue(const MariaDbServer& server, const std::string& database,
                               const std::string& sql,
                               const std::vector<db::SqlValue>& params = {});

// How many index columns database.table's index `index` has (information_schema
// .STATISTICS rows), as text: "0" when there is no such index.
Result<std::string> IndexColumns(const MariaDbServer& server, const std::string& database,
                                 const std::string& table, const std::string& index);

// "<count>:<sum of CRC32 over id, note, code>" of database.table: equal fingerprints
// mean the same rows (to CRC32's confidence).
Result<std::string> OrdersFingerprint(const MariaDbServer& server, const std::string& database,
                                      const std::string& table = "orders");

// InnoDB's table id of database.table (survives RENAME TABLE, changes when the table is
// dropped and created again); NotFound when there is no such table.
Result<int64_t> InnodbTableId(const MariaDbServer& server, const std::string& database,
                              const std::string& table);

// True when database.table exists.
Result<bool> TableExists(const MariaDbServer& server, const std::string& database,
                         const std::string& table);

// The names of ordo's tables in `database` on `server` (`_ordo_` in the name: shadows,
// old tables, sentries, check tables, ownership records, an older ordo's `_ordo_fence`;
// the backups kept with keep_old_table, which are the user's, left out), sorted.
Result<std::vector<std::string>> OrdoObjects(const MariaDbServer& server,
                                             const std::string& database);

// Success when ordo left nothing in `database` on `server` (OrdoObjects is empty); the
// failure names what it left. Every test ends with it for every deployment it used:
//   EXPECT_TRUE(NoOrdoObjects(*servers[0], "shop"));
::testing::AssertionResult NoOrdoObjects(const MariaDbServer& server, const std::string& database);

// Holds a shared metadata lock on database.table (an open transaction that read it)
// until Release() or destruction: a cutover's LOCK TABLES … WRITE waits behind it (and
// gives up after its lock timeout), while reads, writes and the copy go on.
class MetadataLockHolder {
 public:
  static Result<std::unique_ptr<MetadataLockHolder>> Hold(const MariaDbServer& server,
                                                          const std::string& database,
                                                          const std::string& table);
  // Also locks the key range `where` of `table` (a locking read under REPEATABLE READ
  // takes next-key and gap locks): inserts into that range wait until Release().
  static Result<std::unique_ptr<MetadataLockHolder>> HoldRange(const MariaDbServer& server,
                                                               const std::string& database,
                                                               const std::string& table,
                                                               const std::string& where);
  ~MetadataLockHolder();
  void Release();

 private:
  std::unique_ptr<db::MysqlConnection> conn_;
};

// Waits (up to `timeout`) until the copy has put rows into database.`orders_ordo_new`,
// then stalls it: a HoldRange over the shadow's whole key range (`id > 0`), which the
// copy's next inserts wait for until Release(). So a stop or kill lands in the middle
// of the copy however fast the machine.
Result<std::unique_ptr<MetadataLockHolder>> StallCopyOnceItHasRows(
    const MariaDbServer& server, const std::string& database, std::chrono::milliseconds timeout);

struct DeploymentSpec {
  std::string name;
  std::string dsn;
};

struct EnvironmentSpec {
  std::string name = "prod";
  std::string cutover_policy = "rolling";
  std::string on_failure = "halt";
  std::string revert_window = "0s";
  std::vector<DeploymentSpec> deployments;
};

struct ConfigSpec {
  std::string store = "sqlite:ordo.db";
  std::string database = "shop";
  // Lines under `worker:` and `engine:` (e.g. "poll_interval: 200ms"); none: omitted.
  std::vector<std::string> worker;
  std::vector<std::string> engine;
  std::vector<EnvironmentSpec> environments;
};

// Writes `dir`/ordo.yaml.
void WriteConfig(const std::string& dir, const ConfigSpec& spec);

// `ordo apply -d DB -e ENV --ddl … --yes --detach --json` in `dir`; the apply id, or
// empty (with a test failure recorded) when it was not created.
std::string ApplyDetached(const std::string& dir, const std::string& database,
                          const std::string& environment, const std::vector<std::string>& ddl);

// `ordo status ID --json` / `ordo logs ID --json` in `dir`; a null document (with a
// test failure recorded) when the command fails.
json StatusOf(const std::string& dir, const std::string& id);
json EventsOf(const std::string& dir, const std::string& id);

// The operation of `deployment` in a status document (null when absent).
json OperationOf(const json& status, const std::string& deployment);

// Polls `ordo status --json` in `dir` until an apply exists; the id of the most recent
// one (with a single apply in the store: that one), or empty when none appeared within
// `timeout`.
std::string WaitForFirstApplyId(const std::string& dir, std::chrono::milliseconds timeout);

// Polls `ordo status ID --json` until `done(doc)` holds or `timeout` passes; the last
// document either way (check `done` again, or print it).
json WaitForStatus(const std::string& dir, const std::string& id,
                   const std::function<bool(const json&)>& done, std::chrono::milliseconds timeout);

// Microseconds since the epoch of an RFC 3339 UTC time as the documents print it
// ("2026-12-06T10:00:00.123456Z"); 0 when it is not one.
int64_t ParseRfc3339(const json& time);

// True for completed, failed, cancelled, reverted (the apply released its deployments).
bool Settled(const json& status);

// Settled, and no operation of the apply document (`status --json ID`, GET
// /v1/applies/ID) is still `dropping_old_table`: the turn of a deployment without a
// revert window ends at its swap, so the apply reads `completed` a moment before the
// last old table is gone. Only then has ordo finished with the targets.
bool FinishedOnTargets(const json& apply);

// The events of one deployment, oldest first.
std::vector<json> EventsFor(const json& events, const std::string& deployment);

// The value after "key=" in an event message ("owner=h/1/driver-0 token=…"), up to the
// next space; empty when absent.
std::string MessageField(const std::string& message, const std::string& key);

// Replays an apply's `logs --json` document operation by operation: every event written
// under a lease (its message carries "token=…") must carry the token of that
// operation's latest claim and not follow a release at the barrier; each operation
// starts its swap (enters cutting_over from another state) at most once and has at
// most one `cutover` event; no two operations of the apply are between the start of
// their swap and their completion at the same time. Returns what was violated; empty
// when nothing was.
std::vector<std::string> LeaseViolations(const json& events);

// A fixture whose tests share `N` private MariaDB servers, started once for the suite
// (each test uses its own databases); a test fails (CI) or is skipped (locally) when
// they cannot be started.
template <int N>
class SharedServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { servers_ = StartServers(N); }
  static void TearDownTestSuite() { servers_.clear(); }
  void SetUp() override {
    if (servers_.empty()) {
      if (ServersRequired()) FAIL() << "MariaDB servers required but unavailable";
      GTEST_SKIP() << "no MariaDB server; run scripts/setup";
    }
  }
  static inline std::vector<std::unique_ptr<MariaDbServer>> servers_;
};

// A test over the two fleet stores, parameter "mysql" (a database on the test MariaDB
// server) or "postgres" (a schema on the test PostgreSQL server). MakeStore makes the
// fresh, empty store; TearDown drops it and every database listed in databases_.
//
//   TEST_P(MyFleet, …) { MakeStore(UniqueName("x")); if (store_.empty()) return; … }
class FleetStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void TearDown() override;
  // Sets server_ and store_ (the store's URL), or fails (CI) / skips (locally) when a
  // server is missing, leaving store_ empty. The MariaDB store's database is
  // databases_[0].
  void MakeStore(const std::string& prefix);

  MariaDbServer* server_ = nullptr;  // also holds the deployments' databases
  PostgresServer* pg_ = nullptr;
  std::string schema_;
  std::string store_;
  std::vector<std::string> databases_;
};

}  // namespace ordo::testing

// Binds `var` to `n` private MariaDB servers (optionally: mariadbd options), or fails
// (CI) / skips (locally) the test.
#define ORDO_START_SERVERS_OR_SKIP(var, n, ...)                           \
  auto var = ::ordo::testing::StartServers(n __VA_OPT__(, ) __VA_ARGS__); \
  do {                                                                    \
    if (var.empty()) {                                                    \
      if (::ordo::testing::ServersRequired())                             \
        FAIL() << "MariaDB servers required but unavailable";             \
      GTEST_SKIP() << "no MariaDB server; run scripts/setup";             \
    }                                                                     \
  } while (0)
