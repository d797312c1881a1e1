#pragma once
/// kv::Store on Redis 7 (hiredis, blocking calls on a small connection pool), so several `veza serve`
/// nodes share counters, limits and sets.

#include <memory>
#include <string>

#include "kv/store.h"

namespace veza::kv {

struct RedisOptions {
  std::string url;  // redis://[[user]:password@]host[:port][/db]
  int connect_timeout_ms = 2'000;
  int command_timeout_ms = 2'000;
  size_t max_idle_connections = 16;  // kept open between calls; more are opened under load
  std::string key_prefix = "veza:";  // so one Redis can serve several deployments
};

class RedisStore final : public Store {
 public:
  /// Checks the URL only; connections are opened on first use (and reopened after errors).
  static Result<std::unique_ptr<RedisStore>> Open(RedisOptions options);
  ~RedisStore() override;

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

 private:
  struct Impl;
  explicit RedisStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace veza::kv
