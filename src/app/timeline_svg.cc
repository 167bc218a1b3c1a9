#include "app/timeline_svg.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "core/phase.h"

namespace ordo::app {
namespace {

using K = SegmentKind;

constexpr int kWidth = 960;
constexpr int kLeft = 140;  // the deployment names
constexpr int kRight = 30;
constexpr int kPlot = kWidth - kLeft - kRight;
constexpr int kTop = 74;  // the first lane
constexpr int kLane = 26;
constexpr int kPitch = 42;  // lane and the gap below it, where a handoff is marked

struct Paint {
  const char* id;
  const char* background;
  const char* ink;
  const char* shape;  // the pattern's strokes, in a 8x8 tile ("" for a plain fill)
};

Paint PaintOf(K k) {
  switch (k) {
    case K::kWaiting:
      return {"waiting", "#f7f7f7", "#b0b0b0", "<circle cx='4' cy='4' r='0.8'/>"};
    case K::kCopying:
      return {"copying", "#cfe6f5", "#2b7bb9", "<path d='M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4'/>"};
    case K::kBuildingIndexes:
      return {"building_indexes", "#dfe3f8", "#3b4cc0", "<path d='M0,2 h8 M0,6 h8'/>"};
    case K::kVerifying:
      return {"verifying", "#dfe3f8", "#3b4cc0", "<path d='M2,0 v8 M6,0 v8'/>"};
    case K::kParked:
      return {"parked", "#fbefc4", "#9a7400",
              "<circle cx='2' cy='2' r='1.2'/><circle cx='6' cy='6' r='1.2'/>"};
    case K::kCutover:
      return {"cutover", "#7b1f7b", "#7b1f7b", ""};
    case K::kRevertWindow:
      return {"revert_window", "#e6dbf5", "#6c3fb5", "<path d='M0,0 l8,8 M8,0 l-8,8'/>"};
    case K::kRetrying:
      return {"failed_retryable", "#f8d9d9", "#c0392b", "<path d='M0,6 l2,-4 l2,4 l2,-4 l2,4'/>"};
    case K::kStopped:
      return {"stopped", "#ececec", "#666666", "<path d='M2,0 v8 M3,0 v8'/>"};
    case K::kCompleted:
      return {"completed", "#2e7d32", "#2e7d32", ""};
    case K::kFailed:
      return {"failed", "#c62828", "#c62828", ""};
    case K::kCancelled:
      return {"cancelled", "#757575", "#757575", ""};
    case K::kReverted:
      return {"reverted", "#9a7400", "#9a7400", ""};
  }
  return {"waiting", "#ffffff", "#000000", ""};
}

const char* MarkGlyph(K k) {
  switch (k) {
    case K::kCompleted:
      return "\u2714";
    case K::kFailed:
      return "\u2717";
    case K::kCancelled:
      return "\u2298";
    default:
      return "\u21ba";
  }
}

constexpr K kKinds[] = {K::kWaiting, K::kCopying,   K::kBuildingIndexes, K::kVerifying,
                        K::kParked,  K::kCutover,   K::kRevertWindow,    K::kRetrying,
                        K::kStopped, K::kCompleted, K::kFailed,          K::kCancelled,
                        K::kReverted};

std::string Fill(K k) {
  Paint p = PaintOf(k);
  return *p.shape ? std::string("url(#p-") + p.id + ")" : p.background;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// "2027-01-15 08:00:15 UTC" / "08:00:15".
std::string TimeText(Micros t, bool with_day) {
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, with_day ? "%Y-%m-%d %H:%M:%S UTC" : "%H:%M:%S", &tm);
  return buf;
}

std::string Seconds(Micros d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d) / 1e6);
  return buf;
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderTimelineSvg(const Timeline& t) {
  const Micros end = TimelineEnd(t);
  const double span = static_cast<double>(std::max<Micros>(end - t.start, 1));
  auto x = [&](Micros at) {
    return kLeft + kPlot * std::clamp(static_cast<double>(at - t.start) / span, 0.0, 1.0);
  };
  const int lanes_bottom = kTop + static_cast<int>(t.lanes.size()) * kPitch;
  const int legend_rows = (static_cast<int>(std::size(kKinds)) + 6) / 7;
  const int height = lanes_bottom + 18 + legend_rows * 22 + 8;
  std::ostringstream o;
  std::string title = t.apply + " \u00b7 " + t.database + "/" + t.environment + " \u00b7 " +
                      std::string(ToString(t.state));
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << height
    << "' viewBox='0 0 " << kWidth << " " << height
    << "' role='img' aria-labelledby='title' font-family='sans-serif'>\n";
  o << "<title id='title'>rollout timeline: " << XmlEscape(title) << "</title>\n<defs>\n";
  for (K k : kKinds) {
    Paint p = PaintOf(k);
    if (!*p.shape) continue;
    o << "<pattern id='p-" << p.id << "' width='8' height='8' patternUnits='userSpaceOnUse'>"
      << "<rect width='8' height='8' fill='" << p.background << "'/><g stroke='" << p.ink
      << "' fill='" << p.ink << "' stroke-width='1'>" << p.shape << "</g></pattern>\n";
  }
  o << "</defs>\n<rect width='100%' height='100%' fill='#ffffff'/>\n";
  o << "<text x='12' y='24' font-size='16' font-weight='bold'>" << XmlEscape(title) << "</text>\n";
  o << "<text x='12' y='44' font-size='12' fill='#444'>" << TimeText(t.start, true) << " \u2192 "
    << (t.end ? TimeText(*t.end, true) : TimeText(t.now, true) + " (now, still running)") << " ("
    << Seconds(end - t.start) << ")" << (t.error ? "  " + XmlEscape(*t.error) : "") << "</text>\n";
  // The time axis: five ticks with grid lines across the lanes.
  o << "<g class='axis' font-size='10' fill='#555'>\n";
  for (int i = 0; i <= 4; ++i) {
    double tx = kLeft + kPlot * i / 4.0;
    Micros at = t.start + static_cast<Micros>(span * i / 4.0);
    o << "<line x1='" << Num(tx) << "' y1='" << kTop - 8 << "' x2='" << Num(tx) << "' y2='"
      << lanes_bottom - kPitch + kLane << "' stroke='#e0e0e0'/>"
      << "<text x='" << Num(tx) << "' y='" << kTop - 12 << "' text-anchor='"
      << (i == 0   ? "start"
          : i == 4 ? "end"
                   : "middle")
      << "'>" << TimeText(at, false) << "</text>\n";
  }
  o << "</g>\n";
  for (const TimelineLane& lane : t.lanes) {
    const int y = kTop + lane.position * kPitch;
    o << "<g class='lane' data-deployment='" << XmlEscape(lane.deployment) << "'>\n";
    o << "<text x='12' y='" << y + 12 << "' font-size='13' font-weight='bold'>"
      << XmlEscape(lane.deployment) << "</text><text x='12' y='" << y + 24
      << "' font-size='10' fill='#555'>" << XmlEscape(HumanPhase(lane.phase)) << "</text>\n";
    for (const TimelineSegment& s : lane.segments) {
      if (IsMark(s.kind)) {
        o << "<text class='mark' x='" << Num(x(s.start) + 2) << "' y='" << y + 19
          << "' font-size='17' fill='" << PaintOf(s.kind).background << "'><title>"
          << XmlEscape(s.label) << "</title>" << MarkGlyph(s.kind) << "</text>\n";
        continue;
      }
      double x0 = x(s.start), x1 = x(s.end.value_or(end));
      double w = std::max(x1 - x0, 2.0);
      o << "<rect class='segment' data-kind='" << ToString(s.kind) << "' x='" << Num(x0) << "' y='"
        << y << "' width='" << Num(w) << "' height='" << kLane << "' fill='" << Fill(s.kind)
        << "' stroke='" << PaintOf(s.kind).ink << "' stroke-width='0.5'><title>"
        << XmlEscape(s.label) << "</title></rect>\n";
      if (w >= 6.5 * static_cast<double>(s.label.size()) + 8)
        o << "<text x='" << Num(x0 + 4) << "' y='" << y + 17
          << "' font-size='11' stroke='#fff' stroke-width='3' paint-order='stroke'>"
          << XmlEscape(s.label) << "</text>\n";
    }
    o << "</g>\n";
  }
  // Handoffs: from one swap's end to the next swap's start, in the gap below the lane.
  for (const TimelineHandoff& h : t.handoffs) {
    const TimelineLane *from = nullptr, *to = nullptr;
    for (const TimelineLane& lane : t.lanes) {
      if (lane.deployment == h.from) from = &lane;
      if (lane.deployment == h.to) to = &lane;
    }
    if (!from || !to) continue;
    std::optional<Micros> a, b;
    for (const TimelineSegment& s : from->segments)
      if (s.kind == K::kCutover && s.end) a = s.end;
    for (const TimelineSegment& s : to->segments)
      if (s.kind == K::kCutover && !b) b = s.start;
    if (!a || !b) continue;
    const int y0 = kTop + from->position * kPitch + kLane, y1 = kTop + to->position * kPitch;
    o << "<g class='handoff'><path d='M" << Num(x(*a)) << "," << y0 << " L" << Num(x(*b)) << ","
      << y1 << "' stroke='#7b1f7b' stroke-dasharray='3,2' fill='none'/><text x='"
      << Num((x(*a) + x(*b)) / 2 + 4) << "' y='" << (y0 + y1) / 2 + 4
      << "' font-size='10' fill='#7b1f7b'>handoff " << h.gap_ms << " ms</text></g>\n";
  }
  if (!t.end)
    o << "<line class='now' x1='" << Num(x(t.now)) << "' y1='" << kTop - 8 << "' x2='"
      << Num(x(t.now)) << "' y2='" << lanes_bottom - kPitch + kLane
      << "' stroke='#c62828' stroke-dasharray='4,3'/>\n";
  o << "<g class='legend' font-size='11'>\n";
  int i = 0;
  for (K k : kKinds) {
    int lx = 12 + (i % 7) * 134, ly = lanes_bottom + 14 + (i / 7) * 22;
    if (IsMark(k))
      o << "<text x='" << lx << "' y='" << ly + 12 << "' font-size='15' fill='"
        << PaintOf(k).background << "'>" << MarkGlyph(k) << "</text>";
    else
      o << "<rect x='" << lx << "' y='" << ly << "' width='14' height='14' fill='" << Fill(k)
        << "' stroke='" << PaintOf(k).ink << "' stroke-width='0.5'/>";
    o << "<text x='" << lx + 19 << "' y='" << ly + 11 << "'>" << XmlEscape(HumanPhase(ToString(k)))
      << "</text>\n";
    ++i;
  }
  o << "</g>\n</svg>\n";
  return o.str();
}

}  // namespace ordo::app
