#include "jobs/runner.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <random>

#include "core/log.h"

namespace veza::jobs {

namespace {

int WorkerCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string DefaultNodeName() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof(host), "node");
  // The random part keeps worker ids unique when a container restarts with the same hostname and pid.
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(rd()));
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

// Recording an outcome is retried briefly when the database is unavailable, so a blip does not leave
// the job running until its lease expires and it runs again.
template <typename T>
Result<T> WithRetries(const std::function<Result<T>()>& call) {
  for (int attempt = 1;; ++attempt) {
    Result<T> r = call();
    if (r.ok() || r.error().code != ErrorCode::kUnavailable || attempt == 3) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

}  // namespace

std::string_view RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kDone:
      return "done";
    case RunOutcome::kRetried:
      return "retried";
    case RunOutcome::kDead:
      return "dead";
    case RunOutcome::kReleased:
      return "released";
    case RunOutcome::kLeaseLost:
      return "lease_lost";
  }
  return "done";
}

Runner::Runner(DbQueue& queue, const Clock& clock, RunnerOptions options, RunnerHooks hooks)
    : queue_(queue),
      clock_(clock),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      workers_(WorkerCount(options_.workers)),
      node_name_(options_.node_name.empty() ? DefaultNodeName() : options_.node_name) {}

Runner::~Runner() {
  Stop(std::chrono::milliseconds(0));
}

void Runner::Register(std::string kind, JobHandler handler) {
  std::lock_guard lock(mu_);
  // Workers read the handlers without a lock once started.
  if (started_) {
    log::Error("job handler registered after the runner started; ignored", {{"kind", kind}});
    return;
  }
  handlers_[std::move(kind)] = std::move(handler);
}

Status Runner::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return MakeError(ErrorCode::kConflict, "The job runner was already started.");
    if (handlers_.empty()) return Validation({{"handlers", "register at least one job kind before Start"}});
    if (options_.lease_ms < 3) return Validation({{"lease_ms", "must be at least 3"}});
    started_ = true;
    kinds_.clear();
    for (const auto& [kind, handler] : handlers_) kinds_.push_back(kind);
    for (int i = 0; i < workers_; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->worker_id = node_name_ + "/" + std::to_string(i);
      slots_.push_back(std::move(slot));
    }
  }
  listener_ = queue_.AddEnqueueListener([this] { Notify(); });
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
  for (auto& slot : slots_) {
    Slot* s = slot.get();
    threads_.emplace_back([this, s] { WorkerLoop(*s); });
  }
  log::Info("job runner started", {{"node", node_name_}, {"workers", workers_}});
  return Ok();
}

void Runner::Notify() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  wake_cv_.notify_all();
}

int Runner::Busy() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(
      std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return s->job_id != 0; }));
}

bool Runner::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopped_) return true;
    stopping_ = true;
  }
  queue_.RemoveEnqueueListener(listener_);
  wake_cv_.notify_all();
  bool in_time = false;
  {
    std::unique_lock lock(mu_);
    in_time = idle_cv_.wait_for(lock, deadline, [&] {
      return std::none_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->job_id != 0; });
    });
    if (!in_time) {
      shutting_down_ = true;
      for (auto& slot : slots_) {
        if (slot->job_id != 0) slot->stop = true;
      }
    }
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  wake_cv_.notify_all();
  heartbeat_thread_.join();
  log::Info("job runner stopped", {{"node", node_name_}, {"in_time", in_time}});
  return in_time;
}

void Runner::Wait(std::chrono::milliseconds timeout, uint64_t seen_generation) {
  std::unique_lock lock(mu_);
  wake_cv_.wait_for(lock, timeout, [&] { return stopping_ || generation_ != seen_generation; });
}

void Runner::WorkerLoop(Slot& slot) {
  const auto poll = std::chrono::milliseconds(std::max<int64_t>(1, options_.poll_interval_ms));
  for (;;) {
    uint64_t seen = 0;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      // Read before claiming, so an enqueue that lands during the claim still wakes this worker.
      seen = generation_;
    }
    auto claimed = queue_.Claim(slot.worker_id, kinds_, options_.lease_ms);
    if (!claimed.ok()) {
      log::Warn("job claim failed", {{"worker", slot.worker_id},
                                     {"error", claimed.error().detail.empty() ? claimed.error().message
                                                                              : claimed.error().detail}});
      Wait(poll, seen);
      continue;
    }
    if (!claimed->has_value()) {
      Wait(poll, seen);
      continue;
    }
    Job job = std::move(**claimed);
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
      if (!stopping) {
        slot.job_id = job.id;
        slot.stop = false;
      }
    }
    if (stopping) {
      // Claimed while Stop began: hand it back untouched.
      Status released = queue_.Release(job.id, slot.worker_id);
      if (!released.ok())
        log::Warn("job release failed", {{"job", job.id}, {"error", released.error().detail}});
      return;
    }
    auto handler = handlers_.find(job.kind);
    RunJob(slot, std::move(job), handler->second);
    {
      std::lock_guard lock(mu_);
      slot.job_id = 0;
      slot.stop = false;
    }
    idle_cv_.notify_all();
  }
}

void Runner::RunJob(Slot& slot, Job job, const JobHandler& handler) {
  job.stop = &slot.stop;
  if (hooks_.job_started) hooks_.job_started(job.kind);
  int64_t started_ns = clock_.MonotonicNs();
  JobOutcome outcome;
  try {
    outcome = handler(job);
  } catch (const std::exception& e) {
    outcome = JobOutcome::Retry(std::string("handler threw: ") + e.what());
  } catch (...) {
    outcome = JobOutcome::Retry("handler threw a non-standard exception");
  }
  int64_t duration_ms = (clock_.MonotonicNs() - started_ns) / 1'000'000;

  RunOutcome run = RunOutcome::kLeaseLost;
  Error failure;
  auto record = [&](Status s, RunOutcome on_success) {
    if (s.ok()) {
      run = on_success;
    } else {
      failure = std::move(s).error();
    }
  };
  switch (outcome.kind) {
    case JobOutcome::Kind::kDone:
      record(WithRetries<void>([&] { return queue_.Complete(job.id, slot.worker_id); }), RunOutcome::kDone);
      break;
    case JobOutcome::Kind::kRetry:
      if (shutting_down_) {
        record(WithRetries<void>([&] { return queue_.Release(job.id, slot.worker_id); }),
               RunOutcome::kReleased);
      } else {
        Result<RetryResult> r =
            WithRetries<RetryResult>([&] { return queue_.Retry(job.id, slot.worker_id, outcome.error); });
        if (r.ok()) {
          run = r->dead ? RunOutcome::kDead : RunOutcome::kRetried;
        } else {
          failure = std::move(r).error();
        }
      }
      break;
    case JobOutcome::Kind::kFail:
      record(WithRetries<void>([&] { return queue_.Fail(job.id, slot.worker_id, outcome.error); }),
             RunOutcome::kDead);
      break;
  }

  if (run == RunOutcome::kLeaseLost) {
    log::Warn("job outcome not recorded",
              {{"job", job.id},
               {"kind", job.kind},
               {"worker", slot.worker_id},
               {"error", failure.detail.empty() ? failure.message : failure.detail}});
  } else if (run == RunOutcome::kRetried || run == RunOutcome::kDead) {
    log::Warn(run == RunOutcome::kDead ? "job dead" : "job will be retried",
              {{"job", job.id}, {"kind", job.kind}, {"attempt", job.attempt}, {"error", outcome.error}});
  } else {
    log::Debug("job finished", {{"job", job.id}, {"kind", job.kind}, {"outcome", RunOutcomeName(run)}});
  }
  if (hooks_.job_finished) hooks_.job_finished(job.kind, run, duration_ms);
}

void Runner::HeartbeatLoop() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(1, options_.lease_ms / 3));
  const auto maintenance_every =
      std::chrono::milliseconds(std::max<int64_t>(1, options_.maintenance_interval_ms));
  auto next_maintenance = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  for (;;) {
    if (wake_cv_.wait_for(lock, period, [&] { return stopped_; })) return;
    struct Beat {
      Slot* slot;
      int64_t job_id;
    };
    std::vector<Beat> beats;
    for (auto& slot : slots_) {
      if (slot->job_id != 0) beats.push_back({slot.get(), slot->job_id});
    }
    lock.unlock();
    for (const Beat& beat : beats) {
      Result<bool> owned = queue_.Heartbeat(beat.job_id, beat.slot->worker_id, options_.lease_ms);
      if (!owned.ok()) {
        log::Warn("job heartbeat failed", {{"job", beat.job_id}, {"error", owned.error().detail}});
      } else if (!*owned) {
        std::lock_guard relock(mu_);
        // Only if the slot still runs that job: it may have finished while we were heartbeating.
        if (beat.slot->job_id == beat.job_id) {
          beat.slot->stop = true;
          log::Warn("job lease lost; asking the handler to stop", {{"job", beat.job_id}});
        }
      }
    }
    if (std::chrono::steady_clock::now() >= next_maintenance) {
      next_maintenance = std::chrono::steady_clock::now() + maintenance_every;
      Result<int64_t> reaped = queue_.ReapExpired();
      if (!reaped.ok()) {
        log::Warn("job reaping failed", {{"error", reaped.error().detail}});
      } else if (*reaped > 0) {
        log::Warn("jobs dead after their worker stopped on the last attempt", {{"count", *reaped}});
      }
      if (options_.retain_done_ms > 0) {
        Result<int64_t> purged = queue_.PurgeDone(queue_.clock().NowMs() - options_.retain_done_ms, 1'000);
        if (!purged.ok()) log::Warn("job purge failed", {{"error", purged.error().detail}});
      }
    }
    lock.lock();
  }
}

}  // namespace veza::jobs
