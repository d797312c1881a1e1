#pragma once
/// A throwaway redis-server for tests: VEZA_TEST_REDIS_URL when set (scripts/test starts one), otherwise
/// one started here on a free loopback port in a temporary directory, stopped by PID.

#include <memory>
#include <string>

#include "kv/store.h"

namespace veza::kv::testing {

class RedisServer {
 public:
  /// Null with `why` filled when no Redis can be had (redis-server not installed).
  static std::unique_ptr<RedisServer> Start(std::string* why);
  ~RedisServer();

  const std::string& url() const { return url_; }
  /// A store on this server whose keys start with a prefix unique to this call, so tests sharing one
  /// server never see each other's keys.
  std::unique_ptr<Store> NewStore() const;

 private:
  RedisServer() = default;
  std::string url_;
  int pid_ = 0;
  std::string dir_;
};

}  // namespace veza::kv::testing
