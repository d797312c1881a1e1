// DbQueue on both engines: enqueue, claim, leases, retries, operators.

#include "jobs/db_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "db/migrate.h"
#include "db/session.h"
#include "db/testing/test_database.h"

namespace veza::jobs {
namespace {

using db::testing::Engine;
using db::testing::EngineTest;

EnqueueOptions RunAt(int64_t ms) {
  EnqueueOptions o;
  o.run_at_ms = ms;
  return o;
}
EnqueueOptions Priority(int p) {
  EnqueueOptions o;
  o.priority = p;
  return o;
}
EnqueueOptions Key(std::string key) {
  EnqueueOptions o;
  o.idempotency_key = std::move(key);
  return o;
}
EnqueueOptions Attempts(int n) {
  EnqueueOptions o;
  o.max_attempts = n;
  return o;
}

constexpr int64_t kLease = 10'000;

class DbQueueTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto migrated = db::Migrate(db(), db::EmbeddedMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.error().detail;
    queue_ = std::make_unique<DbQueue>(db(), ids_, clock_, [this] { return random_value_; });
  }

  Job MustClaim(std::string_view worker, std::vector<std::string> kinds = {}, int64_t lease = kLease) {
    auto claimed = queue_->Claim(worker, kinds, lease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().detail;
    if (!claimed.ok() || !claimed->has_value()) {
      ADD_FAILURE() << "nothing claimed";
      return {};
    }
    return **claimed;
  }

  bool NothingToClaim(std::string_view worker, std::vector<std::string> kinds = {}) {
    auto claimed = queue_->Claim(worker, kinds, kLease);
    EXPECT_TRUE(claimed.ok()) << claimed.error().detail;
    return claimed.ok() && !claimed->has_value();
  }

  JobInfo MustGet(int64_t id) {
    auto info = queue_->Get(id);
    EXPECT_TRUE(info.ok() && info->has_value());
    return info.ok() && info->has_value() ? **info : JobInfo{};
  }

  int64_t MustEnqueue(std::string_view kind, std::string_view payload, EnqueueOptions options = {}) {
    auto id = queue_->Enqueue(kind, payload, options);
    EXPECT_TRUE(id.ok()) << id.error().detail;
    return id.ok() ? *id : 0;
  }

  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
  double random_value_ = 0.5;
  std::unique_ptr<DbQueue> queue_;
};

TEST(BackoffTest, FullJitterDoublesFromOneSecondUpToOneHour) {
  EXPECT_EQ(BackoffMs(1, 0.5), 500);
  EXPECT_EQ(BackoffMs(2, 0.5), 1'000);
  EXPECT_EQ(BackoffMs(3, 0.5), 2'000);
  EXPECT_EQ(BackoffMs(4, 0.25), 2'000);
  EXPECT_EQ(BackoffMs(1, 0.0), 0);
  EXPECT_EQ(BackoffMs(3, 0.999), 3'996);
  // 2^12 s exceeds the cap: from there on the window is the hour itself, without overflow.
  EXPECT_EQ(BackoffMs(12, 0.5), 1'024'000);
  EXPECT_EQ(BackoffMs(13, 0.5), 1'800'000);
  EXPECT_EQ(BackoffMs(64, 0.5), 1'800'000);
  EXPECT_EQ(BackoffMs(1'000, 0.5), 1'800'000);
  EXPECT_LT(BackoffMs(1'000, 0.99999999), 3'600'000);
  BackoffPolicy fast{10, 40};
  EXPECT_EQ(BackoffMs(1, 0.5, fast), 5);
  EXPECT_EQ(BackoffMs(5, 0.5, fast), 20);
}

TEST(BackoffTest, SystemRandomIsInTheUnitInterval) {
  RandomSource random = SystemRandom();
  std::set<double> seen;
  for (int i = 0; i < 1'000; ++i) {
    double r = random();
    ASSERT_GE(r, 0.0);
    ASSERT_LT(r, 1.0);
    seen.insert(r);
  }
  EXPECT_GT(seen.size(), 990u);
}

TEST_P(DbQueueTest, EnqueueClaimComplete) {
  int64_t mail = MustEnqueue("mail.deliver", R"({"to":"a@example.com"})");
  int64_t media = MustEnqueue("media.process", R"({"track":"1"})");
  ASSERT_NE(mail, media);

  JobInfo queued = MustGet(mail);
  EXPECT_EQ(queued.status, JobStatus::kQueued);
  EXPECT_EQ(queued.attempt, 0);
  EXPECT_EQ(queued.max_attempts, 8);
  EXPECT_EQ(queued.run_at_ms, clock_.NowMs());
  EXPECT_EQ(queued.created_at_ms, clock_.NowMs());
  EXPECT_FALSE(queued.idempotency_key.has_value());

  Job job = MustClaim("w1", {"mail.deliver"});
  EXPECT_EQ(job.id, mail);
  EXPECT_EQ(job.kind, "mail.deliver");
  EXPECT_EQ(job.payload, R"({"to":"a@example.com"})");
  EXPECT_EQ(job.attempt, 1);
  EXPECT_EQ(job.max_attempts, 8);
  JobInfo running = MustGet(mail);
  EXPECT_EQ(running.status, JobStatus::kRunning);
  EXPECT_EQ(running.lease_until_ms, clock_.NowMs() + kLease);
  EXPECT_EQ(running.locked_by, "w1");
  EXPECT_TRUE(NothingToClaim("w2", {"mail.deliver"}));

  clock_.Advance(250);
  ASSERT_TRUE(queue_->Complete(mail, "w1").ok());
  JobInfo done = MustGet(mail);
  EXPECT_EQ(done.status, JobStatus::kDone);
  EXPECT_EQ(done.finished_at_ms, clock_.NowMs());
  EXPECT_FALSE(done.lease_until_ms.has_value());
  Status again = queue_->Complete(mail, "w1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().slug, kLeaseLostSlug);

  // No kinds: any kind.
  EXPECT_EQ(MustClaim("w2").id, media);
  EXPECT_TRUE(NothingToClaim("w2"));
}

TEST_P(DbQueueTest, PriorityThenRunAtDecideTheOrderAndFutureJobsWait) {
  int64_t later = MustEnqueue("k", "later", RunAt(clock_.NowMs() + 5'000));
  int64_t low = MustEnqueue("k", "low");
  clock_.Advance(1);
  int64_t low2 = MustEnqueue("k", "low2");
  int64_t high = MustEnqueue("k", "high", Priority(10));
  EXPECT_EQ(MustClaim("w").id, high);
  EXPECT_EQ(MustClaim("w").id, low);
  EXPECT_EQ(MustClaim("w").id, low2);
  EXPECT_TRUE(NothingToClaim("w"));
  clock_.Advance(4'998);
  EXPECT_TRUE(NothingToClaim("w"));
  clock_.Advance(1);
  EXPECT_EQ(MustClaim("w").id, later);
}

TEST_P(DbQueueTest, IdempotencyKeyReturnsTheExistingJob) {
  int64_t first = MustEnqueue("media.process", "{}", Key("track-42"));
  int64_t second = MustEnqueue("media.process", R"({"other":true})", Key("track-42"));
  EXPECT_EQ(first, second);
  EXPECT_EQ(MustGet(first).payload, "{}");
  EXPECT_EQ(MustGet(first).idempotency_key, "track-42");
  int64_t other_kind = MustEnqueue("mail.deliver", "{}", Key("track-42"));
  EXPECT_NE(other_kind, first);
  int64_t no_key_a = MustEnqueue("media.process", "{}");
  int64_t no_key_b = MustEnqueue("media.process", "{}");
  EXPECT_NE(no_key_a, no_key_b);

  // Still deduplicated once the job ran.
  Job job = MustClaim("w", {"media.process"});
  ASSERT_EQ(job.id, first);
  ASSERT_TRUE(queue_->Complete(job.id, "w").ok());
  EXPECT_EQ(MustEnqueue("media.process", "{}", Key("track-42")), first);

  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok());
  int64_t total = 0;
  for (const JobCount& c : *counts) total += c.count;
  EXPECT_EQ(total, 4);
}

TEST_P(DbQueueTest, EnqueueValidatesItsInput) {
  auto empty_kind = queue_->Enqueue("", "{}");
  ASSERT_FALSE(empty_kind.ok());
  EXPECT_EQ(empty_kind.error().code, ErrorCode::kValidation);
  EXPECT_TRUE(empty_kind.error().fields.count("kind"));
  auto no_attempts = queue_->Enqueue("k", "{}", Attempts(0));
  ASSERT_FALSE(no_attempts.ok());
  EXPECT_TRUE(no_attempts.error().fields.count("max_attempts"));
}

TEST_P(DbQueueTest, RetriesBackOffExponentiallyThenDieWithTheLastError) {
  int64_t id = MustEnqueue("k", "{}", Attempts(4));
  random_value_ = 0.5;
  const int64_t expected_delays[] = {500, 1'000, 2'000};
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Job job = MustClaim("w");
    ASSERT_EQ(job.id, id);
    ASSERT_EQ(job.attempt, attempt);
    int64_t now = clock_.NowMs();
    auto retried = queue_->Retry(id, "w", "failure " + std::to_string(attempt));
    ASSERT_TRUE(retried.ok()) << retried.error().detail;
    EXPECT_FALSE(retried->dead);
    EXPECT_EQ(retried->run_at_ms, now + expected_delays[attempt - 1]);
    JobInfo info = MustGet(id);
    EXPECT_EQ(info.status, JobStatus::kQueued);
    EXPECT_EQ(info.run_at_ms, retried->run_at_ms);
    EXPECT_EQ(info.last_error, "failure " + std::to_string(attempt));
    EXPECT_FALSE(info.lease_until_ms.has_value());
    clock_.Advance(expected_delays[attempt - 1] - 1);
    EXPECT_TRUE(NothingToClaim("w"));
    clock_.Advance(1);
  }
  Job last = MustClaim("w");
  EXPECT_EQ(last.attempt, 4);
  auto final_retry = queue_->Retry(id, "w", "it broke for good");
  ASSERT_TRUE(final_retry.ok());
  EXPECT_TRUE(final_retry->dead);
  JobInfo dead = MustGet(id);
  EXPECT_EQ(dead.status, JobStatus::kDead);
  EXPECT_EQ(dead.last_error, "it broke for good");
  EXPECT_EQ(dead.attempt, 4);
  EXPECT_EQ(dead.finished_at_ms, clock_.NowMs());
  clock_.Advance(24 * 3'600'000LL);
  EXPECT_TRUE(NothingToClaim("w"));

  auto listed = queue_->List(JobStatus::kDead, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, id);

  // An operator revives it: due now with all its attempts, the error kept until it runs again.
  ASSERT_TRUE(queue_->RetryDead(id).ok());
  JobInfo revived = MustGet(id);
  EXPECT_EQ(revived.status, JobStatus::kQueued);
  EXPECT_EQ(revived.attempt, 0);
  EXPECT_EQ(revived.last_error, "it broke for good");
  EXPECT_FALSE(revived.finished_at_ms.has_value());
  EXPECT_EQ(MustClaim("w").attempt, 1);
  Status not_dead = queue_->RetryDead(id);
  ASSERT_FALSE(not_dead.ok());
  EXPECT_EQ(not_dead.error().code, ErrorCode::kConflict);
  Status missing = queue_->RetryDead(id + 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(DbQueueTest, BackoffUsesTheInjectedRandomSource) {
  int64_t id = MustEnqueue("k", "{}");
  for (int i = 0; i < 2; ++i) {
    MustClaim("w");
    clock_.Advance(10);
    random_value_ = 0.0;
    auto retried = queue_->Retry(id, "w", "again");
    ASSERT_TRUE(retried.ok());
    EXPECT_EQ(retried->run_at_ms, clock_.NowMs());  // full jitter may retry at once
  }
  MustClaim("w");
  random_value_ = 0.75;
  auto retried = queue_->Retry(id, "w", "again");
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->run_at_ms, clock_.NowMs() + 3'000);  // 0.75 × 4 s on the third attempt
}

TEST_P(DbQueueTest, FailIsDeadAtOnceAndErrorsAreStoredSafely) {
  int64_t id = MustEnqueue("k", "{}");
  MustClaim("w");
  // A NUL, a lone continuation byte and a cut multi-byte sequence, as a hostile file's tags might give.
  std::string hostile = std::string("bad \xff tag \0 here \xc3", 18) + " ok é";
  ASSERT_TRUE(queue_->Fail(id, "w", hostile).ok());
  JobInfo dead = MustGet(id);
  EXPECT_EQ(dead.status, JobStatus::kDead);
  EXPECT_EQ(dead.attempt, 1);
  EXPECT_EQ(dead.last_error, "bad ? tag ? here ? ok é");

  int64_t long_id = MustEnqueue("k", "{}");
  MustClaim("w");
  std::string long_error(3'999, 'x');
  long_error += "é";  // two bytes: would cross the 4,000-byte limit, so it is dropped whole
  ASSERT_TRUE(queue_->Fail(long_id, "w", long_error).ok());
  EXPECT_EQ(MustGet(long_id).last_error, std::string(3'999, 'x'));
}

TEST_P(DbQueueTest, ExpiredLeaseIsClaimedByAnotherWorker) {
  int64_t id = MustEnqueue("k", "{}", Attempts(2));
  Job first = MustClaim("dead-worker");
  ASSERT_EQ(first.attempt, 1);
  clock_.Advance(kLease);
  EXPECT_TRUE(NothingToClaim("w2"));  // lease_until is not yet in the past
  clock_.Advance(1);
  Job second = MustClaim("w2");
  EXPECT_EQ(second.id, id);
  EXPECT_EQ(second.attempt, 2);
  JobInfo info = MustGet(id);
  EXPECT_EQ(info.locked_by, "w2");
  ASSERT_TRUE(info.last_error.has_value());
  EXPECT_NE(info.last_error->find("lease expired"), std::string::npos);

  // The first worker wakes up: it owns nothing any more.
  auto beat = queue_->Heartbeat(id, "dead-worker", kLease);
  ASSERT_TRUE(beat.ok());
  EXPECT_FALSE(*beat);
  Status late = queue_->Complete(id, "dead-worker");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().slug, kLeaseLostSlug);
  auto late_retry = queue_->Retry(id, "dead-worker", "x");
  ASSERT_FALSE(late_retry.ok());
  EXPECT_EQ(late_retry.error().code, ErrorCode::kConflict);

  // w2 dies too, on the last attempt: nobody claims it again, and reaping ends it.
  clock_.Advance(kLease + 1);
  EXPECT_TRUE(NothingToClaim("w3"));
  EXPECT_EQ(MustGet(id).status, JobStatus::kRunning);
  auto reaped = queue_->ReapExpired();
  ASSERT_TRUE(reaped.ok());
  EXPECT_EQ(*reaped, 1);
  JobInfo dead = MustGet(id);
  EXPECT_EQ(dead.status, JobStatus::kDead);
  EXPECT_NE(dead.last_error->find("last attempt"), std::string::npos);
  EXPECT_EQ(*queue_->ReapExpired(), 0);
}

TEST_P(DbQueueTest, HeartbeatKeepsTheJobOwned) {
  int64_t id = MustEnqueue("k", "{}");
  MustClaim("w1");
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(kLease * 2 / 3);
    auto beat = queue_->Heartbeat(id, "w1", kLease);
    ASSERT_TRUE(beat.ok());
    EXPECT_TRUE(*beat);
    EXPECT_EQ(MustGet(id).lease_until_ms, clock_.NowMs() + kLease);
    EXPECT_TRUE(NothingToClaim("w2"));
  }
  // Another worker's heartbeat does not touch it.
  auto foreign = queue_->Heartbeat(id, "w2", kLease);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(*foreign);
  EXPECT_TRUE(queue_->Complete(id, "w1").ok());
}

TEST_P(DbQueueTest, ReleaseRequeuesWithoutCountingTheAttempt) {
  int64_t id = MustEnqueue("k", "{}");
  MustClaim("w");
  ASSERT_TRUE(queue_->Release(id, "w").ok());
  JobInfo info = MustGet(id);
  EXPECT_EQ(info.status, JobStatus::kQueued);
  EXPECT_EQ(info.attempt, 0);
  EXPECT_EQ(MustClaim("w2").attempt, 1);
  EXPECT_FALSE(queue_->Release(id, "w").ok());
}

TEST_P(DbQueueTest, EnqueueInFollowsTheCallersTransaction) {
  Status rolled_back = db().InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(s.Execute("INSERT INTO instance_settings (key, value, updated_at) VALUES ('a', 'b', 1)"));
    VEZA_TRY(queue_->EnqueueIn(s, "media.process", "{}", Key("t1")));
    return Validation({{"title", "required"}});
  });
  ASSERT_FALSE(rolled_back.ok());
  EXPECT_EQ(rolled_back.error().code, ErrorCode::kValidation);
  EXPECT_TRUE(NothingToClaim("w"));
  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_TRUE(counts->empty());

  int64_t committed_id = 0;
  Status committed = db().InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(committed_id, queue_->EnqueueIn(s, "media.process", "{}", Key("t1")));
    // A duplicate in the same transaction leaves it usable (no aborted transaction on PostgreSQL).
    VEZA_ASSIGN_OR_RETURN(int64_t again, queue_->EnqueueIn(s, "media.process", "{}", Key("t1")));
    if (again != committed_id) return Internal("duplicate got a new id");
    VEZA_TRY(s.Execute("INSERT INTO instance_settings (key, value, updated_at) VALUES ('a', 'b', 1)"));
    return Ok();
  });
  ASSERT_TRUE(committed.ok()) << committed.error().detail;
  EXPECT_EQ(MustClaim("w").id, committed_id);
}

TEST_P(DbQueueTest, ListCountsAndPurge) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(MustEnqueue(i < 3 ? "a" : "b", "{}"));
  for (int i = 0; i < 2; ++i) {
    Job job = MustClaim("w", {"a"});
    ASSERT_TRUE(queue_->Complete(job.id, "w").ok());
    clock_.Advance(1'000);
  }
  MustClaim("w", {"b"});

  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok());
  std::vector<std::tuple<std::string, JobStatus, int64_t>> got;
  for (const JobCount& c : *counts) got.emplace_back(c.kind, c.status, c.count);
  std::vector<std::tuple<std::string, JobStatus, int64_t>> want = {{"a", JobStatus::kDone, 2},
                                                                   {"a", JobStatus::kQueued, 1},
                                                                   {"b", JobStatus::kQueued, 1},
                                                                   {"b", JobStatus::kRunning, 1}};
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  auto page1 = queue_->List(JobStatus::kDone, 1);
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 1u);
  EXPECT_EQ((*page1)[0].id, ids[1]);  // newest first
  auto page2 = queue_->List(JobStatus::kDone, 1, (*page1)[0].id);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, ids[0]);
  EXPECT_FALSE(queue_->List(JobStatus::kDone, 0).ok());

  // ids[0] finished at t0, ids[1] at t0 + 1 s; now is t0 + 2 s.
  auto purged = queue_->PurgeDone(clock_.NowMs() - 1'500, 100);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  auto gone = queue_->Get(ids[0]);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(MustGet(ids[1]).status, JobStatus::kDone);
}

TEST_P(DbQueueTest, ConcurrentClaimersNeverShareAJobAndDrainExactlyOnce) {
  constexpr int kJobs = 500;
  constexpr int kThreadsPerHandle = 4;
  db::DatabaseOptions options;
  options.pool_size = kThreadsPerHandle + 1;
  auto second_db = db::Open(scratch_->url(), options);
  ASSERT_TRUE(second_db.ok()) << second_db.error().detail;
  SystemClock system_clock;
  IdGenerator ids2(system_clock, 2);
  DbQueue second_queue(**second_db, ids2, clock_);

  Status filled = db().InTransaction([&](db::Session& s) -> Status {
    for (int i = 0; i < kJobs; ++i) VEZA_TRY(queue_->EnqueueIn(s, "k", std::to_string(i)));
    return Ok();
  });
  ASSERT_TRUE(filled.ok()) << filled.error().detail;

  std::mutex mu;
  std::set<int64_t> claimed;
  std::atomic<int> duplicates{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int h = 0; h < 2; ++h) {
    DbQueue* queue = h == 0 ? queue_.get() : &second_queue;
    for (int t = 0; t < kThreadsPerHandle; ++t) {
      std::string worker = "h" + std::to_string(h) + "t" + std::to_string(t);
      threads.emplace_back([&, queue, worker] {
        int empty_in_a_row = 0;
        while (empty_in_a_row < 3) {
          auto job = queue->Claim(worker, {"k"}, 60'000);
          if (!job.ok()) {
            ++errors;
            continue;
          }
          if (!job->has_value()) {
            ++empty_in_a_row;
            continue;
          }
          empty_in_a_row = 0;
          {
            std::lock_guard lock(mu);
            if (!claimed.insert((*job)->id).second) ++duplicates;
          }
          if (!queue->Complete((*job)->id, worker).ok()) ++errors;
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].status, JobStatus::kDone);
  EXPECT_EQ((*counts)[0].count, kJobs);
}

INSTANTIATE_TEST_SUITE_P(Engines, DbQueueTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::jobs
