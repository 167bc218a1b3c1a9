#include "app/apply_view.h"

#include <algorithm>

namespace ordo::app {

CopyFigures FiguresOf(const OperationView& ov) {
  CopyFigures f;
  double progress_sum = 0;
  for (const ChangeRecord& c : ov.changes) {
    f.copied += c.rows_copied;
    f.total += c.rows_total;
    progress_sum += c.progress;
    if (c.eta_seconds) f.eta_seconds = std::max(f.eta_seconds.value_or(0), *c.eta_seconds);
    if (c.cutover_lock_ms) f.lock_ms = std::max(f.lock_ms.value_or(0), *c.cutover_lock_ms);
  }
  if (f.total > 0)
    f.percent =
        100.0 * static_cast<double>(std::min(f.copied, f.total)) / static_cast<double>(f.total);
  else if (!ov.changes.empty())
    f.percent = progress_sum / static_cast<double>(ov.changes.size());
  return f;
}

Result<ApplyView> LoadApplyView(Store& store, std::string_view external_id) {
  ApplyView view;
  ORDO_ASSIGN_OR_RETURN(view.apply, store.FindApply(external_id));
  ORDO_ASSIGN_OR_RETURN(std::vector<OperationRecord> ops, store.ListOperations(view.apply.id));
  for (auto& op : ops) {
    OperationView ov;
    ORDO_ASSIGN_OR_RETURN(ov.changes, store.ListChanges(op.id));
    ov.operation = std::move(op);
    view.operations.push_back(std::move(ov));
  }
  bool swapping = false;
  for (const auto& ov : view.operations)
    swapping = swapping || ov.operation.state == OperationState::kCuttingOver;
  if (!swapping) return view;
  ORDO_ASSIGN_OR_RETURN(std::vector<EventRecord> events, store.ListEvents(view.apply.id));
  for (auto& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    if (op.state != OperationState::kCuttingOver) continue;
    for (const EventRecord& e : events)
      if (e.operation_id == op.id && e.kind == "notice" &&
          e.message.rfind("swap attempt ", 0) == 0 && e.at >= op.cutover_started_at.value_or(0))
        ov.swap_waiting = e.message;  // oldest first: the last one wins
  }
  return view;
}

}  // namespace ordo::app
