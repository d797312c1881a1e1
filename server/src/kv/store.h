#pragma once
/// kv::Store: shared short-lived state (counters, TTL keys, sets, token buckets) for rate limits, the
/// sign-in guard, presence and caches. In memory for one node; Redis when several nodes must agree.
/// Nothing that must survive a restart belongs here (that lives in the database).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::kv {

/// TtlMs answers for a key that does not exist / exists without an expiry (Redis PTTL conventions).
constexpr int64_t kNoKey = -2;
constexpr int64_t kNoExpiry = -1;

/// A token bucket: `capacity` in a burst, refilled at `refill_per_second` (≤ 0: one token an hour).
struct BucketSpec {
  int64_t capacity = 0;
  double refill_per_second = 0;
};

struct Throttled {
  bool allowed = true;
  int64_t remaining = 0;       // whole tokens left after this call
  int64_t retry_after_ms = 0;  // when refused: until one token is available
};

/// Every operation is atomic on its key and thread-safe. Errors are kUnavailable (store unreachable).
class Store {
 public:
  virtual ~Store() = default;

  /// Adds `by` to the integer at `key` (absent counts as 0) and returns the new value. When
  /// `ttl_ms` > 0 the key then expires `ttl_ms` after this call (a sliding window of inactivity).
  virtual Result<int64_t> Incr(std::string_view key, int64_t by, int64_t ttl_ms) = 0;
  /// The integer at `key`, or nullopt when absent (or not an integer).
  virtual Result<std::optional<int64_t>> GetInt(std::string_view key) = 0;

  /// Stores `value`; `ttl_ms` ≤ 0 means no expiry.
  virtual Status Set(std::string_view key, std::string_view value, int64_t ttl_ms) = 0;
  /// Stores `value` only when `key` is absent; true when it did.
  virtual Result<bool> SetIfAbsent(std::string_view key, std::string_view value, int64_t ttl_ms) = 0;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  /// True when the key existed.
  virtual Result<bool> Delete(std::string_view key) = 0;
  /// Sets the expiry of an existing key; false when it does not exist.
  virtual Result<bool> Expire(std::string_view key, int64_t ttl_ms) = 0;
  /// Milliseconds until `key` expires, kNoExpiry, or kNoKey.
  virtual Result<int64_t> TtlMs(std::string_view key) = 0;

  /// Set operations; a set whose last member is removed disappears. True when membership changed.
  virtual Result<bool> SetAdd(std::string_view key, std::string_view member) = 0;
  virtual Result<bool> SetRemove(std::string_view key, std::string_view member) = 0;
  virtual Result<bool> SetContains(std::string_view key, std::string_view member) = 0;
  /// Members in no particular order.
  virtual Result<std::vector<std::string>> SetMembers(std::string_view key) = 0;
  virtual Result<int64_t> SetSize(std::string_view key) = 0;

  /// Takes one token from the bucket at `key` (full when absent) at time `now_ms` (the callers' clock,
  /// so every node must keep the same time, as NTP does). Exact token-bucket arithmetic (GCRA).
  virtual Result<Throttled> Throttle(std::string_view key, const BucketSpec& spec, int64_t now_ms) = 0;
};

}  // namespace veza::kv
