#include "app/tracks_wiring.h"

#include <filesystem>

#include "core/log.h"

namespace veza::app {

TracksComponents RegisterTracks(http::Router& router, const Config& config, const TracksSettings& settings,
                                db::Database& database, storage::ObjectStore& objects, jobs::Queue& queue,
                                const Clock& clock, IdGenerator& ids, tracks::UsernameLookup lookup,
                                std::unique_ptr<tracks::StreamSigner> signer, tracks::OwnerLookup owners,
                                obs::Registry& registry) {
  TracksComponents c;
  c.signer = std::move(signer);
  c.metrics = std::make_unique<tracks::MediaMetrics>(registry);
  c.service = std::make_unique<tracks::TrackService>(
      database, objects, queue, *c.signer, clock, ids,
      tracks::TrackServiceOptions{.quota_bytes = settings.quota_bytes,
                                  .stream_ttl_ms = settings.stream_ttl_ms});

  const std::string work_dir = config.data_dir + "/tmp/media";
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec) log::Warn("cannot create the media work directory", {{"path", work_dir}, {"error", ec.message()}});
  // The child is this very binary (`veza media-task`), so no second executable has to be deployed.
  c.processor = std::make_unique<tracks::TrackProcessor>(
      database, objects, *c.service, clock,
      tracks::ProcessingOptions{.command = {"/proc/self/exe", "media-task"},
                                .work_dir = work_dir,
                                .limits = {.cpu_seconds = settings.task_cpu_seconds,
                                           .memory_bytes = settings.task_memory_bytes,
                                           .wall_ms = settings.task_wall_ms},
                                .ladder_kbps = settings.ladder_kbps,
                                .metrics = c.metrics.get()});

  tracks::RegisterTrackRoutes(router, *c.service, std::move(lookup),
                              {.max_upload_bytes = settings.max_upload_bytes,
                               .part_dir = config.data_dir + "/tmp",
                               .uploads = settings.uploads,
                               .owners = std::move(owners),
                               .delivery = settings.delivery,
                               .metrics = c.metrics.get()});
  return c;
}

}  // namespace veza::app
