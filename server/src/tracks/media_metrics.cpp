#include "tracks/media_metrics.h"

#include <vector>

namespace veza::tracks {

namespace {

// Seconds: a short clip's stage takes milliseconds, an hour-long mix's transcode minutes.
const std::vector<double> kStageBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,   2.5, 5,
                                           10,   30,   60,  120,  300, 900, 1800};

}  // namespace

MediaMetrics::MediaMetrics(obs::Registry& registry)
    : playlists_(registry.AddCounter("veza_media_playlist_requests_total", "HLS playlists served.").Get()),
      segments_(registry.AddCounter("veza_media_segments_served_total",
                                    "HLS segment requests answered, by delivery (file, proxy, redirect).",
                                    {"delivery"})),
      bytes_(registry.AddCounter(
          "veza_media_bytes_served_total",
          "Media bytes sent by this process, by kind (segment, playlist, download, cover).", {"kind"})),
      stages_(registry.AddHistogram("veza_track_processing_stage_seconds",
                                    "Wall time of each track processing stage.", {"stage"}, kStageBuckets)),
      jobs_(
          registry.AddHistogram("veza_track_processing_seconds",
                                "Track processing jobs by outcome (done, failed, retry) and their duration.",
                                {"outcome"}, kStageBuckets)) {}

void MediaMetrics::PlaylistServed() {
  playlists_.Inc();
}

void MediaMetrics::SegmentServed(std::string_view delivery) {
  segments_.WithLabels({delivery}).Inc();
}

void MediaMetrics::BytesServed(std::string_view what, uint64_t bytes) {
  if (bytes > 0) bytes_.WithLabels({what}).Inc(bytes);
}

void MediaMetrics::StageDuration(std::string_view stage, double seconds) {
  stages_.WithLabels({stage}).Observe(seconds);
}

void MediaMetrics::JobOutcome(std::string_view outcome, double seconds) {
  jobs_.WithLabels({outcome}).Observe(seconds);
}

}  // namespace veza::tracks
