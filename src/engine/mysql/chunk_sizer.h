// ChunkSizer: picks how many rows the next copy chunk takes so that a chunk lasts
// about `target_ms`, from the rows/time of the chunks already copied.
//
// Each observation moves the size toward rows_per_ms × target, by at most a factor of
// two per step (a slow outlier chunk cannot collapse the size, nor a fast one blow it
// up), within [min_rows, max_rows].
//
// Thread-safety: not thread-safe; the copier guards it.
//
//   ChunkSizer sizer(500);
//   sizer.Observe(1000, 50);  // 1000 rows took 50 ms
//   sizer.rows();             // 2000 (doubling at most)
#pragma once

#include <cstdint>

namespace ordo::engine {

class ChunkSizer {
 public:
  explicit ChunkSizer(int64_t target_ms, int64_t initial_rows = 1000, int64_t min_rows = 10,
                      int64_t max_rows = 100000);
  int64_t rows() const { return rows_; }
  void Observe(int64_t rows, int64_t elapsed_ms);
  // A new time target; the size follows from the next observation on.
  void set_target_ms(int64_t target_ms);

 private:
  int64_t target_ms_;
  int64_t min_rows_;
  int64_t max_rows_;
  int64_t rows_;
};

}  // namespace ordo::engine
