#pragma once
/// Brute-force guard for sign-in: failure counters per account and per client IP, each with a free
/// allowance and then exponentially growing delays. A delayed caller is answered 429 + Retry-After at
/// once (never by sleeping on a handler thread). Counters for one account never affect another, so an
/// attack on one account from many IPs slows that account without locking anyone else out.
/// In memory, per node (a kv::Store-backed version can replace it when Redis is configured).

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace veza::auth {

struct LoginGuardOptions {
  int account_free_failures = 5;       // failures before an account's delays start
  int ip_free_failures = 20;           // failures before an IP's delays start
  int64_t base_delay_ms = 1'000;       // first delay; doubles with each further failure
  int64_t max_delay_ms = 15 * 60'000;
  int64_t forget_after_ms = 60 * 60'000;  // counters reset after this long without a failure
  size_t max_entries = 200'000;        // memory bound: the stalest entries are dropped beyond it
};

class LoginGuard {
 public:
  explicit LoginGuard(LoginGuardOptions options = {});

  /// Milliseconds until `account` may be tried again from `ip`; 0 when allowed now.
  int64_t RetryAfterMs(std::string_view account, std::string_view ip, int64_t now_ms);
  /// Counts a failed attempt; returns the account's consecutive failures.
  int RecordFailure(std::string_view account, std::string_view ip, int64_t now_ms);
  /// A successful sign-in clears the account's counter (the IP's keeps decaying on its own).
  void RecordSuccess(std::string_view account);

 private:
  struct Counter {
    int failures = 0;
    int64_t last_failure_ms = 0;
    int64_t blocked_until_ms = 0;
  };
  void Bump(std::unordered_map<std::string, Counter>& map, std::string_view key, int free, int64_t now_ms,
            int* failures_out);
  int64_t Wait(std::unordered_map<std::string, Counter>& map, std::string_view key, int64_t now_ms);
  void Prune(std::unordered_map<std::string, Counter>& map, int64_t now_ms);

  LoginGuardOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Counter> accounts_;
  std::unordered_map<std::string, Counter> ips_;
};

}  // namespace veza::auth
