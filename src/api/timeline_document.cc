#include "api/timeline_document.h"

#include "api/documents.h"

namespace ordo {
namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  if (!v) return nullptr;
  return *v;
}

nlohmann::json TimeOrNull(const std::optional<Micros>& t) {
  if (!t) return nullptr;
  return FormatRfc3339(*t);
}

nlohmann::json SegmentDocument(const app::TimelineSegment& s) {
  return {
      {"kind", std::string(ToString(s.kind))},
      {"start", FormatRfc3339(s.start)},
      {"end", TimeOrNull(s.end)},
      {"label", s.label},
      {"rows_copied", OrNull(s.rows_copied)},
      {"rows_total", OrNull(s.rows_total)},
      {"percent", OrNull(s.percent)},
      {"lock_ms", OrNull(s.lock_ms)},
      {"error", OrNull(s.error)},
      {"seconds_left", OrNull(s.seconds_left)},
  };
}

}  // namespace

nlohmann::json TimelineDocument(const app::Timeline& t) {
  nlohmann::json lanes = nlohmann::json::array();
  for (const app::TimelineLane& lane : t.lanes) {
    nlohmann::json segments = nlohmann::json::array();
    for (const app::TimelineSegment& s : lane.segments) segments.push_back(SegmentDocument(s));
    lanes.push_back({{"deployment", lane.deployment},
                     {"position", lane.position},
                     {"state", std::string(ToString(lane.state))},
                     {"phase", lane.phase},
                     {"segments", segments}});
  }
  nlohmann::json handoffs = nlohmann::json::array();
  for (const app::TimelineHandoff& h : t.handoffs)
    handoffs.push_back({{"from", h.from}, {"to", h.to}, {"gap_ms", h.gap_ms}});
  return {{"apply", t.apply},
          {"database", t.database},
          {"environment", t.environment},
          {"state", std::string(ToString(t.state))},
          {"error", OrNull(t.error)},
          {"now", FormatRfc3339(t.now)},
          {"start", FormatRfc3339(t.start)},
          {"end", TimeOrNull(t.end)},
          {"lanes", lanes},
          {"handoffs", handoffs}};
}

}  // namespace ordo
