#include "media/key.h"

#include <gtest/gtest.h>

#include <cmath>

namespace veza::media {
namespace {

struct ParseCase {
  const char* input;
  const char* name;
  const char* camelot;
  friend void PrintTo(const ParseCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }
};

class ParseKeyTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseKeyTest, GivesCanonicalNameAndCamelot) {
  auto key = ParseKey(GetParam().input);
  ASSERT_TRUE(key.ok()) << GetParam().input << ": " << key.error().fields.begin()->second;
  EXPECT_EQ(KeyName(*key), GetParam().name) << GetParam().input;
  EXPECT_EQ(CamelotCode(*key), GetParam().camelot) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(UserInput, ParseKeyTest,
                         ::testing::Values(ParseCase{"Am", "A minor", "8A"}, ParseCase{"A min", "A minor", "8A"},
                                           ParseCase{"A minor", "A minor", "8A"}, ParseCase{"8A", "A minor", "8A"},
                                           ParseCase{"8a", "A minor", "8A"}, ParseCase{" a minor ", "A minor", "8A"},
                                           ParseCase{"Ebmaj", "E♭ major", "5B"}, ParseCase{"E♭ major", "E♭ major", "5B"},
                                           ParseCase{"5B", "E♭ major", "5B"}, ParseCase{"D#m", "E♭ minor", "2A"},
                                           ParseCase{"C", "C major", "8B"}, ParseCase{"CM", "C major", "8B"},
                                           ParseCase{"F#", "F♯ major", "2B"}, ParseCase{"Gb major", "F♯ major", "2B"},
                                           ParseCase{"C#m", "C♯ minor", "12A"}, ParseCase{"Db", "D♭ major", "3B"},
                                           ParseCase{"Bbm", "B♭ minor", "3A"}, ParseCase{"bm", "B minor", "10A"},
                                           ParseCase{"Ab", "A♭ major", "4B"}, ParseCase{"G#m", "G♯ minor", "1A"},
                                           ParseCase{"F sharp minor", "F♯ minor", "11A"},
                                           ParseCase{"12B", "E major", "12B"}, ParseCase{"1A", "G♯ minor", "1A"},
                                           ParseCase{"E minor", "E minor", "9A"}, ParseCase{"Dm", "D minor", "7A"}),
                         [](const auto& info) {
                           std::string name = "case" + std::to_string(info.index) + "_";
                           for (char c : std::string(info.param.input)) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

TEST(ParseKey, RejectsGarbageWithFieldError) {
  for (const char* bad : {"", "H", "13A", "0B", "A mixolydian", "Am7", "xyz", "8C", "#"}) {
    auto key = ParseKey(bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.error().code, ErrorCode::kValidation);
    EXPECT_EQ(key.error().fields.count("musical_key"), 1u) << bad;
  }
}

TEST(ParseKey, EveryKeyRoundTripsThroughNameAndCamelot) {
  for (int tonic = 0; tonic < 12; ++tonic) {
    for (Mode mode : {Mode::kMajor, Mode::kMinor}) {
      MusicalKey key{tonic, mode};
      auto by_name = ParseKey(KeyName(key));
      auto by_camelot = ParseKey(CamelotCode(key));
      ASSERT_TRUE(by_name.ok() && by_camelot.ok()) << KeyName(key);
      EXPECT_EQ(*by_name, key) << KeyName(key);
      EXPECT_EQ(*by_camelot, key) << CamelotCode(key);
    }
  }
}

TEST(ValidateBpm, AcceptsRangeAndRoundsToOneDecimal) {
  EXPECT_DOUBLE_EQ(*ValidateBpm(128.04), 128.0);
  EXPECT_DOUBLE_EQ(*ValidateBpm(20), 20.0);
  EXPECT_DOUBLE_EQ(*ValidateBpm(300), 300.0);
  EXPECT_DOUBLE_EQ(*ValidateBpm(97.25), 97.3);
  for (double bad : {19.9, 300.1, -1.0, 0.0, std::nan("")}) {
    auto r = ValidateBpm(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().fields.count("bpm"), 1u);
  }
}

TEST(EstimateKey, ProfilesThemselvesAreRecognised) {
  // A chroma shaped like the C major triad plus scale picks C major; shifted by 9 with a minor
  // emphasis it picks A minor.
  std::array<double, 12> c_major{5, 0, 2, 0, 4, 2, 0, 4.5, 0, 2, 0, 1};
  EXPECT_EQ(KeyName(EstimateKey(c_major).key), "C major");
  std::array<double, 12> a_minor{4, 0, 1, 0, 4, 1, 0, 1, 1, 5, 0, 2};
  KeyEstimate e = EstimateKey(a_minor);
  EXPECT_EQ(KeyName(e.key), "A minor");
  EXPECT_GT(e.confidence, 0.5);
}

}  // namespace
}  // namespace veza::media
