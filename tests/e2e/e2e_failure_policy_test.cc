// End to end: the failure policies when the second of three deployments cannot take the
// change. A new unique key over `code` fails there only (its copy finds duplicate
// values); the first deployment has already completed (rolling rollout).
//
// - halt: the apply ends failed and `ordo apply` exits 1; the third deployment never
//   starts (no start time, never running, its table untouched).
// - continue: the third deployment still completes; the apply ends failed all the same
//   (exit 1), naming the failure.
#include <gtest/gtest.h>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kRows = 5000;
const char* const kNames[] = {"eu-1", "us-1", "ap-1"};
constexpr const char* kDdl = "ALTER TABLE orders ADD UNIQUE KEY uq_code (code)";

class FailurePolicy : public SharedServersTest<3> {
 protected:
  // Each deployment's own database `db`, filled; on the second, two rows share a code.
  void Prepare(const std::string& db, const std::string& on_failure) {
    for (auto& s : servers_) ORDO_ASSERT_OK(FillOrders(*s, db, kRows));
    auto dup = Connect(*servers_[1], db);
    ASSERT_TRUE(dup.ok()) << dup.status().ToString();
    ORDO_ASSERT_OK((*dup)->Execute("UPDATE orders SET code = 4000 WHERE id = 4001"));
    EnvironmentSpec env{"prod", "rolling", on_failure, "0s", {}};
    for (int i = 0; i < 3; ++i) env.deployments.push_back({kNames[i], servers_[i]->Dsn(db)});
    WriteConfig(dir_.path(),
                ConfigSpec{"sqlite:ordo.db", "shop", {"poll_interval: 200ms"}, {}, {env}});
  }

  // Runs the apply to its end; its exit code and final status document.
  std::pair<int, json> Apply() {
    OrdoResult r = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl", kDdl, "--yes", "--json"},
                           dir_.path());
    json doc = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << r.out << "\n" << r.err;
    return {r.exit_code, doc};
  }

  // Prepares `db` with `on_failure` and runs the apply to its end: it failed (exit 1)
  // at the second deployment, naming the duplicate, after the first completed. Its
  // final status document.
  void ApplyFailingAtTheSecond(const std::string& db, const std::string& on_failure, json* doc) {
    ASSERT_NO_FATAL_FAILURE(Prepare(db, on_failure));
    int exit_code = 0;
    std::tie(exit_code, *doc) = Apply();
    EXPECT_EQ(exit_code, 1) << doc->dump(2);
    ASSERT_TRUE(doc->is_object());
    EXPECT_EQ((*doc)["state"], "failed");
    EXPECT_EQ((*doc)["on_failure"], on_failure);
    EXPECT_EQ(OperationOf(*doc, "eu-1")["state"], "completed") << doc->dump(2);
    json failed = OperationOf(*doc, "us-1");
    EXPECT_EQ(failed["state"], "failed") << doc->dump(2);
    ExpectDuplicateNamed(failed);
  }

  // The deployments' unique keys on `db`: "1" where the change made it, "0" elsewhere.
  void ExpectUniqueKeys(const std::string& db, const std::vector<std::string>& expected) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(*UniqueKeys(i, db), expected[i]) << kNames[i];
  }

  // The failed deployment's error names the duplicate and the key.
  static void ExpectDuplicateNamed(const json& op) {
    ASSERT_TRUE(op["error"].is_string()) << op.dump(2);
    std::string error = op["error"];
    EXPECT_NE(error.find("uq_code"), std::string::npos) << error;
    EXPECT_NE(error.find("4000"), std::string::npos) << error;
  }

  Result<std::string> UniqueKeys(int server, const std::string& db) {
    return IndexColumns(*servers_[server], db, "orders", "uq_code");
  }

  TempDir dir_;
};

TEST_F(FailurePolicy, HaltNeverStartsTheDeploymentAfterTheFailedOne) {
  json doc;
  ASSERT_NO_FATAL_FAILURE(ApplyFailingAtTheSecond("shop_halt", "halt", &doc));
  // Never started: still pending, or cancelled once the apply settled (a row that
  // never copied is not touched on its server either way).
  json third = OperationOf(doc, "ap-1");
  EXPECT_TRUE(third["state"] == "pending" || third["state"] == "cancelled") << doc.dump(2);
  EXPECT_TRUE(third["started_at"].is_null()) << third.dump(2);
  EXPECT_TRUE(third["cutover_started_at"].is_null()) << third.dump(2);
  for (const auto& e : EventsFor(EventsOf(dir_.path(), doc["id"]), "ap-1")) {
    EXPECT_NE(e["to"], "running") << e.dump();
    EXPECT_NE(e["to"], "cutting_over") << e.dump();
    EXPECT_NE(e["kind"], "cutover") << e.dump();
  }

  ExpectUniqueKeys("shop_halt", {"1", "0", "0"});
  // Not touched at all: no shadow table either.
  auto shadow = TableExists(*servers_[2], "shop_halt", "orders_ordo_new");
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();
  EXPECT_FALSE(*shadow);
  // The failed deployment's shadow table was removed: nobody resumes it.
  shadow = TableExists(*servers_[1], "shop_halt", "orders_ordo_new");
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();
  EXPECT_FALSE(*shadow);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(NoOrdoObjects(*servers_[i], "shop_halt")) << kNames[i];
}

TEST_F(FailurePolicy, ContinueCompletesTheNextDeploymentAndTheApplyStillEndsFailed) {
  json doc;
  ASSERT_NO_FATAL_FAILURE(ApplyFailingAtTheSecond("shop_cont", "continue", &doc));
  json failed = OperationOf(doc, "us-1");
  json third = OperationOf(doc, "ap-1");
  EXPECT_EQ(third["state"], "completed") << doc.dump(2);
  EXPECT_EQ(third["changes"][0]["rows_copied"], kRows);
  // The third started only after the second had failed (rolling, failure excused).
  ASSERT_TRUE(third["started_at"].is_string() && failed["completed_at"].is_string()) << doc.dump(2);
  EXPECT_GE(third["started_at"].get<std::string>(), failed["completed_at"].get<std::string>());

  ExpectUniqueKeys("shop_cont", {"1", "0", "1"});
  auto rows = QueryValue(*servers_[2], "shop_cont", "SELECT COUNT(*) FROM orders");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, std::to_string(kRows));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(NoOrdoObjects(*servers_[i], "shop_cont")) << kNames[i];
}

}  // namespace
}  // namespace ordo::testing
