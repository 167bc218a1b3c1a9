// The rollout timeline drawn in a terminal (`ordo status APPLY --timeline`, `ordo watch
// APPLY --timeline`): a header, a time axis, one lane per deployment in deployment order
// drawn with Unicode blocks scaled to the terminal's width, a legend, the handoffs
// between swaps, and one summary line per deployment (state, rows, write block, time
// left, error). Every kind of segment has its own glyph, so the drawing reads without
// colour; with `color` (a terminal, no NO_COLOR) the glyphs are also coloured with ANSI
// escapes. Every line fits in `columns` characters (escapes aside).
//
// Glyphs: · waiting, ░ copying, ▄ building indexes, ▀ verifying, ▒ parked, █ cutover,
// ▓ revert window, ╌ retrying, ‖ stopped; marks ✔ completed, ✗ failed, ⊘ cancelled,
// ↺ reverted. A segment shorter than a cell still gets one (the later one wins a shared
// cell, by importance: a 40 ms swap stays visible in an hour-long copy).
//
// Thread-safety: pure functions.
//
//   for (const std::string& line : RenderTimeline(timeline, {TerminalColumns(), false}))
//     std::cout << line << "\n";
#pragma once

#include <string>
#include <vector>

#include "app/timeline.h"

namespace ordo::cli {

struct TimelineStyle {
  int columns = 80;
  bool color = false;
};

std::vector<std::string> RenderTimeline(const app::Timeline& timeline, const TimelineStyle& style);

// The width to draw to: the terminal's (stdout), else $COLUMNS, else 80.
int TimelineColumns();

// Colour for a terminal: stdout is one and NO_COLOR is unset or empty (no-color.org).
bool UseColor(bool tty);

}  // namespace ordo::cli
