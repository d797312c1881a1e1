#pragma once
/// One-pass processing of an uploaded track: the source is decoded once and the PCM feeds, in
/// parallel, the AAC HLS renditions, waveform peaks, loudness, tempo and key detection.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/analysis.h"
#include "media/key.h"
#include "media/probe.h"

namespace veza::media {

enum class Stage { kProbing, kProcessing, kFinalizing, kDone };

/// "probing", "processing", "finalizing", "done".
const char* StageName(Stage stage);

struct PipelineOptions {
  /// AAC-LC ladder in kbit/s, one HLS variant each (see docs/decisions/0003).
  std::vector<int> ladder_kbps = {128, 192, 256};
  int segment_seconds = 6;
  int overview_points = 1800;
  double detail_points_per_second = 20;
  ProbeLimits probe_limits;
  /// Wall-clock cap on decoding (I/O is interrupted past it).
  int64_t timeout_ms = 30 * 60 * 1000;
  /// Called from the decoding thread with a percent (0–100) within the stage; must be cheap.
  std::function<void(Stage, int)> on_progress;
  /// Set to true from any thread to stop early; RunPipeline then returns a `cancelled` error.
  const std::atomic<bool>* cancel = nullptr;
};

struct RenditionResult {
  int bitrate_kbps = 0;
  std::string dir;            // absolute, holds index.m3u8, init.mp4, seg_NNNNN.m4s
  std::string playlist_path;
  int segment_count = 0;
  int64_t total_bytes = 0;
  int64_t average_bandwidth = 0;  // bit/s, measured from the segments
  int64_t peak_bandwidth = 0;     // bit/s, RFC 8216 peak segment bit rate
};

struct WaveformResult {
  std::string path;  // audiowaveform JSON v2
  int samples_per_pixel = 0;
  int64_t length = 0;
};

struct CoverArt {
  std::string path;
  std::string mime_type;  // image/jpeg or image/png, as embedded
  int64_t bytes = 0;
};

/// Time a stage spent working (not waiting for input), for benchmarks and job metrics. `busy_ms` is
/// wall time inside the stage (inflated when cores are oversubscribed); `cpu_ms` its thread's CPU time.
struct StageTiming {
  std::string stage;
  double busy_ms = 0;
  double cpu_ms = 0;
};

struct PipelineResult {
  ProbeResult source;
  int64_t duration_ms = 0;  // of the decoded audio
  int sample_rate = 0;      // of the renditions and analysis (44100)
  int channels = 0;         // 1 or 2
  std::string master_playlist;
  std::vector<RenditionResult> renditions;
  WaveformResult waveform_overview;
  WaveformResult waveform_detail;
  std::optional<Loudness> loudness;  // empty for digital silence
  std::optional<Tempo> tempo;        // empty when no steady beat was found
  std::optional<KeyEstimate> key;    // empty for silence
  std::optional<CoverArt> cover;
  std::vector<StageTiming> timings;
  double wall_ms = 0;
};

/// Processes `input` into `out_dir` (created if needed): master.m3u8, <N>k/…, waveform_overview.json,
/// waveform_detail.json, cover.jpg|png. Errors: those of Probe; 422 `invalid_audio` when decoding
/// fails; `cancelled`; 500 for local I/O failures.
Result<PipelineResult> RunPipeline(const std::string& input, const std::string& out_dir,
                                   const PipelineOptions& options = {});

}  // namespace veza::media
