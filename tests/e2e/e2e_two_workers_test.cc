// End to end: two `ordo worker` processes share one fleet store (MariaDB, and
// PostgreSQL) and drive 20 applies at once (20 environments of two deployments each, rolling,
// barrier and parallel, on the test server). Every apply completes, and the event log shows that no
// operation was ever driven by both: each write made under a lease carries the token of that
// operation's latest claim, each deployment is swapped exactly once, no two
// deployments of an apply swap at the same time, and no worker lost a lease.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kApplies = 20;
constexpr int kRows = 1000;
const char* const kPolicies[] = {"rolling", "barrier", "parallel"};

// The parameter: the fleet store the workers share (FleetStoreTest).
class TwoWorkers : public FleetStoreTest {};

TEST_P(TwoWorkers, NoOperationIsEverDrivenByBothWorkers) {
  const std::string prefix = UniqueName("tw");
  MakeStore(prefix);
  if (store_.empty()) return;
  MariaDbServer* server = server_;
  ConfigSpec config{store_, "shop", {"poll_interval: 200ms"}, {}, {}};
  for (int i = 0; i < kApplies; ++i) {
    EnvironmentSpec env{"e" + std::to_string(i), kPolicies[i % 3], "halt", "0s", {}};
    for (const char* side : {"a", "b"}) {
      std::string db = prefix + "_" + std::to_string(i) + side;
      databases_.push_back(db);
      ORDO_ASSERT_OK(FillOrders(*server, db, kRows));
      env.deployments.push_back({env.name + side, server->Dsn(db)});
    }
    config.environments.push_back(env);
  }
  TempDir dir;
  WriteConfig(dir.path(), config);

  // Each worker runs in its own directory (its output files) on the same ordo.yaml.
  std::vector<std::unique_ptr<OrdoProcess>> workers;
  for (const char* name : {"w1", "w2"}) {
    std::string wdir = dir.path() + "/" + name;
    std::filesystem::create_directory(wdir);
    workers.push_back(std::make_unique<OrdoProcess>(
        std::vector<std::string>{"-c", dir.path() + "/ordo.yaml", "--log-format", "json", "worker",
                                 "--drivers", "4"},
        wdir));
  }
  std::vector<std::string> ids;
  for (const auto& env : config.environments) {
    ids.push_back(ApplyDetached(dir.path(), "shop", env.name,
                                {"ALTER TABLE orders ADD INDEX idx_note (note)"}));
    ASSERT_FALSE(ids.back().empty());
  }

  std::map<std::string, std::string> states;
  PollUntil(
      [&] {
        OrdoResult r = RunOrdo({"status", "--json", "--limit", "100"}, dir.path());
        json list = json::parse(r.out, nullptr, false);
        if (!list.is_object()) return false;
        int settled = 0;
        for (const auto& a : list["applies"]) {
          states[a["id"]] = a["state"];
          settled += Settled(a);
        }
        return settled == kApplies;
      },
      std::chrono::minutes(5), std::chrono::milliseconds(500));
  // The last swap of each apply ends its turn before the old table is dropped.
  for (const std::string& id : ids)
    EXPECT_TRUE(FinishedOnTargets(
        WaitForStatus(dir.path(), id, FinishedOnTargets, std::chrono::seconds(60))))
        << id;
  for (auto& w : workers) {
    w->Signal(SIGTERM);
    EXPECT_EQ(w->Wait(std::chrono::seconds(60)), 0) << w->err();
  }

  std::map<std::string, int> operations_by_process;  // host/pid -> claims
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    EXPECT_EQ(states[id], "completed") << id << ": " << StatusOf(dir.path(), id).dump(2);
    json events = EventsOf(dir.path(), id);
    std::vector<std::string> violations = LeaseViolations(events);
    EXPECT_TRUE(violations.empty()) << id << ": " << ::testing::PrintToString(violations) << "\n"
                                    << events.dump(2);
    std::map<std::string, int> swaps;
    for (const auto& e : events["events"]) {
      EXPECT_NE(e["kind"], "lease_lost") << id << ": " << e.dump();
      if (!e["operation"].is_string()) continue;
      if (e["kind"] == "cutover") ++swaps[e["operation"]];
      if (e["kind"] == "claimed") {
        std::string owner = MessageField(e["message"], "owner");
        ++operations_by_process[owner.substr(0, owner.rfind('/'))];
      }
    }
    const std::string env = "e" + std::to_string(i);
    for (const char* side : {"a", "b"}) EXPECT_EQ(swaps[env + side], 1) << id << " " << env << side;
  }
  for (const auto& [process, claims] : operations_by_process)
    std::cout << "[ figure ] " << process << ": " << claims << " claims\n";
  for (auto& w : workers) {
    // No worker ever found its lease gone.
    EXPECT_EQ(w->err().find("lease lost"), std::string::npos) << w->err();
  }
  for (size_t i = 1; i < databases_.size(); ++i) {
    auto index = IndexColumns(*server, databases_[i], "orders", "idx_note");
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(*index, "1") << databases_[i];
    auto rows = QueryValue(*server, databases_[i], "SELECT COUNT(*) FROM orders");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, std::to_string(kRows)) << databases_[i];
    EXPECT_TRUE(NoOrdoObjects(*server, databases_[i]));
  }
}

INSTANTIATE_TEST_SUITE_P(FleetStores, TwoWorkers, ::testing::Values("mysql", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ordo::testing
