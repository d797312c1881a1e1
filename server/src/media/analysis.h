#pragma once
/// Results of the analysis stages: waveform peaks, loudness, tempo. Plain structs, std only.

#include <cstdint>
#include <string>
#include <vector>

namespace veza::media {

/// Peaks in BBC audiowaveform terms: `length` pixels, each a (min, max) pair of 8-bit values.
struct Waveform {
  int sample_rate = 0;
  int samples_per_pixel = 0;
  int64_t length = 0;
  std::vector<int8_t> data;  // min0, max0, min1, max1, …
};

/// audiowaveform JSON v2: {"version":2,"channels":1,"sample_rate":…,"samples_per_pixel":…,"bits":8,
/// "length":…,"data":[…]}.
std::string WaveformToJson(const Waveform& waveform);

struct Loudness {
  double integrated_lufs = 0;  // EBU R128 integrated loudness
  double true_peak_dbtp = 0;   // max over channels, 4x oversampled (BS.1770-4)
  /// Gain towards −14 LUFS, lowered so that true peak + gain ≤ −1 dBTP.
  double replay_gain_db = 0;
};

struct Tempo {
  double bpm = 0;
  /// Share of beat intervals that agree with the estimate (0–1).
  double confidence = 0;
};

}  // namespace veza::media
