#include "tracks/media_task.h"

#include <cstdio>
#include <iostream>
#include <new>
#include <sstream>

#include "core/json.h"
#include "media/pipeline.h"

namespace veza::tracks {

namespace {

namespace bj = boost::json;

std::optional<double> OptDouble(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

std::string Str(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int PrintError(const Error& e) {
  bj::object err{
      {"code", DefaultSlug(e.code)}, {"slug", e.slug}, {"message", e.message}, {"detail", e.detail}};
  std::cout << json::Serialize(bj::object{{"error", std::move(err)}}) << "\n" << std::flush;
  return 1;
}

int Process(const std::vector<std::string>& args) {
  media::PipelineOptions options;
  for (size_t i = 3; i < args.size(); ++i) {
    if (args[i] == "--progress") {
      options.on_progress = [](media::Stage s, int pct) {
        std::fprintf(stderr, "progress %s %d\n", media::StageName(s), pct);
      };
    } else if (args[i] == "--ladder" && i + 1 < args.size()) {
      options.ladder_kbps.clear();
      std::stringstream in(args[++i]);
      for (std::string item; std::getline(in, item, ',');) {
        int kbps = std::atoi(item.c_str());
        if (kbps <= 0) return 2;
        options.ladder_kbps.push_back(kbps);
      }
    } else {
      return 2;
    }
  }
  auto r = media::RunPipeline(args[1], args[2], options);
  if (!r.ok()) return PrintError(r.error());
  bj::object o{{"duration_ms", r->duration_ms}, {"master_playlist", r->master_playlist}};
  if (r->loudness) {
    o["loudness"] = bj::object{{"integrated_lufs", r->loudness->integrated_lufs},
                               {"true_peak_dbtp", r->loudness->true_peak_dbtp},
                               {"replay_gain_db", r->loudness->replay_gain_db}};
  }
  if (r->tempo) o["tempo"] = bj::object{{"bpm", r->tempo->bpm}, {"confidence", r->tempo->confidence}};
  if (r->key)
    o["key"] = bj::object{{"name", media::KeyName(r->key->key)}, {"confidence", r->key->confidence}};
  if (r->cover) o["cover"] = bj::object{{"path", r->cover->path}, {"mime_type", r->cover->mime_type}};
  std::cout << json::Serialize(o) << "\n" << std::flush;
  return 0;
}

}  // namespace

int MediaTaskMain(const std::vector<std::string>& args) {
  if (args.size() < 3 || args[0] != "process") {
    std::fputs("usage: veza media-task process INPUT OUTDIR [--progress] [--ladder 128,192,256]\n", stderr);
    return 2;
  }
  try {
    int rc = Process(args);
    if (rc == 2) std::fputs("veza media-task: bad arguments\n", stderr);
    return rc;
  } catch (const std::bad_alloc&) {
    return kMediaTaskOutOfMemory;
  }
}

Result<MediaTaskOutput> ParseMediaTaskOutput(std::string_view stdout_text) {
  // The document is the last non-empty line; anything a library printed before it is ignored.
  while (!stdout_text.empty() && (stdout_text.back() == '\n' || stdout_text.back() == '\r'))
    stdout_text.remove_suffix(1);
  size_t nl = stdout_text.rfind('\n');
  std::string_view line = nl == std::string_view::npos ? stdout_text : stdout_text.substr(nl + 1);
  auto parsed = json::ParseObject(line);
  if (!parsed.ok()) return Internal("media task printed no result document");
  const bj::object& o = *parsed;
  MediaTaskOutput out;
  if (const bj::value* e = o.if_contains("error"); e && e->is_object()) {
    out.error_code = Str(e->as_object(), "code");
    out.error_message = Str(e->as_object(), "message");
    return out;
  }
  const bj::value* d = o.if_contains("duration_ms");
  if (!d || !d->is_number()) return Internal("media task result has no duration");
  out.ok = true;
  out.duration_ms = d->to_number<int64_t>();
  if (const bj::value* l = o.if_contains("loudness"); l && l->is_object()) {
    out.loudness_lufs = OptDouble(l->as_object(), "integrated_lufs");
    out.true_peak_dbtp = OptDouble(l->as_object(), "true_peak_dbtp");
    out.replay_gain_db = OptDouble(l->as_object(), "replay_gain_db");
  }
  if (const bj::value* t = o.if_contains("tempo"); t && t->is_object()) {
    out.bpm = OptDouble(t->as_object(), "bpm");
    out.bpm_confidence = OptDouble(t->as_object(), "confidence");
  }
  if (const bj::value* k = o.if_contains("key"); k && k->is_object()) {
    out.key = Str(k->as_object(), "name");
    out.key_confidence = OptDouble(k->as_object(), "confidence");
  }
  if (const bj::value* c = o.if_contains("cover"); c && c->is_object()) {
    out.cover_path = Str(c->as_object(), "path");
    out.cover_mime_type = Str(c->as_object(), "mime_type");
  }
  return out;
}

bool ParseProgressLine(std::string_view line, std::string& stage, int& percent) {
  if (!line.starts_with("progress ")) return false;
  line.remove_prefix(9);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  stage = std::string(line.substr(0, sp));
  std::string pct(line.substr(sp + 1));
  char* end = nullptr;
  long v = std::strtol(pct.c_str(), &end, 10);
  if (pct.empty() || *end != '\0' || v < 0 || v > 100) return false;
  percent = static_cast<int>(v);
  return true;
}

}  // namespace veza::tracks
