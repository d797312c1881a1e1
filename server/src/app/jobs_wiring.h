#pragma once
/// Background jobs in the app: the queue every domain enqueues on, the runner that executes the
/// handlers domains register, and their metrics.

#include <string>
#include <utility>
#include <vector>

#include "app/config.h"
#include "jobs/db_queue.h"
#include "jobs/runner.h"

namespace veza::obs {
class Registry;
}

namespace veza::app {

/// Handlers collected from the domains during wiring, registered on the runner at start.
using JobHandlerList = std::vector<std::pair<std::string, jobs::JobHandler>>;

/// veza_jobs_started_total{kind}, veza_jobs_finished_total{kind,outcome},
/// veza_job_duration_seconds{kind}, and veza_jobs{kind,status} read from the table at scrape time.
jobs::RunnerHooks JobMetrics(obs::Registry& registry, jobs::DbQueue& queue);

jobs::RunnerOptions RunnerOptionsFrom(const Config& config);

/// Starts `runner` with `handlers` when there are any; false (logged) when it could not start.
bool StartRunner(jobs::Runner& runner, const JobHandlerList& handlers);

}  // namespace veza::app
