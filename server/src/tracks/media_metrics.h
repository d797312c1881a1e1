#pragma once
/// Delivery and processing counters of the tracks domain in the process's Prometheus registry:
/// segments, bytes and playlists served, and processing stage durations and job outcomes.

#include <cstdint>
#include <string_view>

#include "observability/metrics.h"

namespace veza::tracks {

class MediaMetrics {
 public:
  explicit MediaMetrics(obs::Registry& registry);

  /// One playlist answered (master or variant).
  void PlaylistServed();
  /// One segment request answered; `delivery` is file | proxy | redirect.
  void SegmentServed(std::string_view delivery);
  /// Bytes of media bodies sent by this process; `what` is segment | playlist | download | cover.
  void BytesServed(std::string_view what, uint64_t bytes);
  /// Wall time of one processing stage (probing, processing, finalizing, uploading).
  void StageDuration(std::string_view stage, double seconds);
  /// A processing job's end: done | failed | retry.
  void JobOutcome(std::string_view outcome, double seconds);

 private:
  obs::Counter& playlists_;
  obs::CounterFamily& segments_;
  obs::CounterFamily& bytes_;
  obs::HistogramFamily& stages_;
  obs::HistogramFamily& jobs_;
};

}  // namespace veza::tracks
