#include "explorer.h"

#include <chrono>
#include <deque>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "properties.h"
#include "run_model.h"

namespace ordo::proof {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr int kContinuationSteps = 40;

// How each explored state was first reached: its parent and the successor's index
// among the parent's successors (successors are generated in a fixed order, so a
// trace replays exactly).
struct Origin {
  uint32_t parent = kNone;
  uint32_t index = 0;
};

// Replays the path to state `id`: the labels of its steps and the state itself.
State Replay(const WorldSpec& w, const std::vector<Origin>& origins, uint32_t id,
             std::vector<std::string>* labels) {
  std::vector<uint32_t> path;
  for (uint32_t at = id; origins[at].parent != kNone; at = origins[at].parent) path.push_back(at);
  State s = InitialState(w);
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    std::vector<Successor> next;
    Successors(w, s, &next);
    Successor& step = next[origins[*it].index];
    labels->push_back(step.label);
    s = std::move(step.next);
  }
  return s;
}

// Progress steps from `s` that never reach a settled state: the first progress
// successor each time, until none is left or a state repeats.
std::vector<std::string> Continuation(const WorldSpec& w, State s, std::string* last) {
  std::vector<std::string> steps;
  std::unordered_set<std::string> seen{s.Key()};
  for (int i = 0; i < kContinuationSteps; ++i) {
    std::vector<Successor> next;
    Successors(w, s, &next);
    const Successor* pick = nullptr;
    for (const auto& n : next) {
      if (!n.progress || seen.count(n.next.Key())) continue;
      pick = &n;
      break;
    }
    if (pick == nullptr) {
      steps.push_back("(no progress step leads anywhere new from here)");
      break;
    }
    steps.push_back(pick->label);
    s = pick->next;
    seen.insert(s.Key());
  }
  *last = s.Describe(w);
  return steps;
}

}  // namespace

Report Explore(const WorldSpec& w, uint64_t max_states) {
  auto started = std::chrono::steady_clock::now();
  Report report;
  report.world = w.Describe();
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<Origin> origins;
  std::vector<bool> goal;
  // Progress edges, by state in id order (states are expanded in id order).
  std::vector<uint32_t> edge_start;
  std::vector<uint32_t> edges;
  std::deque<std::pair<uint32_t, State>> frontier;

  auto add = [&](State s, Origin origin) -> std::pair<uint32_t, bool> {
    std::string key = s.Key();
    auto [it, fresh] = ids.emplace(std::move(key), static_cast<uint32_t>(origins.size()));
    if (!fresh) return {it->second, false};
    origins.push_back(origin);
    goal.push_back(Settled(s));
    frontier.emplace_back(it->second, std::move(s));
    return {it->second, true};
  };
  auto fail = [&](uint32_t parent, uint32_t index, const std::string& why, const State* reached) {
    Violation v;
    v.property = why;
    std::vector<Origin> with = origins;
    uint32_t id = parent;
    if (reached != nullptr) {
      with.push_back(Origin{parent, index});
      id = static_cast<uint32_t>(with.size() - 1);
    }
    State s = Replay(w, with, id, &v.trace);
    v.state = s.Describe(w);
    report.violation = v;
  };

  State init = InitialState(w);
  if (std::string bad = CheckState(w, init); !bad.empty()) {
    report.violation = Violation{bad, {}, init.Describe(w), {}};
    return report;
  }
  add(std::move(init), Origin{});
  std::vector<Successor> next;
  uint32_t expanded = 0;
  while (!frontier.empty() && !report.violation) {
    auto [id, s] = std::move(frontier.front());
    frontier.pop_front();
    edge_start.push_back(static_cast<uint32_t>(edges.size()));
    ++expanded;
    next.clear();
    Successors(w, s, &next);
    for (uint32_t i = 0; i < next.size() && !report.violation; ++i) {
      ++report.transitions;
      Successor& n = next[i];
      std::string bad = CheckStep(w, s, n.next);
      if (bad.empty()) bad = CheckState(w, n.next);
      if (!bad.empty()) {
        fail(id, i, bad + " (after: " + n.label + ")", &n.next);
        break;
      }
      bool progress = n.progress;
      auto [to, fresh] = add(std::move(n.next), Origin{id, i});
      if (progress && to != id) edges.push_back(to);
      (void)fresh;
    }
    if (origins.size() >= max_states) break;
  }
  report.states = origins.size();
  report.exhausted = frontier.empty() && !report.violation;
  if (report.exhausted) {
    edge_start.push_back(static_cast<uint32_t>(edges.size()));
    // Backwards from the settled states over progress edges.
    std::vector<uint32_t> in_count(origins.size() + 1, 0);
    for (uint32_t e : edges) ++in_count[e + 1];
    for (size_t i = 1; i < in_count.size(); ++i) in_count[i] += in_count[i - 1];
    std::vector<uint32_t> sources(edges.size());
    std::vector<uint32_t> fill(in_count.begin(), in_count.end() - 1);
    for (uint32_t from = 0; from < expanded; ++from)
      for (uint32_t k = edge_start[from]; k < edge_start[from + 1]; ++k)
        sources[fill[edges[k]]++] = from;
    std::vector<bool> good(origins.size(), false);
    std::vector<uint32_t> stack;
    for (uint32_t i = 0; i < origins.size(); ++i)
      if (goal[i]) {
        good[i] = true;
        stack.push_back(i);
      }
    while (!stack.empty()) {
      uint32_t at = stack.back();
      stack.pop_back();
      for (uint32_t k = in_count[at]; k < in_count[at + 1]; ++k) {
        uint32_t from = sources[k];
        if (good[from]) continue;
        good[from] = true;
        stack.push_back(from);
      }
    }
    for (uint32_t i = 0; i < origins.size(); ++i) {
      if (good[i]) continue;
      Violation v;
      v.property =
          "stranded: from here no progress leads to every apply and operation settled with nothing "
          "of "
          "ordo left on the targets";
      State s = Replay(w, origins, i, &v.trace);
      v.state = s.Describe(w);
      std::string last;
      v.continuation = Continuation(w, s, &last);
      v.state += "  ... where the progress steps lead:\n" + last;
      report.violation = v;
      report.exhausted = false;
      break;
    }
    if (!report.violation) report.exhausted = true;
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string Format(const Report& r) {
  std::ostringstream o;
  o << r.world << "\n  " << r.states << " states, " << r.transitions << " steps, " << r.seconds
    << " s, "
    << (r.violation   ? "VIOLATION"
        : r.exhausted ? "exhausted, every property holds"
                      : "NOT exhausted (state cap)")
    << "\n";
  if (r.violation) {
    const Violation& v = *r.violation;
    o << "  property: " << v.property << "\n  trace (" << v.trace.size() << " steps):\n";
    for (size_t i = 0; i < v.trace.size(); ++i) o << "    " << i + 1 << ". " << v.trace[i] << "\n";
    o << "  state:\n" << v.state;
    if (!v.continuation.empty()) {
      o << "  progress from there:\n";
      for (const auto& c : v.continuation) o << "    - " << c << "\n";
    }
  }
  return o.str();
}

}  // namespace ordo::proof
