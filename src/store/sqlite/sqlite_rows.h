// Column lists and row decoders shared by the SQLite store's files: each SELECT of a
// whole record uses the matching k*Columns list so the decoders can read by position.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "ordo/model.h"
#include "ordo/status.h"
#include "store/sqlite/sqlite_db.h"

namespace ordo::sqlite {

extern const char* const kApplyColumns;      // for "FROM applies"
extern const char* const kOperationColumns;  // for "FROM apply_operations"
extern const char* const kChangeColumns;     // for "FROM apply_changes"
extern const char* const kRequestColumns;    // for "FROM control_requests"

// Internal, naming the value, for a state, kind or status ordo does not know.
Result<ApplyRecord> ApplyFromRow(const Statement& st);
Result<OperationRecord> OperationFromRow(const Statement& st);
ChangeRecord ChangeFromRow(const Statement& st);
Result<ControlRequestRecord> RequestFromRow(const Statement& st);

std::string OptionsJson(const ApplyOptions& options);

}  // namespace ordo::sqlite
