// ordo worker [--drivers N] [--poll DURATION]: run drivers against the store until
// SIGTERM or Ctrl-C, then shut down gracefully (finish the current steps, stop
// heartbeating; what is left is recovered by other workers once its lease is stale).
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"
#include "cli/signals.h"
#include "config/duration.h"
#include "operator/mysql_engine_factory.h"
#include "operator/worker.h"

namespace ordo::cli {
namespace {

struct WorkerFlags {
  int drivers = 0;  // 0: not given
  std::string poll;
};

int RunWorker(const WorkerFlags& f, Globals& g) {
  Session s(g, false);
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  worker::WorkerOptions o;
  o.owner_prefix = OwnerPrefix();
  o.drivers = f.drivers > 0 ? f.drivers : (*cfg)->worker.drivers;
  o.parked_keepers = (*cfg)->worker.parked_keepers;
  o.poll_interval_micros = (*cfg)->worker.poll_interval_micros;
  o.lease_staleness_micros = (*cfg)->worker.lease_staleness_micros;
  if (!f.poll.empty()) {
    auto poll = ParseDuration(f.poll);
    if (!poll.ok() || *poll <= 0)
      return s.Fail(InvalidArgument("--poll: expected a duration such as 1s or 500ms; got \"" +
                                    f.poll + "\""));
    o.poll_interval_micros = *poll;
  }
  auto store = s.Store(Session::Use::kCreate);
  if (!store.ok()) return s.Fail(store.status());
  auto engines = s.EngineFactory();
  if (!engines.ok()) return s.Fail(engines.status());
  worker::ThreadRuntime runtime;
  std::atomic<worker::Worker*> live{nullptr};
  SignalWatcher signals([&live](int) {
    if (worker::Worker* w = live.load()) w->Shutdown();
  });
  auto worker = std::make_unique<worker::Worker>(**store, **engines, runtime, s.logger(), o);
  live = worker.get();
  s.logger().Log(LogLevel::kInfo, {"", "", o.owner_prefix}, "store " + s.StoreName());
  worker->Start();
  while (signals.count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  worker->Shutdown();
  worker->Join();
  live = nullptr;
  s.logger().Log(LogLevel::kInfo, {"", "", o.owner_prefix}, "worker stopped");
  return kExitOk;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<WorkerFlags>();
  auto* cmd = app.add_subcommand("worker", "run drivers against the store until SIGTERM");
  cmd->add_option("--drivers", f->drivers, "drivers in this process (default: worker.drivers)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--poll", f->poll, "poll interval, e.g. 1s (default: worker.poll_interval)");
  return [f, &g] { return RunWorker(*f, g); };
}

ORDO_COMMAND(worker, 60, Setup);

}  // namespace
}  // namespace ordo::cli
