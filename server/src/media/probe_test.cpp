#include "media/probe.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_audio.h"

namespace veza::media {
namespace {

namespace fs = std::filesystem;
using testutil::FfmpegGenerate;
using testutil::TempDir;

constexpr const char* kTone = "sine=frequency=440:sample_rate=44100:duration=5";
constexpr const char* kTags =
    "-metadata title='Night Drive' -metadata artist='Veza Test' -metadata album='Fixtures' "
    "-metadata genre=Synthwave -metadata date=2021";

struct FormatCase {
  const char* file;
  const char* encode;
  const char* format;
  const char* container;
  const char* codec;
  bool lossless;
  friend void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.file; }
};

class ProbeFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ProbeFormatTest, RecognisesFormatFactsAndTags) {
  TempDir dir;
  const FormatCase& c = GetParam();
  fs::path file = FfmpegGenerate(dir / c.file, kTone, std::string("-ac 2 ") + c.encode + " " + kTags);
  auto probe = Probe(file.string());
  ASSERT_TRUE(probe.ok()) << probe.error().message << " " << probe.error().detail;
  EXPECT_EQ(probe->format, c.format);
  EXPECT_EQ(probe->container, c.container);
  EXPECT_EQ(probe->codec, c.codec);
  EXPECT_EQ(probe->lossless, c.lossless);
  EXPECT_NEAR(probe->duration_ms, 5000, 150);
  EXPECT_EQ(probe->channels, 2);
  EXPECT_EQ(probe->sample_rate, std::string(c.format) == "opus" ? 48000 : 44100);
  if (c.lossless) {
    EXPECT_GE(probe->bits_per_sample, 16);
  }
  // WAV (LIST/INFO) and raw ADTS carry no tags from the ffmpeg CLI; every other container does.
  bool taggable = std::string(c.container) != "wav" && std::string(c.container) != "aac";
  if (taggable) {
    EXPECT_EQ(probe->tags.title, "Night Drive");
    EXPECT_EQ(probe->tags.artist, "Veza Test");
    EXPECT_EQ(probe->tags.album, "Fixtures");
    EXPECT_EQ(probe->tags.genre, "Synthwave");
    EXPECT_EQ(probe->tags.year, 2021);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Accepted, ProbeFormatTest,
    ::testing::Values(FormatCase{"a.wav", "-c:a pcm_s16le", "wav", "wav", "pcm_s16le", true},
                      FormatCase{"a.flac", "-c:a flac", "flac", "flac", "flac", true},
                      FormatCase{"a.m4a", "-c:a alac", "alac", "mp4", "alac", true},
                      FormatCase{"a.mp3", "-c:a libmp3lame -b:a 192k", "mp3", "mp3", "mp3", false},
                      FormatCase{"a.aac", "-c:a aac -b:a 128k", "aac", "aac", "aac", false},
                      FormatCase{"b.m4a", "-c:a aac -b:a 128k", "aac", "mp4", "aac", false},
                      FormatCase{"a.ogg", "-c:a libvorbis", "vorbis", "ogg", "vorbis", false},
                      FormatCase{"a.opus", "-c:a libopus", "opus", "ogg", "opus", false}),
    [](const auto& info) {
      std::string name = info.param.file;
      return name.replace(name.find('.'), 1, "_");
    });

TEST(Probe, AiffFromSox) {
  TempDir dir;
  fs::path file = dir / "tone.aiff";
  ASSERT_EQ(testutil::Run("sox -n -r 48000 -b 24 -c 1 " + file.string() + " synth 3 sine 440"), 0);
  auto probe = Probe(file.string());
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->format, "aiff");
  EXPECT_EQ(probe->codec, "pcm_s24be");
  EXPECT_EQ(probe->bits_per_sample, 24);
  EXPECT_EQ(probe->channels, 1);
  EXPECT_EQ(probe->sample_rate, 48000);
  EXPECT_NEAR(probe->duration_ms, 3000, 20);
}

TEST(Probe, ReadsMusicTagsAndPictureFromMp3) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "tagged.mp3", kTone,
                                 "-f lavfi -i color=c=red:s=64x64:d=1 -map 0:a -map 1:v -c:v mjpeg -frames:v 1 "
                                 "-disposition:v:0 attached_pic -c:a libmp3lame -id3v2_version 3 "
                                 "-metadata TBPM=124 -metadata TKEY=Am -metadata TSRC=USRC17607839 "
                                 "-metadata lyrics='la la la' -metadata title=Tagged");
  auto probe = Probe(file.string());
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->tags.title, "Tagged");
  EXPECT_EQ(probe->tags.bpm, 124.0);
  EXPECT_EQ(probe->tags.key, "Am");
  EXPECT_EQ(probe->tags.isrc, "USRC17607839");
  EXPECT_EQ(probe->tags.lyrics, "la la la");
  EXPECT_TRUE(probe->has_picture);
}

TEST(Probe, ReadsVorbisCommentsBpmKeyIsrc) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "tagged.flac", kTone,
                                 "-c:a flac -metadata BPM=98.5 -metadata INITIALKEY=8A -metadata ISRC=GBAYE0601498 "
                                 "-metadata UNSYNCEDLYRICS='words'");
  auto probe = Probe(file.string());
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->tags.bpm, 98.5);
  EXPECT_EQ(probe->tags.key, "8A");
  EXPECT_EQ(probe->tags.isrc, "GBAYE0601498");
  EXPECT_EQ(probe->tags.lyrics, "words");
  EXPECT_FALSE(probe->has_picture);
}

// ---- hostile input ----

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Le(uint32_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

std::string WavHeader(uint16_t channels, uint32_t rate, uint16_t bits, uint32_t data_bytes) {
  uint16_t align = static_cast<uint16_t>(channels * bits / 8);
  return "RIFF" + Le(36 + data_bytes, 4) + "WAVEfmt " + Le(16, 4) + Le(1, 2) + Le(channels, 2) + Le(rate, 4) +
         Le(rate * align, 4) + Le(align, 2) + Le(bits, 2) + "data" + Le(data_bytes, 4);
}

void ExpectError(const fs::path& file, ErrorCode code, const std::string& message_part) {
  auto probe = Probe(file.string());
  ASSERT_FALSE(probe.ok()) << file << " was accepted as " << probe->format;
  EXPECT_EQ(probe.error().code, code) << probe.error().message;
  EXPECT_NE(probe.error().message.find(message_part), std::string::npos) << probe.error().message;
}

TEST(ProbeHostile, EmptyFile) {
  TempDir dir;
  WriteBytes(dir / "empty.wav", "");
  ExpectError(dir / "empty.wav", ErrorCode::kValidation, "empty");
}

TEST(ProbeHostile, MissingFile) {
  TempDir dir;
  ExpectError(dir / "nope.flac", ErrorCode::kValidation, "could not be read");
}

TEST(ProbeHostile, TruncatedFlac) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "long.flac", "anoisesrc=d=20:c=pink:a=0.3", "-c:a flac");
  fs::resize_file(file, fs::file_size(file) * 2 / 5);
  ExpectError(file, ErrorCode::kValidation, "truncated");
}

TEST(ProbeHostile, ShortTruncatedFlac) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "short.flac", "anoisesrc=d=8:c=pink:a=0.3", "-c:a flac");
  fs::resize_file(file, fs::file_size(file) / 4);
  ExpectError(file, ErrorCode::kValidation, "truncated");
}

TEST(ProbeHostile, TextNamedMp3) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 200; ++i) text += "This is not audio, it is a shopping list. Eggs, milk.\n";
  WriteBytes(dir / "song.mp3", text);
  ExpectError(dir / "song.mp3", ErrorCode::kUnsupportedMediaType, "text");
}

TEST(ProbeHostile, WavHeaderClaimingTenHoursInAFewBytes) {
  TempDir dir;
  uint32_t ten_hours = 8000u * 36000u;  // 8 kHz, 8-bit mono
  WriteBytes(dir / "long.wav", WavHeader(1, 8000, 8, ten_hours) + std::string(200, '\x80'));
  ExpectError(dir / "long.wav", ErrorCode::kValidation, "truncated");
}

TEST(ProbeHostile, WavHeaderClaimingHundredThousandChannels) {
  TempDir dir;
  // The field is 16 bits: 100,000 lands as 34,464; 65,535 is the largest a header can claim.
  for (uint16_t channels : {static_cast<uint16_t>(100000 & 0xFFFF), uint16_t{65535}}) {
    WriteBytes(dir / "wide.wav", WavHeader(channels, 44100, 16, 4096) + std::string(4096, '\0'));
    auto probe = Probe((dir / "wide.wav").string());
    ASSERT_FALSE(probe.ok()) << channels;
    EXPECT_TRUE(probe.error().code == ErrorCode::kValidation || probe.error().code == ErrorCode::kUnsupportedMediaType)
        << probe.error().message;
    EXPECT_FALSE(probe.error().message.empty());
  }
}

TEST(ProbeHostile, ZipArchive) {
  TempDir dir;
  fs::path zip = dir / "album.flac";
  ASSERT_EQ(testutil::Run("python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); "
                          "z.writestr('a.txt','hello'*100); z.close()\" " + zip.string()), 0);
  ExpectError(zip, ErrorCode::kUnsupportedMediaType, "zip archive");
}

TEST(ProbeHostile, Mpeg4Video) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "clip.m4a", "testsrc=d=2:s=160x120",
                                 "-f lavfi -i sine=d=2 -map 0:v -map 1:a -c:v mpeg4 -c:a aac");
  ExpectError(file, ErrorCode::kUnsupportedMediaType, "mpeg-4 video");
}

TEST(ProbeHostile, UnsupportedCodecInAcceptedContainer) {
  TempDir dir;
  fs::path file = FfmpegGenerate(dir / "speech.wav", kTone, "-c:a adpcm_ms");
  ExpectError(file, ErrorCode::kUnsupportedMediaType, "adpcm_ms");
}

TEST(ProbeHostile, RandomBytes) {
  TempDir dir;
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 65536; ++i) noise += static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  WriteBytes(dir / "noise.ogg", noise);
  auto probe = Probe((dir / "noise.ogg").string());
  ASSERT_FALSE(probe.ok());
  EXPECT_TRUE(probe.error().code == ErrorCode::kUnsupportedMediaType || probe.error().code == ErrorCode::kValidation);
}

}  // namespace
}  // namespace veza::media
