#include "explain.h"

#include <utility>
#include <vector>

#include "db/mysql/connection.h"
#include "db/postgres/connection.h"
#include "store/mysql/gates.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_store.h"
#include "store/sql/gates.h"
#include "store/sql/predicates.h"
#include "store/sql/records.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_session.h"

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
  std::vector<db::SqlValue> params;
};

std::string Cell(const std::optional<std::string>& v) {
  std::string s = v.value_or("");
  for (char& c : s)
    if (c == '|') c = '/';
  return s;
}

template <typename Conn>
Result<std::string> First(Conn& c, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, c.Query(sql));
  if (rows.rows.empty() || !rows.rows[0][0]) return NotFound("no row for: " + sql);
  return *rows.rows[0][0];
}

}  // namespace

Status PrintMysqlExplains(const std::string& url, const StoreOptions& options, std::ostream& out) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  // Plan exactly as the store's sessions do.
  ORDO_ASSIGN_OR_RETURN(auto conn, db::MysqlConnection::Connect(dsn, mysql::SessionOptions(dsn)));
  ORDO_ASSIGN_OR_RETURN(
      std::string op_text,
      First(*conn, "SELECT MAX(id) FROM apply_operations WHERE state = 'pending'"));
  ORDO_ASSIGN_OR_RETURN(
      std::string apply_text,
      First(*conn, "SELECT apply_id FROM apply_operations WHERE id = " + op_text));
  db::SqlValue op = db::SqlValue::Int(std::stoll(op_text));
  db::SqlValue apply = db::SqlValue::Int(std::stoll(apply_text));
  sqlstore::Gates g(sqlstore::MariaDbDialect(), options);
  mysql::ClaimSearch copy(g.copy, g.ArmA(), {g.ProbeB(), g.ProbeC(), g.ProbeD()});
  mysql::ClaimSearch cutover(g.cutover, g.Arm1(), {g.Arm2()});
  sqlstore::SqlText copy_next = copy.RareProbeAfter({"2000-01-01", 1});
  sqlstore::SqlText copy_lock = copy.lock.With({op});
  sqlstore::SqlText start =
      g.start_pending.With({db::SqlValue::Text("bench"), db::SqlValue::Text("token"), op});
  sqlstore::SqlText cutover_lock = cutover.lock.With({op});
  sqlstore::SqlText stop_lock = (g.stop_recheck + " FOR UPDATE SKIP LOCKED").With({apply});
  sqlstore::SqlText expiry_lock = (g.expiry_recheck + " FOR UPDATE SKIP LOCKED").With({apply});
  sqlstore::SqlText cleanup = g.cleanup.List();
  std::vector<Explained> queries = {
      {"copy claim: first claimable pending row (arm A, locked) and the rare-arm probe rows",
       copy.first.text, copy.first.params},
      {"copy claim: next page of the rare-arm probe (keyset)", copy_next.text, copy_next.params},
      {"copy claim: lock a probe row, every arm re-checked", copy_lock.text, copy_lock.params},
      {"copy claim: arm A's guarded UPDATE", start.text, start.params},
      {"cutover claim: first claimable parked row (arm 1, locked) and stale in-flight rows",
       cutover.first.text, cutover.first.params},
      {"cutover claim: lock a probe row, re-checked", cutover_lock.text, cutover_lock.params},
      {"barrier start: the earlier siblings, share-locked, each with its verdict",
       g.start_siblings.text,
       {op}},
      {"begin_cutover: the earlier siblings, share-locked, each with its verdict",
       g.turn_siblings.text,
       {op}},
      {"begin_cutover: guarded UPDATE",
       NowIn(sqlstore::BeginCutoverSql(sqlstore::MariaDbDialect())),
       {op, db::SqlValue::Text("token")}},
      {"cleanup claim: candidates", cleanup.text, cleanup.params},
      {"stop reconciliation: candidates", g.stop_candidates.text, g.stop_candidates.params},
      {"stop reconciliation: lock the apply and re-check", stop_lock.text, stop_lock.params},
      {"retry expiry: candidates", g.expiry_candidates.text, g.expiry_candidates.params},
      {"retry expiry: lock the apply and re-check", expiry_lock.text, expiry_lock.params},
      {"one active apply per deployment (per deployment of a create or restart)",
       sqlstore::DeploymentHolderCandidatesSql(sqlstore::MariaDbDialect()),
       {db::SqlValue::Text("d1"), db::SqlValue::Text("app"), db::SqlValue::Text("env1"),
        db::SqlValue::Int(0)}},
      {"fenced write: lock the leased row",
       "SELECT id FROM apply_operations o WHERE o.id = ? FOR UPDATE SKIP LOCKED",
       {op}},
      {"fenced write: guarded UPDATE",
       "UPDATE apply_operations SET updated_at = NOW(6) WHERE id = ? AND lease_token = ?",
       {op, db::SqlValue::Text("token")}},
  };
  for (const auto& q : queries) {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows plan, conn->Query("EXPLAIN " + q.sql, q.params));
    out << "\n**" << q.title << "**\n\n";
    out << "| id | select_type | table | type | key | rows | Extra |\n";
    out << "|---|---|---|---|---|---|---|\n";
    auto col = [&](const db::SqlRow& row, const std::string& name) -> std::optional<std::string> {
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

Status PrintPgExplains(const std::string& url, const StoreOptions& options, std::ostream& out) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  // Plan exactly as the store's sessions do (their settings, the store's schema).
  ORDO_ASSIGN_OR_RETURN(auto conn, db::PgConnection::Connect(dsn, postgres::PgSessionOptions(dsn)));
  ORDO_ASSIGN_OR_RETURN(
      std::string op_text,
      First(*conn, "SELECT MAX(id) FROM apply_operations WHERE state = 'pending'"));
  db::SqlValue op = db::SqlValue::Int(std::stoll(op_text));
  sqlstore::Gates g(sqlstore::PostgresDialect(), options);
  sqlstore::SqlText start =
      g.start_pending.With({db::SqlValue::Text("bench"), db::SqlValue::Text("token"), op});
  // The core's default search, which this backend replaces: the list of the first 32
  // candidates, each then locked by id and re-checked.
  sqlstore::SqlText default_list = g.copy.List() + " LIMIT 32";
  sqlstore::SqlText default_lock =
      (std::string("SELECT ") + sqlstore::kOperationColumns + " FROM apply_operations o WHERE " +
       g.copy.Any() + " AND o.id = ? FOR UPDATE SKIP LOCKED")
          .With({op});
  struct Query {
    std::string title;
    sqlstore::SqlText sql;
    bool analyze;  // run it (a read) for actual rows and times; a write is only planned
  };
  const Query queries[] = {
      {"copy claim: find and lock the first claimable row (PgStore::FirstCandidateSql)",
       postgres::PgStore::FirstCandidateSql(g.copy), true},
      {"copy claim: the whole claim in one statement (PgStore::CopyClaimSql)",
       sqlstore::SqlText("", {db::SqlValue::Text("bench"), db::SqlValue::Text("token"),
                              db::SqlValue::Text("start"), db::SqlValue::Text("recover")}) +
           postgres::PgStore::CopyClaimSql(g),
       false},
      {"copy claim: arm A's guarded UPDATE (the core's, for a `barrier` row)", start, false},
      {"cutover claim: find and lock the first claimable row",
       postgres::PgStore::FirstCandidateSql(g.cutover), true},
      {"cleanup claim: find and lock the first claimable row (PgStore::FirstCleanupSql)",
       postgres::PgStore::FirstCleanupSql(g), true},
      {"for comparison, the core's default search of the copy claim: its candidate list",
       default_list, true},
      {"… and its lock of one candidate by id, every arm re-checked", default_lock, true},
  };
  for (const Query& q : queries) {
    std::string explain = q.analyze ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN ";
    ORDO_ASSIGN_OR_RETURN(db::SqlRows plan, conn->Query(explain + q.sql.text, q.sql.params));
    out << "\n**" << q.title << "**" << (q.analyze ? "" : " (planned, not run)") << "\n\n```\n";
    for (const auto& row : plan.rows) out << row[0].value_or("") << "\n";
    out << "```\n";
  }
  return Status::Ok();
}

Status PrintSqliteExplains(const std::string& path, const StoreOptions& options,
                           std::ostream& out) {
  ORDO_ASSIGN_OR_RETURN(auto db, sqlite::SqliteDb::Open(path, 10'000));
  sqlstore::Gates g(sqlstore::SqliteDialect(), options);
  struct Claim {
    const char* title;
    sqlstore::SqlText sql;
  };
  const Claim claims[] = {{"copy claim", sqlite::CopyCandidatesSql(g)},
                          {"cutover claim", sqlite::CutoverCandidatesSql(g)},
                          {"cleanup claim", sqlite::CleanupCandidatesSql(g)}};
  for (const Claim& c : claims) {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows plan,
                          db->Query("EXPLAIN QUERY PLAN " + c.sql.text + " LIMIT 1", c.sql.params));
    out << "\n**" << c.title << "** (its candidate query, LIMIT 1)\n\n```\n";
    // Rows come in tree order: (id, parent, notused, detail); indent by depth.
    std::vector<std::pair<std::string, int>> depth;  // node id → depth
    for (const auto& row : plan.rows) {
      int d = 0;
      for (const auto& [id, at] : depth)
        if (id == row[1].value_or("")) d = at + 1;
      depth.emplace_back(row[0].value_or(""), d);
      out << std::string(2 * static_cast<size_t>(d), ' ') << row[3].value_or("") << "\n";
    }
    out << "```\n";
  }
  return Status::Ok();
}

}  // namespace ordo::bench
