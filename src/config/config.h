// Config: ordo.yaml, loaded and validated (docs/guide.md, "Config reference").
//
// Every error names the file, the key path and what was expected, e.g.
//   ordo.yaml: databases.shop.environments.prod.cutover_policy: expected one of
//   rolling, barrier, parallel; got "bogus"
// Unknown keys are errors (a typo must not silently fall back to a default). `${VAR}`
// in any string expands from the environment; an unset variable is an error naming it.
// DSNs are kept whole here; print them only through Dsn::Redacted().
//
// Thread-safety: plain values.
//
//   ORDO_ASSIGN_OR_RETURN(Config cfg, LoadConfig("ordo.yaml", EnvFromProcess()));
//   const EnvironmentConfig* env = cfg.FindEnvironment("shop", "production");
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo {

struct DeploymentConfig {
  std::string name;
  std::string dsn;  // mysql://…, may hold a password: never print unredacted
};

struct EnvironmentConfig {
  std::string name;
  std::string cutover_policy = "rolling";
  std::string on_failure = "halt";
  Micros revert_window_micros = 0;
  std::vector<DeploymentConfig> deployments;  // deployment order
};

struct DatabaseConfig {
  std::string name;
  std::string schema_dir;
  std::vector<EnvironmentConfig> environments;
};

struct WorkerConfig {
  int drivers = 4;
  Micros poll_interval_micros = 1'000'000;
  Micros lease_staleness_micros = 60'000'000;
  int retry_budget = 10;
  // Parked deployments kept in sync without occupying a driver.
  int parked_keepers = 8;
};

struct EngineConfig {
  int copy_threads = 2;
  int apply_sessions = 2;  // EngineSpec::apply_sessions
  int64_t chunk_target_ms = 500;
  int64_t cutover_lock_timeout_ms = 3000;
  int cutover_max_attempts = 10;
  int64_t cutover_force_after_ms = 0;     // EngineSpec::cutover_force_after_ms; 0: never
  bool keep_old_table = false;            // EngineSpec::keep_old_table
  double rest_under_writes = 1.0;         // EngineSpec::rest_under_writes
  double verify_rest_under_writes = 0.5;  // EngineSpec::verify_rest_under_writes
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::string token;  // ORDO_API_TOKEN overrides
};

struct Config {
  std::string path;  // the file it came from ("" for defaults)
  std::string store = "sqlite:ordo.db";
  WorkerConfig worker;
  EngineConfig engine;
  ApiConfig api;
  std::vector<DatabaseConfig> databases;

  const DatabaseConfig* FindDatabase(std::string_view name) const;
  const EnvironmentConfig* FindEnvironment(std::string_view database,
                                           std::string_view environment) const;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup EnvFromProcess();

// InvalidArgument (file: key.path: expected …) for anything malformed; NotFound when
// the file does not exist.
Result<Config> LoadConfig(const std::string& path, const EnvLookup& env);
Result<Config> ParseConfig(const std::string& text, const std::string& path, const EnvLookup& env);

// Expands ${VAR} references; InvalidArgument naming an unset variable.
Result<std::string> ExpandVariables(const std::string& text, const EnvLookup& env);

}  // namespace ordo
