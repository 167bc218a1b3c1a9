// Decoding throughput of the binlog reader's row decoder, without a server: rows
// events shaped like sysbench oltp_write_only's (id INT, k INT, c CHAR(120),
// pad CHAR(60), utf8mb4) decoded from memory. The engine must keep up with about
// 2,500 write transactions/s, i.e. ~10,000 row changes/s.
//
//   build/bench/engine/binlog_decode --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <mysql.h>

#include <random>
#include <string>
#include <vector>

#include "binlog/column.h"
#include "binlog/rows.h"

namespace ordo::binlog {
namespace {

BinlogTable SysbenchTable() {
  BinlogTable t;
  t.schema_name = "sbtest";
  t.table_name = "sbtest1";
  // INT, INT, CHAR(120) and CHAR(60) in utf8mb4 (480 and 240 bytes: 2-byte lengths).
  const std::string types = {char(MYSQL_TYPE_LONG), char(MYSQL_TYPE_LONG), char(MYSQL_TYPE_STRING),
                             char(MYSQL_TYPE_STRING)};
  const std::string meta = {char(0xfe - 0x10), char(0xe0), char(0xfe), char(0xf0)};
  t.columns = *ParseTableMapColumns(types, meta);
  return t;
}

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// One image: no NULLs, id, k, c (119 chars), pad (59 chars), like sysbench's.
void PutImage(std::string& out, std::mt19937& rng, uint32_t id) {
  out += '\0';
  PutLe(out, id, 4);
  PutLe(out, rng() % 1000000, 4);
  std::string c, pad;
  for (int i = 0; i < 119; ++i) c += static_cast<char>(i % 12 == 11 ? '-' : '0' + rng() % 10);
  for (int i = 0; i < 59; ++i) pad += static_cast<char>(i % 12 == 11 ? '-' : '0' + rng() % 10);
  PutLe(out, c.size(), 2);
  out += c;
  PutLe(out, pad.size(), 1);  // 240 bytes at most: a one-byte length
  out += pad;
}

void DecodeUpdates(benchmark::State& state) {
  const auto rows_per_event = static_cast<uint32_t>(state.range(0));
  BinlogTable table = SysbenchTable();
  std::mt19937 rng(42);
  std::string data;
  for (uint32_t i = 0; i < rows_per_event; ++i) {
    PutImage(data, rng, i);  // before
    PutImage(data, rng, i);  // after
  }
  const uint8_t bitmap = 0x0f;
  RowsEventView view{RowChange::Kind::kUpdate,
                     4,
                     &bitmap,
                     &bitmap,
                     reinterpret_cast<const uint8_t*>(data.data()),
                     data.size()};
  std::vector<RowChange> rows;
  bool partial = false;
  for (auto _ : state) {
    rows.clear();
    Status s = DecodeRowsEvent(table, view, rows, &partial);
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetItemsProcessed(state.iterations() * rows_per_event);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
// 1 row per event is oltp_write_only's shape; 64 is a multi-row statement.
BENCHMARK(DecodeUpdates)->Arg(1)->Arg(64);

}  // namespace
}  // namespace ordo::binlog

BENCHMARK_MAIN();
