#include "binlog/preflight.h"

#include <charconv>
#include <map>
#include <string_view>

namespace ordo {
namespace {

std::string Value(const db::SqlRow& row, size_t i) {
  return i < row.size() ? row[i].value_or("") : "";
}

// True when one of the session's grant lines gives REPLICATION SLAVE (or ALL
// PRIVILEGES) on *.*. Privileges are compared whole: REPLICATION SLAVE ADMIN is a
// different privilege.
bool GrantsReplicationSlave(const db::SqlRows& grants) {
  for (const db::SqlRow& row : grants.rows) {
    std::string line = Value(row, 0);
    if (line.rfind("GRANT ", 0) != 0) continue;
    size_t on = line.find(" ON *.* TO ");
    if (on == std::string::npos) continue;
    std::string_view privileges(line.data() + 6, on - 6);
    while (!privileges.empty()) {
      size_t comma = privileges.find(", ");
      std::string_view p = privileges.substr(0, comma);
      if (p == "ALL PRIVILEGES" || p == "REPLICATION SLAVE") return true;
      if (comma == std::string_view::npos) break;
      privileges.remove_prefix(comma + 2);
    }
  }
  return false;
}

}  // namespace

Status CheckBinlogPrerequisites(db::MysqlConnection& conn) {
  // SHOW VARIABLES works on MariaDB and MySQL alike; variables a server lacks (e.g.
  // MySQL has no log_bin_compress) are simply absent.
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn.Query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', "
                 "'binlog_row_image', 'binlog_checksum', 'log_bin_compress')"));
  std::map<std::string, std::string> vars;
  for (const db::SqlRow& row : rows.rows) vars[Value(row, 0)] = Value(row, 1);
  std::vector<std::string> missing;
  if (vars["log_bin"] != "ON") missing.push_back("log_bin=ON (it is OFF)");
  if (vars["binlog_format"] != "ROW")
    missing.push_back("binlog_format=ROW (it is " + vars["binlog_format"] + ")");
  if (vars["binlog_row_image"] != "FULL")
    missing.push_back("binlog_row_image=FULL (it is " + vars["binlog_row_image"] + ")");
  // Connector/C 3.3 cannot read compressed events that carry no checksum.
  if (vars["log_bin_compress"] == "ON" && vars["binlog_checksum"] == "NONE")
    missing.push_back("binlog_checksum=CRC32 while log_bin_compress=ON (it is NONE)");
  ORDO_ASSIGN_OR_RETURN(db::SqlRows user, conn.Query("SELECT CURRENT_USER()"));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows grants, conn.Query("SHOW GRANTS"));
  if (!GrantsReplicationSlave(grants))
    missing.push_back("the REPLICATION SLAVE privilege (user " +
                      (user.rows.empty() ? std::string("?") : Value(user.rows[0], 0)) +
                      " lacks it)");
  if (missing.empty()) return Status::Ok();
  std::string message = "binlog change capture needs ";
  for (size_t i = 0; i < missing.size(); ++i) message += (i ? "; " : "") + missing[i];
  return FailedPrecondition(message);
}

Result<BinlogPosition> ReadServerBinlogPosition(db::MysqlConnection& conn) {
  constexpr int kAttempts = 5;
  BinlogPosition position;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    // The GTID read before and after the file position: equal means no transaction
    // committed in between, so the two describe the same point.
    ORDO_ASSIGN_OR_RETURN(db::SqlRows before, conn.Query("SELECT @@global.gtid_binlog_pos"));
    auto status = conn.Query("SHOW MASTER STATUS");
    if (!status.ok()) {
      if (status.status().Is(StatusCode::kFailedPrecondition))
        return FailedPrecondition(
            "cannot read the binlog position (SHOW MASTER STATUS needs "
            "the BINLOG MONITOR privilege): " +
            status.status().message());
      return status.status();
    }
    if (status->rows.empty()) return FailedPrecondition("binary logging is off (log_bin=OFF)");
    ORDO_ASSIGN_OR_RETURN(db::SqlRows after, conn.Query("SELECT @@global.gtid_binlog_pos"));
    position.file = Value(status->rows[0], 0);
    std::string offset = Value(status->rows[0], 1);
    position.offset = 0;
    std::from_chars(offset.data(), offset.data() + offset.size(), position.offset);
    std::string gtid = before.rows.empty() ? "" : Value(before.rows[0], 0);
    if (!after.rows.empty() && Value(after.rows[0], 0) == gtid) {
      position.gtid = gtid;
      return position;
    }
  }
  position.gtid.clear();
  return position;
}

}  // namespace ordo
