// End-to-end decode throughput: a large batch written to the binlog, then read and
// decoded from its start: every row change arrives. Prints the throughput figure (the
// engine needs ~10,000 row changes/s for 2,500 sysbench write TPS) without asserting
// it: performance is measured by bench/engine/binlog_decode, not by timed tests.
#include <chrono>
#include <cstdio>

#include "test_support.h"

namespace ordo::testing {
namespace {

using BinlogThroughput = BinlogTest;

TEST_F(BinlogThroughput, DecodesALargeBatchOfSysbenchShapedRows) {
  constexpr int kRows = 100000;
  constexpr size_t kChanges = 2 * kRows;  // the inserts, then the updates
  Exec("CREATE TABLE " + Table("sbtest1") +
       " (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"
       " DEFAULT CHARSET=utf8mb4");
  BinlogPosition start = Now();
  // seq_1_to_N is MariaDB's sequence engine: one statement, many rows events.
  Exec("INSERT INTO " + Table("sbtest1") +
       " SELECT seq, seq % 1000, REPEAT(CONCAT(LPAD(seq, 11, '0'), '-'), 10),"
       " REPEAT('p', 59) FROM seq_1_to_" +
       std::to_string(kRows));
  Exec("UPDATE " + Table("sbtest1") + " SET k = k + 1");
  auto reader = OpenReader({"sbtest1"}, start);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  size_t seen = 0;
  auto began = std::chrono::steady_clock::now();
  auto last = ReadUntil(**reader, [&](const BinlogEvent& e) {
    seen += e.rows.size();
    return seen >= kChanges && e.kind == BinlogEvent::Kind::kCommit;
  });
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(last.ok()) << last.status().ToString() << " after " << seen << " row changes";
  ASSERT_EQ(seen, kChanges);
  BinlogReaderStats stats = (*reader)->stats();
  double rows_per_s = seen / seconds;
  double megabytes = static_cast<double>((*reader)->committed().offset - start.offset) / 1e6;
  std::printf(
      "binlog decode: %zu row changes in %llu rows events (%llu events, %.1f MB) in "
      "%.2f s: %.0f row changes/s, %.0f events/s, %.1f MB/s\n",
      seen, static_cast<unsigned long long>(stats.rows_events_decoded),
      static_cast<unsigned long long>(stats.events), megabytes, seconds, rows_per_s,
      stats.events / seconds, megabytes / seconds);
  RecordProperty("row_changes_per_s", static_cast<int>(rows_per_s));
}

}  // namespace
}  // namespace ordo::testing
