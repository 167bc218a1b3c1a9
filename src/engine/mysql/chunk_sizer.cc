#include "engine/mysql/chunk_sizer.h"

#include <algorithm>

namespace ordo::engine {

ChunkSizer::ChunkSizer(int64_t target_ms, int64_t initial_rows, int64_t min_rows, int64_t max_rows)
    : target_ms_(std::max<int64_t>(1, target_ms)),
      min_rows_(min_rows),
      max_rows_(max_rows),
      rows_(std::clamp(initial_rows, min_rows, max_rows)) {}

void ChunkSizer::Observe(int64_t rows, int64_t elapsed_ms) {
  if (rows <= 0) return;
  double per_ms = static_cast<double>(rows) / static_cast<double>(std::max<int64_t>(1, elapsed_ms));
  double ideal = per_ms * static_cast<double>(target_ms_);
  double next = std::clamp(ideal, rows_ / 2.0, rows_ * 2.0);
  rows_ = std::clamp(static_cast<int64_t>(next), min_rows_, max_rows_);
}

}  // namespace ordo::engine

namespace ordo::engine {

void ChunkSizer::set_target_ms(int64_t target_ms) { target_ms_ = std::max<int64_t>(1, target_ms); }

}  // namespace ordo::engine
