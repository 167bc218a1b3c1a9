// The rollout timeline: an apply as a picture in time. One lane per deployment, in
// deployment order, each a sequence of segments (waiting, copying, building indexes,
// verifying, parked in sync, cutover, revert window, and how it ended), plus the
// handoffs between consecutive swaps. `ordo status --timeline`, `ordo watch
// --timeline`, the JSON document (api/timeline_document.h) and the SVG
// (app/timeline_svg.h) all draw this one model.
//
// Built from the store alone: the operations' records (their timestamps, the changes'
// rows and write-block) and the apply's events, whose state changes say when each
// segment began. The engine's steps inside a run (copy, index build, verification) are
// not events: only the step running now is told apart; a finished run reads `copying`.
//
// Thread-safety: pure functions over plain values.
//
//   ORDO_ASSIGN_OR_RETURN(ApplyView view, LoadApplyView(store, id));
//   ORDO_ASSIGN_OR_RETURN(auto events, store.ListEvents(view.apply.id));
//   Timeline t = BuildTimeline(view, events, clock.NowMicros(), window_micros);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/apply_view.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::app {

// What a stretch of a lane is. The names are the JSON's "kind".
enum class SegmentKind {
  kWaiting,          // not started yet (pending): before its copy, or sent back by a start
  kCopying,          // running: preflight and the copy (a finished run, all of it)
  kBuildingIndexes,  // running: the secondary indexes added back to the shadow
  kVerifying,        // running: every table compared with its shadow
  kParked,           // in sync, waiting for its turn (waiting_for_cutover)
  kCutover,          // its turn: the final catch-up and the swap (cutting_over)
  kRevertWindow,     // swapped; the window in which `ordo revert` can swap back
  kRetrying,         // failed_retryable: a transient failure, retried
  kStopped,          // stopped by request; resumable
  kCompleted,        // a mark: done
  kFailed,           // a mark: failed for good
  kCancelled,        // a mark: cancelled (or not cut over: the rollout was decided)
  kReverted,         // a mark: swapped back
};

std::string_view ToString(SegmentKind k);
// The marks (completed, failed, cancelled, reverted) take no time: start == end.
bool IsMark(SegmentKind k);

struct TimelineSegment {
  SegmentKind kind = SegmentKind::kWaiting;
  Micros start = 0;
  std::optional<Micros> end;  // nullopt while it runs
  std::string label;          // "copying 45%", "cutover, writes blocked 42 ms", …
  std::optional<int64_t> rows_copied;
  std::optional<int64_t> rows_total;
  std::optional<double> percent;
  std::optional<int64_t> lock_ms;       // cutover: how long writes were blocked
  std::optional<std::string> error;     // failed, retrying
  std::optional<int64_t> seconds_left;  // an open revert window, when its length is known
};

struct TimelineLane {
  std::string deployment;
  int position = 0;  // deployment order, from 0
  OperationState state = OperationState::kPending;
  std::string phase;  // core/phase.h
  std::vector<TimelineSegment> segments;
};

// From one deployment's swap end (cutover_completed_at) to the next swapping
// deployment's swap start.
struct TimelineHandoff {
  std::string from;
  std::string to;
  int64_t gap_ms = 0;
};

struct Timeline {
  std::string apply;  // "ap_…"
  std::string database;
  std::string environment;
  ApplyState state = ApplyState::kPending;
  std::optional<std::string> error;
  Micros now = 0;
  Micros start = 0;           // the apply's creation
  std::optional<Micros> end;  // once settled
  std::vector<TimelineLane> lanes;
  std::vector<TimelineHandoff> handoffs;
};

// The timeline of `view` at `now`, from `events` (the apply's, oldest first, as
// Store::ListEvents returns them). `revert_window`: the environment's window length
// (0 when unknown: an open window then has no seconds_left). `now` earlier than the
// store's latest time (another host's clock) is taken as that time.
Timeline BuildTimeline(const ApplyView& view, const std::vector<EventRecord>& events, Micros now,
                       Micros revert_window = 0);

// The latest time the timeline shows: its end, or now.
Micros TimelineEnd(const Timeline& t);

// Reads the apply (by "ap_…" id) and its events and builds its timeline. NotFound naming
// the id; the store's errors as they come.
Result<Timeline> LoadTimeline(Store& store, std::string_view external_id, Micros now,
                              Micros revert_window = 0);

}  // namespace ordo::app
