// The `ordo` binary's surface without a target server: argument and config errors
// name what is wrong and exit 2, an unreachable store or target exits 3, passwords
// never show, control requests answer accepted / already requested / refused, the
// JSON documents parse, and a worker exits cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ordo_process.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

using nlohmann::json;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// A config whose single deployment points at a closed loopback port.
std::string Config(const std::string& extra_env = "") {
  return R"(store: sqlite:ordo.db
worker:
  poll_interval: 100ms
databases:
  shop:
    environments:
      prod:
        cutover_policy: barrier
)" + extra_env +
         R"(        deployments:
          - name: eu-1
            dsn: mysql://ordo:s3cr3t-pw@127.0.0.1:1/shop
          - name: us-1
            dsn: mysql://ordo:s3cr3t-pw@127.0.0.1:1/shop
)";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { WriteFile(dir_.path() + "/ordo.yaml", Config()); }
  OrdoResult Ordo(std::vector<std::string> args) { return RunOrdo(args, dir_.path()); }
  // An apply created with --detach (nothing drives it).
  std::string Detached() {
    OrdoResult r = Ordo({"apply", "-d", "shop", "-e", "prod", "--ddl",
                         "ALTER TABLE t ADD COLUMN c INT", "--yes", "--detach", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json doc = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << r.out;
    return doc.is_object() ? doc.value("id", "") : "";
  }
  TempDir dir_;
};

TEST_F(Cli, VersionPrintsTheVersion) {
  OrdoResult r = Ordo({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("ordo ", 0), 0u) << r.out;
}

TEST_F(Cli, BareOrdoHelpAndVersionFlagAnswer) {
  OrdoResult r = Ordo({});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: ordo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("apply"), std::string::npos) << r.out;
  r = Ordo({"help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: ordo [OPTIONS] [SUBCOMMAND]"), std::string::npos) << r.out;
  r = Ordo({"help", "apply"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--ddl"), std::string::npos) << r.out;
  EXPECT_EQ(Ordo({"help", "bogus"}).exit_code, 2);
  r = Ordo({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ordo ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("(commit "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", built 20"), std::string::npos) << r.out;
}

TEST_F(Cli, CountsBelowOneAreRefused) {
  for (const char* limit : {"0", "-1"}) {
    OrdoResult r = Ordo({"status", "--limit", limit});
    EXPECT_EQ(r.exit_code, 2) << limit;
    EXPECT_NE(r.err.find("--limit"), std::string::npos) << r.err;
  }
  OrdoResult r = Ordo({"worker", "--drivers", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--drivers"), std::string::npos) << r.err;
}

// From another working directory, -c after the command: the config's relative
// `sqlite:ordo.db` is the one beside the config file, and none is made in the cwd.
TEST_F(Cli, ARelativeStorePathIsRelativeToTheConfigFile) {
  std::string id = Detached();
  TempDir elsewhere;
  OrdoResult r = RunOrdo({"status", "--json", "-c", dir_.path() + "/ordo.yaml"}, elsewhere.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["applies"][0]["id"], id);
  EXPECT_FALSE(std::filesystem::exists(elsewhere.path() + "/ordo.db"));
}

TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(Ordo({"bogus"}).exit_code, 2);
  EXPECT_EQ(Ordo({"status", "--bogus"}).exit_code, 2);
  EXPECT_EQ(Ordo({"apply", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT", "--yes"}).exit_code,
            2);
  OrdoResult r = Ordo({"--log-format", "xml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--log-format"), std::string::npos) << r.err;
}

TEST_F(Cli, MissingConfigNamesTheFileAndExitsTwo) {
  OrdoResult r = Ordo({"-c", "nope.yaml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.yaml"), std::string::npos) << r.err;
}

TEST_F(Cli, InvalidConfigNamesFileKeyAndExpectationAndExitsTwo) {
  WriteFile(dir_.path() + "/bad.yaml", Config("        on_failure: sometimes\n"));
  OrdoResult r = Ordo({"-c", "bad.yaml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("databases.shop.environments.prod.on_failure"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("halt"), std::string::npos) << r.err;

  WriteFile(dir_.path() + "/typo.yaml", "stor: sqlite:x.db\n");
  r = Ordo({"-c", "typo.yaml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stor"), std::string::npos) << r.err;
}

// A config with one environment whose deployments are `deployments_yaml`.
std::string ConfigWithDeployments(const std::string& deployments_yaml,
                                  const std::string& worker_yaml = "") {
  return "store: sqlite:ordo.db\n" + worker_yaml +
         "databases:\n  shop:\n    environments:\n      prod:\n        deployments:" +
         deployments_yaml;
}

TEST_F(Cli, DuplicateOrEmptyDeploymentsAreConfigErrorsForEveryCommand) {
  WriteFile(dir_.path() + "/dup.yaml", ConfigWithDeployments(R"(
          - name: eu-1
            dsn: mysql://ordo@127.0.0.1:1/shop
          - name: eu-1
            dsn: mysql://ordo@127.0.0.1:2/shop
)"));
  WriteFile(dir_.path() + "/empty.yaml", ConfigWithDeployments(" []\n"));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"status"},
           {"worker"},
           {"apply", "-d", "shop", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT", "--yes"}}) {
    std::vector<std::string> dup = {"-c", "dup.yaml"}, empty = {"-c", "empty.yaml"};
    dup.insert(dup.end(), args.begin(), args.end());
    empty.insert(empty.end(), args.begin(), args.end());
    OrdoResult r = Ordo(dup);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("dup.yaml"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("databases.shop.environments.prod.deployments[1].name"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("duplicate"), std::string::npos) << r.err;
    r = Ordo(empty);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("databases.shop.environments.prod.deployments"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("non-empty"), std::string::npos) << r.err;
  }
}

TEST_F(Cli, MalformedValuesNameTheirKeyAndExitTwo) {
  struct Case {
    std::string yaml;
    std::string key;
  };
  const std::string one =
      "\n          - name: eu-1\n            dsn: mysql://ordo@127.0.0.1:1/shop\n";
  for (const Case& c :
       {Case{ConfigWithDeployments(one, "worker:\n  poll_interval: soon\n"),
             "worker.poll_interval"},
        Case{ConfigWithDeployments(one, "worker:\n  drivers: 0\n"), "worker.drivers"},
        Case{ConfigWithDeployments(one, "worker:\n  lease_staleness: 10ms\n"),
             "worker.lease_staleness"},
        Case{
            ConfigWithDeployments("\n          - name: eu-1\n            dsn: postgres://h/shop\n"),
            "databases.shop.environments.prod.deployments[0].dsn"},
        Case{ConfigWithDeployments("\n          - name: eu-1\n"),
             "databases.shop.environments.prod.deployments[0].dsn"},
        Case{ConfigWithDeployments(one) + "        revert_window: a while\n",
             "databases.shop.environments.prod.revert_window"}}) {
    WriteFile(dir_.path() + "/m.yaml", c.yaml);
    OrdoResult r = Ordo({"-c", "m.yaml", "status"});
    EXPECT_EQ(r.exit_code, 2) << c.key << ": " << r.err;
    EXPECT_NE(r.err.find("m.yaml"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.key), std::string::npos) << c.key << ": " << r.err;
  }
}

TEST_F(Cli, UnsetVariableInConfigIsAConfigError) {
  WriteFile(dir_.path() + "/var.yaml", "store: sqlite:${ORDO_TEST_UNSET_VARIABLE}.db\n");
  OrdoResult r = Ordo({"-c", "var.yaml", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ORDO_TEST_UNSET_VARIABLE"), std::string::npos) << r.err;
}

TEST_F(Cli, ApplyRefusesBadDdlNamingTheStatement) {
  OrdoResult r = Ordo({"apply", "-d", "shop", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT",
                       "--ddl", "DROP TABLE t", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--ddl #2"), std::string::npos) << r.err;
  r = Ordo({"apply", "-d", "shop", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT", "--ddl",
            "ALTER TABLE t ADD d INT", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("changed twice"), std::string::npos) << r.err;
  r = Ordo({"apply", "-d", "shop", "-e", "prod", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(Cli, ApplyToAnUnknownEnvironmentExitsTwo) {
  OrdoResult r =
      Ordo({"apply", "-d", "shop", "-e", "staging", "--ddl", "ALTER TABLE t ADD c INT", "--yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("databases.shop.environments.staging"), std::string::npos) << r.err;
}

TEST_F(Cli, ApplyWithoutATerminalNeedsYes) {
  OrdoResult r = Ordo({"apply", "-d", "shop", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
}

TEST_F(Cli, EmbeddedApplyToAnUnreachableTargetExitsThreeWithoutItsPassword) {
  OrdoResult r =
      Ordo({"apply", "-d", "shop", "-e", "prod", "--ddl", "ALTER TABLE t ADD c INT", "--yes"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("eu-1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("s3cr3t-pw"), std::string::npos) << r.out;
}

TEST_F(Cli, AReadCommandNeverCreatesAStore) {
  std::string typo = dir_.path() + "/typo.db";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"status"}, {"logs", "ap_x"}, {"cancel", "ap_x"}}) {
    args.insert(args.begin(), {"--store", "sqlite:" + typo});
    OrdoResult r = Ordo(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("does not exist (nothing was created)"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[2];
  }
}

// A request that would drive the apply here, run with --store and no config, is
// refused before anything is recorded (not recorded and then failed).
TEST_F(Cli, ADrivingRequestWithoutAConfigRecordsNothing) {
  std::string id = Detached();
  TempDir elsewhere;
  std::string store = "sqlite:" + dir_.path() + "/ordo.db";
  OrdoResult r = RunOrdo({"--store", store, "cancel", id}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("needs its config"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--detach"), std::string::npos) << r.err;
  r = RunOrdo({"--store", store, "cancel", id, "--detach"}, elsewhere.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted"), std::string::npos)
      << "the first cancel recorded nothing: " << r.out;
}

TEST_F(Cli, UnreachableStoreExitsThree) {
  OrdoResult r = Ordo({"--store", "sqlite:/nonexistent/dir/ordo.db", "apply", "-d", "shop", "-e",
                       "prod", "--ddl", "ALTER TABLE t ADD c INT", "--yes", "--detach"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  r = Ordo({"--store", "mysql://ordo:pw-of-store@127.0.0.1:1/ordo", "status"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err.find("pw-of-store"), std::string::npos) << r.err;
}

TEST_F(Cli, StatusListsAppliesAsJson) {
  std::string id = Detached();
  OrdoResult r = Ordo({"status", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["applies"].size(), 1u);
  EXPECT_EQ(doc["applies"][0]["id"], id);
}

TEST_F(Cli, StatusOfOneApplyIsTheContractDocument) {
  std::string id = Detached();
  OrdoResult r = Ordo({"status", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["id"], id);
  EXPECT_EQ(doc["database"], "shop");
  EXPECT_EQ(doc["environment"], "prod");
  EXPECT_EQ(doc["state"], "pending");
  EXPECT_EQ(doc["cutover_policy"], "barrier");
  EXPECT_EQ(doc["on_failure"], "halt");
  EXPECT_EQ(doc["options"]["defer_cutover"], false);
  EXPECT_TRUE(doc["completed_at"].is_null());
  ASSERT_EQ(doc["operations"].size(), 2u);
  EXPECT_EQ(doc["operations"][0]["deployment"], "eu-1");
  EXPECT_EQ(doc["operations"][1]["deployment"], "us-1");
  const json& change = doc["operations"][0]["changes"][0];
  EXPECT_EQ(change["table"], "t");
  EXPECT_EQ(change["ddl"], "ALTER TABLE t ADD COLUMN c INT");
  for (const char* key : {"state", "rows_copied", "rows_total", "percent", "eta_seconds", "instant",
                          "cutover_lock_ms"})
    EXPECT_TRUE(change.contains(key)) << key;
}

TEST_F(Cli, UnknownApplyExitsTwo) {
  EXPECT_EQ(Ordo({"status", "ap_nope"}).exit_code, 2);
  EXPECT_EQ(Ordo({"logs", "ap_nope"}).exit_code, 2);
  EXPECT_EQ(Ordo({"stop", "ap_nope"}).exit_code, 2);
}

TEST_F(Cli, ControlRequestsAnswerAcceptedAlreadyRequestedOrRefused) {
  std::string id = Detached();
  OrdoResult r = Ordo({"stop", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted"), std::string::npos) << r.out;
  r = Ordo({"stop", id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already requested"), std::string::npos) << r.out;
  r = Ordo({"revert", id, "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["outcome"], "refused");
  EXPECT_EQ(doc["request"], "revert");
  EXPECT_FALSE(doc["reason"].get<std::string>().empty());
  r = Ordo({"skip-revert", id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("refused: "), std::string::npos) << r.out;
}

TEST_F(Cli, LogsListTheEventsOldestFirstAsJson) {
  std::string id = Detached();
  ASSERT_EQ(Ordo({"stop", id}).exit_code, 0);
  OrdoResult r = Ordo({"logs", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  ASSERT_GE(doc["events"].size(), 2u);
  EXPECT_EQ(doc["events"][0]["kind"], "created");
  EXPECT_TRUE(doc["events"][0]["operation"].is_null());
  bool stop_seen = false;
  for (const auto& e : doc["events"]) stop_seen = stop_seen || e["kind"] == "control_request";
  EXPECT_TRUE(stop_seen) << r.out;
}

TEST_F(Cli, WorkerExitsCleanlyOnSigterm) {
  OrdoProcess worker({"--log-format", "json", "worker", "--drivers", "2", "--poll", "50ms"},
                     dir_.path());
  ASSERT_TRUE(PollUntil([&] { return worker.err().find("worker started") != std::string::npos; },
                        std::chrono::seconds(20)))
      << worker.err();
  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(std::chrono::seconds(20)), 0) << worker.err();
  // Structured logs: one JSON object per line.
  std::string err = worker.err();
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    std::string line = err.substr(start, end - start);
    if (!line.empty()) {
      EXPECT_TRUE(json::parse(line, nullptr, false).is_object()) << line;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

TEST_F(Cli, WorkerRejectsABadPollDuration) {
  OrdoResult r = Ordo({"worker", "--poll", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--poll"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ordo::testing
