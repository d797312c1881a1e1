#pragma once
// Internal to veza_media: one AAC-LC rendition written as fMP4 (CMAF) HLS segments, and the master
// playlist over all renditions.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "media/pcm.h"

namespace veza::media {

struct HlsSegment {
  std::string uri;
  double duration_s = 0;
  int64_t bytes = 0;
};

/// A finished variant stream, measured from the files written.
struct HlsVariant {
  int bitrate_bps = 0;           // encoder target
  std::string name;              // directory under the output, e.g. "128k"
  std::filesystem::path playlist;
  std::vector<HlsSegment> segments;
  int64_t init_bytes = 0;
  int64_t total_bytes = 0;       // init + segments
  int64_t average_bandwidth = 0; // segment bytes * 8 / duration
  int64_t peak_bandwidth = 0;    // RFC 8216 peak segment bit rate (runs of 0.5–1.5 target durations)
};

class HlsRenditionWriter : public PcmConsumer {
 public:
  /// Writes `dir`/index.m3u8, `dir`/init.mp4 and `dir`/seg_NNNNN.m4s.
  HlsRenditionWriter(std::filesystem::path dir, int bitrate_bps, int segment_seconds);
  ~HlsRenditionWriter() override;

  std::string Name() const override;
  Status Begin(const PcmFormat& format) override;
  Status Consume(const PcmBlock& block) override;
  Status Finish() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads a variant playlist written by HlsRenditionWriter and measures its segments.
Result<HlsVariant> MeasureVariant(const std::filesystem::path& dir, const std::string& name, int bitrate_bps);

/// Writes `out_dir`/master.m3u8 with BANDWIDTH, AVERAGE-BANDWIDTH and CODECS per variant.
Status WriteMasterPlaylist(const std::filesystem::path& path, const std::vector<HlsVariant>& variants);

}  // namespace veza::media
