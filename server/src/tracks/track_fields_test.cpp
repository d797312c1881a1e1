#include "tracks/track_fields.h"

#include <gtest/gtest.h>

namespace veza::tracks {
namespace {

TEST(TrackFields, TagsAreLowercasedTrimmedAndDeduplicated) {
  auto tags = NormaliseTags({"  Lo-Fi ", "lo-fi", "Deep   House", "", "CHILL"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"lo-fi", "deep house", "chill"}));
}

TEST(TrackFields, MoreThanTwentyTagsAreRefused) {
  std::vector<std::string> many;
  for (int i = 0; i < 21; ++i) many.push_back("tag" + std::to_string(i));
  auto tags = NormaliseTags(many);
  ASSERT_FALSE(tags.ok());
  EXPECT_EQ(tags.error().fields.count("tags"), 1u);
  many.pop_back();
  EXPECT_TRUE(NormaliseTags(many).ok());
}

TEST(TrackFields, IsrcIsNormalisedAndChecked) {
  EXPECT_EQ(*NormaliseIsrc("us-rc1-76-07839"), "USRC17607839");
  EXPECT_EQ(*NormaliseIsrc("GBAYE0601498"), "GBAYE0601498");
  EXPECT_FALSE(NormaliseIsrc("USRC1760783").ok());   // 11 characters
  EXPECT_FALSE(NormaliseIsrc("1SRC17607839").ok());  // country must be letters
  EXPECT_FALSE(NormaliseIsrc("USRC1A607839").ok());  // year must be digits
}

TEST(TrackFields, PlainLyricsAreNotSynced) {
  auto r = ValidateLyrics("Hello darkness\nmy old friend\n");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST(TrackFields, LrcLyricsAreValidated) {
  auto ok = ValidateLyrics(
      "[ar:Someone]\n[ti:Song]\n[00:12.00]Line one\n\n[00:17.20][01:02.5]Chorus\r\n[01:10]End");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(*ok);
  auto bad = ValidateLyrics("[00:12.00]Line one\nno tag here\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().fields.at("lyrics").find("line 2"), std::string::npos);
  EXPECT_FALSE(ValidateLyrics("[00:12.00]One\n[00:75.00]Seconds past 59").ok());
}

TEST(TrackFields, Dates) {
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2023-02-29"));
  EXPECT_FALSE(IsValidDate("2023-13-01"));
  EXPECT_FALSE(IsValidDate("2023-1-01"));
}

TEST(TrackFields, ApplyInputNormalisesAndCollectsEveryProblem) {
  Track t;
  TrackInput in;
  in.title = "  My Song ";
  in.musical_key = std::optional<std::string>("8A");
  in.bpm = std::optional<double>(127.96);
  in.tags = std::optional<std::vector<std::string>>({"House"});
  ASSERT_TRUE(ApplyInput(in, t, true).ok());
  EXPECT_EQ(t.title, "My Song");
  EXPECT_EQ(t.musical_key, "A minor");
  EXPECT_DOUBLE_EQ(*t.bpm, 128.0);
  EXPECT_EQ(t.tags, std::vector<std::string>{"house"});

  TrackInput bad;
  bad.title = std::string(201, 'x');
  bad.bpm = std::optional<double>(10);
  bad.musical_key = std::optional<std::string>("H major");
  bad.visibility = "secret";
  bad.licence = "gpl";
  bad.isrc = std::optional<std::string>("nope");
  bad.release_date = std::optional<std::string>("yesterday");
  auto s = ApplyInput(bad, t, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kValidation);
  for (const char* f : {"title", "bpm", "musical_key", "visibility", "licence", "isrc", "release_date"})
    EXPECT_EQ(s.error().fields.count(f), 1u) << f;
  EXPECT_EQ(t.title, "My Song");  // untouched on failure of its own field

  TrackInput clear;
  clear.bpm = std::optional<double>();
  clear.musical_key = std::optional<std::string>();
  ASSERT_TRUE(ApplyInput(clear, t, false).ok());
  EXPECT_FALSE(t.bpm);
  EXPECT_EQ(t.musical_key, "");
}

TEST(TrackFields, TitleRequiredWhenCreating) {
  Track t;
  auto s = ApplyInput({}, t, true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().fields.count("title"), 1u);
  TrackInput blank;
  blank.title = "   ";
  EXPECT_FALSE(ApplyInput(blank, t, false).ok());
}

TEST(TrackFields, Limits) {
  Track t;
  TrackInput in;
  in.description = std::optional<std::string>(std::string(5001, 'a'));
  in.lyrics = std::optional<std::string>(std::string(20001, 'a'));
  auto s = ApplyInput(in, t, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().fields.count("description"), 1u);
  EXPECT_EQ(s.error().fields.count("lyrics"), 1u);
  // Code points, not bytes: 200 two-byte characters fit.
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xC3\xA9";
  TrackInput ok;
  ok.title = accented;
  EXPECT_TRUE(ApplyInput(ok, t, false).ok());
}

}  // namespace
}  // namespace veza::tracks
