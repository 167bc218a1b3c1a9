// The model checker's world: one small configuration of ordo (applies sharing
// deployments, their policies, worker processes with drivers and keepers) and one
// state of it — the control store's rows as the reference model reads them, what each
// driver and keeper is doing, what ordo has on each target, and what is left of the
// fault and request budgets.
//
// States are values; Key() is a canonical encoding (lease tokens renamed in order of
// first appearance), so two states that differ only in token names are one state.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/reference_model.h"
#include "operator/decisions.h"

namespace ordo::proof {

// Defects whose fixes the checker can switch off again, to show it finds them.
struct Reintroduce {
  bool narrow_cutover_claim = false;  // defect 2: arm 1 only for multi-op barrier/parallel
  bool unguarded_park = false;        // defect 3: Park moves any state back to parked
  bool unowed_turn_end = false;       // a turn ends `completed` with the old table's drop not owed
};

struct ApplySpec {
  std::string cutover_policy = "rolling";
  std::string on_failure = "halt";
  bool defer_cutover = false;
  std::vector<int> deployments;  // indexes of the world's deployments, in order
};

struct WorldSpec {
  std::string name;
  int deployments = 1;
  // Applies in creation order; the first exists at the start, each later one is
  // created by a person at any point (refused while one of its deployments is held).
  std::vector<ApplySpec> applies;
  int processes = 1;
  int drivers_per_process = 2;
  int keepers_per_process = 1;
  bool revert_window = true;
  // One process that drives only while a command follows an apply (an embedded
  // `ordo apply`, or a control command that drives): it ends when FollowerMayEnd()
  // says so, and only a person's command starts it again.
  bool embedded = false;
  int retry_budget = 2;
  // Faults (engine failures, crashes, shutdowns, lost answers) and a person's
  // requests (control requests, creating a later apply) that one run may contain.
  int fault_budget = 1;
  int request_budget = 1;
  Reintroduce reintroduce;

  std::string Describe() const;
};

// What a driver or keeper is doing with the operation it holds (docs/operator.md;
// each value is a point where the real run calls the store or the engine).
enum class Pc : uint8_t {
  kIdle,     // a driver between ticks (a keeper slot: free)
  kLoad,     // claimed: load, derive the apply, dispatch
  kBackoff,  // a redispatched retry waiting its backoff
  kCopy,     // preflight and copy
  kInSync,   // copied: → waiting_for_cutover
  kAskTurn,  // begin_cutover: swap now, keep it parked (a keeper) or release it
  kKeeping,  // a keeper keeps the parked engine in sync and asks for the turn
  kRelease,  // park the row (release at the barrier)
  kSwap,     // catch up and cut over
  kWindow,   // the revert window
  kFinish,   // completed at the swap (cleanup owed): drop the old table, complete again
  kCancel,   // clean up the target, → cancelled
  kFail,     // clean up the target, → failed
};

struct Run {
  Pc pc = Pc::kIdle;
  int op = -1;        // index into State::ops
  std::string token;  // the lease it holds (the row may carry another by now)
  worker::ClaimSource source = worker::ClaimSource::kCopy;
  OperationState was = OperationState::kPending;  // the claimed row's state before the claim
  bool ever_started = false;
  bool engine_live = false;     // an in-memory engine in sync (no catch-up needed)
  bool revert_refused = false;  // this holder refused the pending revert request
  bool fail_retryable = false;  // kFail: the failure's class
};

struct Process {
  std::vector<Run> drivers;
  std::vector<Run> keepers;
  bool shutting_down = false;
  bool running = true;  // embedded: false once the following command ended
};

// What ordo has on one deployment's table (one table per deployment in the model).
struct Target {
  int shadow_owner = -1;    // the operation whose `<t>_ordo_new` exists
  int old_owner = -1;       // the operation whose `<t>_ordo_old` exists (after its swap)
  std::vector<int> fences;  // operations with a fence row
  bool Clean() const { return shadow_owner < 0 && old_owner < 0 && fences.empty(); }
};

// Per operation, what the model needs beyond the store row.
struct OpExtra {
  int deployment = 0;
  bool swapped = false;      // its change is live on the target (until reverted)
  bool touched = false;      // its engine ever created something on the target
  bool window_over = false;  // its revert window's deadline has passed
};

struct State {
  reference::Snapshot store;    // applies, operations, requests as the gates read them
  std::vector<bool> created;    // per apply spec
  std::vector<OpExtra> extra;   // per operation (store.operations order)
  std::vector<Target> targets;  // per deployment
  std::vector<Process> processes;
  std::vector<int> apply_of_spec;  // store apply id per spec (0 until created)
  int faults_left = 0;
  int requests_left = 0;

  std::string Key() const;
  std::string Describe(const WorldSpec& w) const;
};

// Database-clock values of the model: every write is "now"; stale rows are older
// than the staleness window.
inline constexpr Micros kNow = 10'000'000'000;
inline constexpr Micros kStale = kNow - 3'600'000'000;        // an hour ago
inline constexpr Micros kOld = kNow - 10LL * 86'400'000'000;  // older than retry freshness

State InitialState(const WorldSpec& w);

}  // namespace ordo::proof
