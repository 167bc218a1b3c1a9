// End to end: the rollout timeline of a real apply. `ordo apply` (embedded) rolls one
// ALTER out to three deployments (three databases on a private MariaDB server, rolling
// policy, a 1 s revert window so the handoffs are real waits); then
// `ordo status ID --timeline --json` has the three lanes in deployment order, each
// ending completed after a cutover that carries its write block, and two handoffs;
// `ordo status ID --timeline` draws them (printed, for the guide's example);
// `--timeline-svg FILE` writes the SVG (bad input exits 2); and `ordo serve` answers GET
// /v1/applies/ID/timeline and …/timeline.svg (image/svg+xml, behind the bearer token).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "e2e_support.h"
#include "serve_process.h"

namespace ordo::testing {
namespace {

constexpr const char* kToken = "timeline-token";
const char* const kNames[] = {"us", "eu", "ap"};

void WriteTimelineConfig(const std::string& dir, const MariaDbServer& server) {
  std::ofstream cfg(dir + "/ordo.yaml");
  cfg << "store: sqlite:ordo.db\n"
      << "worker:\n  poll_interval: 200ms\n"
      << "api:\n  token: " << kToken << "\n"
      << "databases:\n  shop:\n    environments:\n      prod:\n"
      << "        cutover_policy: rolling\n        revert_window: 1s\n        deployments:\n";
  for (const char* name : kNames)
    cfg << "          - name: " << name
        << "\n            dsn: " << server.Dsn(std::string("shop_") + name) << "\n";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TimelineEndToEnd, ThreeDeploymentRolloutDrawsThreeCompletedLanesAndTwoHandoffs) {
  ORDO_START_SERVERS_OR_SKIP(servers, 1);
  const MariaDbServer& server = *servers[0];
  for (const char* name : kNames)
    ORDO_ASSERT_OK(FillOrders(server, std::string("shop_") + name, 2000));
  TempDir dir;
  WriteTimelineConfig(dir.path(), server);

  OrdoResult applied = RunOrdo({"apply", "-d", "shop", "-e", "prod", "--ddl",
                                "ALTER TABLE orders ADD INDEX idx_note (note)", "--yes", "--json"},
                               dir.path());
  ASSERT_EQ(applied.exit_code, 0) << applied.out << "\n" << applied.err;
  json doc = json::parse(applied.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << applied.out;
  const std::string id = doc["id"];
  EXPECT_EQ(doc["state"], "completed") << doc.dump(2);
  EXPECT_TRUE(FinishedOnTargets(StatusOf(dir.path(), id)));

  OrdoResult r = RunOrdo({"status", id, "--timeline", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json timeline = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(timeline.is_object()) << r.out;
  EXPECT_EQ(timeline["apply"], id);
  EXPECT_EQ(timeline["state"], "completed");
  EXPECT_TRUE(timeline["end"].is_string()) << timeline.dump(2);
  ASSERT_EQ(timeline["lanes"].size(), 3u) << timeline.dump(2);
  int64_t previous_cutover = 0;
  for (int i = 0; i < 3; ++i) {
    const json& lane = timeline["lanes"][i];
    EXPECT_EQ(lane["deployment"], kNames[i]);
    EXPECT_EQ(lane["position"], i);
    EXPECT_EQ(lane["state"], "completed");
    ASSERT_FALSE(lane["segments"].empty());
    EXPECT_EQ(lane["segments"].back()["kind"], "completed") << lane.dump(2);
    int cutovers = 0;
    for (const json& s : lane["segments"]) {
      EXPECT_TRUE(s["end"].is_string()) << "an open segment in a settled apply: " << s.dump();
      if (s["kind"] != "cutover") continue;
      ++cutovers;
      EXPECT_TRUE(s["lock_ms"].is_number()) << s.dump();
      int64_t start = ParseRfc3339(s["start"]);
      EXPECT_GT(start, previous_cutover) << "swaps in deployment order";
      previous_cutover = start;
    }
    EXPECT_EQ(cutovers, 1) << lane.dump(2);
  }
  ASSERT_EQ(timeline["handoffs"].size(), 2u) << timeline.dump(2);
  EXPECT_EQ(timeline["handoffs"][0]["from"], "us");
  EXPECT_EQ(timeline["handoffs"][0]["to"], "eu");
  EXPECT_EQ(timeline["handoffs"][1]["from"], "eu");
  EXPECT_EQ(timeline["handoffs"][1]["to"], "ap");
  // Each handoff waited for the earlier deployment's 1 s revert window.
  for (const json& h : timeline["handoffs"]) EXPECT_GE(h["gap_ms"].get<int64_t>(), 1000) << h;

  // The terminal drawing (not a terminal here: plain, COLUMNS wide).
  OrdoResult drawn = RunOrdo({"status", id, "--timeline"}, dir.path(), {{"COLUMNS", "78"}});
  ASSERT_EQ(drawn.exit_code, 0) << drawn.err;
  std::cout << "[ figure ] ordo status " << id << " --timeline\n" << drawn.out;
  EXPECT_EQ(drawn.out.find("\x1b["), std::string::npos) << "no colour without a terminal";
  size_t us = drawn.out.find("\nus "), eu = drawn.out.find("\neu "), ap = drawn.out.find("\nap ");
  ASSERT_NE(us, std::string::npos) << drawn.out;
  EXPECT_LT(us, eu);
  EXPECT_LT(eu, ap);
  EXPECT_NE(drawn.out.find("\u2714"), std::string::npos) << drawn.out;
  EXPECT_NE(drawn.out.find("handoffs: us \u2192 eu"), std::string::npos) << drawn.out;

  const std::string svg_path = dir.path() + "/rollout.svg";
  OrdoResult wrote = RunOrdo({"status", id, "--timeline-svg", svg_path}, dir.path());
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;
  std::string svg = ReadFile(svg_path);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 200);
  EXPECT_LT(svg.find("data-deployment='us'"), svg.find("data-deployment='eu'"));
  EXPECT_LT(svg.find("data-deployment='eu'"), svg.find("data-deployment='ap'"));

  // Bad input: no apply named, an unknown one, a file that cannot be written (exit 2).
  OrdoResult unnamed = RunOrdo({"status", "--timeline"}, dir.path());
  EXPECT_EQ(unnamed.exit_code, 2) << unnamed.err;
  EXPECT_NE(unnamed.err.find("--timeline"), std::string::npos) << unnamed.err;
  EXPECT_EQ(RunOrdo({"status", "ap_nope", "--timeline"}, dir.path()).exit_code, 2);
  OrdoResult unwritable =
      RunOrdo({"status", id, "--timeline-svg", dir.path() + "/no/such/dir/t.svg"}, dir.path());
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.err;
  EXPECT_NE(unwritable.err.find("no/such/dir/t.svg"), std::string::npos) << unwritable.err;

  auto serve = ServeProcess::Start(dir.path(), {"--drivers", "0"});
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  HttpReply image = (*serve)->Get("/v1/applies/" + id + "/timeline.svg", kToken);
  EXPECT_EQ(image.status, 200) << image.body;
  EXPECT_EQ(image.headers["content-type"].rfind("image/svg+xml", 0), 0u)
      << image.headers["content-type"];
  EXPECT_NE(image.body.find("data-deployment='ap'"), std::string::npos);
  EXPECT_EQ((*serve)->Get("/api/v1/applies/" + id + "/timeline.svg", kToken).status, 200);
  EXPECT_EQ((*serve)->Get("/v1/applies/" + id + "/timeline.svg", "").status, 401);
  HttpReply api = (*serve)->Get("/v1/applies/" + id + "/timeline", kToken);
  EXPECT_EQ(api.status, 200) << api.body;
  EXPECT_EQ(api.json["lanes"].size(), 3u) << api.body;
  EXPECT_EQ(api.json["handoffs"], timeline["handoffs"]);
  EXPECT_EQ((*serve)->Get("/v1/applies/ap_nope/timeline", kToken).status, 404);

  for (const char* name : kNames)
    EXPECT_TRUE(NoOrdoObjects(server, std::string("shop_") + name)) << name;
}

}  // namespace
}  // namespace ordo::testing
