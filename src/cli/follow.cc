#include "cli/follow.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/documents.h"
#include "cli/live_view.h"
#include "cli/signals.h"
#include "operator/control.h"
#include "operator/mysql_engine_factory.h"
#include "operator/worker.h"

namespace ordo::cli {
namespace {

constexpr auto kRefresh = std::chrono::milliseconds(250);

// Nothing of the apply is in a step that a stop lets finish: no copy running, no
// cutover in flight, nothing parked under a live lease. (A revert window may go on:
// it is left to whoever recovers it.)
bool Quiescent(const ApplyView& view) {
  for (const auto& ov : view.operations) {
    switch (ov.operation.state) {
      case OperationState::kRunning:
      case OperationState::kResuming:
      case OperationState::kCuttingOver:
        return false;
      case OperationState::kWaitingForCutover:
        if (ov.operation.lease_token) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

// A start recorded but not yet taken up: the apply still reads `stopped` until a
// driver claims its stopped rows, which is no reason to stop following it.
bool StartPending(Store& store, int64_t apply_id) {
  auto requests = store.ListRequests(apply_id);
  if (!requests.ok()) return false;
  for (const auto& r : *requests)
    if (r.kind == RequestKind::kStart && r.status == RequestStatus::kPending) return true;
  return false;
}

WorkerOptions OptionsFrom(const Config& cfg) {
  WorkerOptions o;
  o.owner_prefix = OwnerPrefix();
  o.drivers = cfg.worker.drivers;
  o.parked_keepers = cfg.worker.parked_keepers;
  o.poll_interval_micros = cfg.worker.poll_interval_micros;
  o.lease_staleness_micros = cfg.worker.lease_staleness_micros;
  return o;
}

}  // namespace

bool IsEmbeddedStore(const std::string& url) { return url.rfind("sqlite:", 0) == 0; }

std::string OwnerPrefix() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + "/" + std::to_string(getpid());
}

Result<FollowResult> FollowApply(Session& session, const std::string& external_id,
                                 const FollowOptions& options) {
  ORDO_ASSIGN_OR_RETURN(Store* store, session.Store());
  FollowResult result;
  ThreadRuntime runtime;
  std::unique_ptr<MysqlEngineFactory> engines;
  std::unique_ptr<Worker> worker;
  std::atomic<Worker*> live{nullptr};
  // Before any worker thread exists, so they all inherit the blocked signals.
  SignalWatcher signals([&live](int) {
    if (Worker* w = live.load()) w->Notify();
  });
  if (options.drive) {
    ORDO_ASSIGN_OR_RETURN(const Config* cfg, session.LoadConfig());
    ORDO_ASSIGN_OR_RETURN(engines, session.EngineFactory());
    worker = std::make_unique<Worker>(*store, *engines, runtime, session.logger(), OptionsFrom(*cfg));
    worker->Start();
    live = worker.get();
    worker->Notify();
  }
  LiveView view(std::cout, options.tty);
  bool stop_recorded = false;
  Status last_error;
  std::optional<int64_t> apply_id;  // known after the first load
  while (true) {
    // Read before the view: a start request served between the two reads has moved an
    // operation out of `stopped` by the time the view is read, so a stopped, quiescent
    // view with no start pending before it really has nothing left to run.
    std::optional<bool> start_pending;
    if (apply_id) start_pending = StartPending(*store, *apply_id);
    auto loaded = LoadApplyView(*store, external_id);
    if (!loaded.ok()) {
      if (loaded.status().Is(StatusCode::kNotFound)) return loaded.status();
      if (last_error.code() != loaded.status().code())
        session.logger().Log(LogLevel::kWarn, {external_id, "", ""}, "cannot read the apply: " + loaded.status().ToString());
      last_error = loaded.status();
    } else {
      last_error = Status::Ok();
      const ApplyView& v = *loaded;
      apply_id = v.apply.id;
      result.state = v.apply.state;
      if (options.view) view.Update(v, SystemClock::Default()->NowMicros());
      if (IsSettled(v.apply.state)) break;
      if (v.apply.state == ApplyState::kStopped && Quiescent(v) && start_pending == false) break;
      if (stop_recorded && Quiescent(v)) break;
      if (signals.count() > 0 && !options.drive) {
        result.interrupted = true;
        break;
      }
      if (signals.count() > 0 && !stop_recorded) {
        auto answer = RecordControl(*store, v.apply, RequestKind::kStop, "cli (" + OwnerPrefix() + ")", {});
        std::string said = answer.ok() ? DescribeAnswer(*answer) : answer.status().ToString();
        if (options.view) view.Note("stop: " + said + "; finishing the current steps (Ctrl-C again to exit at once)");
        stop_recorded = true;
        result.interrupted = true;
        worker->Notify();
      }
    }
    if (signals.count() > 1) {
      // Exit at once, like a kill: leases go stale and are recovered by the next run.
      std::cout << std::flush;
      std::cerr << "ordo: interrupted; what was in flight is recovered once its lease is stale" << std::endl;
      std::_Exit(1);
    }
    std::this_thread::sleep_for(kRefresh);
  }
  if (worker) {
    worker->Shutdown();
    worker->Join();
    live = nullptr;
  }
  if (auto final_view = LoadApplyView(*store, external_id); final_view.ok()) {
    result.state = final_view->apply.state;
    if (options.view) view.Update(*final_view, SystemClock::Default()->NowMicros());
  }
  return result;
}

}  // namespace ordo::cli
