#pragma once
/// The job table as a queue: producers enqueue (jobs::Queue), workers claim with a lease, heartbeat,
/// and report the outcome; operators list, count and revive dead jobs. Same table on SQLite and
/// PostgreSQL; every node of a cluster shares it.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "jobs/queue.h"

namespace veza::db {
class Database;
}

namespace veza::jobs {

enum class JobStatus { kQueued, kRunning, kDone, kDead };

/// "queued", "running", "done", "dead" (the column values).
std::string_view JobStatusName(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);

/// Exponential backoff between attempts: the delay before retry n is uniform in [0, min(cap, base·2^(n−1)))
/// ("full jitter"), so a burst of failures spreads out instead of retrying in lockstep.
struct BackoffPolicy {
  int64_t base_ms = 1'000;
  int64_t cap_ms = 3'600'000;
};

/// The delay after failed attempt `attempt` (1-based) for `unit_random` in [0, 1).
int64_t BackoffMs(int attempt, double unit_random, const BackoffPolicy& policy = {});

/// A uniform double in [0, 1); injected so tests fix the jitter. Called under DbQueue's lock.
using RandomSource = std::function<double()>;
/// A RandomSource seeded from std::random_device.
RandomSource SystemRandom();

/// Everything stored about a job, for operators.
struct JobInfo {
  int64_t id = 0;
  std::string kind;
  std::string payload;
  JobStatus status = JobStatus::kQueued;
  int priority = 0;
  int attempt = 0;
  int max_attempts = 0;
  int64_t run_at_ms = 0;
  std::optional<int64_t> lease_until_ms;
  std::optional<std::string> locked_by;  // the worker that ran it last
  std::optional<std::string> last_error;
  std::optional<std::string> idempotency_key;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::optional<int64_t> finished_at_ms;
};

/// Number of jobs of one kind in one status (for metrics gauges).
struct JobCount {
  std::string kind;
  JobStatus status = JobStatus::kQueued;
  int64_t count = 0;
};

/// What Retry did: scheduled another attempt at `run_at_ms`, or gave up (`dead`).
struct RetryResult {
  bool dead = false;
  int64_t run_at_ms = 0;
};

struct DbQueueOptions {
  BackoffPolicy backoff;
  size_t max_error_bytes = 4'000;  // last_error is cut (at a UTF-8 boundary) beyond this
};

/// The error slug when a worker reports on a job it no longer owns (lease expired and taken over,
/// or already finished): kConflict `job_lease_lost`.
inline constexpr std::string_view kLeaseLostSlug = "job_lease_lost";

/// jobs::Queue over the `jobs` table. Thread-safe; times come from the injected clock, so all nodes'
/// clocks must agree to well within a lease (NTP).
class DbQueue final : public Queue {
 public:
  DbQueue(db::Database& db, IdGenerator& ids, const Clock& clock, RandomSource random = SystemRandom(),
          DbQueueOptions options = {});
  DbQueue(const DbQueue&) = delete;
  DbQueue& operator=(const DbQueue&) = delete;

  /// kValidation for an empty kind (or longer than 200 bytes) or max_attempts < 1. Notifies listeners.
  Result<int64_t> Enqueue(std::string_view kind, std::string_view payload,
                          EnqueueOptions options = {}) override;
  /// As Enqueue, on the caller's session; listeners are notified before the caller commits, so a
  /// worker woken early finds nothing and picks the job up on its next poll.
  Result<int64_t> EnqueueIn(db::Session& session, std::string_view kind, std::string_view payload,
                            EnqueueOptions options = {}) override;

  // Workers. `worker_id` names one worker thread uniquely across the cluster.

  /// Takes the most urgent due job of one of `kinds` (all kinds when empty): queued with run_at ≤ now,
  /// or running with an expired lease (its worker died) and attempts left. Marks it running, owned by
  /// `worker_id` until now + lease_ms, and counts the attempt. nullopt when nothing is due.
  Result<std::optional<Job>> Claim(std::string_view worker_id, const std::vector<std::string>& kinds,
                                   int64_t lease_ms);
  /// Extends the lease to now + lease_ms; false when the worker no longer owns the job.
  Result<bool> Heartbeat(int64_t job_id, std::string_view worker_id, int64_t lease_ms);
  /// Marks the job done. kConflict `job_lease_lost` when the worker no longer owns it.
  Status Complete(int64_t job_id, std::string_view worker_id);
  /// Schedules another attempt after BackoffMs(attempt), or marks the job dead when it has used all its
  /// attempts; `error` is kept as last_error either way. kConflict `job_lease_lost` as Complete.
  Result<RetryResult> Retry(int64_t job_id, std::string_view worker_id, std::string_view error);
  /// Marks the job dead at once with `error`. kConflict `job_lease_lost` as Complete.
  Status Fail(int64_t job_id, std::string_view worker_id, std::string_view error);
  /// Puts the job back as queued and due now without counting the attempt (a worker shutting down).
  Status Release(int64_t job_id, std::string_view worker_id);

  // Maintenance (the Runner calls these periodically).

  /// Marks dead the running jobs whose lease expired on their last attempt (Claim skips them, so a job
  /// that kills its worker every time ends instead of looping). Returns how many.
  Result<int64_t> ReapExpired();
  /// Deletes up to `limit` done jobs finished before `finished_before_ms`. Returns how many.
  Result<int64_t> PurgeDone(int64_t finished_before_ms, int limit);

  // Operators.

  /// Jobs in `status`, newest first, at most `limit` (1…1000); `before_id` > 0 continues a listing.
  Result<std::vector<JobInfo>> List(JobStatus status, int limit, int64_t before_id = 0);
  Result<std::optional<JobInfo>> Get(int64_t job_id);
  /// Requeues a dead job, due now, with its attempts reset (last_error kept). kNotFound when there is
  /// no such job, kConflict when it is not dead.
  Status RetryDead(int64_t job_id);
  /// Job counts by kind and status, ordered by kind then status.
  Result<std::vector<JobCount>> Counts();

  /// Calls `listener` after each enqueue on this node (the Runner wakes its idle workers with it).
  /// Returns a handle for RemoveEnqueueListener.
  int AddEnqueueListener(std::function<void()> listener);
  void RemoveEnqueueListener(int handle);

  const Clock& clock() const { return clock_; }

 private:
  Result<int64_t> Insert(db::Session& session, std::string_view kind, std::string_view payload,
                         const EnqueueOptions& options);
  void NotifyListeners();
  double NextRandom();
  std::string CleanError(std::string_view error) const;

  db::Database& db_;
  IdGenerator& ids_;
  const Clock& clock_;
  const DbQueueOptions options_;

  std::mutex random_mu_;
  RandomSource random_;

  std::mutex listeners_mu_;
  int next_listener_ = 1;
  std::map<int, std::function<void()>> listeners_;
};

}  // namespace veza::jobs
