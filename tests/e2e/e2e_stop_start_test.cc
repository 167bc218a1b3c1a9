// End to end: `ordo stop` while an embedded `ordo apply` is copying, then `ordo start`.
//
// The copy is slowed (one copy thread, 1 ms chunks: ten rows at a time), and the test
// holds the stop's moment open: as soon as the shadow table has rows it locks the rest of
// the shadow's key range, so the copy waits at its next chunk until the stop has been
// recorded and seen (a bare race against the copy lost on a fast machine). The stop
// leaves the operation `stopped` with part of the rows copied, the shadow table on the server and
// the engine's checkpoint in the store. The start then continues that copy rather than starting
// over: the shadow table that becomes `orders` is the very table the first run was filling (InnoDB
// keeps a table's id through RENAME TABLE; starting over drops and creates the shadow again), and
// the rows are intact.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "e2e_support.h"
#include "ordo/store.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 20000;

TEST(StopStart, StartResumesAStoppedCopyFromItsCheckpoint) {
  ORDO_START_SERVERS_OR_SKIP(servers, 1);
  const MariaDbServer& server = *servers[0];
  ORDO_ASSERT_OK(FillOrders(server, "shop", kRows));
  auto before = OrdersFingerprint(server, "shop");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  TempDir dir;
  WriteConfig(dir.path(),
              ConfigSpec{"sqlite:ordo.db",
                         "shop",
                         {"poll_interval: 100ms"},
                         {"copy_threads: 1", "chunk_target: 1ms"},
                         {{"prod", "rolling", "halt", "0s", {{"eu-1", server.Dsn("shop")}}}}});

  OrdoProcess apply({"apply", "-d", "shop", "-e", "prod", "--ddl",
                     "ALTER TABLE orders ADD INDEX idx_note (note)", "--yes"},
                    dir.path());
  std::string id = WaitForFirstApplyId(dir.path(), std::chrono::seconds(60));
  ASSERT_FALSE(id.empty()) << apply.err();

  auto stall = StallCopyOnceItHasRows(server, "shop", std::chrono::seconds(120));
  ASSERT_TRUE(stall.ok()) << stall.status().ToString() << "\n" << apply.err();

  OrdoResult stop = RunOrdo({"stop", id}, dir.path());
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_NE(stop.out.find("accepted"), std::string::npos) << stop.out;
  // The apply re-reads its control requests every poll interval (100 ms); twenty of them
  // pass before the copy may go on.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  (*stall)->Release();
  // The embedded apply honours the stop (recorded by another process) and exits 1.
  ASSERT_EQ(apply.Wait(std::chrono::seconds(120)), 1) << apply.out() << "\n" << apply.err();

  json stopped = StatusOf(dir.path(), id);
  EXPECT_EQ(stopped["state"], "stopped") << stopped.dump(2);
  json op = OperationOf(stopped, "eu-1");
  EXPECT_EQ(op["state"], "stopped") << op.dump(2);
  int64_t copied_at_stop = op["changes"][0]["rows_copied"].get<int64_t>();
  ASSERT_GT(copied_at_stop, 0) << op.dump(2);
  ASSERT_LT(copied_at_stop, kRows)
      << "the copy finished before the stop reached it: " << op.dump(2);

  // The shadow table holds the rows copied so far, and the store the checkpoint.
  auto shadow_rows = QueryValue(server, "shop", "SELECT COUNT(*) FROM orders_ordo_new");
  ASSERT_TRUE(shadow_rows.ok()) << shadow_rows.status().ToString();
  EXPECT_GT(std::stoll(*shadow_rows), 0);
  EXPECT_LT(std::stoll(*shadow_rows), kRows);
  auto shadow_id = InnodbTableId(server, "shop", "orders_ordo_new");
  ASSERT_TRUE(shadow_id.ok()) << shadow_id.status().ToString();
  {
    auto store = OpenStore("sqlite:" + dir.path() + "/ordo.db", {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto apply_row = (*store)->FindApply(id);
    ASSERT_TRUE(apply_row.ok()) << apply_row.status().ToString();
    auto ops = (*store)->ListOperations(apply_row->id);
    ASSERT_TRUE(ops.ok() && ops->size() == 1u) << ops.status().ToString();
    ASSERT_TRUE((*ops)[0].resume_state.has_value());
    json checkpoint = json::parse(*(*ops)[0].resume_state, nullptr, false);
    ASSERT_TRUE(checkpoint.is_object() && checkpoint["tables"].size() == 1u)
        << *(*ops)[0].resume_state;
    EXPECT_GT(checkpoint["tables"][0].value("rows_copied", int64_t{0}), 0) << checkpoint.dump();
    EXPECT_FALSE(checkpoint["tables"][0]["watermark"].is_null()) << checkpoint.dump();
  }

  OrdoResult start = RunOrdo({"start", id}, dir.path());
  EXPECT_EQ(start.exit_code, 0) << start.out << "\n" << start.err;
  json done = StatusOf(dir.path(), id);
  EXPECT_EQ(done["state"], "completed") << done.dump(2);
  op = OperationOf(done, "eu-1");
  EXPECT_EQ(op["state"], "completed") << op.dump(2);
  EXPECT_EQ(op["changes"][0]["rows_copied"], kRows);

  // The resumed run filled the same shadow table, which became `orders`.
  auto final_id = InnodbTableId(server, "shop", "orders");
  ASSERT_TRUE(final_id.ok()) << final_id.status().ToString();
  EXPECT_EQ(*final_id, *shadow_id) << "the copy started over in a new shadow table";
  auto after = OrdersFingerprint(server, "shop");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, *before);
  auto index = IndexColumns(server, "shop", "orders", "idx_note");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(*index, "1");

  // The log tells the story: stopped on request, resumed by the start.
  json events = EventsOf(dir.path(), id);
  bool stopped_seen = false, resumed_seen = false;
  for (const auto& e : EventsFor(events, "eu-1")) {
    stopped_seen = stopped_seen || (e["from"] == "running" && e["to"] == "stopped");
    resumed_seen = resumed_seen || (e["from"] == "stopped" && e["to"] == "resuming");
  }
  EXPECT_TRUE(stopped_seen) << events.dump(2);
  EXPECT_TRUE(resumed_seen) << events.dump(2);
  EXPECT_TRUE(NoOrdoObjects(server, "shop"));
}

}  // namespace
}  // namespace ordo::testing
