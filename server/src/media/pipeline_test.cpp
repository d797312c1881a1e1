#include "media/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_audio.h"

namespace veza::media {
namespace {

namespace fs = std::filesystem;
using testutil::FfmpegGenerate;
using testutil::TempDir;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A 25 s "song": a chord with some movement, stereo, tags and a JPEG cover.
fs::path MakeSong(const TempDir& dir) {
  return FfmpegGenerate(dir / "song.flac",
                        "aevalsrc=0.2*sin(2*PI*220*t)+0.1*sin(2*PI*277.18*t)*(1+sin(t))|"
                        "0.2*sin(2*PI*329.63*t)+0.05*sin(2*PI*440*t):s=44100:d=25",
                        "-f lavfi -i color=c=blue:s=120x120:d=1 -map 0:a -map 1:v -c:v mjpeg -frames:v 1 "
                        "-disposition:v:0 attached_pic -c:a flac -metadata title=Song");
}

Result<PipelineResult> Process(const fs::path& input, const fs::path& out, PipelineOptions options = {}) {
  return RunPipeline(input.string(), out.string(), options);
}

TEST(Pipeline, WritesThreeRenditionsThatDecodeEndToEnd) {
  TempDir dir;
  fs::path src = MakeSong(dir);
  std::vector<std::pair<Stage, int>> progress;
  PipelineOptions options;
  options.on_progress = [&](Stage s, int pct) { progress.emplace_back(s, pct); };
  auto result = Process(src, dir / "out", options);
  ASSERT_TRUE(result.ok()) << result.error().message << " " << result.error().detail;

  EXPECT_NEAR(result->duration_ms, 25000, 50);
  EXPECT_EQ(result->channels, 2);
  EXPECT_EQ(result->sample_rate, 44100);
  ASSERT_EQ(result->renditions.size(), 3u);
  std::string master = ReadText(result->master_playlist);
  EXPECT_NE(master.find("#EXT-X-VERSION:7"), std::string::npos);
  for (int i = 0; i < 3; ++i) {
    const RenditionResult& r = result->renditions[i];
    EXPECT_EQ(r.bitrate_kbps, std::vector<int>({128, 192, 256})[i]);
    EXPECT_EQ(r.segment_count, 5);  // 6+6+6+6+1 s
    // AAC tracks its target closely; the measured average must be near it and the peak above it.
    EXPECT_NEAR(r.average_bandwidth, r.bitrate_kbps * 1000, r.bitrate_kbps * 150);
    EXPECT_GE(r.peak_bandwidth, r.average_bandwidth);
    EXPECT_LE(r.peak_bandwidth, r.average_bandwidth * 11 / 10);  // steady content, no sliver inflation
    std::string line = "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(r.peak_bandwidth) +
                       ",AVERAGE-BANDWIDTH=" + std::to_string(r.average_bandwidth) + ",CODECS=\"mp4a.40.2\"\n" +
                       std::to_string(r.bitrate_kbps) + "k/index.m3u8\n";
    EXPECT_NE(master.find(line), std::string::npos) << master;

    std::string variant = ReadText(r.playlist_path);
    for (const char* tag : {"#EXT-X-VERSION:7", "#EXT-X-MAP:URI=\"init.mp4\"", "#EXT-X-TARGETDURATION:6",
                            "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST"}) {
      EXPECT_NE(variant.find(tag), std::string::npos) << tag << " missing in\n" << variant;
    }
    double decoded = testutil::DecodedSeconds(result->master_playlist, "0:a:" + std::to_string(i));
    EXPECT_NEAR(decoded, 25.0, 0.5) << "rendition " << r.bitrate_kbps << "k";
  }
  std::string codec = testutil::Capture("ffprobe -v error -select_streams a:0 -show_entries stream=codec_name,profile,"
                                        "sample_rate,channels -of csv=p=0 " +
                                        testutil::Quote(result->renditions[0].playlist_path));
  EXPECT_EQ(codec.substr(0, codec.find('\n')), "aac,LC,44100,2");

  ASSERT_TRUE(result->cover.has_value());
  EXPECT_EQ(result->cover->mime_type, "image/jpeg");
  std::string jpeg = ReadText(result->cover->path);
  EXPECT_EQ(jpeg.substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_EQ(result->source.tags.title, "Song");

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front().first, Stage::kProbing);
  EXPECT_EQ(progress.back(), std::make_pair(Stage::kDone, 100));
  bool saw_middle = false;
  for (auto [stage, pct] : progress) saw_middle |= stage == Stage::kProcessing && pct > 10 && pct < 90;
  EXPECT_TRUE(saw_middle);
  EXPECT_GE(result->timings.size(), 9u);
}

TEST(Pipeline, WaveformLengthMatchesDurationAtBothResolutions) {
  TempDir dir;
  fs::path src = FfmpegGenerate(dir / "tone.wav", "sine=frequency=100:sample_rate=48000:duration=21.5",
                                "-c:a pcm_s16le -ac 1");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->channels, 1);  // mono stays mono
  for (const WaveformResult* w : {&result->waveform_overview, &result->waveform_detail}) {
    std::string json = ReadText(w->path);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(json, m, std::regex(R"(^\{"version":2,"channels":1,"sample_rate":44100,)"
                                                      R"("samples_per_pixel":(\d+),"bits":8,"length":(\d+),"data":\[)")))
        << json.substr(0, 200);
    int spp = std::stoi(m[1]);
    int64_t length = std::stoll(m[2]);
    EXPECT_EQ(spp, w->samples_per_pixel);
    EXPECT_EQ(length, w->length);
    EXPECT_NEAR(static_cast<double>(length) * spp / 44100.0, 21.5, static_cast<double>(spp) / 44100.0 + 0.01);
    size_t values = std::count(json.begin(), json.end(), ',') - 6 + 1;
    EXPECT_EQ(values, static_cast<size_t>(2 * length));
  }
  EXPECT_EQ(result->waveform_detail.samples_per_pixel, 2205);  // 20 points per second
  EXPECT_NEAR(result->waveform_overview.length, 1800, 2);
  // A full-cycle sine at −6 dBFS (ffmpeg's default 1/8 amplitude is −18 dBFS) spans about ±16 in 8 bits.
  std::string detail = ReadText(result->waveform_detail.path);
  EXPECT_NE(detail.find("-16,15"), std::string::npos);
}

TEST(Pipeline, SineAtMinus20DbfsMeasuresItsKnownLoudness) {
  TempDir dir;
  // Stereo 1 kHz sine, peak −20 dBFS on both channels. R128: each channel's mean square is A²/2
  // (−23.01 dB), the K-weighting adds +0.69 dB at 1 kHz, the offset is −0.691, and two channels add
  // +3.01 dB: −23.01 + 0.69 − 0.691 + 3.01 = −20.0 LUFS.
  fs::path src = FfmpegGenerate(dir / "sine.wav", "aevalsrc=0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):s=44100:d=20",
                                "-c:a pcm_f32le");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->loudness.has_value());
  EXPECT_NEAR(result->loudness->integrated_lufs, -20.0, 0.5);
  EXPECT_NEAR(result->loudness->integrated_lufs, testutil::FfmpegLoudness(src.string()), 0.5);
  EXPECT_NEAR(result->loudness->true_peak_dbtp, -20.0, 0.3);
  EXPECT_NEAR(result->loudness->replay_gain_db, -14.0 - result->loudness->integrated_lufs, 0.01);
}

TEST(Pipeline, ReplayGainNeverPushesTruePeakAboveMinusOne) {
  TempDir dir;
  // Crest-heavy clicks: quiet on average, peaks near full scale.
  fs::path src = FfmpegGenerate(dir / "clicks.wav", "aevalsrc=0.95*lt(mod(t\\,0.5)\\,0.0005):s=44100:d=10",
                                "-c:a pcm_s16le");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->loudness.has_value());
  EXPECT_LE(result->loudness->true_peak_dbtp + result->loudness->replay_gain_db, -1.0 + 0.01);
  EXPECT_LT(result->loudness->replay_gain_db, -14.0 - result->loudness->integrated_lufs);
}

TEST(Pipeline, DetectsTempoOfA128BpmDrumPattern) {
  TempDir dir;
  // Kick (pitch-dropping sine + click) on every beat, noise hat on the off-beats, 60/128 s apart.
  const std::string beat = "0.46875";
  const std::string kick_t = "mod(t\\," + beat + ")";
  const std::string hat_t = "mod(t+0.234375\\," + beat + ")";
  const std::string expr = "0.8*sin(2*PI*(50*" + kick_t + "+2.4*(1-exp(-40*" + kick_t + "))))*exp(-12*" + kick_t +
                           ")+0.3*(random(0)*2-1)*exp(-300*" + kick_t + ")+0.15*(random(1)*2-1)*exp(-60*" +
                           hat_t + ")";
  fs::path src = FfmpegGenerate(dir / "drums.wav", "aevalsrc=" + expr + ":s=44100:d=30", "-c:a pcm_s16le");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->tempo.has_value());
  EXPECT_NEAR(result->tempo->bpm, 128.0, 1.0);
  EXPECT_GT(result->tempo->confidence, 0.8);
}

// Triangle tones (odd harmonics, like a simple synth) for each chord, 2 s each, played three times.
std::string ChordProgression(const std::vector<std::vector<double>>& chords) {
  std::string expr;
  const double chord_s = 2.0;
  const double cycle = chord_s * static_cast<double>(chords.size());
  for (size_t i = 0; i < chords.size(); ++i) {
    std::string tones;
    for (double hz : chords[i]) {
      if (!tones.empty()) tones += "+";
      tones += "asin(sin(2*PI*" + std::to_string(hz) + "*t))";
    }
    std::string gate = "between(mod(t\\," + std::to_string(cycle) + ")\\," + std::to_string(i * chord_s) + "\\," +
                       std::to_string((i + 1) * chord_s - 0.001) + ")";
    if (!expr.empty()) expr += "+";
    expr += gate + "*0.15*(" + tones + ")";
  }
  return "aevalsrc=" + expr + ":s=44100:d=" + std::to_string(cycle * 3);
}

TEST(Pipeline, DetectsAMinorProgression) {
  TempDir dir;
  // Am – Dm – E – Am
  fs::path src = FfmpegGenerate(dir / "am.wav",
                                ChordProgression({{220.00, 261.63, 329.63},
                                                  {293.66, 349.23, 440.00},
                                                  {164.81, 207.65, 246.94},
                                                  {220.00, 261.63, 329.63}}),
                                "-c:a pcm_s16le");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->key.has_value());
  EXPECT_EQ(KeyName(result->key->key), "A minor");
  EXPECT_EQ(CamelotCode(result->key->key), "8A");
  EXPECT_GT(result->key->confidence, 0.5);
}

TEST(Pipeline, DetectsEFlatMajorProgression) {
  TempDir dir;
  // E♭ – A♭ – B♭ – E♭
  fs::path src = FfmpegGenerate(dir / "eb.wav",
                                ChordProgression({{311.13, 392.00, 466.16},
                                                  {207.65, 261.63, 311.13},
                                                  {233.08, 293.66, 349.23},
                                                  {311.13, 392.00, 466.16}}),
                                "-c:a pcm_s16le");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->key.has_value());
  EXPECT_EQ(KeyName(result->key->key), "E♭ major");
  EXPECT_EQ(CamelotCode(result->key->key), "5B");
}

TEST(Pipeline, CustomLadderAndSegmentLength) {
  TempDir dir;
  fs::path src = FfmpegGenerate(dir / "a.ogg", "sine=frequency=440:duration=12", "-c:a libvorbis -ac 2");
  PipelineOptions options;
  options.ladder_kbps = {64, 96};
  options.segment_seconds = 4;
  auto result = Process(src, dir / "out", options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->renditions.size(), 2u);
  // 3 × 4 s, plus at most one sliver holding the encoder's last (padding) frames.
  EXPECT_GE(result->renditions[0].segment_count, 3);
  EXPECT_LE(result->renditions[0].segment_count, 4);
  EXPECT_NE(ReadText(result->renditions[0].playlist_path).find("#EXT-X-TARGETDURATION:4"), std::string::npos);
  EXPECT_NEAR(testutil::DecodedSeconds(result->renditions[1].playlist_path), 12.0, 0.5);
}

TEST(Pipeline, SilenceHasNoLoudnessKeyOrTempo) {
  TempDir dir;
  fs::path src = FfmpegGenerate(dir / "silence.flac", "anullsrc=r=44100:cl=stereo:d=8", "-c:a flac");
  auto result = Process(src, dir / "out");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->loudness.has_value());
  EXPECT_FALSE(result->key.has_value());
  EXPECT_FALSE(result->tempo.has_value());
  EXPECT_FALSE(result->cover.has_value());
  EXPECT_EQ(result->renditions.size(), 3u);
}

TEST(Pipeline, CancellationStopsEarlyWithCancelledError) {
  TempDir dir;
  fs::path src = FfmpegGenerate(dir / "long.flac", "sine=frequency=440:duration=120", "-c:a flac");
  std::atomic<bool> cancel{false};
  PipelineOptions options;
  options.cancel = &cancel;
  options.on_progress = [&](Stage stage, int pct) {
    if (stage == Stage::kProcessing && pct >= 5) cancel = true;
  };
  auto result = Process(src, dir / "out", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().slug, "cancelled");
  EXPECT_FALSE(fs::exists(dir / "out" / "master.m3u8"));
}

TEST(Pipeline, HostileInputFailsWithTheProbeError) {
  TempDir dir;
  std::ofstream(dir / "notes.flac") << "just some text\n";
  auto result = Process(dir / "notes.flac", dir / "out");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_NE(result.error().message.find("text"), std::string::npos);
}

TEST(Pipeline, RejectsInvalidLadder) {
  TempDir dir;
  fs::path src = FfmpegGenerate(dir / "a.wav", "sine=duration=2", "-c:a pcm_s16le");
  PipelineOptions options;
  options.ladder_kbps = {};
  EXPECT_FALSE(Process(src, dir / "out", options).ok());
  options.ladder_kbps = {128, 9000};
  EXPECT_FALSE(Process(src, dir / "out", options).ok());
}

}  // namespace
}  // namespace veza::media
