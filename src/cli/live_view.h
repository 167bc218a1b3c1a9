// LiveView: the terminal view of one apply while it runs (`ordo apply` embedded,
// `ordo watch`): per deployment in order, what it is doing (core/phase.h: copying,
// building indexes, verifying, waiting for its turn, swapping, …), a progress bar,
// rows/s and ETA, its table changes, and once cut over when it happened and how long
// writes were blocked (in a revert window: the time left). On a terminal it redraws
// in place, every line cut to the terminal's width, and notes (log lines included,
// which the caller holds while the view is up) go above it; otherwise (a pipe, a CI
// log) it prints one line per change of phase and a progress line every 10 s. A
// paused apply says how to go on.
//
// With ShowTimeline() it draws the rollout timeline instead (cli/timeline_render.h):
// redrawn in place on a terminal; otherwise the changes of phase as usual and the
// timeline once, when the apply has settled.
//
// Rows/s is measured here from successive reads of rows_copied, so the view is the
// same whichever process drives the apply.
//
// Thread-safety: one thread.
//
//   LiveView view(std::cout, isatty(1));
//   view.Update(*LoadApplyView(store, id), clock.NowMicros());
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "api/documents.h"
#include "app/timeline.h"

namespace ordo::cli {

class LiveView {
 public:
  // `revert_window`: the environment's window length, for the time left (0: unknown).
  LiveView(std::ostream& out, bool tty, Micros revert_window = 0)
      : out_(out), tty_(tty), revert_window_(revert_window) {}

  // The terminal's width: every line of the view is cut to it (default 80).
  void SetColumns(int columns) { columns_ = columns > 0 ? columns : 80; }
  void Update(const app::ApplyView& view, Micros now);
  // Timeline mode: Update draws the timeline of the view and `events` (the apply's).
  void ShowTimeline(bool color) {
    timeline_ = true;
    color_ = color;
  }
  bool showing_timeline() const { return timeline_; }
  void Update(const app::ApplyView& view, const std::vector<EventRecord>& events, Micros now);
  // A message printed above the view (or as a plain line).
  void Note(const std::string& line);
  // The lines the terminal view draws for `view` (also the final summary).
  std::vector<std::string> Render(const app::ApplyView& view, Micros now = 0);

 private:
  struct Rate {
    int64_t rows = 0;
    Micros at = 0;
    double per_second = 0;
  };
  void Measure(const app::ApplyView& view, Micros now);
  void Redraw(const std::vector<std::string>& lines);
  void PrintChanges(const app::ApplyView& view, Micros now);

  std::ostream& out_;
  bool tty_;
  Micros revert_window_;
  int columns_ = 80;
  bool timeline_ = false;
  bool color_ = false;
  bool timeline_printed_ = false;
  std::map<int64_t, Rate> rates_;  // operation id → copy rate
  int drawn_ = 0;
  std::map<int64_t, std::string> last_state_;
  std::map<int64_t, std::string> last_waiting_;  // the swap_waiting last printed
  std::string last_apply_state_;
  Micros last_progress_line_ = 0;
};

// `s` padded with spaces to `width` bytes.
std::string Pad(std::string s, size_t width);
// "10:00:00Z": the time of day of `t`, UTC.
std::string ClockTime(Micros t);
// "12.3k", "1.2M".
std::string HumanCount(double n);
// "1:05", "1:02:03".
std::string HumanDuration(int64_t seconds);
// `line` cut to `columns` characters (UTF-8 aware; "…" marks a cut).
std::string FitWidth(const std::string& line, int columns);

}  // namespace ordo::cli
