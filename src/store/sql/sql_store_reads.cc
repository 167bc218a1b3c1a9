// SqlStore: the reads of applies, operations, changes, requests and events, each one
// statement on a read session of the backend.
#include <string>

#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace ordo::sqlstore {
Result<std::vector<ControlRequestRecord>> SqlStore::ReadRequests(Session& s, int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        s.Query(std::string("SELECT ") + kRequestColumns +
                                    " FROM control_requests WHERE apply_id = ? ORDER BY id",
                                {db::SqlValue::Int(apply_id)}));
  return DecodeRows<ControlRequestRecord>(
      rows, [&](const db::SqlRow& r) { return DecodeRequest(d_, r); });
}

Result<ApplyRecord> SqlStore::GetApply(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadApply(*s, apply_id);
}

Result<ApplyRecord> SqlStore::FindApply(std::string_view external_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s->Query(std::string("SELECT ") + kApplyColumns +
                                                       " FROM applies a WHERE a.external_id = ?",
                                                   {db::SqlValue::Text(std::string(external_id))}));
  if (rows.rows.empty()) return NotFound("apply " + std::string(external_id) + " not found");
  return DecodeApply(d_, rows.rows[0]);
}

Result<std::vector<ApplyRecord>> SqlStore::ListApplies(int limit) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  // A negative limit lists everything.
  std::string sql = std::string("SELECT ") + kApplyColumns + " FROM applies a ORDER BY a.id DESC";
  std::vector<db::SqlValue> params;
  if (limit >= 0) {
    sql += " LIMIT ?";
    params.push_back(db::SqlValue::Int(limit));
  }
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s->Query(sql, params));
  return DecodeRows<ApplyRecord>(rows, [&](const db::SqlRow& r) { return DecodeApply(d_, r); });
}

Result<std::vector<OperationRecord>> SqlStore::ListOperations(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadOperations(*s, apply_id);
}

Result<OperationRecord> SqlStore::GetOperation(int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadOperation(*s, operation_id);
}

Result<std::vector<ChangeRecord>> SqlStore::ListChanges(int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        s->Query(std::string("SELECT ") + kChangeColumns +
                                     " FROM apply_changes WHERE operation_id = ? ORDER BY id",
                                 {db::SqlValue::Int(operation_id)}));
  return DecodeRows<ChangeRecord>(rows, [&](const db::SqlRow& r) { return DecodeChange(d_, r); });
}

Result<std::vector<ControlRequestRecord>> SqlStore::ListRequests(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadRequests(*s, apply_id);
}

Result<std::vector<EventRecord>> SqlStore::ListEvents(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        s->Query(std::string("SELECT ") + kEventColumns +
                                     " FROM apply_events e LEFT JOIN apply_operations o ON "
                                     "o.id = e.operation_id WHERE e.apply_id = ? ORDER BY e.id",
                                 {db::SqlValue::Int(apply_id)}));
  return DecodeRows<EventRecord>(rows, [&](const db::SqlRow& r) { return DecodeEvent(d_, r); });
}

}  // namespace ordo::sqlstore
