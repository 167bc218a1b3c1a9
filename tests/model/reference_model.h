// The reference model of the gates: a deliberately plain, in-memory reading of
// docs/model.md's claims over a value snapshot of the control store.
//
// It answers, for one snapshot, "which rows may each claim return" and "which one
// must it return first" (the first in (created_at, id) order). It is what the
// conformance suite's differential test compares every backend against, so it is
// written for obviousness, not speed: each arm is one small predicate that reads
// like the prose of docs/model.md, plus the decisions recorded in docs/store.md.
//
// Thread-safety: pure functions over values.
//
//   reference::Snapshot s = ...;            // rows read from a store, plus "now"
//   std::vector<int64_t> may = reference::CopyClaimable(s);
//   std::optional<int64_t> first = reference::FirstCopyClaim(s);
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/derive.h"
#include "ordo/model.h"
#include "ordo/store.h"

namespace ordo::reference {

// The columns of an apply row the gates read.
struct ApplyRow {
  int64_t id = 0;
  ApplyState state = ApplyState::kPending;
  bool defer_cutover = false;
  int attempt = 0;
  // When it last became failed_retryable; nullopt falls back to updated_at.
  std::optional<Micros> failed_at;
  Micros updated_at = 0;
};

struct RequestRow {
  int64_t apply_id = 0;
  RequestKind kind = RequestKind::kStop;
  RequestStatus status = RequestStatus::kPending;
};

// Defects whose fixes can be switched off again, so that the protocol's model checker
// (tests/proof) can show it finds them. Every store and the operator run with none.
struct Reintroduced {
  // The cutover claim's automatic arm takes only rows of multi-operation barrier or
  // parallel applies (so a released row of a rolling or single-deployment apply waits
  // for a cutover request nobody files).
  bool narrow_cutover_claim = false;
};

// Everything the gates look at, plus the database clock's "now" and the options.
struct Snapshot {
  Micros now = 0;
  StoreOptions options;
  Reintroduced reintroduced;
  std::vector<ApplyRow> applies;
  std::vector<OperationRecord> operations;
  std::vector<RequestRow> requests;
};

enum class CopyArm { kStartPending, kRecoverStale, kResumeStopped, kRetry };
enum class CutoverArm { kStartParked, kRecoverInFlight };

// ---- copy claim (arms A–D) ----------------------------------------------------------
// The arm under which `op` is claimable by the copy claim, or nullopt.
std::optional<CopyArm> CopyArmFor(const Snapshot& s, const OperationRecord& op);
// Operation ids the copy claim may return, in (created_at, id) order.
std::vector<int64_t> CopyClaimable(const Snapshot& s);
std::optional<int64_t> FirstCopyClaim(const Snapshot& s);

// ---- cutover claim (arms 1–2) ---------------------------------------------------------
std::optional<CutoverArm> CutoverArmFor(const Snapshot& s, const OperationRecord& op);
std::vector<int64_t> CutoverClaimable(const Snapshot& s);
std::optional<int64_t> FirstCutoverClaim(const Snapshot& s);

// ---- cleanup claim -------------------------------------------------------------------
// Operation ids the cleanup claim may return, in (created_at, id) order: pending,
// stopped, failed_retryable or parked rows held by no live lease (a row its driver
// stopped holds none: the transition to stopped releases it), of an apply whose stored
// state is settled or that has a pending cancel, that neither the copy nor the cutover
// claim would return; and rows failed by retry expiry, or completed at their swap,
// whose target is still to be cleaned up (cleanup_pending) and that no live lease holds.
std::vector<int64_t> CleanupClaimable(const Snapshot& s);
std::optional<int64_t> FirstCleanupClaim(const Snapshot& s);

// begin_cutover for the live holder of `op` (its lease assumed current): true when the
// parked row may move to cutting_over now.
bool BeginCutoverAllowed(const Snapshot& s, const OperationRecord& op);

// ---- stop reconciliation and retry expiry ---------------------------------------------
// Apply ids claim_next_stop may take, ascending.
std::vector<int64_t> StopReconcilable(const Snapshot& s);
// The operations of `apply_id` that stop reconciliation turns into `stopped`.
std::vector<int64_t> StopReconciledOperations(const Snapshot& s, int64_t apply_id);
// Apply ids ExpireRetries fails, ascending.
std::vector<int64_t> ExpirableApplies(const Snapshot& s);

// ---- re-deriving applies nobody holds -------------------------------------------------
// Apply ids RederiveUnheldApplies moves, ascending: the stored state is not settled,
// no operation of the apply holds a live lease (a token and a fresh heartbeat), and
// the stored state is not what the operations derive to — except an admitted retry
// (stored active, derived failed_retryable), which arm D recovers.
std::vector<int64_t> RederivableApplies(const Snapshot& s);
// What the apply's operations derive to (in deployment order, with its release latch).
DerivedApplyState DerivedState(const Snapshot& s, int64_t apply_id);

// ---- shared predicates (exposed for unit tests) ----------------------------------------
bool IsStale(const Snapshot& s, Micros updated_at);
bool HasRequest(const Snapshot& s, int64_t apply_id, RequestKind kind, RequestStatus status);
// A release request exists, pending or completed (a failed one does not latch).
bool ReleaseLatched(const Snapshot& s, int64_t apply_id);
// A failed earlier sibling that `r`'s on_failure policy excuses.
bool FailureExempt(const Snapshot& s, const OperationRecord& earlier, const OperationRecord& r);

}  // namespace ordo::reference
