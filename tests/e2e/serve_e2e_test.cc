// `ordo serve` against real MariaDB servers: bad DDL posted to /v1/applies is refused
// (400, naming the deployment) with no apply created; an apply created with POST /v1/applies
// is driven to completion by the serve process's own drivers (rolling, two
// deployments on a private server), /metrics then shows the rows copied and the
// cutovers' lock time; and with the store on a MariaDB server that goes away, the
// API answers 503 (and /healthz says so) until it is back.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iostream>

#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "e2e_support.h"
#include "prometheus_text.h"
#include "serve_process.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "e2e-token";
constexpr int kRows = 2000;

std::unique_ptr<MariaDbServer> StartServer() {
  auto server = MariaDbServer::StartPrivate();
  if (!server.ok()) {
    std::cerr << "no private MariaDB server: " << server.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(server).value();
}

#define ORDO_PRIVATE_SERVER_OR_SKIP(var)                                         \
  std::unique_ptr<MariaDbServer> var = StartServer();                            \
  if (!var) {                                                                    \
    if (ServersRequired()) FAIL() << "MariaDB servers required but unavailable"; \
    GTEST_SKIP() << "no MariaDB server; run scripts/setup";                      \
  }

Status Fill(const MariaDbServer& server, const std::string& db) {
  ORDO_RETURN_IF_ERROR(server.Exec("CREATE DATABASE " + db));
  ORDO_RETURN_IF_ERROR(
      server.Exec("CREATE TABLE " + db +
                  ".orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40) NOT NULL)"));
  std::string insert = "INSERT INTO " + db + ".orders (note) VALUES ";
  for (int i = 1; i <= kRows; ++i)
    insert += (i > 1 ? ",('order " : "('order ") + std::to_string(i) + "')";
  return server.Exec(insert);
}

Result<int64_t> Count(const MariaDbServer& server, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server.Dsn()));
  ORDO_ASSIGN_OR_RETURN(auto conn, db::MysqlConnection::Connect(dsn, {}));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn->Query(sql));
  if (rows.rows.empty() || !rows.rows[0][0]) return Internal("no count");
  return std::stoll(*rows.rows[0][0]);
}

void WriteConfig(const std::string& path, const std::string& store,
                 const std::string& deployments) {
  std::ofstream cfg(path);
  cfg << "store: " << store << "\n"
      << "worker:\n  poll_interval: 200ms\n  drivers: 2\n"
      << "api:\n  token: " << kToken << "\n"
      << "databases:\n  shop:\n    environments:\n      prod:\n        cutover_policy: rolling\n"
      << "        deployments:\n"
      << deployments;
}

TEST(ServeEndToEnd, PostedApplyIsDrivenToCompletionByTheServersOwnWorkers) {
  ORDO_PRIVATE_SERVER_OR_SKIP(server);
  ASSERT_TRUE(Fill(*server, "shop_eu").ok());
  ASSERT_TRUE(Fill(*server, "shop_us").ok());
  TempDir dir;
  WriteConfig(dir.path() + "/ordo.yaml", "sqlite:ordo.db",
              "          - name: eu-1\n            dsn: " + server->Dsn("shop_eu") +
                  "\n          - name: us-1\n            dsn: " + server->Dsn("shop_us") + "\n");
  auto serve = ServeProcess::Start(dir.path(), {});
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();

  // Bad DDL is refused before anything is created, naming the deployment.
  HttpReply refused = (*serve)->Post("/v1/applies", kToken,
                                     json{{"database", "shop"},
                                          {"environment", "prod"},
                                          {"ddl", {"ALTER TABLE orders ADD COLUMN note INT"}}}
                                         .dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("deployment eu-1"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("Duplicate column name 'note'"), std::string::npos) << refused.body;
  EXPECT_TRUE((*serve)->Get("/v1/applies", kToken).json["applies"].empty());

  HttpReply created =
      (*serve)->Post("/v1/applies", kToken,
                     json{{"database", "shop"},
                          {"environment", "prod"},
                          // ADD INDEX is never instant: the deployments copy.
                          {"ddl",
                           {"ALTER TABLE orders ADD COLUMN extra INT NOT NULL DEFAULT 7, "
                            "ADD INDEX idx_note (note)"}}}
                         .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];

  json doc;
  bool settled = PollUntil(
      [&] {
        HttpReply r = (*serve)->Get("/v1/applies/" + id, kToken);
        if (r.status != 200) return false;
        doc = r.json;
        return FinishedOnTargets(doc);
      },
      std::chrono::minutes(3), std::chrono::milliseconds(100));
  ASSERT_TRUE(settled) << doc.dump(2) << "\n" << (*serve)->process().err();
  ASSERT_EQ(doc["state"], "completed") << doc.dump(2);
  ASSERT_EQ(doc["operations"].size(), 2u);
  for (const auto& op : doc["operations"]) {
    EXPECT_EQ(op["state"], "completed") << op.dump();
    EXPECT_EQ(op["changes"][0]["rows_copied"], kRows) << op.dump();
    EXPECT_TRUE(op["changes"][0]["cutover_lock_ms"].is_number()) << op.dump();
  }
  // Rolling: us-1 started only after eu-1 completed.
  EXPECT_GE(doc["operations"][1]["started_at"].get<std::string>(),
            doc["operations"][0]["completed_at"].get<std::string>());
  for (const char* db : {"shop_eu", "shop_us"}) {
    auto n = Count(*server, std::string("SELECT COUNT(*) FROM ") + db + ".orders WHERE extra = 7");
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, kRows) << db;
    EXPECT_TRUE(NoOrdoObjects(*server, db));
  }

  HttpReply metrics = (*serve)->Get("/metrics", kToken);
  auto samples = ParsePrometheusText(metrics.body);
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  EXPECT_GE((*samples)["ordo_rows_copied_total"], 2 * kRows);
  EXPECT_EQ((*samples)["ordo_cutover_lock_seconds_count"], 2);
  EXPECT_GE((*samples)["ordo_claims_total{kind=\"copy\",outcome=\"claimed\"}"], 2);
  EXPECT_EQ((*samples)["ordo_applies{state=\"completed\"}"], 1);
  EXPECT_EQ((*samples)["ordo_lease_losses_total"], 0);
  std::cout << "[ figure ] rows copied " << (*samples)["ordo_rows_copied_total"]
            << ", cutover lock total " << (*samples)["ordo_cutover_lock_seconds_sum"] * 1000
            << " ms over 2 cutovers\n";

  (*serve)->process().Signal(SIGTERM);
  EXPECT_EQ((*serve)->process().Wait(std::chrono::seconds(60)), 0) << (*serve)->process().err();
}

TEST(ServeEndToEnd, AnUnreachableStoreAnswers503UntilItIsBack) {
  ORDO_PRIVATE_SERVER_OR_SKIP(store_server);
  ASSERT_TRUE(store_server->Exec("CREATE DATABASE ordo_ctl").ok());
  TempDir dir;
  WriteConfig(dir.path() + "/ordo.yaml", store_server->Dsn("ordo_ctl"),
              "          - name: eu-1\n            dsn: mysql://ordo@127.0.0.1:1/shop\n");
  auto serve = ServeProcess::Start(dir.path(), {"--drivers", "0"});
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  HttpReply created = (*serve)->Post("/v1/applies", kToken,
                                     json{{"database", "shop"},
                                          {"environment", "prod"},
                                          {"ddl", {"ALTER TABLE t ADD COLUMN c INT"}}}
                                         .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  EXPECT_EQ((*serve)->Get("/v1/applies", kToken).status, 200);

  ASSERT_TRUE(store_server->Kill().ok());
  HttpReply list = (*serve)->Get("/v1/applies", kToken);
  EXPECT_EQ(list.status, 503) << list.body;
  EXPECT_EQ(list.json["error"]["code"], "unavailable") << list.body;
  EXPECT_EQ(list.headers["retry-after"], "1");
  EXPECT_EQ((*serve)->Get("/v1/applies/" + id, kToken).status, 503);
  EXPECT_EQ((*serve)->Post("/v1/applies/" + id + "/stop", kToken).status, 503);
  HttpReply health = (*serve)->Get("/healthz", "");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.json["error"]["code"], "unavailable");
  auto metrics = ParsePrometheusText((*serve)->Get("/metrics", kToken).body);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ((*metrics)["ordo_store_up"], 0);

  ASSERT_TRUE(store_server->Restart().ok());
  EXPECT_TRUE(PollUntil([&] { return (*serve)->Get("/v1/applies/" + id, kToken).status == 200; },
                        std::chrono::seconds(60), std::chrono::milliseconds(100)));
  EXPECT_EQ((*serve)->Get("/healthz", "").status, 200);

  (*serve)->process().Signal(SIGTERM);
  EXPECT_EQ((*serve)->process().Wait(std::chrono::seconds(60)), 0) << (*serve)->process().err();
}

}  // namespace
}  // namespace ordo::testing
