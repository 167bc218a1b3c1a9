// The store's records as result rows, the same on every backend: the column lists
// each SELECT of a whole record uses, and the decoders that read them by position.
// Timestamps are read with the dialect's parse_time, so no statement spells a
// conversion.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(SqlRows rows, session.Query(std::string("SELECT ") +
//                         kOperationColumns + " FROM apply_operations o WHERE o.id = ?", …));
//   ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(dialect, rows.rows[0]));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/sql_value.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "store/sql/session.h"

namespace ordo::sqlstore {

// Columns of apply_operations aliased `o`, in DecodeOperation's order
// (kOperationColumnCount of them; created_at is at index kOperationCreatedAt).
extern const char kOperationColumns[];
inline constexpr int kOperationColumnCount = 19;
inline constexpr int kOperationCreatedAt = 16;
// Columns of applies aliased `a`, in DecodeApply's order.
extern const char kApplyColumns[];
extern const char kChangeColumns[];
extern const char kRequestColumns[];
// apply_events aliased `e` plus the operation's deployment (LEFT JOIN `o`).
extern const char kEventColumns[];

Result<OperationRecord> DecodeOperation(const Dialect& d, const db::SqlRow& row, size_t first = 0);
Result<ApplyRecord> DecodeApply(const Dialect& d, const db::SqlRow& row, size_t first = 0);
Result<ChangeRecord> DecodeChange(const Dialect& d, const db::SqlRow& row);
Result<ControlRequestRecord> DecodeRequest(const Dialect& d, const db::SqlRow& row);
Result<EventRecord> DecodeEvent(const Dialect& d, const db::SqlRow& row);

// Every row of `rows` decoded by `decode(row)` (a Result<Record>); the first error
// otherwise.
template <typename Record, typename Decode>
Result<std::vector<Record>> DecodeRows(const db::SqlRows& rows, Decode decode) {
  std::vector<Record> out;
  out.reserve(rows.rows.size());
  for (const db::SqlRow& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(Record r, decode(row));
    out.push_back(std::move(r));
  }
  return out;
}

// Integer cell; Internal for NULL or garbage (a schema mismatch, not user input).
Result<int64_t> CellInt(const db::SqlRow& row, size_t i);
// The "options" column of applies: `options` and who created the apply.
std::string OptionsJson(const ApplyOptions& options, std::string_view created_by);

}  // namespace ordo::sqlstore
