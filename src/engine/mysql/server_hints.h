// Advice about the target server that does not stop an operation: preflight finds it,
// progress carries it (EngineProgress::notices) and the operator records each once as
// a `notice` event.
//
// Thread-safety: pure functions, and a read over a connection the caller owns.
//
//   std::string notice = BufferPoolNotice(256 << 20, {{"`shop`.`orders`", 240 << 20}});
//   // "the InnoDB buffer pool (256 MiB) cannot hold the copied tables and their …"
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo::engine {

struct TableBytes {
  std::string table;  // as named to the user, e.g. `shop`.`orders`
  int64_t bytes = 0;  // data and indexes
};

// Empty when the buffer pool holds every copied table twice (the table and its
// shadow); otherwise the advice, naming the pool's size and the tables'. Unknown
// sizes (0) count as nothing.
std::string BufferPoolNotice(int64_t pool_bytes, const std::vector<TableBytes>& tables);

// The tables' sizes (DATA_LENGTH + INDEX_LENGTH, from the server's statistics) and
// the buffer pool's, then BufferPoolNotice. `tables`: (schema, name) pairs.
Result<std::string> ReadBufferPoolNotice(
    db::MysqlConnection& conn, const std::vector<std::pair<std::string, std::string>>& tables);

}  // namespace ordo::engine
