// End to end: errors a user meets with real servers, and the exit codes docs/guide.md
// gives them (0 completed, 1 the apply ended failed, 2 usage/config/DDL, 3 store or
// target unreachable).
//
// - Bad DDL (a typo, a column that exists, a table that does not, …) is refused before
//   the apply exists: exit 2 naming the deployment and the server's reason in terms of
//   the user's table; no store, no apply, nothing on the server.
// - An embedded apply whose second deployment is unreachable exits 3 naming it, and
//   creates nothing.
// - In fleet mode a deployment that becomes unreachable fails its operation after the
//   retry budget with a message naming the deployment's server, never its password.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

class Errors : public SharedServersTest<1> {
 protected:
  const MariaDbServer& server() { return *servers_[0]; }
  // A single-deployment environment on database `db` of the test's server.
  void Configure(const std::string& db, std::vector<DeploymentSpec> extra = {}) {
    EnvironmentSpec env{"prod", "rolling", "halt", "0s", {{"eu-1", server().Dsn(db)}}};
    for (auto& d : extra) env.deployments.push_back(d);
    WriteConfig(
        dir_.path(),
        ConfigSpec{
            "sqlite:ordo.db", "shop", {"poll_interval: 100ms", "retry_budget: 1"}, {}, {env}});
  }

  TempDir dir_;
};

TEST_F(Errors, BadDdlIsRefusedBeforeTheApplyExistsWithTheServersReasonInTheUsersTerms) {
  ORDO_ASSERT_OK(FillOrders(server(), "shop_bad", 100));
  Configure("shop_bad");
  struct Case {
    std::string ddl;
    std::string named;  // what the error must name
  };
  for (const Case& c :
       {Case{"ALTER TABLE orders ADDD COLUMN x INT", "syntax"},
        Case{"ALTER TABLE orders ADD COLUMN note INT", "Duplicate column name 'note'"},
        Case{"ALTER TABLE nosuch ADD COLUMN x INT", "`shop_bad`.`nosuch` does not exist"},
        Case{"ALTER TABLE orders ADD INDEX idx_x (no_such_column)", "no_such_column"},
        Case{"ALTER TABLE orders ADD COLUMN x INT AFTER no_such_column", "in 'orders'"}}) {
    OrdoResult r = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl", c.ddl, "--yes", "--json"},
                           dir_.path());
    EXPECT_EQ(r.exit_code, 2) << c.ddl << "\n" << r.out << "\n" << r.err;
    json doc = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << c.ddl << "\n" << r.out << "\n" << r.err;
    std::string message = doc["error"].value("message", "");
    EXPECT_NE(message.find("deployment eu-1"), std::string::npos) << c.ddl << ": " << r.out;
    EXPECT_NE(message.find(c.named), std::string::npos) << c.ddl << ": " << message;
    EXPECT_EQ(message.find("ordo_"), std::string::npos) << "an internal name leaks: " << message;
    // Nothing was created: no store, no apply, nothing on the server.
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/ordo.db")) << c.ddl;
  }
  auto columns =
      QueryValue(server(), "shop_bad",
                 "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'shop_bad' "
                 "AND TABLE_NAME = 'orders'");
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  EXPECT_EQ(*columns, "3");
  EXPECT_TRUE(NoOrdoObjects(server(), "shop_bad"));
}

TEST_F(Errors, EmbeddedApplyWithAnUnreachableSecondDeploymentExitsThreeAndCreatesNothing) {
  ORDO_ASSERT_OK(FillOrders(server(), "shop_unreach", 100));
  Configure("shop_unreach", {{"us-1", "mysql://ordo:hidden-pw@127.0.0.1:1/shop"}});
  OrdoResult r = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl",
                          "ALTER TABLE orders ADD INDEX i (note)", "--yes"},
                         dir_.path());
  EXPECT_EQ(r.exit_code, 3) << r.out << "\n" << r.err;
  EXPECT_NE(r.err.find("us-1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hidden-pw"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/ordo.db"));  // no store, no apply
  EXPECT_TRUE(NoOrdoObjects(server(), "shop_unreach"));
}

TEST_F(Errors, UnreachableDeploymentFailsItsOperationAfterTheRetryBudgetWithoutItsPassword) {
  // Fleet-style: only created here; a worker finds the deployment unreachable.
  WriteConfig(dir_.path(), ConfigSpec{"sqlite:ordo.db",
                                      "shop",
                                      {"poll_interval: 100ms", "retry_budget: 1"},
                                      {},
                                      {{"prod",
                                        "rolling",
                                        "halt",
                                        "0s",
                                        {{"eu-1", "mysql://ordo:hidden-pw@127.0.0.1:1/shop"}}}}});
  std::string id =
      ApplyDetached(dir_.path(), "shop", "prod", {"ALTER TABLE orders ADD INDEX i (note)"});
  ASSERT_FALSE(id.empty());
  OrdoProcess worker({"worker", "--drivers", "1"}, dir_.path());
  json doc = WaitForStatus(dir_.path(), id, Settled, std::chrono::seconds(120));
  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(std::chrono::seconds(30)), 0) << worker.err();
  EXPECT_EQ(doc["state"], "failed") << doc.dump(2);
  json op = OperationOf(doc, "eu-1");
  EXPECT_EQ(op["state"], "failed") << doc.dump(2);
  ASSERT_TRUE(op["error"].is_string()) << doc.dump(2);
  std::string error = op["error"];
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find("hidden-pw"), std::string::npos) << error;
  EXPECT_EQ(doc.dump().find("hidden-pw"), std::string::npos);
  EXPECT_EQ(EventsOf(dir_.path(), id).dump().find("hidden-pw"), std::string::npos);
  EXPECT_EQ(worker.err().find("hidden-pw"), std::string::npos) << worker.err();
  // `ordo watch` reports the failed apply with exit 1.
  OrdoResult r = RunOrdo({"watch", id}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

}  // namespace
}  // namespace ordo::testing
