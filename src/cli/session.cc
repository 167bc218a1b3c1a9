#include "cli/session.h"

#include <filesystem>
#include <iostream>

#include "api/documents.h"
#include "app/connect_error.h"
#include "cli/exit_codes.h"
#include "cli/logging.h"
#include "db/dsn.h"

namespace ordo::cli {

Status ValidateGlobals(const Globals& g) {
  if (g.log_format != "text" && g.log_format != "json")
    return InvalidArgument("--log-format: expected text or json; got \"" + g.log_format + "\"");
  if (!g.log_level.empty() && !ParseLogLevel(g.log_level))
    return InvalidArgument("--log-level: expected debug, info, warn or error; got \"" +
                           g.log_level + "\"");
  return Status::Ok();
}

Result<const Config*> Session::LoadConfig() {
  if (config_) return config_.get();
  auto cfg = ordo::LoadConfig(globals_.config_path, EnvFromProcess());
  if (!cfg.ok()) {
    if (cfg.status().Is(StatusCode::kNotFound)) {
      return NotFound(
          globals_.config_path + ": not found" +
          (globals_.config_given ? "" : " (pass -c FILE, or --store URL for read-only commands)"));
    }
    return cfg.status();
  }
  config_ = std::make_unique<Config>(std::move(cfg).value());
  return config_.get();
}

std::string Session::StoreUrl() const {
  if (!globals_.store_url.empty()) return globals_.store_url;
  return config_ ? config_->store : "";
}

std::string Session::StoreName() const { return db::RedactUrls(StoreUrl()); }

Result<worker::StoreIdentity> Session::Identity() {
  ORDO_ASSIGN_OR_RETURN(ordo::Store * store, Store());
  ORDO_ASSIGN_OR_RETURN(std::string id, store->StoreId());
  std::string name = StoreName();
  if (auto dsn = db::ParseDsn(name); dsn.ok() && dsn->scheme == "sqlite")
    name = "sqlite:" + std::filesystem::absolute(dsn->database).lexically_normal().string();
  return worker::StoreIdentity{id, name};
}

Result<std::unique_ptr<worker::MysqlEngineFactory>> Session::EngineFactory() {
  ORDO_ASSIGN_OR_RETURN(const Config* cfg, LoadConfig());
  ORDO_ASSIGN_OR_RETURN(worker::StoreIdentity identity, Identity());
  return std::make_unique<worker::MysqlEngineFactory>(*cfg, std::move(identity));
}

Result<ordo::Store*> Session::Store(Use use) {
  if (store_) return store_.get();
  StoreOptions options;
  options.create = use == Use::kCreate;
  // --store alone is enough for the commands that only read and record requests.
  if (globals_.store_url.empty() || globals_.config_given)
    ORDO_RETURN_IF_ERROR(LoadConfig().status());
  if (config_) {
    options.lease_staleness_micros = config_->worker.lease_staleness_micros;
    options.retry_budget = config_->worker.retry_budget;
  }
  std::string url = StoreUrl();
  auto store = OpenStore(url, options);
  if (!store.ok()) {
    if (store.status().Is(StatusCode::kInvalidArgument) || store.status().Is(StatusCode::kNotFound))
      return store.status();
    return app::ConnectError("store " + db::RedactUrls(url), store.status());
  }
  if (use == Use::kRead) {
    auto version = (*store)->SchemaVersion();
    if (version.ok() && *version == 0)
      return NotFound("store " + db::RedactUrls(url) +
                      " holds no ordo store yet (nothing was created; " +
                      "ordo apply, worker and serve create it)");
  }
  Status migrated = (*store)->Migrate();
  if (!migrated.ok())
    return Unavailable("store " + db::RedactUrls(url) +
                       ": cannot migrate its schema: " + db::RedactUrls(migrated.message()));
  store_ = std::move(store).value();
  return store_.get();
}

CliLogger& Session::logger() {
  if (!logger_) {
    LogLevel level = default_level_;
    if (auto parsed = ParseLogLevel(globals_.log_level)) level = *parsed;
    auto made = MakeLogger(globals_.log_format, level);
    logger_ = made.ok() ? std::move(made).value() : std::move(MakeLogger("text", level)).value();
  }
  return *logger_;
}

int Session::Fail(const Status& status) {
  Status shown(status.code(), db::RedactUrls(status.message()), status.retryable());
  if (json_) {
    std::cout << ErrorDocument(shown).dump() << std::endl;
  } else {
    std::cerr << "ordo: " << shown.message() << std::endl;
  }
  return ExitCodeFor(status);
}

}  // namespace ordo::cli
