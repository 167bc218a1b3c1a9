// Metrics: a small registry of counters, gauges and histograms, rendered in the
// Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
//
// There is no process-wide registry: whoever runs a worker owns one and hands it to
// what records into it (MeteredStore) and to what renders it (the HTTP API), so a
// test can build its own and read the values back.
//
// A metric is identified by its name and its labels. The first Get… call for a name
// fixes its kind and help text; asking for the same name as another kind is a
// programming error and returns a detached metric that is never rendered. The
// returned references stay valid for the registry's lifetime.
//
// Thread-safety: every member is safe from any thread; increments are lock-free,
// histogram observations take a per-histogram lock.
//
//   MetricsRegistry metrics;
//   metrics.GetCounter("ordo_claims_total", "Claims.", {{"kind", "copy"}}).Increment();
//   metrics.GetHistogram("ordo_claim_duration_seconds", "…", LatencyBuckets()).Observe(0.004);
//   std::string text = metrics.RenderText();
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace ordo {

// Label name → value, in the order given (rendered in that order).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  // Adds `delta` (negative deltas are ignored: a counter only goes up).
  void Increment(double delta = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending (+Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> bounds_;
  mutable Mutex mu_;
  std::vector<uint64_t> counts_ ORDO_GUARDED_BY(mu_);  // per bucket (not cumulative), last = +Inf
  double sum_ ORDO_GUARDED_BY(mu_) = 0;
  uint64_t count_ ORDO_GUARDED_BY(mu_) = 0;
};

// Bucket bounds in seconds for store round trips and claims (1 ms … 10 s).
std::vector<double> LatencyBuckets();
// Bucket bounds in seconds for the write-blocked time of a cutover (5 ms … 30 s).
std::vector<double> LockTimeBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  // `bounds` is used when the histogram is created; later calls may pass the same.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& bounds, const MetricLabels& labels = {});

  // Every metric, families in name order, in the Prometheus text format.
  std::string RenderText() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
  };
  Family* FamilyFor(std::string_view name, std::string_view help, Kind kind) ORDO_REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ORDO_GUARDED_BY(mu_);
  // Metrics asked for under a name of another kind: kept alive, never rendered.
  std::vector<std::unique_ptr<Counter>> stray_counters_ ORDO_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Gauge>> stray_gauges_ ORDO_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Histogram>> stray_histograms_ ORDO_GUARDED_BY(mu_);
};

// The exposition format's escaping: label values escape \, " and newline; help text
// escapes \ and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);
// A sample value: integers without a fraction, +Inf/-Inf/NaN spelled as Prometheus does.
std::string FormatMetricValue(double value);

}  // namespace ordo
