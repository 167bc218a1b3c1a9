// Helpers for the binlog reader's tests: a scratch schema on the shared MariaDB
// server per test, a reader that starts at the binlog's current end, and reading the
// row changes a test wrote back out of the binlog (polling with a deadline).
//
// Thread-safety: one test thread.
//
//   TEST_F(BinlogTest, Foo) {
//     Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY)");
//     auto reader = OpenReader({"t"});
//     Insert("t", {SqlValue::Int(1)});
//     auto rows = ReadRowChanges(**reader, 1);
//   }
//
//   ExpectRound(**reader, {{first, second}, {{second, updated}}, first});
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "binlog/event.h"
#include "binlog/reader.h"
#include "db/dsn.h"
#include "db/mysql/connection.h"
#include "test_servers.h"

// Readable SqlValues and row changes in assertion failures (each beside its type, where
// gtest looks for it).
namespace ordo::db {
void PrintTo(const SqlValue& v, std::ostream* os);
}  // namespace ordo::db

namespace ordo {

void PrintTo(const RowChange& c, std::ostream* os);

namespace testing {

// A server id no other reader of this machine's test runs uses.
uint32_t UniqueServerId();

class BinlogTest : public ::testing::Test {
 protected:
  // Uses the shared server; SetUpOn(server) uses another (e.g. a private one).
  void SetUp() override;
  void SetUpOn(MariaDbServer* server);
  void TearDown() override;

  // `schema`.`name` in this test's schema.
  std::string Table(const std::string& name) const;
  // Runs a statement on the test's connection, failing the test on error.
  void Exec(const std::string& sql, const std::vector<db::SqlValue>& params = {});
  // INSERT INTO `name` VALUES (?, …) with `values` bound.
  void Insert(const std::string& name, const std::vector<db::SqlValue>& values);
  // UPDATE `name` SET every column to `values` WHERE its first column = `id`.
  void Update(const std::string& name, const db::SqlValue& id,
              const std::vector<db::SqlValue>& values);
  void Delete(const std::string& name, const db::SqlValue& id);
  // A new connection to the test's schema; `init` runs after connecting.
  Result<std::unique_ptr<db::MysqlConnection>> Connect(std::vector<std::string> init = {}) const;
  // The binlog's end now.
  BinlogPosition Now();
  // A reader of this schema's `tables` (all tables when empty) from `start` (the
  // binlog's end when empty).
  Result<std::unique_ptr<BinlogReader>> OpenReader(const std::vector<std::string>& tables,
                                                   BinlogPosition start = {});

  MariaDbServer* server_ = nullptr;
  db::Dsn dsn_;
  std::string db_;
  std::unique_ptr<db::MysqlConnection> conn_;
};

// Reads until `count` row changes arrived and the transaction holding the last one
// committed. Timeout after 30 s; any other reader error as it came.
Result<std::vector<RowChange>> ReadRowChanges(BinlogReader& reader, size_t count);

// Reads events until `done` returns true for one (returned), or 30 s pass.
Result<BinlogEvent> ReadUntil(BinlogReader& reader,
                              const std::function<bool(const BinlogEvent&)>& done);

// Asserts (non-fatally) that `c` is a `kind` change with the given images.
void ExpectChange(const RowChange& c, RowChange::Kind kind, const std::vector<db::SqlValue>& before,
                  const std::vector<db::SqlValue>& after);

// ", t0 TIME(0), dt0 DATETIME(0), ts0 TIMESTAMP(0) NULL, …" up to precision 6: the
// temporal columns of every precision, for a CREATE TABLE.
std::string TemporalColumnsOfEveryPrecision();

// A test's round of writes as the reader must return it, in this order: each row of
// `inserted` inserted, then (when given) the first image updated to the second, then
// (when given) `deleted` deleted.
struct ExpectedRound {
  using Row = std::vector<db::SqlValue>;
  std::vector<Row> inserted;
  std::optional<std::pair<Row, Row>> updated;
  std::optional<Row> deleted;
};

// Reads the round's changes (ReadRowChanges) and checks each against `round`.
void ExpectRound(BinlogReader& reader, const ExpectedRound& round);

}  // namespace testing
}  // namespace ordo
