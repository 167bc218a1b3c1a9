// What a statement (QUERY event) in a row-format binlog means for change capture.
//
// In row format, data changes arrive as rows events; QUERY events carry transaction
// control and DDL. BEGIN, savepoints and XA START/END only frame rows. COMMIT, a
// whole-transaction ROLLBACK (logged when it touched non-transactional tables,
// whose changes stand) and XA PREPARE/COMMIT/ROLLBACK end an event group. Anything
// else is a schema or server statement (ALTER, CREATE, DROP, TRUNCATE, …).
//
// Thread-safety: pure function.
//
//   ClassifyStatement("COMMIT");          // StatementRole::kEndsGroup
//   ClassifyStatement("ALTER TABLE t …");  // StatementRole::kDdl
#pragma once

#include <string_view>

namespace ordo::binlog {

enum class StatementRole { kFraming, kEndsGroup, kDdl };

StatementRole ClassifyStatement(std::string_view sql);

}  // namespace ordo::binlog
