#pragma once
/// Brute-force guard for sign-in: failure counters per account and per client IP, each with a free
/// allowance and then exponentially growing delays. A delayed caller is answered 429 + Retry-After at
/// once (never by sleeping on a handler thread). Counters for one account never affect another, so an
/// attack on one account from many IPs slows that account without locking anyone else out.
/// The counters live in a kv::Store: in this process, or in Redis so every node sees the same ones.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "kv/store.h"

namespace veza::auth {

struct LoginGuardOptions {
  int account_free_failures = 5;  // failures before an account's delays start
  int ip_free_failures = 20;      // failures before an IP's delays start
  int64_t base_delay_ms = 1'000;  // first delay; doubles with each further failure
  int64_t max_delay_ms = 15 * 60'000;
  int64_t forget_after_ms = 60 * 60'000;  // counters reset after this long without a failure
};

class LoginGuard {
 public:
  explicit LoginGuard(kv::Store& store, LoginGuardOptions options = {});

  /// Milliseconds until `account` may be tried again from `ip`; 0 when allowed now.
  Result<int64_t> RetryAfterMs(std::string_view account, std::string_view ip, int64_t now_ms);
  /// Counts a failed attempt; returns the account's consecutive failures (exactly one caller on any
  /// node sees each value, so "the Nth failure" happens once).
  Result<int> RecordFailure(std::string_view account, std::string_view ip, int64_t now_ms);
  /// A successful sign-in clears the account's counter (the IP's keeps decaying on its own).
  Status RecordSuccess(std::string_view account);

 private:
  Result<int64_t> Bump(const std::string& kind, std::string_view key, int free, int64_t now_ms);
  Result<int64_t> Wait(const std::string& kind, std::string_view key, int64_t now_ms);

  kv::Store& store_;
  LoginGuardOptions options_;
};

}  // namespace veza::auth
