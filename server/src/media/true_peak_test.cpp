#include "media/true_peak.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace veza::media {
namespace {

std::vector<float> Sine(double cycles_per_sample, double phase, double amplitude, int frames, int channels) {
  std::vector<float> out(static_cast<size_t>(frames * channels));
  for (int i = 0; i < frames; ++i) {
    for (int c = 0; c < channels; ++c) {
      out[static_cast<size_t>(i * channels + c)] =
          static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * cycles_per_sample * i + phase));
    }
  }
  return out;
}

double Db(double linear) { return 20 * std::log10(linear); }

TEST(TruePeakMeter, FindsTheInterSamplePeakOfAQuarterRateSine) {
  // fs/4 with a 45° phase: every sample sits at ±0.707 of the amplitude, the waveform peaks between them.
  auto x = Sine(0.25, std::numbers::pi / 4, 0.5, 44100, 2);
  TruePeakMeter meter(2);
  for (size_t at = 0; at < x.size(); at += 2 * 1000) {
    meter.Add(x.data() + at, static_cast<int64_t>(std::min<size_t>(1000, (x.size() - at) / 2)));
  }
  EXPECT_NEAR(Db(meter.peak()), Db(0.5), 0.2);  // sample peak would say −9.0 dBFS
}

TEST(TruePeakMeter, LowFrequencySineReadsItsSamplePeak) {
  auto x = Sine(1000.0 / 44100, 0, 0.1, 44100, 1);
  TruePeakMeter meter(1);
  meter.Add(x.data(), 44100);
  EXPECT_NEAR(Db(meter.peak()), -20.0, 0.05);
}

TEST(TruePeakMeter, SilenceIsZero) {
  std::vector<float> x(4096, 0.0f);
  TruePeakMeter meter(2);
  meter.Add(x.data(), 2048);
  EXPECT_EQ(meter.peak(), 0.0);
}

}  // namespace
}  // namespace veza::media
