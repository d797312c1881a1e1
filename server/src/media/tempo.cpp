#include <aubio/aubio.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "media/analysers.h"

namespace veza::media {
namespace {

// Onsets need no treble: analysing at half rate (pairs averaged) halves the cost at the same
// 11.6 ms time resolution (hop 256 at 22.05 kHz = hop 512 at 44.1 kHz).
constexpr int kDecimation = 2;
constexpr uint_t kWindow = 512;
constexpr uint_t kHop = 256;
constexpr double kAgreement = 0.08;  // an interval within 8% of the median counts as the beat

struct TempoDeleter {
  void operator()(aubio_tempo_t* t) const { del_aubio_tempo(t); }
};
struct FvecDeleter {
  void operator()(fvec_t* v) const { del_fvec(v); }
};

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Octave errors aside, dance and pop tempos live here; fold halves and doubles into it.
double FoldBpm(double bpm) {
  while (bpm < 60) bpm *= 2;
  while (bpm >= 200) bpm /= 2;
  return bpm;
}

}  // namespace

struct TempoDetector::Impl {
  std::unique_ptr<aubio_tempo_t, TempoDeleter> tempo;
  std::unique_ptr<fvec_t, FvecDeleter> in;
  std::unique_ptr<fvec_t, FvecDeleter> out;
  uint_t fill = 0;
  int channels = 0;
  int phase = 0;
  float pair_sum = 0;
  std::vector<double> beats_s;

  void Step() {
    aubio_tempo_do(tempo.get(), in.get(), out.get());
    if (out->data[0] != 0) beats_s.push_back(aubio_tempo_get_last_s(tempo.get()));
    fill = 0;
  }
};

TempoDetector::TempoDetector() : impl_(std::make_unique<Impl>()) {}
TempoDetector::~TempoDetector() = default;

Status TempoDetector::Begin(const PcmFormat& format) {
  impl_->channels = format.channels;
  impl_->tempo.reset(
      new_aubio_tempo("default", kWindow, kHop, static_cast<uint_t>(format.sample_rate / kDecimation)));
  impl_->in.reset(new_fvec(kHop));
  impl_->out.reset(new_fvec(1));
  if (!impl_->tempo || !impl_->in || !impl_->out) return Internal("new_aubio_tempo failed");
  return Ok();
}

Status TempoDetector::Consume(const PcmBlock& block) {
  Impl& t = *impl_;
  const float* s = block.samples.data();
  const float scale = 1.0f / static_cast<float>(t.channels * kDecimation);
  for (int64_t i = 0; i < block.frames; ++i) {
    for (int c = 0; c < t.channels; ++c) t.pair_sum += s[c];
    s += t.channels;
    if (++t.phase < kDecimation) continue;
    t.in->data[t.fill++] = t.pair_sum * scale;
    t.phase = 0;
    t.pair_sum = 0;
    if (t.fill == kHop) t.Step();
  }
  return Ok();
}

Status TempoDetector::Finish() {
  const std::vector<double>& beats = impl_->beats_s;
  if (beats.size() < 5) return Ok();  // too few beats to call it a tempo
  std::vector<double> intervals;
  for (size_t i = 1; i < beats.size(); ++i) intervals.push_back(beats[i] - beats[i - 1]);
  double median = Median(intervals);
  if (median <= 0) return Ok();
  double sum = 0;
  size_t agreeing = 0;
  for (double d : intervals) {
    if (std::abs(d - median) <= kAgreement * median) {
      sum += d;
      ++agreeing;
    }
  }
  Tempo tempo;
  tempo.bpm = std::round(FoldBpm(60.0 / (sum / static_cast<double>(agreeing))) * 10) / 10;
  tempo.confidence = std::round(100.0 * static_cast<double>(agreeing) / static_cast<double>(intervals.size())) / 100;
  result_ = tempo;
  return Ok();
}

}  // namespace veza::media
