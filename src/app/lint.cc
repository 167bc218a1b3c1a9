#include "app/lint.h"

#include <algorithm>
#include <array>
#include <memory>

#include "app/connect_error.h"
#include "config/config.h"
#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "schema/reader.h"

namespace ordo::app {
namespace {

// Connects to one deployment and lints its schema; the error in `out.reached`.
void LintDeployment(const DeploymentConfig& d, DeploymentLint& out) {
  auto dsn = db::ParseDsn(d.dsn);
  if (!dsn.ok()) {
    out.reached = dsn.status().WithContext("deployment " + d.name);
    return;
  }
  out.dsn = dsn->Redacted();
  std::string what = "deployment " + d.name + " (" + out.dsn + ")";
  if (dsn->database.empty()) {
    out.reached = InvalidArgument(what + ": the DSN names no database to lint");
    return;
  }
  auto conn = db::MysqlConnection::Connect(*dsn, db::MysqlConnectOptions{});
  if (!conn.ok()) {
    out.reached = ConnectError(what, conn.status());
    return;
  }
  auto live = schema::ReadSchema(**conn, dsn->database);
  if (!live.ok()) {
    out.reached = live.status().WithContext(what);
    return;
  }
  out.findings = schema::LintSchema(*live);
  schema::SortFindings(out.findings);
}

std::string Subject(const schema::Finding& f) {
  if (!f.column.empty()) return f.table + "." + f.column;
  if (!f.index.empty()) return f.table + " (index " + f.index + ")";
  return f.table;
}

}  // namespace

Result<std::vector<DeploymentLint>> LintEnvironment(const Config& cfg, std::string_view database,
                                                    std::string_view environment) {
  const EnvironmentConfig* env = cfg.FindEnvironment(database, environment);
  if (env == nullptr)
    return InvalidArgument(cfg.path + ": databases." + std::string(database) + ".environments." +
                           std::string(environment) + ": not configured");
  std::vector<DeploymentLint> out;
  for (const DeploymentConfig& d : env->deployments) {
    out.push_back(DeploymentLint{d.name, "", Status::Ok(), {}});
    LintDeployment(d, out.back());
  }
  return out;
}

std::array<int, 4> CountFindings(const std::vector<schema::Finding>& findings) {
  std::array<int, 4> counts{};
  for (const schema::Finding& f : findings) ++counts[static_cast<size_t>(f.severity)];
  return counts;
}

std::string FindingsText(const std::vector<schema::Finding>& findings, std::string_view indent) {
  std::string out;
  for (const schema::Finding& f : findings) {
    std::string severity(schema::SeverityName(f.severity));
    severity.resize(std::max<size_t>(severity.size(), 9), ' ');
    std::string rule = f.rule;
    rule.resize(std::max<size_t>(rule.size(), 27), ' ');
    out += std::string(indent) + severity + " " + rule + " " + Subject(f) + ": " + f.message + "\n";
  }
  return out;
}

nlohmann::json FindingsJson(const std::vector<schema::Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
  };
  for (const schema::Finding& f : findings)
    out.push_back({{"severity", schema::SeverityName(f.severity)},
                   {"rule", f.rule},
                   {"table", f.table},
                   {"column", or_null(f.column)},
                   {"index", or_null(f.index)},
                   {"message", f.message}});
  return out;
}

}  // namespace ordo::app
