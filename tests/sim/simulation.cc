#include "simulation.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

#include "app/control.h"
#include "core/derive.h"
#include "engine_double.h"
#include "invariants.h"
#include "operator/worker.h"
#include "ordo/store.h"
#include "sim_runtime.h"
#include "sim_store.h"
#include "test_servers.h"

namespace ordo::sim {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kStaleness = 10 * kSecond;
// Processes killed right after a transition (before the apply's swap), per run.
constexpr int kMaxSeamCrashes = 2;

class SimLogger final : public Logger {
 public:
  SimLogger(SimScheduler& s, bool verbose) : s_(s), verbose_(verbose), start_(s.Now()) {}
  void Log(LogLevel, const LogFields& f, std::string_view message) override {
    if (!verbose_) return;
    std::fprintf(stderr, "[%9.3f] %-20s %-10s %-4s %.*s\n",
                 static_cast<double>(s_.Now() - start_) / kSecond, f.owner.c_str(), f.apply.c_str(),
                 f.deployment.c_str(), static_cast<int>(message.size()), message.data());
  }

 private:
  SimScheduler& s_;
  bool verbose_;
  Micros start_;
};

struct Process {
  int pid = 0;
  std::unique_ptr<SimStore> store;
  std::unique_ptr<DoubleFactory> engines;
  std::unique_ptr<worker::Worker> worker;
  bool crashed = false;
  Micros heal_at = 0;  // partitioned from the store until then (0: not partitioned)
};

struct PlannedApply {
  Micros create_at = 0;
  NewApply spec;
  Micros revert_window = 0;
  int64_t id = 0;  // once created
  ApplyState state = ApplyState::kPending;
  Micros resume_at = 0;
  Micros release_at = 0;
  Micros cutover_at = 0;
  bool cancel_accepted = false;
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& o) : o_(o), s_(o.seed), rt_(s_) {}

  SimReport Run();

 private:
  int Rand(int n) { return static_cast<int>(s_.rng()() % static_cast<uint64_t>(n)); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(s_.rng()) < p; }
  Micros RandMicros(Micros lo, Micros hi) {
    return lo + static_cast<Micros>(s_.rng()() % static_cast<uint64_t>(hi - lo));
  }
  Status Setup();
  void StartProcess();
  void PlanApplies();
  bool Step(Micros now);
  void Maintain(PlannedApply& a, Micros now);
  void Chaos(Micros now);
  void Kill(Process& p);
  void Request(PlannedApply& a, RequestKind kind);
  Process* RandomAlive();
  void Fail(std::string what) { report_.violations.push_back(std::move(what)); }
  std::string Describe(int64_t apply_id);
  bool AllRowsSettled(int64_t apply_id);

  SimOptions o_;
  SimScheduler s_;
  SimRuntime rt_;
  std::unique_ptr<SimLogger> logger_;
  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FakeTarget> target_;
  std::map<int64_t, Micros> windows_;
  std::vector<std::unique_ptr<Process>> processes_;
  std::vector<PlannedApply> applies_;
  SimReport report_;
  int next_pid_ = 100;
};

Status Simulation::Setup() {
  dir_ = std::make_unique<testing::TempDir>();
  StoreOptions so;
  so.lease_staleness_micros = kStaleness;
  so.retry_budget = 10;
  so.retry_freshness_micros = 3600 * kSecond;
  so.clock = &rt_.clock();
  ORDO_ASSIGN_OR_RETURN(store_, OpenStore("sqlite:" + dir_->path() + "/ordo.db", so));
  ORDO_RETURN_IF_ERROR(store_->Migrate());
  target_ = std::make_unique<FakeTarget>(*store_);
  return Status::Ok();
}

void Simulation::StartProcess() {
  auto p = std::make_unique<Process>();
  p->pid = next_pid_++;
  p->store = std::make_unique<SimStore>(*store_, rt_, s_.rng());
  if (o_.chaos) {
    p->store->faults.fail_before = 0.002;
    p->store->faults.fail_after = 0.002;
    if (report_.seam_crashes < kMaxSeamCrashes) p->store->faults.crash_after_transition = 0.01;
  }
  DoubleOdds odds;
  if (!o_.chaos) odds = DoubleOdds{0, 0, 0, 0, 0};
  p->engines = std::make_unique<DoubleFactory>(*target_, s_, odds, windows_);
  worker::WorkerOptions wo;
  wo.owner_prefix = "sim/" + std::to_string(p->pid);
  wo.drivers = 1 + Rand(3);
  wo.parked_keepers = Rand(4);
  wo.poll_interval_micros = 500'000;
  wo.lease_staleness_micros = kStaleness;
  wo.retry_backoff_micros = 200'000;
  wo.retry_backoff_max_micros = 5 * kSecond;
  p->worker = std::make_unique<worker::Worker>(*p->store, *p->engines, rt_, *logger_, wo);
  p->worker->Start();
  processes_.push_back(std::move(p));
}

void Simulation::PlanApplies() {
  static const char* kPolicies[] = {"rolling", "barrier", "parallel"};
  static const char* kOnFailure[] = {"halt", "continue", "pause"};
  for (int i = 0; i < o_.applies; ++i) {
    PlannedApply a;
    a.create_at = s_.Now() + RandMicros(0, 60 * kSecond);
    a.spec.external_id = "ap_" + std::to_string(i);
    a.spec.database = "db" + std::to_string(i);
    a.spec.environment = "env";
    a.spec.cutover_policy = kPolicies[Rand(3)];
    a.spec.on_failure = kOnFailure[Rand(3)];
    a.spec.options.defer_cutover = Chance(0.15);
    a.spec.requested_by = "sim";
    int deployments = 1 + Rand(4);
    int tables = 1 + Rand(2);
    for (int d = 0; d < deployments; ++d) {
      NewOperation op;
      op.deployment = "d" + std::to_string(d + 1);
      for (int t = 0; t < tables; ++t) {
        std::string table = "t" + std::to_string(t + 1);
        op.changes.push_back(
            {a.spec.database, table, "ALTER TABLE " + table + " ADD COLUMN c INT"});
      }
      a.spec.operations.push_back(std::move(op));
    }
    static const Micros kWindows[] = {0, 0, 2 * kSecond, 5 * kSecond};
    a.revert_window = kWindows[Rand(4)];
    applies_.push_back(std::move(a));
  }
}

Process* Simulation::RandomAlive() {
  std::vector<Process*> alive;
  for (auto& p : processes_)
    if (!p->crashed) alive.push_back(p.get());
  if (alive.empty()) return nullptr;
  return alive[Rand(static_cast<int>(alive.size()))];
}

void Simulation::Request(PlannedApply& a, RequestKind kind) {
  auto apply = store_->GetApply(a.id);
  if (!apply.ok()) return;
  auto answer = app::RecordControl(*store_, *apply, kind, "sim");
  if (!answer.ok()) {
    Fail("request " + std::string(ToString(kind)) + " on " + apply->external_id + ": " +
         answer.status().ToString());
    return;
  }
  if (kind == RequestKind::kStop && answer->outcome == RequestOutcome::kAccepted) ++report_.stops;
  if (kind == RequestKind::kCancel && answer->outcome == RequestOutcome::kAccepted) {
    ++report_.cancels;
    a.cancel_accepted = true;
  }
  // The CLI wakes its own worker; here: a random live process.
  if (Process* p = RandomAlive()) p->worker->Notify();
}

void Simulation::Maintain(PlannedApply& a, Micros now) {
  // A cancelled rollout is not resumed, released or cut over any more.
  if (a.cancel_accepted) return;
  auto requests = store_->ListRequests(a.id);
  auto ops = store_->ListOperations(a.id);
  if (!requests.ok() || !ops.ok()) return;
  bool stop_pending = false, cutover_pending = false, start_pending = false;
  for (const auto& r : *requests) {
    if (r.status != RequestStatus::kPending) continue;
    stop_pending = stop_pending || r.kind == RequestKind::kStop;
    cutover_pending = cutover_pending || r.kind == RequestKind::kCutover;
    start_pending = start_pending || r.kind == RequestKind::kStart;
  }
  bool any_stopped = false;
  for (const auto& op : *ops) any_stopped = any_stopped || op.state == OperationState::kStopped;
  // A stopped rollout is resumed by a start. (So is a paused one with stopped rows: a
  // release alone does not re-derive the apply, and the rows still need the start.)
  bool resumable =
      a.state == ApplyState::kStopped || (a.state == ApplyState::kPaused && any_stopped);
  if (resumable && !stop_pending && !start_pending) {
    if (a.resume_at == 0) a.resume_at = now + RandMicros(kSecond, 10 * kSecond);
    if (now >= a.resume_at) {
      a.resume_at = 0;
      Request(a, RequestKind::kStart);
    }
  }
  if (a.state == ApplyState::kPaused) {
    if (a.release_at == 0) a.release_at = now + RandMicros(kSecond, 10 * kSecond);
    if (now >= a.release_at) Request(a, RequestKind::kRelease);
  }
  bool parked = false;
  for (const auto& op : *ops) parked = parked || op.state == OperationState::kWaitingForCutover;
  if (a.spec.options.defer_cutover && parked && !cutover_pending && !stop_pending) {
    if (a.cutover_at == 0) a.cutover_at = now + RandMicros(kSecond, 20 * kSecond);
    if (now >= a.cutover_at) {
      a.cutover_at = 0;
      Request(a, RequestKind::kCutover);
    }
  }
  if (a.state == ApplyState::kRevertWindow && o_.chaos) {
    if (Chance(0.05)) Request(a, RequestKind::kSkipRevert);
    if (Chance(0.03)) Request(a, RequestKind::kRevert);
  }
}

void Simulation::Chaos(Micros now) {
  std::vector<PlannedApply*> live;
  for (auto& a : applies_)
    if (a.id != 0 && !IsSettled(a.state)) live.push_back(&a);
  if (!live.empty() && Chance(0.03))
    Request(*live[Rand(static_cast<int>(live.size()))], RequestKind::kStop);
  if (!live.empty() && Chance(0.004))
    Request(*live[Rand(static_cast<int>(live.size()))], RequestKind::kCancel);
  if (report_.crashes < 2 && Chance(0.01)) {
    if (Process* p = RandomAlive()) {
      ++report_.crashes;
      Kill(*p);
    }
  }
  // A process that died at the seam between a transition and its apply swap.
  for (size_t i = 0; i < processes_.size(); ++i) {
    Process& p = *processes_[i];
    if (p.crashed || !p.store->faults.crashed) continue;
    if (++report_.seam_crashes >= kMaxSeamCrashes)
      for (auto& other : processes_) other->store->faults.crash_after_transition = 0;
    Kill(p);
  }
  if (Chance(0.01)) {
    if (Process* p = RandomAlive(); p != nullptr && p->heal_at == 0) {
      p->store->faults.down = true;
      p->heal_at = now + RandMicros(2 * kSecond, 15 * kSecond);
      ++report_.partitions;
    }
  }
  for (auto& p : processes_) {
    if (!p->crashed && !p->store->faults.crashed && p->heal_at != 0 && now >= p->heal_at) {
      p->store->faults.down = false;
      p->heal_at = 0;
    }
  }
}

// kill -9: no more store, no more target, and its threads wind down on their own; a
// fresh process takes its place.
void Simulation::Kill(Process& p) {
  p.crashed = true;
  p.store->faults.down = true;
  p.engines->alive = false;
  p.worker->Shutdown();
  StartProcess();
}

// The apply's operations, requests and (verbose) events, for a violation message.
std::string Simulation::Describe(int64_t apply_id) {
  std::ostringstream out;
  auto apply = store_->GetApply(apply_id);
  auto ops = store_->ListOperations(apply_id);
  auto requests = store_->ListRequests(apply_id);
  if (!apply.ok() || !ops.ok() || !requests.ok()) return "(unreadable)";
  out << apply->external_id << " " << ToString(apply->state)
      << " defer=" << apply->options.defer_cutover << " attempt=" << apply->attempt
      << " error=" << apply->error.value_or("-") << "; ops:";
  for (const auto& op : *ops)
    out << " " << op.deployment << "=" << ToString(op.state) << "(" << op.cutover_policy << "/"
        << op.on_failure << (op.lease_token ? ",leased" : "") << ")";
  out << "; requests:";
  for (const auto& r : *requests) out << " " << ToString(r.kind) << "=" << ToString(r.status);
  if (o_.verbose) {
    auto events = store_->ListEvents(apply_id);
    if (events.ok())
      for (const auto& e : *events)
        out << "\n      " << e.id << " " << e.deployment.value_or("-") << " " << e.kind << " "
            << e.from_state.value_or("") << "->" << e.to_state.value_or("") << " " << e.message;
  }
  return out.str();
}

bool Simulation::AllRowsSettled(int64_t apply_id) {
  auto ops = store_->ListOperations(apply_id);
  if (!ops.ok()) return false;
  for (const auto& op : *ops)
    if (!IsSettled(op.state)) return false;
  return true;
}

// One round of the main task; false once every apply is settled.
bool Simulation::Step(Micros now) {
  bool all_settled = true;
  for (auto& a : applies_) {
    if (a.id == 0) {
      all_settled = false;
      if (now < a.create_at) continue;
      auto created = store_->CreateApply(a.spec);
      if (!created.ok()) {
        Fail("create " + a.spec.database + ": " + created.status().ToString());
        a.id = -1;
        continue;
      }
      a.id = created->id;
      windows_[a.id] = a.revert_window;
      if (Process* p = RandomAlive()) p->worker->Notify();
      continue;
    }
    if (a.id < 0) continue;
    auto apply = store_->GetApply(a.id);
    if (!apply.ok()) continue;
    a.state = apply->state;
    // Settled, but a row may still be in flight (a revert window another row's cancel
    // did not end) or left for the cleanup claim: the run goes on until every row is
    // settled too.
    if (IsSettled(a.state) && AllRowsSettled(a.id)) continue;
    all_settled = false;
    Maintain(a, now);
  }
  if (o_.chaos) Chaos(now);
  return !all_settled;
}

SimReport Simulation::Run() {
  report_.seed = o_.seed;
  s_.AdoptMainThread();
  s_.set_step_limit(20'000'000);
  logger_ = std::make_unique<SimLogger>(s_, o_.verbose);
  Micros start = s_.Now();
  Status setup = Setup();
  if (!setup.ok()) {
    Fail("setup: " + setup.ToString());
    return report_;
  }
  PlanApplies();
  for (int i = 0; i < o_.workers; ++i) StartProcess();
  while (Step(s_.Now())) {
    if (s_.Now() - start > o_.max_virtual_micros) {
      for (auto& a : applies_) {
        if (a.id > 0 && (!IsSettled(a.state) || !AllRowsSettled(a.id))) {
          Fail("not settled after " + std::to_string(o_.max_virtual_micros / kSecond) +
               " virtual seconds: " + Describe(a.id));
        }
      }
      break;
    }
    s_.Sleep(RandMicros(100'000, 1'000'000));
  }
  for (auto& p : processes_) p->worker->Shutdown();
  for (auto& p : processes_) p->worker->Join();

  std::vector<int64_t> ids;
  for (auto& a : applies_) {
    if (a.id <= 0) continue;
    ids.push_back(a.id);
    auto apply = store_->GetApply(a.id);
    if (apply.ok()) ++report_.final_states[std::string(ToString(apply->state))];
  }
  for (auto& v : CheckInvariants(*store_, *target_, ids))
    report_.violations.push_back(std::move(v));
  if ((!report_.ok() && o_.verbose) || std::getenv("ORDO_SIM_DUMP") != nullptr) {
    for (int64_t id : ids) std::fprintf(stderr, "  %s\n", Describe(id).c_str());
  }
  report_.target_writes = target_->writes();
  report_.steps = s_.steps();
  report_.virtual_micros = s_.Now() - start;
  processes_.clear();
  return report_;
}

}  // namespace

std::string SimReport::Summary() const {
  std::ostringstream out;
  out << "ordo-sim --seed " << seed << ": " << (ok() ? "ok" : "FAILED") << "; applies";
  for (const auto& [state, n] : final_states) out << " " << state << "=" << n;
  out << "; stops=" << stops << " cancels=" << cancels << " crashes=" << crashes
      << " seam_crashes=" << seam_crashes << " partitions=" << partitions
      << "; target writes=" << target_writes << "; virtual " << virtual_micros / kSecond << " s, "
      << steps << " steps\n";
  for (const auto& v : violations) out << "  violation: " << v << "\n";
  return out.str();
}

SimReport RunSimulation(const SimOptions& options) {
  Simulation sim(options);
  return sim.Run();
}

}  // namespace ordo::sim
