#pragma once
// Internal to veza_media: the analysis stages as PCM consumers. Each runs on its own thread.

#include <array>
#include <memory>
#include <optional>

#include "media/analysis.h"
#include "media/key.h"
#include "media/pcm.h"

namespace veza::media {

/// Min/max peaks of the mono mix at two resolutions in one pass.
class WaveformBuilder : public PcmConsumer {
 public:
  WaveformBuilder(int overview_points, double detail_points_per_second);
  std::string Name() const override { return "waveform"; }
  Status Begin(const PcmFormat& format) override;
  Status Consume(const PcmBlock& block) override;
  Status Finish() override;

  const Waveform& overview() const { return overview_.waveform; }
  const Waveform& detail() const { return detail_.waveform; }

 private:
  struct Accumulator {
    Waveform waveform;
    int count = 0;
    float min = 0;
    float max = 0;
    void Add(float sample);
    void Flush();
  };
  int overview_points_;
  double detail_points_per_second_;
  int channels_ = 0;
  Accumulator overview_;
  Accumulator detail_;
};

/// EBU R128 integrated loudness (libebur128) and BS.1770-4 true peak (TruePeakMeter).
class LoudnessMeter : public PcmConsumer {
 public:
  LoudnessMeter();
  ~LoudnessMeter() override;
  std::string Name() const override { return "loudness"; }
  Status Begin(const PcmFormat& format) override;
  Status Consume(const PcmBlock& block) override;
  Status Finish() override;

  /// Empty for silence (integrated loudness is −∞).
  const std::optional<Loudness>& result() const { return result_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<Loudness> result_;
};

/// Beat tracking with aubio over the mono mix; BPM from the regular run of beat intervals.
class TempoDetector : public PcmConsumer {
 public:
  TempoDetector();
  ~TempoDetector() override;
  std::string Name() const override { return "tempo"; }
  Status Begin(const PcmFormat& format) override;
  Status Consume(const PcmBlock& block) override;
  Status Finish() override;

  const std::optional<Tempo>& result() const { return result_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<Tempo> result_;
};

/// Chroma (FFT magnitudes folded to pitch classes, 65 Hz–2.1 kHz) correlated with key profiles.
class KeyDetector : public PcmConsumer {
 public:
  KeyDetector();
  ~KeyDetector() override;
  std::string Name() const override { return "key"; }
  Status Begin(const PcmFormat& format) override;
  Status Consume(const PcmBlock& block) override;
  Status Finish() override;

  const std::optional<KeyEstimate>& result() const { return result_; }
  const std::array<double, 12>& chroma() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<KeyEstimate> result_;
};

}  // namespace veza::media
