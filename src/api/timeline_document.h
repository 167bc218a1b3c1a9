// The rollout timeline as JSON (docs/guide.md, "Timeline"): what `ordo status APPLY
// --timeline --json` prints and GET /v1/applies/{id}/timeline returns. Field names and
// shapes are a contract (the console draws from it); times are RFC 3339 UTC with
// microseconds, as in the other documents; a segment still running has "end": null.
//
// Thread-safety: pure functions.
//
//   Timeline t = BuildTimeline(view, events, now, window);
//   std::cout << TimelineDocument(t).dump();
//   // {"apply":"ap_…","state":"running","now":"…","start":"…","end":null,
//   //  "lanes":[{"deployment":"us","position":0,"state":"running","phase":"copying",
//   //            "segments":[{"kind":"copying","start":"…","end":null,"label":"copying 45%",
//   //                         "rows_copied":450,"rows_total":1000,"percent":45.0,…}]}],
//   //  "handoffs":[{"from":"us","to":"eu","gap_ms":120}]}
#pragma once

#include <nlohmann/json.hpp>

#include "app/timeline.h"

namespace ordo {

nlohmann::json TimelineDocument(const app::Timeline& timeline);

}  // namespace ordo
