// The JSON documents of ordo's user surface (docs/guide.md): what
// `status --json`, `logs --json` and the HTTP API return. Scripts parse these; field
// names and shapes are a contract. Times are RFC 3339 UTC with microseconds.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(nlohmann::json doc, BuildApplyDocument(store, "ap_…"));
//   std::cout << doc.dump(2);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

// "2026-11-27T10:00:00.123456Z"
std::string FormatRfc3339(Micros micros);

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

// Reads an apply (by "ap_…" id) with its operations and changes. NotFound naming the id.
Result<ApplyView> LoadApplyView(Store& store, std::string_view external_id);

// `ordo status APPLY --json` / GET /v1/applies/{id}.
nlohmann::json ApplyDocument(const ApplyView& view);
// One entry of `ordo status --json` (the list) / GET /v1/applies.
nlohmann::json ApplySummary(const ApplyRecord& apply);
// `ordo logs APPLY --json` / GET /v1/applies/{id}/events.
nlohmann::json EventsDocument(const std::vector<EventRecord>& events);
// {"error":{"code":"…","message":"…"}}
nlohmann::json ErrorDocument(const Status& status);

}  // namespace ordo
