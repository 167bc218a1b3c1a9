// End to end: how a rollout ends when something happens to one of its deployments
// while another is past its swap — every operation settles, the apply's state says
// what happened, the embedded `ordo apply` returns only once nothing of the apply can
// run any more, and nothing of ordo is left in any target schema.
//
// - A later deployment fails (halt) while an earlier one is in its revert window: the
//   window is kept, `ordo revert` of the earlier one still works, and `ordo apply`
//   waits for it (saying which deployment failed and how to revert).
// - The same, left alone: the window runs to its end before the apply ends failed.
// - A cancel after a stop settles the stopped deployment and removes its shadow.
// - A revert ends its apply `reverted`, whatever the later deployments did.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 5000;
const char* const kNames[] = {"eu-1", "us-1", "ap-1"};
constexpr const char* kUniqueDdl = "ALTER TABLE orders ADD UNIQUE KEY uq_code (code)";

class Endings : public SharedServersTest<3> {
 protected:
  // `n` deployments with database `db` filled; `policy`, halt, `window`.
  void Configure(const std::string& db, int n, const std::string& policy, const std::string& window,
                 std::vector<std::string> engine = {}) {
    EnvironmentSpec env{"prod", policy, "halt", window, {}};
    for (int i = 0; i < n; ++i) {
      ORDO_ASSERT_OK(FillOrders(*servers_[i], db, kRows));
      env.deployments.push_back({kNames[i], servers_[i]->Dsn(db)});
    }
    WriteConfig(dir_.path(),
                ConfigSpec{"sqlite:ordo.db", "shop", {"poll_interval: 100ms"}, engine, {env}});
  }

  // us-1 gets a duplicate code: a unique key over `code` fails there only.
  void DuplicateOnSecond(const std::string& db) {
    auto conn = Connect(*servers_[1], db);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ORDO_ASSERT_OK((*conn)->Execute("UPDATE orders SET code = 4000 WHERE id = 4001"));
  }

  // Nothing of ordo (shadow, old table, check table, sentry, ownership record) in `db`
  // on any of the first `n` servers.
  void ExpectNothingOfOrdoLeft(const std::string& db, int n) {
    for (int i = 0; i < n; ++i) EXPECT_TRUE(NoOrdoObjects(*servers_[i], db)) << kNames[i];
  }

  // Polls the apply's status until `deployment` is in `state` (two minutes at most);
  // the last document.
  json WaitForOperation(const std::string& id, const std::string& deployment,
                        const std::string& state) {
    json doc = WaitForStatus(
        dir_.path(), id,
        [&](const json& d) { return OperationOf(d, deployment)["state"] == state; },
        std::chrono::seconds(120));
    EXPECT_EQ(OperationOf(doc, deployment)["state"], state) << doc.dump(2);
    return doc;
  }

  // Starts the embedded apply of `ddl` in the background; its id.
  std::string StartApply(const std::string& ddl, std::unique_ptr<OrdoProcess>* apply) {
    *apply = std::make_unique<OrdoProcess>(
        std::vector<std::string>{"apply", "-d", "shop", "-e", "prod", "--ddl", ddl, "--yes"},
        dir_.path());
    std::string id = WaitForFirstApplyId(dir_.path(), std::chrono::seconds(60));
    EXPECT_FALSE(id.empty()) << (*apply)->err();
    return id;
  }

  // Runs a barrier rollout of kUniqueDdl over three deployments with `window` until eu-1
  // is in its revert window and us-1 has failed (its copy is held until eu-1 swapped).
  std::string FailSecondDuringTheFirstsWindow(const std::string& db, const std::string& window,
                                              std::unique_ptr<OrdoProcess>* apply) {
    Configure(db, 3, "barrier", window);
    DuplicateOnSecond(db);
    std::string id = StartApply(kUniqueDdl, apply);
    if (id.empty()) return "";
    auto stall = StallCopyOnceItHasRows(*servers_[1], db, std::chrono::seconds(120));
    EXPECT_TRUE(stall.ok()) << stall.status().ToString() << (*apply)->err();
    if (!stall.ok()) return "";
    WaitForOperation(id, "eu-1", "revert_window");
    (*stall)->Release();
    WaitForOperation(id, "us-1", "failed");
    return id;
  }

  TempDir dir_;
};

// Without a revert window the turn ends at the swap and the old table goes after it.
// When that step fails (here: keep_old_table, and every backup name of three seconds
// is taken, so the old table cannot be renamed), it is tried again — never by planning
// the change again on the table already swapped — and the apply completes once it
// can. The user's tables are never touched. (That the retry starts from the swap's
// checkpoint, not the claim's, is pinned in worker_test.)
TEST_F(Endings, AFailedEndOfASwapIsTriedAgainFromTheSwapNotFromTheStart) {
  Configure("shop_bak", 1, "rolling", "0s", {"keep_old_table: true"});
  auto conn = Connect(*servers_[0], "shop_bak");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  // The deployment copies and parks ready under a worker; the swap waits for `cutover`.
  OrdoResult created =
      RunOrdo({"apply", "-d", "shop", "-e", "prod", "--yes", "--detach", "--defer-cutover",
               "--json", "--ddl", "ALTER TABLE orders ADD INDEX idx_note (note)"},
              dir_.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string id = json::parse(created.out)["id"];
  OrdoProcess worker({"worker"}, dir_.path());
  WaitForOperation(id, "eu-1", "waiting_for_cutover");
  // Every backup name of three seconds a little ahead is taken (300 tables take ~3 s).
  auto first = (*conn)->Query("SELECT UNIX_TIMESTAMP() + 5");
  ASSERT_TRUE(first.ok());
  const int64_t from = std::stoll(*first->rows[0][0]);
  std::vector<std::string> taken;
  for (int64_t second = from; second < from + 3; ++second) {
    auto stamp =
        (*conn)->Query("SELECT DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL (" + std::to_string(second) +
                       " - UNIX_TIMESTAMP()) SECOND, '%Y%m%d%H%i%s')");
    ASSERT_TRUE(stamp.ok() && stamp->rows[0][0]) << stamp.status().ToString();
    for (int n = 1; n <= 100; ++n) {
      taken.push_back("orders_ordo_bak_" + *stamp->rows[0][0] +
                      (n == 1 ? "" : "_" + std::to_string(n)));
      ORDO_ASSERT_OK((*conn)->Execute("CREATE TABLE `" + taken.back() + "` (mine INT)"));
    }
  }
  ASSERT_TRUE(PollUntil(
      [&] {
        auto now = (*conn)->Query("SELECT UNIX_TIMESTAMP()");
        return now.ok() && std::stoll(*now->rows[0][0]) >= from;
      },
      std::chrono::seconds(30)))
      << "the backup names were taken too late";
  OrdoResult cutover = RunOrdo({"cutover", id, "--detach"}, dir_.path());
  ASSERT_EQ(cutover.exit_code, 0) << cutover.out << cutover.err;

  // Completed at the swap; done once the old table's end (owed) is done too.
  json doc = WaitForStatus(
      dir_.path(), id,
      [](const json& d) {
        return d["state"] == "completed" && OperationOf(d, "eu-1")["phase"] == "completed";
      },
      std::chrono::seconds(120));
  EXPECT_EQ(doc["state"], "completed") << doc.dump(2) << worker.err();
  EXPECT_EQ(OperationOf(doc, "eu-1")["phase"], "completed") << doc.dump(2) << worker.err();
  json op = OperationOf(doc, "eu-1");
  EXPECT_EQ(op["state"], "completed") << doc.dump(2);
  EXPECT_TRUE(op["error"].is_null()) << doc.dump(2);
  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(std::chrono::seconds(60)), 0) << worker.err();
  // The end of the swap failed at least once and was tried again from the swap.
  EXPECT_NE(worker.err().find("the work after the swap interrupted, trying again"),
            std::string::npos)
      << worker.err();
  EXPECT_EQ(worker.err().find("does not apply"), std::string::npos)
      << "the change was planned again: " << worker.err();
  EXPECT_EQ(*IndexColumns(*servers_[0], "shop_bak", "orders", "idx_note"), "1");
  for (const std::string& t : taken) {
    auto cols = QueryValue(*servers_[0], "shop_bak",
                           "SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS WHERE "
                           "TABLE_SCHEMA = 'shop_bak' AND TABLE_NAME = ?",
                           {db::SqlValue::Text(t)});
    ASSERT_TRUE(cols.ok()) << cols.status().ToString();
    EXPECT_EQ(*cols, "mine") << t << " was touched";
  }
  ExpectNothingOfOrdoLeft("shop_bak", 1);
}

TEST_F(Endings, AnEarlierRevertWindowOutlivesALaterFailureAndCanStillBeReverted) {
  std::unique_ptr<OrdoProcess> apply;
  std::string id = FailSecondDuringTheFirstsWindow("shop_keep", "10m", &apply);
  ASSERT_FALSE(id.empty());

  // Decided (us-1 failed under halt) but not settled: eu-1's window goes on, and the
  // embedded apply with it.
  json doc = StatusOf(dir_.path(), id);
  EXPECT_EQ(doc["state"], "revert_window") << doc.dump(2);
  EXPECT_TRUE(doc["completed_at"].is_null()) << doc.dump(2);
  ASSERT_TRUE(doc["error"].is_string()) << doc.dump(2);
  EXPECT_NE(doc["error"].get<std::string>().find("us-1"), std::string::npos) << doc.dump(2);
  EXPECT_EQ(apply->Wait(std::chrono::milliseconds(1500)), -1) << apply->out() << apply->err();
  EXPECT_TRUE(*TableExists(*servers_[0], "shop_keep", "orders_ordo_old"));

  OrdoResult revert = RunOrdo({"revert", id}, dir_.path());
  EXPECT_EQ(revert.exit_code, 0) << revert.out << revert.err;
  EXPECT_NE(revert.out.find("accepted"), std::string::npos) << revert.out;
  EXPECT_EQ(apply->Wait(std::chrono::seconds(120)), 1) << apply->out() << "\n" << apply->err();
  // While it waited, the apply said which deployment failed and how to revert eu-1.
  EXPECT_NE(apply->out().find("eu-1 stays in its revert window"), std::string::npos)
      << apply->out();
  EXPECT_NE(apply->out().find("ordo revert " + id), std::string::npos) << apply->out();

  doc = StatusOf(dir_.path(), id);
  EXPECT_EQ(doc["state"], "failed") << doc.dump(2);  // fail-closed: us-1 failed
  EXPECT_FALSE(doc["completed_at"].is_null()) << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "eu-1")["state"], "reverted") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "us-1")["state"], "failed") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "ap-1")["state"], "cancelled") << doc.dump(2);
  EXPECT_TRUE(OperationOf(doc, "ap-1")["started_at"].is_null()) << doc.dump(2);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(*IndexColumns(*servers_[i], "shop_keep", "orders", "uq_code"), "0") << i;
  ExpectNothingOfOrdoLeft("shop_keep", 3);
}

TEST_F(Endings, AnEarlierRevertWindowRunsToItsEndBeforeTheFailedApplyEnds) {
  std::unique_ptr<OrdoProcess> apply;
  std::string id = FailSecondDuringTheFirstsWindow("shop_bake", "4s", &apply);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(apply->Wait(std::chrono::seconds(120)), 1) << apply->out() << "\n" << apply->err();

  json doc = StatusOf(dir_.path(), id);
  EXPECT_EQ(doc["state"], "failed") << doc.dump(2);
  json first = OperationOf(doc, "eu-1");
  EXPECT_EQ(first["state"], "completed") << doc.dump(2);
  // The window was baked in full, and the apply settled only after it.
  ASSERT_TRUE(first["cutover_completed_at"].is_string() && first["completed_at"].is_string())
      << doc.dump(2);
  EXPECT_GE(ParseRfc3339(first["completed_at"]) - ParseRfc3339(first["cutover_completed_at"]),
            4'000'000)
      << doc.dump(2);
  EXPECT_GE(ParseRfc3339(doc["completed_at"]), ParseRfc3339(first["completed_at"])) << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "ap-1")["state"], "cancelled") << doc.dump(2);
  EXPECT_EQ(*IndexColumns(*servers_[0], "shop_bake", "orders", "uq_code"), "1");
  ExpectNothingOfOrdoLeft("shop_bake", 3);
}

TEST_F(Endings, ACancelAfterAStopSettlesTheStoppedDeploymentAndRemovesItsShadow) {
  Configure("shop_cancel", 2, "rolling", "0s", {"copy_threads: 1", "chunk_target: 1ms"});
  std::unique_ptr<OrdoProcess> apply;
  std::string id = StartApply(
      "ALTER TABLE orders ADD COLUMN k2 INT NULL, ADD INDEX idx_k2 (note, code)", &apply);
  ASSERT_FALSE(id.empty());
  auto stall = StallCopyOnceItHasRows(*servers_[0], "shop_cancel", std::chrono::seconds(120));
  ASSERT_TRUE(stall.ok()) << stall.status().ToString() << apply->err();
  OrdoResult stop = RunOrdo({"stop", id}, dir_.path());
  EXPECT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // ten polls of the holder
  (*stall)->Release();
  ASSERT_EQ(apply->Wait(std::chrono::seconds(120)), 1) << apply->out() << "\n" << apply->err();
  json stopped = StatusOf(dir_.path(), id);
  ASSERT_EQ(stopped["state"], "stopped") << stopped.dump(2);
  ASSERT_TRUE(*TableExists(*servers_[0], "shop_cancel", "orders_ordo_new"));

  // The cancel (embedded: it drives the apply) settles every deployment, the stopped one
  // included, and removes its shadow.
  OrdoResult cancel = RunOrdo({"cancel", id}, dir_.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.out << cancel.err;
  EXPECT_NE(cancel.out.find("accepted"), std::string::npos) << cancel.out;
  json doc = StatusOf(dir_.path(), id);
  EXPECT_EQ(doc["state"], "cancelled") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "eu-1")["state"], "cancelled") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "us-1")["state"], "cancelled") << doc.dump(2);
  for (const auto& e : EventsOf(dir_.path(), id)["events"])
    EXPECT_EQ(e["message"].get<std::string>().find("stop refused"), std::string::npos) << e.dump();
  ExpectNothingOfOrdoLeft("shop_cancel", 2);
}

TEST_F(Endings, ARevertEndsTheApplyRevertedWhateverCameAfter) {
  Configure("shop_revert", 2, "rolling", "10m");
  std::unique_ptr<OrdoProcess> apply;
  // Not an instant change (an index besides the column): it can be reverted.
  std::string id = StartApply(
      "ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, ADD INDEX idx_note (note)",
      &apply);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(OperationOf(WaitForOperation(id, "eu-1", "revert_window"), "eu-1")["state"],
            "revert_window");

  OrdoResult revert = RunOrdo({"revert", id}, dir_.path());
  EXPECT_EQ(revert.exit_code, 0) << revert.out << revert.err;
  EXPECT_EQ(apply->Wait(std::chrono::seconds(120)), 1) << apply->out() << "\n" << apply->err();
  json doc = StatusOf(dir_.path(), id);
  EXPECT_EQ(doc["state"], "reverted") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "eu-1")["state"], "reverted") << doc.dump(2);
  EXPECT_EQ(OperationOf(doc, "us-1")["state"], "cancelled") << doc.dump(2);
  EXPECT_TRUE(OperationOf(doc, "us-1")["started_at"].is_null()) << doc.dump(2);
  ExpectNothingOfOrdoLeft("shop_revert", 2);
}

TEST_F(Endings, ARefusedRevertEndsItsCommandWithTheReasonAndTheWindowGoesOn) {
  Configure("shop_instant", 1, "rolling", "10m");
  std::unique_ptr<OrdoProcess> apply;
  std::string id =
      StartApply("ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7", &apply);  // instant
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(OperationOf(WaitForOperation(id, "eu-1", "revert_window"), "eu-1")["state"],
            "revert_window");

  // Accepted, then refused by the engine: the command says why and ends.
  OrdoResult revert = RunOrdo({"revert", id}, dir_.path());
  EXPECT_EQ(revert.exit_code, 1) << revert.out << revert.err;
  EXPECT_NE(revert.out.find("instant"), std::string::npos) << revert.out;
  EXPECT_EQ(OperationOf(StatusOf(dir_.path(), id), "eu-1")["state"], "revert_window");

  OrdoResult skip = RunOrdo({"skip-revert", id}, dir_.path());
  EXPECT_EQ(skip.exit_code, 0) << skip.out << skip.err;
  EXPECT_EQ(apply->Wait(std::chrono::seconds(120)), 0) << apply->out() << "\n" << apply->err();
  EXPECT_EQ(StatusOf(dir_.path(), id)["state"], "completed");
  ExpectNothingOfOrdoLeft("shop_instant", 1);
}

}  // namespace
}  // namespace ordo::testing
