// End to end: a worker killed with SIGKILL while one deployment is cutting over and the
// other is copying; a second worker recovers both once their leases are stale.
//
// Fleet mode: the store is a MariaDB database; `ordo apply --detach` creates a parallel
// rollout to two private servers and `ordo worker` processes drive it. eu-1's cutover
// is held at its lock (a test session holds a metadata lock on its table) and us-1's
// copy is slowed (one thread, 1 ms chunks), so the first worker dies with eu-1
// `cutting_over` and us-1 `running` with part of its rows copied. The second worker
// then finishes eu-1's cutover and continues us-1's copy from its last checkpoint
// (which had recorded copied rows; into the same shadow table), every write of the second worker
// under its own new lease; each deployment is swapped exactly once and its rows equal the source's.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>

#include "e2e_support.h"
#include "ordo/store.h"

namespace ordo::testing {
namespace {

constexpr int kSmallRows = 2000;
constexpr int kRows = 20000;

// The owner's "host/pid" part of "host/pid/driver-n".
std::string ProcessOf(const std::string& owner) { return owner.substr(0, owner.rfind('/')); }

TEST(Recovery, SecondWorkerRecoversACutoverAndACopyOfAKilledWorker) {
  ORDO_START_SERVERS_OR_SKIP(servers, 2);
  ORDO_ASSERT_OK(FillOrders(*servers[0], "shop", kSmallRows));
  ORDO_ASSERT_OK(FillOrders(*servers[1], "shop", kRows));
  std::vector<std::string> before;
  for (auto& s : servers) {
    auto fp = OrdersFingerprint(*s, "shop");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    before.push_back(*fp);
  }
  ORDO_ASSERT_OK(servers[0]->Exec("CREATE DATABASE ordo_store"));
  const std::string store_url = servers[0]->Dsn("ordo_store");
  TempDir dir;
  WriteConfig(
      dir.path(),
      ConfigSpec{store_url,
                 "shop",
                 {"poll_interval: 200ms", "lease_staleness: 4s"},
                 {"copy_threads: 1", "chunk_target: 1ms", "cutover_lock_timeout: 1s",
                  "cutover_attempts: 200"},
                 {{"prod",
                   "parallel",
                   "halt",
                   "0s",
                   {{"eu-1", servers[0]->Dsn("shop")}, {"us-1", servers[1]->Dsn("shop")}}}}});

  auto holder = MetadataLockHolder::Hold(*servers[0], "shop", "orders");
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  std::string id =
      ApplyDetached(dir.path(), "shop", "prod", {"ALTER TABLE orders ADD INDEX idx_note (note)"});
  ASSERT_FALSE(id.empty());

  auto store = OpenStore(store_url, {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto apply_row = (*store)->FindApply(id);
  ASSERT_TRUE(apply_row.ok()) << apply_row.status().ToString();
  // The rows us-1's last checkpoint says are copied (it is the second operation).
  auto checkpointed_rows = [&]() -> int64_t {
    auto ops = (*store)->ListOperations(apply_row->id);
    if (!ops.ok() || ops->size() != 2u || !(*ops)[1].resume_state) return 0;
    json checkpoint = json::parse(*(*ops)[1].resume_state, nullptr, false);
    if (!checkpoint.is_object() || !checkpoint["tables"].is_array() || checkpoint["tables"].empty())
      return 0;
    return checkpoint["tables"][0].value("rows_copied", int64_t{0});
  };

  json at_kill;
  {
    OrdoProcess first({"worker", "--drivers", "2"}, dir.path());
    // Stall us-1's copy once it has copied its first rows, so that the kill always comes
    // in the middle of it however fast the machine.
    auto stall = StallCopyOnceItHasRows(*servers[1], "shop", std::chrono::seconds(60));
    ASSERT_TRUE(stall.ok()) << stall.status().ToString() << "\n" << first.err();
    at_kill = WaitForStatus(
        dir.path(), id,
        [&](const json& doc) {
          json us = OperationOf(doc, "us-1");
          return OperationOf(doc, "eu-1")["state"] == "cutting_over" && us["state"] == "running" &&
                 checkpointed_rows() > 0;
        },
        std::chrono::seconds(120));
    first.Signal(SIGKILL);
    EXPECT_EQ(first.Wait(std::chrono::seconds(30)), 128 + SIGKILL);
    (*stall)->Release();
    ASSERT_EQ(OperationOf(at_kill, "eu-1")["state"], "cutting_over")
        << at_kill.dump(2) << first.err();
    ASSERT_EQ(OperationOf(at_kill, "us-1")["state"], "running") << at_kill.dump(2) << first.err();
  }
  // What the dead worker left: eu-1 mid-cutover (nothing swapped), us-1 mid-copy.
  json left = StatusOf(dir.path(), id);
  ASSERT_EQ(OperationOf(left, "eu-1")["state"], "cutting_over") << left.dump(2);
  json us = OperationOf(left, "us-1");
  ASSERT_EQ(us["state"], "running") << left.dump(2);
  int64_t copied_at_kill = us["changes"][0]["rows_copied"].get<int64_t>();
  ASSERT_LT(copied_at_kill, kRows) << "us-1 finished copying before the kill: " << left.dump(2);
  int64_t checkpoint_rows = checkpointed_rows();
  EXPECT_GT(checkpoint_rows, 0);
  std::cout << "[ figure ] us-1 at the kill: " << copied_at_kill << " rows reported copied, "
            << checkpoint_rows << " in the last checkpoint\n";
  auto shadow_id = InnodbTableId(*servers[1], "shop", "orders_ordo_new");
  ASSERT_TRUE(shadow_id.ok()) << shadow_id.status().ToString();
  (*holder)->Release();

  OrdoProcess second({"worker", "--drivers", "2"}, dir.path());
  json done = WaitForStatus(dir.path(), id, Settled, std::chrono::seconds(240));
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(std::chrono::seconds(60)), 0) << second.err();
  ASSERT_EQ(done["state"], "completed") << done.dump(2) << second.err();
  for (const char* dep : {"eu-1", "us-1"})
    EXPECT_EQ(OperationOf(done, dep)["state"], "completed") << dep;
  // The status counts every row once, though the rows copied after us-1's last
  // checkpoint were copied again by the second worker.
  EXPECT_EQ(OperationOf(done, "us-1")["changes"][0]["rows_copied"], kRows)
      << "rows_copied was " << copied_at_kill << " when the first worker was killed";

  // The second worker took each row over from the state the first left it in, and
  // from then on wrote under its own lease only.
  json events = EventsOf(dir.path(), id);
  std::string second_process = "/" + std::to_string(second.pid());
  for (const auto& [dep, was] :
       {std::pair<std::string, std::string>{"eu-1", "cutting_over"}, {"us-1", "running"}}) {
    std::vector<std::pair<std::string, std::string>> claims;  // (from, host/pid)
    for (const auto& e : EventsFor(events, dep))
      if (e["kind"] == "claimed")
        claims.push_back({e["from"], ProcessOf(MessageField(e["message"], "owner"))});
    size_t first_of_second = 0;
    while (first_of_second < claims.size() &&
           !claims[first_of_second].second.ends_with(second_process))
      ++first_of_second;
    ASSERT_LT(first_of_second, claims.size())
        << dep << " never claimed by the second worker: " << events.dump(2);
    EXPECT_EQ(claims[first_of_second].first, was) << dep << ": " << events.dump(2);
    for (size_t i = first_of_second; i < claims.size(); ++i)
      EXPECT_TRUE(claims[i].second.ends_with(second_process))
          << dep << " claimed by " << claims[i].second;
  }
  std::vector<std::string> violations = LeaseViolations(events);
  EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations) << "\n" << events.dump(2);

  // The data: every row as in the source, the index in place, nothing left behind; the
  // copy went on in the shadow table the first worker had filled.
  for (int i = 0; i < 2; ++i) {
    auto fp = OrdersFingerprint(*servers[i], "shop");
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    EXPECT_EQ(*fp, before[i]) << "server " << i;
    auto index = IndexColumns(*servers[i], "shop", "orders", "idx_note");
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(*index, "1") << "server " << i;
    EXPECT_TRUE(NoOrdoObjects(*servers[i], "shop")) << "server " << i;
  }
  auto final_id = InnodbTableId(*servers[1], "shop", "orders");
  ASSERT_TRUE(final_id.ok()) << final_id.status().ToString();
  EXPECT_EQ(*final_id, *shadow_id) << "us-1's copy started over in a new shadow table";
}

}  // namespace
}  // namespace ordo::testing
