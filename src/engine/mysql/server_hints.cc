#include "engine/mysql/server_hints.h"

#include <cstdlib>

namespace ordo::engine {
namespace {

std::string Mib(int64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }

}  // namespace

std::string BufferPoolNotice(int64_t pool_bytes, const std::vector<TableBytes>& tables) {
  int64_t copied = 0;
  std::string named;
  for (const TableBytes& t : tables) {
    if (t.bytes <= 0) continue;
    copied += t.bytes;
    named += (named.empty() ? "" : ", ") + t.table + " " + Mib(t.bytes);
  }
  if (pool_bytes <= 0 || copied == 0 || 2 * copied <= pool_bytes) return "";
  return "the InnoDB buffer pool (" + Mib(pool_bytes) +
         ") cannot hold the copied tables and their shadows at once (" + named +
         ", twice over): the copy, index builds and change application will read from disk, "
         "so under heavy writes the migration takes longer and the swap may block writes "
         "longer (innodb_buffer_pool_size)";
}

Result<std::string> ReadBufferPoolNotice(
    db::MysqlConnection& conn, const std::vector<std::pair<std::string, std::string>>& tables) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows pool, conn.Query("SELECT @@innodb_buffer_pool_size"));
  std::vector<TableBytes> sizes;
  for (const auto& [schema, name] : tables) {
    ORDO_ASSIGN_OR_RETURN(
        db::SqlRows rows,
        conn.Query("SELECT DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES "
                   "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                   {db::SqlValue::Text(schema), db::SqlValue::Text(name)}));
    int64_t bytes = rows.rows.empty() ? 0 : std::atoll(rows.rows[0][0].value_or("0").c_str());
    sizes.push_back({db::QuoteTable(schema, name), bytes});
  }
  return BufferPoolNotice(std::atoll(pool.rows.at(0)[0].value_or("0").c_str()), sizes);
}

}  // namespace ordo::engine
