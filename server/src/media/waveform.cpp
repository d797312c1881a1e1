#include <algorithm>
#include <cmath>

#include "media/analysers.h"

namespace veza::media {
namespace {

// audiowaveform's 8-bit scale: the 16-bit value shifted right by 8.
int8_t ToInt8(float x) {
  return static_cast<int8_t>(std::clamp(static_cast<int>(std::floor(x * 128.0f)), -128, 127));
}

}  // namespace

std::string WaveformToJson(const Waveform& w) {
  std::string out;
  out.reserve(96 + w.data.size() * 5);
  out += "{\"version\":2,\"channels\":1,\"sample_rate\":" + std::to_string(w.sample_rate) +
         ",\"samples_per_pixel\":" + std::to_string(w.samples_per_pixel) +
         ",\"bits\":8,\"length\":" + std::to_string(w.length) + ",\"data\":[";
  for (size_t i = 0; i < w.data.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(static_cast<int>(w.data[i]));
  }
  out += "]}";
  return out;
}

void WaveformBuilder::Accumulator::Add(float sample) {
  if (count == 0) {
    min = max = sample;
  } else {
    min = std::min(min, sample);
    max = std::max(max, sample);
  }
  if (++count == waveform.samples_per_pixel) Flush();
}

void WaveformBuilder::Accumulator::Flush() {
  if (count == 0) return;
  waveform.data.push_back(ToInt8(min));
  waveform.data.push_back(ToInt8(max));
  ++waveform.length;
  count = 0;
}

WaveformBuilder::WaveformBuilder(int overview_points, double detail_points_per_second)
    : overview_points_(std::max(1, overview_points)),
      detail_points_per_second_(std::max(0.1, detail_points_per_second)) {}

Status WaveformBuilder::Begin(const PcmFormat& format) {
  channels_ = format.channels;
  int detail_spp = std::max(1, static_cast<int>(std::lround(format.sample_rate / detail_points_per_second_)));
  // The overview's resolution comes from the probed length; its pixel count from the real one.
  int64_t expected = format.expected_frames > 0 ? format.expected_frames : int64_t{format.sample_rate} * 180;
  int overview_spp = static_cast<int>(std::max<int64_t>(1, (expected + overview_points_ - 1) / overview_points_));
  for (auto [acc, spp] : {std::pair{&overview_, overview_spp}, std::pair{&detail_, detail_spp}}) {
    acc->waveform.sample_rate = format.sample_rate;
    acc->waveform.samples_per_pixel = spp;
    acc->waveform.data.reserve(static_cast<size_t>(2 * (expected / spp + 2)));
  }
  return Ok();
}

Status WaveformBuilder::Consume(const PcmBlock& block) {
  const float* s = block.samples.data();
  const float scale = 1.0f / static_cast<float>(channels_);
  for (int64_t i = 0; i < block.frames; ++i) {
    float mono = 0;
    for (int c = 0; c < channels_; ++c) mono += s[c];
    s += channels_;
    mono *= scale;
    overview_.Add(mono);
    detail_.Add(mono);
  }
  return Ok();
}

Status WaveformBuilder::Finish() {
  overview_.Flush();
  detail_.Flush();
  return Ok();
}

}  // namespace veza::media
