#include "media/pipeline.h"

#include <time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "media/analysers.h"
#include "media/decode.h"
#include "media/ffmpeg_util.h"
#include "media/hls_writer.h"

namespace veza::media {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// Enough to absorb scheduling jitter between stages (16 × 8192 frames ≈ 3 s of audio per stage).
constexpr size_t kQueueBlocks = 16;

double MsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Runs one consumer on its own thread, fed through a bounded queue.
class StageRunner {
 public:
  StageRunner(PcmConsumer& consumer, const PcmFormat& format, std::atomic<bool>& abort)
      : consumer_(consumer), format_(format), abort_(abort), queue_(kQueueBlocks) {}

  void Start() { thread_ = std::thread([this] { Run(); }); }
  bool Push(PcmBlockPtr block) { return queue_.Push(std::move(block)); }
  void CloseAndJoin() {
    queue_.Close();
    if (thread_.joinable()) thread_.join();
  }
  const Status& status() const { return status_; }
  StageTiming timing() const { return {consumer_.Name(), busy_ms_, cpu_ms_}; }

 private:
  void Run() {
    auto timed = [this](auto&& fn) {
      auto start = SteadyClock::now();
      status_ = fn();
      busy_ms_ += MsSince(start);
    };
    timed([&] { return consumer_.Begin(format_); });
    while (status_.ok()) {
      auto block = queue_.Pop();
      if (!block) break;
      timed([&] { return consumer_.Consume(**block); });
    }
    if (status_.ok()) timed([&] { return consumer_.Finish(); });
    cpu_ms_ = ThreadCpuMs();
    if (!status_.ok()) {
      abort_ = true;  // one failed stage fails the run: stop decoding for the others
      queue_.Abandon();
    }
  }

  PcmConsumer& consumer_;
  PcmFormat format_;
  std::atomic<bool>& abort_;
  BlockQueue queue_;
  std::thread thread_;
  Status status_;
  double busy_ms_ = 0;
  double cpu_ms_ = 0;
};

struct Stages {
  std::vector<std::unique_ptr<HlsRenditionWriter>> renditions;
  std::vector<std::string> rendition_names;
  WaveformBuilder waveform;
  LoudnessMeter loudness;
  TempoDetector tempo;
  KeyDetector key;

  explicit Stages(const PipelineOptions& o) : waveform(o.overview_points, o.detail_points_per_second) {}

  std::vector<PcmConsumer*> All() {
    std::vector<PcmConsumer*> all;
    for (auto& r : renditions) all.push_back(r.get());
    for (PcmConsumer* c : std::initializer_list<PcmConsumer*>{&waveform, &loudness, &tempo, &key}) all.push_back(c);
    return all;
  }
};

Status WriteFile(const fs::path& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out.flush()) return Internal("cannot write " + path.string());
  return Ok();
}

Result<WaveformResult> WriteWaveform(const fs::path& path, const Waveform& w) {
  std::string json = WaveformToJson(w);
  VEZA_TRY(WriteFile(path, json.data(), json.size()));
  return WaveformResult{path.string(), w.samples_per_pixel, w.length};
}

Result<std::optional<CoverArt>> WriteCover(const fs::path& out_dir, const std::optional<EmbeddedPicture>& pic) {
  if (!pic) return std::optional<CoverArt>();
  fs::path path = out_dir / (pic->mime_type == "image/png" ? "cover.png" : "cover.jpg");
  VEZA_TRY(WriteFile(path, pic->bytes.data(), pic->bytes.size()));
  return std::optional<CoverArt>(CoverArt{path.string(), pic->mime_type, static_cast<int64_t>(pic->bytes.size())});
}

Result<std::vector<RenditionResult>> FinishHls(const fs::path& out_dir, const PipelineOptions& o,
                                               std::string& master) {
  std::vector<HlsVariant> variants;
  std::vector<RenditionResult> results;
  for (int kbps : o.ladder_kbps) {
    std::string name = std::to_string(kbps) + "k";
    VEZA_ASSIGN_OR_RETURN(HlsVariant v, MeasureVariant(out_dir / name, name, kbps * 1000));
    results.push_back({kbps, (out_dir / name).string(), v.playlist.string(), static_cast<int>(v.segments.size()),
                       v.total_bytes, v.average_bandwidth, v.peak_bandwidth});
    variants.push_back(std::move(v));
  }
  fs::path master_path = out_dir / "master.m3u8";
  VEZA_TRY(WriteMasterPlaylist(master_path, variants));
  master = master_path.string();
  return results;
}

// Lossless and Ogg/MP4 durations come from the header or index and are exact; MP3 and ADTS
// durations are estimates from the bit rate, so only the former can prove a file is cut short.
Status CheckDecodedLength(const ProbeResult& source, int64_t decoded_ms) {
  bool exact = source.lossless || source.container == "mp4" || source.container == "ogg";
  int64_t slack_ms = std::max<int64_t>(1000, source.duration_ms / 50);
  if (!exact || source.duration_ms <= 0 || decoded_ms + slack_ms >= source.duration_ms) return Ok();
  return MakeError(ErrorCode::kValidation,
                   "The file is truncated: its header announces " + std::to_string(source.duration_ms / 1000) +
                       " s of audio but only " + std::to_string(decoded_ms / 1000) + " s could be decoded.",
                   "invalid_audio");
}

Status CheckOptions(const PipelineOptions& o) {
  if (o.ladder_kbps.empty() || o.ladder_kbps.size() > 8) return Internal("ladder must have 1–8 renditions");
  for (int kbps : o.ladder_kbps) {
    if (kbps < 16 || kbps > 512) return Internal("ladder bitrate out of range: " + std::to_string(kbps));
  }
  if (o.segment_seconds < 1 || o.segment_seconds > 30) return Internal("segment_seconds out of range");
  return Ok();
}

class Progress {
 public:
  explicit Progress(const PipelineOptions& o) : fn_(o.on_progress) {}
  void Report(Stage stage, int percent) {
    if (!fn_ || (stage == last_stage_ && percent == last_percent_)) return;
    last_stage_ = stage;
    last_percent_ = percent;
    fn_(stage, percent);
  }

 private:
  std::function<void(Stage, int)> fn_;
  Stage last_stage_ = Stage::kDone;
  int last_percent_ = -1;
};

}  // namespace

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kProbing: return "probing";
    case Stage::kProcessing: return "processing";
    case Stage::kFinalizing: return "finalizing";
    case Stage::kDone: return "done";
  }
  return "unknown";
}

Result<PipelineResult> RunPipeline(const std::string& input, const std::string& out_dir_arg,
                                   const PipelineOptions& options) {
  auto started = SteadyClock::now();
  VEZA_TRY(CheckOptions(options));
  Progress progress(options);
  PipelineResult result;

  progress.Report(Stage::kProbing, 0);
  auto probe_start = SteadyClock::now();
  double probe_cpu = ThreadCpuMs();
  VEZA_ASSIGN_OR_RETURN(result.source, Probe(input, options.probe_limits));
  result.timings.push_back({"probe", MsSince(probe_start), ThreadCpuMs() - probe_cpu});

  fs::path out_dir = fs::absolute(out_dir_arg);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Internal("create " + out_dir.string() + ": " + ec.message());

  VEZA_ASSIGN_OR_RETURN(auto decoder, Decoder::Open(input, result.source.duration_ms, options.timeout_ms));
  const PcmFormat format = decoder->format();
  result.sample_rate = format.sample_rate;
  result.channels = format.channels;

  Stages stages(options);
  for (int kbps : options.ladder_kbps) {
    stages.renditions.push_back(std::make_unique<HlsRenditionWriter>(out_dir / (std::to_string(kbps) + "k"),
                                                                     kbps * 1000, options.segment_seconds));
  }
  std::atomic<bool> abort{false};
  std::vector<std::unique_ptr<StageRunner>> runners;
  for (PcmConsumer* consumer : stages.All()) {
    runners.push_back(std::make_unique<StageRunner>(*consumer, format, abort));
    runners.back()->Start();
  }

  double push_wait_ms = 0;
  auto decode_start = SteadyClock::now();
  double decode_cpu = ThreadCpuMs();
  Status decoded = decoder->Run([&](PcmBlockPtr block) {
    if (abort || (options.cancel && options.cancel->load())) return false;
    if (format.expected_frames > 0) {
      int64_t done = block->first_frame + block->frames;
      progress.Report(Stage::kProcessing, static_cast<int>(std::min<int64_t>(99, 100 * done / format.expected_frames)));
    }
    auto wait_start = SteadyClock::now();
    for (auto& runner : runners) runner->Push(block);
    push_wait_ms += MsSince(wait_start);
    return true;
  });
  double decode_wall_ms = MsSince(decode_start);
  decode_cpu = ThreadCpuMs() - decode_cpu;
  for (auto& runner : runners) runner->CloseAndJoin();
  result.timings.push_back({"decode", decode_wall_ms - push_wait_ms, decode_cpu});
  for (auto& runner : runners) {
    if (!runner->status().ok()) return runner->status().error();
    result.timings.push_back(runner->timing());
  }
  if (!decoded.ok()) return std::move(decoded).error();

  progress.Report(Stage::kFinalizing, 0);
  result.duration_ms = decoder->frames_out() * 1000 / format.sample_rate;
  VEZA_TRY(CheckDecodedLength(result.source, result.duration_ms));
  VEZA_ASSIGN_OR_RETURN(result.renditions, FinishHls(out_dir, options, result.master_playlist));
  VEZA_ASSIGN_OR_RETURN(result.waveform_overview,
                        WriteWaveform(out_dir / "waveform_overview.json", stages.waveform.overview()));
  VEZA_ASSIGN_OR_RETURN(result.waveform_detail,
                        WriteWaveform(out_dir / "waveform_detail.json", stages.waveform.detail()));
  VEZA_ASSIGN_OR_RETURN(result.cover, WriteCover(out_dir, decoder->picture()));
  result.loudness = stages.loudness.result();
  result.tempo = stages.tempo.result();
  result.key = stages.key.result();
  result.wall_ms = MsSince(started);
  progress.Report(Stage::kDone, 100);
  return result;
}

}  // namespace veza::media
