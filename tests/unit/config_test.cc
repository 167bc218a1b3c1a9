#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "config/duration.h"

namespace ordo {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr const char* kValid = R"(
store: mysql://ordo:${STORE_PW}@127.0.0.1:3306/ordo
worker:
  drivers: 2
  poll_interval: 250ms
  lease_staleness: 30s
databases:
  shop:
    schema_dir: schema/shop
    environments:
      production:
        cutover_policy: barrier
        on_failure: continue
        revert_window: 10m
        deployments:
          - name: eu-1
            dsn: mysql://ordo:${EU_PW}@10.0.0.1:3306/shop
          - name: us-1
            dsn: mysql://ordo@10.0.1.1:3306/shop
)";

TEST(Config, ParsesEveryKeyAndExpandsVariables) {
  auto cfg = ParseConfig(kValid, "ordo.yaml", FakeEnv({{"STORE_PW", "s3"}, {"EU_PW", "e1"}}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->store, "mysql://ordo:s3@127.0.0.1:3306/ordo");
  EXPECT_EQ(cfg->worker.drivers, 2);
  EXPECT_EQ(cfg->worker.poll_interval_micros, 250'000);
  EXPECT_EQ(cfg->worker.lease_staleness_micros, 30'000'000);
  const EnvironmentConfig* env = cfg->FindEnvironment("shop", "production");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->cutover_policy, "barrier");
  EXPECT_EQ(env->on_failure, "continue");
  EXPECT_EQ(env->revert_window_micros, 600'000'000);
  ASSERT_EQ(env->deployments.size(), 2u);
  EXPECT_EQ(env->deployments[0].name, "eu-1");
  EXPECT_EQ(env->deployments[0].dsn, "mysql://ordo:e1@10.0.0.1:3306/shop");
  EXPECT_EQ(cfg->FindEnvironment("shop", "staging"), nullptr);
}

TEST(Config, DefaultsWhenEmpty) {
  auto cfg = ParseConfig("", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->store, "sqlite:ordo.db");
  EXPECT_EQ(cfg->worker.drivers, 4);
  EXPECT_EQ(cfg->worker.lease_staleness_micros, 60'000'000);
}

void ExpectError(const std::string& yaml, const std::string& expected_fragment,
                 std::map<std::string, std::string> vars = {}) {
  auto cfg = ParseConfig(yaml, "ordo.yaml", FakeEnv(vars));
  ASSERT_FALSE(cfg.ok()) << yaml;
  EXPECT_EQ(cfg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cfg.status().message().find(expected_fragment), std::string::npos)
      << cfg.status().message();
}

TEST(Config, ErrorsNameFileKeyPathAndExpectation) {
  ExpectError("stroe: sqlite:x.db", "ordo.yaml: stroe: unknown key");
  ExpectError(
      "databases: {shop: {environments: {prod: {cutover_policy: bogus, deployments: "
      "[{name: a, dsn: 'mysql://h/x'}]}}}}",
      "databases.shop.environments.prod.cutover_policy: expected one of rolling, "
      "barrier, parallel; got \"bogus\"");
  ExpectError(
      "databases: {shop: {environments: {prod: {on_failure: stop, deployments: "
      "[{name: a, dsn: 'mysql://h/x'}]}}}}",
      "databases.shop.environments.prod.on_failure");
  ExpectError("worker: {drivers: 0}", "worker.drivers: expected an integer from 1 to 256");
  ExpectError("worker: {poll_interval: 5}", "worker.poll_interval: expected a duration");
  ExpectError("store: redis://h/x", "store: expected a URL with scheme");
}

TEST(Config, EveryStoreSchemeIsAccepted) {
  for (const std::string url :
       {"sqlite:/var/lib/ordo/ordo.db", "mysql://u:p@h:3306/ordo",
        "postgres://u:p@h:5432/ordo?schema=ordo", "postgresql://u@h/ordo"}) {
    auto config = ParseConfig("store: '" + url + "'", "ordo.yaml", FakeEnv({}));
    ASSERT_TRUE(config.ok()) << url << ": " << config.status().ToString();
    EXPECT_EQ(config->store, url);
  }
}

// `ordo -c /srv/ordo.yaml status` from any directory opens /srv's store.
TEST(Config, ARelativeSqliteStoreIsRelativeToTheConfigFile) {
  const std::string dir = (std::filesystem::path(::testing::TempDir()) / "ordo_config_relative")
                              .lexically_normal()
                              .string();
  std::filesystem::create_directories(dir + "/sub");
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"store: sqlite:ordo.db", "sqlite:" + dir + "/sub/ordo.db"},
           {"store: sqlite://../x.db", "sqlite:" + dir + "/x.db"},
           {"store: sqlite:/abs/ordo.db", "sqlite:/abs/ordo.db"},
           {"{}", "sqlite:" + dir + "/sub/ordo.db"}}) {
    std::ofstream(dir + "/sub/ordo.yaml") << text << "\n";
    auto cfg = LoadConfig(dir + "/sub/ordo.yaml", [](const std::string&) { return std::nullopt; });
    ASSERT_TRUE(cfg.ok()) << text << ": " << cfg.status().ToString();
    EXPECT_EQ(cfg->store, want) << text;
  }
  std::filesystem::remove_all(dir);
}

TEST(Config, ZeroParkedKeepersReleasesEveryParkedRowAndNegativeIsRefused) {
  auto cfg = ParseConfig("worker: {parked_keepers: 0}", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->worker.parked_keepers, 0);
  ExpectError("worker: {parked_keepers: -1}",
              "worker.parked_keepers: expected an integer from 0 to 1024, got \"-1\"");
}

TEST(Config, TheDutyCycleTakesDecimalRatiosAndZeroTurnsItOff) {
  auto cfg = ParseConfig("engine: {rest_under_writes: 0.75, verify_rest_under_writes: 0}",
                         "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->engine.rest_under_writes, 0.75);
  EXPECT_EQ(cfg->engine.verify_rest_under_writes, 0);
  auto defaults = ParseConfig("", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->engine.rest_under_writes, 1.0);
  EXPECT_EQ(defaults->engine.verify_rest_under_writes, 0.5);
  ExpectError("engine: {rest_under_writes: -1}",
              "engine.rest_under_writes: expected a number from 0 to 100, got \"-1\"");
  ExpectError("engine: {verify_rest_under_writes: half}",
              "engine.verify_rest_under_writes: expected a number from 0 to 100, got \"half\"");
}

TEST(Config, ApplySessionsIsACountFromOneToSixteenDefaultingToTwo) {
  auto cfg = ParseConfig("engine: {apply_sessions: 4}", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->engine.apply_sessions, 4);
  auto defaults = ParseConfig("", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->engine.apply_sessions, 2);
  ExpectError("engine: {apply_sessions: 0}",
              "engine.apply_sessions: expected an integer from 1 to 16, got \"0\"");
  ExpectError("engine: {apply_sessions: 17}",
              "engine.apply_sessions: expected an integer from 1 to 16, got \"17\"");
}

TEST(Config, KeepOldTableIsABooleanOffByDefault) {
  auto cfg = ParseConfig("engine: {keep_old_table: true}", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_TRUE(cfg->engine.keep_old_table);
  cfg = ParseConfig("{}", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok());
  EXPECT_FALSE(cfg->engine.keep_old_table);
  ExpectError("engine: {keep_old_table: maybe}", "engine.keep_old_table: expected true or false");
}

TEST(Config, CutoverForceAfterIsADurationOffByDefault) {
  auto none = ParseConfig("", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->engine.cutover_force_after_ms, 0);
  auto cfg = ParseConfig("engine: {cutover_force_after: 30s}", "ordo.yaml", FakeEnv({}));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->engine.cutover_force_after_ms, 30'000);
  auto bad = ParseConfig("engine: {cutover_force_after: 30}", "ordo.yaml", FakeEnv({}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("engine.cutover_force_after"), std::string::npos)
      << bad.status().ToString();
}

TEST(Config, DeploymentListMustBeNonEmptyAndUnique) {
  ExpectError("databases: {shop: {environments: {prod: {deployments: []}}}}",
              "databases.shop.environments.prod.deployments: expected a non-empty list");
  ExpectError(
      "databases: {shop: {environments: {prod: {deployments: [{name: a, dsn: 'mysql://h/x'}, "
      "{name: a, dsn: 'mysql://h/y'}]}}}}",
      "deployments[1].name: duplicate deployment \"a\"");
  ExpectError(
      "databases: {shop: {environments: {prod: {deployments: [{name: '', dsn: 'mysql://h/x'}]}}}}",
      "deployments[0].name: expected a non-empty name");
  ExpectError("databases: {shop: {environments: {prod: {deployments: [{name: a}]}}}}",
              "deployments[0].dsn: missing");
}

TEST(Config, UnsetVariableIsNamed) {
  ExpectError("store: 'mysql://u:${NOPE}@h/x'", "store: environment variable NOPE is not set");
}

TEST(Config, ErrorsNeverEchoPasswords) {
  auto cfg = ParseConfig("store: 'redis://u:hunter2@h/x'", "ordo.yaml", FakeEnv({}));
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message().find("hunter2"), std::string::npos) << cfg.status().message();
}

TEST(Config, SyntaxErrorsGiveTheLine) { ExpectError("store: [unclosed\n", "ordo.yaml: line"); }

TEST(Duration, ParsesUnitsAndRefusesBareNumbers) {
  EXPECT_EQ(*ParseDuration("500ms"), 500'000);
  EXPECT_EQ(*ParseDuration("1m30s"), 90'000'000);
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_EQ(*ParseDuration("2h"), 7'200'000'000);
  EXPECT_FALSE(ParseDuration("5").ok());
  EXPECT_FALSE(ParseDuration("1x").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_EQ(FormatDuration(90'000'000), "1m30s");
  EXPECT_EQ(FormatDuration(250'000), "250ms");
}

}  // namespace
}  // namespace ordo
