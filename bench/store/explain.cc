#include "explain.h"

#include <utility>
#include <vector>

#include "db/mysql/connection.h"
#include "store/mysql/gates.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/sql/predicates.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_gates.h"

namespace ordo::bench {
namespace {

// The store core's "{now}" spelled as MariaDB's clock.
std::string NowIn(std::string sql) {
  for (size_t at; (at = sql.find("{now}")) != std::string::npos;) sql.replace(at, 5, "NOW(6)");
  return sql;
}

struct Explained {
  std::string title;
  std::string sql;
  std::vector<SqlValue> params;
};

std::string Cell(const std::optional<std::string>& v) {
  std::string s = v.value_or("");
  for (char& c : s)
    if (c == '|') c = '/';
  return s;
}

Result<std::string> First(MysqlConnection& c, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, c.Query(sql));
  if (rows.rows.empty() || !rows.rows[0][0]) return NotFound("no row for: " + sql);
  return *rows.rows[0][0];
}

}  // namespace

Status PrintMysqlExplains(const std::string& url, const StoreOptions& options, std::ostream& out) {
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(url));
  // Plan exactly as the store's sessions do.
  ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn, mysql::SessionOptions(dsn)));
  ORDO_ASSIGN_OR_RETURN(std::string op_text,
                        First(*conn, "SELECT MAX(id) FROM apply_operations WHERE state = 'pending'"));
  ORDO_ASSIGN_OR_RETURN(std::string apply_text,
                        First(*conn, "SELECT apply_id FROM apply_operations WHERE id = " + op_text));
  SqlValue op = SqlValue::Int(std::stoll(op_text));
  SqlValue apply = SqlValue::Int(std::stoll(apply_text));
  SqlValue now = SqlValue::Text("2030-01-01 00:00:00.000000");
  mysql::GateParams g(options);
  std::vector<Explained> queries = {
      {"copy claim: first claimable pending row (arm A, locked) and the rare-arm probe rows",
       g.copy.first.sql, g.copy.first.params},
      {"copy claim: next page of the rare-arm probe (keyset)",
       g.copy.RareProbeAfter({"2000-01-01", 1}).sql, g.copy.RareProbeAfter({"2000-01-01", 1}).params},
      {"copy claim: lock a probe row, every arm re-checked", g.copy.lock.sql,
       g.copy.lock.With({op}).params},
      {"copy claim: arm A's guarded UPDATE", g.start_pending.sql,
       {now, SqlValue::Text("bench"), SqlValue::Text("token"), now, now, op}},
      {"cutover claim: first claimable parked row (arm 1, locked) and stale in-flight rows",
       g.cutover.first.sql, g.cutover.first.params},
      {"cutover claim: lock a probe row, re-checked", g.cutover.lock.sql,
       g.cutover.lock.With({op}).params},
      {"begin_cutover: guarded UPDATE",
       NowIn(sqlstore::BeginCutoverSql(mysql::MysqlDialect())),
       {op, SqlValue::Text("token")}},
      {"stop reconciliation: candidates", g.stop_candidates.sql, g.stop_candidates.params},
      {"stop reconciliation: lock the apply and re-check", g.stop_recheck.sql,
       g.stop_recheck.With({apply}).params},
      {"retry expiry: candidates", g.expiry_candidates.sql, g.expiry_candidates.params},
      {"retry expiry: lock the apply and re-check", g.expiry_recheck.sql,
       g.expiry_recheck.With({apply}).params},
      {"one active apply per deployment (per deployment of a create or restart)",
       sqlstore::DeploymentHolderCandidatesSql(mysql::MysqlDialect()),
       {SqlValue::Text("d1"), SqlValue::Text("app"), SqlValue::Text("env1"), SqlValue::Int(0)}},
      {"fenced write: lock the leased row",
       "SELECT id FROM apply_operations o WHERE o.id = ? FOR UPDATE NOWAIT", {op}},
      {"fenced write: guarded UPDATE",
       "UPDATE apply_operations SET updated_at = NOW(6) WHERE id = ? AND lease_token = ?",
       {op, SqlValue::Text("token")}},
  };
  for (const auto& q : queries) {
    ORDO_ASSIGN_OR_RETURN(SqlRows plan, conn->Query("EXPLAIN " + q.sql, q.params));
    out << "\n**" << q.title << "**\n\n";
    out << "| id | select_type | table | type | key | rows | Extra |\n";
    out << "|---|---|---|---|---|---|---|\n";
    auto col = [&](const SqlRow& row, const std::string& name) -> std::optional<std::string> {
      for (size_t i = 0; i < plan.columns.size(); ++i)
        if (plan.columns[i] == name) return row[i];
      return std::nullopt;
    };
    for (const auto& row : plan.rows) {
      out << "| " << Cell(col(row, "id")) << " | " << Cell(col(row, "select_type")) << " | "
          << Cell(col(row, "table")) << " | " << Cell(col(row, "type")) << " | "
          << Cell(col(row, "key")) << " | " << Cell(col(row, "rows")) << " | "
          << Cell(col(row, "Extra")) << " |\n";
    }
  }
  return Status::Ok();
}

Status PrintSqliteExplains(const std::string& path, std::ostream& out) {
  ORDO_ASSIGN_OR_RETURN(auto db, sqlite::SqliteDb::Open(path, 10'000));
  struct Claim {
    const char* title;
    const std::string& sql;
  };
  const Claim claims[] = {{"copy claim", sqlite::CopyCandidatesSql()},
                          {"cutover claim", sqlite::CutoverCandidatesSql()},
                          {"cleanup claim", sqlite::CleanupCandidatesSql()}};
  for (const Claim& c : claims) {
    ORDO_ASSIGN_OR_RETURN(auto st, db->Prepare("EXPLAIN QUERY PLAN " + c.sql + " LIMIT 1"));
    out << "\n**" << c.title << "** (its candidate query, LIMIT 1)\n\n```\n";
    // Rows come in tree order: (id, parent, notused, detail); indent by depth.
    std::vector<std::pair<int64_t, int>> depth;  // node id → depth
    while (true) {
      ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      int d = 0;
      for (const auto& [id, at] : depth)
        if (id == st.Int(1)) d = at + 1;
      depth.emplace_back(st.Int(0), d);
      out << std::string(2 * static_cast<size_t>(d), ' ') << st.Text(3) << "\n";
    }
    out << "```\n";
  }
  return Status::Ok();
}

}  // namespace ordo::bench
