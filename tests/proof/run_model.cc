#include "run_model.h"

#include <algorithm>

#include "store_model.h"
#include "target_model.h"

namespace ordo::proof {
namespace {

using S = OperationState;

// Where a run sits: a driver or keeper slot of a process.
struct Slot {
  int process = 0;
  bool keeper = false;
  int index = 0;

  Run& In(State& s) const {
    Process& p = s.processes[process];
    return keeper ? p.keepers[index] : p.drivers[index];
  }
  std::string Name() const {
    return "p" + std::to_string(process) + (keeper ? " keeper " : " driver ") +
           std::to_string(index);
  }
};

// Builds the successors of one step of one slot.
class Stepper {
 public:
  Stepper(const WorldSpec& w, const State& s, Slot slot, std::vector<Successor>* out)
      : w_(w), s_(s), slot_(slot), out_(out) {}

  void Step() {
    const Run& r = slot_.In(const_cast<State&>(s_));
    switch (r.pc) {
      case Pc::kIdle:
        return Tick();
      case Pc::kLoad:
        return Load();
      case Pc::kBackoff:
        return Backoff();
      case Pc::kCopy:
        return Copy();
      case Pc::kInSync:
        return InSync();
      case Pc::kAskTurn:
        return AskTurn();
      case Pc::kKeeping:
        return Keeping();
      case Pc::kRelease:
        return Release();
      case Pc::kSwap:
        return Swap();
      case Pc::kWindow:
        return Window();
      case Pc::kFinish:
        return FinishSwap();
      case Pc::kCancel:
        return CleanUpThen(S::kCancelled);
      case Pc::kFail:
        return Fail();
    }
  }

 private:
  // A successor of the current state, for the step named `what`.
  struct Next {
    State s;
    Run* r;
  };
  Next Fork() {
    Next n{s_, nullptr};
    n.r = &slot_.In(n.s);
    return n;
  }
  void Push(Next& n, const std::string& what, bool fault = false) {
    if (fault) --n.s.faults_left;
    out_->push_back(Successor{std::move(n.s), slot_.Name() + ": " + what, !fault});
  }
  bool CanFault() const { return s_.faults_left > 0; }
  bool ShuttingDown() const { return s_.processes[slot_.process].shutting_down; }
  const Run& Cur() const { return slot_.In(const_cast<State&>(s_)); }
  int64_t ApplyId() const { return Op(s_, Cur().op).apply_id; }
  worker::ApplyControl Control() const { return ControlOf(s_, ApplyId()); }
  // The engine's writes on the target are fenced: a run whose row carries another token
  // by now is refused there (and its store writes answer LeaseLost).
  bool LeaseLive() const { return Op(s_, Cur().op).lease_token == Cur().token; }

  static void End(Run& r) { r = Run{}; }

  // The transition, then the apply's compare-and-swap; false (and the run over) when
  // the lease is lost.
  static bool Transition(State& s, Run& r, S to) {
    if (!proof::Transition(s, r.op, r.token, to).ok()) {
      End(r);
      return false;
    }
    (void)SwapApplyState(s, r.op, r.token);
    return true;
  }

  static void EndStopped(State& s, Run& r) {
    if (Transition(s, r, S::kStopped)) End(r);
  }

  // Carries out an error decision that is not a retry in place.
  static void Carry(State& s, Run& r, worker::ErrorStep step, bool retryable) {
    switch (step) {
      case worker::ErrorStep::kNothing:
      case worker::ErrorStep::kLeave:
        End(r);
        return;
      case worker::ErrorStep::kCancel:
        r.pc = Pc::kCancel;
        return;
      case worker::ErrorStep::kStop:
        EndStopped(s, r);
        return;
      default:
        r.pc = Pc::kFail;
        r.fail_retryable = retryable;
        r.engine_live = false;
        return;
    }
  }

  void CarryError(worker::RunPhase phase, const Status& status, const std::string& what,
                  bool fault) {
    Next n = Fork();
    worker::ErrorStep step =
        worker::DecideEngineError(phase, status, false, Control(), ShuttingDown());
    if (step == worker::ErrorStep::kRetryInPlace) {
      n.r->engine_live = false;
    } else {
      Carry(n.s, *n.r, step, step == worker::ErrorStep::kFailRetryable);
    }
    Push(n, what, fault);
  }

  // ---- the tick -----------------------------------------------------------------------
  void Tick() {
    const Process& p = s_.processes[slot_.process];
    if (p.shutting_down || !p.running) return;
    for (bool lose_answer : {false, true}) {
      if (lose_answer && !CanFault()) break;
      Next n = Fork();
      std::string token = NewToken(n.s);
      bool claimed = false;
      std::string what = "tick";
      for (worker::TickStep step : worker::kTickOrder) {
        OperationRecord before;
        std::optional<int> op;
        worker::ClaimSource source = worker::ClaimSource::kCopy;
        switch (step) {
          case worker::TickStep::kExpireRetries:
            if (ExpireRetries(n.s, w_)) what += " (expired retries)";
            continue;
          case worker::TickStep::kRederive:
            if (RederiveUnheld(n.s)) what += " (re-derived)";
            continue;
          case worker::TickStep::kStopReconciliation:
            claimed = ClaimStop(n.s);
            if (claimed) what += ": stop reconciliation";
            break;
          case worker::TickStep::kCleanupClaim:
            op = ClaimCleanup(n.s, token, &before);
            source = worker::ClaimSource::kCleanup;
            break;
          case worker::TickStep::kCutoverClaim:
            op = ClaimCutover(n.s, token, &before);
            source = worker::ClaimSource::kCutover;
            break;
          case worker::TickStep::kCopyClaim:
            op = ClaimCopy(n.s, token, &before);
            break;
        }
        if (op) {
          claimed = true;
          static const char* kNames[] = {"copy", "cutover", "cleanup"};
          what += ": " + std::string(kNames[static_cast<int>(source)]) + " claim of op" +
                  std::to_string(*op) + " (was " + std::string(ToString(before.state)) + ")";
          if (!lose_answer) {
            Run& r = *n.r;
            r.pc = Pc::kLoad;
            r.op = *op;
            r.token = token;
            r.source = source;
            r.was = before.state;
            r.ever_started = before.started_at.has_value();
          }
        }
        if (claimed) break;
      }
      if (lose_answer && !claimed) break;
      if (n.s.Key() == s_.Key()) continue;
      Push(n, lose_answer ? what + ", its answer lost" : what, lose_answer);
    }
  }

  // ---- a claimed operation ----------------------------------------------------------------
  void Load() {
    Next n = Fork();
    Run& r = *n.r;
    if (r.source != worker::ClaimSource::kCleanup) (void)SwapApplyState(n.s, r.op, r.token);
    worker::RunStep step =
        worker::DecideDispatch(r.source, r.was, r.ever_started, ControlOf(n.s, ApplyId()));
    switch (step) {
      case worker::RunStep::kCancel:
        r.pc = Pc::kCancel;
        break;
      case worker::RunStep::kCleanUpFailed:
        r.pc = Pc::kFail;
        r.fail_retryable = false;
        break;
      case worker::RunStep::kStop:
        EndStopped(n.s, r);
        break;
      case worker::RunStep::kCutOver:
        r.pc = Pc::kSwap;
        r.engine_live = false;
        break;
      case worker::RunStep::kRevertWindow:
        r.pc = Pc::kWindow;
        break;
      case worker::RunStep::kFinishSwap:
        r.pc = Pc::kFinish;
        break;
      case worker::RunStep::kBackToPending:
        if (Transition(n.s, r, S::kPending)) End(r);
        break;
      case worker::RunStep::kResumeCopy:
        if (Transition(n.s, r, S::kRunning)) r.pc = Pc::kCopy;
        break;
      case worker::RunStep::kRetryCopy:
        if (Transition(n.s, r, S::kRunning)) r.pc = Pc::kBackoff;
        break;
      case worker::RunStep::kCopy:
        r.pc = Pc::kCopy;
        break;
    }
    Push(n, "load and dispatch");
  }

  void Backoff() {
    Next n = Fork();
    Run& r = *n.r;
    if (ShuttingDown()) {
      End(r);  // abandoned: the row is recovered once stale
    } else {
      switch (worker::DecideInterrupt(Control())) {
        case worker::Interrupt::kCancel:
          r.pc = Pc::kCancel;
          break;
        case worker::Interrupt::kStop:
          EndStopped(n.s, r);
          break;
        case worker::Interrupt::kNone:
          r.pc = Pc::kCopy;
          break;
      }
    }
    Push(n, "retry backoff over");
  }

  void Copy() {
    if (!LeaseLive()) {
      Next n = Fork();
      End(*n.r);
      return Push(n, "copy: the fence has moved (lease lost)");
    }
    int op = Cur().op;
    // Asked to stop (a request, a decided apply, shutdown): the engine stops at a safe point.
    if (worker::DecideInterrupt(Control()) != worker::Interrupt::kNone || ShuttingDown()) {
      Next n = Fork();
      n.r->ever_started = true;
      CreateShadow(n.s, op);  // it may have created its shadow before it stopped
      Carry(n.s, *n.r,
            worker::DecideEngineError(worker::RunPhase::kCopy, Cancelled("asked to stop"), false,
                                      Control(), ShuttingDown()),
            true);
      Push(n, "copy stopped at a safe point");
    }
    {
      Next n = Fork();
      n.r->ever_started = true;
      if (!CreateShadow(n.s, op)) {
        Carry(n.s, *n.r, worker::ErrorStep::kFail, false);
        Push(n, "copy refused: another operation's shadow is on the target");
      } else {
        n.r->engine_live = true;
        n.r->pc = Pc::kInSync;
        Push(n, "copy done, in sync");
      }
    }
    if (!CanFault()) return;
    {
      Next n = Fork();
      n.r->ever_started = true;
      CreateShadow(n.s, op);
      Carry(n.s, *n.r,
            worker::DecideEngineError(worker::RunPhase::kCopy, Unavailable("target unreachable"),
                                      false, Control(), ShuttingDown()),
            true);
      Push(n, "copy failed (transient)", true);
    }
    {
      Next n = Fork();
      n.r->ever_started = true;
      CreateShadow(n.s, op);
      Carry(n.s, *n.r,
            worker::DecideEngineError(worker::RunPhase::kCopy, DataLoss("lossy change"), false,
                                      Control(), ShuttingDown()),
            false);
      Push(n, "copy failed (permanent)", true);
    }
  }

  void InSync() {
    Next n = Fork();
    Run& r = *n.r;
    if (Transition(n.s, r, S::kWaitingForCutover)) {
      switch (worker::DecideInterrupt(ControlOf(n.s, ApplyId()))) {
        case worker::Interrupt::kCancel:
          r.pc = Pc::kCancel;
          break;
        case worker::Interrupt::kStop:
          r.engine_live = false;
          EndStopped(n.s, r);
          break;
        case worker::Interrupt::kNone:
          r.pc = Pc::kAskTurn;
          break;
      }
    }
    Push(n, "in sync: waiting_for_cutover");
  }

  bool KeeperFree(const State& s) const {
    for (const Run& k : s.processes[slot_.process].keepers)
      if (k.pc == Pc::kIdle) return true;
    return false;
  }

  void Turn(Next& n, std::optional<bool> began, bool shutting_down) {
    Run& r = *n.r;
    bool keeper_free = !shutting_down && began != true && !slot_.keeper && KeeperFree(n.s);
    switch (worker::DecideTurn(began, keeper_free, shutting_down)) {
      case worker::TurnStep::kCutOver:
        (void)SwapApplyState(n.s, r.op, r.token);
        r.pc = Pc::kSwap;
        break;
      case worker::TurnStep::kKeep: {
        for (Run& k : n.s.processes[slot_.process].keepers) {
          if (k.pc != Pc::kIdle) continue;
          k = r;
          k.pc = Pc::kKeeping;
          break;
        }
        End(r);
        break;
      }
      case worker::TurnStep::kRelease:
        r.pc = Pc::kRelease;
        r.engine_live = false;
        break;
    }
  }

  void AskTurn() {
    {
      Next n = Fork();
      std::optional<bool> began;
      if (!ShuttingDown()) {
        Result<bool> answer = BeginCutover(n.s, n.r->op, n.r->token);
        if (answer.status().Is(StatusCode::kLeaseLost)) {
          End(*n.r);
          return Push(n, "begin_cutover: lease lost");
        }
        if (answer.ok()) began = *answer;
      }
      Turn(n, began, ShuttingDown());
      Push(n, ShuttingDown()  ? "not asked for the turn (shutting down)"
              : began == true ? "begin_cutover: yes"
                              : "begin_cutover: not yet");
    }
    // The answer of a committed begin_cutover is lost just as the worker starts to shut
    // down (SIGTERM; an embedded command's worker only shuts down once nothing is in
    // flight): the holder gives up asking and releases the row.
    if (CanFault() && !ShuttingDown() && !w_.embedded) {
      Next n = Fork();
      if (BeginCutover(n.s, n.r->op, n.r->token).ok()) {
        n.s.processes[slot_.process].shutting_down = true;
        Turn(n, std::nullopt, true);
        Push(n, "begin_cutover committed, its answer lost, and the worker shuts down", true);
      }
    }
  }

  void Keeping() {
    Next n = Fork();
    Run& r = *n.r;
    if (!LeaseLive()) {
      End(r);
      return Push(n, "keeper: lease lost");
    }
    worker::Interrupt interrupt = worker::DecideInterrupt(Control());
    if (ShuttingDown() && interrupt == worker::Interrupt::kNone) {
      r.pc = Pc::kRelease;
      r.engine_live = false;
      return Push(n, "keeper: shutdown, release the row");
    }
    if (interrupt != worker::Interrupt::kNone) {
      Carry(n.s, r,
            worker::DecideEngineError(worker::RunPhase::kCopy, Cancelled("asked to stop"), false,
                                      Control(), ShuttingDown()),
            true);
      return Push(n, "keeper: asked to stop");
    }
    Result<bool> began = BeginCutover(n.s, r.op, r.token);
    if (began.ok() && *began) {
      (void)SwapApplyState(n.s, r.op, r.token);
      r.pc = Pc::kSwap;
      Push(n, "keeper: begin_cutover yes");
    }
    if (CanFault()) {
      Next f = Fork();
      Carry(f.s, *f.r,
            worker::DecideEngineError(worker::RunPhase::kCopy, Unavailable("target unreachable"),
                                      false, Control(), ShuttingDown()),
            true);
      Push(f, "keeper: engine failed (transient)", true);
    }
  }

  void Release() {
    Next n = Fork();
    Run& r = *n.r;
    Status park = Park(n.s, w_, r.op, r.token);
    switch (worker::DecidePark(park)) {
      case worker::ParkOutcome::kReleased:
        End(r);
        return Push(n, "released at the barrier");
      case worker::ParkOutcome::kSwapIsOurs:
        r.pc = Pc::kSwap;  // a keeper goes on with the swap itself
        r.engine_live = false;
        return Push(n, "park refused (the row is cutting_over): the swap is ours");
      case worker::ParkOutcome::kLeftForRecovery:
        End(r);
        return Push(n, "park: lease lost");
    }
  }

  // ---- the swap ------------------------------------------------------------------------------
  void AfterSwap(Next& n) {
    Run& r = *n.r;
    if (w_.revert_window) {
      if (Transition(n.s, r, S::kRevertWindow)) r.pc = Pc::kWindow;
      return;
    }
    // The turn ends at the swap; the old table is dropped after it.
    if (w_.reintroduce.unowed_turn_end) {
      if (Transition(n.s, r, S::kCompleted)) r.pc = Pc::kFinish;
      return;
    }
    if (!CompleteOwingCleanup(n.s, r.op, r.token).ok()) return End(r);
    (void)SwapApplyState(n.s, r.op, r.token);
    r.pc = Pc::kFinish;
  }

  // Without a window: the old table goes, and completing again clears the owed cleanup.
  void FinishSwap() {
    Next n = Fork();
    Run& r = *n.r;
    if (!LeaseLive()) {
      End(r);
      return Push(n, "finish: lease lost");
    }
    if (ShuttingDown()) {
      End(r);
      return Push(n, "finish: shutdown, left for the cleanup claim");
    }
    int op = r.op;
    Next f = n;
    f.r = &slot_.In(f.s);
    FinishWindow(n.s, op);
    if (Transition(n.s, r, S::kCompleted)) End(r);
    Push(n, "swap finished: old table dropped");
    if (CanFault()) {
      FinishWindow(f.s, op);
      f.r->engine_live = false;
      Push(f, "finishing the swap interrupted after the drop", true);
    }
  }

  void Swap() {
    if (!LeaseLive()) {
      Next n = Fork();
      End(*n.r);
      return Push(n, "swap: lease lost");
    }
    int op = Cur().op;
    {
      Next n = Fork();
      if (!CatchUpAndSwap(n.s, op)) {
        Carry(n.s, *n.r, worker::ErrorStep::kFail, false);
        Push(n, "swap refused: another operation's shadow is on the target");
      } else {
        AfterSwap(n);
        Push(n, "swapped");
      }
    }
    // A fresh engine finds an earlier rename from the target and finishes at once, so the
    // faults of the swap itself only come while nothing is live yet.
    if (!CanFault() || s_.extra[op].swapped) return;
    CarryError(worker::RunPhase::kSwap, Status(StatusCode::kTimeout, "every attempt gave up", true),
               "swap gave up (Timeout: nothing swapped)", true);
    CarryError(worker::RunPhase::kSwap, Unavailable("connection lost"),
               "swap interrupted before the rename", true);
    {
      Next n = Fork();
      if (CatchUpAndSwap(n.s, op)) {
        worker::ErrorStep step =
            worker::DecideEngineError(worker::RunPhase::kSwap, Unavailable("connection lost"),
                                      false, Control(), ShuttingDown());
        if (step == worker::ErrorStep::kRetryInPlace)
          n.r->engine_live = false;
        else
          Carry(n.s, *n.r, step, true);
        Push(n, "swap interrupted after the rename", true);
      }
    }
    CarryError(worker::RunPhase::kSwap, DataLoss("verification found a difference"),
               "swap refused (verification)", true);
  }

  // ---- the revert window -----------------------------------------------------------------------
  void Window() {
    Next n = Fork();
    Run& r = *n.r;
    if (!LeaseLive()) {
      End(r);
      return Push(n, "window: lease lost");
    }
    int op = r.op;
    worker::ApplyControl c = Control();
    if (!c.revert) r.revert_refused = false;
    bool over = WindowOver(n.s, op);
    bool deadline = n.s.extra[op].window_over || over;
    switch (worker::DecideWindow(c, deadline, ShuttingDown(), r.revert_refused)) {
      case worker::WindowStep::kLeave:
        End(r);
        return Push(n, "window: shutdown, left for recovery");
      case worker::WindowStep::kWait:
        if (n.s.Key() != s_.Key()) Push(n, "window: a refused revert request is gone");
        return;
      case worker::WindowStep::kRevert: {
        if (over && !n.s.extra[op].swapped) {
          EndReverted(n);
          return Push(n, "window: already reverted");
        }
        if (over) {
          FailRequest(n.s, ApplyId(), RequestKind::kRevert);
          r.revert_refused = true;
          return Push(n, "window: revert refused (the window is over)");
        }
        Next f = n;
        f.r = &slot_.In(f.s);
        RevertOnTarget(n.s, op);
        EndReverted(n);
        Push(n, "reverted");
        if (CanFault()) {
          RevertOnTarget(f.s, op);
          f.r->engine_live = false;
          Push(f, "revert interrupted after the rename", true);
        }
        return;
      }
      case worker::WindowStep::kFinish: {
        bool skipped = c.skip_revert;
        Next f = n;
        f.r = &slot_.In(f.s);
        FinishWindow(n.s, op);
        if (Transition(n.s, r, S::kCompleted)) {
          if (skipped) CompleteRequest(n.s, ApplyId(), RequestKind::kSkipRevert);
          End(r);
        }
        Push(n, skipped ? "window skipped: old table dropped" : "window over: old table dropped");
        if (CanFault()) {
          FinishWindow(f.s, op);
          f.r->engine_live = false;
          Push(f, "finishing the window interrupted after the drop", true);
        }
        return;
      }
    }
  }

  void EndReverted(Next& n) {
    Run& r = *n.r;
    if (Transition(n.s, r, S::kReverted)) {
      CompleteRequest(n.s, Op(n.s, r.op).apply_id, RequestKind::kRevert);
      End(r);
    }
  }

  // ---- endings ---------------------------------------------------------------------------------
  void CleanUpThen(S to) {
    int op = Cur().op;
    bool started = Cur().ever_started || Cur().engine_live;
    {
      Next n = Fork();
      if (started && LeaseLive()) DropShadow(n.s, op);
      if (Transition(n.s, *n.r, to)) End(*n.r);
      Push(n, std::string("cleaned up, ") + std::string(ToString(to)));
    }
    if (CanFault() && ShuttingDown() && started) {
      Next n = Fork();
      End(*n.r);  // a transient error while shutting down: left for recovery
      Push(n, "cleanup failed while shutting down: left for recovery", true);
    }
  }

  void Fail() {
    if (!Cur().fail_retryable) return CleanUpThen(S::kFailed);
    Next n = Fork();
    if (Transition(n.s, *n.r, S::kFailedRetryable)) End(*n.r);
    Push(n, "failed_retryable");
  }

  const WorldSpec& w_;
  const State& s_;
  Slot slot_;
  std::vector<Successor>* out_;
};

bool HeldByARun(const State& s, int op) {
  const auto& token = Op(s, op).lease_token;
  if (!token) return false;
  for (const auto& p : s.processes) {
    for (const auto* runs : {&p.drivers, &p.keepers})
      for (const Run& r : *runs)
        if (r.pc != Pc::kIdle && r.op == op && r.token == *token) return true;
  }
  return false;
}

bool AllIdle(const Process& p) {
  for (const auto* runs : {&p.drivers, &p.keepers})
    for (const Run& r : *runs)
      if (r.pc != Pc::kIdle) return false;
  return true;
}

void Push(std::vector<Successor>* out, State next, std::string label, bool progress) {
  out->push_back(Successor{std::move(next), std::move(label), progress});
}

// ---- time -------------------------------------------------------------------------------------
void TimePasses(const State& s, std::vector<Successor>* out) {
  {
    // The staleness window passes: rows nobody heartbeats go stale.
    State n = s;
    for (size_t i = 0; i < n.store.operations.size(); ++i) {
      OperationRecord& op = n.store.operations[i];
      if (op.updated_at == kNow && !HeldByARun(n, static_cast<int>(i))) op.updated_at = kStale;
    }
    for (auto& a : n.store.applies)
      if (a.updated_at == kNow) a.updated_at = kStale;
    if (n.Key() != s.Key()) Push(out, std::move(n), "time: the staleness window passes", true);
  }
  for (size_t i = 0; i < s.store.operations.size(); ++i) {
    if (s.store.operations[i].state != S::kRevertWindow || s.extra[i].window_over) continue;
    State n = s;
    n.extra[i].window_over = true;
    Push(out, std::move(n), "time: op" + std::to_string(i) + "'s revert window ends", true);
  }
  for (size_t i = 0; i < s.store.applies.size(); ++i) {
    const auto& a = s.store.applies[i];
    if (a.state != ApplyState::kFailedRetryable || a.failed_at != kNow) continue;
    State n = s;
    n.store.applies[i].failed_at = kOld;
    Push(out, std::move(n), "time: apply " + std::to_string(a.id) + "'s retry window ends", true);
  }
}

// ---- processes ----------------------------------------------------------------------------------
bool FollowerMayEndAll(const State& s) {
  for (const auto& a : s.store.applies) {
    std::vector<OperationRecord> ops = OpsOf(s, a.id);
    if (!worker::FollowerMayEnd(a.state, ops, ControlOf(s, a.id), /*interrupted=*/false,
                                /*drives=*/true))
      return false;
  }
  return true;
}

void ProcessEvents(const WorldSpec& w, const State& s, std::vector<Successor>* out) {
  for (size_t p = 0; p < s.processes.size(); ++p) {
    const Process& proc = s.processes[p];
    std::string name = "p" + std::to_string(p);
    if (w.embedded) {
      // The command that follows the apply ends when FollowerMayEnd says so; its worker
      // shuts down (what is in flight finishes as on any shutdown).
      if (proc.running && FollowerMayEndAll(s)) {
        State n = s;
        n.processes[p].running = false;
        n.processes[p].shutting_down = true;
        Push(out, std::move(n), name + ": the following command ends", true);
      }
      // Killed (or Ctrl-C twice, which exits at once): its leases go stale.
      if (s.faults_left > 0 && proc.running) {
        State n = s;
        for (Run& r : n.processes[p].drivers) r = Run{};
        for (Run& r : n.processes[p].keepers) r = Run{};
        n.processes[p].running = false;
        n.processes[p].shutting_down = true;
        --n.faults_left;
        Push(out, std::move(n), name + ": the command is killed (its leases go stale)", false);
      }
      continue;
    }
    if (proc.shutting_down && AllIdle(proc)) {
      State n = s;
      n.processes[p].shutting_down = false;
      Push(out, std::move(n), name + ": restarted", true);
    }
    if (s.faults_left <= 0) continue;
    if (!AllIdle(proc)) {
      State n = s;
      for (Run& r : n.processes[p].drivers) r = Run{};
      for (Run& r : n.processes[p].keepers) r = Run{};
      n.processes[p].shutting_down = false;
      --n.faults_left;
      Push(out, std::move(n), name + ": crashed (its leases go stale)", false);
    }
    if (!proc.shutting_down) {
      State n = s;
      n.processes[p].shutting_down = true;
      --n.faults_left;
      Push(out, std::move(n), name + ": shutdown (SIGTERM)", false);
    }
  }
}

// ---- a person -----------------------------------------------------------------------------------
bool Drives(RequestKind kind) {
  return kind != RequestKind::kStop && kind != RequestKind::kRelease;
}

// An embedded command that drives starts the ended process again.
void RestartEmbedded(const WorldSpec& w, State& n) {
  if (!w.embedded) return;
  Process& p = n.processes[0];
  if (!p.running && AllIdle(p)) {
    p.running = true;
    p.shutting_down = false;
  }
}

void Request(const WorldSpec& w, const State& s, int64_t apply_id, RequestKind kind,
             bool documented, std::vector<Successor>* out) {
  State n = s;
  RequestOutcome outcome = RequestControl(n, apply_id, kind);
  if (outcome == RequestOutcome::kAccepted && Drives(kind)) RestartEmbedded(w, n);
  if (!documented) --n.requests_left;
  if (documented && n.Key() == s.Key()) return;
  static const char* kOutcomes[] = {"accepted", "already requested", "refused"};
  Push(out, std::move(n),
       std::string(documented ? "person (documented command): " : "person: ") +
           std::string(ToString(kind)) + " apply " + std::to_string(apply_id) + " (" +
           kOutcomes[static_cast<int>(outcome)] + ")",
       documented);
}

void PersonEvents(const WorldSpec& w, const State& s, std::vector<Successor>* out) {
  // Embedded, once no command drives the store: what the user is told to run to go on
  // (`ordo worker`, which drives until the rollout is over).
  if (w.embedded && !s.processes[0].running && AllIdle(s.processes[0])) {
    bool open = false;
    for (const auto& a : s.store.applies) open = open || !IsSettled(a.state);
    for (const auto& op : s.store.operations)
      open = open || !IsSettled(op.state) || op.cleanup_pending;
    if (open) {
      State n = s;
      RestartEmbedded(w, n);
      Push(out, std::move(n), "person (documented command): ordo worker", true);
    }
  }
  // The documented way out of each state that waits for a person.
  for (const auto& a : s.store.applies) {
    if (IsSettled(a.state)) continue;
    DerivedApplyState d = Derived(s, a.id);
    if (d.state == ApplyState::kPaused) Request(w, s, a.id, RequestKind::kRelease, true, out);
    if (d.state == ApplyState::kStopped &&
        RequestOf(s, a.id, RequestKind::kStart) != RequestStatus::kPending)
      Request(w, s, a.id, RequestKind::kStart, true, out);
    if (a.defer_cutover && RequestOf(s, a.id, RequestKind::kCutover) != RequestStatus::kPending) {
      bool parked = false;
      for (const auto& op : s.store.operations)
        parked = parked || (op.apply_id == a.id && op.state == S::kWaitingForCutover);
      if (parked) Request(w, s, a.id, RequestKind::kCutover, true, out);
    }
  }
  if (s.requests_left <= 0) return;
  for (const auto& a : s.store.applies) {
    if (IsSettled(a.state)) continue;
    for (RequestKind kind :
         {RequestKind::kStop, RequestKind::kStart, RequestKind::kCancel, RequestKind::kCutover,
          RequestKind::kRelease, RequestKind::kRevert, RequestKind::kSkipRevert})
      Request(w, s, a.id, kind, false, out);
  }
  for (size_t i = 0; i < w.applies.size(); ++i) {
    if (s.created[i]) continue;
    State n = s;
    if (CreateApply(n, w, static_cast<int>(i))) {
      --n.requests_left;
      RestartEmbedded(w, n);
      Push(out, std::move(n), "person: creates apply " + std::to_string(i + 1), false);
    }
    break;  // applies are created in order
  }
}

}  // namespace

void Successors(const WorldSpec& w, const State& s, std::vector<Successor>* out) {
  for (size_t p = 0; p < s.processes.size(); ++p) {
    const Process& proc = s.processes[p];
    for (size_t i = 0; i < proc.drivers.size(); ++i)
      Stepper(w, s, Slot{static_cast<int>(p), false, static_cast<int>(i)}, out).Step();
    for (size_t i = 0; i < proc.keepers.size(); ++i)
      if (proc.keepers[i].pc != Pc::kIdle)
        Stepper(w, s, Slot{static_cast<int>(p), true, static_cast<int>(i)}, out).Step();
  }
  TimePasses(s, out);
  ProcessEvents(w, s, out);
  PersonEvents(w, s, out);
}

bool Settled(const State& s) {
  for (const auto& a : s.store.applies)
    if (!IsSettled(a.state)) return false;
  for (const auto& op : s.store.operations)
    if (!IsSettled(op.state) || op.cleanup_pending) return false;
  for (const auto& t : s.targets)
    if (!t.Clean()) return false;
  for (const auto& p : s.processes)
    if (!AllIdle(p)) return false;
  return true;
}

}  // namespace ordo::proof
