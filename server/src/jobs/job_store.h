#pragma once
// SQL over the `jobs` table; DbQueue owns transactions, time and policy. Internal to jobs/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/session.h"
#include "jobs/db_queue.h"

namespace veza::jobs::store {

struct NewJob {
  int64_t id = 0;
  std::string_view kind;
  std::string_view payload;
  int priority = 0;
  int max_attempts = 0;
  int64_t run_at_ms = 0;
  std::string_view idempotency_key;  // empty: none
  int64_t now_ms = 0;
};

/// Inserts the job; with a key already used for this kind, returns the existing job's id instead.
Result<int64_t> Insert(db::Session& s, const NewJob& job);

struct ClaimArgs {
  std::string_view worker_id;
  const std::vector<std::string>* kinds = nullptr;
  int64_t now_ms = 0;
  int64_t lease_until_ms = 0;
};
Result<std::optional<Job>> Claim(db::Session& s, const ClaimArgs& args);

/// True when the lease was extended (the worker still owns the running job).
Result<bool> Heartbeat(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                       int64_t lease_until_ms);

/// attempt and max_attempts of a running job owned by `worker_id`, or nullopt.
struct Attempts {
  int attempt = 0;
  int max_attempts = 0;
};
Result<std::optional<Attempts>> OwnedAttempts(db::Session& s, int64_t id, std::string_view worker_id);

// Each returns whether the owned running job changed.
Result<bool> MarkDone(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms);
Result<bool> MarkQueuedAgain(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                             int64_t run_at_ms, std::string_view error);
Result<bool> MarkDead(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                      std::string_view error);
Result<bool> MarkReleased(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms);

Result<int64_t> ReapExpired(db::Session& s, int64_t now_ms, std::string_view error);
Result<int64_t> PurgeDone(db::Session& s, int64_t finished_before_ms, int limit);

Result<std::vector<JobInfo>> List(db::Session& s, JobStatus status, int limit, int64_t before_id);
Result<std::optional<JobInfo>> Get(db::Session& s, int64_t id);
/// True when the job was dead and is queued again.
Result<bool> Revive(db::Session& s, int64_t id, int64_t now_ms);
Result<std::vector<JobCount>> Counts(db::Session& s);

}  // namespace veza::jobs::store
