#include "e2e_support.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>

#include "db/dsn.h"
#include "ordo_tables.h"

namespace ordo::testing {

std::vector<std::unique_ptr<MariaDbServer>> StartServers(int n, const std::string& extra_options) {
  std::vector<std::unique_ptr<MariaDbServer>> servers;
  for (int i = 0; i < n; ++i) {
    auto server = MariaDbServer::StartPrivate(extra_options);
    if (!server.ok()) return {};
    servers.push_back(std::move(server).value());
  }
  return servers;
}

Result<std::unique_ptr<db::MysqlConnection>> Connect(const MariaDbServer& server,
                                                     const std::string& database) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server.Dsn(database)));
  return db::MysqlConnection::Connect(dsn, {});
}

Status FillOrders(const MariaDbServer& server, const std::string& database, int rows) {
  ORDO_ASSIGN_OR_RETURN(auto conn, Connect(server, ""));
  ORDO_RETURN_IF_ERROR(conn->Execute("CREATE DATABASE `" + database + "`"));
  ORDO_RETURN_IF_ERROR(
      conn->Execute("CREATE TABLE `" + database +
                    "`.orders (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40) NOT NULL, "
                    "code INT NOT NULL)"));
  return conn->Execute("INSERT INTO `" + database +
                       "`.orders (id, note, code) SELECT seq, CONCAT('order ', seq), seq "
                       "FROM `" +
                       database + "`.seq_1_to_" + std::to_string(rows));
}

Result<std::string> QueryValue(const MariaDbServer& server, const std::string& database,
                               const std::string& sql, const std::vector<db::SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(auto conn, Connect(server, database));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        params.empty() ? conn->Query(sql) : conn->Query(sql, params));
  if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0])
    return NotFound("no value: " + sql);
  return *rows.rows[0][0];
}

Result<std::string> IndexColumns(const MariaDbServer& server, const std::string& database,
                                 const std::string& table, const std::string& index) {
  return QueryValue(server, database,
                    "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                    "DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
                    {db::SqlValue::Text(table), db::SqlValue::Text(index)});
}

Result<std::string> OrdersFingerprint(const MariaDbServer& server, const std::string& database,
                                      const std::string& table) {
  return QueryValue(server, database,
                    "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('#', id, note, "
                    "code))), 0)) FROM `" +
                        table + "`");
}

Result<int64_t> InnodbTableId(const MariaDbServer& server, const std::string& database,
                              const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(
      std::string id,
      QueryValue(server, "",
                 "SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = '" +
                     database + "/" + table + "'"));
  return std::stoll(id);
}

Result<bool> TableExists(const MariaDbServer& server, const std::string& database,
                         const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(std::string n,
                        QueryValue(server, "",
                                   "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                                   "TABLE_SCHEMA = '" +
                                       database + "' AND TABLE_NAME = '" + table + "'"));
  return n != "0";
}

Result<std::vector<std::string>> OrdoObjects(const MariaDbServer& server,
                                             const std::string& database) {
  ORDO_ASSIGN_OR_RETURN(auto conn, Connect(server, ""));
  return OrdoTables(*conn, database);
}

::testing::AssertionResult NoOrdoObjects(const MariaDbServer& server, const std::string& database) {
  auto names = OrdoObjects(server, database);
  if (!names.ok())
    return ::testing::AssertionFailure()
           << "cannot list " << database << "'s tables: " << names.status().ToString();
  if (names->empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "ordo left in " << database << " on port " << server.port() << ":";
  for (const std::string& n : *names) failure << " " << n;
  return failure;
}

Result<std::unique_ptr<MetadataLockHolder>> MetadataLockHolder::Hold(const MariaDbServer& server,
                                                                     const std::string& database,
                                                                     const std::string& table) {
  std::unique_ptr<MetadataLockHolder> holder(new MetadataLockHolder());
  ORDO_ASSIGN_OR_RETURN(holder->conn_, Connect(server, database));
  ORDO_RETURN_IF_ERROR(holder->conn_->Execute("BEGIN"));
  // The read's shared metadata lock lasts until the transaction ends.
  ORDO_RETURN_IF_ERROR(holder->conn_->Query("SELECT 1 FROM `" + table + "` LIMIT 1").status());
  return holder;
}

Result<std::unique_ptr<MetadataLockHolder>> MetadataLockHolder::HoldRange(
    const MariaDbServer& server, const std::string& database, const std::string& table,
    const std::string& where) {
  std::unique_ptr<MetadataLockHolder> holder(new MetadataLockHolder());
  ORDO_ASSIGN_OR_RETURN(holder->conn_, Connect(server, database));
  ORDO_RETURN_IF_ERROR(
      holder->conn_->Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  ORDO_RETURN_IF_ERROR(holder->conn_->Execute("BEGIN"));
  ORDO_RETURN_IF_ERROR(
      holder->conn_->Query("SELECT 1 FROM `" + table + "` WHERE " + where + " FOR UPDATE")
          .status());
  return holder;
}

MetadataLockHolder::~MetadataLockHolder() { Release(); }

void MetadataLockHolder::Release() {
  if (!conn_) return;
  (void)conn_->Execute("ROLLBACK");
  conn_.reset();
}

Result<std::unique_ptr<MetadataLockHolder>> StallCopyOnceItHasRows(
    const MariaDbServer& server, const std::string& database, std::chrono::milliseconds timeout) {
  bool copying = PollUntil(
      [&] {
        auto exists = TableExists(server, database, "orders_ordo_new");
        if (!exists.ok() || !*exists) return false;
        auto rows = QueryValue(server, database, "SELECT COUNT(*) FROM orders_ordo_new");
        return rows.ok() && std::stoll(*rows) > 0;
      },
      timeout, std::chrono::milliseconds(5));
  if (!copying) return Timeout("no rows reached " + database + ".orders_ordo_new");
  return MetadataLockHolder::HoldRange(server, database, "orders_ordo_new", "id > 0");
}

void WriteConfig(const std::string& dir, const ConfigSpec& spec) {
  std::ofstream cfg(dir + "/ordo.yaml");
  cfg << "store: " << spec.store << "\n";
  if (!spec.worker.empty()) {
    cfg << "worker:\n";
    for (const auto& line : spec.worker) cfg << "  " << line << "\n";
  }
  if (!spec.engine.empty()) {
    cfg << "engine:\n";
    for (const auto& line : spec.engine) cfg << "  " << line << "\n";
  }
  cfg << "databases:\n  " << spec.database << ":\n    environments:\n";
  for (const auto& env : spec.environments) {
    cfg << "      " << env.name << ":\n"
        << "        cutover_policy: " << env.cutover_policy << "\n"
        << "        on_failure: " << env.on_failure << "\n"
        << "        revert_window: " << env.revert_window << "\n"
        << "        deployments:\n";
    for (const auto& d : env.deployments)
      cfg << "          - name: " << d.name << "\n            dsn: " << d.dsn << "\n";
  }
}

std::string ApplyDetached(const std::string& dir, const std::string& database,
                          const std::string& environment, const std::vector<std::string>& ddl) {
  std::vector<std::string> args = {"apply", "-d", database, "-e", environment};
  for (const auto& d : ddl) {
    args.push_back("--ddl");
    args.push_back(d);
  }
  for (const char* a : {"--yes", "--detach", "--json"}) args.push_back(a);
  OrdoResult r = RunOrdo(args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(doc.is_object()) << r.out;
  return doc.is_object() ? doc.value("id", "") : "";
}

namespace {

json DocumentOf(const std::string& dir, const std::vector<std::string>& args) {
  OrdoResult r = RunOrdo(args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(doc.is_object()) << r.out;
  return doc.is_object() ? doc : json();
}

}  // namespace

json StatusOf(const std::string& dir, const std::string& id) {
  return DocumentOf(dir, {"status", id, "--json"});
}

json EventsOf(const std::string& dir, const std::string& id) {
  return DocumentOf(dir, {"logs", id, "--json"});
}

json OperationOf(const json& status, const std::string& deployment) {
  if (!status.is_object() || !status.contains("operations")) return json();
  for (const auto& op : status["operations"])
    if (op.value("deployment", "") == deployment) return op;
  return json();
}

std::string WaitForFirstApplyId(const std::string& dir, std::chrono::milliseconds timeout) {
  std::string id;
  PollUntil(
      [&] {
        json list = json::parse(RunOrdo({"status", "--json"}, dir).out, nullptr, false);
        if (!list.is_object() || !list["applies"].is_array() || list["applies"].empty())
          return false;
        id = list["applies"][0]["id"];
        return true;
      },
      timeout, std::chrono::milliseconds(100));
  return id;
}

json WaitForStatus(const std::string& dir, const std::string& id,
                   const std::function<bool(const json&)>& done,
                   std::chrono::milliseconds timeout) {
  json doc;
  PollUntil(
      [&] {
        doc = StatusOf(dir, id);
        return doc.is_object() && done(doc);
      },
      timeout, std::chrono::milliseconds(100));
  return doc;
}

int64_t ParseRfc3339(const json& time) {
  if (!time.is_string()) return 0;
  std::string t = time.get<std::string>();
  std::tm tm{};
  int micros = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &micros) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000 + micros;
}

bool Settled(const json& status) {
  std::string s = status.is_object() ? status.value("state", "") : "";
  return s == "completed" || s == "failed" || s == "cancelled" || s == "reverted";
}

bool FinishedOnTargets(const json& apply) {
  if (!Settled(apply)) return false;
  for (const auto& op : apply.value("operations", json::array()))
    if (op.value("phase", "") == "dropping_old_table") return false;
  return true;
}

std::vector<json> EventsFor(const json& events, const std::string& deployment) {
  std::vector<json> out;
  if (!events.is_object() || !events.contains("events")) return out;
  for (const auto& e : events["events"])
    if (e["operation"].is_string() && e["operation"] == deployment) out.push_back(e);
  return out;
}

std::string MessageField(const std::string& message, const std::string& key) {
  std::string needle = key + "=";
  size_t at = message.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  size_t end = message.find_first_of(" :", at);
  return message.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

}  // namespace ordo::testing

namespace ordo::testing {

std::vector<std::string> LeaseViolations(const json& events) {
  std::vector<std::string> problems;
  if (!events.is_object() || !events.contains("events")) return {"no events document"};
  struct OperationReplay {
    std::string token;  // the latest claim's; empty after a release at the barrier
    int swap_starts = 0;
    int cutover_events = 0;
  };
  std::map<std::string, OperationReplay> ops;
  std::string swapping;  // the operation between the start of its swap and its end
  for (const auto& e : events["events"]) {
    if (!e["operation"].is_string()) continue;
    const std::string dep = e["operation"];
    OperationReplay& op = ops[dep];
    const std::string kind = e.value("kind", "");
    const std::string message = e.value("message", "");
    const std::string from = e["from"].is_string() ? e["from"].get<std::string>() : "";
    const std::string to = e["to"].is_string() ? e["to"].get<std::string>() : "";
    std::string token = MessageField(message, "token");
    if (kind == "claimed") {
      op.token = token;
    } else if (!token.empty()) {
      if (token != op.token)
        problems.push_back(dep + ": " + e.dump() + " written under token " + token +
                           ", the current lease is " +
                           (op.token.empty() ? "none (released)" : op.token));
      if (message.find("released at the barrier") != std::string::npos) op.token.clear();
    }
    if (kind == "cutover" && ++op.cutover_events > 1)
      problems.push_back(dep + ": a second cutover event: " + e.dump());
    if (to == "cutting_over" && from != "cutting_over") {
      if (++op.swap_starts > 1) problems.push_back(dep + ": its swap started twice: " + e.dump());
      if (!swapping.empty() && swapping != dep)
        problems.push_back(dep + " started its swap while " + swapping +
                           " was still swapping: " + e.dump());
      swapping = dep;
    }
    if ((to == "completed" || to == "failed" || to == "failed_retryable" || to == "cancelled") &&
        swapping == dep)
      swapping.clear();
  }
  return problems;
}

void FleetStoreTest::TearDown() {
  if (pg_ != nullptr && !schema_.empty())
    (void)pg_->Exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE", "ordo");
  if (server_ == nullptr) return;
  for (const auto& db : databases_) (void)server_->Exec("DROP DATABASE IF EXISTS `" + db + "`");
}

void FleetStoreTest::MakeStore(const std::string& prefix) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  server_ = server;
  std::string url = server->Dsn(prefix + "_store");
  if (GetParam() == "postgres") {
    ORDO_ASSIGN_PG_SERVER_OR_SKIP(pg);
    pg_ = pg;
    schema_ = prefix;
    url = pg->Dsn("ordo") + "?schema=" + schema_;
  } else {
    ORDO_ASSERT_OK(server->Exec("CREATE DATABASE `" + prefix + "_store`"));
  }
  databases_.push_back(prefix + "_store");
  store_ = url;
}

}  // namespace ordo::testing
