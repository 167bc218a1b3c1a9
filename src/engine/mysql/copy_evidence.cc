#include "engine/mysql/copy_evidence.h"

namespace ordo::engine {

void CopyEvidence::Reset(size_t tables) {
  bounds_.assign(tables, std::nullopt);
  verified_.assign(tables, std::nullopt);
  rows_verified_ = 0;
}

void CopyEvidence::RecordCopy(size_t table, std::optional<VerifiedPrefix> verified,
                              std::optional<ChunkBounds> bounds) {
  if (table >= bounds_.size()) return;
  verified_[table] = std::move(verified);
  bounds_[table] = std::move(bounds);
}

void CopyEvidence::Fill(VerifyOptions& options, const Applier& applier) const {
  options.bounds.clear();
  for (const auto& b : bounds_) options.bounds.push_back(b ? &*b : nullptr);
  options.verified_through = [this, &applier](size_t table) -> std::optional<Key> {
    if (table >= verified_.size() || !verified_[table]) return std::nullopt;
    // A statement the change stream could not apply voids what the rounds compared.
    if (applier.statements_consumed() != verified_[table]->statements) return std::nullopt;
    return verified_[table]->through;
  };
}

}  // namespace ordo::engine
