#include "store_suite.h"

#include "test_servers.h"

namespace ordo::testing {

StoreOptions StoreSuite::Options() const {
  StoreOptions o;
  o.lease_staleness_micros = kWindow;
  return o;
}

void StoreSuite::SetUp() {
  backend_ = GetParam().make();
  auto store = backend_->OpenFresh(Options());
  if (!store.ok()) {
    if (store.status().Is(StatusCode::kUnavailable) && !ServersRequired())
      GTEST_SKIP() << "skipped: backend " << GetParam().name
                   << " unavailable: " << store.status().ToString();
    FAIL() << "backend " << GetParam().name << ": " << store.status().ToString();
  }
  store_ = std::move(store).value();
}

void StoreSuite::Exec(const std::string& sql) {
  Status s = backend_->Exec(sql);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

ApplyRecord StoreSuite::Create(const std::string& policy, const std::string& on_failure, int n,
                               bool defer_cutover, std::vector<std::string> deployments,
                               std::string environment) {
  static int environments = 0;
  if (environment.empty()) environment = "env" + std::to_string(++environments);
  NewApply a;
  a.database = "app";
  a.environment = environment;
  a.cutover_policy = policy;
  a.on_failure = on_failure;
  a.options.defer_cutover = defer_cutover;
  a.requested_by = "test";
  if (deployments.empty())
    for (int i = 1; i <= n; ++i) deployments.push_back("d" + std::to_string(i));
  for (const auto& d : deployments)
    a.operations.push_back(NewOperation{d, {NewChange{"app", "t", "ALTER TABLE t ADD c INT"}}});
  auto r = store_->CreateApply(a);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ApplyRecord{};
}

std::vector<int64_t> StoreSuite::SetOps(const ApplyRecord& a,
                                        std::initializer_list<OperationState> states) {
  std::vector<int64_t> ids = OpIds(a.id);
  size_t i = 0;
  for (OperationState state : states) {
    EXPECT_LT(i, ids.size()) << "more states than operations";
    if (i < ids.size()) SetOp(ids[i], state);
    ++i;
  }
  return ids;
}

std::vector<int64_t> StoreSuite::OpIds(int64_t apply_id) {
  auto ops = store_->ListOperations(apply_id);
  EXPECT_TRUE(ops.ok()) << ops.status().ToString();
  std::vector<int64_t> ids;
  if (ops.ok())
    for (const auto& op : *ops) ids.push_back(op.id);
  return ids;
}

OperationRecord StoreSuite::Op(int64_t operation_id) {
  auto op = store_->GetOperation(operation_id);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  return op.ok() ? *op : OperationRecord{};
}

ApplyRecord StoreSuite::Apply(int64_t apply_id) {
  auto a = store_->GetApply(apply_id);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : ApplyRecord{};
}

void StoreSuite::ExpectApply(int64_t apply_id, ApplyState state,
                             const std::optional<std::string>& error) {
  ApplyRecord a = Apply(apply_id);
  EXPECT_EQ(a.state, state);
  EXPECT_EQ(a.completed_at.has_value(), IsSettled(state)) << ToString(state);
  if (error) {
    EXPECT_EQ(a.error, *error);
  }
}

void StoreSuite::SetOp(int64_t op_id, OperationState state, bool stale) {
  std::string id = std::to_string(op_id);
  std::string token = state == OperationState::kPending ? "NULL" : "'tok-" + id + "'";
  std::string owner = state == OperationState::kPending ? "NULL" : "'someone/" + id + "'";
  std::string started = state == OperationState::kPending ? "NULL" : NowSql();
  SetOpSql(op_id, "state = '" + std::string(ToString(state)) + "', lease_token = " + token +
                      ", lease_owner = " + owner + ", started_at = " + started +
                      ", updated_at = " + (stale ? StaleSql() : NowSql()));
}

void StoreSuite::Release(int64_t op_id) {
  SetOpSql(op_id, "lease_token = NULL, lease_owner = NULL");
}

void StoreSuite::SetOpSql(int64_t op_id, const std::string& assignments) {
  Exec("UPDATE apply_operations SET " + assignments + " WHERE id = " + std::to_string(op_id));
}

void StoreSuite::SetCreatedAgo(const std::vector<std::pair<int64_t, Micros>>& micros_ago) {
  std::string cases;
  std::string ids;
  for (const auto& [id, ago] : micros_ago) {
    cases += " WHEN " + std::to_string(id) + " THEN " + backend_->MicrosAgoSql(ago);
    ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  }
  Exec("UPDATE apply_operations SET created_at = CASE id" + cases + " END WHERE id IN (" + ids +
       ")");
}

void StoreSuite::SetApplySql(int64_t apply_id, const std::string& assignments) {
  Exec("UPDATE applies SET " + assignments + " WHERE id = " + std::to_string(apply_id));
}

void StoreSuite::AddRequest(int64_t apply_id, RequestKind kind, RequestStatus status) {
  Exec(
      "INSERT INTO control_requests (apply_id, kind, status, requested_by, created_at, "
      "updated_at) VALUES (" +
      std::to_string(apply_id) + ", '" + std::string(ToString(kind)) + "', '" +
      std::string(ToString(status)) + "', 'test', " + NowSql() + ", " + NowSql() + ")");
}

void StoreSuite::SetRequest(int64_t apply_id, RequestKind kind, RequestStatus status) {
  Exec("UPDATE control_requests SET status = '" + std::string(ToString(status)) +
       "' WHERE apply_id = " + std::to_string(apply_id) + " AND kind = '" +
       std::string(ToString(kind)) + "'");
}

std::optional<ClaimedOperation> StoreSuite::ClaimCopy(const std::string& owner) {
  auto r = store_->ClaimNextCopy(owner);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

std::optional<ClaimedOperation> StoreSuite::ClaimCutover(const std::string& owner) {
  auto r = store_->ClaimNextCutover(owner);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

Lease StoreSuite::LeaseOf(int64_t op_id) const {
  return Lease{op_id, "someone/" + std::to_string(op_id), "tok-" + std::to_string(op_id)};
}

}  // namespace ordo::testing
