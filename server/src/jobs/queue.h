#pragma once
/// Durable background jobs: a job table shared by every node, claimed with a lease, retried with
/// exponential backoff and jitter, then `dead` with the last error kept.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::db {
class Session;
}

namespace veza::jobs {

struct EnqueueOptions {
  int64_t run_at_ms = 0;            // 0: now
  std::string idempotency_key;      // non-empty: a second enqueue with the same kind+key is a no-op
  int max_attempts = 8;
  int priority = 0;                 // higher runs first
};

struct Job {
  int64_t id = 0;
  std::string kind;                 // "mail.deliver", "media.process", …
  std::string payload;              // JSON text chosen by the producer
  int attempt = 0;                  // 1 on the first run
  int max_attempts = 0;
  /// Set by the Runner: becomes true when the job should stop early (its lease was lost, or the
  /// runner's stop deadline passed). Long handlers check it between steps and return Retry.
  const std::atomic<bool>* stop = nullptr;
  bool StopRequested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

/// What a handler returns: OK, a retryable failure (backoff), or a permanent one (dead at once).
struct JobOutcome {
  enum class Kind { kDone, kRetry, kFail };
  Kind kind = Kind::kDone;
  std::string error;                // kept on the job for operators
  static JobOutcome Done() { return {}; }
  static JobOutcome Retry(std::string e) { return {Kind::kRetry, std::move(e)}; }
  static JobOutcome Fail(std::string e) { return {Kind::kFail, std::move(e)}; }
};

using JobHandler = std::function<JobOutcome(const Job&)>;

class Queue {
 public:
  virtual ~Queue() = default;
  /// Enqueues in its own transaction. Returns the job id (the existing one for a duplicate key).
  virtual Result<int64_t> Enqueue(std::string_view kind, std::string_view payload, EnqueueOptions options = {}) = 0;
  /// Enqueues inside the caller's transaction, so the job exists if and only if the caller commits.
  virtual Result<int64_t> EnqueueIn(db::Session& session, std::string_view kind, std::string_view payload,
                                    EnqueueOptions options = {}) = 0;
};

}  // namespace veza::jobs
