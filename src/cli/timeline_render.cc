#include "cli/timeline_render.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/live_view.h"
#include "core/phase.h"

namespace ordo::cli {
namespace {

using K = app::SegmentKind;

struct Look {
  const char* glyph;
  const char* color;  // ANSI SGR parameters
  int importance;     // which kind keeps a cell two segments share
  const char* name;   // in the legend
};

Look LookOf(app::SegmentKind k) {
  switch (k) {
    case K::kWaiting:
      return {"\u00b7", "2", 1, "waiting"};
    case K::kCopying:
      return {"\u2591", "36", 3, "copying"};
    case K::kBuildingIndexes:
      return {"\u2584", "34", 5, "building indexes"};
    case K::kVerifying:
      return {"\u2580", "34", 5, "verifying"};
    case K::kParked:
      return {"\u2592", "33", 4, "parked"};
    case K::kCutover:
      return {"\u2588", "35", 9, "cutover"};
    case K::kRevertWindow:
      return {"\u2593", "94", 8, "revert window"};
    case K::kRetrying:
      return {"\u254c", "31", 7, "retrying"};
    case K::kStopped:
      return {"\u2016", "33", 6, "stopped"};
    case K::kCompleted:
      return {"\u2714", "32", 10, "completed"};
    case K::kFailed:
      return {"\u2717", "1;31", 10, "failed"};
    case K::kCancelled:
      return {"\u2298", "90", 10, "cancelled"};
    case K::kReverted:
      return {"\u21ba", "33", 10, "reverted"};
  }
  return {" ", "0", 0, ""};
}

constexpr K kLegendOrder[] = {K::kWaiting, K::kCopying,   K::kBuildingIndexes, K::kVerifying,
                              K::kParked,  K::kCutover,   K::kRevertWindow,    K::kRetrying,
                              K::kStopped, K::kCompleted, K::kFailed,          K::kCancelled,
                              K::kReverted};

// One lane as cells: the kind drawn in each, or none (blank).
using Cells = std::vector<std::optional<K>>;

Cells Paint(const app::TimelineLane& lane, Micros start, Micros end, int width) {
  const int time_cells = width - 1;  // the last column holds a mark at the very end
  const Micros span = std::max<Micros>(end - start, 1);
  auto cell_of = [&](Micros t) {
    Micros c = (t - start) * time_cells / span;
    return static_cast<int>(std::clamp<Micros>(c, 0, time_cells - 1));
  };
  Cells cells(width);
  for (int i = 0; i < time_cells; ++i) {
    Micros a = start + span * i / time_cells, b = start + span * (i + 1) / time_cells;
    for (const app::TimelineSegment& s : lane.segments) {
      if (app::IsMark(s.kind)) continue;
      Micros e = s.end.value_or(end);
      bool overlaps = s.start < b && (e > a || (e == s.start && s.start >= a));
      if (overlaps && (!cells[i] || LookOf(s.kind).importance >= LookOf(*cells[i]).importance))
        cells[i] = s.kind;
    }
  }
  for (const app::TimelineSegment& s : lane.segments) {
    if (!app::IsMark(s.kind)) continue;
    int c = cell_of(s.start);
    cells[cells[c] ? c + 1 : c] = s.kind;
  }
  return cells;
}

std::string Draw(const Cells& cells, bool color) {
  std::string out;
  std::optional<K> run;
  for (const auto& cell : cells) {
    if (color && cell != run) {
      if (run) out += "\x1b[0m";
      if (cell) out += std::string("\x1b[") + LookOf(*cell).color + "m";
      run = cell;
    }
    out += cell ? LookOf(*cell).glyph : " ";
  }
  if (color && run) out += "\x1b[0m";
  return out;
}

// The axis: the start time at the left of the lanes, the end at the right, the middle
// between them when there is room.
std::string Axis(Micros start, Micros end, size_t indent, int width) {
  std::string left = ClockTime(start), mid = ClockTime(start + (end - start) / 2),
              right = ClockTime(end);
  std::string axis(static_cast<size_t>(width), ' ');
  axis.replace(0, left.size(), left);
  if (width >= 3 * static_cast<int>(left.size()) + 4)
    axis.replace(static_cast<size_t>(width) / 2 - mid.size() / 2, mid.size(), mid);
  if (width >= 2 * static_cast<int>(left.size()) + 2)
    axis.replace(static_cast<size_t>(width) - right.size(), right.size(), right);
  return std::string(indent, ' ') + axis;
}

std::string Summary(const app::TimelineLane& lane, size_t name_width) {
  std::string line = "  " + Pad(lane.deployment, name_width) + HumanPhase(lane.phase);
  for (const app::TimelineSegment& s : lane.segments) {
    if (s.rows_total)
      line += "  " + std::to_string(s.rows_copied.value_or(0)) + "/" +
              std::to_string(*s.rows_total) + " rows";
    if (s.percent && !s.end) {
      char p[16];
      std::snprintf(p, sizeof p, " (%.0f%%)", *s.percent);
      line += p;
    }
    if (s.lock_ms) line += "  writes blocked " + std::to_string(*s.lock_ms) + " ms";
    if (s.seconds_left) line += "  window " + HumanDuration(*s.seconds_left) + " left";
    if (s.error) line += "  error: " + *s.error;
  }
  return line;
}

}  // namespace

std::vector<std::string> RenderTimeline(const app::Timeline& t, const TimelineStyle& style) {
  const int columns = std::max(style.columns, 20);
  size_t name_width = 4;
  for (const app::TimelineLane& lane : t.lanes)
    name_width = std::max(name_width, lane.deployment.size());
  name_width = std::min<size_t>(name_width, static_cast<size_t>(columns) / 4) + 2;
  const int width = columns - static_cast<int>(name_width);
  const Micros end = app::TimelineEnd(t);

  std::vector<std::string> lines;
  lines.push_back(FitWidth(
      t.apply + "  " + t.database + "/" + t.environment + "  " + std::string(ToString(t.state)) +
          "  " + HumanDuration((end - t.start) / 1'000'000) + (t.end ? "" : " so far"),
      columns));
  if (t.error) lines.push_back(FitWidth("  " + *t.error, columns));
  lines.push_back(Axis(t.start, end, name_width, width));
  for (const app::TimelineLane& lane : t.lanes) {
    std::string name = FitWidth(lane.deployment, static_cast<int>(name_width) - 2);
    size_t shown = 0;  // characters, not bytes
    for (unsigned char c : name) shown += (c & 0xC0) != 0x80;
    std::string drawn = name + std::string(name_width - shown, ' ') +
                        Draw(Paint(lane, t.start, end, width), style.color);
    drawn.erase(drawn.find_last_not_of(' ') + 1);  // the blank after a lane's end
    lines.push_back(drawn);
  }
  // The legend wraps instead of being cut: it is what makes the lanes readable.
  std::string line;
  int shown = 0;
  for (K k : kLegendOrder) {
    Look look = LookOf(k);
    std::string item =
        (style.color ? std::string("\x1b[") + look.color + "m" + look.glyph + "\x1b[0m"
                     : std::string(look.glyph)) +
        " " + look.name;
    int length = 2 + static_cast<int>(std::string(look.name).size());
    if (shown > 0 && shown + 2 + length > columns) {
      lines.push_back(line);
      line.clear();
      shown = 0;
    }
    line += (shown > 0 ? "  " : "") + item;
    shown += (shown > 0 ? 2 : 0) + length;
  }
  if (!line.empty()) lines.push_back(line);
  if (!t.handoffs.empty()) {
    std::string h = "handoffs:";
    for (const app::TimelineHandoff& off : t.handoffs)
      h += " " + off.from + " \u2192 " + off.to + " " + std::to_string(off.gap_ms) + " ms;";
    h.pop_back();
    lines.push_back(FitWidth(h, columns));
  }
  // The summaries' names in a column of their own, never run into the phase.
  size_t longest = 0;
  for (const app::TimelineLane& lane : t.lanes) longest = std::max(longest, lane.deployment.size());
  for (const app::TimelineLane& lane : t.lanes)
    lines.push_back(FitWidth(Summary(lane, std::max(name_width - 2, longest + 1)), columns));
  return lines;
}

int TimelineColumns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  const char* env = std::getenv("COLUMNS");
  int columns = env != nullptr ? std::atoi(env) : 0;
  return columns > 0 ? columns : 80;
}

bool UseColor(bool tty) {
  const char* no_color = std::getenv("NO_COLOR");
  return tty && (no_color == nullptr || *no_color == '\0');
}

}  // namespace ordo::cli
