#pragma once
/// A small Prometheus registry: counters, gauges, histograms with label sets, callback metrics,
/// rendered in the text exposition format 0.0.4.
///
/// Hot path: `family.WithLabels({...})` returns a reference that stays valid for the registry's
/// lifetime; keep it when the label set is fixed. The lookup itself takes no lock once a series
/// exists (lock-free reads over an insert-only hash table), and updates are single atomics.
///
///   obs::Registry registry;
///   auto& hits = registry.AddCounter("veza_cache_hits_total", "Cache hits.", {"cache"});
///   obs::Counter& track_hits = hits.WithLabels({"tracks"});
///   track_hits.Inc();

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace veza::obs {

enum class MetricType { kCounter, kGauge, kHistogram };

/// A monotonically increasing value.
class Counter {
 public:
  /// Integer increments are one `lock xadd`.
  void Inc(uint64_t n = 1) { whole_.fetch_add(n, std::memory_order_relaxed); }
  /// Fractional increments (seconds, bytes already in double); negative values are ignored.
  void Add(double v);
  double Value() const;

 private:
  std::atomic<uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

/// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Inc() { Add(1.0); }
  void Dec() { Add(-1.0); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// Observations counted into fixed buckets (upper bounds, ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Snap() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;
  // Non-cumulative counts, the last one for +Inf; the count is their sum so that a scrape racing
  // with observations still sees _count equal to the +Inf bucket.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

/// 0.5 ms … 10 s, for request latencies in seconds.
const std::vector<double>& DefaultLatencyBuckets();

/// Common part of metric families: name, help, label names, rendering.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  /// Appends HELP, TYPE and every series (sorted by label values); nothing if there are none.
  virtual void Render(std::string& out) const = 0;

 protected:
  /// Finds or creates the series for `values` (exactly one value per label name).
  void* Find(std::span<const std::string_view> values);
  virtual void* NewMetric() = 0;
  virtual void DeleteMetric(void* metric) = 0;

  struct Series {
    std::vector<std::string> values;
    uint64_t hash = 0;
    void* metric = nullptr;
  };
  /// The series sorted by label values, for deterministic output.
  std::vector<const Series*> SortedSeries() const;
  void DestroyAll();

  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;

 private:
  struct Table {
    explicit Table(size_t capacity);
    size_t mask;
    std::unique_ptr<std::atomic<const Series*>[]> slots;
  };
  static void InsertInto(Table& table, const Series* series);

  std::atomic<Table*> table_;
  mutable std::mutex mu_;                     // writers and scrapes only
  std::vector<std::unique_ptr<Table>> tables_;  // superseded tables stay alive for racing readers
  std::vector<std::unique_ptr<Series>> series_;
};

/// A family of series of one metric type sharing a name and label names.
template <typename T>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  ~Family() override { DestroyAll(); }

  /// The series for these label values, one per label name, in order. Never invalidated.
  T& WithLabels(std::span<const std::string_view> values) { return *static_cast<T*>(Find(values)); }
  T& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  /// The single series of a family without labels.
  T& Get() { return WithLabels(std::span<const std::string_view>()); }

  void Render(std::string& out) const override;

 private:
  void* NewMetric() override;
  void DeleteMetric(void* metric) override { delete static_cast<T*>(metric); }

  std::vector<double> bounds_;  // histograms only
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

/// A metric computed at scrape time by a collector (process stats, pool sizes…).
struct CollectedSample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};
struct CollectedMetric {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;  // counters and gauges only
  std::vector<CollectedSample> samples;
};
using CollectFn = std::function<void(std::vector<CollectedMetric>& out)>;

/// Owns every family; rendering walks them in registration order.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Registering a name again with the same type and label names returns the existing family
  /// (so two components can share one); anything else conflicting throws std::logic_error,
  /// as do invalid metric or label names — both are wiring bugs.
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names = {},
                                std::vector<double> bounds = DefaultLatencyBuckets());

  /// A gauge whose value `fn` computes at scrape time (must be thread-safe).
  void AddCallbackGauge(std::string name, std::string help, std::function<double()> fn);
  /// A counter whose value `fn` computes at scrape time (must be monotonic and thread-safe).
  void AddCallbackCounter(std::string name, std::string help, std::function<double()> fn);
  /// A collector emitting any number of counters/gauges per scrape.
  void AddCollector(CollectFn fn);

  /// The whole registry in the Prometheus text format 0.0.4.
  std::string Render() const;

 private:
  FamilyBase* FindFamily(std::string_view name) const;
  void ReserveName(const std::string& name);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<CollectFn> collectors_;
  std::vector<std::string> collector_names_;
};

/// Content-Type of Render()'s output.
inline constexpr std::string_view kTextFormatContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Formatting helpers, exposed for tests and other exporters.
void AppendValue(std::string& out, double v);
void AppendEscapedLabelValue(std::string& out, std::string_view v);
void AppendEscapedHelp(std::string& out, std::string_view v);
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace veza::obs
