#include "engine_double.h"

#include <nlohmann/json.hpp>

namespace ordo::sim {

bool FakeTarget::CheckToken(int64_t op, const std::string& token, const char* what) {
  auto row = truth_.GetOperation(op);
  if (!row.ok()) {
    violations_.push_back(std::string(what) + " on operation " + std::to_string(op) + ": " +
                          row.status().ToString());
    return false;
  }
  if (row->lease_token != token) {
    violations_.push_back(std::string(what) + " on operation " + std::to_string(op) + " by token " +
                          token + " while the store's token is " +
                          row->lease_token.value_or("NULL") + " (state " +
                          std::string(ToString(row->state)) + "): two live leases");
    return false;
  }
  return true;
}

void FakeTarget::ExpectState(int64_t op, OperationState state, const char* what) {
  auto row = truth_.GetOperation(op);
  if (row.ok() && row->state != state)
    violations_.push_back(std::string(what) + " of operation " + std::to_string(op) + " in state " +
                          std::string(ToString(row->state)));
}

Status FakeTarget::Write(int64_t op, const std::string& token, bool alive, const char* what) {
  if (!alive) return Unavailable("simulated: the process is dead");
  ++writes_;
  shadow_[op] = true;
  CheckToken(op, token, what);
  return Status::Ok();
}

Status FakeTarget::Swap(int64_t op, const std::string& token, bool alive) {
  if (!alive) return Unavailable("simulated: the process is dead");
  if (!CheckToken(op, token, "swap")) return Status::Ok();
  ExpectState(op, OperationState::kCuttingOver, "swap");
  if (swaps_[op] > 0) violations_.push_back("second swap of operation " + std::to_string(op));
  ++swaps_[op];
  return Status::Ok();
}

Status FakeTarget::Revert(int64_t op, const std::string& token, bool alive) {
  if (!alive) return Unavailable("simulated: the process is dead");
  if (!CheckToken(op, token, "swap back")) return Status::Ok();
  ExpectState(op, OperationState::kRevertWindow, "swap back");
  if (swaps_[op] != 1 || reverts_[op] > 0 || old_dropped_[op])
    violations_.push_back("swap back of operation " + std::to_string(op) + " after " +
                          std::to_string(swaps_[op]) + " swap(s), " + std::to_string(reverts_[op]) +
                          " swap(s) back" + (old_dropped_[op] ? ", its old table dropped" : ""));
  ++reverts_[op];
  return Status::Ok();
}

Status FakeTarget::DropOld(int64_t op, const std::string& token, bool alive) {
  if (!alive) return Unavailable("simulated: the process is dead");
  if (!CheckToken(op, token, "drop of the old table")) return Status::Ok();
  if (reverts_[op] > 0)
    violations_.push_back("old table of operation " + std::to_string(op) +
                          " dropped after it was swapped back");
  old_dropped_[op] = true;
  return Status::Ok();
}

namespace {

class EngineDouble final : public OperationEngine {
 public:
  EngineDouble(FakeTarget& target, SimScheduler& s, const DoubleFactory& factory, EngineHost* host,
               worker::OperationJob job, DoubleOdds odds)
      : target_(target), s_(s), factory_(factory), host_(host), job_(std::move(job)), odds_(odds) {
    steps_ = 1 + static_cast<int>(s_.rng()() % 8);
    step_micros_ = 100'000 + static_cast<Micros>(s_.rng()() % 900'000);
    if (job_.operation.resume_state) {
      auto j = nlohmann::json::parse(*job_.operation.resume_state, nullptr, false);
      if (j.is_object()) {
        copied_ = j.value("copied", 0);
        steps_ = std::max(j.value("steps", steps_), copied_);
      }
    }
  }

  Status Preflight() override {
    s_.Sleep(step_micros_ / 4);
    // After the swap the real engine only reloads what the revert window needs.
    if (!target_.swapped(op()) && Draw(odds_.preflight_permanent))
      return InvalidArgument("simulated: the DDL is refused by preflight");
    return Status::Ok();
  }

  Status Copy() override {
    if (target_.swapped(op())) {
      swapped_ = in_sync_ = true;
      return Status::Ok();
    }
    while (copied_ < steps_) {
      s_.Sleep(step_micros_);
      if (host_->ShouldStop()) return Stopped();
      ORDO_RETURN_IF_ERROR(target_.Write(op(), job_.lease.token, factory_.alive, "copy chunk"));
      if (Draw(odds_.step_retryable)) return Unavailable("simulated: target unreachable");
      if (Draw(odds_.step_permanent))
        return DataLoss("simulated: duplicate key for the new unique index");
      ++copied_;
      ORDO_RETURN_IF_ERROR(Report("copying"));
      if (copied_ % 2 == 0) ORDO_RETURN_IF_ERROR(Checkpoint());
    }
    ORDO_RETURN_IF_ERROR(Checkpoint());
    ORDO_RETURN_IF_ERROR(Report("in_sync"));
    in_sync_ = true;
    return Status::Ok();
  }

  Status KeepInSync(const std::function<bool()>& ready) override {
    if (!in_sync_) return FailedPrecondition("KeepInSync before Copy");
    while (true) {
      if (ready()) return Status::Ok();
      if (host_->ShouldStop()) return Stopped();
      s_.Sleep(200'000);
      if (host_->ShouldStop()) return Stopped();
      ORDO_RETURN_IF_ERROR(target_.Write(op(), job_.lease.token, factory_.alive, "in-sync apply"));
      if (Draw(odds_.step_retryable / 4)) return Unavailable("simulated: binlog stream lost");
    }
  }

  Result<CutoverReport> Cutover() override {
    CutoverReport report;
    if (swapped_ || target_.swapped(op())) {
      swapped_ = true;
      return report;
    }
    if (!in_sync_) return FailedPrecondition("Cutover before Copy");
    s_.Sleep(step_micros_ / 2);
    if (host_->ShouldStop()) return Stopped();
    if (Draw(odds_.cutover_timeout))
      return Timeout("simulated: every cutover attempt timed out; nothing swapped");
    if (Draw(odds_.cutover_permanent)) return DataLoss("simulated: checksum mismatch at key 42");
    ORDO_RETURN_IF_ERROR(target_.Swap(op(), job_.lease.token, factory_.alive));
    swapped_ = true;
    report.attempts = 1 + static_cast<int>(s_.rng()() % 2);
    report.write_block_ms = 5 + static_cast<int64_t>(s_.rng()() % 80);
    ORDO_RETURN_IF_ERROR(Checkpoint());
    return report;
  }

  Status Cancel() override {
    if (swapped_ || target_.swapped(op())) return FailedPrecondition("already swapped");
    if (!factory_.alive) return Unavailable("simulated: the process is dead");
    target_.DropShadow(op());
    return Status::Ok();
  }

  Status KeepOldInSync(const std::function<bool()>& done) override {
    if (!WindowOpen()) return FailedPrecondition("simulated: no revert window any more");
    while (!done()) {
      if (host_->ShouldStop()) return Stopped();
      s_.Sleep(200'000);
      if (host_->ShouldStop()) return Stopped();
      ORDO_RETURN_IF_ERROR(target_.Write(op(), job_.lease.token, factory_.alive, "reverse sync"));
      if (Draw(odds_.step_retryable / 4)) return Unavailable("simulated: binlog stream lost");
    }
    return Checkpoint();
  }

  Status CanRevert() override {
    if (!target_.swapped(op())) return FailedPrecondition("simulated: nothing was swapped");
    if (target_.old_dropped(op())) return FailedPrecondition("simulated: the old table is gone");
    return Status::Ok();
  }

  Result<CutoverReport> Revert() override {
    CutoverReport report;
    if (target_.reverted(op())) return report;  // a recovered run: already swapped back
    ORDO_RETURN_IF_ERROR(CanRevert());
    s_.Sleep(step_micros_ / 2);
    if (host_->ShouldStop()) return Stopped();
    if (Draw(odds_.cutover_timeout))
      return Timeout("simulated: every revert attempt timed out; nothing swapped back");
    ORDO_RETURN_IF_ERROR(target_.Revert(op(), job_.lease.token, factory_.alive));
    report.attempts = 1;
    report.write_block_ms = 5 + static_cast<int64_t>(s_.rng()() % 80);
    return report;
  }

  Status FinishSwap() override {
    if (!target_.swapped(op())) return FailedPrecondition("simulated: nothing was swapped");
    if (target_.reverted(op()) || target_.old_dropped(op())) return Status::Ok();
    return target_.DropOld(op(), job_.lease.token, factory_.alive);
  }

 private:
  int64_t op() const { return job_.lease.operation_id; }
  bool WindowOpen() {
    return target_.swapped(op()) && !target_.reverted(op()) && !target_.old_dropped(op());
  }
  bool Draw(double p) {
    return p > 0 && std::uniform_real_distribution<double>(0, 1)(s_.rng()) < p;
  }
  Status Stopped() {
    ORDO_RETURN_IF_ERROR(Checkpoint());
    return Cancelled("simulated: stopped at a safe point");
  }
  Status Checkpoint() {
    nlohmann::json j = {{"copied", copied_}, {"steps", steps_}, {"swapped", swapped_}};
    return host_->SaveResumeState(j.dump());
  }
  Status Report(const std::string& phase) {
    EngineProgress p;
    p.phase = phase;
    for (const auto& c : job_.changes) {
      ChangeProgress cp;
      cp.change_id = c.id;
      cp.state = phase;
      cp.rows_copied = copied_ * 1000;
      cp.rows_total = steps_ * 1000;
      cp.percent = 100.0 * copied_ / steps_;
      cp.eta_seconds = (steps_ - copied_) * step_micros_ / 1'000'000;
      p.changes.push_back(cp);
    }
    return host_->ReportProgress(p);
  }

  FakeTarget& target_;
  SimScheduler& s_;
  const DoubleFactory& factory_;
  EngineHost* host_;
  worker::OperationJob job_;
  DoubleOdds odds_;
  int steps_ = 1;
  int copied_ = 0;
  Micros step_micros_ = 100'000;
  bool in_sync_ = false;
  bool swapped_ = false;
};

}  // namespace

Result<std::unique_ptr<OperationEngine>> DoubleFactory::NewEngine(const worker::OperationJob& job,
                                                                  EngineHost* host) {
  return std::unique_ptr<OperationEngine>(
      new EngineDouble(target_, scheduler_, *this, host, job, odds_));
}

Micros DoubleFactory::RevertWindow(const ApplyRecord& apply) {
  auto it = revert_windows_.find(apply.id);
  return it == revert_windows_.end() ? 0 : it->second;
}

}  // namespace ordo::sim
