// End to end: the revert window of a real rollout. After the swap the old table is kept
// in sync from the binlog in reverse, so `ordo revert` swaps it back holding every
// write made to the new table during the window; `ordo skip-revert` ends the window
// and drops the old table.
#include <gtest/gtest.h>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 5000;
constexpr const char* kDdl =
    "ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, ADD INDEX idx_note (note)";

ConfigSpec WindowConfig(const MariaDbServer& server) {
  return ConfigSpec{"sqlite:ordo.db",
                    "shop",
                    {"poll_interval: 100ms"},
                    {},
                    {{"prod", "rolling", "halt", "10m", {{"eu-1", server.Dsn("shop")}}}}};
}

// Starts an embedded apply of kDdl in `dir` and waits until its only operation is in
// the revert window; the apply's id.
std::string ApplyIntoTheWindow(const std::string& dir, std::unique_ptr<OrdoProcess>& apply) {
  apply = std::make_unique<OrdoProcess>(
      std::vector<std::string>{"apply", "-d", "shop", "-e", "prod", "--ddl", kDdl, "--yes"}, dir);
  std::string id = WaitForFirstApplyId(dir, std::chrono::seconds(60));
  EXPECT_FALSE(id.empty()) << apply->err();
  if (id.empty()) return "";
  json doc = WaitForStatus(
      dir, id, [](const json& d) { return OperationOf(d, "eu-1")["state"] == "revert_window"; },
      std::chrono::seconds(180));
  EXPECT_EQ(OperationOf(doc, "eu-1")["state"], "revert_window") << doc.dump(2) << apply->err();
  return OperationOf(doc, "eu-1")["state"] == "revert_window" ? id : "";
}

Result<int64_t> ColumnCount(const MariaDbServer& server, const std::string& column) {
  ORDO_ASSIGN_OR_RETURN(
      std::string n,
      QueryValue(server, "shop",
                 "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop' "
                 "AND TABLE_NAME = 'orders' AND COLUMN_NAME = '" +
                     column + "'"));
  return std::stoll(n);
}

// A rollout of kDdl on a server of its own, in the revert window when the test begins.
class RevertWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    ORDO_START_SERVERS_OR_SKIP(servers, 1);
    servers_ = std::move(servers);
    ORDO_ASSERT_OK(FillOrders(server(), "shop", kRows));
    WriteConfig(dir_.path(), WindowConfig(server()));
    id_ = ApplyIntoTheWindow(dir_.path(), apply_);
    ASSERT_FALSE(id_.empty());
  }

  const MariaDbServer& server() const { return *servers_[0]; }

  std::vector<std::unique_ptr<MariaDbServer>> servers_;
  TempDir dir_;
  std::unique_ptr<OrdoProcess> apply_;
  std::string id_;  // the apply's
};

TEST_F(RevertWindow, RevertSwapsBackTheOldTableHoldingEveryWriteMadeInTheWindow) {
  ASSERT_EQ(*ColumnCount(server(), "extra"), 1);

  // The application writes to the new table during the window.
  auto conn = Connect(server(), "shop");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ORDO_ASSERT_OK(
      (*conn)->Execute("INSERT INTO orders (note, code, extra) VALUES ('in the window', 90001, 1), "
                       "('also in the window', 90002, 2)"));
  ORDO_ASSERT_OK((*conn)->Execute(
      "UPDATE orders SET note = 'changed in the window', extra = 3 WHERE id <= 50"));
  ORDO_ASSERT_OK((*conn)->Execute("DELETE FROM orders WHERE id BETWEEN 100 AND 149"));
  auto written = OrdersFingerprint(server(), "shop");
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  OrdoResult revert = RunOrdo({"revert", id_}, dir_.path());
  EXPECT_EQ(revert.exit_code, 0) << revert.out << revert.err;
  EXPECT_NE(revert.out.find("accepted"), std::string::npos) << revert.out;
  // A reverted apply is not a success: the embedded apply exits 1.
  EXPECT_EQ(apply_->Wait(std::chrono::seconds(180)), 1) << apply_->out() << "\n" << apply_->err();

  json done = StatusOf(dir_.path(), id_);
  EXPECT_EQ(done["state"], "reverted") << done.dump(2);
  EXPECT_EQ(OperationOf(done, "eu-1")["state"], "reverted") << done.dump(2);
  // The old shape is back, with every write of the window in it.
  EXPECT_EQ(*ColumnCount(server(), "extra"), 0);
  auto reverted = OrdersFingerprint(server(), "shop");
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(*reverted, *written);
  auto count = QueryValue(server(), "shop", "SELECT COUNT(*) FROM orders");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(std::stoll(*count), kRows + 2 - 50);
  EXPECT_FALSE(*TableExists(server(), "shop", "orders_ordo_old"));
  bool revert_event = false;
  for (const auto& e : EventsFor(EventsOf(dir_.path(), id_), "eu-1"))
    revert_event |= e["kind"] == "revert";
  EXPECT_TRUE(revert_event);
  EXPECT_TRUE(NoOrdoObjects(server(), "shop"));
}

TEST_F(RevertWindow, SkipRevertEndsTheWindowAndDropsTheOldTable) {
  EXPECT_TRUE(*TableExists(server(), "shop", "orders_ordo_old"));

  OrdoResult skip = RunOrdo({"skip-revert", id_}, dir_.path());
  EXPECT_EQ(skip.exit_code, 0) << skip.out << skip.err;
  EXPECT_EQ(apply_->Wait(std::chrono::seconds(120)), 0) << apply_->out() << "\n" << apply_->err();

  json done = StatusOf(dir_.path(), id_);
  EXPECT_EQ(done["state"], "completed") << done.dump(2);
  EXPECT_EQ(*ColumnCount(server(), "extra"), 1);
  EXPECT_FALSE(*TableExists(server(), "shop", "orders_ordo_old"));
  // Nothing can be reverted any more.
  OrdoResult late = RunOrdo({"revert", id_}, dir_.path());
  EXPECT_EQ(late.exit_code, 1) << late.out << late.err;
  EXPECT_NE(late.out.find("refused"), std::string::npos) << late.out;
  EXPECT_TRUE(NoOrdoObjects(server(), "shop"));
}

}  // namespace
}  // namespace ordo::testing
