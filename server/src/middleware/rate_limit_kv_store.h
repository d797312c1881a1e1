#pragma once
/// RateLimitStore on a kv::Store (Redis when configured), so every node behind a load balancer draws
/// from the same buckets.

#include <atomic>
#include <string>

#include "kv/store.h"
#include "middleware/rate_limit_store.h"

namespace veza::middleware {

class KvRateLimitStore final : public RateLimitStore {
 public:
  explicit KvRateLimitStore(kv::Store& store) : store_(store) {}

  /// When the store is unreachable the request is allowed (and the outage logged, at most once a
  /// minute): an API that stops answering because Redis blinked is worse than a minute without limits.
  Decision Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) override;

 private:
  kv::Store& store_;
  std::atomic<int64_t> last_warning_ms_{0};
};

}  // namespace veza::middleware
