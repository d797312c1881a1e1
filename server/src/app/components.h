#pragma once
/// The components every subcommand that serves or works shares, opened once from the config.
/// Domain wiring functions take a Components& and add their routes and job handlers.

#include <memory>

#include "app/config.h"
#include "app/identity.h"
#include "app/jobs_wiring.h"
#include "app/tracks_wiring.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "http/router.h"
#include "jobs/db_queue.h"
#include "kv/store.h"
#include "observability/metrics.h"
#include "storage/object_store.h"
#include "uploads/upload_cleaner.h"
#include "uploads/upload_service.h"

namespace veza::app {

struct Components {
  explicit Components(const Config& c) : config(c), ids(clock, c.node_id) {}

  const Config& config;
  SystemClock clock;
  IdGenerator ids;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<storage::ObjectStore> objects;
  obs::Registry registry;
  std::unique_ptr<jobs::DbQueue> queue;
  std::unique_ptr<kv::Store> kv;  // Redis when redis.url is set (shared by every node), else in memory
  std::unique_ptr<Identity> identity;  // users, sessions, mail: other domains ask it who is who
  std::unique_ptr<TracksComponents> tracks;
  std::unique_ptr<uploads::UploadService> uploads;  // resumable (tus) uploads
  std::unique_ptr<uploads::UploadCleaner> upload_cleaner;  // after `uploads`, so it stops first
  JobHandlerList job_handlers;  // filled by the domains, run by the job runner
};

/// Creates the data directory, opens the database (migrating when configured), object storage and
/// the job queue. Failures are logged with what to fix.
Result<std::unique_ptr<Components>> OpenComponents(const Config& config);

/// Every domain's routes and job handlers, in one place.
void WireDomains(Components& components, http::Router& router);

}  // namespace veza::app
