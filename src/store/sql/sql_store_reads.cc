// SqlStore: the reads of applies, operations, changes, requests and events, each one
// statement on a read session of the backend.
#include <string>

#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace ordo::sqlstore {
namespace {

template <typename Record>
Result<std::vector<Record>> DecodeAll(const SqlRows& rows,
                                      Result<Record> (*decode)(const Dialect&, const SqlRow&),
                                      const Dialect& d) {
  std::vector<Record> out;
  out.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(Record r, decode(d, row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<ChangeRecord> DecodeChangeRow(const Dialect& d, const SqlRow& row) { return DecodeChange(d, row); }
Result<ControlRequestRecord> DecodeRequestRow(const Dialect& d, const SqlRow& row) {
  return DecodeRequest(d, row);
}
Result<EventRecord> DecodeEventRow(const Dialect& d, const SqlRow& row) { return DecodeEvent(d, row); }
Result<ApplyRecord> DecodeApplyRow(const Dialect& d, const SqlRow& row) { return DecodeApply(d, row); }

}  // namespace

Result<std::vector<ControlRequestRecord>> SqlStore::ReadRequests(Session& s, int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, s.Query(std::string("SELECT ") + kRequestColumns +
                                                  " FROM control_requests WHERE apply_id = ? ORDER BY id",
                                              {SqlValue::Int(apply_id)}));
  return DecodeAll<ControlRequestRecord>(rows, &DecodeRequestRow, d_);
}

Result<ApplyRecord> SqlStore::GetApply(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadApply(*s, apply_id);
}

Result<ApplyRecord> SqlStore::FindApply(std::string_view external_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, s->Query(std::string("SELECT ") + kApplyColumns +
                                                   " FROM applies a WHERE a.external_id = ?",
                                               {SqlValue::Text(std::string(external_id))}));
  if (rows.rows.empty()) return NotFound("apply " + std::string(external_id) + " not found");
  return DecodeApply(d_, rows.rows[0]);
}

Result<std::vector<ApplyRecord>> SqlStore::ListApplies(int limit) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  // A negative limit lists everything.
  std::string sql = std::string("SELECT ") + kApplyColumns + " FROM applies a ORDER BY a.id DESC";
  std::vector<SqlValue> params;
  if (limit >= 0) {
    sql += " LIMIT ?";
    params.push_back(SqlValue::Int(limit));
  }
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, s->Query(sql, params));
  return DecodeAll<ApplyRecord>(rows, &DecodeApplyRow, d_);
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
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, s->Query(std::string("SELECT ") + kChangeColumns +
                                                   " FROM apply_changes WHERE operation_id = ? ORDER BY id",
                                               {SqlValue::Int(operation_id)}));
  return DecodeAll<ChangeRecord>(rows, &DecodeChangeRow, d_);
}

Result<std::vector<ControlRequestRecord>> SqlStore::ListRequests(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  return ReadRequests(*s, apply_id);
}

Result<std::vector<EventRecord>> SqlStore::ListEvents(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        s->Query(std::string("SELECT ") + kEventColumns +
                                     " FROM apply_events e LEFT JOIN apply_operations o ON "
                                     "o.id = e.operation_id WHERE e.apply_id = ? ORDER BY e.id",
                                 {SqlValue::Int(apply_id)}));
  return DecodeAll<EventRecord>(rows, &DecodeEventRow, d_);
}

}  // namespace ordo::sqlstore
