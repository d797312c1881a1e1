#pragma once
/// Wiring of the tracks domain: signer, service, routes and the processing job handler.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "core/ids.h"
#include "db/session.h"
#include "http/router.h"
#include "jobs/queue.h"
#include "observability/metrics.h"
#include "storage/object_store.h"
#include "tracks/delivery.h"
#include "tracks/media_metrics.h"
#include "tracks/processing.h"
#include "tracks/stream_signer.h"
#include "tracks/track_routes.h"
#include "tracks/track_service.h"

namespace veza::app {

/// Settings of the tracks domain (config keys tracks.*; defaults until config.h carries them).
struct TracksSettings {
  uint64_t max_upload_bytes = 2ULL * 1024 * 1024 * 1024;  // tracks.max_upload_bytes
  int64_t quota_bytes = 5LL * 1024 * 1024 * 1024;         // tracks.quota_bytes
  int64_t stream_ttl_ms = 4LL * 3600 * 1000;              // tracks.stream_ttl_s
  int64_t task_cpu_seconds = 1800;                        // tracks.task_cpu_seconds
  int64_t task_memory_bytes = 2LL * 1024 * 1024 * 1024;   // tracks.task_memory_bytes
  int64_t task_wall_ms = 45LL * 60 * 1000;                // tracks.task_wall_s
  std::vector<int> ladder_kbps;                           // tracks.hls_ladder; empty: 128,192,256
  tracks::UploadClaims uploads;                           // finished resumable uploads for POST /tracks
  tracks::DeliveryMode delivery = tracks::DeliveryMode::kProxy;  // media.delivery
};

/// Everything the tracks domain owns at run time; keep it alive as long as the server and workers.
struct TracksComponents {
  std::unique_ptr<tracks::StreamSigner> signer;
  std::unique_ptr<tracks::MediaMetrics> metrics;
  std::unique_ptr<tracks::TrackService> service;
  std::unique_ptr<tracks::TrackProcessor> processor;
};

/// Builds the tracks domain and registers its routes. Register the job handler with the runner:
///   runner.Register(tracks::kProcessJobKind, [p = c.processor.get()](const jobs::Job& j) { return
///   p->ProcessTrack(j); });
/// `signer` is identity's stream-token signer; `owners` fills the owner of track JSON; `registry` gets the
/// delivery and processing metrics.
TracksComponents RegisterTracks(http::Router& router, const Config& config, const TracksSettings& settings,
                                db::Database& database, storage::ObjectStore& objects, jobs::Queue& queue,
                                const Clock& clock, IdGenerator& ids, tracks::UsernameLookup lookup,
                                std::unique_ptr<tracks::StreamSigner> signer, tracks::OwnerLookup owners,
                                obs::Registry& registry);

}  // namespace veza::app
