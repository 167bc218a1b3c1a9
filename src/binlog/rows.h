// Decoding the row images of one WRITE/UPDATE/DELETE rows event.
//
// A rows event carries one or more rows. Each image starts with a NULL bitmap over
// the columns the image includes (its column bitmap), followed by the non-NULL
// values in column order. Update events carry a before and an after image per row,
// each with its own column bitmap. With binlog_row_image=FULL every image includes
// every column; anything less is reported as `partial` (the missing columns are left
// NULL) so the caller can refuse to apply it.
//
// Thread-safety: pure function.
//
//   RowsEventView view{RowChange::Kind::kInsert, 3, bitmap, nullptr, data, size};
//   ORDO_RETURN_IF_ERROR(DecodeRowsEvent(table, view, rows, &partial));
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "binlog/column.h"
#include "binlog/event.h"
#include "ordo/status.h"

namespace ordo::binlog {

// A rows event's body: the bitmaps and the row data after them.
struct RowsEventView {
  RowChange::Kind kind = RowChange::Kind::kInsert;
  uint32_t column_count = 0;
  // The columns of the before image (update, delete) or the only image (insert).
  const uint8_t* columns = nullptr;
  // Update events: the columns of the after image.
  const uint8_t* columns_after = nullptr;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Appends one RowChange per row of the event to `out`. Sets *partial when an image
// lacked some columns. Internal (corrupt event) when the data does not parse
// against the table's columns.
Status DecodeRowsEvent(const BinlogTable& table, const RowsEventView& event,
                       std::vector<RowChange>& out, bool* partial);

}  // namespace ordo::binlog
