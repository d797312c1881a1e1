#include "observability/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace veza::obs {

namespace {

uint64_t HashLabels(std::span<const std::string_view> values) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (std::string_view v : values) {
    for (unsigned char c : v) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  }
  return h;
}

bool SameValues(const std::vector<std::string>& a, std::span<const std::string_view> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void AppendHeader(std::string& out, std::string_view name, std::string_view help, MetricType type) {
  out += "# HELP ";
  out += name;
  out.push_back(' ');
  AppendEscapedHelp(out, help);
  out += "\n# TYPE ";
  out += name;
  out.push_back(' ');
  out += TypeName(type);
  out.push_back('\n');
}

/// `name{a="x",b="y"[,extra_key="extra_value"]} value\n`
void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const std::vector<std::string>& label_names, const std::vector<std::string>& values,
                  std::string_view extra_key, std::string_view extra_value, double value) {
  out += name;
  out += suffix;
  if (!label_names.empty() || !extra_key.empty()) {
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (!first) out.push_back(',');
      first = false;
      out += label_names[i];
      out += "=\"";
      AppendEscapedLabelValue(out, values[i]);
      out.push_back('"');
    }
    if (!extra_key.empty()) {
      if (!first) out.push_back(',');
      out += extra_key;
      out += "=\"";
      out += extra_value;
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  AppendValue(out, value);
  out.push_back('\n');
}

void ValidateNames(const std::string& name, const std::vector<std::string>& label_names, MetricType type) {
  if (!IsValidMetricName(name)) throw std::logic_error("invalid metric name: " + name);
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    if (!IsValidLabelName(l) || l.starts_with("__")) throw std::logic_error("invalid label name: " + l);
    if (type == MetricType::kHistogram && l == "le") throw std::logic_error("histograms reserve label le");
    for (size_t j = 0; j < i; ++j) {
      if (label_names[j] == l) throw std::logic_error("duplicate label name: " + l);
    }
  }
}

}  // namespace

void Counter::Add(double v) {
  if (!(v > 0)) return;  // counters never go down; also drops NaN
  fraction_.fetch_add(v, std::memory_order_relaxed);
}

double Counter::Value() const {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
         fraction_.load(std::memory_order_relaxed);
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Bucket lists are short (~15): a linear scan beats binary search on branch prediction.
  size_t i = 0;
  const size_t n = bounds_.size();
  while (i < n && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

FamilyBase::Table::Table(size_t capacity)
    : mask(capacity - 1), slots(new std::atomic<const Series*>[capacity]) {
  for (size_t i = 0; i < capacity; ++i) slots[i].store(nullptr, std::memory_order_relaxed);
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
  auto table = std::make_unique<Table>(16);
  table_.store(table.get(), std::memory_order_release);
  tables_.push_back(std::move(table));
}

void FamilyBase::InsertInto(Table& table, const Series* series) {
  size_t i = series->hash & table.mask;
  while (table.slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & table.mask;
  table.slots[i].store(series, std::memory_order_release);
}

void* FamilyBase::Find(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size()) {
    throw std::logic_error("metric " + name_ + ": wrong number of label values");
  }
  const uint64_t hash = HashLabels(values);
  const Table* table = table_.load(std::memory_order_acquire);
  for (size_t i = hash & table->mask;; i = (i + 1) & table->mask) {
    const Series* s = table->slots[i].load(std::memory_order_acquire);
    if (s == nullptr) break;
    if (s->hash == hash && SameValues(s->values, values)) return s->metric;
  }

  std::lock_guard lock(mu_);
  Table* current = table_.load(std::memory_order_relaxed);
  for (size_t i = hash & current->mask;; i = (i + 1) & current->mask) {
    const Series* s = current->slots[i].load(std::memory_order_relaxed);
    if (s == nullptr) break;
    if (s->hash == hash && SameValues(s->values, values)) return s->metric;
  }
  auto series = std::make_unique<Series>();
  series->values.assign(values.begin(), values.end());
  series->hash = hash;
  series->metric = NewMetric();
  const Series* raw = series.get();
  series_.push_back(std::move(series));
  // Keep the load factor under 1/2 so probes stay short and always end on an empty slot.
  if (series_.size() * 2 > current->mask + 1) {
    auto bigger = std::make_unique<Table>((current->mask + 1) * 2);
    for (const auto& s : series_) InsertInto(*bigger, s.get());
    table_.store(bigger.get(), std::memory_order_release);
    tables_.push_back(std::move(bigger));
  } else {
    InsertInto(*current, raw);
  }
  return raw->metric;
}

std::vector<const FamilyBase::Series*> FamilyBase::SortedSeries() const {
  std::vector<const Series*> out;
  {
    std::lock_guard lock(mu_);
    out.reserve(series_.size());
    for (const auto& s : series_) out.push_back(s.get());
  }
  std::sort(out.begin(), out.end(), [](const Series* a, const Series* b) { return a->values < b->values; });
  return out;
}

void FamilyBase::DestroyAll() {
  std::lock_guard lock(mu_);
  for (auto& s : series_) DeleteMetric(s->metric);
  series_.clear();
}

template <typename T>
Family<T>::Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)), bounds_(std::move(bounds)) {}

template <typename T>
void* Family<T>::NewMetric() {
  if constexpr (std::is_same_v<T, Histogram>) {
    return new Histogram(bounds_);
  } else {
    return new T();
  }
}

template <typename T>
void Family<T>::Render(std::string& out) const {
  std::vector<const Series*> series = SortedSeries();
  if (series.empty()) return;
  AppendHeader(out, name_, help_, type_);
  for (const Series* s : series) {
    const T& m = *static_cast<const T*>(s->metric);
    if constexpr (std::is_same_v<T, Histogram>) {
      Histogram::Snapshot snap = m.Snap();
      std::string le;
      for (size_t i = 0; i < bounds_.size(); ++i) {
        le.clear();
        AppendValue(le, bounds_[i]);
        AppendSample(out, name_, "_bucket", label_names_, s->values, "le", le,
                     static_cast<double>(snap.cumulative[i]));
      }
      AppendSample(out, name_, "_bucket", label_names_, s->values, "le", "+Inf",
                   static_cast<double>(snap.count));
      AppendSample(out, name_, "_sum", label_names_, s->values, {}, {}, snap.sum);
      AppendSample(out, name_, "_count", label_names_, s->values, {}, {}, static_cast<double>(snap.count));
    } else {
      AppendSample(out, name_, {}, label_names_, s->values, {}, {}, m.Value());
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Registry() = default;
Registry::~Registry() = default;

FamilyBase* Registry::FindFamily(std::string_view name) const {
  for (const auto& f : families_) {
    if (f->name() == name) return f.get();
  }
  return nullptr;
}

void Registry::ReserveName(const std::string& name) {
  if (!IsValidMetricName(name)) throw std::logic_error("invalid metric name: " + name);
  if (FindFamily(name) != nullptr ||
      std::find(collector_names_.begin(), collector_names_.end(), name) != collector_names_.end()) {
    throw std::logic_error("metric registered twice: " + name);
  }
}

namespace {

template <typename F>
F& AddFamily(std::mutex& mu, std::vector<std::unique_ptr<FamilyBase>>& families,
             const std::vector<std::string>& collector_names, std::string name, std::string help,
             MetricType type, std::vector<std::string> label_names, std::vector<double> bounds) {
  ValidateNames(name, label_names, type);
  std::lock_guard lock(mu);
  for (const auto& f : families) {
    if (f->name() != name) continue;
    auto* same = dynamic_cast<F*>(f.get());
    if (same == nullptr || f->label_names() != label_names) {
      throw std::logic_error("metric registered twice with a different shape: " + name);
    }
    return *same;
  }
  if (std::find(collector_names.begin(), collector_names.end(), name) != collector_names.end()) {
    throw std::logic_error("metric registered twice: " + name);
  }
  auto family = std::make_unique<F>(std::move(name), std::move(help), type, std::move(label_names),
                                    std::move(bounds));
  F& ref = *family;
  families.push_back(std::move(family));
  // A family without labels has exactly one series; expose it (at 0) from the start.
  if (ref.label_names().empty()) ref.Get();
  return ref;
}

}  // namespace

CounterFamily& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> label_names) {
  return AddFamily<CounterFamily>(mu_, families_, collector_names_, std::move(name), std::move(help),
                                  MetricType::kCounter, std::move(label_names), {});
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return AddFamily<GaugeFamily>(mu_, families_, collector_names_, std::move(name), std::move(help),
                                MetricType::kGauge, std::move(label_names), {});
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> label_names, std::vector<double> bounds) {
  if (bounds.empty()) throw std::logic_error("histogram without buckets: " + name);
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::logic_error("histogram buckets must be finite and strictly ascending: " + name);
    }
  }
  return AddFamily<HistogramFamily>(mu_, families_, collector_names_, std::move(name), std::move(help),
                                    MetricType::kHistogram, std::move(label_names), std::move(bounds));
}

void Registry::AddCallbackGauge(std::string name, std::string help, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  ReserveName(name);
  collector_names_.push_back(name);
  collectors_.push_back([name = std::move(name), help = std::move(help),
                         fn = std::move(fn)](std::vector<CollectedMetric>& out) {
    out.push_back({name, help, MetricType::kGauge, {{{}, fn()}}});
  });
}

void Registry::AddCallbackCounter(std::string name, std::string help, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  ReserveName(name);
  collector_names_.push_back(name);
  collectors_.push_back([name = std::move(name), help = std::move(help),
                         fn = std::move(fn)](std::vector<CollectedMetric>& out) {
    out.push_back({name, help, MetricType::kCounter, {{{}, fn()}}});
  });
}

void Registry::AddCollector(CollectFn fn) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(fn));
}

std::string Registry::Render() const {
  std::vector<FamilyBase*> families;
  std::vector<CollectFn> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : families_) families.push_back(f.get());
    collectors = collectors_;
  }
  std::string out;
  out.reserve(4096);
  for (const FamilyBase* f : families) f->Render(out);

  std::vector<CollectedMetric> collected;
  for (const CollectFn& fn : collectors) fn(collected);
  std::vector<std::string> names, values;
  for (const CollectedMetric& m : collected) {
    if (!IsValidMetricName(m.name) || m.type == MetricType::kHistogram) continue;
    AppendHeader(out, m.name, m.help, m.type);
    for (const CollectedSample& s : m.samples) {
      names.clear();
      values.clear();
      for (const auto& [k, v] : s.labels) {
        if (!IsValidLabelName(k)) continue;
        names.push_back(k);
        values.push_back(v);
      }
      AppendSample(out, m.name, {}, names, values, {}, {}, s.value);
    }
  }
  return out;
}

void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    out.append(buf, end);
  } else {
    // Shortest round-trip digits in %g style, as Go's strconv 'g' -1 (0.0005, not 5e-04).
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    out.append(buf, end);
  }
}

void AppendEscapedLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
}

void AppendEscapedHelp(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace veza::obs
