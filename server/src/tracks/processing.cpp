#include "tracks/processing.h"

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <system_error>

#include "core/json.h"
#include "core/log.h"
#include "tracks/media_task.h"
#include "tracks/track_store.h"

namespace veza::tracks {

namespace {

namespace fs = std::filesystem;

/// A scratch directory removed when the job ends, whatever happened.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

/// Overall percent for a stage's own percent, so the bar only moves forward.
int Overall(const std::string& stage, int pct) {
  if (stage == "probing") return pct * 5 / 100;
  if (stage == "processing") return 5 + pct * 80 / 100;
  if (stage == "finalizing") return 85 + pct * 5 / 100;
  if (stage == "uploading") return 90 + pct * 9 / 100;
  return pct;
}

std::optional<int64_t> TrackIdFromPayload(const std::string& payload) {
  auto o = json::ParseObject(payload);
  if (!o.ok()) return std::nullopt;
  const auto* v = o->if_contains("track_id");
  if (!v || !v->is_string()) return std::nullopt;
  return ParseId(std::string_view(v->as_string()));
}

/// Where an output file goes: waveforms and cover beside the track, the rest under hls/.
std::string KeyFor(int64_t id, const std::string& rel) {
  if (rel.find('/') == std::string::npos && (rel.starts_with("waveform_") || rel.starts_with("cover.")))
    return TrackPrefix(id) + rel;
  return TrackPrefix(id) + "hls/" + rel;
}

/// Scratch directories an earlier attempt left for this track (its process was killed before its
/// cleanup ran). The job's lease makes us the only worker on this track, so none of them is in use.
void RemoveStaleScratch(const std::string& work_dir, int64_t id) {
  const std::string prefix = "track-" + std::to_string(id) + "-";
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(work_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().filename().string().starts_with(prefix)) stale.push_back(it->path());
  }
  for (const auto& path : stale) fs::remove_all(path, ec);
}
/// Observes each stage's wall time as progress moves from one stage to the next. One per job (jobs run
/// on several threads at once).
class StageTimer {
 public:
  StageTimer(MediaMetrics* metrics, const Clock& clock) : metrics_(metrics), clock_(clock) {}
  ~StageTimer() { Close(); }

  void Reached(const std::string& stage) {
    if (stage == stage_) return;
    Close();
    stage_ = stage;
    started_ns_ = clock_.MonotonicNs();
  }
  void Close() {
    if (metrics_ && !stage_.empty())
      metrics_->StageDuration(stage_, static_cast<double>(clock_.MonotonicNs() - started_ns_) / 1e9);
    stage_.clear();
  }

 private:
  MediaMetrics* metrics_;
  const Clock& clock_;
  std::string stage_;
  int64_t started_ns_ = 0;
};

}  // namespace

TrackProcessor::TrackProcessor(db::Database& db, storage::ObjectStore& objects, TrackService& service,
                               const Clock& clock, ProcessingOptions options, ChildRunner runner)
    : db_(db),
      objects_(objects),
      service_(service),
      clock_(clock),
      options_(std::move(options)),
      runner_(std::move(runner)) {}

void TrackProcessor::Progress(int64_t id, const std::string& stage, int percent) {
  Status s = db_.InTransaction([&](db::Session& session) {
    return TrackStore::SetProgress(session, id, stage, Overall(stage, percent), clock_.NowMs());
  });
  if (!s.ok()) log::Warn("track progress not saved", {{"track_id", id}, {"error", s.error().detail}});
}

jobs::JobOutcome TrackProcessor::Fail(int64_t id, const std::string& message, const std::string& why) {
  auto s = db_.Transaction<int64_t>(
      [&](db::Session& session) { return TrackStore::MarkFailed(session, id, message, clock_.NowMs()); });
  if (!s.ok()) return jobs::JobOutcome::Retry("cannot mark the track failed: " + s.error().detail);
  if (*s == 0) {
    // Deleted while we worked (which may be why we failed): leave nothing behind.
    (void)service_.DeleteObjects(id);
    return jobs::JobOutcome::Done();
  }
  log::Warn("track processing failed", {{"track_id", id}, {"reason", why}});
  return jobs::JobOutcome::Fail(why);
}

jobs::JobOutcome TrackProcessor::RetryOrFail(const jobs::Job& job, int64_t id, const std::string& why) {
  auto still = db_.ReadValue<std::optional<Track>>([&](db::Session& s) { return TrackStore::Get(s, id); });
  if (still.ok() && !*still) {
    // Deleted while we worked (which may be why we failed): leave nothing behind.
    (void)service_.DeleteObjects(id);
    return jobs::JobOutcome::Done();
  }
  if (job.max_attempts > 0 && job.attempt >= job.max_attempts) {
    return Fail(id, "Processing failed on our side; please upload the file again.", why);
  }
  return jobs::JobOutcome::Retry(why);
}

jobs::JobOutcome TrackProcessor::ProcessTrack(const jobs::Job& job) {
  const int64_t started_ns = clock_.MonotonicNs();
  jobs::JobOutcome outcome = Process(job);
  if (options_.metrics) {
    using Kind = jobs::JobOutcome::Kind;
    options_.metrics->JobOutcome(outcome.kind == Kind::kDone    ? "done"
                                 : outcome.kind == Kind::kRetry ? "retry"
                                                                : "failed",
                                 static_cast<double>(clock_.MonotonicNs() - started_ns) / 1e9);
  }
  return outcome;
}

jobs::JobOutcome TrackProcessor::Process(const jobs::Job& job) {
  auto id_opt = TrackIdFromPayload(job.payload);
  if (!id_opt) return jobs::JobOutcome::Fail("payload has no track_id: " + job.payload);
  const int64_t id = *id_opt;

  auto loaded = db_.ReadValue<std::optional<Track>>([&](db::Session& s) { return TrackStore::Get(s, id); });
  if (!loaded.ok()) return jobs::JobOutcome::Retry("loading the track: " + loaded.error().detail);
  if (!*loaded) {
    (void)service_.DeleteObjects(id);  // deleted before we ran: nothing may stay behind
    return jobs::JobOutcome::Done();
  }
  const Track track = std::move(**loaded);
  if (track.status == "ready") return jobs::JobOutcome::Done();

  std::error_code ec;
  RemoveStaleScratch(options_.work_dir, id);
  ScratchDir scratch{
      fs::path(options_.work_dir) /
      ("track-" + std::to_string(id) + "-" + std::to_string(::getpid()) + "-" + std::to_string(job.attempt))};
  fs::create_directories(scratch.path, ec);
  if (ec) return jobs::JobOutcome::Retry("cannot create the work directory: " + ec.message());

  // The original: read in place from a local store, fetched to scratch otherwise.
  const std::string original_key = OriginalKey(id, track.original.extension);
  std::string input;
  if (auto local = objects_.LocalPath(original_key); local && fs::is_regular_file(*local, ec)) {
    input = *local;
  } else {
    input = (scratch.path / ("original." + track.original.extension)).string();
    Status copied = storage::CopyToFile(objects_, original_key, input);
    if (!copied.ok()) {
      if (copied.error().code == ErrorCode::kNotFound) {
        return Fail(id, "The uploaded file is missing; please upload it again.", "original missing");
      }
      return RetryOrFail(job, id, "fetching the original: " + copied.error().detail);
    }
  }

  const fs::path out_dir = scratch.path / "out";
  std::vector<std::string> argv = options_.command;
  argv.insert(argv.end(), {"process", input, out_dir.string(), "--progress"});
  if (!options_.ladder_kbps.empty()) {
    std::string ladder;
    for (int k : options_.ladder_kbps) ladder += (ladder.empty() ? "" : ",") + std::to_string(k);
    argv.insert(argv.end(), {"--ladder", ladder});
  }

  Progress(id, "probing", 0);
  StageTimer timer(options_.metrics, clock_);
  timer.Reached("probing");
  std::string last_stage = "probing";
  int last_percent = 0;
  auto child = runner_(argv, options_.limits, [&](std::string_view line) {
    std::string stage;
    int pct = 0;
    if (!ParseProgressLine(line, stage, pct)) return;
    timer.Reached(stage);
    // A database write every 5% at most.
    if (stage == last_stage && pct < last_percent + 5 && pct != 100) return;
    last_stage = stage;
    last_percent = pct;
    Progress(id, stage, pct);
  });
  if (!child.ok()) return RetryOrFail(job, id, "cannot start the media task: " + child.error().detail);

  auto output = ParseMediaTaskOutput(child->stdout_data);
  if (!child->Succeeded()) {
    if (output.ok() && !output->ok) {
      const bool bad_input = output->error_code == "validation" ||
                             output->error_code == "unsupported_media_type" ||
                             output->error_code == "bad_request";
      if (bad_input) return Fail(id, output->error_message, "media task: " + output->error_message);
      return RetryOrFail(job, id, "media task: " + output->error_code + ": " + output->error_message);
    }
    // SIGKILL without our wall limit came from outside (the OOM killer, an operator): the file may be
    // fine, so it gets the job's remaining attempts.
    if (!child->exited && !child->wall_timeout && child->term_signal == SIGKILL) {
      return RetryOrFail(job, id, "media task " + child->Describe() + ": " + child->stderr_tail);
    }
    // Killed by a limit or crashed: the file is hostile or absurd; retrying would do the same.
    std::string what = child->wall_timeout ? "took too long to process"
                       : child->exited && child->exit_code == kMediaTaskOutOfMemory
                           ? "needed too much memory to process"
                           : "could not be processed";
    return Fail(id, "The audio " + what + ".", "media task " + child->Describe() + ": " + child->stderr_tail);
  }
  if (!output.ok() || !output->ok) {
    return RetryOrFail(job, id, "media task printed no usable result: " + child->stdout_data.substr(0, 200));
  }

  // Upload every output file; the same keys on every run, so a rerun after a crash overwrites.
  timer.Reached("uploading");
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(out_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return RetryOrFail(job, id, "listing the pipeline output: " + ec.message());
  std::string cover_key;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string rel = fs::relative(files[i], out_dir).generic_string();
    const std::string key = KeyFor(id, rel);
    if (Status s = objects_.PutFile(key, files[i].string()); !s.ok()) {
      return RetryOrFail(job, id, "storing " + key + ": " + s.error().detail);
    }
    if (!output->cover_path.empty() && fs::equivalent(files[i], output->cover_path, ec)) cover_key = key;
    if (i % 10 == 0) Progress(id, "uploading", static_cast<int>(i * 100 / files.size()));
  }

  ProcessedFacts facts{.duration_ms = output->duration_ms,
                       .detected_bpm = output->bpm,
                       .detected_bpm_confidence = output->bpm_confidence,
                       .detected_key = output->key,
                       .detected_key_confidence = output->key_confidence,
                       .loudness_lufs = output->loudness_lufs,
                       .true_peak_dbtp = output->true_peak_dbtp,
                       .replay_gain_db = output->replay_gain_db,
                       .cover_key = cover_key,
                       .cover_mime_type = cover_key.empty() ? "" : output->cover_mime_type};
  if (facts.detected_bpm) facts.detected_bpm = std::round(*facts.detected_bpm * 10) / 10;
  timer.Close();
  auto marked = db_.Transaction<int64_t>(
      [&](db::Session& s) { return TrackStore::MarkReady(s, id, facts, clock_.NowMs()); });
  if (!marked.ok()) return RetryOrFail(job, id, "marking ready: " + marked.error().detail);
  if (*marked == 0) {
    // Deleted while we worked: remove what we just stored.
    (void)service_.DeleteObjects(id);
    return jobs::JobOutcome::Done();
  }
  log::Info("track processed",
            {{"track_id", id}, {"files", static_cast<int64_t>(files.size())}, {"child_ms", child->wall_ms}});
  return jobs::JobOutcome::Done();
}

}  // namespace veza::tracks
