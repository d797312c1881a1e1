#include <ebur128.h>

#include <algorithm>
#include <cmath>

#include "media/analysers.h"
#include "media/true_peak.h"

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
  std::unique_ptr<TruePeakMeter> true_peak;
};

LoudnessMeter::LoudnessMeter() : impl_(std::make_unique<Impl>()) {}
LoudnessMeter::~LoudnessMeter() = default;

Status LoudnessMeter::Begin(const PcmFormat& format) {
  impl_->true_peak = std::make_unique<TruePeakMeter>(format.channels);
  impl_->state.reset(ebur128_init(static_cast<unsigned>(format.channels),
                                  static_cast<unsigned long>(format.sample_rate), EBUR128_MODE_I));
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
  impl_->true_peak->Add(block.samples.data(), block.frames);
  return Ok();
}

Status LoudnessMeter::Finish() {
  double lufs = 0;
  if (ebur128_loudness_global(impl_->state.get(), &lufs) != EBUR128_SUCCESS) {
    return Internal("ebur128_loudness_global failed");
  }
  if (!std::isfinite(lufs)) return Ok();  // digital silence has no loudness
  double peak = impl_->true_peak->peak();
  Loudness l;
  l.integrated_lufs = Round2(lufs);
  l.true_peak_dbtp = peak > 0 ? Round2(20 * std::log10(peak)) : -120.0;
  l.replay_gain_db = Round2(std::min(kTargetLufs - lufs, kPeakCeilingDbtp - l.true_peak_dbtp));
  result_ = l;
  return Ok();
}

}  // namespace veza::media
