// The MariaDB store's view of the shared store core: its dialect
// (sqlstore::MariaDbDialect, store/sql/dialects.h) and the records' column lists and
// decoders (store/sql/records.h), named for the backend's files.
//
// Timestamps are DATETIME(6) in UTC (every session sets time_zone '+00:00'), read and
// written as "YYYY-MM-DD HH:MM:SS.ffffff" text (store/sql/datetime.h).
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(sqlstore::MariaDbDialect(),
//   row));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/mysql/connection.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "store/sql/dialects.h"
#include "store/sql/records.h"
#include "store/sql/session.h"

namespace ordo::mysql {

using sqlstore::CellInt;
using sqlstore::kApplyColumns;
using sqlstore::kChangeColumns;
using sqlstore::kEventColumns;
using sqlstore::kOperationColumnCount;
using sqlstore::kOperationColumns;
using sqlstore::kOperationCreatedAt;
using sqlstore::kRequestColumns;

}  // namespace ordo::mysql
