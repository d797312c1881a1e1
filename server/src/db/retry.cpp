#include <algorithm>
#include <random>
#include <thread>

#include "db/internal.h"

namespace veza::db::internal {

Error BusyError(std::string detail) {
  Error e = Unavailable("The database is busy; try again.", std::move(detail), 1);
  e.slug = std::string(kBusySlug);
  return e;
}

Error UnreachableError(std::string message, std::string detail, int retry_after_s) {
  return Unavailable(std::move(message), std::move(detail), retry_after_s);
}

Error ConflictError(bool foreign_key, std::string detail) {
  Error e = MakeError(ErrorCode::kConflict,
                      foreign_key ? "This refers to something that does not exist or is still in use."
                                  : "Something with the same value already exists.",
                      "conflict");
  e.detail = std::move(detail);
  return e;
}

std::chrono::microseconds Backoff(int attempt) {
  constexpr int64_t kBaseUs = 2'000;
  constexpr int64_t kCapUs = 200'000;
  int shift = std::clamp(attempt - 1, 0, 20);
  int64_t ceiling = std::min(kCapUs, kBaseUs << shift);
  // Jitter spreads competing writers apart so they do not collide again in lockstep.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> dist(ceiling / 2, ceiling);
  return std::chrono::microseconds(dist(rng));
}

Status RunWithRetries(int max_attempts, const std::function<Status()>& attempt) {
  max_attempts = std::max(1, max_attempts);
  for (int i = 1;; ++i) {
    Status s = attempt();
    if (s.ok() || !IsRetryable(s.error())) return s;
    if (i >= max_attempts) {
      Error e = std::move(s).error();
      e.detail = "gave up after " + std::to_string(i) + " attempts: " + e.detail;
      return e;
    }
    std::this_thread::sleep_for(Backoff(i));
  }
}

}  // namespace veza::db::internal

namespace veza::db {

bool IsRetryable(const Error& error) {
  return error.code == ErrorCode::kUnavailable && error.slug == internal::kBusySlug;
}

}  // namespace veza::db
