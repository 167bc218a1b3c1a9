#include "engine/mysql/position.h"

#include <algorithm>
#include <cstdlib>

namespace ordo::engine {
namespace {

uint64_t FileNumber(const std::string& file) {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos) return 0;
  return std::strtoull(file.c_str() + dot + 1, nullptr, 10);
}

}  // namespace

int ComparePositions(const BinlogPosition& a, const BinlogPosition& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  uint64_t fa = FileNumber(a.file), fb = FileNumber(b.file);
  if (fa != fb) return fa < fb ? -1 : 1;
  if (a.offset != b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

std::string PositionString(const BinlogPosition& p) {
  return p.file + ":" + std::to_string(p.offset);
}

Result<BinlogPosition> ReadBinlogEnd(db::MysqlConnection& conn) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query("SHOW MASTER STATUS"));
  if (rows.rows.empty() || !rows.rows[0][0] || !rows.rows[0][1])
    return FailedPrecondition("binary logging is off on the target (log_bin)");
  BinlogPosition p;
  p.file = *rows.rows[0][0];
  p.offset = std::strtoull(rows.rows[0][1]->c_str(), nullptr, 10);
  return p;
}

Result<int64_t> BinlogBytesBetween(db::MysqlConnection& conn, const BinlogPosition& from,
                                   const BinlogPosition& to) {
  if (from.empty() || ComparePositions(to, from) <= 0) return int64_t{0};
  if (from.file == to.file) return static_cast<int64_t>(to.offset - from.offset);
  ORDO_ASSIGN_OR_RETURN(db::SqlRows logs, conn.Query("SHOW BINARY LOGS"));
  uint64_t first = FileNumber(from.file), last = FileNumber(to.file);
  int64_t bytes = static_cast<int64_t>(to.offset);
  for (const db::SqlRow& r : logs.rows) {
    if (r.size() < 2 || !r[0] || !r[1]) continue;
    uint64_t n = FileNumber(*r[0]);
    int64_t size = std::strtoll(r[1]->c_str(), nullptr, 10);
    if (n == first)
      bytes += std::max<int64_t>(0, size - static_cast<int64_t>(from.offset));
    else if (n > first && n < last)
      bytes += size;
  }
  return bytes;
}

Result<int64_t> BacklogSince(db::MysqlConnection& conn, const BinlogPosition& applied) {
  ORDO_ASSIGN_OR_RETURN(BinlogPosition end, ReadBinlogEnd(conn));
  return BinlogBytesBetween(conn, applied, end);
}

}  // namespace ordo::engine
