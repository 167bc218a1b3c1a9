// `ordo serve` without a target server: a real process on a free loopback port with
// a SQLite store in a temp dir. The token guards every route but /healthz; each
// route answers with the CLI's documents and the product's status codes; control
// requests answer accepted / already requested / refused; /metrics is Prometheus
// text whose claim counters move once a driver claims; logs are JSON lines that say
// which apply they concern and never carry a password; SIGTERM exits cleanly.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "prometheus_text.h"
#include "serve_process.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "t0ken-for-tests";
constexpr const char* kPassword = "s3cr3t-pw";

// Two deployments that point at a closed loopback port: nothing can be copied, but
// everything up to a claim works.
std::string Config(const std::string& api) {
  return "store: sqlite:ordo.db\n"
         "worker:\n  poll_interval: 100ms\n" +
         api +
         "databases:\n  shop:\n    environments:\n      prod:\n        cutover_policy: barrier\n"
         "        deployments:\n"
         "          - name: eu-1\n            dsn: mysql://ordo:" +
         kPassword +
         "@127.0.0.1:1/shop\n"
         "          - name: us-1\n            dsn: mysql://ordo:" +
         kPassword + "@127.0.0.1:1/shop\n";
}

std::string ApplyBody(const std::string& ddl = "ALTER TABLE orders ADD COLUMN note INT") {
  return json{{"database", "shop"}, {"environment", "prod"}, {"ddl", {ddl}}}.dump();
}

class Serve : public ::testing::Test {
 protected:
  void SetUp() override { Write(Config(std::string("api:\n  token: ") + kToken + "\n")); }
  void Write(const std::string& config) {
    std::ofstream out(dir_.path() + "/ordo.yaml");
    out << config;
  }
  std::unique_ptr<ServeProcess> Start(const std::vector<std::string>& args = {"--drivers", "0"},
                                      const std::vector<std::string>& global = {}) {
    auto serve = ServeProcess::Start(dir_.path(), args, global);
    EXPECT_TRUE(serve.ok()) << serve.status().ToString();
    return serve.ok() ? std::move(serve).value() : nullptr;
  }
  // Creates an apply through the API; its id.
  std::string Create(const ServeProcess& serve) {
    HttpReply r = serve.Post("/v1/applies", kToken, ApplyBody());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.is_object() ? r.json.value("id", "") : "";
  }
  static void ExpectErrorDocument(const HttpReply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.json.is_object()) << r.body;
    ASSERT_TRUE(r.json.contains("error")) << r.body;
    EXPECT_EQ(r.json["error"]["code"], code) << r.body;
    EXPECT_TRUE(r.json["error"]["message"].is_string()) << r.body;
    EXPECT_FALSE(r.json["error"]["message"].get<std::string>().empty());
  }
  OrdoResult Ordo(const std::vector<std::string>& args) { return RunOrdo(args, dir_.path()); }

  TempDir dir_;
};

TEST_F(Serve, HealthzIsOpenAndEveryOtherRouteNeedsTheToken) {
  auto serve = Start();
  ASSERT_TRUE(serve);
  HttpReply health = serve->Get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json, json({{"status", "ok"}}));

  for (const char* path : {"/v1/applies", "/metrics", "/v1/applies/ap_x", "/v1/nowhere"}) {
    HttpReply missing = serve->Get(path, "");
    ExpectErrorDocument(missing, 401, "unauthenticated");
    EXPECT_EQ(missing.headers["www-authenticate"], "Bearer") << path;
    ExpectErrorDocument(serve->Get(path, "wrong-token"), 401, "unauthenticated");
    ExpectErrorDocument(serve->Get(path, std::string(kToken) + "x"), 401, "unauthenticated");
  }
  ExpectErrorDocument(serve->Post("/v1/applies", "", ApplyBody()), 401, "unauthenticated");
  ExpectErrorDocument(serve->Post("/v1/applies", "nope", ApplyBody()), 401, "unauthenticated");
  EXPECT_EQ(serve->Get("/v1/applies", kToken).status, 200);
  // Nothing was created by the refused POSTs.
  EXPECT_EQ(serve->Get("/v1/applies", kToken).json["applies"].size(), 0u);
}

TEST_F(Serve, AppliesRoutesAnswerWithTheCliDocuments) {
  auto serve = Start();
  ASSERT_TRUE(serve);
  HttpReply created = serve->Post("/v1/applies", kToken, ApplyBody());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  EXPECT_EQ(id.rfind("ap_", 0), 0u);
  EXPECT_EQ(created.headers["location"], "/v1/applies/" + id);
  EXPECT_EQ(created.headers["content-type"], "application/json");
  EXPECT_EQ(created.json["state"], "pending");
  EXPECT_EQ(created.json["cutover_policy"], "barrier");
  EXPECT_EQ(created.json["options"]["defer_cutover"], false);
  EXPECT_EQ(created.json["created_by"], "api (127.0.0.1)");
  ASSERT_EQ(created.json["operations"].size(), 2u);
  EXPECT_EQ(created.json["operations"][0]["deployment"], "eu-1");
  EXPECT_EQ(created.json["operations"][0]["changes"][0]["table"], "orders");

  // The same documents as the CLI's, byte for byte once parsed (nothing drives it).
  HttpReply one = serve->Get("/v1/applies/" + id, kToken);
  ASSERT_EQ(one.status, 200);
  OrdoResult status = Ordo({"status", id, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(one.json, json::parse(status.out));
  EXPECT_EQ(one.json, created.json);

  HttpReply list = serve->Get("/v1/applies", kToken);
  ASSERT_EQ(list.status, 200);
  OrdoResult listed = Ordo({"status", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(list.json, json::parse(listed.out));
  ASSERT_EQ(list.json["applies"].size(), 1u);
  EXPECT_EQ(list.json["applies"][0]["id"], id);

  HttpReply events = serve->Get("/v1/applies/" + id + "/events", kToken);
  ASSERT_EQ(events.status, 200);
  OrdoResult logs = Ordo({"logs", id, "--json"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(events.json, json::parse(logs.out));
  ASSERT_FALSE(events.json["events"].empty());
  EXPECT_EQ(events.json["events"][0]["kind"], "created");

  EXPECT_EQ(serve->Get("/v1/applies?limit=1", kToken).json["applies"].size(), 1u);
  ExpectErrorDocument(serve->Get("/v1/applies?limit=abc", kToken), 400, "invalid_argument");
  ExpectErrorDocument(serve->Get("/v1/applies?limit=0", kToken), 400, "invalid_argument");
  ExpectErrorDocument(serve->Get("/v1/applies/ap_doesnotexist", kToken), 404, "not_found");
  ExpectErrorDocument(serve->Get("/v1/applies/ap_doesnotexist/events", kToken), 404, "not_found");
  ExpectErrorDocument(serve->Get("/v1/nowhere", kToken), 404, "not_found");
}

TEST_F(Serve, CreatingAnApplyValidatesLikeTheCli) {
  auto serve = Start();
  ASSERT_TRUE(serve);
  ExpectErrorDocument(serve->Post("/v1/applies", kToken, "{not json"), 400, "invalid_argument");
  ExpectErrorDocument(serve->Post("/v1/applies", kToken, R"({"database":"shop"})"), 400,
                      "invalid_argument");

  HttpReply unknown = serve->Post(
      "/v1/applies", kToken,
      json{{"database", "shop"}, {"environment", "staging"}, {"ddl", {"ALTER TABLE t ADD c INT"}}}
          .dump());
  ExpectErrorDocument(unknown, 400, "invalid_argument");
  EXPECT_NE(unknown.json["error"]["message"].get<std::string>().find(
                "databases.shop.environments.staging: not configured"),
            std::string::npos)
      << unknown.body;

  HttpReply bad_ddl = serve->Post("/v1/applies", kToken, ApplyBody("DROP TABLE orders"));
  ExpectErrorDocument(bad_ddl, 400, "invalid_argument");
  EXPECT_EQ(bad_ddl.json["error"]["message"].get<std::string>().rfind("ddl #1: ", 0), 0u)
      << bad_ddl.body;

  HttpReply empty = serve->Post(
      "/v1/applies", kToken,
      json{{"database", "shop"}, {"environment", "prod"}, {"ddl", json::array()}}.dump());
  ExpectErrorDocument(empty, 400, "invalid_argument");

  // One active apply per deployment: the second is refused naming the first.
  std::string first = Create(*serve);
  HttpReply second = serve->Post("/v1/applies", kToken, ApplyBody());
  ExpectErrorDocument(second, 409, "conflict");
  EXPECT_NE(second.json["error"]["message"].get<std::string>().find(first), std::string::npos)
      << second.body;

  // A plan needs its database and environment (the plans themselves: tests/plan).
  ExpectErrorDocument(serve->Post("/v1/plans", kToken, "{}"), 400, "invalid_argument");
  ExpectErrorDocument(serve->PostWithoutLength("/v1/plans", kToken), 400, "invalid_argument");
  EXPECT_EQ(serve->Get("/v1/applies", kToken).json["applies"].size(), 1u);
}

TEST_F(Serve, ControlRequestsAnswerAcceptedAlreadyRequestedOrRefused) {
  auto serve = Start();
  ASSERT_TRUE(serve);
  std::string id = Create(*serve);
  ASSERT_FALSE(id.empty());

  // As `curl -X POST …/stop` sends it: no body, no Content-Length.
  HttpReply stop = serve->PostWithoutLength("/v1/applies/" + id + "/stop", kToken);
  EXPECT_EQ(stop.status, 202) << stop.body;
  EXPECT_EQ(
      stop.json,
      json({{"apply", id}, {"request", "stop"}, {"outcome", "accepted"}, {"reason", nullptr}}));

  HttpReply again = serve->Post("/v1/applies/" + id + "/stop", kToken);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["outcome"], "already_requested");

  HttpReply revert = serve->Post("/v1/applies/" + id + "/revert", kToken);
  ExpectErrorDocument(revert, 409, "refused");
  EXPECT_EQ(revert.json["outcome"], "refused");
  EXPECT_EQ(revert.json["request"], "revert");
  EXPECT_TRUE(revert.json["reason"].is_string());

  HttpReply start = serve->Post("/v1/applies/" + id + "/start", kToken);
  ExpectErrorDocument(start, 409, "refused");  // a stop is pending

  HttpReply skip = serve->Post("/v1/applies/" + id + "/skip-revert", kToken);
  ExpectErrorDocument(skip, 409, "refused");  // nothing is in its revert window
  EXPECT_EQ(skip.json["request"], "skip_revert");

  EXPECT_EQ(serve->Post("/v1/applies/" + id + "/cutover", kToken).status, 202);
  EXPECT_EQ(serve->Post("/v1/applies/" + id + "/release", kToken).status, 202);
  EXPECT_EQ(serve->Post("/v1/applies/" + id + "/cancel", kToken).status, 202);

  ExpectErrorDocument(serve->Post("/v1/applies/ap_doesnotexist/stop", kToken), 404, "not_found");
  ExpectErrorDocument(serve->Post("/v1/applies/" + id + "/explode", kToken), 404, "not_found");
  ExpectErrorDocument(serve->Get("/v1/applies/" + id + "/stop", kToken), 404, "not_found");

  // Recorded like the CLI's, naming who asked.
  OrdoResult logs = Ordo({"logs", id, "--json"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  bool by_api = false;
  json doc = json::parse(logs.out);
  for (const auto& e : doc["events"])
    by_api |= e["kind"] == "control_request" &&
              e["message"].get<std::string>().find("stop requested by api (127.0.0.1)") !=
                  std::string::npos;
  EXPECT_TRUE(by_api) << logs.out;
}

TEST_F(Serve, MetricsParseAsPrometheusTextAndClaimCountersMove) {
  auto serve = Start({"--drivers", "1"});
  ASSERT_TRUE(serve);
  HttpReply before = serve->Get("/metrics", kToken);
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
  auto first = ParsePrometheusText(before.body);
  ASSERT_TRUE(first.ok()) << first.status().ToString() << "\n" << before.body;
  const std::string claimed = "ordo_claims_total{kind=\"copy\",outcome=\"claimed\"}";
  ASSERT_TRUE(first->count(claimed)) << before.body;
  EXPECT_EQ(first->at(claimed), 0);
  for (const char* key : {"ordo_store_up", "ordo_lease_losses_total", "ordo_rows_copied_total",
                          "ordo_cutover_lock_seconds_count", "ordo_applies{state=\"pending\"}",
                          "ordo_claim_duration_seconds_count{kind=\"copy\"}"})
    EXPECT_TRUE(first->count(key)) << key << "\n" << before.body;
  EXPECT_EQ(first->at("ordo_store_up"), 1);

  std::string id = Create(*serve);
  ASSERT_FALSE(id.empty());
  std::map<std::string, double> after;
  bool moved = PollUntil(
      [&] {
        auto parsed = ParsePrometheusText(serve->Get("/metrics", kToken).body);
        if (!parsed.ok()) return false;
        after = *parsed;
        return after[claimed] >= 1;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
  ASSERT_TRUE(moved) << "no copy claim counted";
  EXPECT_GT(after["ordo_claim_duration_seconds_count{kind=\"copy\"}"], 1);
  double applies = 0;
  for (const auto& [key, value] : after)
    if (key.rfind("ordo_applies{", 0) == 0) applies += value;
  EXPECT_EQ(applies, 1);
  EXPECT_GE(after["ordo_http_requests_total{method=\"POST\",code=\"201\"}"], 1);
}

TEST_F(Serve, LogsAreJsonLinesNamingTheApplyWithoutPasswordsAndSigtermExitsCleanly) {
  auto serve = Start({"--drivers", "2"}, {"--log-format", "json", "--log-level", "debug"});
  ASSERT_TRUE(serve);
  std::string id = Create(*serve);
  ASSERT_FALSE(id.empty());
  // A driver claims the apply and reports the unreachable deployment.
  ASSERT_TRUE(PollUntil([&] { return serve->process().err().find("eu-1") != std::string::npos; },
                        std::chrono::seconds(30)))
      << serve->process().err();

  serve->process().Signal(SIGTERM);
  EXPECT_EQ(serve->process().Wait(std::chrono::seconds(60)), 0) << serve->process().err();
  std::string err = serve->process().err();
  EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
  std::istringstream lines(err);
  std::string line;
  int parsed = 0;
  bool names_apply = false, stopped = false;
  while (std::getline(lines, line)) {
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON line: " << line;
    EXPECT_TRUE(j["ts"].is_string() && j["level"].is_string() && j["msg"].is_string()) << line;
    ++parsed;
    names_apply |= j.value("apply", "") == id;
    stopped |= j["msg"] == "serve stopped";
  }
  EXPECT_GT(parsed, 3);
  EXPECT_TRUE(names_apply) << err;
  EXPECT_TRUE(stopped) << err;
}

TEST_F(Serve, WithoutATokenItServesLoopbackOnlyAndTheEnvironmentTokenWins) {
  Write(Config(""));
  OrdoResult refused = Ordo({"serve", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("ORDO_API_TOKEN"), std::string::npos) << refused.err;

  {
    auto open = Start();
    ASSERT_TRUE(open);
    EXPECT_EQ(open->Get("/v1/applies", "").status, 200);  // loopback without a token: open
    open->process().Signal(SIGTERM);
    EXPECT_EQ(open->process().Wait(std::chrono::seconds(30)), 0);
  }

  Write(Config("api:\n  token: from-config\n"));
  setenv("ORDO_API_TOKEN", "from-env", 1);
  auto serve = Start();
  unsetenv("ORDO_API_TOKEN");
  ASSERT_TRUE(serve);
  EXPECT_EQ(serve->Get("/v1/applies", "from-env").status, 200);
  EXPECT_EQ(serve->Get("/v1/applies", "from-config").status, 401);
}

TEST_F(Serve, BadListenAddressesAndBusyPortsExitTwo) {
  OrdoResult bad = Ordo({"serve", "--listen", "nonsense"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--listen"), std::string::npos) << bad.err;

  auto serve = Start();
  ASSERT_TRUE(serve);
  OrdoResult busy =
      Ordo({"serve", "--drivers", "0", "--listen", "127.0.0.1:" + std::to_string(serve->port())});
  EXPECT_EQ(busy.exit_code, 2) << busy.err;
  EXPECT_NE(busy.err.find("cannot listen"), std::string::npos) << busy.err;
}

}  // namespace
}  // namespace ordo::testing
