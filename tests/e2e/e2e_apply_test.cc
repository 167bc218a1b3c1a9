// End to end: a real `ordo apply` in embedded mode (SQLite store, in-process worker,
// the real engine) rolls one ALTER out to three private MariaDB servers under the
// barrier policy; `ordo status --json` then shows every deployment completed, cut over
// strictly in order, with the copied rows and the measured write-block time; and the
// new column is on every server.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "ordo_process.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

using nlohmann::json;

constexpr int kRows = 3000;

std::unique_ptr<MariaDbServer> StartServer() {
  auto server = MariaDbServer::StartPrivate();
  if (!server.ok()) return nullptr;
  return std::move(server).value();
}

Status ExecOn(const MariaDbServer& server, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(server.Dsn("shop")));
  ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn, {}));
  return conn->Execute(sql);
}

Result<int64_t> CountWhere(const MariaDbServer& server, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(server.Dsn("shop")));
  ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn, {}));
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn->Query(sql));
  if (rows.rows.empty() || !rows.rows[0][0]) return Internal("no count");
  return std::stoll(*rows.rows[0][0]);
}

TEST(EndToEnd, EmbeddedApplyRollsOutToThreeServersInOrderUnderBarrier) {
  std::vector<std::unique_ptr<MariaDbServer>> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(StartServer());
    if (!servers.back()) {
      if (ServersRequired()) FAIL() << "MariaDB servers required but unavailable";
      GTEST_SKIP() << "no MariaDB server; run scripts/setup";
    }
  }
  for (auto& s : servers) {
    ASSERT_TRUE(s->Exec("CREATE DATABASE shop").ok());
    ASSERT_TRUE(s->Exec("CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40) NOT NULL)").ok());
    std::string insert = "INSERT INTO shop.orders (note) VALUES ";
    for (int i = 1; i <= kRows; ++i) insert += (i > 1 ? ",('order " : "('order ") + std::to_string(i) + "')";
    Status filled = ExecOn(*s, insert);
    ASSERT_TRUE(filled.ok()) << filled.ToString();
  }
  TempDir dir;
  {
    std::ofstream cfg(dir.path() + "/ordo.yaml");
    cfg << "store: sqlite:ordo.db\n"
           "worker:\n  poll_interval: 200ms\n"
           "databases:\n  shop:\n    environments:\n      prod:\n"
           "        cutover_policy: barrier\n        revert_window: 1s\n        deployments:\n";
    const char* names[] = {"eu-1", "us-1", "ap-1"};
    for (int i = 0; i < 3; ++i)
      cfg << "          - name: " << names[i] << "\n            dsn: " << servers[i]->Dsn("shop") << "\n";
  }

  OrdoResult r = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl",
                          "ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7", "--yes", "--json"},
                         dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  json applied = json::parse(r.out);
  std::string id = applied["id"];

  r = RunOrdo({"status", id, "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["state"], "completed");
  EXPECT_EQ(doc["cutover_policy"], "barrier");
  EXPECT_TRUE(doc["error"].is_null());
  ASSERT_EQ(doc["operations"].size(), 3u);
  std::string previous_completed;
  for (const auto& op : doc["operations"]) {
    EXPECT_EQ(op["state"], "completed") << op.dump();
    ASSERT_TRUE(op["cutover_started_at"].is_string()) << op.dump();
    ASSERT_TRUE(op["cutover_completed_at"].is_string()) << op.dump();
    // Strictly in order: a cutover starts only after the previous deployment
    // completed (its revert window included). RFC 3339 UTC strings sort as times.
    if (!previous_completed.empty()) {
      EXPECT_GE(op["cutover_started_at"].get<std::string>(), previous_completed);
    }
    previous_completed = op["completed_at"];
    const json& change = op["changes"][0];
    EXPECT_EQ(change["table"], "orders");
    EXPECT_EQ(change["state"], "completed");
    EXPECT_EQ(change["rows_copied"], kRows);
    EXPECT_EQ(change["percent"], 100);
    ASSERT_TRUE(change["cutover_lock_ms"].is_number()) << change.dump();
    std::cout << "[ figure ] " << op["deployment"].get<std::string>() << ": " << change["rows_copied"]
              << " rows copied, cut over at " << op["cutover_completed_at"].get<std::string>()
              << ", writes blocked " << change["cutover_lock_ms"] << " ms\n";
  }
  for (auto& s : servers) {
    auto n = CountWhere(*s, "SELECT COUNT(*) FROM shop.orders WHERE extra = 7");
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, kRows);
  }

  r = RunOrdo({"logs", id, "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json events = json::parse(r.out);
  int cutovers = 0;
  for (const auto& e : events["events"]) cutovers += e["kind"] == "cutover";
  EXPECT_EQ(cutovers, 3);
}

}  // namespace
}  // namespace ordo::testing
