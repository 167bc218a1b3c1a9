// An apply as the user surface shows it: the apply, its operations in deployment order
// with their changes, and why a swap is waiting. `ordo status`, the live view and the
// HTTP API read it the same way; api/documents.h turns it into JSON.
//
// Thread-safety: plain values; LoadApplyView is as thread-safe as the store.
//
//   ORDO_ASSIGN_OR_RETURN(ApplyView v, LoadApplyView(store, "ap_…"));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

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

// Reads an apply (by "ap_…" id) with its operations and changes. NotFound naming the id;
// the store's errors as they come.
Result<ApplyView> LoadApplyView(Store& store, std::string_view external_id);

}  // namespace ordo
