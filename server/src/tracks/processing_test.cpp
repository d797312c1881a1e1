#include "tracks/processing.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "db/testing/test_database.h"
#include "media/test_audio.h"
#include "tracks/media_task.h"
#include "tracks/test_support.h"
#include "tracks/track_store.h"

namespace veza::tracks {
namespace {

namespace fs = std::filesystem;
using db::testing::Engine;
using media::testutil::DecodedSeconds;
using media::testutil::FfmpegGenerate;
using media::testutil::TempDir;

TEST(MediaTaskProtocol, ProgressLines) {
  std::string stage;
  int pct = 0;
  EXPECT_TRUE(ParseProgressLine("progress processing 42", stage, pct));
  EXPECT_EQ(stage, "processing");
  EXPECT_EQ(pct, 42);
  EXPECT_FALSE(ParseProgressLine("progress processing 420", stage, pct));
  EXPECT_FALSE(ParseProgressLine("[flac @ 0x55] something", stage, pct));
}

TEST(MediaTaskProtocol, ErrorsAndGarbage) {
  auto err =
      ParseMediaTaskOutput("noise\n{\"error\":{\"code\":\"validation\",\"message\":\"Truncated.\"}}\n");
  ASSERT_TRUE(err.ok());
  EXPECT_FALSE(err->ok);
  EXPECT_EQ(err->error_code, "validation");
  EXPECT_EQ(err->error_message, "Truncated.");
  EXPECT_FALSE(ParseMediaTaskOutput("").ok());
  EXPECT_FALSE(ParseMediaTaskOutput("{\"nothing\":1}").ok());
}

TEST(ChildProcess, WallLimitKillsTheGroupAndLinesStream) {
  std::vector<std::string> lines;
  auto r = RunChild({"/bin/sh", "-c", "echo progress probing 5 >&2; echo out; exec sleep 30"},
                    {.wall_ms = 300}, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->wall_timeout);
  EXPECT_FALSE(r->Succeeded());
  EXPECT_LT(r->wall_ms, 5000);
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(lines, std::vector<std::string>{"progress probing 5"});
  auto cpu = RunChild({"/bin/sh", "-c", "while :; do :; done"}, {.cpu_seconds = 1, .wall_ms = 10000}, {});
  ASSERT_TRUE(cpu.ok());
  EXPECT_FALSE(cpu->exited);
  EXPECT_FALSE(cpu->wall_timeout);
  auto ok = RunChild({"/bin/sh", "-c", "exit 3"}, {}, {});
  EXPECT_TRUE(ok->exited);
  EXPECT_EQ(ok->exit_code, 3);
}

class ProcessingTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(testing::PrepareSchema(db()).ok());
    fx_ = std::make_unique<testing::Fixture>(db(), (tmp_ / "objects").string());
    fs::create_directories(tmp_ / "work");
    processor_ = std::make_unique<TrackProcessor>(
        db(), *fx_->objects, *fx_->service, fx_->clock,
        ProcessingOptions{.command = {VEZA_MEDIA_TASK},
                          .work_dir = (tmp_ / "work").string(),
                          .limits = {.cpu_seconds = 120, .memory_bytes = 2LL << 30, .wall_ms = 120'000},
                          .ladder_kbps = {}});
  }

  jobs::Job JobFor(int64_t id, int attempt = 1) {
    return {.id = 1,
            .kind = kProcessJobKind,
            .payload = "{\"track_id\":\"" + std::to_string(id) + "\"}",
            .attempt = attempt,
            .max_attempts = 3};
  }

  Track Reload(int64_t id) { return *fx_->service->Get(Viewer{0, true}, id); }

  std::vector<std::string> Keys(int64_t id) {
    std::vector<std::string> keys;
    auto listed = fx_->objects->List(TrackPrefix(id));
    EXPECT_TRUE(listed.ok());
    if (listed.ok()) {
      for (const auto& o : *listed) keys.push_back(o.key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  TempDir tmp_;
  std::unique_ptr<testing::Fixture> fx_;
  std::unique_ptr<TrackProcessor> processor_;
};

TEST_P(ProcessingTest, FlacBecomesReadyHlsThatFfmpegDecodes) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=8", "-c:a flac -ar 44100");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const int64_t id = created->id;

  auto outcome = processor_->ProcessTrack(JobFor(id));
  ASSERT_EQ(outcome.kind, jobs::JobOutcome::Kind::kDone) << outcome.error;
  Track t = Reload(id);
  EXPECT_EQ(t.status, "ready");
  EXPECT_EQ(t.progress_stage, "done");
  EXPECT_EQ(t.progress_percent, 100);
  EXPECT_NEAR(t.duration_ms, 8000, 100);
  ASSERT_TRUE(t.loudness_lufs.has_value());
  ASSERT_TRUE(t.replay_gain_db.has_value());
  EXPECT_TRUE(t.processed_ms.has_value());

  const std::string root = (tmp_ / "objects").string() + "/";
  const std::string master = root + TrackPrefix(id) + "hls/master.m3u8";
  ASSERT_TRUE(fs::exists(master));
  EXPECT_TRUE(fs::exists(root + TrackPrefix(id) + "waveform_overview.json"));
  EXPECT_TRUE(fs::exists(root + TrackPrefix(id) + "waveform_detail.json"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(DecodedSeconds(master, "0:a:" + std::to_string(i)), 8.0, 0.5) << "rendition " << i;
  }
  EXPECT_TRUE(fx_->service->Waveform(std::nullopt, id, "overview").ok());
  EXPECT_TRUE(fs::is_empty(tmp_ / "work"));  // scratch removed

  // Rerun as after a crash between upload and marking ready: same keys, completes again.
  auto keys = Keys(id);
  ASSERT_TRUE(db().InTransaction([&](db::Session& s) -> Status {
                    VEZA_TRY(s.Execute("UPDATE tracks SET status = 'processing' WHERE id = $1", {id}));
                    return Ok();
                  })
                  .ok());
  ASSERT_EQ(processor_->ProcessTrack(JobFor(id, 2)).kind, jobs::JobOutcome::Kind::kDone);
  EXPECT_EQ(Keys(id), keys);
  EXPECT_EQ(Reload(id).status, "ready");
  // Already ready: nothing to do.
  EXPECT_EQ(processor_->ProcessTrack(JobFor(id, 3)).kind, jobs::JobOutcome::Kind::kDone);

  ASSERT_TRUE(fx_->service->Delete({1}, id).ok());
  EXPECT_TRUE(Keys(id).empty());
}

TEST_P(ProcessingTest, DetectedValuesFillOnlyWhatTheUploaderLeftOut) {
  fs::path wav = FfmpegGenerate(tmp_ / "in.wav", "sine=frequency=220:duration=5", "-c:a pcm_s16le");
  TrackInput in;
  in.bpm = std::optional<double>(99.5);
  auto created = fx_->service->CreateFromUpload({1}, {wav.string(), "in.wav"}, in);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(processor_->ProcessTrack(JobFor(created->id)).kind, jobs::JobOutcome::Kind::kDone);
  Track t = Reload(created->id);
  EXPECT_DOUBLE_EQ(*t.bpm, 99.5);  // the uploader's value stays
  if (!t.detected_key.empty()) EXPECT_EQ(t.musical_key, t.detected_key);
}

TEST_P(ProcessingTest, HostileOriginalFailsTheTrackNotTheServer) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=4", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  // Replace the stored original with garbage after the upload's probe, as a disk fault or a race would.
  ASSERT_TRUE(fx_->objects->PutBytes(OriginalKey(created->id, "flac"), std::string(5000, '\x7f')).ok());
  auto outcome = processor_->ProcessTrack(JobFor(created->id));
  EXPECT_EQ(outcome.kind, jobs::JobOutcome::Kind::kFail);
  Track t = Reload(created->id);
  EXPECT_EQ(t.status, "failed");
  EXPECT_FALSE(t.status_message.empty());
  EXPECT_EQ(t.status_message.find("/"), std::string::npos) << "no internal paths: " << t.status_message;
}

TEST_P(ProcessingTest, LimitsEndTheChildAndFailTheTrack) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=4", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  TrackProcessor slow(db(), *fx_->objects, *fx_->service, fx_->clock,
                      ProcessingOptions{.command = {"/bin/sh", "-c", "sleep 30", "sh"},
                                        .work_dir = (tmp_ / "work").string(),
                                        .limits = {.wall_ms = 300}});
  EXPECT_EQ(slow.ProcessTrack(JobFor(created->id)).kind, jobs::JobOutcome::Kind::kFail);
  Track t = Reload(created->id);
  EXPECT_EQ(t.status, "failed");
  EXPECT_EQ(t.status_message, "The audio took too long to process.");
}

TEST_P(ProcessingTest, DeletedTrackLeavesNothing) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=3", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  const int64_t id = created->id;
  // A runner that deletes the track while the child works, as a user could.
  TrackProcessor racing(
      db(), *fx_->objects, *fx_->service, fx_->clock,
      ProcessingOptions{.command = {VEZA_MEDIA_TASK}, .work_dir = (tmp_ / "work").string()},
      [&](const std::vector<std::string>& argv, const ChildLimits& l, const StderrLineFn& f) {
        EXPECT_TRUE(fx_->service->Delete({1}, id).ok());
        return RunChild(argv, l, f);
      });
  EXPECT_EQ(racing.ProcessTrack(JobFor(id)).kind, jobs::JobOutcome::Kind::kDone);
  EXPECT_TRUE(Keys(id).empty());
}

TEST_P(ProcessingTest, ProgressIsStoredAsItAdvances) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=20", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  const int64_t id = created->id;
  std::vector<std::pair<std::string, int>> seen;
  TrackProcessor watched(
      db(), *fx_->objects, *fx_->service, fx_->clock,
      ProcessingOptions{.command = {VEZA_MEDIA_TASK}, .work_dir = (tmp_ / "work").string()},
      [&](const std::vector<std::string>& argv, const ChildLimits& l, const StderrLineFn& f) {
        return RunChild(argv, l, [&](std::string_view line) {
          f(line);
          Track t = Reload(id);
          seen.emplace_back(t.progress_stage, t.progress_percent);
        });
      });
  ASSERT_EQ(watched.ProcessTrack(JobFor(id)).kind, jobs::JobOutcome::Kind::kDone);
  bool saw_processing = false;
  int last = 0;
  for (const auto& [stage, pct] : seen) {
    saw_processing |= stage == "processing" && pct > 5 && pct < 90;
    EXPECT_GE(pct, last) << stage;  // the bar only moves forward
    last = pct;
  }
  EXPECT_TRUE(saw_processing) << seen.size() << " progress lines";
}

TEST_P(ProcessingTest, ChildKilledFromOutsideIsRetriedThenFails) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=3", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  const int64_t id = created->id;
  // What the OOM killer or an operator's kill -9 leaves: no exit code, SIGKILL, no limit of ours hit.
  TrackProcessor killed(db(), *fx_->objects, *fx_->service, fx_->clock,
                        ProcessingOptions{.command = {VEZA_MEDIA_TASK}, .work_dir = (tmp_ / "work").string()},
                        [](const std::vector<std::string>&, const ChildLimits&, const StderrLineFn&) {
                          return Result<ChildOutcome>(ChildOutcome{.exited = false, .term_signal = SIGKILL});
                        });
  EXPECT_EQ(killed.ProcessTrack(JobFor(id, 1)).kind, jobs::JobOutcome::Kind::kRetry);
  EXPECT_EQ(Reload(id).status, "processing");
  EXPECT_EQ(killed.ProcessTrack(JobFor(id, 3)).kind, jobs::JobOutcome::Kind::kFail);
  Track t = Reload(id);
  EXPECT_EQ(t.status, "failed");
  EXPECT_EQ(t.status_message, "Processing failed on our side; please upload the file again.");
}

TEST_P(ProcessingTest, ScratchOfAKilledEarlierAttemptIsRemoved) {
  fs::path flac = FfmpegGenerate(tmp_ / "in.flac", "sine=frequency=440:duration=3", "-c:a flac");
  auto created = fx_->service->CreateFromUpload({1}, {flac.string(), "in.flac"}, {});
  ASSERT_TRUE(created.ok());
  const int64_t id = created->id;
  // A process killed mid-job (another pid, an earlier attempt) never ran its cleanup.
  const fs::path stale = tmp_ / "work" / ("track-" + std::to_string(id) + "-999999-1");
  const fs::path other = tmp_ / "work" / ("track-" + std::to_string(id + 1) + "-999999-1");
  fs::create_directories(stale / "out");
  fs::create_directories(other);
  std::ofstream(stale / "out" / "seg_00001.m4s") << "half a segment";
  ASSERT_EQ(processor_->ProcessTrack(JobFor(id, 2)).kind, jobs::JobOutcome::Kind::kDone);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(other)) << "another track's scratch is not ours to remove";
  std::vector<fs::path> left;
  for (const auto& e : fs::directory_iterator(tmp_ / "work")) left.push_back(e.path());
  EXPECT_EQ(left, std::vector<fs::path>{other});
}

INSTANTIATE_TEST_SUITE_P(Engines, ProcessingTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::tracks
