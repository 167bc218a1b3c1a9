// The plan as `ordo plan` makes it (app/plan.h) against a real MariaDB: schema files
// refused naming the file and line, scratch schemas gone after success, error and
// cancel, drift between two deployments reported.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/plan.h"
#include "plan_test_support.h"
#include "schema/files.h"

namespace ordo {
namespace {

using ordo::testing::ConnectTo;
using ordo::testing::ScratchSchemas;

class PlanFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ordo::testing::MariaDbServer::Shared();
    if (!server.ok()) {
      if (ordo::testing::ServersRequired()) FAIL() << server.status().ToString();
      GTEST_SKIP() << "no MariaDB server";
    }
    server_ = *server;
    conn_ = ConnectTo(*server_);
    ASSERT_NE(conn_, nullptr);
  }
  void TearDown() override {
    for (const std::string& s : schemas_)
      (void)conn_->Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(s));
  }
  // A deployment whose schema holds `sql`.
  DeploymentConfig Deployment(const std::string& name, const std::string& sql) {
    std::string schema = ordo::testing::UniqueName("plan_flow");
    schemas_.push_back(schema);
    EXPECT_TRUE(ordo::testing::CreateSchemaFrom(*conn_, schema, sql).ok());
    return {name, server_->Dsn(schema)};
  }
  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() + "/" + name) << text;
  }
  Config MakeConfig(std::vector<DeploymentConfig> deployments) {
    Config cfg;
    cfg.path = "test.yaml";
    DatabaseConfig db;
    db.name = "shop";
    db.schema_dir = dir_.path();
    EnvironmentConfig env;
    env.name = "prod";
    env.deployments = std::move(deployments);
    db.environments.push_back(env);
    cfg.databases.push_back(db);
    return cfg;
  }

  ordo::testing::MariaDbServer* server_ = nullptr;
  std::unique_ptr<db::MysqlConnection> conn_;
  std::vector<std::string> schemas_;
  ordo::testing::TempDir dir_;
};

constexpr const char* kOrders =
    "CREATE TABLE orders (\n  id int NOT NULL,\n  total int DEFAULT NULL,\n  PRIMARY KEY "
    "(id)\n);\n";

TEST(SchemaFiles, AStatementOtherThanCreateTableIsRefusedNamingFileAndLine) {
  auto r =
      schema::ParseSchemaFile("s/a.sql", "CREATE TABLE a (id int);\n\n-- gone\nDROP TABLE a;\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("s/a.sql:4: only CREATE TABLE"), std::string::npos)
      << r.status().ToString();
}

TEST(SchemaFiles, ASchemaQualifiedTableIsRefused) {
  auto r = schema::ParseSchemaFile("a.sql", "\nCREATE TABLE other.a (id int);");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a.sql:2: table `other`.`a`: name it without a schema"),
            std::string::npos)
      << r.status().ToString();
}

TEST(SchemaFiles, RenamesAreReadFromTheColumnLines) {
  auto r = schema::ParseSchemaFile(
      "a.sql", "CREATE TABLE `a` (\n  `new_name` int,  -- ordo:renamed-from old_name\n  b int\n)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].renames.at("new_name"), "old_name");
}

TEST_F(PlanFlow, BadSqlInASchemaFileFailsNamingTheFileAndLineAndLeavesNoScratchSchema) {
  WriteFile("a_orders.sql", kOrders);
  WriteFile("b_items.sql",
            "-- items\n\nCREATE TABLE items (\n  id int NOT NULL,\n  PRIMARY KEY (nope)\n);\n");
  Config cfg = MakeConfig({Deployment("eu-1", kOrders)});
  auto plan = app::ComputePlan(cfg, {"shop", "prod"}, nullptr);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().Is(StatusCode::kInvalidArgument)) << plan.status().ToString();
  std::string where = dir_.path() + "/b_items.sql:3: table `items`: ";
  EXPECT_NE(plan.status().message().find(where), std::string::npos) << plan.status().ToString();
  EXPECT_NE(plan.status().message().find("nope"), std::string::npos) << plan.status().ToString();
  EXPECT_TRUE(ScratchSchemas(*conn_).empty());
}

TEST_F(PlanFlow, APlanLeavesNoScratchSchemaAndASecondDeploymentsDriftIsReported) {
  WriteFile("orders.sql",
            "CREATE TABLE orders (\n  id int NOT NULL,\n  total bigint DEFAULT NULL,\n  PRIMARY "
            "KEY (id)\n);\n");
  std::string drifted =
      "CREATE TABLE orders (\n  id int NOT NULL,\n  total int DEFAULT NULL,\n  legacy int,\n  "
      "PRIMARY KEY (id)\n);\n";
  Config cfg = MakeConfig({Deployment("eu-1", kOrders), Deployment("us-1", drifted)});
  auto plan = app::ComputePlan(cfg, {"shop", "prod"}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(ScratchSchemas(*conn_).empty());
  EXPECT_EQ(plan->desired_hash.size(), 64u);
  ASSERT_TRUE(plan->drifted());
  ASSERT_EQ(plan->drift.size(), 2u);
  EXPECT_EQ(plan->drift[1].deployments, std::vector<std::string>{"us-1"});
  ASSERT_EQ(plan->drift[1].differences.size(), 1u);
  EXPECT_EQ(plan->drift[1].differences[0].details,
            std::vector<std::string>{"add column `legacy` AFTER `total`"});
  ASSERT_EQ(plan->deployments.size(), 2u);
  EXPECT_NE(plan->deployments[0].live_fingerprint, plan->deployments[1].live_fingerprint);
  EXPECT_EQ(plan->deployments[0].statements.size(), 1u);
  EXPECT_EQ(plan->deployments[0].statements[0].statement,
            "ALTER TABLE `orders`\n  MODIFY COLUMN `total` bigint(20) DEFAULT NULL");
  EXPECT_EQ(plan->deployments[1].statements[0].statement,
            "ALTER TABLE `orders`\n  DROP COLUMN `legacy`,\n  MODIFY COLUMN `total` bigint(20) "
            "DEFAULT NULL");
}

TEST_F(PlanFlow, AnUpToDateEnvironmentHasNoChangesAndNoDrift) {
  WriteFile("orders.sql", kOrders);
  Config cfg = MakeConfig({Deployment("eu-1", kOrders), Deployment("us-1", kOrders)});
  auto plan = app::ComputePlan(cfg, {"shop", "prod"}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(plan->HasChanges());
  EXPECT_FALSE(plan->drifted());
  EXPECT_EQ(plan->deployments[0].live_fingerprint, plan->deployments[1].live_fingerprint);
}

TEST_F(PlanFlow, ACancelledPlanLeavesNoScratchSchema) {
  WriteFile("orders.sql", kOrders);
  Config cfg = MakeConfig({Deployment("eu-1", "")});
  int asked = 0;
  // Asked once before connecting, then before each statement loaded: stop at the load.
  auto plan = app::ComputePlan(cfg, {"shop", "prod"}, [&asked] { return ++asked > 1; });
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().Is(StatusCode::kCancelled)) << plan.status().ToString();
  EXPECT_TRUE(ScratchSchemas(*conn_).empty());
}

TEST_F(PlanFlow, ASchemaDirWithoutStatementsIsRefused) {
  Config cfg = MakeConfig({Deployment("eu-1", kOrders)});
  auto plan = app::ComputePlan(cfg, {"shop", "prod"}, nullptr);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("would drop every table"), std::string::npos)
      << plan.status().ToString();
}

}  // namespace
}  // namespace ordo
