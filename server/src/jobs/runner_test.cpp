// Runner on both engines with real threads and time: handlers, retries, heartbeats, Stop.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "db/migrate.h"
#include "db/testing/test_database.h"

namespace veza::jobs {
namespace {

using db::testing::Engine;
using db::testing::EngineTest;
using namespace std::chrono_literals;

EnqueueOptions RunAt(int64_t ms) {
  EnqueueOptions o;
  o.run_at_ms = ms;
  return o;
}
EnqueueOptions Attempts(int n) {
  EnqueueOptions o;
  o.max_attempts = n;
  return o;
}

// Records hook calls for assertions.
struct HookLog {
  std::mutex mu;
  int started = 0;
  std::map<RunOutcome, int> finished;
  std::vector<int64_t> durations;

  RunnerHooks Hooks() {
    RunnerHooks hooks;
    hooks.job_started = [this](std::string_view) {
      std::lock_guard lock(mu);
      ++started;
    };
    hooks.job_finished = [this](std::string_view, RunOutcome outcome, int64_t duration_ms) {
      std::lock_guard lock(mu);
      ++finished[outcome];
      durations.push_back(duration_ms);
    };
    return hooks;
  }
  int Finished(RunOutcome outcome) {
    std::lock_guard lock(mu);
    return finished[outcome];
  }
};

class RunnerTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto migrated = db::Migrate(db(), db::EmbeddedMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.error().detail;
    // Jitter at 0: retries are due at once, so the tests need not wait out real backoff.
    queue_ = std::make_unique<DbQueue>(db(), ids_, clock_, [] { return 0.0; });
  }

  RunnerOptions Options(int workers = 2) {
    RunnerOptions options;
    options.workers = workers;
    options.lease_ms = 3'000;
    options.poll_interval_ms = 50;
    options.node_name = "test-node";
    return options;
  }

  // Polls until the job reaches `status` or 20 s pass.
  JobInfo WaitFor(int64_t id, JobStatus status) {
    auto until = std::chrono::steady_clock::now() + 20s;
    JobInfo last;
    while (std::chrono::steady_clock::now() < until) {
      auto info = queue_->Get(id);
      if (info.ok() && info->has_value()) {
        last = **info;
        if (last.status == status) return last;
      }
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "job " << id << " never reached " << JobStatusName(status) << "; it is "
                  << JobStatusName(last.status);
    return last;
  }

  SystemClock clock_;
  IdGenerator ids_{clock_, 3};
  std::unique_ptr<DbQueue> queue_;
};

TEST_P(RunnerTest, HandlerThatFailsTwiceThenSucceeds) {
  HookLog hooks;
  Runner runner(*queue_, clock_, Options(), hooks.Hooks());
  std::atomic<int> calls{0};
  std::vector<int> attempts_seen;
  std::mutex mu;
  runner.Register("flaky", [&](const Job& job) {
    {
      std::lock_guard lock(mu);
      attempts_seen.push_back(job.attempt);
    }
    EXPECT_EQ(job.payload, R"({"n":1})");
    EXPECT_NE(job.stop, nullptr);
    int n = ++calls;
    if (n == 1) return JobOutcome::Retry("first failure");
    if (n == 2) throw std::runtime_error("second failure");
    return JobOutcome::Done();
  });
  ASSERT_TRUE(runner.Start().ok());
  auto id = queue_->Enqueue("flaky", R"({"n":1})");
  ASSERT_TRUE(id.ok());
  JobInfo done = WaitFor(*id, JobStatus::kDone);
  EXPECT_EQ(done.attempt, 3);
  EXPECT_EQ(done.last_error, "handler threw: second failure");
  ASSERT_NE(done.locked_by, std::nullopt);
  EXPECT_EQ(done.locked_by->rfind("test-node/", 0), 0u);
  EXPECT_TRUE(runner.Stop(5s));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(attempts_seen, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(hooks.started, 3);
  EXPECT_EQ(hooks.Finished(RunOutcome::kRetried), 2);
  EXPECT_EQ(hooks.Finished(RunOutcome::kDone), 1);
}

TEST_P(RunnerTest, FailAndExhaustedRetriesEndDead) {
  HookLog hooks;
  Runner runner(*queue_, clock_, Options(), hooks.Hooks());
  runner.Register("permanent", [](const Job&) { return JobOutcome::Fail("unsupported format"); });
  runner.Register("always", [](const Job&) -> JobOutcome { throw std::runtime_error("boom"); });
  ASSERT_TRUE(runner.Start().ok());
  auto permanent = queue_->Enqueue("permanent", "{}");
  auto always = queue_->Enqueue("always", "{}", Attempts(3));
  ASSERT_TRUE(permanent.ok() && always.ok());
  JobInfo dead1 = WaitFor(*permanent, JobStatus::kDead);
  EXPECT_EQ(dead1.attempt, 1);
  EXPECT_EQ(dead1.last_error, "unsupported format");
  JobInfo dead2 = WaitFor(*always, JobStatus::kDead);
  EXPECT_EQ(dead2.attempt, 3);
  EXPECT_EQ(dead2.last_error, "handler threw: boom");
  EXPECT_TRUE(runner.Stop(5s));
  EXPECT_EQ(hooks.Finished(RunOutcome::kDead), 2);
  EXPECT_EQ(hooks.Finished(RunOutcome::kRetried), 2);
}

TEST_P(RunnerTest, UnregisteredKindsAreLeftForOtherNodes) {
  Runner runner(*queue_, clock_, Options());
  runner.Register("mine", [](const Job&) { return JobOutcome::Done(); });
  ASSERT_TRUE(runner.Start().ok());
  auto other = queue_->Enqueue("theirs", "{}");
  auto mine = queue_->Enqueue("mine", "{}");
  ASSERT_TRUE(other.ok() && mine.ok());
  WaitFor(*mine, JobStatus::kDone);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ((*queue_->Get(*other))->status, JobStatus::kQueued);
  EXPECT_TRUE(runner.Stop(5s));
}

TEST_P(RunnerTest, EnqueueOnThisNodeWakesIdleWorkers) {
  RunnerOptions options = Options(1);
  options.poll_interval_ms = 60'000;
  Runner runner(*queue_, clock_, options);
  runner.Register("k", [](const Job&) { return JobOutcome::Done(); });
  ASSERT_TRUE(runner.Start().ok());
  std::this_thread::sleep_for(200ms);  // the worker has found nothing and sleeps for a minute
  auto started = std::chrono::steady_clock::now();
  auto id = queue_->Enqueue("k", "{}");
  ASSERT_TRUE(id.ok());
  WaitFor(*id, JobStatus::kDone);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_TRUE(runner.Stop(5s));
}

TEST_P(RunnerTest, HeartbeatsKeepALongJobFromBeingTakenOver) {
  RunnerOptions options = Options(1);
  options.lease_ms = 900;  // heartbeats every 300 ms leave 600 ms of slack on a loaded machine
  Runner runner(*queue_, clock_, options);
  std::atomic<bool> running{false};
  runner.Register("long", [&](const Job&) {
    running = true;
    std::this_thread::sleep_for(2'500ms);  // almost three leases
    return JobOutcome::Done();
  });
  ASSERT_TRUE(runner.Start().ok());
  auto id = queue_->Enqueue("long", "{}");
  ASSERT_TRUE(id.ok());
  while (!running) std::this_thread::sleep_for(5ms);
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(250ms);
    auto stolen = queue_->Claim("thief", {"long"}, 900);
    ASSERT_TRUE(stolen.ok());
    EXPECT_FALSE(stolen->has_value()) << "lease expired while the handler was running";
  }
  JobInfo done = WaitFor(*id, JobStatus::kDone);
  EXPECT_EQ(done.attempt, 1);
  EXPECT_TRUE(runner.Stop(5s));
}

TEST_P(RunnerTest, LostLeaseAsksTheHandlerToStop) {
  RunnerOptions options = Options(1);
  options.lease_ms = 300;
  HookLog hooks;
  Runner runner(*queue_, clock_, options, hooks.Hooks());
  std::atomic<bool> running{false};
  std::atomic<bool> saw_stop{false};
  runner.Register("k", [&](const Job& job) {
    running = true;
    auto until = std::chrono::steady_clock::now() + 10s;
    while (!job.StopRequested() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    saw_stop = job.StopRequested();
    return JobOutcome::Done();
  });
  ASSERT_TRUE(runner.Start().ok());
  auto id = queue_->Enqueue("k", "{}");
  ASSERT_TRUE(id.ok());
  while (!running) std::this_thread::sleep_for(5ms);
  // Another node decides the job is abandoned (as after a long network partition) and takes it.
  Status taken = db().InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(s.Execute("UPDATE jobs SET locked_by = 'other-node/0' WHERE id = $1", {*id}));
    return Ok();
  });
  ASSERT_TRUE(taken.ok());
  auto until = std::chrono::steady_clock::now() + 10s;
  while (hooks.Finished(RunOutcome::kLeaseLost) == 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(saw_stop.load());
  EXPECT_EQ(hooks.Finished(RunOutcome::kLeaseLost), 1);
  EXPECT_EQ((*queue_->Get(*id))->status, JobStatus::kRunning);  // the other node's to finish
  EXPECT_TRUE(runner.Stop(5s));
}

TEST_P(RunnerTest, StopWaitsForTheRunningJob) {
  Runner runner(*queue_, clock_, Options(1));
  std::atomic<bool> running{false};
  std::atomic<bool> finished{false};
  runner.Register("k", [&](const Job&) {
    running = true;
    std::this_thread::sleep_for(700ms);
    finished = true;
    return JobOutcome::Done();
  });
  ASSERT_TRUE(runner.Start().ok());
  auto id = queue_->Enqueue("k", "{}");
  auto queued_after = queue_->Enqueue("k", "{}", RunAt(clock_.NowMs() + 500));
  ASSERT_TRUE(id.ok() && queued_after.ok());
  while (!running) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(runner.Busy(), 1);
  EXPECT_TRUE(runner.Stop(10s));
  EXPECT_TRUE(finished.load());
  EXPECT_EQ(runner.Busy(), 0);
  EXPECT_EQ((*queue_->Get(*id))->status, JobStatus::kDone);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ((*queue_->Get(*queued_after))->status, JobStatus::kQueued);  // no new claims after Stop
}

TEST_P(RunnerTest, StopPastItsDeadlineCancelsAndReleasesTheJob) {
  HookLog hooks;
  Runner runner(*queue_, clock_, Options(1), hooks.Hooks());
  std::atomic<bool> running{false};
  runner.Register("k", [&](const Job& job) {
    running = true;
    while (!job.StopRequested()) std::this_thread::sleep_for(5ms);
    return JobOutcome::Retry("interrupted by shutdown");
  });
  ASSERT_TRUE(runner.Start().ok());
  auto id = queue_->Enqueue("k", "{}");
  ASSERT_TRUE(id.ok());
  while (!running) std::this_thread::sleep_for(5ms);
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(runner.Stop(300ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  JobInfo info = **queue_->Get(*id);
  EXPECT_EQ(info.status, JobStatus::kQueued);
  EXPECT_EQ(info.attempt, 0);  // released: the interrupted run does not count
  EXPECT_EQ(hooks.Finished(RunOutcome::kReleased), 1);
}

TEST_P(RunnerTest, ManyWorkersRunEachJobOnce) {
  Runner runner(*queue_, clock_, Options(4));
  std::mutex mu;
  std::map<int64_t, int> runs;
  runner.Register("k", [&](const Job& job) {
    std::lock_guard lock(mu);
    ++runs[job.id];
    return JobOutcome::Done();
  });
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.workers(), 4);
  std::vector<int64_t> ids;
  for (int i = 0; i < 60; ++i) {
    auto id = queue_->Enqueue("k", std::to_string(i));
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  for (int64_t id : ids) WaitFor(id, JobStatus::kDone);
  EXPECT_TRUE(runner.Stop(5s));
  EXPECT_EQ(runs.size(), ids.size());
  for (const auto& [id, count] : runs) EXPECT_EQ(count, 1) << id;
}

TEST_P(RunnerTest, StartRefusesNoHandlersAndTwice) {
  Runner empty(*queue_, clock_, Options());
  Status none = empty.Start();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kValidation);

  RunnerOptions defaults;
  defaults.node_name = "";
  Runner runner(*queue_, clock_, defaults);
  EXPECT_EQ(runner.workers(), std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_NE(runner.node_name().find(':'), std::string::npos);
  runner.Register("k", [](const Job&) { return JobOutcome::Done(); });
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_FALSE(runner.Start().ok());
  EXPECT_TRUE(runner.Stop(5s));
}

INSTANTIATE_TEST_SUITE_P(Engines, RunnerTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::jobs
