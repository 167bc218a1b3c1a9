// Constructed applies for the timeline's tests (model, terminal drawing, SVG): views
// and event logs as the store would return them, at fixed times.
//
// Thread-safety: plain values.
//
//   TimelineFixture f = TimelineFixture::ThreeCompleted();
//   Timeline t = BuildTimeline(f.view, f.events, At(100));
#pragma once

#include <string>
#include <vector>

#include "app/apply_view.h"
#include "ordo/model.h"

namespace ordo::testing {

// 2027-01-15T08:00:00Z plus `seconds`.
inline Micros At(double seconds) {
  return 1'800'000'000'000'000 + static_cast<Micros>(seconds * 1'000'000);
}

struct TimelineFixture {
  app::ApplyView view;
  std::vector<EventRecord> events;

  app::OperationView& Add(const std::string& deployment, OperationState state, int64_t rows_copied,
                          int64_t rows_total) {
    app::OperationView ov;
    ov.operation.id = static_cast<int64_t>(view.operations.size()) + 1;
    ov.operation.deployment = deployment;
    ov.operation.state = state;
    ov.operation.cutover_policy = "rolling";
    ov.operation.on_failure = "halt";
    ChangeRecord c;
    c.table_name = "orders";
    c.state = state == OperationState::kRunning ? "copying" : "completed";
    c.rows_copied = rows_copied;
    c.rows_total = rows_total;
    c.progress = rows_total > 0 ? 100.0 * static_cast<double>(rows_copied) / rows_total : 0;
    ov.changes.push_back(c);
    view.operations.push_back(ov);
    return view.operations.back();
  }

  // Operation `index` went from `from` to `to` at `seconds` (an event, and the record).
  void Move(size_t index, double seconds, const std::string& from, const std::string& to) {
    OperationRecord& op = view.operations[index].operation;
    EventRecord e;
    e.id = static_cast<int64_t>(events.size()) + 1;
    e.operation_id = op.id;
    e.deployment = op.deployment;
    e.at = At(seconds);
    e.kind = "state_change";
    e.from_state = from;
    e.to_state = to;
    events.push_back(e);
    if (auto s = ParseOperationState(to)) op.state = *s;
    op.updated_at = std::max(op.updated_at, At(seconds));
  }

  // us, eu, ap rolled out and completed: us copies from the start and swaps at 10-11 s
  // (writes blocked 42 ms); eu and ap copy from 1 s and 2 s, park, and swap at
  // 11.5-20 s and 20.25-31 s.
  static TimelineFixture ThreeCompleted() {
    TimelineFixture f;
    f.view.apply.external_id = "ap_t";
    f.view.apply.database = "shop";
    f.view.apply.environment = "prod";
    f.view.apply.state = ApplyState::kCompleted;
    f.view.apply.created_at = At(0);
    f.view.apply.completed_at = At(31);
    const char* names[] = {"us", "eu", "ap"};
    const double run[] = {0, 1, 2}, park[] = {-1, 8, 9}, cut[] = {10, 11.5, 20.25},
                 done[] = {11, 20, 31};
    for (int i = 0; i < 3; ++i) {
      app::OperationView& ov = f.Add(names[i], OperationState::kPending, 1000, 1000);
      ov.changes[0].cutover_lock_ms = 42 + i;
      f.Move(i, run[i], "pending", "running");
      if (park[i] >= 0) f.Move(i, park[i], "running", "waiting_for_cutover");
      f.Move(i, cut[i], park[i] >= 0 ? "waiting_for_cutover" : "running", "cutting_over");
      f.Move(i, done[i], "cutting_over", "completed");
      OperationRecord& op = f.view.operations[i].operation;
      op.started_at = At(run[i]);
      op.cutover_started_at = At(cut[i]);
      op.cutover_completed_at = At(done[i]);
      op.completed_at = At(done[i]);
    }
    return f;
  }

  // us copying (450 of 1000 rows, since 0 s, last progress at 5 s); eu pending.
  static TimelineFixture CopyingFirst() {
    TimelineFixture f;
    f.view.apply.external_id = "ap_t";
    f.view.apply.database = "shop";
    f.view.apply.environment = "prod";
    f.view.apply.state = ApplyState::kRunning;
    f.view.apply.created_at = At(0);
    f.Add("us", OperationState::kPending, 450, 1000);
    f.Add("eu", OperationState::kPending, 0, 0);
    f.Move(0, 0, "pending", "running");
    f.view.operations[0].changes[0].state = "copying";
    f.view.operations[0].operation.started_at = At(0);
    f.view.operations[0].operation.updated_at = At(5);
    return f;
  }
};

}  // namespace ordo::testing
