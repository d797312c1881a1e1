#pragma once
/// Token-bucket rate limiting behind an interface: in memory for one node, Redis for a cluster.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace veza::middleware {

/// A token bucket: `capacity` requests in a burst, refilled at `refill_per_second`.
/// capacity <= 0 means unlimited.
struct BucketSpec {
  int64_t capacity = 0;
  double refill_per_second = 0;

  bool unlimited() const { return capacity <= 0; }
};

struct Decision {
  bool allowed = true;
  int64_t remaining = 0;       // whole tokens left after this request
  int64_t retry_after_ms = 0;  // when denied: until one token is available
  int64_t limit = 0;           // the bucket capacity
};

class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;
  /// Takes one token from the bucket `key` (created full on first use). Thread-safe.
  virtual Decision Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) = 0;
};

/// Options of the in-memory store.
struct MemoryRateLimitOptions {
  /// Upper bound on buckets kept; past it the idlest buckets are dropped (they restart full).
  size_t max_buckets = 200'000;
  /// How often each shard drops buckets that have refilled completely (equivalent to absent ones).
  int64_t sweep_interval_ms = 10'000;
};

/// Buckets in a hash map sharded by key hash, one mutex per shard, so threads rarely meet.
class MemoryRateLimitStore final : public RateLimitStore {
 public:
  explicit MemoryRateLimitStore(MemoryRateLimitOptions options = {});
  ~MemoryRateLimitStore() override;

  Decision Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) override;

  /// Buckets currently held (for tests and a gauge).
  size_t Size() const;

 private:
  struct Shard;
  MemoryRateLimitOptions options_;
  size_t per_shard_cap_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace veza::middleware
