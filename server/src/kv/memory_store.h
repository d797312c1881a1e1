#pragma once
/// kv::Store in this process: a hash map with lazy expiry, bounded in size.

#include <memory>

#include "core/clock.h"
#include "kv/store.h"

namespace veza::kv {

struct MemoryStoreOptions {
  /// Upper bound on keys; past it expired keys go first, then those expiring soonest.
  size_t max_keys = 500'000;
};

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const Clock& clock, MemoryStoreOptions options = {});
  ~MemoryStore() override;

  Result<int64_t> Incr(std::string_view key, int64_t by, int64_t ttl_ms) override;
  Result<std::optional<int64_t>> GetInt(std::string_view key) override;
  Status Set(std::string_view key, std::string_view value, int64_t ttl_ms) override;
  Result<bool> SetIfAbsent(std::string_view key, std::string_view value, int64_t ttl_ms) override;
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Result<bool> Delete(std::string_view key) override;
  Result<bool> Expire(std::string_view key, int64_t ttl_ms) override;
  Result<int64_t> TtlMs(std::string_view key) override;
  Result<bool> SetAdd(std::string_view key, std::string_view member) override;
  Result<bool> SetRemove(std::string_view key, std::string_view member) override;
  Result<bool> SetContains(std::string_view key, std::string_view member) override;
  Result<std::vector<std::string>> SetMembers(std::string_view key) override;
  Result<int64_t> SetSize(std::string_view key) override;
  Result<Throttled> Throttle(std::string_view key, const BucketSpec& spec, int64_t now_ms) override;

  /// Keys held, expired ones not yet dropped included (for tests).
  size_t Size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace veza::kv
