#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/duration.h"
#include "db/dsn.h"

namespace ordo {
namespace {

// Walks the YAML tree keeping the key path for error messages.
class Reader {
 public:
  Reader(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  Status Error(const std::string& path, const std::string& what) const {
    return InvalidArgument(file_ + ": " + (path.empty() ? "(top level)" : path) + ": " + what);
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // Every key of `node` must be in `allowed`.
  Status CheckKeys(const YAML::Node& node, const std::string& path,
                   const std::set<std::string>& allowed) const {
    if (!node.IsMap()) return Error(path, "expected a mapping");
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Error(Join(path, key), "unknown key (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) return Error(path, "expected a string");
    auto expanded = ExpandVariables(node.Scalar(), env_);
    if (!expanded.ok()) return Error(path, expanded.status().message());
    return *expanded;
  }

  Result<int> IntIn(const YAML::Node& node, const std::string& path, int min, int max) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < min || v > max)
      return Error(path, "expected an integer from " + std::to_string(min) + " to " +
                             std::to_string(max) + ", got \"" + s + "\"");
    return static_cast<int>(v);
  }

  // A decimal number from `min` to `max` ("1", "0.5").
  Result<double> NumberIn(const YAML::Node& node, const std::string& path, double min,
                          double max) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !(v >= min && v <= max)) {
      char range[64];
      std::snprintf(range, sizeof(range), "%g to %g", min, max);
      return Error(path, "expected a number from " + std::string(range) + ", got \"" + s + "\"");
    }
    return v;
  }

  Result<bool> Bool(const YAML::Node& node, const std::string& path) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    if (s == "true") return true;
    if (s == "false") return false;
    return Error(path, "expected true or false, got \"" + s + "\"");
  }

  Result<int> PositiveInt(const YAML::Node& node, const std::string& path, int max) const {
    return IntIn(node, path, 1, max);
  }

  Result<Micros> Duration(const YAML::Node& node, const std::string& path) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto d = ParseDuration(s);
    if (!d.ok()) return Error(path, d.status().message());
    return *d;
  }

  Result<std::string> OneOf(const YAML::Node& node, const std::string& path,
                            const std::vector<std::string>& choices) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    for (const auto& c : choices)
      if (s == c) return s;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    return Error(path, "expected one of " + list + "; got \"" + s + "\"");
  }

  Result<std::string> Url(const YAML::Node& node, const std::string& path,
                          const std::set<std::string>& schemes) const {
    ORDO_ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto dsn = db::ParseDsn(s);
    if (!dsn.ok()) return Error(path, dsn.status().message());
    if (!schemes.count(dsn->scheme)) {
      std::string list;
      for (const auto& c : schemes) list += (list.empty() ? "" : ", ") + c + ":";
      return Error(path, "expected a URL with scheme " + list + " got \"" + dsn->Redacted() + "\"");
    }
    return s;
  }

  Status Worker(const YAML::Node& node, WorkerConfig* out) const {
    const std::string path = "worker";
    ORDO_RETURN_IF_ERROR(CheckKeys(
        node, path,
        {"drivers", "poll_interval", "lease_staleness", "retry_budget", "parked_keepers"}));
    if (node["drivers"]) {
      ORDO_ASSIGN_OR_RETURN(out->drivers, PositiveInt(node["drivers"], path + ".drivers", 256));
    }
    if (node["poll_interval"]) {
      ORDO_ASSIGN_OR_RETURN(out->poll_interval_micros,
                            Duration(node["poll_interval"], path + ".poll_interval"));
      if (out->poll_interval_micros <= 0)
        return Error(path + ".poll_interval", "expected a duration above 0");
    }
    if (node["lease_staleness"]) {
      ORDO_ASSIGN_OR_RETURN(out->lease_staleness_micros,
                            Duration(node["lease_staleness"], path + ".lease_staleness"));
      if (out->lease_staleness_micros < 1'000'000)
        return Error(path + ".lease_staleness", "expected at least 1s");
    }
    if (node["retry_budget"]) {
      ORDO_ASSIGN_OR_RETURN(out->retry_budget,
                            PositiveInt(node["retry_budget"], path + ".retry_budget", 1000));
    }
    if (node["parked_keepers"]) {
      ORDO_ASSIGN_OR_RETURN(out->parked_keepers,
                            IntIn(node["parked_keepers"], path + ".parked_keepers", 0, 1024));
    }
    return Status::Ok();
  }

  Status Engine(const YAML::Node& node, EngineConfig* out) const {
    const std::string path = "engine";
    ORDO_RETURN_IF_ERROR(
        CheckKeys(node, path,
                  {"copy_threads", "apply_sessions", "chunk_target", "cutover_lock_timeout",
                   "cutover_attempts", "cutover_force_after", "keep_old_table", "rest_under_writes",
                   "verify_rest_under_writes"}));
    if (node["copy_threads"]) {
      ORDO_ASSIGN_OR_RETURN(out->copy_threads,
                            PositiveInt(node["copy_threads"], path + ".copy_threads", 64));
    }
    if (node["apply_sessions"]) {
      ORDO_ASSIGN_OR_RETURN(out->apply_sessions,
                            PositiveInt(node["apply_sessions"], path + ".apply_sessions", 16));
    }
    if (node["chunk_target"]) {
      ORDO_ASSIGN_OR_RETURN(Micros d, Duration(node["chunk_target"], path + ".chunk_target"));
      if (d < 1'000) return Error(path + ".chunk_target", "expected at least 1ms");
      out->chunk_target_ms = d / 1'000;
    }
    if (node["cutover_lock_timeout"]) {
      ORDO_ASSIGN_OR_RETURN(Micros d,
                            Duration(node["cutover_lock_timeout"], path + ".cutover_lock_timeout"));
      if (d < 1'000) return Error(path + ".cutover_lock_timeout", "expected at least 1ms");
      out->cutover_lock_timeout_ms = d / 1'000;
    }
    if (node["cutover_attempts"]) {
      ORDO_ASSIGN_OR_RETURN(
          out->cutover_max_attempts,
          PositiveInt(node["cutover_attempts"], path + ".cutover_attempts", 1000));
    }
    if (node["cutover_force_after"]) {
      ORDO_ASSIGN_OR_RETURN(Micros d,
                            Duration(node["cutover_force_after"], path + ".cutover_force_after"));
      out->cutover_force_after_ms = d / 1'000;
    }
    if (node["keep_old_table"]) {
      ORDO_ASSIGN_OR_RETURN(out->keep_old_table,
                            Bool(node["keep_old_table"], path + ".keep_old_table"));
    }
    if (node["rest_under_writes"]) {
      ORDO_ASSIGN_OR_RETURN(out->rest_under_writes, NumberIn(node["rest_under_writes"],
                                                             path + ".rest_under_writes", 0, 100));
    }
    if (node["verify_rest_under_writes"]) {
      ORDO_ASSIGN_OR_RETURN(
          out->verify_rest_under_writes,
          NumberIn(node["verify_rest_under_writes"], path + ".verify_rest_under_writes", 0, 100));
    }
    return Status::Ok();
  }

  Status Api(const YAML::Node& node, ApiConfig* out) const {
    ORDO_RETURN_IF_ERROR(CheckKeys(node, "api", {"listen", "token"}));
    if (node["listen"]) {
      ORDO_ASSIGN_OR_RETURN(out->listen, String(node["listen"], "api.listen"));
    }
    if (node["token"]) {
      ORDO_ASSIGN_OR_RETURN(out->token, String(node["token"], "api.token"));
    }
    return Status::Ok();
  }

  Status Environment(const YAML::Node& node, const std::string& path,
                     EnvironmentConfig* out) const {
    ORDO_RETURN_IF_ERROR(
        CheckKeys(node, path, {"cutover_policy", "on_failure", "revert_window", "deployments"}));
    if (node["cutover_policy"]) {
      ORDO_ASSIGN_OR_RETURN(out->cutover_policy,
                            OneOf(node["cutover_policy"], path + ".cutover_policy",
                                  {"rolling", "barrier", "parallel"}));
    }
    if (node["on_failure"]) {
      ORDO_ASSIGN_OR_RETURN(out->on_failure, OneOf(node["on_failure"], path + ".on_failure",
                                                   {"halt", "continue", "pause"}));
    }
    if (node["revert_window"]) {
      ORDO_ASSIGN_OR_RETURN(out->revert_window_micros,
                            Duration(node["revert_window"], path + ".revert_window"));
    }
    const std::string dpath = path + ".deployments";
    const YAML::Node deployments = node["deployments"];
    if (!deployments) return Error(dpath, "missing: list at least one deployment");
    if (!deployments.IsSequence() || deployments.size() == 0)
      return Error(dpath, "expected a non-empty list of {name, dsn}");
    std::set<std::string> seen;
    for (size_t i = 0; i < deployments.size(); ++i) {
      const std::string ipath = dpath + "[" + std::to_string(i) + "]";
      const YAML::Node d = deployments[i];
      ORDO_RETURN_IF_ERROR(CheckKeys(d, ipath, {"name", "dsn"}));
      DeploymentConfig dep;
      if (!d["name"]) return Error(ipath + ".name", "missing");
      ORDO_ASSIGN_OR_RETURN(dep.name, String(d["name"], ipath + ".name"));
      if (dep.name.empty()) return Error(ipath + ".name", "expected a non-empty name");
      if (!seen.insert(dep.name).second)
        return Error(ipath + ".name", "duplicate deployment \"" + dep.name + "\"");
      if (!d["dsn"]) return Error(ipath + ".dsn", "missing");
      ORDO_ASSIGN_OR_RETURN(dep.dsn, Url(d["dsn"], ipath + ".dsn", {"mysql"}));
      out->deployments.push_back(std::move(dep));
    }
    return Status::Ok();
  }

  Status Database(const YAML::Node& node, const std::string& path, DatabaseConfig* out) const {
    ORDO_RETURN_IF_ERROR(CheckKeys(node, path, {"schema_dir", "environments"}));
    if (node["schema_dir"]) {
      ORDO_ASSIGN_OR_RETURN(out->schema_dir, String(node["schema_dir"], path + ".schema_dir"));
    }
    const std::string epath = path + ".environments";
    const YAML::Node envs = node["environments"];
    if (!envs || !envs.IsMap() || envs.size() == 0)
      return Error(epath, "expected a mapping of environment name to settings");
    for (const auto& kv : envs) {
      EnvironmentConfig env;
      env.name = kv.first.as<std::string>();
      ORDO_RETURN_IF_ERROR(Environment(kv.second, Join(epath, env.name), &env));
      out->environments.push_back(std::move(env));
    }
    return Status::Ok();
  }

  Status Top(const YAML::Node& root, Config* out) const {
    if (!root || root.IsNull()) return Status::Ok();
    ORDO_RETURN_IF_ERROR(CheckKeys(root, "", {"store", "worker", "engine", "api", "databases"}));
    if (root["store"]) {
      ORDO_ASSIGN_OR_RETURN(out->store,
                            Url(root["store"], "store", {"sqlite", "mysql", "postgres"}));
    }
    if (root["worker"]) ORDO_RETURN_IF_ERROR(Worker(root["worker"], &out->worker));
    if (root["engine"]) ORDO_RETURN_IF_ERROR(Engine(root["engine"], &out->engine));
    if (root["api"]) ORDO_RETURN_IF_ERROR(Api(root["api"], &out->api));
    if (root["databases"]) {
      const YAML::Node dbs = root["databases"];
      if (!dbs.IsMap())
        return Error("databases", "expected a mapping of database name to settings");
      for (const auto& kv : dbs) {
        DatabaseConfig db;
        db.name = kv.first.as<std::string>();
        ORDO_RETURN_IF_ERROR(Database(kv.second, Join("databases", db.name), &db));
        out->databases.push_back(std::move(db));
      }
    }
    return Status::Ok();
  }

 private:
  std::string file_;
  const EnvLookup& env_;
};

}  // namespace

const DatabaseConfig* Config::FindDatabase(std::string_view name) const {
  for (const auto& db : databases)
    if (db.name == name) return &db;
  return nullptr;
}

const EnvironmentConfig* Config::FindEnvironment(std::string_view database,
                                                 std::string_view environment) const {
  const DatabaseConfig* db = FindDatabase(database);
  if (db == nullptr) return nullptr;
  for (const auto& env : db->environments)
    if (env.name == environment) return &env;
  return nullptr;
}

EnvLookup EnvFromProcess() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> ExpandVariables(const std::string& text, const EnvLookup& env) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    out.append(text, i, start - i);
    size_t end = text.find('}', start + 2);
    if (end == std::string::npos) return InvalidArgument("unterminated ${ in \"" + text + "\"");
    std::string name = text.substr(start + 2, end - start - 2);
    if (name.empty()) return InvalidArgument("empty ${} in value");
    std::optional<std::string> value = env(name);
    if (!value) return InvalidArgument("environment variable " + name + " is not set");
    out += *value;
    i = end + 1;
  }
  return out;
}

Result<Config> ParseConfig(const std::string& text, const std::string& path, const EnvLookup& env) {
  Config config;
  config.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    ORDO_RETURN_IF_ERROR(Reader(path, env).Top(root, &config));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return config;
}

namespace {

// A relative SQLite store path of a config file is relative to the file's directory:
// `ordo -c /srv/ordo.yaml status` from any working directory finds the same store.
std::string StoreRelativeTo(const std::string& store, const std::filesystem::path& dir) {
  auto dsn = db::ParseDsn(store);  // a SQLite URL's path is its `database`
  if (!dsn.ok() || dsn->scheme != "sqlite") return store;
  const std::string& path = dsn->database;
  if (path == ":memory:" || std::filesystem::path(path).is_absolute()) return store;
  return "sqlite:" + (dir / path).lexically_normal().string();
}

}  // namespace

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) return NotFound(path + ": cannot read config file");
  std::stringstream buf;
  buf << in.rdbuf();
  ORDO_ASSIGN_OR_RETURN(Config config, ParseConfig(buf.str(), path, env));
  config.store = StoreRelativeTo(config.store, std::filesystem::absolute(path).parent_path());
  return config;
}

}  // namespace ordo
