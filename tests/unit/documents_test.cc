#include "api/documents.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

namespace ordo {
namespace {

TEST(FormatRfc3339, UtcWithMicroseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339(1'764'201'600'123'456), "2025-11-27T00:00:00.123456Z");
}

TEST(ApplyDocument, HasTheContractFields) {
  app::ApplyView view;
  view.apply.external_id = "ap_x";
  view.apply.database = "shop";
  view.apply.environment = "production";
  view.apply.state = ApplyState::kRunning;
  view.apply.created_at = 1'000'000;
  view.apply.created_by = "cli (alice@ops-1)";
  app::OperationView op;
  op.operation.deployment = "eu-1";
  op.operation.state = OperationState::kCompleted;
  op.operation.cutover_policy = "barrier";
  op.operation.on_failure = "halt";
  op.operation.started_at = 2'000'000;
  ChangeRecord c;
  c.table_name = "orders";
  c.ddl = "ALTER TABLE orders ADD COLUMN x INT";
  c.state = "completed";
  c.rows_copied = c.rows_total = 10;
  c.progress = 100;
  c.eta_seconds = 0;
  c.cutover_lock_ms = 42;
  op.changes.push_back(c);
  view.operations.push_back(op);

  nlohmann::json doc = ApplyDocument(view);
  EXPECT_EQ(doc["id"], "ap_x");
  EXPECT_EQ(doc["state"], "running");
  EXPECT_EQ(doc["cutover_policy"], "barrier");
  EXPECT_EQ(doc["on_failure"], "halt");
  EXPECT_EQ(doc["options"]["defer_cutover"], false);
  EXPECT_EQ(doc["created_by"], "cli (alice@ops-1)");
  EXPECT_TRUE(ApplySummary(ApplyRecord{})["created_by"].is_null());  // before ordo recorded it
  EXPECT_TRUE(doc["completed_at"].is_null());
  EXPECT_TRUE(doc["error"].is_null());
  const auto& o = doc["operations"][0];
  EXPECT_EQ(o["deployment"], "eu-1");
  EXPECT_EQ(o["started_at"], "1970-01-01T00:00:02.000000Z");
  EXPECT_TRUE(o["cutover_started_at"].is_null());
  const auto& ch = o["changes"][0];
  EXPECT_EQ(ch["table"], "orders");
  EXPECT_EQ(ch["rows_copied"], 10);
  EXPECT_EQ(ch["percent"], 100);
  EXPECT_EQ(ch["eta_seconds"], 0);
  EXPECT_EQ(ch["instant"], false);
  EXPECT_EQ(ch["cutover_lock_ms"], 42);
}

// On a real (SQLite) store: a deployment that is cutting_over shows the latest
// "swap attempt N gave up" notice of its turn as swap_waiting; others show none.
TEST(LoadApplyView, ASwappingDeploymentCarriesItsLatestGaveUpNotice) {
  std::string path = ::testing::TempDir() + "ordo-documents-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  auto store = OpenStore("sqlite:" + path, {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Migrate().ok());
  NewApply a;
  a.database = "shop";
  a.environment = "prod";
  a.operations = {{"eu-1", {{"shop", "orders", "ALTER TABLE orders ADD COLUMN x INT"}}}};
  auto created = (*store)->CreateApply(a);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto claimed = (*store)->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(claimed.ok() && *claimed);
  const Lease lease = (*claimed)->lease;
  auto note = [&](const std::string& message) {
    EventRecord e;
    e.apply_id = created->id;
    e.operation_id = lease.operation_id;
    e.kind = "notice";
    e.message = message;
    ASSERT_TRUE((*store)->AppendEvent(e).ok());
  };
  note("swap attempt 1 gave up: before its turn");  // running: not shown
  auto view = app::LoadApplyView(**store, created->external_id);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->operations[0].swap_waiting);
  ASSERT_TRUE((*store)->TransitionOperation(lease, OperationState::kCuttingOver).ok());
  note("the buffer pool is small");
  note("swap attempt 1 gave up: session 7 (app@h, 3 s in a transaction): UPDATE orders");
  note("swap attempt 2 gave up: session 7 (app@h, 6 s in a transaction): UPDATE orders");
  view = app::LoadApplyView(**store, created->external_id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->operations[0].swap_waiting.value_or(""),
            "swap attempt 2 gave up: session 7 (app@h, 6 s in a transaction): UPDATE orders");
  store->reset();  // closed before its files go
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST(EventsDocument, ApplyLevelEventsHaveNullOperation) {
  EventRecord e;
  e.at = 5;
  e.kind = "control_request";
  e.message = "stop requested";
  EventRecord f;
  f.at = 6;
  f.deployment = "eu-1";
  f.kind = "state_change";
  f.from_state = "pending";
  f.to_state = "running";
  nlohmann::json doc = EventsDocument({e, f});
  ASSERT_EQ(doc["events"].size(), 2u);
  EXPECT_TRUE(doc["events"][0]["operation"].is_null());
  EXPECT_TRUE(doc["events"][0]["from"].is_null());
  EXPECT_EQ(doc["events"][1]["operation"], "eu-1");
  EXPECT_EQ(doc["events"][1]["from"], "pending");
  EXPECT_EQ(doc["events"][1]["to"], "running");
}

TEST(ErrorDocument, CodeAndMessage) {
  nlohmann::json doc = ErrorDocument(NotFound("no apply ap_1"));
  EXPECT_EQ(doc["error"]["code"], "not_found");
  EXPECT_EQ(doc["error"]["message"], "no apply ap_1");
}

}  // namespace
}  // namespace ordo
