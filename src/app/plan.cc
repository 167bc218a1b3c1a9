#include "app/plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "app/connect_error.h"
#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "schema/diff.h"
#include "schema/drift.h"
#include "schema/files.h"
#include "schema/lint_files.h"
#include "schema/lint_probe_mysql.h"
#include "schema/reader.h"
#include "schema/scratch.h"
#include "schema/verify.h"

namespace ordo::app {
namespace {

std::vector<PlannedStatement> Planned(const std::vector<schema::TableChange>& changes) {
  std::vector<PlannedStatement> out;
  for (const schema::TableChange& c : changes)
    out.push_back({c.table, std::string(schema::ToString(c.kind)), c.statement, c.details});
  return out;
}

// schema_dir as the config names it, relative to the config file's directory.
std::string ResolveSchemaDir(const Config& cfg, const std::string& dir) {
  std::filesystem::path p(dir);
  if (p.is_absolute() || cfg.path.empty()) return dir;
  std::filesystem::path base = std::filesystem::path(cfg.path).parent_path();
  return base.empty() ? dir : (base / p).string();
}

struct Deployment {
  const DeploymentConfig* config = nullptr;
  db::Dsn dsn;
  std::string label;  // "deployment eu-1 (mysql://ordo:***@host/shop)"
  std::unique_ptr<db::MysqlConnection> conn;
  schema::SchemaDef live;
};

Status Connect(Deployment& d) {
  ORDO_ASSIGN_OR_RETURN(d.dsn, db::ParseDsn(d.config->dsn));
  d.label = "deployment " + d.config->name + " (" + d.dsn.Redacted() + ")";
  if (d.dsn.database.empty())
    return InvalidArgument(d.label + ": its dsn names no database, so there is no schema to plan");
  auto conn = db::MysqlConnection::Connect(d.dsn, {});
  if (!conn.ok()) return ConnectError(d.label, conn.status());
  d.conn = std::move(*conn);
  auto live = schema::ReadSchema(*d.conn, d.dsn.database);
  if (!live.ok()) return live.status().WithContext(d.label + ": reading its schema");
  d.live = std::move(*live);
  return Status::Ok();
}

std::string ServerOf(const Deployment& d) { return d.dsn.host + ":" + std::to_string(d.dsn.port); }

std::string_view TrimmedStatement(std::string_view sql) {
  while (!sql.empty() && (sql.back() == ' ' || sql.back() == '\n' || sql.back() == '\t'))
    sql.remove_suffix(1);
  return sql;
}

// The files' tables as the server of `on_server` makes them. A statement that is, to the
// letter, its live table's SHOW CREATE TABLE text on every deployment of that server (a
// schema_dir dumped from the server) is that table and is not loaded again; the others
// are loaded into a scratch schema and read back, and the scratch schema dropped at once.
Result<schema::SchemaDef> LoadFor(const std::vector<Deployment*>& on_server,
                                  const schema::SchemaFiles& files, const PlanCancel& cancelled) {
  schema::SchemaFiles to_load;
  schema::SchemaDef desired;
  for (const schema::SchemaStatement& st : files.statements) {
    std::string text = schema::NormalizeCreateTable(TrimmedStatement(st.sql));
    const schema::TableDef* same = nullptr;
    for (const Deployment* d : on_server) {
      const schema::TableDef* live = d->live.Find(st.table);
      same = live != nullptr && schema::NormalizeCreateTable(live->create_sql) == text ? live
                                                                                       : nullptr;
      if (same == nullptr) break;
    }
    if (same != nullptr && st.renames.empty())
      desired.tables.emplace(st.table, *same);
    else
      to_load.statements.push_back(st);
  }
  if (to_load.statements.empty()) return desired;
  Deployment& d = *on_server.front();
  ORDO_ASSIGN_OR_RETURN(auto scratch, schema::ScratchSchema::Create(*d.conn));
  auto loaded = schema::LoadDesired(*d.conn, *scratch, to_load, cancelled);
  Status dropped = scratch->Drop();
  if (!loaded.ok()) return loaded.status();
  ORDO_RETURN_IF_ERROR(dropped);
  for (auto& [name, table] : loaded->tables) desired.tables.emplace(name, std::move(table));
  return desired;
}

// The lint of one deployment's change (schema/lint.h), the live data asked on the
// deployment, and missing-charset for the files of the tables it creates or alters.
Status LintPlan(Deployment& d, const schema::SchemaDef& desired, const schema::SchemaFiles& files,
                DeploymentPlan& plan) {
  schema::MysqlLintProbe probe(*d.conn, d.dsn.database);
  auto findings = schema::LintChange(d.live, desired, probe);
  if (!findings.ok()) return findings.status().WithContext(d.label + ": linting the change");
  plan.findings = std::move(*findings);
  std::vector<std::string> changed = plan.TablesChanged();
  for (schema::Finding& f : schema::LintSchemaFiles(files.statements))
    if (std::find(changed.begin(), changed.end(), f.table) != changed.end())
      plan.findings.push_back(std::move(f));
  schema::SortFindings(plan.findings);
  return Status::Ok();
}

}  // namespace

std::vector<std::string> DeploymentPlan::TablesChanged() const {
  std::vector<std::string> out;
  for (const PlannedStatement& s : statements) out.push_back(s.table);
  return out;
}

bool PlanResult::HasChanges() const {
  for (const DeploymentPlan& d : deployments)
    if (!d.statements.empty()) return true;
  return false;
}

Result<PlanResult> ComputePlan(const Config& cfg, const PlanRequest& request,
                               const PlanCancel& cancelled) {
  const std::string key = "databases." + request.database;
  const DatabaseConfig* db = cfg.FindDatabase(request.database);
  const EnvironmentConfig* env = cfg.FindEnvironment(request.database, request.environment);
  if (db == nullptr || env == nullptr)
    return InvalidArgument(cfg.path + ": " + key + ".environments." + request.environment +
                           ": not configured");
  if (db->schema_dir.empty())
    return InvalidArgument(cfg.path + ": " + key +
                           ".schema_dir: not set; a plan compares the deployments with the "
                           "CREATE TABLE files of that directory");
  PlanResult result;
  result.database = request.database;
  result.environment = request.environment;
  result.schema_dir = ResolveSchemaDir(cfg, db->schema_dir);
  auto files = schema::ReadSchemaFiles(result.schema_dir);
  if (!files.ok()) {
    if (files.status().Is(StatusCode::kNotFound))
      return InvalidArgument(cfg.path + ": " + key + ".schema_dir: " + files.status().message());
    return files.status();
  }
  if (files->statements.empty())
    return InvalidArgument(result.schema_dir +
                           ": no CREATE TABLE statements in its *.sql files; a plan from it "
                           "would drop every table, so ordo refuses to make one");
  result.desired_hash = files->hash;

  std::vector<Deployment> deployments(env->deployments.size());
  for (size_t i = 0; i < deployments.size(); ++i) {
    if (cancelled && cancelled()) return Cancelled("plan interrupted");
    deployments[i].config = &env->deployments[i];
    ORDO_RETURN_IF_ERROR(Connect(deployments[i]));
  }

  std::vector<std::pair<std::string, const schema::SchemaDef*>> lives;
  for (const Deployment& d : deployments) lives.emplace_back(d.config->name, &d.live);
  for (schema::DriftGroup& g : schema::FindDrift(lives).groups)
    result.drift.push_back({g.deployments, g.fingerprint, Planned(g.differences)});

  // The files parse the same on one server: load them once per host:port (LoadFor).
  std::map<std::string, std::vector<Deployment*>> by_server;
  for (Deployment& d : deployments) by_server[ServerOf(d)].push_back(&d);
  std::map<std::string, schema::SchemaDef> desired_by_server;
  // The same live schema on the same server with the same files gives the same plan:
  // verified once.
  std::set<std::string> verified_plans;
  for (Deployment& d : deployments) {
    std::string server = ServerOf(d);
    auto found = desired_by_server.find(server);
    if (found == desired_by_server.end()) {
      auto loaded = LoadFor(by_server[server], *files, cancelled);
      if (!loaded.ok()) {
        if (loaded.status().Is(StatusCode::kInvalidArgument) ||
            loaded.status().Is(StatusCode::kCancelled))
          return loaded.status();
        return loaded.status().WithContext(d.label + ": loading the schema files");
      }
      found = desired_by_server.emplace(server, std::move(*loaded)).first;
    }
    const schema::SchemaDef& desired = found->second;
    std::vector<schema::TableChange> changes = schema::DiffSchemas(d.live, desired);
    std::string fingerprint = schema::Fingerprint(d.live);
    Status verified = Status::Ok();
    if (verified_plans.insert(server + "/" + fingerprint).second)
      verified = schema::VerifyChanges(*d.conn, d.live, desired, changes, cancelled);
    if (!verified.ok()) {
      if (verified.Is(StatusCode::kCancelled)) return verified;
      return verified.WithContext("deployment " + d.config->name);
    }
    DeploymentPlan plan;
    plan.deployment = d.config->name;
    plan.schema = d.dsn.database;
    plan.live_fingerprint = fingerprint;
    plan.statements = Planned(changes);
    ORDO_RETURN_IF_ERROR(LintPlan(d, desired, *files, plan));
    result.deployments.push_back(std::move(plan));
  }
  return result;
}

}  // namespace ordo::app
