// CopyEvidence: what the copy leaves the verification before the swap, per altered
// table — the finished copy's chunk bounds (the verification follows them instead of
// scanning the key again) and the prefix the rounds during the copy verified
// (trailing_verifier.h), which stands only while the change stream has consumed no
// statement it could not apply since — and what that verification compared.
//
// Thread-safety: none; the engine's driving thread owns it.
//
//   CopyEvidence evidence;
//   evidence.Reset(plans.size());
//   evidence.RecordCopy(i, verifier.Finish(), copier.bounds());
//   VerifyOptions options;
//   evidence.Fill(options, applier);
//   evidence.set_rows_verified(VerifyTables(plans, pool, loop, options)->rows_compared);
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/mysql/applier.h"
#include "engine/mysql/checksum.h"
#include "engine/mysql/copier.h"
#include "engine/mysql/trailing_verifier.h"

namespace ordo::engine {

class CopyEvidence {
 public:
  // A fresh start over `tables` altered tables: nothing copied or verified yet.
  void Reset(size_t tables);
  // Table `table`'s copy ended: the prefix its rounds verified (nullopt: none), and
  // its bounds when the copy finished (nullopt: it did not).
  void RecordCopy(size_t table, std::optional<VerifiedPrefix> verified,
                  std::optional<ChunkBounds> bounds);
  // Sets the verification's bounds and its `verified_through`, which asks `applier`
  // (it must outlive the verification) whether each verified prefix still stands.
  void Fill(VerifyOptions& options, const Applier& applier) const;

  // What the last verification compared (0 for an engine resumed ready).
  int64_t rows_verified() const { return rows_verified_; }
  void set_rows_verified(int64_t rows) { rows_verified_ = rows; }

 private:
  std::vector<std::optional<ChunkBounds>> bounds_;
  std::vector<std::optional<VerifiedPrefix>> verified_;
  int64_t rows_verified_ = 0;
};

}  // namespace ordo::engine
