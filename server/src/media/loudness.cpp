#include <ebur128.h>

#include <algorithm>
#include <cmath>

#include "media/analysers.h"

namespace veza::media {
namespace {

constexpr double kTargetLufs = -14.0;
constexpr double kPeakCeilingDbtp = -1.0;

struct StateDeleter {
  void operator()(ebur128_state* st) const { ebur128_destroy(&st); }
};

double Round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

struct LoudnessMeter::Impl {
  std::unique_ptr<ebur128_state, StateDeleter> state;
  int channels = 0;
};

LoudnessMeter::LoudnessMeter() : impl_(std::make_unique<Impl>()) {}
LoudnessMeter::~LoudnessMeter() = default;

Status LoudnessMeter::Begin(const PcmFormat& format) {
  impl_->channels = format.channels;
  impl_->state.reset(ebur128_init(static_cast<unsigned>(format.channels),
                                  static_cast<unsigned long>(format.sample_rate),
                                  EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK));
  if (!impl_->state) return Internal("ebur128_init failed");
  // A mono track plays on both speakers: count it twice, as R128 does for dual mono.
  if (format.channels == 1) ebur128_set_channel(impl_->state.get(), 0, EBUR128_DUAL_MONO);
  return Ok();
}

Status LoudnessMeter::Consume(const PcmBlock& block) {
  if (ebur128_add_frames_float(impl_->state.get(), block.samples.data(), static_cast<size_t>(block.frames)) !=
      EBUR128_SUCCESS) {
    return Internal("ebur128_add_frames_float failed");
  }
  return Ok();
}

Status LoudnessMeter::Finish() {
  double lufs = 0;
  if (ebur128_loudness_global(impl_->state.get(), &lufs) != EBUR128_SUCCESS) {
    return Internal("ebur128_loudness_global failed");
  }
  if (!std::isfinite(lufs)) return Ok();  // digital silence has no loudness
  double peak = 0;
  for (int c = 0; c < impl_->channels; ++c) {
    double p = 0;
    if (ebur128_true_peak(impl_->state.get(), static_cast<unsigned>(c), &p) == EBUR128_SUCCESS) {
      peak = std::max(peak, p);
    }
  }
  Loudness l;
  l.integrated_lufs = Round2(lufs);
  l.true_peak_dbtp = peak > 0 ? Round2(20 * std::log10(peak)) : -120.0;
  l.replay_gain_db = Round2(std::min(kTargetLufs - lufs, kPeakCeilingDbtp - l.true_peak_dbtp));
  result_ = l;
  return Ok();
}

}  // namespace veza::media
