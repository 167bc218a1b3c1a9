// The console's server side without a browser: the controls preview is the store's own
// request decision; the stream's change key ignores what moves with the clock alone;
// and a real ApiServer on a SQLite store serves the console's files without a token,
// keeps /v1/…/stream behind it, answers 404 for an unknown apply, and streams an apply's
// page document as server-sent events.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api/api_server.h"
#include "api/console/console.h"
#include "api/stream_document.h"
#include "test_servers.h"

namespace ordo {
namespace {

using nlohmann::json;

OperationRecord Op(int64_t id, OperationState state) {
  OperationRecord op;
  op.id = id;
  op.deployment = "d" + std::to_string(id);
  op.state = state;
  op.cutover_policy = "rolling";
  op.on_failure = "halt";
  return op;
}

// No other apply holds a deployment.
Result<std::optional<std::string>> NoHolder(const std::vector<std::string>&) {
  return std::optional<std::string>();
}

RequestFacts Facts(std::vector<OperationRecord> ops,
                   std::vector<ControlRequestRecord> requests = {}) {
  RequestFacts f;
  f.apply.external_id = "ap_1";
  f.apply.state = ApplyState::kRunning;
  f.operations = std::move(ops);
  f.requests = std::move(requests);
  return f;
}

TEST(ControlsDocument, EnablesExactlyWhatTheStoreWouldAccept) {
  json c = api::ControlsDocument(
      Facts({Op(1, OperationState::kRunning), Op(2, OperationState::kPending)}), NoHolder);
  EXPECT_EQ(c["stop"]["accepted"], true);
  EXPECT_EQ(c["stop"]["outcome"], "accepted");
  EXPECT_TRUE(c["stop"]["reason"].is_null());
  EXPECT_EQ(c["cancel"]["accepted"], true);
  EXPECT_EQ(c["start"]["accepted"], false);
  EXPECT_EQ(c["start"]["reason"], "nothing to start: no operation is stopped");
  EXPECT_EQ(c["revert"]["accepted"], false);
  EXPECT_EQ(c["skip-revert"]["reason"], "skip_revert applies only during a revert window");
  EXPECT_EQ(c.size(), 7u);
}

TEST(ControlsDocument, APendingRequestIsAlreadyRequestedAndASettledApplyRefusesAll) {
  ControlRequestRecord stop;
  stop.kind = RequestKind::kStop;
  stop.status = RequestStatus::kPending;
  json c = api::ControlsDocument(Facts({Op(1, OperationState::kRunning)}, {stop}), NoHolder);
  EXPECT_EQ(c["stop"]["outcome"], "already_requested");
  EXPECT_EQ(c["stop"]["accepted"], false);
  EXPECT_EQ(c["start"]["reason"], "a stop is still in progress");

  json settled = api::ControlsDocument(Facts({Op(1, OperationState::kCompleted)}), NoHolder);
  for (const auto& [verb, answer] : settled.items()) {
    EXPECT_EQ(answer["accepted"], false) << verb;
    EXPECT_EQ(answer["reason"], "apply ap_1 is completed") << verb;
  }
}

TEST(ControlsDocument, StartIsRefusedWhileAnotherApplyHoldsADeployment) {
  RequestFacts facts = Facts({Op(1, OperationState::kStopped), Op(2, OperationState::kStopped)});
  facts.apply.state = ApplyState::kStopped;
  std::vector<std::string> asked;
  auto held = [&](const std::vector<std::string>& deployments) {
    asked = deployments;
    return Result<std::optional<std::string>>(
        std::optional<std::string>("deployment d2 is held by apply ap_2 (operation running)"));
  };
  json c = api::ControlsDocument(facts, held);
  EXPECT_EQ(c["start"]["accepted"], false);
  EXPECT_EQ(c["start"]["outcome"], "refused");
  EXPECT_EQ(c["start"]["reason"], "deployment d2 is held by apply ap_2 (operation running)");
  EXPECT_EQ(asked, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(api::ControlsDocument(facts, NoHolder)["start"]["accepted"], true);
}

TEST(PageKey, IgnoresTheClockButNotWhatHappened) {
  json page = {{"apply", {{"state", "revert_window"}}},
               {"timeline",
                {{"now", "2026-12-07T10:00:00.000000Z"},
                 {"lanes",
                  {{{"state", "revert_window"},
                    {"segments",
                     {{{"kind", "revert_window"},
                       {"seconds_left", 60},
                       {"label", "revert window, 1:00 left"}}}}}}}}}};
  json later = page;
  later["timeline"]["now"] = "2026-12-07T10:00:05.000000Z";
  later["timeline"]["lanes"][0]["segments"][0]["seconds_left"] = 55;
  later["timeline"]["lanes"][0]["segments"][0]["label"] = "revert window, 0:55 left";
  EXPECT_EQ(api::PageKey(page), api::PageKey(later));
  json moved = later;
  moved["timeline"]["lanes"][0]["state"] = "completed";
  EXPECT_NE(api::PageKey(page), api::PageKey(moved));
}

TEST(ConsoleAssets, AreCompiledInWithRelativeUrlsOnly) {
  ASSERT_EQ(api::ConsoleAssets().size(), 3u);
  for (const api::ConsoleAsset& a : api::ConsoleAssets()) {
    EXPECT_TRUE(api::IsConsolePath(a.path)) << a.path;
    EXPECT_GT(a.body.size(), 500u) << a.path;
    // No absolute URL and no other host: the page works under a proxy's prefix, offline.
    EXPECT_EQ(a.body.find("http://"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.body.find("https://"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.body.find("\"/v1"), std::string_view::npos) << a.path;
    EXPECT_EQ(a.body.find("'/v1"), std::string_view::npos) << a.path;
  }
  EXPECT_FALSE(api::IsConsolePath("/v1/applies"));
  EXPECT_FALSE(api::IsConsolePath("/console.js.map"));
}

class ServedConsole : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite:" + dir_.path() + "/ordo.db", {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->Migrate().ok());
    ApiOptions options;
    options.token = "t0ken";
    api_ = std::make_unique<ApiServer>(*store_, metrics_, NullLogger(), ApiHooks{}, options);
    ASSERT_TRUE(api_->Bind(*ParseListenAddress("127.0.0.1:0")).ok());
    thread_ = std::thread([this] { (void)api_->Run(); });
  }
  void TearDown() override {
    if (api_) api_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", api_->port());
    c.set_read_timeout(10, 0);
    return c;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  MetricsRegistry metrics_;
  std::unique_ptr<ApiServer> api_;
  std::thread thread_;
};

TEST_F(ServedConsole, ServesItsFilesWithoutATokenAndKeepsTheApiBehindIt) {
  auto c = Client();
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("src=\"console.js\""), std::string::npos);
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  auto js = c.Get("/console.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto stream = c.Get("/v1/applies/ap_x/stream");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 401);
  httplib::Headers auth{{"Authorization", "Bearer t0ken"}};
  auto unknown = c.Get("/v1/applies/ap_nope/stream", auth);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
}

TEST_F(ServedConsole, StreamsTheApplyPageAsServerSentEvents) {
  NewApply a;
  a.database = "shop";
  a.environment = "prod";
  a.operations = {{"eu-1", {{"shop", "orders", "ALTER TABLE orders ADD COLUMN x INT"}}},
                  {"us-1", {{"shop", "orders", "ALTER TABLE orders ADD COLUMN x INT"}}}};
  auto created = store_->CreateApply(a);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  auto c = Client();
  std::string received;
  std::string content_type;
  auto res = c.Get(
      "/v1/applies/" + created->external_id + "/stream", {{"Authorization", "Bearer t0ken"}},
      [&](const httplib::Response& r) {
        content_type = r.get_header_value("Content-Type");
        return r.status == 200;
      },
      [&](const char* data, size_t n) {
        received.append(data, n);
        return received.find("\n\n", received.find("data: ")) == std::string::npos;  // one event
      });
  EXPECT_EQ(content_type, "text/event-stream");
  size_t data = received.find("\ndata: ");
  ASSERT_NE(received.find("event: page\n"), std::string::npos) << received;
  ASSERT_NE(data, std::string::npos) << received;
  json page = json::parse(received.substr(data + 7, received.find("\n\n", data) - data - 7));
  EXPECT_EQ(page["apply"]["id"], created->external_id);
  EXPECT_EQ(page["controls"]["stop"]["accepted"], true);  // pending deployments are active
  EXPECT_EQ(page["controls"]["revert"]["accepted"], false);
  EXPECT_EQ(page["controls"]["revert"]["reason"], "revert applies only during a revert window");
  ASSERT_EQ(page["timeline"]["lanes"].size(), 2u);
  EXPECT_EQ(page["timeline"]["lanes"][0]["deployment"], "eu-1");
  EXPECT_EQ(page["timeline"]["lanes"][1]["deployment"], "us-1");
}

TEST_F(ServedConsole, SendsAnEventOnlyWhenThePageChanged) {
  NewApply a;
  a.database = "shop";
  a.environment = "prod";
  a.operations = {{"eu-1", {{"shop", "orders", "ALTER TABLE orders ADD COLUMN x INT"}}}};
  auto created = store_->CreateApply(a);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  // Quiet for ~1.5 s (three polls: the clock moves, nothing else), then a stop is
  // recorded: the controls change, and one more event comes.
  auto count = [](const std::string& s) {
    size_t n = 0;
    for (size_t at = s.find("event: page"); at != std::string::npos;
         at = s.find("event: page", at + 1))
      ++n;
    return n;
  };
  std::string received;
  std::thread stop([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_TRUE(store_->RequestControl(created->id, RequestKind::kStop, "test").ok());
  });
  auto c = Client();
  c.Get(
      "/v1/applies/" + created->external_id + "/stream", {{"Authorization", "Bearer t0ken"}},
      [](const httplib::Response&) { return true; },
      [&](const char* data, size_t n) {
        received.append(data, n);
        return count(received) < 2;
      });
  stop.join();
  // The second event carries the stop: nothing was sent while only the clock moved (the
  // three polls before the stop).
  ASSERT_EQ(count(received), 2u) << received;
  EXPECT_NE(received.find("event: page\nid: 2\n"), std::string::npos) << received;
  size_t second = received.rfind("\ndata: ");
  json page = json::parse(received.substr(second + 7, received.find("\n\n", second) - second - 7));
  EXPECT_EQ(page["controls"]["stop"]["outcome"], "already_requested");
}

}  // namespace
}  // namespace ordo
