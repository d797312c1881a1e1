#include "auth/login_guard.h"

#include <algorithm>
#include <vector>

namespace veza::auth {

LoginGuard::LoginGuard(LoginGuardOptions options) : options_(options) {}

int64_t LoginGuard::Wait(std::unordered_map<std::string, Counter>& map, std::string_view key, int64_t now_ms) {
  auto it = map.find(std::string(key));
  if (it == map.end()) return 0;
  if (now_ms - it->second.last_failure_ms > options_.forget_after_ms) {
    map.erase(it);
    return 0;
  }
  return std::max<int64_t>(0, it->second.blocked_until_ms - now_ms);
}

int64_t LoginGuard::RetryAfterMs(std::string_view account, std::string_view ip, int64_t now_ms) {
  std::lock_guard lock(mu_);
  return std::max(Wait(accounts_, account, now_ms), Wait(ips_, ip, now_ms));
}

void LoginGuard::Bump(std::unordered_map<std::string, Counter>& map, std::string_view key, int free,
                      int64_t now_ms, int* failures_out) {
  if (map.size() >= options_.max_entries) Prune(map, now_ms);
  Counter& c = map[std::string(key)];
  if (c.failures > 0 && now_ms - c.last_failure_ms > options_.forget_after_ms) c = Counter{};
  ++c.failures;
  c.last_failure_ms = now_ms;
  if (c.failures > free) {
    int doublings = std::min(c.failures - free - 1, 30);
    int64_t delay = std::min(options_.max_delay_ms, options_.base_delay_ms << doublings);
    c.blocked_until_ms = now_ms + delay;
  }
  if (failures_out) *failures_out = c.failures;
}

int LoginGuard::RecordFailure(std::string_view account, std::string_view ip, int64_t now_ms) {
  std::lock_guard lock(mu_);
  int failures = 0;
  Bump(accounts_, account, options_.account_free_failures, now_ms, &failures);
  Bump(ips_, ip, options_.ip_free_failures, now_ms, nullptr);
  return failures;
}

void LoginGuard::RecordSuccess(std::string_view account) {
  std::lock_guard lock(mu_);
  accounts_.erase(std::string(account));
}

void LoginGuard::Prune(std::unordered_map<std::string, Counter>& map, int64_t now_ms) {
  std::erase_if(map, [&](const auto& kv) {
    return now_ms - kv.second.last_failure_ms > options_.forget_after_ms || kv.second.blocked_until_ms <= now_ms;
  });
  if (map.size() < options_.max_entries) return;
  // Still full of live entries: drop the oldest half so memory stays bounded under a flood.
  std::vector<int64_t> times;
  for (const auto& [k, c] : map) times.push_back(c.last_failure_ms);
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  int64_t cutoff = times[times.size() / 2];
  std::erase_if(map, [&](const auto& kv) { return kv.second.last_failure_ms <= cutoff; });
}

}  // namespace veza::auth
