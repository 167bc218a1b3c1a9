#include "engine/mysql/fence.h"

#include <algorithm>
#include <cstdio>

#include "engine/mysql/table_plan.h"

namespace ordo::engine {
namespace {

constexpr size_t kMaxKey = 191;  // the record's `operation` column, VARCHAR(191)

// FNV-1a, 64 bits: a stable short name for a long key.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Status Moved(const std::string& operation) {
  return Status(StatusCode::kLeaseLost,
                "the target's fence of " + operation +
                    " carries another driver's token: a newer engine holds this operation",
                /*retryable=*/true);
}

}  // namespace

TargetFence::TargetFence(std::string schema, std::string table, TargetOwner owner,
                         std::string token)
    : schema_(std::move(schema)),
      table_(std::move(table)),
      owner_(std::move(owner)),
      token_(std::move(token)) {}

std::string TargetFence::KeyFor(const std::string& operation_id,
                                std::vector<std::pair<std::string, std::string>> tables) {
  std::string key = operation_id;
  if (key.empty()) {
    std::sort(tables.begin(), tables.end());
    for (const auto& [schema, table] : tables)
      key += (key.empty() ? "" : ",") + schema + "." + table;
  }
  if (key.size() <= kMaxKey) return key;
  char hash[20];
  std::snprintf(hash, sizeof(hash), "#%016llx", static_cast<unsigned long long>(Fnv1a(key)));
  return key.substr(0, kMaxKey - 17) + hash;
}

std::string TargetFence::table() const { return db::QuoteTable(schema_, OwnerTableName(table_)); }

Status TargetFence::Advance(db::MysqlConnection& conn) const {
  ORDO_ASSIGN_OR_RETURN(
      uint64_t n,
      conn.Execute("UPDATE " + table() +
                       " SET `token` = ?, `updated_at` = NOW(6) "
                       "WHERE `table_name` = ? AND `store_id` = ? AND `operation` = ?",
                   {db::SqlValue::Text(token_), db::SqlValue::Text(table_),
                    db::SqlValue::Text(owner_.store_id), db::SqlValue::Text(owner_.operation)}));
  if (n == 0)
    return FailedPrecondition(table() + " does not name this operation (" + owner_.Describe() +
                              "); it cannot be fenced");
  return Status::Ok();
}

Status TargetFence::Check(db::MysqlConnection& conn) const {
  auto rows =
      conn.Query("SELECT `token` FROM " + table() + " WHERE `table_name` = ? LOCK IN SHARE MODE",
                 {db::SqlValue::Text(table_)});
  if (!rows.ok()) {
    // The record is gone: the operation's work on the target ended under another engine.
    if (rows.status().Is(StatusCode::kNotFound)) return Moved(owner_.Describe());
    return rows.status();
  }
  if (rows->rows.empty() || rows->rows[0][0].value_or("") != token_)
    return Moved(owner_.Describe());
  return Status::Ok();
}

Status TargetFence::CheckNow(db::MysqlConnection& conn) const {
  ORDO_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  Status s = Check(conn);
  Status end = conn.Execute(s.ok() ? "COMMIT" : "ROLLBACK");
  if (!s.ok()) return s;
  return end;
}

Status TargetFence::RecordSwap(db::MysqlConnection& conn, const std::string& kind,
                               const BinlogPosition& position) const {
  ORDO_ASSIGN_OR_RETURN(
      uint64_t n, conn.Execute("UPDATE " + table() +
                                   " SET `swap_kind` = ?, `swap_file` = ?, `swap_offset` = ?, "
                                   "`updated_at` = NOW(6) WHERE `table_name` = ? AND `token` = ?",
                               {db::SqlValue::Text(kind), db::SqlValue::Text(position.file),
                                db::SqlValue::UInt(position.offset), db::SqlValue::Text(table_),
                                db::SqlValue::Text(token_)}));
  if (n == 0) {
    // Zero rows changed: either another token, or the same values already (a repeat).
    ORDO_ASSIGN_OR_RETURN(auto record, Read(conn));
    if (!record || record->token != token_) return Moved(owner_.Describe());
  }
  return Status::Ok();
}

Result<std::optional<OwnerRecord>> TargetFence::Read(db::MysqlConnection& conn) const {
  return ReadOwnerRecord(conn, schema_, table_);
}

}  // namespace ordo::engine
