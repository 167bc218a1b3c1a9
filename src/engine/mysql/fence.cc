#include "engine/mysql/fence.h"

#include <algorithm>
#include <cstdio>

namespace ordo {
namespace {

constexpr size_t kMaxKey = 191;  // utf8mb4 VARCHAR primary key within 767 bytes

// FNV-1a, 64 bits: a stable short name for a long key.
uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Status Moved(const std::string& key) {
  return Status(StatusCode::kLeaseLost,
                "the target's fence for operation " + key +
                    " carries another driver's token: a newer engine holds this operation",
                /*retryable=*/true);
}

}  // namespace

TargetFence::TargetFence(std::string schema, std::string key, std::string token)
    : schema_(std::move(schema)), key_(std::move(key)), token_(std::move(token)) {}

std::string TargetFence::KeyFor(const std::string& operation_id,
                                std::vector<std::pair<std::string, std::string>> tables) {
  std::string key = operation_id;
  if (key.empty()) {
    std::sort(tables.begin(), tables.end());
    for (const auto& [schema, table] : tables) key += (key.empty() ? "" : ",") + schema + "." + table;
  }
  if (key.size() <= kMaxKey) return key;
  char hash[20];
  std::snprintf(hash, sizeof(hash), "#%016llx", static_cast<unsigned long long>(Fnv1a(key)));
  return key.substr(0, kMaxKey - 17) + hash;
}

std::string TargetFence::table() const { return QuoteTable(schema_, kFenceTable); }

Status TargetFence::Advance(MysqlConnection& conn) const {
  ORDO_RETURN_IF_ERROR(conn.Execute(
      "CREATE TABLE IF NOT EXISTS " + table() +
      " (`operation` VARCHAR(191) NOT NULL PRIMARY KEY, `token` VARCHAR(64) NOT NULL, "
      "`swap_kind` VARCHAR(16) NULL, `swap_file` VARCHAR(255) NULL, "
      "`swap_offset` BIGINT UNSIGNED NULL, `updated_at` DATETIME(6) NOT NULL) "
      "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
      "COMMENT='ordo: which engine holds each in-flight operation (target-side fencing)'"));
  auto r = conn.Execute("INSERT INTO " + table() +
                            " (`operation`, `token`, `updated_at`) VALUES (?, ?, NOW(6)) "
                            "ON DUPLICATE KEY UPDATE `token` = VALUES(`token`), "
                            "`updated_at` = VALUES(`updated_at`)",
                        {SqlValue::Text(key_), SqlValue::Text(token_)});
  return r.status();
}

Status TargetFence::Check(MysqlConnection& conn) const {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT `token` FROM " + table() +
                                                     " WHERE `operation` = ? LOCK IN SHARE MODE",
                                                 {SqlValue::Text(key_)}));
  if (rows.rows.empty() || rows.rows[0][0].value_or("") != token_) return Moved(key_);
  return Status::Ok();
}

Status TargetFence::CheckNow(MysqlConnection& conn) const {
  ORDO_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  Status s = Check(conn);
  Status end = conn.Execute(s.ok() ? "COMMIT" : "ROLLBACK");
  if (!s.ok()) return s;
  return end;
}

Status TargetFence::RecordSwap(MysqlConnection& conn, const std::string& kind,
                               const BinlogPosition& position) const {
  ORDO_ASSIGN_OR_RETURN(uint64_t n,
                        conn.Execute("UPDATE " + table() +
                                         " SET `swap_kind` = ?, `swap_file` = ?, `swap_offset` = ?, "
                                         "`updated_at` = NOW(6) WHERE `operation` = ? AND `token` = ?",
                                     {SqlValue::Text(kind), SqlValue::Text(position.file),
                                      SqlValue::UInt(position.offset), SqlValue::Text(key_),
                                      SqlValue::Text(token_)}));
  if (n == 0) {
    // Zero rows changed: either another token, or the same values already (a repeat).
    ORDO_ASSIGN_OR_RETURN(auto row, Read(conn));
    if (!row || row->token != token_) return Moved(key_);
  }
  return Status::Ok();
}

Result<std::optional<FenceRow>> TargetFence::Read(MysqlConnection& conn) const {
  ORDO_ASSIGN_OR_RETURN(SqlRows exists, conn.Query("SELECT 1 FROM information_schema.TABLES "
                                                   "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                                   {SqlValue::Text(schema_), SqlValue::Text(kFenceTable)}));
  if (exists.rows.empty()) return std::optional<FenceRow>();
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT `token`, `swap_kind`, `swap_file`, `swap_offset` FROM " +
                                                     table() + " WHERE `operation` = ?",
                                                 {SqlValue::Text(key_)}));
  if (rows.rows.empty()) return std::optional<FenceRow>();
  FenceRow row;
  row.token = rows.rows[0][0].value_or("");
  row.swap_kind = rows.rows[0][1].value_or("");
  row.swap_position.file = rows.rows[0][2].value_or("");
  row.swap_position.offset = std::stoull(rows.rows[0][3].value_or("0"));
  return std::optional<FenceRow>(std::move(row));
}

Status TargetFence::Remove(MysqlConnection& conn) const {
  ORDO_ASSIGN_OR_RETURN(auto row, Read(conn));
  if (!row) return Status::Ok();
  auto r = conn.Execute("DELETE FROM " + table() + " WHERE `operation` = ? AND `token` = ?",
                        {SqlValue::Text(key_), SqlValue::Text(token_)});
  return r.status();
}

}  // namespace ordo
