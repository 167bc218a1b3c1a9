// End to end, long form (labels e2e, slow): four `ordo worker` processes share one fleet
// store (a MariaDB database, and a PostgreSQL schema) and drive 100 applies of four
// deployments each while, every ~2 s, one of them is killed with SIGKILL and replaced
// by a new process.
//
// Each apply has its own environment with a random cutover policy and on_failure; about
// a third of them have one deployment that cannot take the change, for one of three
// reasons: the table already has the new column (preflight's trial of the DDL fails),
// the table is gone (preflight finds nothing to change), or two rows share the value of
// the new unique key (the copy finds the duplicate). The first two are made after the
// applies are created (`ordo apply` tries the DDL on every deployment first) and before
// any worker runs; a paused apply is released when the test sees it paused.
//
// Afterwards every apply has settled with the state its policies and its failure
// decide, and so has each of its deployments; no operation was driven under two live
// leases (LeaseViolations over `ordo logs --json`); each apply's swaps started in
// deployment order, one at a time, each only once every earlier deployment had completed
// (or, under continue and a released pause, failed); the changed tables hold their rows
// and the change exactly where a deployment completed; nothing of ordo is left on any
// target.
//
// The layout and the kill schedule come from a seeded RNG (the seed is printed;
// ORDO_FLEET_SEED=N draws the same ones again, the timing of the workers aside).
// ORDO_FLEET_APPLIES and ORDO_FLEET_DEPLOYMENTS change the counts (100 and 4).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

constexpr int kWorkers = 4;
constexpr int kRows = 300;
constexpr const char* kDdl =
    "ALTER TABLE orders ADD COLUMN tag INT NOT NULL DEFAULT 0, ADD UNIQUE KEY uq_code (code)";
const char* const kPolicies[] = {"rolling", "barrier", "parallel"};
const char* const kOnFailure[] = {"halt", "continue", "pause"};

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Why one deployment of an apply cannot take the change.
enum class Fault { kNone, kDuplicateColumn, kMissingTable, kDuplicateKey };

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kNone:
      return "none";
    case Fault::kDuplicateColumn:
      return "duplicate column";
    case Fault::kMissingTable:
      return "missing table";
    case Fault::kDuplicateKey:
      return "duplicate key value";
  }
  return "?";
}

// What the failed deployment's error names.
const char* FaultNeedle(Fault f) {
  switch (f) {
    case Fault::kDuplicateColumn:
      return "Duplicate column name 'tag'";
    case Fault::kMissingTable:
      return "does not exist";
    case Fault::kDuplicateKey:
      return "uq_code";
    case Fault::kNone:
      break;
  }
  return "";
}

struct PlannedApply {
  std::string environment;
  std::string cutover_policy;
  std::string on_failure;
  Fault fault = Fault::kNone;
  int faulty = -1;                     // the deployment that fails, by index
  std::vector<std::string> names;      // deployments, in order
  std::vector<std::string> databases;  // their databases on the test server
  std::string id;

  std::string Describe() const {
    std::string s = id + " (" + environment + ": " + cutover_policy + ", " + on_failure;
    if (fault != Fault::kNone) s += ", " + std::string(FaultName(fault)) + " on " + names[faulty];
    return s + ")";
  }
};

// Mismatches between an apply's settled status document and what its policies and its
// failure decide. Without a failure everything completes. With one, the apply is failed
// and so is that deployment; under continue (and pause, which the test releases) every
// other deployment completes; under halt the later ones are cancelled and the earlier
// ones are a completed prefix then cancelled ones (those that had not swapped when the
// failure decided the rollout; under rolling none: the failed one started only after
// every earlier one had completed).
std::vector<std::string> EndStateProblems(const PlannedApply& a, const json& doc) {
  std::vector<std::string> problems;
  const std::string expected_apply = a.fault == Fault::kNone ? "completed" : "failed";
  if (doc.value("state", "") != expected_apply)
    problems.push_back("apply is " + doc.value("state", "?") + ", expected " + expected_apply);
  bool prefix = true;  // still in the completed prefix before a halted failure
  for (size_t k = 0; k < a.names.size(); ++k) {
    json op = OperationOf(doc, a.names[k]);
    std::string state = op.is_object() ? op.value("state", "?") : "absent";
    std::string phase = op.is_object() ? op.value("phase", "?") : "absent";
    std::set<std::string> allowed;
    if (a.fault == Fault::kNone || (static_cast<int>(k) != a.faulty && a.on_failure != "halt")) {
      allowed = {"completed"};
    } else if (static_cast<int>(k) == a.faulty) {
      allowed = {"failed"};
    } else if (static_cast<int>(k) > a.faulty) {
      allowed = {"cancelled"};
    } else if (a.cutover_policy == "rolling") {
      allowed = {"completed"};
    } else {
      allowed = prefix ? std::set<std::string>{"completed", "cancelled"}
                       : std::set<std::string>{"cancelled"};
      if (state != "completed") prefix = false;
    }
    if (!allowed.contains(state))
      problems.push_back(a.names[k] + " is " + state + ", expected " +
                         ::testing::PrintToString(allowed));
    if (phase != state) problems.push_back(a.names[k] + " still in phase " + phase);
    if (static_cast<int>(k) == a.faulty && state == "failed") {
      std::string error = op["error"].is_string() ? op["error"].get<std::string>() : "";
      if (error.find(FaultNeedle(a.fault)) == std::string::npos)
        problems.push_back(a.names[k] + "'s error does not name the " + FaultName(a.fault) + ": " +
                           error);
    } else if (state == "completed" && !op["error"].is_null()) {
      problems.push_back(a.names[k] + " completed with an error: " + op["error"].dump());
    }
  }
  return problems;
}

// Replays an apply's events for the order of its swaps: each swap starts (an operation
// enters cutting_over from another state) after the previous one's and at a later
// deployment, only once every earlier deployment has completed or (not under halt)
// failed; each completed deployment has one `cutover` event, the others none (a
// holder killed between its rename and that event leaves it to the takeover, which finds
// the tables swapped and records it).
// LeaseViolations checks that the swaps never overlap.
std::vector<std::string> SwapOrderProblems(const PlannedApply& a, const json& doc,
                                           const json& events) {
  std::vector<std::string> problems;
  if (!events.is_object() || !events["events"].is_array()) return {"no events document"};
  std::map<std::string, int> index;
  for (size_t k = 0; k < a.names.size(); ++k) index[a.names[k]] = static_cast<int>(k);
  std::vector<bool> completed(a.names.size()), failed(a.names.size());
  std::vector<int> cutovers(a.names.size());
  int last_swap = -1;
  for (const auto& e : events["events"]) {
    if (!e["operation"].is_string() || !index.contains(e["operation"])) continue;
    const int k = index[e["operation"]];
    const std::string from = e["from"].is_string() ? e["from"].get<std::string>() : "";
    const std::string to = e["to"].is_string() ? e["to"].get<std::string>() : "";
    if (e.value("kind", "") == "cutover") ++cutovers[k];
    if (to == "completed") completed[k] = true;
    if (to == "failed") failed[k] = true;
    if (to != "cutting_over" || from == "cutting_over") continue;
    if (k <= last_swap)
      problems.push_back(a.names[k] + " started its swap after " + a.names[last_swap] +
                         "'s: " + e.dump());
    last_swap = std::max(last_swap, k);
    for (int i = 0; i < k; ++i) {
      bool excused = failed[i] && a.on_failure != "halt";
      if (!completed[i] && !excused)
        problems.push_back(a.names[k] + " started its swap before " + a.names[i] +
                           " had completed: " + e.dump());
    }
  }
  for (size_t k = 0; k < a.names.size(); ++k) {
    bool done = OperationOf(doc, a.names[k]).value("state", "") == "completed";
    if (cutovers[k] != (done ? 1 : 0))
      problems.push_back(a.names[k] + " has " + std::to_string(cutovers[k]) +
                         " cutover event(s) and is " + (done ? "completed" : "not completed"));
  }
  return problems;
}

// The worker processes: `slots` of them at any time, each in its own directory (its
// output files) on one ordo.yaml; a killed one is kept (its output stays readable) and
// replaced by a new process in a new directory.
class Fleet {
 public:
  Fleet(std::string root, int slots) : root_(std::move(root)) {
    for (int i = 0; i < slots; ++i) live_.push_back(Start(i));
  }

  // SIGKILL to the worker in `slot`, then a new process in its place. False (with a
  // test failure) when the killed one did not die of the signal.
  bool KillAndReplace(int slot) {
    live_[slot]->Signal(SIGKILL);
    int code = live_[slot]->Wait(std::chrono::seconds(30));
    EXPECT_EQ(code, 128 + SIGKILL) << "worker " << live_[slot]->pid() << ": " << Tail(*live_[slot]);
    dead_.push_back(std::move(live_[slot]));
    live_[slot] = Start(slot);
    return code == 128 + SIGKILL;
  }

  // Replaces (with a test failure) every worker that exited by itself; how many did.
  int ReplaceExited() {
    int exited = 0;
    for (size_t i = 0; i < live_.size(); ++i) {
      int code = live_[i]->Wait(std::chrono::milliseconds(0));
      if (code < 0) continue;
      ++exited;
      ADD_FAILURE() << "worker " << live_[i]->pid() << " exited by itself with " << code << ": "
                    << Tail(*live_[i]);
      dead_.push_back(std::move(live_[i]));
      live_[i] = Start(static_cast<int>(i));
    }
    return exited;
  }

  // SIGTERM to every live worker; each must exit 0.
  void Stop() {
    for (auto& w : live_) w->Signal(SIGTERM);
    for (auto& w : live_)
      EXPECT_EQ(w->Wait(std::chrono::seconds(60)), 0) << "worker " << w->pid() << ": " << Tail(*w);
  }

  int started() const { return generation_; }

  // The last `max` log lines naming `apply` of every worker process, killed ones too,
  // oldest first.
  std::string LogLinesAbout(const std::string& apply, size_t max) const {
    std::vector<std::pair<std::string, std::string>> lines;  // (ts, line)
    auto scan = [&](const OrdoProcess& p) {
      std::istringstream in(p.err());
      for (std::string line; std::getline(in, line);) {
        if (line.find(apply) == std::string::npos) continue;
        json j = json::parse(line, nullptr, false);
        lines.emplace_back(j.is_object() ? j.value("ts", "") : "", line);
      }
    };
    for (const auto& p : dead_) scan(*p);
    for (const auto& p : live_) scan(*p);
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    for (size_t i = lines.size() > max ? lines.size() - max : 0; i < lines.size(); ++i)
      out += lines[i].second + "\n";
    return out;
  }

  static std::string Tail(const OrdoProcess& p) {
    std::string err = p.err();
    return err.size() > 4000 ? "…" + err.substr(err.size() - 4000) : err;
  }

 private:
  std::unique_ptr<OrdoProcess> Start(int slot) {
    std::string dir = root_ + "/w" + std::to_string(slot) + "." + std::to_string(generation_++);
    std::filesystem::create_directory(dir);
    return std::make_unique<OrdoProcess>(
        std::vector<std::string>{"-c", root_ + "/ordo.yaml", "--log-format", "json", "worker",
                                 "--drivers", "4"},
        dir);
  }

  std::string root_;
  int generation_ = 0;
  std::vector<std::unique_ptr<OrdoProcess>> live_;
  std::vector<std::unique_ptr<OrdoProcess>> dead_;
};

// The parameter: the fleet store (FleetStoreTest).
class FleetKill : public FleetStoreTest {};

TEST_P(FleetKill, EveryApplySettlesAsItsPoliciesDecideWhileWorkersAreKilled) {
  // Run on demand only (ORDO_FLEET_KILL=1, docs/architecture.md): it takes minutes per
  // store (up to eight on a busy 2-core machine), more than CI's budget has room for.
  const char* on = std::getenv("ORDO_FLEET_KILL");
  if (on == nullptr || std::string(on) != "1")
    GTEST_SKIP() << "set ORDO_FLEET_KILL=1 to run the fleet kill test";
  const int applies = EnvInt("ORDO_FLEET_APPLIES", 100);
  const int deployments = EnvInt("ORDO_FLEET_DEPLOYMENTS", 4);
  ASSERT_GT(applies, 0);
  ASSERT_GT(deployments, 0);
  const uint64_t seed = std::getenv("ORDO_FLEET_SEED") != nullptr
                            ? std::strtoull(std::getenv("ORDO_FLEET_SEED"), nullptr, 10)
                            : std::random_device{}();
  std::cout << "[ seed ] " << seed << " (ORDO_FLEET_SEED=" << seed << "), " << applies
            << " applies x " << deployments << " deployments, store " << GetParam() << std::endl;
  SCOPED_TRACE("ORDO_FLEET_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };

  const std::string prefix = UniqueName("fk");
  MakeStore(prefix);
  if (store_.empty()) return;
  MariaDbServer* server = server_;
  const std::string& store = store_;

  // The layout: every apply's environment, policies and failure.
  std::vector<PlannedApply> plan(applies);
  ConfigSpec config{store, "shop", {"poll_interval: 200ms", "lease_staleness: 3s"}, {}, {}};
  for (int i = 0; i < applies; ++i) {
    PlannedApply& a = plan[i];
    a.environment = "e" + std::to_string(i);
    a.cutover_policy = kPolicies[pick(3)];
    a.on_failure = kOnFailure[pick(3)];
    if (pick(3) == 0) {
      a.fault = static_cast<Fault>(1 + pick(3));
      a.faulty = pick(deployments);
    }
    EnvironmentSpec env{a.environment, a.cutover_policy, a.on_failure, "0s", {}};
    for (int k = 0; k < deployments; ++k) {
      a.names.push_back(a.environment + "d" + std::to_string(k));
      a.databases.push_back(prefix + "_" + std::to_string(i) + "_" + std::to_string(k));
      databases_.push_back(a.databases.back());
      ORDO_ASSERT_OK(FillOrders(*server, a.databases.back(), kRows));
      env.deployments.push_back({a.names.back(), server->Dsn(a.databases.back())});
    }
    // Passes `ordo apply`'s trial of the DDL on an empty copy; only the copy finds it.
    if (a.fault == Fault::kDuplicateKey)
      ORDO_ASSERT_OK(
          server->Exec("UPDATE orders SET code = 1 WHERE id = 2", a.databases[a.faulty]));
    config.environments.push_back(env);
  }
  TempDir dir;
  WriteConfig(dir.path(), config);

  const auto created_at = std::chrono::steady_clock::now();
  for (auto& a : plan) {
    a.id = ApplyDetached(dir.path(), "shop", a.environment, {kDdl});
    ASSERT_FALSE(a.id.empty()) << a.environment;
  }
  // The faults `ordo apply` would have refused, now that every apply exists and before
  // any worker has touched one.
  std::map<std::string, int> layout;  // applies by policy, by on_failure, by fault
  for (const auto& a : plan) {
    if (a.fault == Fault::kDuplicateColumn)
      ORDO_ASSERT_OK(server->Exec("ALTER TABLE orders ADD COLUMN tag INT NOT NULL DEFAULT 0",
                                  a.databases[a.faulty]));
    if (a.fault == Fault::kMissingTable)
      ORDO_ASSERT_OK(server->Exec("DROP TABLE orders", a.databases[a.faulty]));
    ++layout[a.cutover_policy];
    ++layout[a.on_failure];
    ++layout[FaultName(a.fault)];
  }
  std::cout << "[ layout ]";
  for (const auto& [what, n] : layout) std::cout << " " << what << " " << n << ";";
  std::cout << "\n";
  std::cout << "[ figure ] " << applies << " applies created in "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                created_at)
                   .count()
            << " s" << std::endl;

  // The run: workers drive everything while one of them is killed every 1.5–2.5 s; the
  // store is read every second, and a paused apply released.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + std::chrono::seconds(60 + 3 * applies * deployments);
  Fleet fleet(dir.path(), kWorkers);
  int kills = 0;
  int exited = 0;  // workers that exited by themselves
  std::set<std::string> released;
  std::map<std::string, std::string> states;
  auto next_kill = started + std::chrono::milliseconds(1500 + pick(1001));
  auto next_read = started;
  bool all_settled = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_kill) {
      fleet.KillAndReplace(pick(kWorkers));
      ++kills;
      next_kill = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500 + pick(1001));
    }
    if (now >= next_read) {
      // A store or target that went away makes every worker exit: no point going on.
      exited += fleet.ReplaceExited();
      if (exited > 2 * kWorkers) break;
      OrdoResult r = RunOrdo({"status", "--json", "--limit", "100000"}, dir.path());
      json list = json::parse(r.out, nullptr, false);
      if (list.is_object() && list["applies"].is_array()) {
        int settled = 0;
        for (const auto& a : list["applies"]) {
          std::string id = a["id"];
          states[id] = a["state"];
          settled += Settled(a);
          if (a["state"] == "paused" && !released.contains(id)) {
            OrdoResult rel = RunOrdo({"release", id, "--json"}, dir.path());
            EXPECT_TRUE(rel.exit_code == 0 || rel.exit_code == 1) << rel.out << rel.err;
            if (rel.exit_code == 0) released.insert(id);
          }
        }
        all_settled = settled == applies;
      }
      if (all_settled) break;
      next_read = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cout << "[ figure ] " << (all_settled ? "every apply settled after " : "gave up after ")
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                started)
                   .count()
            << " s, " << kills << " workers killed, " << released.size()
            << " paused applies released" << std::endl;
  // (On the way out the fleet kills the workers still running.)
  ASSERT_LE(exited, 2 * kWorkers) << "workers keep exiting by themselves (above): a server gone?";
  if (!all_settled) {
    for (const auto& a : plan) {
      if (Settled(json{{"state", states[a.id]}})) continue;
      ADD_FAILURE() << "not settled: " << a.Describe() << " is " << states[a.id] << "\n"
                    << StatusOf(dir.path(), a.id).dump(2) << "\n"
                    << EventsOf(dir.path(), a.id).dump(1)
                    << "\nthe workers' last log lines about it:\n"
                    << fleet.LogLinesAbout(a.id, 60);
    }
    fleet.Stop();
    FAIL() << "stranded applies (" << kills << " kills)";
  }

  // Every deployment settles too (a halted rollout's never-started ones are cancelled by
  // a cleanup claim; a completed swap's old table is dropped after it), with the workers
  // still running but no longer killed.
  std::map<std::string, json> docs;
  for (const auto& a : plan) {
    docs[a.id] = WaitForStatus(
        dir.path(), a.id,
        [](const json& doc) {
          for (const auto& op : doc["operations"]) {
            std::string s = op.value("state", "");
            if (s != "completed" && s != "failed" && s != "cancelled" && s != "reverted")
              return false;
            if (op.value("phase", "") != s) return false;
          }
          return true;
        },
        std::chrono::seconds(60));
  }
  bool clean = PollUntil(
      [&] {
        for (size_t i = 1; i < databases_.size(); ++i) {
          auto left = OrdoObjects(*server, databases_[i]);
          if (!left.ok() || !left->empty()) return false;
        }
        return true;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(500));
  fleet.Stop();
  EXPECT_TRUE(clean);

  std::map<std::string, int> claims;  // by arm and the row's state before the claim
  int lease_lost = 0;
  for (const auto& a : plan) {
    const json& doc = docs[a.id];
    json events = EventsOf(dir.path(), a.id);
    std::vector<std::string> problems = EndStateProblems(a, doc);
    for (std::string& p : SwapOrderProblems(a, doc, events)) problems.push_back(std::move(p));
    for (std::string& p : LeaseViolations(events)) problems.push_back("lease: " + std::move(p));
    EXPECT_TRUE(problems.empty()) << a.Describe() << ":\n  " << ::testing::PrintToString(problems)
                                  << "\n"
                                  << doc.dump(2) << "\n"
                                  << events.dump(1) << "\nthe workers' last log lines about it:\n"
                                  << fleet.LogLinesAbout(a.id, 60);
    for (const auto& e : events["events"]) {
      if (e["kind"] == "claimed" && e["from"].is_string()) {
        std::string message = e["message"];
        ++claims[message.substr(0, message.find(" owner=")) + " (" + e["from"].get<std::string>() +
                 ")"];
      }
      if (e["kind"] == "lease_lost") ++lease_lost;
    }

    // The tables: the change exactly where the deployment completed, every row kept.
    for (size_t k = 0; k < a.names.size(); ++k) {
      const std::string& db = a.databases[k];
      EXPECT_TRUE(NoOrdoObjects(*server, db)) << a.Describe() << " " << a.names[k];
      if (a.fault == Fault::kMissingTable && static_cast<int>(k) == a.faulty) continue;
      bool done = OperationOf(doc, a.names[k]).value("state", "") == "completed";
      auto key = IndexColumns(*server, db, "orders", "uq_code");
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      EXPECT_EQ(*key, done ? "1" : "0") << a.Describe() << " " << a.names[k];
      auto rows = QueryValue(*server, db, "SELECT COUNT(*) FROM orders");
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      EXPECT_EQ(*rows, std::to_string(kRows)) << a.Describe() << " " << a.names[k];
      if (done) {
        auto tag = QueryValue(*server, db, "SELECT COUNT(*) FROM orders WHERE tag = 0");
        ASSERT_TRUE(tag.ok()) << a.Describe() << " " << a.names[k] << ": "
                              << tag.status().ToString();
        EXPECT_EQ(*tag, std::to_string(kRows));
      }
    }
  }
  std::cout << "[ figure ] claims:";
  for (const auto& [arm, n] : claims) std::cout << " " << arm << " " << n << ";";
  std::cout << "\n";
  std::cout << "[ figure ] " << fleet.started() << " worker processes, " << lease_lost
            << " lease_lost events" << std::endl;
}

INSTANTIATE_TEST_SUITE_P(FleetStores, FleetKill, ::testing::Values("mysql", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ordo::testing
