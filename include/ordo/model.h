// The control model's vocabulary: states, policies, request kinds, and the records
// the store returns. See docs/model.md for what each word means.
//
// Policies are stored as the raw strings captured at create time; the gates interpret
// them through ParseCutoverPolicy/ParseOnFailure, which fail closed (unknown →
// rolling / halt), so a row carrying "bogus" still behaves safely.
//
// Thread-safety: plain values.
//
//   OperationState s = OperationState::kRunning;
//   IsActive(s);                         // true
//   ToString(s);                         // "running"
//   ParseOnFailure("bogus");             // OnFailure::kHalt
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ordo {

enum class OperationState {
  kPending,
  kRunning,
  kWaitingForCutover,
  kCuttingOver,
  kRevertWindow,
  kCompleted,
  kFailed,
  kFailedRetryable,
  kStopped,
  kResuming,
  kCancelled,
  kReverted,
};

// Apply states: the operation states plus the policy-derived ones.
enum class ApplyState {
  kPending,
  kRunning,
  kWaitingForCutover,
  kCuttingOver,
  kRevertWindow,
  kCompleted,
  kFailed,
  kFailedRetryable,
  kStopped,
  kCancelled,
  kReverted,
  kRunningDegraded,
  kPaused,
};

enum class CutoverPolicy { kRolling, kBarrier, kParallel };
enum class OnFailure { kHalt, kContinue, kPause };

enum class RequestKind { kStop, kStart, kCutover, kRevert, kSkipRevert, kCancel, kRelease };
enum class RequestStatus { kPending, kCompleted, kFailed };

std::string_view ToString(OperationState s);
std::string_view ToString(ApplyState s);
std::string_view ToString(CutoverPolicy p);
std::string_view ToString(OnFailure f);
std::string_view ToString(RequestKind k);
std::string_view ToString(RequestStatus s);

// Exact parses: nullopt for an unknown string (use for input validation).
std::optional<OperationState> ParseOperationState(std::string_view s);
std::optional<ApplyState> ParseApplyState(std::string_view s);
std::optional<RequestKind> ParseRequestKind(std::string_view s);
std::optional<RequestStatus> ParseRequestStatus(std::string_view s);
std::optional<CutoverPolicy> ParseCutoverPolicyExact(std::string_view s);
std::optional<OnFailure> ParseOnFailureExact(std::string_view s);

// Fail-closed parses used by the gates: unknown → rolling / halt.
CutoverPolicy ParseCutoverPolicy(std::string_view s);
OnFailure ParseOnFailure(std::string_view s);

// completed, failed, stopped, cancelled, reverted.
bool IsTerminal(OperationState s);
// Not terminal.
bool IsActive(OperationState s);
// completed, failed, cancelled, reverted: releases its deployment.
bool IsSettled(OperationState s);
// waiting_for_cutover, cutting_over, revert_window, completed: past the cutover barrier.
bool IsPastBarrier(OperationState s);
// Apply states that no longer hold their deployments.
bool IsSettled(ApplyState s);

// Microseconds since the Unix epoch, UTC. Store timestamps use this unit.
using Micros = int64_t;

struct ApplyOptions {
  bool defer_cutover = false;
  bool allow_unsafe = false;
};

struct ApplyRecord {
  int64_t id = 0;
  std::string external_id;  // "ap_…"
  std::string database;
  std::string environment;
  ApplyState state = ApplyState::kPending;
  ApplyOptions options;
  // Who asked for it (NewApply::requested_by); "" for an apply created before ordo
  // recorded it.
  std::string created_by;
  std::optional<std::string> error;
  int attempt = 0;  // retry budget used
  std::optional<std::string> lease_owner;
  std::optional<std::string> lease_token;
  std::optional<Micros> lease_acquired_at;
  std::optional<Micros> started_at;
  std::optional<Micros> completed_at;
  Micros created_at = 0;
  Micros updated_at = 0;
};

struct OperationRecord {
  int64_t id = 0;
  int64_t apply_id = 0;
  std::string deployment;
  OperationState state = OperationState::kPending;
  std::optional<std::string> error;
  std::string cutover_policy;  // raw, as captured at create
  std::string on_failure;      // raw, as captured at create
  int attempt = 0;
  std::optional<std::string> lease_owner;
  std::optional<std::string> lease_token;
  std::optional<Micros> lease_acquired_at;
  std::optional<std::string> resume_state;  // opaque JSON owned by the engine
  // Settled without its holder (retry expiry fails failed_retryable rows in the store):
  // what it left on its target is still to be removed, by the cleanup claim's driver.
  bool cleanup_pending = false;
  std::optional<Micros> started_at;
  std::optional<Micros> cutover_started_at;
  std::optional<Micros> cutover_completed_at;
  std::optional<Micros> completed_at;
  Micros created_at = 0;
  Micros updated_at = 0;
};

struct ChangeRecord {
  int64_t id = 0;
  int64_t operation_id = 0;
  std::string schema_name;
  std::string table_name;
  std::string ddl;
  std::string state = "pending";  // engine phase for this table
  int64_t rows_copied = 0;
  int64_t rows_total = 0;
  double progress = 0;  // percent 0..100
  std::optional<int64_t> eta_seconds;
  bool instant = false;
  std::optional<int64_t> cutover_lock_ms;
  std::optional<std::string> error;
  Micros updated_at = 0;
};

struct ControlRequestRecord {
  int64_t id = 0;
  int64_t apply_id = 0;
  RequestKind kind = RequestKind::kStop;
  RequestStatus status = RequestStatus::kPending;
  std::string requested_by;
  std::optional<std::string> error;
  Micros created_at = 0;
  Micros updated_at = 0;
  std::optional<Micros> completed_at;
};

struct EventRecord {
  int64_t id = 0;
  int64_t apply_id = 0;
  std::optional<int64_t> operation_id;
  std::optional<std::string> deployment;  // filled on reads
  Micros at = 0;
  std::string kind;  // claimed, state_change, control_request, lease_lost, error, …
  std::optional<std::string> from_state;
  std::optional<std::string> to_state;
  std::string message;
};

// The right to write one operation row. Fresh token on every claim.
struct Lease {
  int64_t operation_id = 0;
  std::string owner;  // host/pid/driver-n
  std::string token;  // random UUID
};

}  // namespace ordo
