#include "app/jobs_wiring.h"

#include "core/log.h"
#include "observability/metrics.h"

namespace veza::app {

jobs::RunnerHooks JobMetrics(obs::Registry& registry, jobs::DbQueue& queue) {
  auto& started = registry.AddCounter("veza_jobs_started_total", "Jobs started, by kind.", {"kind"});
  auto& finished =
      registry.AddCounter("veza_jobs_finished_total", "Jobs finished, by kind and outcome.", {"kind", "outcome"});
  auto& duration = registry.AddHistogram("veza_job_duration_seconds", "Time a job's handler ran, by kind.",
                                         {"kind"}, {0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800});
  registry.AddCollector([&queue](std::vector<obs::CollectedMetric>& out) {
    auto counts = queue.Counts();
    if (!counts.ok()) return;  // the database is down: /health/deep says so
    obs::CollectedMetric m{.name = "veza_jobs", .help = "Jobs in the table, by kind and status.",
                           .type = obs::MetricType::kGauge, .samples = {}};
    for (const auto& c : *counts) {
      m.samples.push_back({{{"kind", c.kind}, {"status", std::string(jobs::JobStatusName(c.status))}},
                           static_cast<double>(c.count)});
    }
    out.push_back(std::move(m));
  });
  return {
      .job_started = [&started](std::string_view kind) { started.WithLabels({kind}).Inc(); },
      .job_finished =
          [&finished, &duration](std::string_view kind, jobs::RunOutcome outcome, int64_t duration_ms) {
            finished.WithLabels({kind, jobs::RunOutcomeName(outcome)}).Inc();
            duration.WithLabels({kind}).Observe(static_cast<double>(duration_ms) / 1000.0);
          },
  };
}

jobs::RunnerOptions RunnerOptionsFrom(const Config& config) {
  jobs::RunnerOptions o;
  o.workers = config.jobs_workers;
  o.lease_ms = config.jobs_lease_ms;
  return o;
}

bool StartRunner(jobs::Runner& runner, const JobHandlerList& handlers) {
  if (handlers.empty()) return true;  // nothing to run yet
  for (const auto& [kind, handler] : handlers) runner.Register(kind, handler);
  Status s = runner.Start();
  if (!s.ok()) {
    log::Error("cannot start the job runner", {{"error", s.error().message}});
    return false;
  }
  log::Info("job runner started", {{"workers", runner.workers()}, {"kinds", static_cast<int64_t>(handlers.size())}});
  return true;
}

}  // namespace veza::app
