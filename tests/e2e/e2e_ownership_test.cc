// End to end: ordo's tables on a target belong to the apply that made them.
//
// - Two stores (two working directories, each with its own `sqlite:ordo.db`, the same
//   deployment) apply to one table at the same time: the second is refused — its
//   operation fails naming the first apply and its store — and the first completes
//   with every row, its shadow never dropped (the shadow that becomes `orders` is the
//   very table the first apply created). Nothing of ordo is left afterwards.
// - `ordo cleanup` removes a shadow left by an apply whose store was deleted (named
//   with --owner; a plain --drop keeps another store's tables), and refuses to drop the
//   shadow of an apply of its own store that is still running.
//
// The first apply's copy is slowed (one thread, 1 ms chunks) and held mid-way by a
// lock on its shadow's rows, so the second arrives while it copies however fast the
// machine.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 20000;

void Configure(const std::string& dir, const MariaDbServer& server) {
  WriteConfig(dir, ConfigSpec{"sqlite:ordo.db",
                              "shop",
                              {"poll_interval: 100ms"},
                              {"copy_threads: 1", "chunk_target: 1ms"},
                              {{"prod", "rolling", "halt", "0s", {{"eu-1", server.Dsn("shop")}}}}});
}

std::unique_ptr<OrdoProcess> StartApply(const std::string& dir) {
  return std::make_unique<OrdoProcess>(
      std::vector<std::string>{"apply", "-d", "shop", "-e", "prod", "--ddl",
                               "ALTER TABLE orders ADD INDEX idx_note (note)", "--yes"},
      dir);
}

// `ordo cleanup -d shop -e prod ARGS… --json` in `dir`: the exit code and the document.
std::pair<int, json> Cleanup(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> all = {"cleanup", "-d", "shop", "-e", "prod"};
  all.insert(all.end(), args.begin(), args.end());
  all.push_back("--json");
  OrdoResult r = RunOrdo(all, dir);
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(doc.is_object()) << r.out << "\n" << r.err;
  return {r.exit_code, doc};
}

// The objects of the cleanup document's only deployment.
json Objects(const json& doc) {
  if (!doc.is_object() || doc["deployments"].size() != 1u) return json::array();
  return doc["deployments"][0]["objects"];
}

TEST(TwoStores, TheSecondStoresApplyToATableIsRefusedNamingTheFirstWhichCompletesWithEveryRow) {
  ORDO_START_SERVERS_OR_SKIP(servers, 1);
  const MariaDbServer& server = *servers[0];
  ORDO_ASSERT_OK(FillOrders(server, "shop", kRows));
  auto before = OrdersFingerprint(server, "shop");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  TempDir first_dir, second_dir;
  Configure(first_dir.path(), server);
  Configure(second_dir.path(), server);

  auto first = StartApply(first_dir.path());
  std::string first_id = WaitForFirstApplyId(first_dir.path(), std::chrono::seconds(60));
  ASSERT_FALSE(first_id.empty()) << first->err();
  auto stall = StallCopyOnceItHasRows(server, "shop", std::chrono::seconds(120));
  ASSERT_TRUE(stall.ok()) << stall.status().ToString() << "\n" << first->err();
  auto shadow = InnodbTableId(server, "shop", "orders_ordo_new");
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();

  // The second store, meanwhile, on the same table.
  OrdoResult second = RunOrdo(
      {"apply", "-d", "shop", "-e", "prod", "--ddl",
       "ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 1, ADD INDEX idx_code (code)",
       "--yes", "--json"},
      second_dir.path());
  EXPECT_EQ(second.exit_code, 1) << second.out << "\n" << second.err;
  json refused = json::parse(second.out, nullptr, false);
  ASSERT_TRUE(refused.is_object()) << second.out << "\n" << second.err;
  EXPECT_EQ(refused["state"], "failed") << refused.dump(2);
  json op = OperationOf(refused, "eu-1");
  EXPECT_EQ(op["state"], "failed") << refused.dump(2);
  ASSERT_TRUE(op["error"].is_string()) << refused.dump(2);
  std::string error = op["error"];
  EXPECT_NE(error.find(first_id), std::string::npos) << error;
  EXPECT_NE(error.find("sqlite:" + first_dir.path() + "/ordo.db"), std::string::npos) << error;
  EXPECT_NE(error.find("ordo cleanup"), std::string::npos) << error;
  // The first apply's shadow is the same table, untouched.
  EXPECT_EQ(*InnodbTableId(server, "shop", "orders_ordo_new"), *shadow);

  (*stall)->Release();
  ASSERT_EQ(first->Wait(std::chrono::seconds(180)), 0) << first->out() << "\n" << first->err();
  json done = StatusOf(first_dir.path(), first_id);
  EXPECT_EQ(done["state"], "completed") << done.dump(2);
  EXPECT_EQ(OperationOf(done, "eu-1")["changes"][0]["rows_copied"], kRows) << done.dump(2);
  // Every row, and the shadow the first apply created is the table that became
  // `orders`: nobody dropped it.
  EXPECT_EQ(*OrdersFingerprint(server, "shop"), *before);
  EXPECT_EQ(*IndexColumns(server, "shop", "orders", "idx_note"), "1");
  EXPECT_EQ(*IndexColumns(server, "shop", "orders", "idx_code"), "0");
  EXPECT_EQ(*InnodbTableId(server, "shop", "orders"), *shadow);
  EXPECT_TRUE(NoOrdoObjects(server, "shop"));
}

TEST(Cleanup, DropsAShadowLeftByAnApplyWhoseStoreIsGoneAndRefusesOneOfARunningApply) {
  ORDO_START_SERVERS_OR_SKIP(servers, 1);
  const MariaDbServer& server = *servers[0];
  ORDO_ASSERT_OK(FillOrders(server, "shop", kRows));
  TempDir lost_dir, dir;
  Configure(lost_dir.path(), server);
  Configure(dir.path(), server);

  // An apply is killed mid-copy, and its store deleted: its shadow is abandoned.
  std::string lost_id;
  {
    auto lost = StartApply(lost_dir.path());
    lost_id = WaitForFirstApplyId(lost_dir.path(), std::chrono::seconds(60));
    ASSERT_FALSE(lost_id.empty()) << lost->err();
    auto stall = StallCopyOnceItHasRows(server, "shop", std::chrono::seconds(120));
    ASSERT_TRUE(stall.ok()) << stall.status().ToString() << "\n" << lost->err();
    lost->Signal(SIGKILL);
    EXPECT_EQ(lost->Wait(std::chrono::seconds(30)), 128 + SIGKILL);
  }
  std::filesystem::remove(lost_dir.path() + "/ordo.db");
  ASSERT_EQ(*OrdoObjects(server, "shop"),
            (std::vector<std::string>{"orders_ordo_new", "orders_ordo_own"}));

  // Listed as another store's, with its owner.
  auto [listed, list] = Cleanup(dir.path(), {});
  EXPECT_EQ(listed, 0) << list.dump(2);
  json objects = Objects(list);
  ASSERT_EQ(objects.size(), 2u) << list.dump(2);
  for (const json& o : objects) {
    EXPECT_EQ(o["status"], "other_store") << o.dump();
    EXPECT_EQ(o["owner"]["apply"], lost_id) << o.dump();
    EXPECT_EQ(o["owner"]["this_store"], false) << o.dump();
  }
  EXPECT_EQ(objects[0]["name"], "orders_ordo_new");
  EXPECT_EQ(objects[0]["kind"], "shadow");
  // A plain --drop keeps another store's tables.
  auto [kept, kept_doc] = Cleanup(dir.path(), {"--drop", "--yes"});
  EXPECT_EQ(kept, 0) << kept_doc.dump(2);
  for (const json& o : Objects(kept_doc)) EXPECT_EQ(o["action"], "keep") << o.dump();
  EXPECT_EQ(OrdoObjects(server, "shop")->size(), 2u);
  // Named, they go; but not without a confirmation (no terminal here: --yes).
  OrdoResult unconfirmed =
      RunOrdo({"cleanup", "-d", "shop", "-e", "prod", "--drop", "--owner", lost_id}, dir.path());
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.out << "\n" << unconfirmed.err;
  EXPECT_EQ(OrdoObjects(server, "shop")->size(), 2u);
  auto [dropped, dropped_doc] = Cleanup(dir.path(), {"--drop", "--owner", lost_id, "--yes"});
  EXPECT_EQ(dropped, 0) << dropped_doc.dump(2);
  for (const json& o : Objects(dropped_doc)) EXPECT_EQ(o["action"], "dropped") << o.dump();
  EXPECT_TRUE(NoOrdoObjects(server, "shop"));

  // An apply of this store, running: its shadow is refused, named or not.
  auto running = StartApply(dir.path());
  std::string running_id = WaitForFirstApplyId(dir.path(), std::chrono::seconds(60));
  ASSERT_FALSE(running_id.empty()) << running->err();
  auto stall = StallCopyOnceItHasRows(server, "shop", std::chrono::seconds(120));
  ASSERT_TRUE(stall.ok()) << stall.status().ToString() << "\n" << running->err();
  auto shadow = InnodbTableId(server, "shop", "orders_ordo_new");
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();
  auto [refused, refused_doc] = Cleanup(dir.path(), {"--drop", "--owner", running_id, "--yes"});
  EXPECT_EQ(refused, 1) << refused_doc.dump(2);
  json in_flight = Objects(refused_doc);
  ASSERT_EQ(in_flight.size(), 2u) << refused_doc.dump(2);
  for (const json& o : in_flight) {
    EXPECT_EQ(o["status"], "in_flight") << o.dump();
    EXPECT_EQ(o["action"], "refuse") << o.dump();
    EXPECT_NE(o["note"].get<std::string>().find("cancel it first"), std::string::npos) << o.dump();
  }
  auto [plain, plain_doc] = Cleanup(dir.path(), {"--drop", "--yes"});
  EXPECT_EQ(plain, 0) << plain_doc.dump(2);
  EXPECT_EQ(*InnodbTableId(server, "shop", "orders_ordo_new"), *shadow);

  // The story ends: cancelled, the apply's own operation drops its tables. Only
  // recorded (--detach): the running `ordo apply` carries it out once the copy goes on
  // (a cancel that drove would wait for its drop behind the stall).
  OrdoResult cancel = RunOrdo({"cancel", running_id, "--detach"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  (*stall)->Release();
  EXPECT_EQ(running->Wait(std::chrono::seconds(120)), 1) << running->out() << "\n"
                                                         << running->err();
  EXPECT_EQ(StatusOf(dir.path(), running_id)["state"], "cancelled");
  EXPECT_TRUE(NoOrdoObjects(server, "shop"));
}

}  // namespace
}  // namespace ordo::testing
