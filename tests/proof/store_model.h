// The control store's writes over the model's rows (docs/store.md): what each claim,
// fenced write, request and housekeeping transaction changes. Which rows a claim may
// take, whether begin_cutover may go, what an apply derives to and how a request is
// decided are not written here: they are the reference model's gates
// (core/reference_model.h), DeriveApplyState and DecideRequest — the functions the
// differential test holds every backend to and the stores themselves run.
//
// Every function is one store transaction, applied atomically to `s`.
//
// Thread-safety: functions over values.
#pragma once

#include <optional>
#include <string>

#include "core/derive.h"
#include "ordo/status.h"
#include "world.h"

namespace ordo::proof {

OperationRecord& Op(State& s, int op);
const OperationRecord& Op(const State& s, int op);
reference::ApplyRow& ApplyOf(State& s, int64_t apply_id);
const reference::ApplyRow& ApplyOf(const State& s, int64_t apply_id);
// The operations of one apply, in deployment order.
std::vector<OperationRecord> OpsOf(const State& s, int64_t apply_id);
DerivedApplyState Derived(const State& s, int64_t apply_id);
// The control a holder of an operation of `apply_id` reads (requests and the verdict).
worker::ApplyControl ControlOf(const State& s, int64_t apply_id);
std::optional<RequestStatus> RequestOf(const State& s, int64_t apply_id, RequestKind kind);

// A token no row or run carries.
std::string NewToken(const State& s);

// ---- the tick's transactions ------------------------------------------------------------
// Each returns the claimed operation's index (its record as before the claim in
// `before`), or nullopt.
std::optional<int> ClaimCopy(State& s, const std::string& token, OperationRecord* before);
std::optional<int> ClaimCutover(State& s, const std::string& token, OperationRecord* before);
std::optional<int> ClaimCleanup(State& s, const std::string& token, OperationRecord* before);
bool ClaimStop(State& s);
bool ExpireRetries(State& s, const WorldSpec& w);
bool RederiveUnheld(State& s);

// ---- fenced writes (LeaseLost when the row does not carry `token`) -------------------------
Status Transition(State& s, int op, const std::string& token, OperationState to);
// cutting_over → completed with the target's cleanup owed, the lease kept.
Status CompleteOwingCleanup(State& s, int op, const std::string& token);
Result<bool> BeginCutover(State& s, int op, const std::string& token);
Status Park(State& s, const WorldSpec& w, int op, const std::string& token);
// The driver's compare-and-swap of the apply to what its rows derive to.
Status SwapApplyState(State& s, int op, const std::string& token);
void CompleteRequest(State& s, int64_t apply_id, RequestKind kind);
void FailRequest(State& s, int64_t apply_id, RequestKind kind);

// ---- a person -----------------------------------------------------------------------------
// Records a control request as RequestControl does; the answer.
RequestOutcome RequestControl(State& s, int64_t apply_id, RequestKind kind);
// Creates the apply of spec `index`; false when a deployment is held (nothing changes).
bool CreateApply(State& s, const WorldSpec& w, int index);

}  // namespace ordo::proof
