#include "binlog/rows.h"

#include <bit>

#include "binlog/bytes.h"
#include "binlog/value.h"

namespace ordo::binlog {
namespace {

bool BitSet(const uint8_t* bitmap, size_t i) { return (bitmap[i / 8] >> (i % 8)) & 1; }

size_t CountBits(const uint8_t* bitmap, size_t bits) {
  size_t count = 0;
  for (size_t i = 0; i < bits / 8; ++i) count += static_cast<size_t>(std::popcount(bitmap[i]));
  for (size_t i = bits / 8 * 8; i < bits; ++i) count += BitSet(bitmap, i);
  return count;
}

// Decodes one image into `values` (one per table column).
Status DecodeImage(const BinlogTable& table, const uint8_t* present, ByteReader& in,
                   std::vector<db::SqlValue>& values, bool* partial) {
  const size_t n = table.columns.size();
  values.resize(n);
  const size_t included = CountBits(present, n);
  if (included != n) *partial = true;
  const uint8_t* nulls;
  if (!in.TakeBytes((included + 7) / 8, &nulls)) return CorruptEvent("row image too short");
  size_t slot = 0;  // position among the included columns: the NULL bitmap's index
  for (size_t i = 0; i < n; ++i) {
    if (!BitSet(present, i)) continue;
    if (BitSet(nulls, slot++)) continue;  // stays kNull
    ORDO_RETURN_IF_ERROR(DecodeValue(table.columns[i], in, values[i]));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeRowsEvent(const BinlogTable& table, const RowsEventView& event,
                       std::vector<RowChange>& out, bool* partial) {
  if (event.column_count != table.columns.size())
    return CorruptEvent("rows event for " + table.schema_name + "." + table.table_name + " has " +
                        std::to_string(event.column_count) + " columns, its TABLE_MAP " +
                        std::to_string(table.columns.size()));
  if (event.columns == nullptr ||
      (event.kind == RowChange::Kind::kUpdate && event.columns_after == nullptr))
    return CorruptEvent("rows event without column bitmap");
  ByteReader in(event.data, event.size);
  while (!in.empty()) {
    RowChange& row = out.emplace_back();
    row.kind = event.kind;
    row.schema_name = table.schema_name;
    row.table_name = table.table_name;
    switch (event.kind) {
      case RowChange::Kind::kInsert:
        ORDO_RETURN_IF_ERROR(DecodeImage(table, event.columns, in, row.after, partial));
        break;
      case RowChange::Kind::kDelete:
        ORDO_RETURN_IF_ERROR(DecodeImage(table, event.columns, in, row.before, partial));
        break;
      case RowChange::Kind::kUpdate:
        ORDO_RETURN_IF_ERROR(DecodeImage(table, event.columns, in, row.before, partial));
        ORDO_RETURN_IF_ERROR(DecodeImage(table, event.columns_after, in, row.after, partial));
        break;
    }
  }
  return Status::Ok();
}

}  // namespace ordo::binlog
