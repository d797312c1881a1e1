#include <aubio/aubio.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "media/analysers.h"

namespace veza::media {
namespace {

constexpr int kDecimation = 4;        // 44.1 kHz → 11.025 kHz: harmony lives well below 5 kHz
constexpr int kFirTaps = 32;
constexpr uint_t kFftSize = 4096;     // 2.7 Hz bins at 11.025 kHz
constexpr double kLowHz = 65.0;       // C2
constexpr double kHighHz = 2100.0;    // ~C7

struct FftDeleter {
  void operator()(aubio_fft_t* f) const { del_aubio_fft(f); }
};
struct FvecDeleter {
  void operator()(fvec_t* v) const { del_fvec(v); }
};
struct CvecDeleter {
  void operator()(cvec_t* v) const { del_cvec(v); }
};

// Windowed-sinc low-pass at ~4.4 kHz so the decimated signal does not alias.
std::vector<float> LowPass(double cutoff_ratio) {
  std::vector<float> taps(kFirTaps);
  double sum = 0;
  for (int i = 0; i < kFirTaps; ++i) {
    double m = i - (kFirTaps - 1) / 2.0;
    double sinc = m == 0 ? 2 * cutoff_ratio : std::sin(2 * std::numbers::pi * cutoff_ratio * m) / (std::numbers::pi * m);
    double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / (kFirTaps - 1));
    taps[i] = static_cast<float>(sinc * hann);
    sum += taps[i];
  }
  for (float& t : taps) t = static_cast<float>(t / sum);
  return taps;
}

}  // namespace

struct KeyDetector::Impl {
  int channels = 0;
  std::vector<float> taps = LowPass(0.1);
  // Ring of recent mono samples, stored twice so the newest kFirTaps are always contiguous.
  std::vector<float> history = std::vector<float>(2 * kFirTaps, 0.0f);
  size_t history_pos = 0;
  int phase = 0;
  std::unique_ptr<aubio_fft_t, FftDeleter> fft;
  std::unique_ptr<fvec_t, FvecDeleter> frame;
  std::unique_ptr<cvec_t, CvecDeleter> spectrum;
  std::vector<float> window;
  std::vector<int> bin_pitch_class;  // -1 outside the analysed range
  uint_t fill = 0;
  std::array<double, 12> chroma{};

  void Setup(int sample_rate) {
    double rate = static_cast<double>(sample_rate) / kDecimation;
    fft.reset(new_aubio_fft(kFftSize));
    frame.reset(new_fvec(kFftSize));
    spectrum.reset(new_cvec(kFftSize));
    window.resize(kFftSize);
    for (uint_t i = 0; i < kFftSize; ++i) {
      window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / kFftSize));
    }
    bin_pitch_class.assign(kFftSize / 2 + 1, -1);
    for (uint_t k = 1; k <= kFftSize / 2; ++k) {
      double hz = k * rate / kFftSize;
      if (hz < kLowHz || hz > kHighHz) continue;
      int midi = static_cast<int>(std::lround(69 + 12 * std::log2(hz / 440.0)));
      bin_pitch_class[k] = midi % 12;
    }
  }

  float FilteredSample() const {
    float acc = 0;
    const float* recent = history.data() + history_pos;
    for (int i = 0; i < kFirTaps; ++i) acc += taps[i] * recent[i];
    return acc;
  }

  void Push(float mono) {
    history[history_pos] = mono;
    history[history_pos + kFirTaps] = mono;
    history_pos = (history_pos + 1) % kFirTaps;
    if (++phase < kDecimation) return;
    phase = 0;
    frame->data[fill++] = FilteredSample();
    if (fill == kFftSize) Analyse();
  }

  // Non-overlapping frames: key is a whole-track property, and this keeps the stage cheap.
  void Analyse() {
    for (uint_t i = 0; i < kFftSize; ++i) frame->data[i] *= window[i];
    aubio_fft_do(fft.get(), frame.get(), spectrum.get());
    std::array<double, 12> local{};
    double total = 0;
    for (size_t k = 0; k < bin_pitch_class.size(); ++k) {
      if (bin_pitch_class[k] < 0) continue;
      local[bin_pitch_class[k]] += spectrum->norm[k];
      total += spectrum->norm[k];
    }
    fill = 0;
    if (total < 1e-3) return;  // silence says nothing about the key
    for (int pc = 0; pc < 12; ++pc) chroma[pc] += local[pc] / total;
  }
};

KeyDetector::KeyDetector() : impl_(std::make_unique<Impl>()) {}
KeyDetector::~KeyDetector() = default;

const std::array<double, 12>& KeyDetector::chroma() const { return impl_->chroma; }

Status KeyDetector::Begin(const PcmFormat& format) {
  impl_->channels = format.channels;
  impl_->Setup(format.sample_rate);
  if (!impl_->fft) return Internal("new_aubio_fft failed");
  return Ok();
}

Status KeyDetector::Consume(const PcmBlock& block) {
  Impl& k = *impl_;
  const float* s = block.samples.data();
  const float scale = 1.0f / static_cast<float>(k.channels);
  for (int64_t i = 0; i < block.frames; ++i) {
    float mono = 0;
    for (int c = 0; c < k.channels; ++c) mono += s[c];
    s += k.channels;
    k.Push(mono * scale);
  }
  return Ok();
}

Status KeyDetector::Finish() {
  if (impl_->fill > kFftSize / 4) {
    std::fill(impl_->frame->data + impl_->fill, impl_->frame->data + kFftSize, 0.0f);
    impl_->Analyse();
  }
  double total = 0;
  for (double v : impl_->chroma) total += v;
  if (total <= 0) return Ok();
  result_ = EstimateKey(impl_->chroma);
  return Ok();
}

}  // namespace veza::media
