// The rollout timeline as a self-contained SVG image (GET /v1/applies/{id}/timeline.svg,
// `ordo status APPLY --timeline-svg FILE`), for a pull request or an incident report:
// a title (apply, database/environment, state, when), a time axis, one lane per
// deployment in deployment order, each segment filled with its own pattern and colour
// and titled with its label (so the kinds read without colour, and in print), the marks
// of how each deployment ended, the handoff gaps between consecutive swaps, a legend.
// No scripts, fonts or links to anything outside the file.
//
// Thread-safety: pure function.
//
//   std::ofstream("rollout.svg") << RenderTimelineSvg(BuildTimeline(view, events, now));
#pragma once

#include <string>

#include "app/timeline.h"

namespace ordo::app {

std::string RenderTimelineSvg(const Timeline& timeline);

// `text` with &, <, >, " and ' escaped for XML text and attributes.
std::string XmlEscape(const std::string& text);

}  // namespace ordo::app
