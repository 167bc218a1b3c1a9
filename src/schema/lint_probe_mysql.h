// MysqlLintProbe: the lint's questions about live data (lint.h, LintProbe) asked of the
// deployment itself, one statement each over a connection the caller owns.
//
// The data questions read the column whole (MAX(CHAR_LENGTH(c)), MIN/MAX, a NULL
// search, a conversion count): on a large table each is a scan, asked only for a
// column a change narrows, converts or makes NOT NULL. Index reads come from
// performance_schema (table_io_waits_summary_by_index_usage) when it is on and
// instruments table I/O, else from userstat (information_schema.INDEX_STATISTICS) when
// it is on; otherwise the answer is "unknown". A statement the server refuses (a
// privilege missing) is "unknown" too; a lost connection is an error.
//
// Thread-safety: as the connection, one thread at a time.
//
//   MysqlLintProbe probe(*conn, "shop");
//   ORDO_ASSIGN_OR_RETURN(auto findings, LintChange(live, desired, probe));
#pragma once

#include <optional>
#include <string>

#include "db/mysql/connection.h"
#include "schema/lint.h"

namespace ordo::schema {

class MysqlLintProbe final : public LintProbe {
 public:
  MysqlLintProbe(db::MysqlConnection& conn, std::string schema)
      : conn_(conn), schema_(std::move(schema)) {}

  ServerVersion Version() override;
  Result<std::optional<int64_t>> MaxCharLength(const std::string& table,
                                               const std::string& column) override;
  Result<std::optional<Range>> IntegerRange(const std::string& table,
                                            const std::string& column) override;
  Result<std::optional<bool>> HasNulls(const std::string& table,
                                       const std::string& column) override;
  Result<std::optional<int64_t>> LossyValues(const std::string& table, const std::string& column,
                                             const std::string& charset) override;
  Result<std::optional<int64_t>> IndexReads(const std::string& table,
                                            const std::string& index) override;

 private:
  // The first row of `sql`; nullopt when the server refused the statement.
  Result<std::optional<db::SqlRow>> FirstRow(const std::string& sql,
                                             const std::vector<db::SqlValue>& params = {});

  db::MysqlConnection& conn_;
  std::string schema_;
  std::optional<ServerVersion> version_;
};

}  // namespace ordo::schema
