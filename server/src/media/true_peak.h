#pragma once
// Internal to veza_media: true-peak meter per ITU-R BS.1770-4 Annex 2 (4x oversampling with the
// standard 48-tap polyphase FIR), written to vectorise; libebur128's own true-peak mode costs ~4x
// more CPU than its loudness measurement, which matters when every core is encoding.

#include <cstdint>
#include <vector>

namespace veza::media {

class TruePeakMeter {
 public:
  explicit TruePeakMeter(int channels);
  /// Feeds interleaved samples.
  void Add(const float* interleaved, int64_t frames);
  /// Largest absolute value seen, sample or interpolated (linear scale, 1.0 = full scale).
  double peak() const { return peak_; }

 private:
  static constexpr int kTaps = 12;  // per phase
  int channels_;
  std::vector<std::vector<float>> history_;  // last kTaps - 1 samples per channel
  std::vector<float> work_;                  // history + block, one channel
  std::vector<float> acc_;
  double peak_ = 0;
};

}  // namespace veza::media
