#include "target_model.h"

#include <algorithm>

namespace ordo::proof {
namespace {

Target& TargetOf(State& s, int op) { return s.targets[s.extra[op].deployment]; }

void AddFence(Target& t, int op) {
  if (std::find(t.fences.begin(), t.fences.end(), op) == t.fences.end()) t.fences.push_back(op);
}

void RemoveFence(Target& t, int op) {
  t.fences.erase(std::remove(t.fences.begin(), t.fences.end(), op), t.fences.end());
}

}  // namespace

bool CreateShadow(State& s, int op) {
  if (s.extra[op].swapped) return true;
  Target& t = TargetOf(s, op);
  if (t.shadow_owner >= 0 && t.shadow_owner != op) return false;
  t.shadow_owner = op;
  AddFence(t, op);
  s.extra[op].touched = true;
  return true;
}

bool CatchUpAndSwap(State& s, int op) {
  if (s.extra[op].swapped) return true;
  Target& t = TargetOf(s, op);
  if (!CreateShadow(s, op)) return false;
  t.shadow_owner = -1;
  s.extra[op].swapped = true;
  t.old_owner = op;
  return true;
}

bool WindowOver(const State& s, int op) {
  return !s.extra[op].swapped || s.targets[s.extra[op].deployment].old_owner != op;
}

void RevertOnTarget(State& s, int op) {
  Target& t = TargetOf(s, op);
  s.extra[op].swapped = false;
  if (t.old_owner == op) t.old_owner = -1;
  RemoveFence(t, op);
}

void FinishWindow(State& s, int op) {
  Target& t = TargetOf(s, op);
  if (t.old_owner == op) t.old_owner = -1;
  RemoveFence(t, op);
}

void DropShadow(State& s, int op) {
  if (s.extra[op].swapped) return;
  Target& t = TargetOf(s, op);
  if (t.shadow_owner == op) t.shadow_owner = -1;
  RemoveFence(t, op);
}

}  // namespace ordo::proof
