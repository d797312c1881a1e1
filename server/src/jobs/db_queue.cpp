#include "jobs/db_queue.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "db/session.h"
#include "jobs/job_store.h"

namespace veza::jobs {

namespace {

constexpr size_t kMaxKindBytes = 200;
constexpr int kMaxListLimit = 1'000;
constexpr std::string_view kReapedNote = "lease expired on the last attempt: the worker stopped heartbeating";

Error LeaseLost(int64_t job_id) {
  Error e =
      MakeError(ErrorCode::kConflict, "The worker no longer owns this job.", std::string(kLeaseLostSlug));
  e.detail = "job " + std::to_string(job_id) + " is not running under this worker (lease lost or finished)";
  return e;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::string_view JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kDone:
      return "done";
    case JobStatus::kDead:
      return "dead";
  }
  return "queued";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
  if (text == "queued") return JobStatus::kQueued;
  if (text == "running") return JobStatus::kRunning;
  if (text == "done") return JobStatus::kDone;
  if (text == "dead") return JobStatus::kDead;
  return std::nullopt;
}

int64_t BackoffMs(int attempt, double unit_random, const BackoffPolicy& policy) {
  int64_t ceiling = policy.cap_ms;
  // base·2^(n−1) overflows nothing as long as the shift stays below the cap's bit length.
  int shift = std::max(0, attempt - 1);
  if (shift < 62 && policy.base_ms <= (policy.cap_ms >> std::min(shift, 62))) {
    ceiling = std::min(policy.cap_ms, policy.base_ms << shift);
  }
  double r = std::clamp(unit_random, 0.0, 1.0);
  return std::min(ceiling, static_cast<int64_t>(std::floor(r * static_cast<double>(ceiling))));
}

RandomSource SystemRandom() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

DbQueue::DbQueue(db::Database& db, IdGenerator& ids, const Clock& clock, RandomSource random,
                 DbQueueOptions options)
    : db_(db), ids_(ids), clock_(clock), options_(options), random_(std::move(random)) {}

Result<int64_t> DbQueue::Insert(db::Session& session, std::string_view kind, std::string_view payload,
                                const EnqueueOptions& options) {
  std::map<std::string, std::string> problems;
  if (kind.empty() || kind.size() > kMaxKindBytes) problems["kind"] = "must be 1 to 200 bytes";
  if (options.max_attempts < 1) problems["max_attempts"] = "must be at least 1";
  if (!problems.empty()) return Validation(std::move(problems));
  int64_t now = clock_.NowMs();
  store::NewJob job;
  job.id = ids_.Next();
  job.kind = kind;
  job.payload = payload;
  job.priority = options.priority;
  job.max_attempts = options.max_attempts;
  job.run_at_ms = options.run_at_ms > 0 ? options.run_at_ms : now;
  job.idempotency_key = options.idempotency_key;
  job.now_ms = now;
  return store::Insert(session, job);
}

Result<int64_t> DbQueue::Enqueue(std::string_view kind, std::string_view payload, EnqueueOptions options) {
  VEZA_ASSIGN_OR_RETURN(int64_t id, db_.Transaction<int64_t>(
                                        [&](db::Session& s) { return Insert(s, kind, payload, options); }));
  NotifyListeners();
  return id;
}

Result<int64_t> DbQueue::EnqueueIn(db::Session& session, std::string_view kind, std::string_view payload,
                                   EnqueueOptions options) {
  VEZA_ASSIGN_OR_RETURN(int64_t id, Insert(session, kind, payload, options));
  NotifyListeners();
  return id;
}

Result<std::optional<Job>> DbQueue::Claim(std::string_view worker_id, const std::vector<std::string>& kinds,
                                          int64_t lease_ms) {
  return db_.Transaction<std::optional<Job>>([&](db::Session& s) {
    int64_t now = clock_.NowMs();
    return store::Claim(s, store::ClaimArgs{worker_id, &kinds, now, now + lease_ms});
  });
}

Result<bool> DbQueue::Heartbeat(int64_t job_id, std::string_view worker_id, int64_t lease_ms) {
  return db_.Transaction<bool>([&](db::Session& s) {
    int64_t now = clock_.NowMs();
    return store::Heartbeat(s, job_id, worker_id, now, now + lease_ms);
  });
}

Status DbQueue::Complete(int64_t job_id, std::string_view worker_id) {
  return db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(bool changed, store::MarkDone(s, job_id, worker_id, clock_.NowMs()));
    if (!changed) return LeaseLost(job_id);
    return Ok();
  });
}

Result<RetryResult> DbQueue::Retry(int64_t job_id, std::string_view worker_id, std::string_view error) {
  std::string cleaned = CleanError(error);
  return db_.Transaction<RetryResult>([&](db::Session& s) -> Result<RetryResult> {
    VEZA_ASSIGN_OR_RETURN(auto attempts, store::OwnedAttempts(s, job_id, worker_id));
    if (!attempts) return LeaseLost(job_id);
    int64_t now = clock_.NowMs();
    RetryResult result;
    if (attempts->attempt >= attempts->max_attempts) {
      result.dead = true;
      VEZA_ASSIGN_OR_RETURN(bool changed, store::MarkDead(s, job_id, worker_id, now, cleaned));
      if (!changed) return LeaseLost(job_id);
      return result;
    }
    result.run_at_ms = now + BackoffMs(attempts->attempt, NextRandom(), options_.backoff);
    VEZA_ASSIGN_OR_RETURN(bool changed,
                          store::MarkQueuedAgain(s, job_id, worker_id, now, result.run_at_ms, cleaned));
    if (!changed) return LeaseLost(job_id);
    return result;
  });
}

Status DbQueue::Fail(int64_t job_id, std::string_view worker_id, std::string_view error) {
  std::string cleaned = CleanError(error);
  return db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(bool changed, store::MarkDead(s, job_id, worker_id, clock_.NowMs(), cleaned));
    if (!changed) return LeaseLost(job_id);
    return Ok();
  });
}

Status DbQueue::Release(int64_t job_id, std::string_view worker_id) {
  return db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(bool changed, store::MarkReleased(s, job_id, worker_id, clock_.NowMs()));
    if (!changed) return LeaseLost(job_id);
    return Ok();
  });
}

Result<int64_t> DbQueue::ReapExpired() {
  return db_.Transaction<int64_t>(
      [&](db::Session& s) { return store::ReapExpired(s, clock_.NowMs(), kReapedNote); });
}

Result<int64_t> DbQueue::PurgeDone(int64_t finished_before_ms, int limit) {
  if (limit < 1) return Validation({{"limit", "must be at least 1"}});
  return db_.Transaction<int64_t>(
      [&](db::Session& s) { return store::PurgeDone(s, finished_before_ms, limit); });
}

Result<std::vector<JobInfo>> DbQueue::List(JobStatus status, int limit, int64_t before_id) {
  if (limit < 1 || limit > kMaxListLimit) return Validation({{"limit", "must be between 1 and 1000"}});
  return db_.ReadValue<std::vector<JobInfo>>(
      [&](db::Session& s) { return store::List(s, status, limit, before_id); });
}

Result<std::optional<JobInfo>> DbQueue::Get(int64_t job_id) {
  return db_.ReadValue<std::optional<JobInfo>>([&](db::Session& s) { return store::Get(s, job_id); });
}

Status DbQueue::RetryDead(int64_t job_id) {
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(bool revived, store::Revive(s, job_id, clock_.NowMs()));
    if (revived) return Ok();
    VEZA_ASSIGN_OR_RETURN(auto job, store::Get(s, job_id));
    if (!job) return NotFound("No such job.");
    return MakeError(
        ErrorCode::kConflict,
        "Only a dead job can be retried; this one is " + std::string(JobStatusName(job->status)) + ".",
        "job_not_dead");
  }));
  NotifyListeners();
  return Ok();
}

Result<std::vector<JobCount>> DbQueue::Counts() {
  return db_.ReadValue<std::vector<JobCount>>([](db::Session& s) { return store::Counts(s); });
}

int DbQueue::AddEnqueueListener(std::function<void()> listener) {
  std::lock_guard lock(listeners_mu_);
  int handle = next_listener_++;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void DbQueue::RemoveEnqueueListener(int handle) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(handle);
}

void DbQueue::NotifyListeners() {
  std::lock_guard lock(listeners_mu_);
  for (auto& [handle, listener] : listeners_) listener();
}

double DbQueue::NextRandom() {
  std::lock_guard lock(random_mu_);
  return random_();
}

std::string DbQueue::CleanError(std::string_view error) const {
  // PostgreSQL rejects NUL and invalid UTF-8 in TEXT, and handler errors may quote a hostile file.
  std::string out;
  out.reserve(std::min(error.size(), options_.max_error_bytes));
  size_t i = 0;
  while (i < error.size()) {
    size_t n = error[i] == '\0' ? 0 : Utf8SequenceLength(error, i);
    std::string_view piece = n == 0 ? std::string_view("?") : error.substr(i, n);
    if (out.size() + piece.size() > options_.max_error_bytes) break;
    out.append(piece);
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace veza::jobs
