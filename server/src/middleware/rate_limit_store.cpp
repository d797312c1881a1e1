#include "middleware/rate_limit_store.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace veza::middleware {

namespace {

constexpr size_t kShards = 64;
// Refill arithmetic is in doubles; this absorbs rounding such as 6000 ms × (10/60) / 1000.
constexpr double kEpsilon = 1e-9;
// With no refill a drained bucket never recovers; tell the client to come back much later.
constexpr int64_t kNoRefillRetryMs = 3'600'000;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Bucket {
  double tokens = 0;
  int64_t last_ms = 0;
  int64_t capacity = 0;
  double refill_per_second = 0;

  /// Tokens the bucket holds at `now_ms`, refill included.
  double TokensAt(int64_t now_ms) const {
    if (now_ms <= last_ms) return tokens;
    return std::min(static_cast<double>(capacity),
                    tokens + static_cast<double>(now_ms - last_ms) * refill_per_second / 1000.0);
  }
  /// A full bucket behaves exactly like an absent one, so dropping it changes nothing.
  bool FullAt(int64_t now_ms) const { return TokensAt(now_ms) >= static_cast<double>(capacity) - kEpsilon; }
};

}  // namespace

struct alignas(64) MemoryRateLimitStore::Shard {
  std::mutex mu;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets;
  int64_t last_sweep_ms = 0;

  void DropFull(int64_t now_ms) {
    std::erase_if(buckets, [now_ms](const auto& kv) { return kv.second.FullAt(now_ms); });
    last_sweep_ms = now_ms;
  }

  /// Drops about an eighth of the shard, least recently used first. Only reached when more keys
  /// are active than the store may hold (e.g. a flood of addresses); amortised over the next inserts.
  void DropIdlest() {
    std::vector<std::pair<int64_t, decltype(buckets)::iterator>> by_age;
    by_age.reserve(buckets.size());
    for (auto it = buckets.begin(); it != buckets.end(); ++it) by_age.emplace_back(it->second.last_ms, it);
    size_t n = std::max<size_t>(1, by_age.size() / 8);
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<ptrdiff_t>(n - 1), by_age.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < n; ++i) buckets.erase(by_age[i].second);
  }
};

MemoryRateLimitStore::MemoryRateLimitStore(MemoryRateLimitOptions options)
    : options_(options),
      per_shard_cap_(std::max<size_t>(1, options.max_buckets / kShards)),
      shards_(new Shard[kShards]) {}

MemoryRateLimitStore::~MemoryRateLimitStore() = default;

Decision MemoryRateLimitStore::Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) {
  Decision d;
  d.limit = spec.capacity;
  if (spec.unlimited()) return d;

  Shard& shard = shards_[StringHash{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  if (now_ms - shard.last_sweep_ms >= options_.sweep_interval_ms) shard.DropFull(now_ms);

  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= per_shard_cap_) {
      shard.DropFull(now_ms);
      if (shard.buckets.size() >= per_shard_cap_) shard.DropIdlest();
    }
    Bucket fresh{static_cast<double>(spec.capacity), now_ms, spec.capacity, spec.refill_per_second};
    it = shard.buckets.emplace(std::string(key), fresh).first;
  }
  Bucket& b = it->second;
  b.capacity = spec.capacity;  // a changed spec applies from now on
  b.refill_per_second = spec.refill_per_second;
  b.tokens = std::min(static_cast<double>(spec.capacity), b.TokensAt(now_ms));
  b.last_ms = std::max(b.last_ms, now_ms);

  if (b.tokens >= 1.0 - kEpsilon) {
    b.tokens = std::max(0.0, b.tokens - 1.0);
    d.allowed = true;
    d.remaining = static_cast<int64_t>(std::floor(b.tokens + kEpsilon));
  } else {
    d.allowed = false;
    d.remaining = 0;
    d.retry_after_ms = spec.refill_per_second > 0
                           ? static_cast<int64_t>(std::ceil((1.0 - b.tokens) * 1000.0 / spec.refill_per_second - kEpsilon))
                           : kNoRefillRetryMs;
    d.retry_after_ms = std::max<int64_t>(1, d.retry_after_ms);
  }
  return d;
}

size_t MemoryRateLimitStore::Size() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].buckets.size();
  }
  return n;
}

}  // namespace veza::middleware
