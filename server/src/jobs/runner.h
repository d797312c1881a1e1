#pragma once
/// Worker threads that claim jobs from a DbQueue, run the registered handler, keep the lease alive
/// while it runs, and record the outcome.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/db_queue.h"
#include "jobs/queue.h"

namespace veza::jobs {

/// How one run of a job ended, as recorded in the table.
enum class RunOutcome {
  kDone,       // handler succeeded
  kRetried,    // failed, another attempt scheduled
  kDead,       // failed for good (JobOutcome::Fail, or the last attempt)
  kReleased,   // the runner was stopping: put back without counting the attempt
  kLeaseLost,  // another worker took the job over, or recording the outcome failed
};

/// "done", "retried", "dead", "released", "lease_lost" (metric labels).
std::string_view RunOutcomeName(RunOutcome outcome);

/// Callbacks for metrics; called on worker threads, must be thread-safe and quick. Either may be empty.
struct RunnerHooks {
  std::function<void(std::string_view kind)> job_started;
  std::function<void(std::string_view kind, RunOutcome outcome, int64_t duration_ms)> job_finished;
};

struct RunnerOptions {
  int workers = 0;                           // 0: std::thread::hardware_concurrency() (at least 1)
  int64_t lease_ms = 60'000;                 // heartbeats every lease_ms / 3 while a handler runs
  int64_t poll_interval_ms = 1'000;          // idle workers look for due jobs this often; Notify() wakes them
  int64_t maintenance_interval_ms = 60'000;  // ReapExpired and PurgeDone this often
  int64_t retain_done_ms = 7LL * 24 * 3'600'000;  // done jobs older than this are purged; 0 keeps them
  std::string node_name;  // "": <hostname>:<pid>:<random>; worker ids are <node_name>/<n>
};

/// Runs handlers for the kinds registered on it. Start once, Stop once (the destructor stops too).
class Runner {
 public:
  /// `clock` measures handler durations for the hooks (MonotonicNs).
  Runner(DbQueue& queue, const Clock& clock, RunnerOptions options = {}, RunnerHooks hooks = {});
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  /// Handles jobs of `kind`; before Start. A second registration of a kind replaces the first.
  void Register(std::string kind, JobHandler handler);

  /// Starts the worker threads and the heartbeat/maintenance thread, and subscribes to the queue's
  /// enqueue notifications. kValidation when no handler is registered; kConflict when already started.
  Status Start();

  /// Wakes idle workers now (a job was enqueued on this node).
  void Notify();

  /// Stops claiming, waits up to `deadline` for running handlers, then sets Job::stop on those still
  /// running and waits for them to return (a handler that returns Retry then is released without
  /// counting the attempt). True when every handler finished within the deadline.
  bool Stop(std::chrono::milliseconds deadline);

  int workers() const { return workers_; }
  const std::string& node_name() const { return node_name_; }

  /// Jobs running right now.
  int Busy() const;

 private:
  struct Slot {
    std::string worker_id;
    int64_t job_id = 0;  // 0 when idle
    std::atomic<bool> stop{false};
  };

  void WorkerLoop(Slot& slot);
  void RunJob(Slot& slot, Job job, const JobHandler& handler);
  void HeartbeatLoop();
  void Wait(std::chrono::milliseconds timeout, uint64_t seen_generation);

  DbQueue& queue_;
  const Clock& clock_;
  const RunnerOptions options_;
  const RunnerHooks hooks_;
  const int workers_;
  const std::string node_name_;

  std::map<std::string, JobHandler, std::less<>> handlers_;
  std::vector<std::string> kinds_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;  // idle workers and the heartbeat thread wait here
  std::condition_variable idle_cv_;  // Stop waits here for slots to go idle
  uint64_t generation_ = 0;          // bumped by Notify
  bool started_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::atomic<bool> shutting_down_{false};  // past the Stop deadline: Retry becomes Release
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
  std::thread heartbeat_thread_;
  int listener_ = 0;
};

}  // namespace veza::jobs
