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

#include "app/apply_view.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

// "2026-11-27T10:00:00.123456Z"
std::string FormatRfc3339(Micros micros);

// `ordo status APPLY --json` / GET /v1/applies/{id}.
nlohmann::json ApplyDocument(const app::ApplyView& view);
// One entry of `ordo status --json` (the list) / GET /v1/applies.
nlohmann::json ApplySummary(const ApplyRecord& apply);
// `ordo logs APPLY --json` / GET /v1/applies/{id}/events.
nlohmann::json EventsDocument(const std::vector<EventRecord>& events);
// {"error":{"code":"…","message":"…"}}
nlohmann::json ErrorDocument(const Status& status);
// The answer to a control request: `ordo stop APPLY --json` / POST
// /v1/applies/{id}/stop, … — {"apply","request","outcome","reason"}, the outcome one of
// accepted, already_requested, refused; the reason null unless there is one.
nlohmann::json ControlAnswerDocument(const ApplyRecord& apply, RequestKind kind,
                                     const RequestAnswer& answer);

}  // namespace ordo
