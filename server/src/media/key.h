#pragma once
/// Musical keys: canonical names ("A minor", "E♭ major"), Camelot codes ("8A"), parsing of what users
/// type, BPM validation, and key estimation from a pitch-class profile (chroma).

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::media {

enum class Mode { kMajor, kMinor };

/// A key as tonic pitch class (0 = C … 11 = B) and mode.
struct MusicalKey {
  int tonic = 0;
  Mode mode = Mode::kMajor;

  friend bool operator==(const MusicalKey&, const MusicalKey&) = default;
};

/// Canonical name with conventional spelling: flats for D♭ E♭ A♭ B♭, F♯ major, C♯/F♯/G♯ minor.
std::string KeyName(MusicalKey key);
/// Camelot wheel code: "8A" is A minor, "8B" C major, "5B" E♭ major.
std::string CamelotCode(MusicalKey key);

/// Parses "Am", "A min", "A minor", "8A", "Ebmaj", "E♭ major", "D#m", "c#", "Bb"… (a bare note is major).
/// Failure: a 422 naming `field`.
Result<MusicalKey> ParseKey(std::string_view input, std::string_view field = "musical_key");

/// Accepts 20–300 BPM and rounds to one decimal. Failure: a 422 naming `field`.
Result<double> ValidateBpm(double bpm, std::string_view field = "bpm");

struct KeyEstimate {
  MusicalKey key;
  /// Pearson correlation of the chroma with the winning Krumhansl–Kessler profile, clamped to [0, 1].
  double confidence = 0;
};

/// Correlates a 12-bin chroma (index 0 = C) with the 24 rotated Krumhansl–Kessler profiles.
KeyEstimate EstimateKey(const std::array<double, 12>& chroma);

}  // namespace veza::media
