#include "world.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "store_model.h"

namespace ordo::proof {
namespace {

char TimeCode(std::optional<Micros> t) {
  if (!t) return '-';
  if (*t == kNow) return 'f';
  if (*t == kOld) return 'o';
  return 's';
}

class Tokens {
 public:
  char Code(const std::string& token) {
    if (token.empty()) return '-';
    auto it = ids_.find(token);
    if (it != ids_.end()) return it->second;
    char c = static_cast<char>('A' + ids_.size());
    ids_.emplace(token, c);
    return c;
  }

 private:
  std::map<std::string, char> ids_;
};

const char* PcName(Pc pc) {
  switch (pc) {
    case Pc::kIdle:
      return "idle";
    case Pc::kLoad:
      return "load";
    case Pc::kBackoff:
      return "backoff";
    case Pc::kCopy:
      return "copy";
    case Pc::kInSync:
      return "in-sync";
    case Pc::kAskTurn:
      return "ask-turn";
    case Pc::kKeeping:
      return "keeping";
    case Pc::kRelease:
      return "release";
    case Pc::kSwap:
      return "swap";
    case Pc::kWindow:
      return "window";
    case Pc::kFinish:
      return "finish";
    case Pc::kCancel:
      return "cancel";
    case Pc::kFail:
      return "fail";
  }
  return "?";
}

}  // namespace

std::string WorldSpec::Describe() const {
  std::ostringstream o;
  o << name << ": " << deployments << " deployment(s), " << processes << " process(es) x "
    << drivers_per_process << " driver(s) + " << keepers_per_process << " keeper(s)"
    << (embedded ? ", embedded" : "") << (revert_window ? ", revert window" : "") << ", faults "
    << fault_budget << ", requests " << request_budget;
  for (size_t i = 0; i < applies.size(); ++i) {
    const ApplySpec& a = applies[i];
    o << "; apply " << i + 1 << " " << a.cutover_policy << "/" << a.on_failure
      << (a.defer_cutover ? "/deferred" : "") << " on";
    for (int d : a.deployments) o << " d" << d;
  }
  if (reintroduce.narrow_cutover_claim) o << "; REINTRODUCED narrow cutover claim";
  if (reintroduce.unguarded_park) o << "; REINTRODUCED unguarded park";
  return o.str();
}

State InitialState(const WorldSpec& w) {
  State s;
  s.store.now = kNow;
  s.store.options.retry_budget = w.retry_budget;
  s.store.reintroduced.narrow_cutover_claim = w.reintroduce.narrow_cutover_claim;
  s.created.assign(w.applies.size(), false);
  s.apply_of_spec.assign(w.applies.size(), 0);
  s.targets.assign(w.deployments, Target{});
  int processes = w.embedded ? 1 : w.processes;
  for (int p = 0; p < processes; ++p) {
    Process proc;
    proc.drivers.assign(w.drivers_per_process, Run{});
    proc.keepers.assign(w.keepers_per_process, Run{});
    s.processes.push_back(proc);
  }
  s.faults_left = w.fault_budget;
  s.requests_left = w.request_budget;
  CreateApply(s, w, 0);
  return s;
}

std::string State::Key() const {
  Tokens tokens;
  std::string k;
  k.reserve(128);
  for (bool c : created) k += c ? 'C' : 'c';
  k += '|';
  for (const auto& a : store.applies) {
    k += static_cast<char>('a' + static_cast<int>(a.state));
    k += static_cast<char>('0' + a.attempt);
    k += TimeCode(a.failed_at);
    k += TimeCode(a.updated_at);
  }
  k += '|';
  for (size_t i = 0; i < store.operations.size(); ++i) {
    const OperationRecord& op = store.operations[i];
    k += static_cast<char>('a' + static_cast<int>(op.state));
    k += tokens.Code(op.lease_token.value_or(""));
    k += TimeCode(op.updated_at);
    k += op.started_at ? 'S' : 's';
    k += static_cast<char>('0' + op.attempt);
    k += op.cleanup_pending ? 'P' : 'p';
    k += extra[i].swapped ? 'W' : 'w';
    k += extra[i].window_over ? 'O' : 'o';
    k += extra[i].touched ? 'T' : 't';
  }
  k += '|';
  std::vector<std::string> requests;
  for (const auto& r : store.requests)
    requests.push_back(std::to_string(r.apply_id) +
                       static_cast<char>('a' + static_cast<int>(r.kind)) +
                       static_cast<char>('0' + static_cast<int>(r.status)));
  std::sort(requests.begin(), requests.end());
  for (const auto& r : requests) k += r;
  k += '|';
  for (const auto& t : targets) {
    k += static_cast<char>('0' + t.shadow_owner + 1);
    k += static_cast<char>('0' + t.old_owner + 1);
    std::vector<int> fences = t.fences;
    std::sort(fences.begin(), fences.end());
    for (int f : fences) k += static_cast<char>('a' + f);
    k += ';';
  }
  k += '|';
  auto run = [&](const Run& r) {
    k += static_cast<char>('a' + static_cast<int>(r.pc));
    if (r.pc == Pc::kIdle) return;
    k += static_cast<char>('0' + r.op);
    k += tokens.Code(r.token);
    k += static_cast<char>('0' + static_cast<int>(r.source));
    k += static_cast<char>('a' + static_cast<int>(r.was));
    k += static_cast<char>('0' + (r.ever_started ? 1 : 0) + (r.engine_live ? 2 : 0) +
                           (r.revert_refused ? 4 : 0) + (r.fail_retryable ? 8 : 0));
  };
  for (const auto& p : processes) {
    k += p.shutting_down ? 'X' : 'x';
    k += p.running ? 'R' : 'r';
    for (const auto& r : p.drivers) run(r);
    k += '/';
    for (const auto& r : p.keepers) run(r);
    k += ';';
  }
  k += static_cast<char>('0' + faults_left);
  k += static_cast<char>('0' + requests_left);
  return k;
}

std::string State::Describe(const WorldSpec& w) const {
  (void)w;
  std::ostringstream o;
  for (const auto& a : store.applies) {
    o << "  apply " << a.id << ": " << ToString(a.state) << " (attempt " << a.attempt << ")";
    for (const auto& r : store.requests)
      if (r.apply_id == a.id) o << " " << ToString(r.kind) << "=" << ToString(r.status);
    o << "\n";
    for (size_t i = 0; i < store.operations.size(); ++i) {
      const OperationRecord& op = store.operations[i];
      if (op.apply_id != a.id) continue;
      o << "    op" << i << " " << op.deployment << ": " << ToString(op.state)
        << " token=" << op.lease_token.value_or("-")
        << (op.updated_at == kNow ? " fresh" : " stale")
        << (op.cleanup_pending ? " cleanup-pending" : "") << (extra[i].swapped ? " swapped" : "")
        << (extra[i].window_over ? " window-over" : "") << "\n";
    }
  }
  for (size_t d = 0; d < targets.size(); ++d) {
    const Target& t = targets[d];
    o << "  target d" << d << ":";
    if (t.shadow_owner >= 0) o << " shadow(op" << t.shadow_owner << ")";
    if (t.old_owner >= 0) o << " old(op" << t.old_owner << ")";
    for (int f : t.fences) o << " fence(op" << f << ")";
    if (t.Clean()) o << " clean";
    o << "\n";
  }
  for (size_t p = 0; p < processes.size(); ++p) {
    const Process& proc = processes[p];
    o << "  process " << p << (proc.shutting_down ? " (shutting down)" : "")
      << (proc.running ? "" : " (ended)") << ":";
    auto run = [&](const char* kind, const Run& r) {
      if (r.pc == Pc::kIdle) return;
      o << " " << kind << "[" << PcName(r.pc) << " op" << r.op << " " << r.token << "]";
    };
    for (const auto& r : proc.drivers) run("driver", r);
    for (const auto& r : proc.keepers) run("keeper", r);
    o << "\n";
  }
  o << "  faults left " << faults_left << ", requests left " << requests_left << "\n";
  return o.str();
}

}  // namespace ordo::proof
