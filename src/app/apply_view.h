// An apply as the user surface shows it: the apply, its operations in deployment order
// with their changes, and why a swap is waiting. `ordo status`, the live view and the
// HTTP API read it the same way; api/documents.h turns it into JSON.
//
// Thread-safety: plain values; LoadApplyView is as thread-safe as the store.
//
//   ORDO_ASSIGN_OR_RETURN(ApplyView v, LoadApplyView(store, "ap_…"));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::app {

struct OperationView {
  OperationRecord operation;
  std::vector<ChangeRecord> changes;
  // While it is cutting_over: why the swap has not happened yet — the latest "swap
  // attempt N gave up: …" notice of this turn (e.g. the sessions keeping the table busy).
  std::optional<std::string> swap_waiting;
};

struct ApplyView {
  ApplyRecord apply;
  std::vector<OperationView> operations;  // deployment order
};

// A deployment's copy in figures, over its tables: rows copied of the total, the
// percent weighted by rows (a 10-row table done and a 10M-row one half-copied is 50%,
// not 75%; the tables' mean progress while no total is known), the longest ETA and the
// longest write block of its swaps.
struct CopyFigures {
  int64_t copied = 0;
  int64_t total = 0;
  double percent = 0;
  std::optional<int64_t> eta_seconds;
  std::optional<int64_t> lock_ms;
};
CopyFigures FiguresOf(const OperationView& ov);

// Reads an apply (by "ap_…" id) with its operations and changes. NotFound naming the id;
// the store's errors as they come.
Result<ApplyView> LoadApplyView(Store& store, std::string_view external_id);

}  // namespace ordo::app
