// veza_media_tool: runs the media library alone, for operators and benchmarks.
//   veza_media_tool probe INPUT
//   veza_media_tool process INPUT OUTDIR [--ladder 128,192,256] [--progress]
// Prints the result as JSON on stdout; errors as JSON on stderr with exit status 1.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "media/pipeline.h"

namespace {

namespace bj = boost::json;
using namespace veza::media;

bj::object TagsJson(const AudioTags& t) {
  bj::object o{{"title", t.title}, {"artist", t.artist}, {"album", t.album}, {"genre", t.genre},
               {"date", t.date},   {"key", t.key},       {"lyrics", t.lyrics}, {"isrc", t.isrc}};
  o["year"] = t.year ? bj::value(*t.year) : bj::value(nullptr);
  o["bpm"] = t.bpm ? bj::value(*t.bpm) : bj::value(nullptr);
  return o;
}

bj::object ProbeJson(const ProbeResult& p) {
  return {{"format", p.format},         {"container", p.container},     {"codec", p.codec},
          {"mime_type", p.mime_type},   {"duration_ms", p.duration_ms}, {"sample_rate", p.sample_rate},
          {"channels", p.channels},     {"bit_rate", p.bit_rate},       {"bits_per_sample", p.bits_per_sample},
          {"lossless", p.lossless},     {"has_picture", p.has_picture}, {"tags", TagsJson(p.tags)}};
}

bj::value KeyJson(const std::optional<KeyEstimate>& k) {
  if (!k) return nullptr;
  return bj::object{{"name", KeyName(k->key)}, {"camelot", CamelotCode(k->key)}, {"confidence", k->confidence}};
}

bj::object ResultJson(const PipelineResult& r) {
  bj::array renditions;
  for (const auto& v : r.renditions) {
    renditions.push_back(bj::object{{"bitrate_kbps", v.bitrate_kbps}, {"playlist", v.playlist_path},
                                    {"segments", v.segment_count}, {"total_bytes", v.total_bytes},
                                    {"average_bandwidth", v.average_bandwidth}, {"peak_bandwidth", v.peak_bandwidth}});
  }
  bj::object timings;
  double cpu_total = 0;
  for (const auto& t : r.timings) {
    timings[t.stage] = bj::object{{"busy_ms", std::round(t.busy_ms)}, {"cpu_ms", std::round(t.cpu_ms)}};
    cpu_total += t.cpu_ms;
  }
  timings["cpu_total_ms"] = std::round(cpu_total);
  timings["wall_ms"] = std::round(r.wall_ms);
  auto waveform = [](const WaveformResult& w) {
    return bj::object{{"path", w.path}, {"samples_per_pixel", w.samples_per_pixel}, {"length", w.length}};
  };
  bj::object o{{"source", ProbeJson(r.source)}, {"duration_ms", r.duration_ms}, {"sample_rate", r.sample_rate},
               {"channels", r.channels}, {"master_playlist", r.master_playlist}, {"renditions", renditions},
               {"waveform_overview", waveform(r.waveform_overview)}, {"waveform_detail", waveform(r.waveform_detail)},
               {"key", KeyJson(r.key)}, {"timings", timings}};
  o["loudness"] = r.loudness ? bj::value(bj::object{{"integrated_lufs", r.loudness->integrated_lufs},
                                                    {"true_peak_dbtp", r.loudness->true_peak_dbtp},
                                                    {"replay_gain_db", r.loudness->replay_gain_db}})
                             : bj::value(nullptr);
  o["tempo"] = r.tempo ? bj::value(bj::object{{"bpm", r.tempo->bpm}, {"confidence", r.tempo->confidence}})
                       : bj::value(nullptr);
  o["cover"] = r.cover ? bj::value(bj::object{{"path", r.cover->path}, {"mime_type", r.cover->mime_type},
                                              {"bytes", r.cover->bytes}})
                       : bj::value(nullptr);
  return o;
}

int Fail(const veza::Error& e) {
  bj::object o{{"code", veza::DefaultSlug(e.code)}, {"slug", e.slug}, {"message", e.message}, {"detail", e.detail}};
  std::cerr << veza::json::Serialize(bj::object{{"error", o}}) << "\n";
  return 1;
}

int Usage() {
  std::cerr << "usage: veza_media_tool probe INPUT\n"
               "       veza_media_tool process INPUT OUTDIR [--ladder 128,192,256] [--progress]\n";
  return 2;
}

std::vector<int> ParseLadder(const std::string& text) {
  std::vector<int> ladder;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) ladder.push_back(std::stoi(item));
  return ladder;
}

int Process(int argc, char** argv) {
  PipelineOptions options;
  for (int i = 4; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--ladder" && i + 1 < argc) {
      options.ladder_kbps = ParseLadder(argv[++i]);
    } else if (arg == "--progress") {
      options.on_progress = [](Stage s, int pct) { std::fprintf(stderr, "%s %d%%\n", StageName(s), pct); };
    } else {
      return Usage();
    }
  }
  auto result = RunPipeline(argv[2], argv[3], options);
  if (!result.ok()) return Fail(result.error());
  std::cout << veza::json::Serialize(ResultJson(*result)) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  std::string command = argv[1];
  if (command == "probe") {
    auto probe = Probe(argv[2]);
    if (!probe.ok()) return Fail(probe.error());
    std::cout << veza::json::Serialize(ProbeJson(*probe)) << "\n";
    return 0;
  }
  if (command == "process" && argc >= 4) return Process(argc, argv);
  return Usage();
}
