#include "auth/login_guard.h"

#include <algorithm>
#include <charconv>

namespace veza::auth {

namespace {

std::string CountKey(const std::string& kind, std::string_view key) {
  return "login:" + kind + ":n:" + std::string(key);
}
// Holds the absolute time the delay ends (callers' clock), expiring with it.
std::string BlockKey(const std::string& kind, std::string_view key) {
  return "login:" + kind + ":b:" + std::string(key);
}

}  // namespace

LoginGuard::LoginGuard(kv::Store& store, LoginGuardOptions options) : store_(store), options_(options) {}

Result<int64_t> LoginGuard::Wait(const std::string& kind, std::string_view key, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(std::optional<int64_t> until, store_.GetInt(BlockKey(kind, key)));
  return until ? std::max<int64_t>(0, *until - now_ms) : 0;
}

Result<int64_t> LoginGuard::RetryAfterMs(std::string_view account, std::string_view ip, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t account_wait, Wait("a", account, now_ms));
  VEZA_ASSIGN_OR_RETURN(int64_t ip_wait, Wait("ip", ip, now_ms));
  return std::max(account_wait, ip_wait);
}

Result<int64_t> LoginGuard::Bump(const std::string& kind, std::string_view key, int free, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t failures, store_.Incr(CountKey(kind, key), 1, options_.forget_after_ms));
  if (failures > free) {
    int doublings = static_cast<int>(std::min<int64_t>(failures - free - 1, 30));
    int64_t delay = std::min(options_.max_delay_ms, options_.base_delay_ms << doublings);
    VEZA_TRY(store_.Set(BlockKey(kind, key), std::to_string(now_ms + delay), delay));
  }
  return failures;
}

Result<int> LoginGuard::RecordFailure(std::string_view account, std::string_view ip, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t failures, Bump("a", account, options_.account_free_failures, now_ms));
  VEZA_TRY(Bump("ip", ip, options_.ip_free_failures, now_ms));
  return static_cast<int>(std::min<int64_t>(failures, INT32_MAX));
}

Status LoginGuard::RecordSuccess(std::string_view account) {
  VEZA_TRY(store_.Delete(CountKey("a", account)));
  VEZA_TRY(store_.Delete(BlockKey("a", account)));
  return Ok();
}

}  // namespace veza::auth
