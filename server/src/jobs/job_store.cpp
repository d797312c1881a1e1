#include "jobs/job_store.h"

namespace veza::jobs::store {

namespace {

// ON CONFLICT DO NOTHING instead of catching the violation: on PostgreSQL a failed INSERT would abort
// the caller's whole transaction (EnqueueIn).
constexpr std::string_view kInsert =
    "INSERT INTO jobs (id, kind, payload, status, priority, attempt, max_attempts, run_at, idempotency_key, "
    "created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $7, $8, $8) "
    "ON CONFLICT (kind, idempotency_key) DO NOTHING RETURNING id";

constexpr std::string_view kSelectByKey = "SELECT id FROM jobs WHERE kind = $1 AND idempotency_key = $2";

// Claim: $1 now, $2 lease_until, $3 worker, $4 the note left on a job taken back from a dead worker,
// $5… the kinds. Assembled by ClaimSql: head, optional kind filter, order, dialect lock clause, tail.
// SET expressions see the row as it was, so `status = 'running'` there means "taken back".
constexpr std::string_view kClaimHead =
    "UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_until = $2, locked_by = $3, "
    "updated_at = $1, last_error = CASE WHEN status = 'running' THEN $4 ELSE last_error END "
    "WHERE id = (SELECT id FROM jobs WHERE ((status = 'queued' AND run_at <= $1) OR "
    "(status = 'running' AND lease_until < $1 AND attempt < max_attempts))";
constexpr std::string_view kClaimOrder = " ORDER BY priority DESC, run_at, id LIMIT 1";
// Concurrent PostgreSQL claimers skip each other's rows instead of queueing on them. SQLite needs no
// clause: the claim runs in a BEGIN IMMEDIATE transaction, which already excludes other writers.
constexpr std::string_view kClaimLockPostgres = " FOR UPDATE SKIP LOCKED";
constexpr std::string_view kClaimTail = ") RETURNING id, kind, payload, attempt, max_attempts";
constexpr std::string_view kTakenBackNote = "lease expired: the previous worker stopped heartbeating";

constexpr std::string_view kHeartbeat =
    "UPDATE jobs SET lease_until = $3, updated_at = $4 WHERE id = $1 AND status = 'running' AND locked_by = "
    "$2";

constexpr std::string_view kOwnedAttempts =
    "SELECT attempt, max_attempts FROM jobs WHERE id = $1 AND status = 'running' AND locked_by = $2";

constexpr std::string_view kMarkDone =
    "UPDATE jobs SET status = 'done', lease_until = NULL, finished_at = $3, updated_at = $3 "
    "WHERE id = $1 AND status = 'running' AND locked_by = $2";

constexpr std::string_view kMarkQueuedAgain =
    "UPDATE jobs SET status = 'queued', lease_until = NULL, run_at = $4, last_error = $5, updated_at = $3 "
    "WHERE id = $1 AND status = 'running' AND locked_by = $2";

constexpr std::string_view kMarkDead =
    "UPDATE jobs SET status = 'dead', lease_until = NULL, last_error = $4, finished_at = $3, updated_at = $3 "
    "WHERE id = $1 AND status = 'running' AND locked_by = $2";

constexpr std::string_view kMarkReleased =
    "UPDATE jobs SET status = 'queued', attempt = attempt - 1, lease_until = NULL, run_at = $3, updated_at = "
    "$3 "
    "WHERE id = $1 AND status = 'running' AND locked_by = $2";

constexpr std::string_view kReapExpired =
    "UPDATE jobs SET status = 'dead', lease_until = NULL, last_error = $2, finished_at = $1, updated_at = $1 "
    "WHERE status = 'running' AND lease_until < $1 AND attempt >= max_attempts";

constexpr std::string_view kPurgeDone =
    "DELETE FROM jobs WHERE id IN "
    "(SELECT id FROM jobs WHERE status = 'done' AND finished_at < $1 ORDER BY finished_at LIMIT $2)";

#define VEZA_JOB_COLUMNS                                                                                     \
  "id, kind, payload, status, priority, attempt, max_attempts, run_at, lease_until, locked_by, last_error, " \
  "idempotency_key, created_at, updated_at, finished_at"

constexpr std::string_view kList =
    "SELECT " VEZA_JOB_COLUMNS " FROM jobs WHERE status = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
constexpr std::string_view kGet = "SELECT " VEZA_JOB_COLUMNS " FROM jobs WHERE id = $1";

#undef VEZA_JOB_COLUMNS

constexpr std::string_view kRevive =
    "UPDATE jobs SET status = 'queued', attempt = 0, run_at = $2, lease_until = NULL, finished_at = NULL, "
    "updated_at = $2 WHERE id = $1 AND status = 'dead'";

constexpr std::string_view kCounts =
    "SELECT kind, status, count(*) FROM jobs GROUP BY kind, status ORDER BY kind, status";

std::string ClaimSql(db::Dialect dialect, size_t kinds) {
  std::string sql(kClaimHead);
  if (kinds > 0) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < kinds; ++i) {
      if (i > 0) sql += ", ";
      sql += "$" + std::to_string(5 + i);
    }
    sql += ")";
  }
  sql += kClaimOrder;
  if (dialect == db::Dialect::kPostgres) sql += kClaimLockPostgres;
  sql += kClaimTail;
  return sql;
}

db::Value OptionalText(std::string_view text) {
  if (text.empty()) return nullptr;
  return std::string(text);
}

Result<JobInfo> ToInfo(const db::Row& row) {
  JobInfo info;
  info.id = row.Int(0);
  info.kind = row.Text(1);
  info.payload = row.Text(2);
  std::optional<JobStatus> status = ParseJobStatus(row.Text(3));
  if (!status)
    return Internal("jobs: unknown status '" + row.Text(3) + "' on job " + std::to_string(info.id));
  info.status = *status;
  info.priority = static_cast<int>(row.Int(4));
  info.attempt = static_cast<int>(row.Int(5));
  info.max_attempts = static_cast<int>(row.Int(6));
  info.run_at_ms = row.Int(7);
  info.lease_until_ms = row.OptInt(8);
  info.locked_by = row.OptText(9);
  info.last_error = row.OptText(10);
  info.idempotency_key = row.OptText(11);
  info.created_at_ms = row.Int(12);
  info.updated_at_ms = row.Int(13);
  info.finished_at_ms = row.OptInt(14);
  return info;
}

Result<bool> ChangedOne(Result<int64_t> affected) {
  if (!affected.ok()) return std::move(affected).error();
  return *affected == 1;
}

}  // namespace

Result<int64_t> Insert(db::Session& s, const NewJob& job) {
  VEZA_ASSIGN_OR_RETURN(auto inserted,
                        s.QueryOne(kInsert, {job.id, std::string(job.kind), std::string(job.payload),
                                             int64_t{job.priority}, int64_t{job.max_attempts}, job.run_at_ms,
                                             OptionalText(job.idempotency_key), job.now_ms}));
  if (inserted) return inserted->Int(0);
  VEZA_ASSIGN_OR_RETURN(auto existing,
                        s.QueryOne(kSelectByKey, {std::string(job.kind), std::string(job.idempotency_key)}));
  if (!existing)
    return Internal("jobs: insert conflicted but no job has kind and key " + std::string(job.kind));
  return existing->Int(0);
}

Result<std::optional<Job>> Claim(db::Session& s, const ClaimArgs& args) {
  size_t kinds = args.kinds != nullptr ? args.kinds->size() : 0;
  std::vector<db::Value> params = {args.now_ms, args.lease_until_ms, std::string(args.worker_id),
                                   std::string(kTakenBackNote)};
  for (size_t i = 0; i < kinds; ++i) params.emplace_back((*args.kinds)[i]);
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(ClaimSql(s.dialect(), kinds), params));
  if (!row) return std::optional<Job>();
  Job job;
  job.id = row->Int(0);
  job.kind = row->Text(1);
  job.payload = row->Text(2);
  job.attempt = static_cast<int>(row->Int(3));
  job.max_attempts = static_cast<int>(row->Int(4));
  return std::optional<Job>(std::move(job));
}

Result<bool> Heartbeat(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                       int64_t lease_until_ms) {
  return ChangedOne(s.Execute(kHeartbeat, {id, std::string(worker_id), lease_until_ms, now_ms}));
}

Result<std::optional<Attempts>> OwnedAttempts(db::Session& s, int64_t id, std::string_view worker_id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(kOwnedAttempts, {id, std::string(worker_id)}));
  if (!row) return std::optional<Attempts>();
  return std::optional<Attempts>(Attempts{static_cast<int>(row->Int(0)), static_cast<int>(row->Int(1))});
}

Result<bool> MarkDone(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms) {
  return ChangedOne(s.Execute(kMarkDone, {id, std::string(worker_id), now_ms}));
}

Result<bool> MarkQueuedAgain(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                             int64_t run_at_ms, std::string_view error) {
  return ChangedOne(
      s.Execute(kMarkQueuedAgain, {id, std::string(worker_id), now_ms, run_at_ms, std::string(error)}));
}

Result<bool> MarkDead(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms,
                      std::string_view error) {
  return ChangedOne(s.Execute(kMarkDead, {id, std::string(worker_id), now_ms, std::string(error)}));
}

Result<bool> MarkReleased(db::Session& s, int64_t id, std::string_view worker_id, int64_t now_ms) {
  return ChangedOne(s.Execute(kMarkReleased, {id, std::string(worker_id), now_ms}));
}

Result<int64_t> ReapExpired(db::Session& s, int64_t now_ms, std::string_view error) {
  return s.Execute(kReapExpired, {now_ms, std::string(error)});
}

Result<int64_t> PurgeDone(db::Session& s, int64_t finished_before_ms, int limit) {
  return s.Execute(kPurgeDone, {finished_before_ms, int64_t{limit}});
}

Result<std::vector<JobInfo>> List(db::Session& s, JobStatus status, int limit, int64_t before_id) {
  int64_t before = before_id > 0 ? before_id : INT64_MAX;
  VEZA_ASSIGN_OR_RETURN(auto result,
                        s.Query(kList, {std::string(JobStatusName(status)), before, int64_t{limit}}));
  std::vector<JobInfo> jobs;
  jobs.reserve(result.rows.size());
  for (const db::Row& row : result.rows) {
    VEZA_ASSIGN_OR_RETURN(JobInfo info, ToInfo(row));
    jobs.push_back(std::move(info));
  }
  return jobs;
}

Result<std::optional<JobInfo>> Get(db::Session& s, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(kGet, {id}));
  if (!row) return std::optional<JobInfo>();
  VEZA_ASSIGN_OR_RETURN(JobInfo info, ToInfo(*row));
  return std::optional<JobInfo>(std::move(info));
}

Result<bool> Revive(db::Session& s, int64_t id, int64_t now_ms) {
  return ChangedOne(s.Execute(kRevive, {id, now_ms}));
}

Result<std::vector<JobCount>> Counts(db::Session& s) {
  VEZA_ASSIGN_OR_RETURN(auto result, s.Query(kCounts));
  std::vector<JobCount> counts;
  for (const db::Row& row : result.rows) {
    std::optional<JobStatus> status = ParseJobStatus(row.Text(1));
    if (!status) return Internal("jobs: unknown status '" + row.Text(1) + "'");
    counts.push_back(JobCount{row.Text(0), *status, row.Int(2)});
  }
  return counts;
}

}  // namespace veza::jobs::store
