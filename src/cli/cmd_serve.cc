// ordo serve [--listen ADDR] [--drivers N] [--poll DURATION]: the HTTP API
// (api/api_server.h) and a worker's drivers in one process, until SIGTERM or Ctrl-C.
//
// The token comes from ORDO_API_TOKEN, else the config's api.token. Without one the
// server starts only when it listens on loopback alone (then every route is open to
// local users, and a warning says so); on any other address it refuses (exit 2).
//
// On start it prints `listening on http://HOST:PORT` on stdout (the real port when
// ADDR asks for port 0). SIGTERM: stop accepting connections, let requests in flight
// finish, then shut the worker down as `ordo worker` does (finish the tick, release
// nothing by force) and exit 0. Exit 2 for config, token or listen errors, 3 when the
// store is unreachable at start.
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "api/api_server.h"
#include "app/apply_creation.h"
#include "app/plan.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"
#include "cli/signals.h"
#include "config/duration.h"
#include "operator/metered_store.h"
#include "operator/mysql_engine_factory.h"
#include "operator/runtime.h"
#include "operator/worker.h"

namespace ordo::cli {
namespace {

struct ServeFlags {
  std::string listen;
  int drivers = -1;
  std::string poll;
};

std::string TokenFrom(const Config& cfg) {
  const char* env = std::getenv("ORDO_API_TOKEN");
  if (env != nullptr && *env != '\0') return env;
  return cfg.api.token;
}

int RunServe(const ServeFlags& f, Globals& g) {
  Session s(g, false);
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  const Config& config = **cfg;

  auto address = f.listen.empty()
                     ? ParseListenAddress(config.api.listen, config.path + ": api.listen")
                     : ParseListenAddress(f.listen, "--listen");
  if (!address.ok()) return s.Fail(address.status());
  ApiOptions api_options;
  api_options.token = TokenFrom(config);
  if (api_options.token.empty() && !address->loopback) {
    return s.Fail(InvalidArgument("no API token: serving on " + address->ToString() +
                                  " reaches beyond this host; set ORDO_API_TOKEN or " +
                                  config.path + ": api.token, or listen on loopback (127.0.0.1)"));
  }

  worker::WorkerOptions o;
  o.owner_prefix = OwnerPrefix();
  o.drivers = f.drivers >= 0 ? f.drivers : config.worker.drivers;
  o.parked_keepers = config.worker.parked_keepers;
  o.poll_interval_micros = config.worker.poll_interval_micros;
  o.lease_staleness_micros = config.worker.lease_staleness_micros;
  if (!f.poll.empty()) {
    auto poll = ParseDuration(f.poll);
    if (!poll.ok() || *poll <= 0)
      return s.Fail(InvalidArgument("--poll: expected a duration such as 1s or 500ms; got \"" +
                                    f.poll + "\""));
    o.poll_interval_micros = *poll;
  }

  auto store = s.Store(Session::Use::kCreate);
  if (!store.ok()) return s.Fail(store.status());
  MetricsRegistry metrics;
  worker::MeteredStore metered(**store, metrics);
  worker::ThreadRuntime runtime;
  auto factory = s.EngineFactory();
  if (!factory.ok()) return s.Fail(factory.status());
  worker::MysqlEngineFactory& engines = **factory;

  // Before any thread (drivers, the server's pool) exists, so all inherit the
  // blocked signals and only the watcher takes them.
  std::atomic<ApiServer*> live{nullptr};
  SignalWatcher signals([&live](int) {
    if (ApiServer* api = live.load()) api->Stop();
  });

  std::unique_ptr<worker::Worker> worker;
  if (o.drivers > 0)
    worker = std::make_unique<worker::Worker>(metered, engines, runtime, s.logger(), o);
  ApiHooks hooks;
  hooks.create_apply = [&](const app::ApplyRequest& request, const std::string& requested_by) {
    return app::CreateApplyFromRequest(**store, config, request, requested_by, s.logger());
  };
  hooks.compute_plan = [&config](const app::PlanRequest& request) {
    return app::ComputePlan(config, request, nullptr);
  };
  hooks.notify = [&worker] {
    if (worker) worker->Notify();
  };
  hooks.revert_window = [&config](const ApplyRecord& apply) -> Micros {
    const auto* env = config.FindEnvironment(apply.database, apply.environment);
    return env ? env->revert_window_micros : 0;
  };
  ApiServer api(**store, metrics, s.logger(), hooks, api_options);
  if (Status bound = api.Bind(*address); !bound.ok())
    return s.Fail(InvalidArgument("--listen: " + bound.message()));
  ListenAddress bound_address = *address;
  bound_address.port = api.port();

  LogFields process{"", "", o.owner_prefix};
  s.logger().Log(LogLevel::kInfo, process, "store " + s.StoreName());
  if (api_options.token.empty())
    s.logger().Log(LogLevel::kWarn, process,
                   "no API token: every route is open to anyone on this host (set ORDO_API_TOKEN "
                   "or api.token)");
  if (worker) {
    worker->Start();
    s.logger().Log(LogLevel::kInfo, process, std::to_string(o.drivers) + " driver(s) started");
  } else {
    s.logger().Log(LogLevel::kInfo, process, "no drivers (--drivers 0): serving the API only");
  }
  std::cout << "listening on http://" << bound_address.ToString() << std::endl;
  s.logger().Log(LogLevel::kInfo, process, "listening on http://" + bound_address.ToString());

  live = &api;
  if (signals.count() > 0) api.Stop();  // a signal that came before `live` was set
  Status served = api.Run();
  live = nullptr;
  if (!served.ok()) s.logger().Log(LogLevel::kError, process, served.ToString());
  s.logger().Log(LogLevel::kInfo, process, "API stopped; shutting the drivers down");
  if (worker) {
    worker->Shutdown();
    worker->Join();
  }
  s.logger().Log(LogLevel::kInfo, process, "serve stopped");
  return served.ok() ? kExitOk : kExitNotCompleted;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "HTTP API + workers until SIGTERM");
  cmd->add_option("--listen", f->listen,
                  "address to listen on, e.g. 127.0.0.1:8080 (default: api.listen)");
  cmd->add_option("--drivers", f->drivers,
                  "drivers in this process (default: worker.drivers; 0: the API only)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--poll", f->poll, "poll interval, e.g. 1s (default: worker.poll_interval)");
  return [f, &g] { return RunServe(*f, g); };
}

ORDO_COMMAND(serve, 65, Setup);

}  // namespace
}  // namespace ordo::cli
