// The MariaDB store's dialect of the shared store core (the records and their
// decoders are store/sql/records.h).
//
// Timestamps are DATETIME(6) in UTC (every session sets time_zone '+00:00'), read and
// written as "YYYY-MM-DD HH:MM:SS.ffffff" text (store/sql/datetime.h).
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(MysqlDialect(), row));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/mysql/connection.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "store/sql/records.h"
#include "store/sql/session.h"

namespace ordo::mysql {

// The MariaDB/MySQL dialect of the store core: NOW(6), row locks, DATETIME(6) text.
const sqlstore::Dialect& MysqlDialect();

using sqlstore::CellInt;
using sqlstore::kApplyColumns;
using sqlstore::kChangeColumns;
using sqlstore::kEventColumns;
using sqlstore::kOperationColumnCount;
using sqlstore::kOperationColumns;
using sqlstore::kOperationCreatedAt;
using sqlstore::kRequestColumns;

}  // namespace ordo::mysql
