#include "engine/mysql/ownership.h"

#include "engine/mysql/table_info.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {
namespace {

// The record's definition. `CREATE TABLE … SELECT` fills it in the same statement:
// a session reading it meanwhile waits for the statement's metadata lock, so nobody
// ever reads a record table without its row (but one whose creator crashed mid-way).
constexpr const char* kRecordColumns =
    " (`table_name` VARCHAR(64) NOT NULL, `store_id` VARCHAR(64) NOT NULL, "
    "`store_name` VARCHAR(1024) NOT NULL, `apply_id` VARCHAR(255) NOT NULL, "
    "`operation` VARCHAR(191) NOT NULL, `deployment` VARCHAR(255) NOT NULL, "
    "`token` VARCHAR(64) NOT NULL, `swap_kind` VARCHAR(16) NULL, `swap_file` VARCHAR(255) NULL, "
    "`swap_offset` BIGINT UNSIGNED NULL, `created_at` DATETIME(6) NOT NULL, "
    "`updated_at` DATETIME(6) NOT NULL, PRIMARY KEY (`table_name`)) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
    "COMMENT='ordo: the operation that owns this table''s ordo tables, and its fence' ";

std::string NameList(const std::string& schema, const std::string& table) {
  std::string out;
  for (const std::string& name : OwnedTableNames(table))
    out += (out.empty() ? "" : ", ") + db::QuoteTable(schema, name);
  return out;
}

}  // namespace

Result<std::optional<OwnerRecord>> ReadOwnerRecord(db::MysqlConnection& conn,
                                                   const std::string& schema,
                                                   const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(auto record, ReadOwnerRecordNamed(conn, schema, OwnerTableName(table)));
  if (record && record->table.empty()) record->table = table;
  return record;
}

Result<std::optional<OwnerRecord>> ReadOwnerRecordNamed(db::MysqlConnection& conn,
                                                        const std::string& schema,
                                                        const std::string& record_table) {
  auto rows = conn.Query(
      "SELECT `table_name`, `store_id`, `store_name`, `apply_id`, `operation`, `deployment`, "
      "`token`, `swap_kind`, `swap_file`, `swap_offset` FROM " +
      db::QuoteTable(schema, record_table) + " LIMIT 1");
  if (!rows.ok()) {
    if (rows.status().Is(StatusCode::kNotFound)) return std::optional<OwnerRecord>();
    // A table under the record's name but not of its shape names no owner.
    if (rows.status().Is(StatusCode::kInvalidArgument))
      return std::optional<OwnerRecord>(OwnerRecord{});
    return rows.status();
  }
  OwnerRecord record;
  if (rows->rows.empty()) return std::optional<OwnerRecord>(std::move(record));
  const db::SqlRow& r = rows->rows[0];
  record.table = r[0].value_or("");
  record.owner.store_id = r[1].value_or("");
  record.owner.store_name = r[2].value_or("");
  record.owner.apply_id = r[3].value_or("");
  record.owner.operation = r[4].value_or("");
  record.owner.deployment = r[5].value_or("");
  record.token = r[6].value_or("");
  record.swap_kind = r[7].value_or("");
  record.swap_position.file = r[8].value_or("");
  record.swap_position.offset = std::stoull(r[9].value_or("0"));
  return std::optional<OwnerRecord>(std::move(record));
}

Ownership::Ownership(TargetOwner owner, std::vector<std::pair<std::string, std::string>> tables,
                     std::string token)
    : owner_(std::move(owner)), tables_(std::move(tables)), token_(std::move(token)) {}

Status Ownership::Refuse(size_t index, const std::optional<OwnerRecord>& record,
                         const std::string& name) const {
  const auto& [schema, table] = tables_[index];
  std::string where = db::QuoteTable(schema, table);
  if (record && !record->owner.operation.empty())
    return FailedPrecondition(
        where + ": ordo's tables for it (" + NameList(schema, table) + ") belong to " +
        record->owner.Describe() +
        "; nothing was created. Let that apply finish, or cancel it; if it is "
        "abandoned, clear them with `ordo cleanup -d DB -e ENV --drop --owner " +
        record->owner.apply_id + "`");
  if (record)
    return FailedPrecondition(
        db::QuoteTable(schema, OwnerTableName(table)) +
        " names no owner (its operation stopped while recording itself); nothing "
        "was created. Clear it with `ordo cleanup -d DB -e ENV --drop`");
  return FailedPrecondition(
      db::QuoteTable(schema, name) +
      " exists but no ordo operation owns it (left by an older ordo, or made by "
      "hand); nothing was created. Drop or rename it, or clear it with "
      "`ordo cleanup -d DB -e ENV --drop`");
}

Status Ownership::CreateRecord(db::MysqlConnection& conn, size_t index) const {
  const auto& [schema, table] = tables_[index];
  return conn
      .Execute("CREATE TABLE " + db::QuoteTable(schema, OwnerTableName(table)) + kRecordColumns +
                   "SELECT ? AS `table_name`, ? AS `store_id`, ? AS `store_name`, ? AS `apply_id`, "
                   "? AS `operation`, ? AS `deployment`, ? AS `token`, NOW(6) AS `created_at`, "
                   "NOW(6) AS `updated_at`",
               {db::SqlValue::Text(table), db::SqlValue::Text(owner_.store_id),
                db::SqlValue::Text(owner_.store_name), db::SqlValue::Text(owner_.apply_id),
                db::SqlValue::Text(owner_.operation), db::SqlValue::Text(owner_.deployment),
                db::SqlValue::Text(token_)})
      .status();
}

Result<bool> Ownership::Claim(db::MysqlConnection& conn) const {
  // Look at every table first: a refusal leaves the target as it was.
  std::vector<bool> ours(tables_.size(), false);
  for (size_t i = 0; i < tables_.size(); ++i) {
    const auto& [schema, table] = tables_[i];
    ORDO_ASSIGN_OR_RETURN(auto record, ReadOwnerRecord(conn, schema, table));
    if (record) {
      if (!record->owner.SameOperation(owner_)) return Refuse(i, record, "");
      ours[i] = true;
      continue;
    }
    for (const std::string& name : OwnedTableNames(table)) {
      ORDO_ASSIGN_OR_RETURN(bool taken, TableExists(conn, schema, name));
      if (!taken) continue;
      // An operation that recorded itself since we looked made it: that one is named.
      ORDO_ASSIGN_OR_RETURN(auto now, ReadOwnerRecord(conn, schema, table));
      if (!now || !now->owner.SameOperation(owner_)) return Refuse(i, now, name);
      ours[i] = true;
      break;
    }
  }
  std::vector<size_t> made;
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (ours[i]) continue;
    Status s = CreateRecord(conn, i);
    if (s.Is(StatusCode::kAlreadyExists)) {
      // Another engine recorded itself since we looked: this operation's (a successor
      // of ours), or another, which wins.
      auto record = ReadOwnerRecord(conn, tables_[i].first, tables_[i].second);
      if (record.ok() && *record && (*record)->owner.SameOperation(owner_)) continue;
      s = record.ok() ? Refuse(i, *record, OwnerTableName(tables_[i].second)) : record.status();
    }
    if (!s.ok()) {
      for (size_t j : made)
        (void)conn.Execute("DROP TABLE IF EXISTS " +
                           db::QuoteTable(tables_[j].first, OwnerTableName(tables_[j].second)));
      return s;
    }
    made.push_back(i);
  }
  return !made.empty();
}

Result<bool> Ownership::Owns(db::MysqlConnection& conn, size_t index) const {
  ORDO_ASSIGN_OR_RETURN(auto record,
                        ReadOwnerRecord(conn, tables_[index].first, tables_[index].second));
  return record && record->owner.SameOperation(owner_);
}

Status Ownership::Release(db::MysqlConnection& conn) const {
  // The first table's record is the fence: it goes last, so that an engine finding
  // any of the records still holds the operation until everything else is gone.
  for (size_t k = tables_.size(); k-- > 0;) {
    ORDO_ASSIGN_OR_RETURN(bool ours, Owns(conn, k));
    if (!ours) continue;
    ORDO_RETURN_IF_ERROR(
        conn.Execute("DROP TABLE IF EXISTS " +
                     db::QuoteTable(tables_[k].first, OwnerTableName(tables_[k].second))));
  }
  return Status::Ok();
}

}  // namespace ordo::engine
