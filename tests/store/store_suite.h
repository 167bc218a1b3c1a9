// StoreSuite: the base fixture of the conformance suite. It opens a fresh store on
// the parameter's backend and offers the helpers scenarios use to set up states with
// raw SQL (docs/store-schema.md) without sleeping: a "stale" heartbeat is written as
// the database clock minus ten staleness windows.
//
// Thread-safety: the helpers that run SQL (Set*, Add*) are for the test thread only.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends.h"
#include "ordo/store.h"

namespace ordo::testing {

class StoreSuite : public ::testing::TestWithParam<BackendEntry> {
 protected:
  // The staleness window the suite's stores use.
  static constexpr Micros kWindow = 5'000'000;

  void SetUp() override;
  virtual StoreOptions Options() const;

  // Runs SQL on the fresh store; a failure fails the test.
  void Exec(const std::string& sql);
  std::string NowSql() const { return backend_->MicrosAgoSql(0); }
  std::string StaleSql() const { return backend_->MicrosAgoSql(10 * kWindow); }

  // Creates an apply on deployments d1..dN (or `deployments`) of database "app" in
  // `environment` (default: a new environment per call, so applies never collide).
  ApplyRecord Create(const std::string& policy = "rolling", const std::string& on_failure = "halt",
                     int n = 3, bool defer_cutover = false,
                     std::vector<std::string> deployments = {}, std::string environment = "");
  std::vector<int64_t> OpIds(int64_t apply_id);
  OperationRecord Op(int64_t operation_id);
  ApplyRecord Apply(int64_t apply_id);
  // Expects the apply stored as `state`, with completed_at set exactly when that state
  // is settled, and (when given) with `error`.
  void ExpectApply(int64_t apply_id, ApplyState state,
                   const std::optional<std::string>& error = std::nullopt);

  // Sets an operation's state with a lease token "tok-<id>" (none for pending), a
  // fresh or stale heartbeat.
  void SetOp(int64_t op_id, OperationState state, bool stale = false);
  // The ids of `a`'s operations, in order, the first ones set (SetOp) to `states`.
  std::vector<int64_t> SetOps(const ApplyRecord& a, std::initializer_list<OperationState> states);
  // Clears the token: released at the barrier.
  void Release(int64_t op_id);
  void SetOpSql(int64_t op_id, const std::string& assignments);
  // Sets each operation's created_at to `micros_ago` before one reading of the clock,
  // in one statement, so the gaps between the rows are exactly as given.
  void SetCreatedAgo(const std::vector<std::pair<int64_t, Micros>>& micros_ago);
  void SetApplySql(int64_t apply_id, const std::string& assignments);
  void AddRequest(int64_t apply_id, RequestKind kind,
                  RequestStatus status = RequestStatus::kPending);
  void SetRequest(int64_t apply_id, RequestKind kind, RequestStatus status);

  std::optional<ClaimedOperation> ClaimCopy(const std::string& owner = "host/1/driver-1");
  std::optional<ClaimedOperation> ClaimCutover(const std::string& owner = "host/1/driver-1");
  // The lease a scenario's raw SQL gave op_id ("tok-<id>").
  Lease LeaseOf(int64_t op_id) const;

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> store_;  // destroyed before backend_
};

}  // namespace ordo::testing
