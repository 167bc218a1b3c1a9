// The metrics registry's text exposition, and MeteredStore counting what a worker
// does through a real (SQLite) store: claims by kind and outcome, rows copied from
// the claim's baseline, each lost lease once, each cutover's lock time once.
#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "operator/metered_store.h"
#include "test_servers.h"

namespace ordo {
namespace {

TEST(Metrics, CounterRendersWithHelpTypeAndLabels) {
  MetricsRegistry m;
  m.GetCounter("ordo_claims_total", "Claims.", {{"kind", "copy"}, {"outcome", "claimed"}})
      .Increment();
  m.GetCounter("ordo_claims_total", "Claims.", {{"kind", "copy"}, {"outcome", "claimed"}})
      .Increment(2);
  EXPECT_EQ(m.RenderText(),
            "# HELP ordo_claims_total Claims.\n"
            "# TYPE ordo_claims_total counter\n"
            "ordo_claims_total{kind=\"copy\",outcome=\"claimed\"} 3\n");
}

TEST(Metrics, CounterIgnoresNegativeDeltas) {
  MetricsRegistry m;
  Counter& c = m.GetCounter("c_total", "c");
  c.Increment(5);
  c.Increment(-3);
  EXPECT_EQ(c.value(), 5);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry m;
  Histogram& h = m.GetHistogram("lat_seconds", "Latency.", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // a bound is inclusive
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(m.RenderText(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.1\"} 2\n"
            "lat_seconds_bucket{le=\"1\"} 3\n"
            "lat_seconds_bucket{le=\"+Inf\"} 4\n"
            "lat_seconds_sum 7.65\n"
            "lat_seconds_count 4\n");
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry m;
  m.GetGauge("g", "a \\ b\nc", {{"v", "q\"\\\n"}}).Set(1.5);
  EXPECT_EQ(m.RenderText(), "# HELP g a \\\\ b\\nc\n# TYPE g gauge\ng{v=\"q\\\"\\\\\\n\"} 1.5\n");
}

TEST(Metrics, SameNameAsAnotherKindIsDetachedNotRendered) {
  MetricsRegistry m;
  m.GetCounter("x", "x").Increment();
  m.GetGauge("x", "x").Set(9);
  EXPECT_EQ(m.RenderText(), "# HELP x x\n# TYPE x counter\nx 1\n");
}

TEST(Metrics, ValuesUseShortestForm) {
  EXPECT_EQ(FormatMetricValue(0.005), "0.005");
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) m.GetCounter("n_total", "n").Increment();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.GetCounter("n_total", "n").value(), 40000);
}

class MeteredStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.clock = &clock_;
    options.lease_staleness_micros = 1'000'000;
    auto store = OpenStore("sqlite:" + dir_.path() + "/ordo.db", options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    inner_ = std::move(store).value();
    ASSERT_TRUE(inner_->Migrate().ok());
    metered_ = std::make_unique<worker::MeteredStore>(*inner_, metrics_);
    NewApply a;
    a.database = "shop";
    a.environment = "prod";
    a.operations = {
        NewOperation{"eu-1", {NewChange{"shop", "orders", "ALTER TABLE orders ADD COLUMN c INT"}}}};
    a.requested_by = "test";
    auto created = inner_->CreateApply(a);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  double Claims(const char* kind, const char* outcome) {
    return metrics_.GetCounter("ordo_claims_total", "", {{"kind", kind}, {"outcome", outcome}})
        .value();
  }
  ChangeProgress Progress(const ClaimedOperation& c, int64_t rows) {
    auto changes = inner_->ListChanges(c.operation.id);
    EXPECT_TRUE(changes.ok());
    ChangeProgress p;
    p.change_id = changes->at(0).id;
    p.state = "copying";
    p.rows_copied = rows;
    p.rows_total = 1000;
    return p;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<Store> inner_;
  std::unique_ptr<worker::MeteredStore> metered_;
};

TEST_F(MeteredStoreTest, CountsClaimsByKindAndOutcomeWithLatency) {
  EXPECT_EQ(Claims("copy", "claimed"), 0);  // every series exists from the start
  auto claimed = metered_->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  auto none = metered_->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(none.ok() && !none->has_value());
  ASSERT_TRUE(metered_->ClaimNextCutover("host/1/driver-1").ok());
  EXPECT_EQ(Claims("copy", "claimed"), 1);
  EXPECT_EQ(Claims("copy", "none"), 1);
  EXPECT_EQ(Claims("cutover", "none"), 1);
  Histogram::Snapshot lat =
      metrics_.GetHistogram("ordo_claim_duration_seconds", "", LatencyBuckets(), {{"kind", "copy"}})
          .Read();
  EXPECT_EQ(lat.count, 2u);
}

TEST_F(MeteredStoreTest, CountsRowsCopiedAsDeltasFromTheClaim) {
  auto claimed = metered_->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  const ClaimedOperation& c = **claimed;
  ASSERT_TRUE(metered_->SaveProgress(c.lease, {Progress(c, 100)}).ok());
  ASSERT_TRUE(metered_->SaveProgress(c.lease, {Progress(c, 250)}).ok());
  ASSERT_TRUE(metered_->SaveProgress(c.lease, {Progress(c, 250)}).ok());
  EXPECT_EQ(metrics_.GetCounter("ordo_rows_copied_total", "").value(), 250);
}

TEST_F(MeteredStoreTest, ARecoveredOperationCountsOnlyRowsCopiedAfterItsClaim) {
  // Another process claimed the operation and copied 400 rows, then went away.
  auto theirs = inner_->ClaimNextCopy("other/1/driver-1");
  ASSERT_TRUE(theirs.ok() && theirs->has_value());
  ASSERT_TRUE(inner_->SaveProgress((*theirs)->lease, {Progress(**theirs, 400)}).ok());
  clock_.Advance(2'000'000);  // past the staleness window
  auto ours = metered_->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(ours.ok() && ours->has_value()) << "the stale row is recovered";
  ASSERT_TRUE(metered_->SaveProgress((*ours)->lease, {Progress(**ours, 450)}).ok());
  EXPECT_EQ(metrics_.GetCounter("ordo_rows_copied_total", "").value(), 50);
}

TEST_F(MeteredStoreTest, CountsALostLeaseOnceAndACutoverLockOnce) {
  auto claimed = metered_->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  Lease stale = (*claimed)->lease;
  stale.token = "not-the-token";
  EXPECT_TRUE(metered_->Heartbeat(stale).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(metered_->Heartbeat(stale).Is(StatusCode::kLeaseLost));
  EXPECT_EQ(metrics_.GetCounter("ordo_lease_losses_total", "").value(), 1);

  ChangeProgress p = Progress(**claimed, 10);
  p.cutover_lock_ms = 42;
  ASSERT_TRUE(metered_->SaveProgress((*claimed)->lease, {p}).ok());
  ASSERT_TRUE(metered_->SaveProgress((*claimed)->lease, {p}).ok());
  Histogram::Snapshot lock =
      metrics_.GetHistogram("ordo_cutover_lock_seconds", "", LockTimeBuckets()).Read();
  EXPECT_EQ(lock.count, 1u);
  EXPECT_DOUBLE_EQ(lock.sum, 0.042);
}

}  // namespace
}  // namespace ordo
