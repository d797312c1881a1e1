#include "middleware/rate_limit_kv_store.h"

#include "core/log.h"

namespace veza::middleware {

Decision KvRateLimitStore::Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) {
  Decision d;
  d.limit = spec.capacity;
  if (spec.unlimited()) return d;
  thread_local std::string kv_key;
  kv_key.assign("rl:");
  kv_key.append(key);
  auto taken = store_.Throttle(
      kv_key, {.capacity = spec.capacity, .refill_per_second = spec.refill_per_second}, now_ms);
  if (!taken.ok()) {
    int64_t last = last_warning_ms_.load();
    if (now_ms - last >= 60'000 && last_warning_ms_.compare_exchange_strong(last, now_ms)) {
      log::Warn("rate limits are not enforced: the shared store is unreachable",
                {{"error", taken.error().detail}});
    }
    d.remaining = spec.capacity;
    return d;
  }
  d.allowed = taken->allowed;
  d.remaining = taken->remaining;
  d.retry_after_ms = taken->retry_after_ms;
  return d;
}

}  // namespace veza::middleware
