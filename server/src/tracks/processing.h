#pragma once
/// The "track.process" job: runs the media pipeline on a track's original in a sandboxed child, stores
/// every output under tracks/<id>/ and marks the track ready (or failed with a message).

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "db/session.h"
#include "jobs/queue.h"
#include "storage/object_store.h"
#include "tracks/child_process.h"
#include "tracks/media_metrics.h"
#include "tracks/track_service.h"

namespace veza::tracks {

struct ProcessingOptions {
  /// argv prefix of the media task: {"/proc/self/exe", "media-task"} in the server.
  std::vector<std::string> command;
  /// Scratch space for the pipeline's output (and originals fetched from remote stores).
  std::string work_dir;
  ChildLimits limits{
      .cpu_seconds = 1800, .memory_bytes = 2LL * 1024 * 1024 * 1024, .wall_ms = 45 * 60 * 1000};
  std::vector<int> ladder_kbps;     // empty: the pipeline's default
  MediaMetrics* metrics = nullptr;  // stage durations and job outcomes; nullptr counts nothing
};

class TrackProcessor {
 public:
  TrackProcessor(db::Database& db, storage::ObjectStore& objects, TrackService& service, const Clock& clock,
                 ProcessingOptions options, ChildRunner runner = RunChild);

  /// The job handler: register it for kProcessJobKind. Safe to rerun after a crash: it overwrites the
  /// same keys; a track already ready is left alone; a deleted track has its objects removed.
  jobs::JobOutcome ProcessTrack(const jobs::Job& job);

 private:
  jobs::JobOutcome Process(const jobs::Job& job);
  jobs::JobOutcome Fail(int64_t id, const std::string& message, const std::string& why);
  jobs::JobOutcome RetryOrFail(const jobs::Job& job, int64_t id, const std::string& why);
  void Progress(int64_t id, const std::string& stage, int percent);

  db::Database& db_;
  storage::ObjectStore& objects_;
  TrackService& service_;
  const Clock& clock_;
  ProcessingOptions options_;
  ChildRunner runner_;
};

}  // namespace veza::tracks
