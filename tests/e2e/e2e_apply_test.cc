// End to end: a real `ordo apply` in embedded mode (SQLite store, in-process worker,
// the real engine) rolls one ALTER out to three private MariaDB servers under the
// barrier policy.
//
// The first deployment's cutover is held back by a test session's metadata lock on its
// table until both later deployments have copied and are in sync: under the barrier
// policy they may copy while the earlier deployment has not finished, and they must
// not cut over before it has; they wait for their turn ready (index built, verified).
// `ordo status --json` and `ordo logs --json` then show
// every deployment completed, the copies overlapping the earlier deployments' work,
// the cutovers strictly one at a time in deployment order; and the servers hold the
// new column and index with every row intact.
//
// A deployment whose buffer pool cannot hold the table twice over (the table and its
// shadow) still migrates, and the apply's log notes it once.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 3000;
const char* const kNames[] = {"eu-1", "us-1", "ap-1"};

TEST(EndToEnd, EmbeddedApplyRollsOutToThreeServersInOrderUnderBarrier) {
  ORDO_START_SERVERS_OR_SKIP(servers, 3);
  std::vector<std::string> before;
  for (auto& s : servers) {
    ORDO_ASSERT_OK(FillOrders(*s, "shop", kRows));
    auto fp = OrdersFingerprint(*s, "shop");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    before.push_back(*fp);
  }
  TempDir dir;
  EnvironmentSpec env{"prod", "barrier", "halt", "1s", {}};
  for (int i = 0; i < 3; ++i) env.deployments.push_back({kNames[i], servers[i]->Dsn("shop")});
  WriteConfig(dir.path(), ConfigSpec{"sqlite:ordo.db",
                                     "shop",
                                     {"poll_interval: 200ms"},
                                     {"cutover_lock_timeout: 1s", "cutover_attempts: 60"},
                                     {env}});

  auto holder = MetadataLockHolder::Hold(*servers[0], "shop", "orders");
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  // ADD INDEX is never instant, so every deployment copies.
  OrdoProcess apply(
      {"apply", "-d", "shop", "-e", "prod", "--ddl",
       "ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, ADD INDEX idx_note (note)",
       "--yes", "--json"},
      dir.path());
  // The apply's id: the only one in the store, once created.
  std::string id = WaitForFirstApplyId(dir.path(), std::chrono::seconds(60));
  ASSERT_FALSE(id.empty()) << apply.err();
  json held = WaitForStatus(
      dir.path(), id,
      [](const json& doc) {
        return OperationOf(doc, "us-1")["state"] == "waiting_for_cutover" &&
               OperationOf(doc, "ap-1")["state"] == "waiting_for_cutover";
      },
      std::chrono::seconds(120));
  // eu-1 cannot have completed: its cutover cannot lock the table.
  EXPECT_NE(OperationOf(held, "eu-1")["state"], "completed") << held.dump(2);
  ASSERT_EQ(OperationOf(held, "ap-1")["state"], "waiting_for_cutover")
      << held.dump(2) << apply.err();
  // Ready while it waits: its indexes were built and it was verified before it parked.
  EXPECT_EQ(OperationOf(held, "ap-1")["phase"], "waiting_for_turn") << held.dump(2);
  EXPECT_EQ(OperationOf(held, "ap-1")["changes"][0]["state"], "in_sync") << held.dump(2);
  auto shadow_index = IndexColumns(*servers[2], "shop", "orders_ordo_new", "idx_note");
  ASSERT_TRUE(shadow_index.ok()) << shadow_index.status().ToString();
  EXPECT_NE(*shadow_index, "0") << "ap-1 waits for its turn with its index built";
  (*holder)->Release();

  ASSERT_EQ(apply.Wait(std::chrono::seconds(180)), 0) << apply.out() << "\n" << apply.err();
  json doc = StatusOf(dir.path(), id);
  EXPECT_EQ(doc["state"], "completed");
  EXPECT_EQ(doc["cutover_policy"], "barrier");
  EXPECT_TRUE(doc["error"].is_null());
  ASSERT_EQ(doc["operations"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const json& op = doc["operations"][i];
    EXPECT_EQ(op["deployment"], kNames[i]);
    EXPECT_EQ(op["state"], "completed") << op.dump();
    for (const char* t :
         {"started_at", "cutover_started_at", "cutover_completed_at", "completed_at"})
      ASSERT_TRUE(op[t].is_string()) << t << ": " << op.dump();
    if (i > 0) {
      const json& prev = doc["operations"][i - 1];
      // Copies overlap: this deployment started copying before the previous one had
      // finished (its cutover was held back, or ran, meanwhile). RFC 3339 UTC strings
      // with microseconds sort as times.
      EXPECT_LT(op["started_at"].get<std::string>(), prev["completed_at"].get<std::string>())
          << doc.dump(2);
      // Cutovers strictly in order: this one started only once the previous deployment
      // had completed (its revert window included).
      EXPECT_GE(op["cutover_started_at"].get<std::string>(),
                prev["completed_at"].get<std::string>())
          << doc.dump(2);
    }
    const json& change = op["changes"][0];
    EXPECT_EQ(change["table"], "orders");
    EXPECT_EQ(change["state"], "completed");
    EXPECT_EQ(change["rows_copied"], kRows);
    EXPECT_EQ(change["percent"], 100);
    EXPECT_TRUE(change["cutover_lock_ms"].is_number()) << change.dump();
    std::cout << "[ figure ] " << op["deployment"].get<std::string>() << ": copy from "
              << op["started_at"].get<std::string>() << ", cutover "
              << op["cutover_started_at"].get<std::string>() << " .. "
              << op["cutover_completed_at"].get<std::string>() << ", writes blocked "
              << change["cutover_lock_ms"] << " ms\n";
  }

  // The event log, replayed: at most one deployment between the start of its cutover
  // and its completion at any time, in deployment order, each exactly once; and every
  // deployment in sync (the barrier) before it cut over.
  json events = EventsOf(dir.path(), id);
  ASSERT_TRUE(events.is_object());
  std::string swapping;  // the deployment between cutting_over and completed
  std::vector<std::string> cutover_order;
  std::map<std::string, int> cutover_events;
  std::map<std::string, bool> in_sync;
  for (const auto& e : events["events"]) {
    if (!e["operation"].is_string()) continue;
    std::string dep = e["operation"];
    if (e["kind"] == "cutover") ++cutover_events[dep];
    if (e["to"] == "waiting_for_cutover") in_sync[dep] = true;
    if (e["to"] == "cutting_over" && e["from"] != "cutting_over") {
      EXPECT_TRUE(swapping.empty())
          << dep << " started its cutover while " << swapping << " was cutting over";
      EXPECT_TRUE(in_sync[dep]) << dep << " cut over before it was in sync";
      swapping = dep;
      cutover_order.push_back(dep);
    }
    if (e["to"] == "completed") {
      EXPECT_EQ(swapping, dep) << "completed outside its cutover: " << e.dump();
      swapping.clear();
    }
  }
  EXPECT_EQ(cutover_order, (std::vector<std::string>{"eu-1", "us-1", "ap-1"})) << events.dump(2);
  for (const char* name : kNames) EXPECT_EQ(cutover_events[name], 1) << name;

  for (int i = 0; i < 3; ++i) {
    auto n = QueryValue(*servers[i], "shop", "SELECT COUNT(*) FROM orders WHERE extra = 7");
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, std::to_string(kRows));
    auto index = IndexColumns(*servers[i], "shop", "orders", "idx_note");
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(*index, "1");
    auto fp = OrdersFingerprint(*servers[i], "shop");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    EXPECT_EQ(*fp, before[i]) << kNames[i];
    EXPECT_TRUE(NoOrdoObjects(*servers[i], "shop")) << kNames[i];
  }
}

TEST(EndToEnd, ABufferPoolSmallerThanTheTableTwiceOverIsNotedOnceInTheLog) {
  ORDO_START_SERVERS_OR_SKIP(servers, 1, "--innodb-buffer-pool-size=6M");
  // ~5 MB of rows; ANALYZE so the server's statistics know the size at once.
  ORDO_ASSERT_OK(FillOrders(*servers[0], "shop", 100000));
  auto analyzed = QueryValue(*servers[0], "shop", "ANALYZE TABLE orders");
  ASSERT_TRUE(analyzed.ok()) << analyzed.status().ToString();
  TempDir dir;
  EnvironmentSpec env{"prod", "rolling", "halt", "0s", {{"eu-1", servers[0]->Dsn("shop")}}};
  WriteConfig(dir.path(),
              ConfigSpec{"sqlite:ordo.db", "shop", {"poll_interval: 200ms"}, {}, {env}});
  OrdoResult r = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl",
                          "ALTER TABLE orders ADD INDEX idx_note (note)", "--yes", "--json"},
                         dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["state"], "completed") << doc.dump(2);

  json events = EventsOf(dir.path(), doc["id"].get<std::string>());
  std::vector<std::string> notices;
  for (const json& e : events["events"])
    if (e["kind"] == "notice") notices.push_back(e["message"].get<std::string>());
  ASSERT_EQ(notices.size(), 1u) << events.dump(2);
  EXPECT_NE(notices[0].find("buffer pool (6 MiB)"), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("`shop`.`orders`"), std::string::npos) << notices[0];
  EXPECT_EQ(OperationOf(doc, "eu-1")["state"], "completed") << doc.dump(2);
  EXPECT_TRUE(NoOrdoObjects(*servers[0], "shop"));
}

}  // namespace
}  // namespace ordo::testing
