#include "app/timeline.h"

#include <algorithm>
#include <cstdio>

#include "core/phase.h"

namespace ordo::app {
namespace {

using S = OperationState;

// One change of an operation's state: when it entered `to`.
struct Step {
  Micros at = 0;
  OperationState to = S::kPending;
};

SegmentKind KindOf(OperationState s) {
  switch (s) {
    case S::kPending:
      return SegmentKind::kWaiting;
    case S::kRunning:
    case S::kResuming:
      return SegmentKind::kCopying;
    case S::kWaitingForCutover:
      return SegmentKind::kParked;
    case S::kCuttingOver:
      return SegmentKind::kCutover;
    case S::kRevertWindow:
      return SegmentKind::kRevertWindow;
    case S::kCompleted:
      return SegmentKind::kCompleted;
    case S::kFailed:
      return SegmentKind::kFailed;
    case S::kFailedRetryable:
      return SegmentKind::kRetrying;
    case S::kStopped:
      return SegmentKind::kStopped;
    case S::kCancelled:
      return SegmentKind::kCancelled;
    case S::kReverted:
      return SegmentKind::kReverted;
  }
  return SegmentKind::kWaiting;
}

// Without events (a store that lost them, a constructed view), the records' own
// timestamps say when the run, the swap and the ending began.
std::vector<Step> StepsFromRecord(const OperationRecord& op) {
  std::vector<Step> steps;
  if (op.started_at) steps.push_back({*op.started_at, S::kRunning});
  if (op.cutover_started_at) steps.push_back({*op.cutover_started_at, S::kCuttingOver});
  if (op.cutover_completed_at && op.state == S::kRevertWindow)
    steps.push_back({*op.cutover_completed_at, S::kRevertWindow});
  if (IsTerminal(op.state)) {
    if (op.completed_at)
      steps.push_back({*op.completed_at, op.state});
    else if (op.cutover_completed_at)
      steps.push_back({*op.cutover_completed_at, op.state});
  }
  return steps;
}

// The operation's state changes, oldest first: every event that moved it (a claim, a
// state change, a release at the barrier); a re-claim in the same state moves nothing.
std::vector<Step> StepsOf(const OperationRecord& op, const std::vector<EventRecord>& events) {
  std::vector<Step> steps;
  for (const EventRecord& e : events) {
    if (e.operation_id != op.id || !e.to_state) continue;
    std::optional<OperationState> to = ParseOperationState(*e.to_state);
    if (!to || (e.from_state && *e.from_state == *e.to_state)) continue;
    if (!steps.empty() && steps.back().to == *to) continue;
    steps.push_back({e.at, *to});
  }
  if (steps.empty()) steps = StepsFromRecord(op);
  // The record is the truth about where it stands now.
  S last = steps.empty() ? S::kPending : steps.back().to;
  if (last != op.state)
    steps.push_back(
        {std::max(steps.empty() ? op.updated_at : steps.back().at, op.updated_at), op.state});
  return steps;
}

// "swapped 1 table(s): writes blocked 84 ms, 1 attempt(s)" → 84.
std::optional<int64_t> LockMsFromEvents(int64_t op_id, const std::vector<EventRecord>& events) {
  std::optional<int64_t> ms;
  for (const EventRecord& e : events) {
    if (e.operation_id != op_id || e.kind != "cutover") continue;
    size_t at = e.message.find("writes blocked ");
    long long v = 0;
    if (at != std::string::npos &&
        std::sscanf(e.message.c_str() + at, "writes blocked %lld", &v) == 1)
      ms = v;
  }
  return ms;
}

std::string Percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", std::clamp(p, 0.0, 100.0));
  return buf;
}

std::string Clock(int64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return buf;
}

void Describe(const OperationView& ov, const std::vector<EventRecord>& events, Micros now,
              Micros window, TimelineLane& lane) {
  const OperationRecord& op = ov.operation;
  CopyFigures f = FiguresOf(ov);
  if (!f.lock_ms) f.lock_ms = LockMsFromEvents(op.id, events);
  std::vector<TimelineSegment>& segs = lane.segments;
  // The engine's step running now tells the open run apart.
  if (!segs.empty() && op.state == S::kRunning && !segs.back().end) {
    if (lane.phase == "building_indexes") segs.back().kind = SegmentKind::kBuildingIndexes;
    if (lane.phase == "verifying") segs.back().kind = SegmentKind::kVerifying;
    if (lane.phase == "in_sync") segs.back().kind = SegmentKind::kParked;
  }
  int last_copy = -1, last_cutover = -1;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].kind == SegmentKind::kCopying) last_copy = static_cast<int>(i);
    if (segs[i].kind == SegmentKind::kCutover) last_cutover = static_cast<int>(i);
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    TimelineSegment& s = segs[i];
    const bool open = !s.end;
    switch (s.kind) {
      case SegmentKind::kWaiting:
        s.label = "waiting";
        break;
      case SegmentKind::kCopying:
        if (static_cast<int>(i) == last_copy && !ov.changes.empty()) {
          s.rows_copied = f.copied;
          s.rows_total = f.total;
          s.percent = open ? f.percent : std::max(f.percent, f.total > 0 ? 0.0 : 100.0);
        }
        if (open && lane.phase == "starting")
          s.label = "starting";
        else if (open)
          s.label = "copying" + (s.percent ? " " + Percent(*s.percent) : "");
        else
          s.label = s.rows_copied ? "copied " + std::to_string(*s.rows_copied) + " rows" : "copied";
        break;
      case SegmentKind::kBuildingIndexes:
        s.label = "building indexes";
        break;
      case SegmentKind::kVerifying:
        s.label = "verifying";
        break;
      case SegmentKind::kParked:
        s.label = "parked, in sync";
        break;
      case SegmentKind::kCutover:
        if (static_cast<int>(i) == last_cutover) s.lock_ms = f.lock_ms;
        s.label = open ? "swapping" : "cutover";
        if (s.lock_ms) s.label += ", writes blocked " + std::to_string(*s.lock_ms) + " ms";
        // Why a swap in flight has not happened yet (who keeps its tables busy).
        if (open && ov.swap_waiting) s.label += ": " + *ov.swap_waiting;
        break;
      case SegmentKind::kRevertWindow:
        s.label = "revert window";
        if (open && window > 0 && op.cutover_completed_at) {
          s.seconds_left =
              std::max<int64_t>(0, (*op.cutover_completed_at + window - now) / 1'000'000);
          s.label += ", " + Clock(*s.seconds_left) + " left";
        }
        break;
      case SegmentKind::kRetrying:
        s.label = "retrying";
        if (open && op.error) s.error = op.error;
        break;
      case SegmentKind::kStopped:
        s.label = "stopped";
        break;
      case SegmentKind::kCompleted:
        s.label = op.cleanup_pending ? "completed, dropping the old table" : "completed";
        break;
      case SegmentKind::kFailed:
        s.error = op.error;
        s.label = "failed";
        break;
      case SegmentKind::kCancelled:
        s.error = op.error;
        s.label = "cancelled";
        break;
      case SegmentKind::kReverted:
        s.label = "reverted";
        break;
    }
    if (s.error && s.kind != SegmentKind::kCancelled) s.label += ": " + *s.error;
  }
}

TimelineLane LaneOf(const ApplyView& view, size_t position, const std::vector<EventRecord>& events,
                    Micros now, Micros window) {
  const OperationView& ov = view.operations[position];
  const OperationRecord& op = ov.operation;
  TimelineLane lane;
  lane.deployment = op.deployment;
  lane.position = static_cast<int>(position);
  lane.state = op.state;
  lane.phase = OperationPhase(op, ov.changes);
  std::vector<TimelineSegment>& segs = lane.segments;
  segs.push_back({SegmentKind::kWaiting, view.apply.created_at});
  for (const Step& step : StepsOf(op, events)) {
    SegmentKind kind = KindOf(step.to);
    TimelineSegment& last = segs.back();
    if (last.kind == kind && !IsMark(kind)) continue;
    Micros at = std::max(step.at, last.start);
    if (!last.end) last.end = at;
    // A stretch that took no time (a claim at the apply's creation) is not drawn.
    if (!IsMark(last.kind) && *last.end == last.start) segs.pop_back();
    TimelineSegment next{kind, at};
    if (IsMark(kind)) next.end = at;
    segs.push_back(next);
  }
  Describe(ov, events, now, window, lane);
  return lane;
}

}  // namespace

std::string_view ToString(SegmentKind k) {
  switch (k) {
    case SegmentKind::kWaiting:
      return "waiting";
    case SegmentKind::kCopying:
      return "copying";
    case SegmentKind::kBuildingIndexes:
      return "building_indexes";
    case SegmentKind::kVerifying:
      return "verifying";
    case SegmentKind::kParked:
      return "parked";
    case SegmentKind::kCutover:
      return "cutover";
    case SegmentKind::kRevertWindow:
      return "revert_window";
    case SegmentKind::kRetrying:
      return "failed_retryable";
    case SegmentKind::kStopped:
      return "stopped";
    case SegmentKind::kCompleted:
      return "completed";
    case SegmentKind::kFailed:
      return "failed";
    case SegmentKind::kCancelled:
      return "cancelled";
    case SegmentKind::kReverted:
      return "reverted";
  }
  return "waiting";
}

bool IsMark(SegmentKind k) {
  return k == SegmentKind::kCompleted || k == SegmentKind::kFailed ||
         k == SegmentKind::kCancelled || k == SegmentKind::kReverted;
}

Timeline BuildTimeline(const ApplyView& view, const std::vector<EventRecord>& events, Micros now,
                       Micros revert_window) {
  Timeline t;
  t.apply = view.apply.external_id;
  t.database = view.apply.database;
  t.environment = view.apply.environment;
  t.state = view.apply.state;
  t.error = view.apply.error;
  t.start = view.apply.created_at;
  Micros latest = std::max(view.apply.created_at, view.apply.completed_at.value_or(0));
  for (const EventRecord& e : events) latest = std::max(latest, e.at);
  for (const OperationView& ov : view.operations)
    latest = std::max(latest, ov.operation.updated_at);
  t.now = std::max(now, latest);
  if (IsSettled(view.apply.state)) t.end = view.apply.completed_at.value_or(latest);
  for (size_t i = 0; i < view.operations.size(); ++i)
    t.lanes.push_back(LaneOf(view, i, events, t.now, revert_window));
  // Handoffs: from each swap's end to the next deployment that swapped.
  const OperationRecord* prev = nullptr;
  for (const OperationView& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    if (!op.cutover_started_at) continue;
    if (prev && prev->cutover_completed_at)
      t.handoffs.push_back({prev->deployment, op.deployment,
                            (*op.cutover_started_at - *prev->cutover_completed_at) / 1000});
    prev = &op;
  }
  return t;
}

Micros TimelineEnd(const Timeline& t) { return t.end.value_or(t.now); }

}  // namespace ordo::app
