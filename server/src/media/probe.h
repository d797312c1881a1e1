#pragma once
/// Recognises audio by its content (libavformat probing, never the file name) and reads its facts
/// and tags. Hostile input yields an Error, never a crash or a hang.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace veza::media {

/// Tags as the file carries them, used as defaults the uploader can override. Empty = absent.
struct AudioTags {
  std::string title;
  std::string artist;
  std::string album;
  std::string genre;
  std::string date;            // as written ("2019-04-01", "2019")
  std::optional<int> year;     // first four-digit year found in the date
  std::optional<double> bpm;   // TBPM / bpm / tmpo, unvalidated
  std::string key;             // TKEY / initialkey, raw (parse with ParseKey)
  std::string lyrics;          // USLT / lyrics / unsyncedlyrics
  std::string isrc;            // TSRC / isrc, unvalidated
};

struct ProbeResult {
  /// Our canonical type: "wav", "aiff", "flac", "alac", "mp3", "aac", "vorbis" or "opus".
  std::string format;
  /// Container as detected: "wav", "aiff", "flac", "mp4", "mp3", "aac" (ADTS), "ogg".
  std::string container;
  /// Decoder name: "pcm_s16le", "flac", "alac", "mp3", "aac", "vorbis", "opus"…
  std::string codec;
  std::string mime_type;
  int64_t duration_ms = 0;
  int sample_rate = 0;
  int channels = 0;
  int64_t bit_rate = 0;     // bits per second, 0 when unknown
  int bits_per_sample = 0;  // lossless formats; 0 for lossy
  bool lossless = false;
  bool has_picture = false;
  AudioTags tags;
};

/// Limits applied to untrusted input.
struct ProbeLimits {
  int max_channels = 8;
  int64_t max_duration_ms = 6LL * 3600 * 1000;
  /// Wall-clock cap on the whole probe (I/O included).
  int timeout_ms = 10'000;
};

/// Probes `path`. Errors: 415 `unsupported_media_type` naming the detected type ("zip archive",
/// "text", "mpeg-4 video"…); 422 `invalid_audio` for empty, truncated or implausible audio.
Result<ProbeResult> Probe(const std::string& path, const ProbeLimits& limits = {});

}  // namespace veza::media
