#include "media/key.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

namespace veza::media {
namespace {

constexpr std::array<const char*, 12> kMajorNames = {"C",  "D♭", "D",  "E♭", "E",  "F",
                                                      "F♯", "G",  "A♭", "A",  "B♭", "B"};
constexpr std::array<const char*, 12> kMinorNames = {"C",  "C♯", "D",  "E♭", "E",  "F",
                                                      "F♯", "G",  "G♯", "A",  "B♭", "B"};

// Krumhansl & Kessler (1982) probe-tone ratings, index 0 = tonic.
constexpr std::array<double, 12> kMajorProfile = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                                  2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr std::array<double, 12> kMinorProfile = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                                  2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

Error KeyError(std::string_view field, std::string_view input) {
  return Validation({{std::string(field), "Not a musical key: \"" + std::string(input) +
                                              "\" (try \"A minor\", \"Am\", \"E♭ major\" or \"8A\")."}});
}

std::string Normalise(std::string_view input) {
  std::string s(input);
  auto replace_all = [&s](std::string_view from, std::string_view to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
      s.replace(pos, from.size(), to);
    }
  };
  replace_all("♯", "#");
  replace_all("♭", "b");
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::optional<MusicalKey> ParseCamelot(const std::string& s) {
  if (s.size() < 2 || s.size() > 3) return std::nullopt;
  char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  if (letter != 'A' && letter != 'B') return std::nullopt;
  std::string digits = s.substr(0, s.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  int number = std::stoi(digits);
  if (number < 1 || number > 12) return std::nullopt;
  // Camelot n (B) is the major key n-8 steps round the circle of fifths from C.
  int fifths = ((number - 8) % 12 + 12) % 12;
  int major_tonic = (fifths * 7) % 12;
  if (letter == 'B') return MusicalKey{major_tonic, Mode::kMajor};
  return MusicalKey{(major_tonic + 9) % 12, Mode::kMinor};
}

std::optional<Mode> ParseMode(std::string rest) {
  rest.erase(std::remove_if(rest.begin(), rest.end(), [](unsigned char c) { return std::isspace(c); }),
             rest.end());
  if (rest.empty() || rest == "M") return Mode::kMajor;
  std::transform(rest.begin(), rest.end(), rest.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::map<std::string, Mode> kModes = {
      {"maj", Mode::kMajor}, {"major", Mode::kMajor}, {"ma", Mode::kMajor}, {"dur", Mode::kMajor},
      {"m", Mode::kMinor},   {"min", Mode::kMinor},   {"minor", Mode::kMinor}, {"mi", Mode::kMinor},
      {"-", Mode::kMinor},   {"moll", Mode::kMinor}};
  auto it = kModes.find(rest);
  if (it == kModes.end()) return std::nullopt;
  return it->second;
}

std::optional<MusicalKey> ParseNoteAndMode(const std::string& s) {
  static const std::map<char, int> kNaturals = {{'C', 0}, {'D', 2}, {'E', 4}, {'F', 5},
                                                {'G', 7}, {'A', 9}, {'B', 11}};
  if (s.empty()) return std::nullopt;
  auto natural = kNaturals.find(static_cast<char>(std::toupper(static_cast<unsigned char>(s[0]))));
  if (natural == kNaturals.end()) return std::nullopt;
  int tonic = natural->second;
  size_t i = 1;
  while (i < s.size() && s[i] == ' ') ++i;
  auto starts_with_word = [&](std::string_view word) {
    if (s.size() - i < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
    }
    return true;
  };
  if (i < s.size() && s[i] == '#') {
    ++tonic, ++i;
  } else if (i < s.size() && s[i] == 'b') {
    --tonic, ++i;
  } else if (starts_with_word("sharp")) {
    ++tonic, i += 5;
  } else if (starts_with_word("flat")) {
    --tonic, i += 4;
  } else {
    i = 1;
  }
  auto mode = ParseMode(s.substr(i));
  if (!mode) return std::nullopt;
  return MusicalKey{(tonic + 12) % 12, *mode};
}

double Correlation(const std::array<double, 12>& chroma, const std::array<double, 12>& profile,
                   int tonic) {
  double mean_c = std::accumulate(chroma.begin(), chroma.end(), 0.0) / 12;
  double mean_p = std::accumulate(profile.begin(), profile.end(), 0.0) / 12;
  double num = 0, den_c = 0, den_p = 0;
  for (int pc = 0; pc < 12; ++pc) {
    double c = chroma[pc] - mean_c;
    double p = profile[(pc - tonic + 12) % 12] - mean_p;
    num += c * p;
    den_c += c * c;
    den_p += p * p;
  }
  if (den_c <= 0 || den_p <= 0) return 0;
  return num / std::sqrt(den_c * den_p);
}

}  // namespace

std::string KeyName(MusicalKey key) {
  int tonic = ((key.tonic % 12) + 12) % 12;
  if (key.mode == Mode::kMinor) return std::string(kMinorNames[tonic]) + " minor";
  return std::string(kMajorNames[tonic]) + " major";
}

std::string CamelotCode(MusicalKey key) {
  int major_tonic = key.mode == Mode::kMajor ? key.tonic : (key.tonic + 3) % 12;
  int fifths = (major_tonic * 7) % 12;  // position on the circle of fifths from C
  int number = (fifths + 7) % 12 + 1;
  return std::to_string(number) + (key.mode == Mode::kMajor ? "B" : "A");
}

Result<MusicalKey> ParseKey(std::string_view input, std::string_view field) {
  std::string s = Normalise(input);
  if (s.size() > 32) return KeyError(field, input.substr(0, 32));
  if (auto camelot = ParseCamelot(s)) return *camelot;
  if (auto key = ParseNoteAndMode(s)) return *key;
  return KeyError(field, input);
}

Result<double> ValidateBpm(double bpm, std::string_view field) {
  if (!std::isfinite(bpm) || bpm < 20 || bpm > 300) {
    return Validation({{std::string(field), "BPM must be between 20 and 300."}});
  }
  return std::round(bpm * 10) / 10;
}

KeyEstimate EstimateKey(const std::array<double, 12>& chroma) {
  KeyEstimate best;
  double best_r = -2;
  for (int tonic = 0; tonic < 12; ++tonic) {
    for (Mode mode : {Mode::kMajor, Mode::kMinor}) {
      double r = Correlation(chroma, mode == Mode::kMajor ? kMajorProfile : kMinorProfile, tonic);
      if (r > best_r) {
        best_r = r;
        best.key = MusicalKey{tonic, mode};
      }
    }
  }
  best.confidence = std::clamp(best_r, 0.0, 1.0);
  return best;
}

}  // namespace veza::media
