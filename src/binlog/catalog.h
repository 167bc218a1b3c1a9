// What the binlog reader learns about a watched table from information_schema.
//
// TABLE_MAP events do not say whether an integer column is UNSIGNED, whether a
// fixed-length string is BINARY (whose trailing 0x00 bytes the image drops), or the
// precision of a pre-10.1 temporal column, and ordo does not require
// binlog_row_metadata=FULL. So the reader asks information_schema on a side
// connection, once per table_id, and checks the answer against the map: a table
// altered after its events were written is refused by name instead of mis-decoded.
//
// Thread-safety: BinlogCatalog is used by one thread (the reader's); ApplyCatalog is
// a pure function.
//
//   BinlogCatalog catalog(dsn);
//   ORDO_ASSIGN_OR_RETURN(auto columns, catalog.Columns("shop", "orders"));
//   ORDO_RETURN_IF_ERROR(ApplyCatalog(columns, table));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binlog/column.h"
#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "ordo/status.h"

namespace ordo::binlog {

// One row of information_schema.COLUMNS.
struct CatalogColumn {
  std::string name;
  std::string data_type;       // DATA_TYPE, e.g. "int", "varbinary", "longtext"
  std::string column_type;     // COLUMN_TYPE, e.g. "int(10) unsigned"
  uint64_t octet_length = 0;   // CHARACTER_OCTET_LENGTH
  int numeric_precision = 0;   // DECIMAL digits, BIT width
  int numeric_scale = 0;       // DECIMAL scale
  int datetime_precision = 0;  // fractional second digits
};

// Checks that `catalog` describes the same columns as `table`'s map (count and, per
// column, type family and length) and fills in signedness, BINARY padding, names and
// legacy temporal precision. FailedPrecondition naming the table and column when they
// differ (the table changed after the events were written) or a column type is not
// supported (e.g. INET6, UUID).
Status ApplyCatalog(const std::vector<CatalogColumn>& catalog, BinlogTable& table);

class BinlogCatalog {
 public:
  BinlogCatalog(db::Dsn dsn, db::MysqlConnectOptions options);
  ~BinlogCatalog();

  // The columns of schema.table in ordinal order. NotFound when the table does not
  // exist; Unavailable (retryable) when the server cannot be reached.
  Result<std::vector<CatalogColumn>> Columns(const std::string& schema, const std::string& table);
  // How many lookups went to the server (for tests and stats).
  int lookups() const { return lookups_; }

 private:
  db::Dsn dsn_;
  db::MysqlConnectOptions options_;
  std::unique_ptr<db::MysqlConnection> conn_;  // connected on first use
  int lookups_ = 0;
};

}  // namespace ordo::binlog
