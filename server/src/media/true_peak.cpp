#include "media/true_peak.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace veza::media {
namespace {

// ITU-R BS.1770-4, Annex 2, Table 1: the four phases of the interpolating filter.
constexpr float kPhases[4][12] = {
    {0.0017089843750f, 0.0109863281250f, -0.0196533203125f, 0.0332031250000f, -0.0594482421875f,
     0.1373291015625f, 0.9721679687500f, -0.1022949218750f, 0.0476074218750f, -0.0266113281250f,
     0.0148925781250f, -0.0083007812500f},
    {-0.0291748046875f, 0.0292968750000f, -0.0517578125000f, 0.0891113281250f, -0.1665039062500f,
     0.4650878906250f, 0.7797851562500f, -0.2003173828125f, 0.1015625000000f, -0.0582275390625f,
     0.0330810546875f, -0.0189208984375f},
    {-0.0189208984375f, 0.0330810546875f, -0.0582275390625f, 0.1015625000000f, -0.2003173828125f,
     0.7797851562500f, 0.4650878906250f, -0.1665039062500f, 0.0891113281250f, -0.0517578125000f,
     0.0292968750000f, -0.0291748046875f},
    {-0.0083007812500f, 0.0148925781250f, -0.0266113281250f, 0.0476074218750f, -0.1022949218750f,
     0.9721679687500f, 0.1373291015625f, -0.0594482421875f, 0.0332031250000f, -0.0196533203125f,
     0.0109863281250f, 0.0017089843750f},
};

float MaxAbs(const float* x, size_t n) {
  float hi = 0, lo = 0;
  for (size_t i = 0; i < n; ++i) {
    hi = std::max(hi, x[i]);
    lo = std::min(lo, x[i]);
  }
  return std::max(hi, -lo);
}

}  // namespace

TruePeakMeter::TruePeakMeter(int channels)
    : channels_(channels), history_(static_cast<size_t>(channels), std::vector<float>(kTaps - 1, 0.0f)) {}

void TruePeakMeter::Add(const float* interleaved, int64_t frames) {
  const size_t n = static_cast<size_t>(frames);
  work_.resize(kTaps - 1 + n);
  acc_.resize(n);
  for (int c = 0; c < channels_; ++c) {
    std::copy(history_[c].begin(), history_[c].end(), work_.begin());
    float* x = work_.data() + kTaps - 1;
    for (size_t i = 0; i < n; ++i) x[i] = interleaved[i * channels_ + c];
    float peak = MaxAbs(x, n);
    // Each phase as kTaps passes of acc += h * shifted input: plain loops the compiler vectorises.
    for (const auto& h : kPhases) {
      std::fill(acc_.begin(), acc_.end(), 0.0f);
      for (int k = 0; k < kTaps; ++k) {
        const float hk = h[k];
        const float* src = x - k;
        float* acc = acc_.data();
        for (size_t i = 0; i < n; ++i) acc[i] += hk * src[i];
      }
      peak = std::max(peak, MaxAbs(acc_.data(), n));
    }
    peak_ = std::max(peak_, static_cast<double>(peak));
    std::copy(work_.end() - static_cast<ptrdiff_t>(kTaps - 1), work_.end(), history_[c].begin());
  }
}

}  // namespace veza::media
