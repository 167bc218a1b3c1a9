// `ordo lint` as a user runs it: the real binary over a config whose deployments are
// databases of a real MariaDB — the text and JSON documents, and the exit codes (0
// nothing blocked, 4 something blocked, 3 a deployment unreachable, 2 usage).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "ordo_process.h"
#include "plan_test_support.h"
#include "test_servers.h"

namespace ordo {
namespace {

using testing::RunOrdo;

class LintCliTest : public testing::SchemaTest {
 protected:
  void SetUp() override {
    SchemaTest::SetUp();
    if (conn_ == nullptr) return;
    messy_ = NewSchema("lint_messy");
    clean_ = NewSchema("lint_clean");
    Create(messy_,
           "CREATE TABLE logs (line TEXT);"
           "CREATE TABLE orders (id INT PRIMARY KEY, total DOUBLE, a INT, KEY ia (a), "
           "KEY ia2 (a));");
    Create(clean_, "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20));");
  }
  void Create(const std::string& db, const std::string& sql) {
    ASSERT_TRUE(conn_->Execute("USE " + db::QuoteIdentifier(db)).ok());
    ASSERT_TRUE(conn_->ExecuteScript(sql).ok());
  }
  // A config whose environment `prod` has the given deployments (name → DSN), and
  // whose schema_dir holds `schema_sql` when given.
  std::string Config(const std::vector<std::pair<std::string, std::string>>& deployments,
                     const std::string& schema_sql = "") {
    std::string path = dir_.path() + "/ordo.yaml";
    std::ofstream out(path);
    out << "store: sqlite:" << dir_.path() << "/ordo.db\n"
        << "databases:\n  shop:\n";
    if (!schema_sql.empty()) {
      std::filesystem::create_directories(dir_.path() + "/schema");
      std::ofstream(dir_.path() + "/schema/tables.sql") << schema_sql;
      out << "    schema_dir: schema\n";
    }
    out << "    environments:\n      prod:\n        deployments:\n";
    for (const auto& [name, dsn] : deployments)
      out << "          - name: " << name << "\n            dsn: " << dsn << "\n";
    return path;
  }

  testing::TempDir dir_;
  std::string messy_, clean_;
};

TEST_F(LintCliTest, JsonNamesEachDeploymentsFindingsAndBlockedExitsFour) {
  std::string cfg = Config({{"eu-1", server_->Dsn(messy_)}, {"us-1", server_->Dsn(clean_)}});
  auto r = RunOrdo({"-c", cfg, "lint", "-d", "shop", "-e", "prod", "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["deployments"].size(), 2u) << r.out;
  const auto& eu = doc["deployments"][0];
  EXPECT_EQ(eu["deployment"], "eu-1");
  EXPECT_TRUE(eu["error"].is_null());
  ASSERT_GE(eu["findings"].size(), 3u) << r.out;
  const auto& first = eu["findings"][0];  // ladder order: blocked first
  EXPECT_EQ(first["severity"], "blocked");
  EXPECT_EQ(first["rule"], "no-primary-key");
  EXPECT_EQ(first["table"], "logs");
  EXPECT_TRUE(first["column"].is_null());
  bool duplicate = false, money = false;
  for (const auto& f : eu["findings"]) {
    duplicate = duplicate || (f["rule"] == "duplicate-index" && f["index"] == "ia2");
    money = money ||
            (f["rule"] == "float-money" && f["column"] == "total" && f["severity"] == "advisory");
  }
  EXPECT_TRUE(duplicate && money) << r.out;
  EXPECT_TRUE(doc["deployments"][1]["findings"].empty()) << r.out;
  EXPECT_EQ(doc["counts"]["blocked"], 1);
}

TEST_F(LintCliTest, CleanSchemaExitsZeroAndSaysSo) {
  std::string cfg = Config({{"us-1", server_->Dsn(clean_)}});
  auto r = RunOrdo({"-c", cfg, "lint", "-d", "shop", "-e", "prod"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("us-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no findings"), std::string::npos) << r.out;
}

TEST_F(LintCliTest, TextListsFindingsWorstFirst) {
  std::string cfg = Config({{"eu-1", server_->Dsn(messy_)}});
  auto r = RunOrdo({"-c", cfg, "lint", "-d", "shop", "-e", "prod"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  size_t blocked = r.out.find("blocked   no-primary-key");
  size_t advisory = r.out.find("advisory  duplicate-index");
  EXPECT_NE(blocked, std::string::npos) << r.out;
  EXPECT_NE(advisory, std::string::npos) << r.out;
  EXPECT_LT(blocked, advisory) << r.out;
  EXPECT_EQ(r.out.find(server_->password() + "@"), std::string::npos) << "password printed";
}

TEST_F(LintCliTest, UnreachableDeploymentExitsThreeAndTheOthersAreStillLinted) {
  std::string cfg =
      Config({{"gone", "mysql://ordo:ordo@127.0.0.1:1/shop"}, {"us-1", server_->Dsn(clean_)}});
  auto r = RunOrdo({"-c", cfg, "lint", "-d", "shop", "-e", "prod", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["deployments"].size(), 2u);
  EXPECT_NE(doc["deployments"][0]["error"].get<std::string>().find("unreachable"),
            std::string::npos);
  EXPECT_TRUE(doc["deployments"][1]["error"].is_null());
}

TEST_F(LintCliTest, UnknownEnvironmentIsAUsageError) {
  std::string cfg = Config({{"us-1", server_->Dsn(clean_)}});
  auto r = RunOrdo({"-c", cfg, "lint", "-d", "shop", "-e", "nope"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("environments.nope"), std::string::npos) << r.err;
}

// `ordo plan` carries each deployment's findings and refuses what the lint refuses.
TEST_F(LintCliTest, PlanWithAnUnsafeChangeExitsFourUnlessAllowed) {
  // orders loses its column `a`: drop-column, unsafe.
  std::string cfg = Config({{"eu-1", server_->Dsn(messy_)}},
                           "CREATE TABLE logs (line TEXT);\n"
                           "CREATE TABLE orders (id INT PRIMARY KEY, total DOUBLE);\n");
  auto r = RunOrdo({"-c", cfg, "plan", "-d", "shop", "-e", "prod", "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("--allow-unsafe"), std::string::npos) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  bool dropped = false;
  for (const auto& f : doc["deployments"][0]["findings"])
    dropped = dropped || (f["rule"] == "drop-column" && f["table"] == "orders" &&
                          f["column"] == "a" && f["severity"] == "unsafe");
  EXPECT_TRUE(dropped) << r.out;
  auto allowed = RunOrdo({"-c", cfg, "plan", "-d", "shop", "-e", "prod", "--allow-unsafe"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("unsafe    drop-column"), std::string::npos) << allowed.out;
}

TEST_F(LintCliTest, PlanWithABlockedChangeExitsFourEvenWhenUnsafeIsAllowed) {
  // logs has no key and gains a column: no-primary-key, blocked.
  std::string cfg = Config({{"eu-1", server_->Dsn(messy_)}},
                           "CREATE TABLE logs (line TEXT, at DATETIME);\n"
                           "CREATE TABLE orders (id INT PRIMARY KEY, total DOUBLE, a INT, "
                           "KEY ia (a), KEY ia2 (a));\n");
  auto r = RunOrdo({"-c", cfg, "plan", "-d", "shop", "-e", "prod", "--allow-unsafe", "--json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_FALSE(doc["deployments"][0]["findings"].empty()) << r.out;
  EXPECT_EQ(doc["deployments"][0]["findings"][0]["rule"], "no-primary-key");
  EXPECT_EQ(doc["deployments"][0]["findings"][0]["severity"], "blocked");
}

TEST_F(LintCliTest, PlanWithASafeChangeExitsZero) {
  std::string cfg = Config({{"us-1", server_->Dsn(clean_)}},
                           "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20), "
                           "note INT);\n");
  auto r = RunOrdo({"-c", cfg, "plan", "-d", "shop", "-e", "prod", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = nlohmann::json::parse(r.out);
  const auto& findings = doc["deployments"][0]["findings"];
  ASSERT_EQ(findings.size(), 2u) << r.out;  // ladder order
  EXPECT_EQ(findings[0]["rule"], "runs-natively");
  EXPECT_EQ(findings[1]["rule"], "missing-charset");
}

}  // namespace
}  // namespace ordo
