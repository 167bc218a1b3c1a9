#include "cli/follow.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/documents.h"
#include "app/control.h"
#include "cli/live_view.h"
#include "cli/signals.h"
#include "cli/timeline_render.h"
#include "operator/decisions.h"
#include "operator/mysql_engine_factory.h"
#include "operator/worker.h"

namespace ordo::cli {
namespace {

constexpr auto kRefresh = std::chrono::milliseconds(250);

// The deployment in its revert window while another one has failed or the rollout was
// decided otherwise, and what the user can still do about it (once per apply view).
std::optional<std::string> WindowNote(const app::ApplyView& view, Micros revert_window) {
  if (view.apply.state != ApplyState::kRevertWindow || !view.apply.error) return std::nullopt;
  for (const auto& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    if (op.state != OperationState::kRevertWindow) continue;
    std::string left;
    if (op.cutover_completed_at && revert_window > 0)
      left = " until " + FormatRfc3339(*op.cutover_completed_at + revert_window);
    return *view.apply.error + "; " + op.deployment + " stays in its revert window" + left +
           ": `ordo revert " + view.apply.external_id + "` swaps it back, `ordo skip-revert " +
           view.apply.external_id + "` ends the window now";
  }
  return std::nullopt;
}

// Whether the apply's request of `kind` has failed (refused after it was accepted).
bool RequestFailed(Store& store, int64_t apply_id, RequestKind kind) {
  auto requests = store.ListRequests(apply_id);
  if (!requests.ok()) return false;
  for (const auto& r : *requests)
    if (r.kind == kind) return r.status == RequestStatus::kFailed;
  return false;
}

// The apply's pending requests; unknown (nullopt) when they cannot be read.
std::optional<worker::ApplyControl> ControlOf(Store& store, int64_t apply_id) {
  auto requests = store.ListRequests(apply_id);
  if (!requests.ok()) return std::nullopt;
  return worker::ReadControl(*requests);
}

worker::WorkerOptions OptionsFrom(const Config& cfg) {
  worker::WorkerOptions o;
  o.owner_prefix = OwnerPrefix();
  o.drivers = cfg.worker.drivers;
  o.parked_keepers = cfg.worker.parked_keepers;
  o.poll_interval_micros = cfg.worker.poll_interval_micros;
  o.lease_staleness_micros = cfg.worker.lease_staleness_micros;
  return o;
}

}  // namespace

bool IsEmbeddedStore(const std::string& url) { return url.rfind("sqlite:", 0) == 0; }

int TerminalColumns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void SayStillRunning(const std::string& external_id) {
  std::cerr << "ordo: stopped watching " << external_id
            << "; the apply itself goes on (`ordo watch " << external_id
            << "` follows it again, `ordo stop " << external_id << "` stops it)" << std::endl;
}

std::string OwnerPrefix() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  return std::string(host) + "/" + std::to_string(getpid());
}

Result<FollowResult> FollowApply(Session& session, const std::string& external_id,
                                 const FollowOptions& options) {
  ORDO_ASSIGN_OR_RETURN(Store * store, session.Store());
  FollowResult result;
  worker::ThreadRuntime runtime;
  std::unique_ptr<worker::MysqlEngineFactory> engines;
  std::unique_ptr<worker::Worker> worker;
  std::atomic<worker::Worker*> live{nullptr};
  // Before any worker thread exists, so they all inherit the blocked signals.
  SignalWatcher signals([&live](int) {
    if (worker::Worker* w = live.load()) w->Notify();
  });
  if (options.drive) {
    ORDO_ASSIGN_OR_RETURN(const Config* cfg, session.LoadConfig());
    ORDO_ASSIGN_OR_RETURN(engines, session.EngineFactory());
    worker = std::make_unique<worker::Worker>(*store, *engines, runtime, session.logger(),
                                              OptionsFrom(*cfg));
    worker->Start();
    live = worker.get();
    worker->Notify();
  }
  bool stop_recorded = false;
  bool window_noted = false;
  Micros revert_window = 0;
  if (auto cfg = session.LoadConfig(); cfg.ok()) {
    if (auto apply = store->FindApply(external_id); apply.ok()) {
      if (const auto* env = (*cfg)->FindEnvironment(apply->database, apply->environment))
        revert_window = env->revert_window_micros;
    }
  }
  LiveView view(std::cout, options.tty, revert_window);
  if (options.timeline) view.ShowTimeline(UseColor(options.tty));
  // The timeline also needs the apply's events; the plain view only the apply.
  auto update = [&](const app::ApplyView& v) {
    Micros now = SystemClock::Default()->NowMicros();
    if (!view.showing_timeline()) return view.Update(v, now);
    auto events = store->ListEvents(v.apply.id);
    view.Update(v, events.ok() ? *events : std::vector<EventRecord>{}, now);
  };
  // While the view owns the terminal, log lines wait and are printed above it.
  const bool holds_logs = options.view && options.tty;
  if (holds_logs) session.logger().Hold(true);
  auto print_held = [&] {
    if (!holds_logs) return;
    for (const std::string& line : session.logger().TakeHeld()) view.Note(line);
  };
  Status last_error;
  std::optional<int64_t> apply_id;  // known after the first load
  while (true) {
    // Read before the view: a start (or cancel) served between the two reads has moved
    // an operation out of `stopped` by the time the view is read, so a stopped,
    // quiescent view with none pending before it really has nothing left to run.
    std::optional<worker::ApplyControl> control;
    if (apply_id) control = ControlOf(*store, *apply_id);
    auto loaded = app::LoadApplyView(*store, external_id);
    if (!loaded.ok()) {
      if (loaded.status().Is(StatusCode::kNotFound)) return loaded.status();
      if (last_error.code() != loaded.status().code())
        session.logger().Log(LogLevel::kWarn, {external_id, "", ""},
                             "cannot read the apply: " + loaded.status().ToString());
      last_error = loaded.status();
    } else {
      last_error = Status::Ok();
      const app::ApplyView& v = *loaded;
      apply_id = v.apply.id;
      result.state = v.apply.state;
      if (options.view) {
        print_held();
        view.SetColumns(TerminalColumns());
        update(v);
      }
      std::vector<OperationRecord> ops;
      for (const auto& ov : v.operations) ops.push_back(ov.operation);
      // Unknown requests: as if a start were waiting (keep following).
      worker::ApplyControl known = control.value_or(worker::ApplyControl{.start = true});
      if (worker::FollowerMayEnd(v.apply.state, ops, known, stop_recorded, options.drive)) break;
      if (options.request && control && RequestFailed(*store, *apply_id, *options.request)) break;
      if (auto note = WindowNote(v, revert_window); note && !window_noted && options.view) {
        view.Note(*note);
        window_noted = true;
      }
      if (signals.count() > 0 && !options.drive) {
        result.interrupted = true;
        break;
      }
      if (signals.count() > 0 && !stop_recorded) {
        auto answer =
            app::RecordControl(*store, v.apply, RequestKind::kStop, "cli (" + OwnerPrefix() + ")");
        std::string said = answer.ok() ? app::DescribeAnswer(*answer) : answer.status().ToString();
        bool window = false;
        for (const auto& ov : v.operations)
          window = window || ov.operation.state == OperationState::kRevertWindow;
        std::string steps = window ? "finishing the current steps; a revert window runs to its end "
                                     "(`ordo skip-revert " +
                                         v.apply.external_id + "` ends it now)"
                                   : "finishing the current steps";
        if (options.view)
          view.Note("stop: " + said + "; " + steps + " (Ctrl-C again to exit at once)");
        stop_recorded = true;
        result.interrupted = true;
        worker->Notify();
      }
    }
    if (signals.count() > 1) {
      // Exit at once, like a kill: leases go stale and are recovered by the next run.
      print_held();
      std::cout << std::flush;
      std::cerr
          << "ordo: interrupted; what was in flight (a revert window included) goes on once its "
             "lease "
             "is stale and ordo drives this store again (`ordo worker`, or `ordo start`/`cancel`/"
             "`skip-revert`/`revert` "
          << external_id << ")" << std::endl;
      std::_Exit(1);
    }
    std::this_thread::sleep_for(kRefresh);
  }
  if (worker) {
    worker->Shutdown();
    worker->Join();
    live = nullptr;
  }
  if (auto final_view = app::LoadApplyView(*store, external_id); final_view.ok()) {
    result.state = final_view->apply.state;
    if (options.view) {
      print_held();
      update(*final_view);
    }
  }
  if (holds_logs) session.logger().Hold(false);
  return result;
}

}  // namespace ordo::cli
