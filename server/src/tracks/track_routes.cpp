#include "tracks/track_routes.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/url.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/json.h"
#include "images/renditions.h"
#include "media/key.h"
#include "tracks/delivery.h"
#include "tracks/multipart.h"

namespace veza::tracks {

namespace {

namespace bj = boost::json;
using http::Request;
using http::Response;

constexpr const char* kBase = "/api/v1";

Response Fail(const Error& e, const Request& req) {
  return Response::FromError(e, req.request_id);
}

std::optional<Viewer> ViewerOf(const Request& req) {
  if (!req.principal) return std::nullopt;
  return Viewer{req.principal->user_id, req.principal->role == "admin" || req.principal->role == "moderator"};
}

Result<Viewer> SignedIn(const Request& req) {
  if (!req.principal) return MakeError(ErrorCode::kUnauthenticated, "Sign in first.", "unauthenticated");
  return *ViewerOf(req);
}

Result<int64_t> TrackId(const Request& req) {
  auto id = ParseId(req.Param("id"));
  if (!id) return MakeError(ErrorCode::kNotFound, "No such track.", "track_not_found");
  return *id;
}

bj::value OptNum(const std::optional<double>& v) {
  return v ? bj::value(*v) : bj::value(nullptr);
}
bj::value OptStr(const std::string& v) {
  return v.empty() ? bj::value(nullptr) : bj::value(v);
}

bj::value KeyCamelot(const std::string& name) {
  if (name.empty()) return nullptr;
  auto key = media::ParseKey(name);
  return key.ok() ? bj::value(media::CamelotCode(*key)) : bj::value(nullptr);
}

bj::value OwnerJson(const TrackOwner* owner) {
  if (!owner) return nullptr;
  return bj::object{{"id", IdToString(owner->id)},
                    {"username", owner->username},
                    {"display_name", owner->display_name},
                    {"avatar_url", OptStr(owner->avatar_url)}};
}

/// `owner` is null when the caller has no owner to show (an account gone, no lookup wired).
bj::object TrackJson(const Track& t, const std::optional<Viewer>& viewer, const TrackOwner* account = nullptr) {
  const std::string id = IdToString(t.id);
  const bool owner = viewer && (viewer->user_id == t.user_id || viewer->admin);
  bj::array tags;
  for (const auto& tag : t.tags) tags.emplace_back(tag);
  bj::object original{{"format", t.original.format},
                      {"container", t.original.container},
                      {"codec", t.original.codec},
                      {"mime_type", t.original.mime_type},
                      {"size_bytes", t.original.size_bytes},
                      {"duration_ms", t.original.duration_ms},
                      {"sample_rate", t.original.sample_rate},
                      {"channels", t.original.channels},
                      {"bit_rate", t.original.bit_rate},
                      {"bits_per_sample", t.original.bits_per_sample},
                      {"lossless", t.original.lossless}};
  if (owner) original["file_name"] = t.original.file_name;
  bj::object o{
      {"id", id},
      {"user_id", IdToString(t.user_id)},
      {"owner", OwnerJson(account)},
      {"title", t.title},
      {"description", t.description},
      {"genre", t.genre},
      {"tags", std::move(tags)},
      {"bpm", OptNum(t.bpm)},
      {"musical_key", OptStr(t.musical_key)},
      {"camelot", KeyCamelot(t.musical_key)},
      {"lyrics", t.lyrics},
      {"lyrics_synced", t.lyrics_synced},
      {"visibility", t.visibility},
      {"downloadable", t.downloadable},
      {"licence", t.licence},
      {"release_date", OptStr(t.release_date)},
      {"explicit", t.explicit_content},
      {"isrc", OptStr(t.isrc)},
      {"status", t.status},
      {"status_message", OptStr(t.status_message)},
      {"progress", bj::object{{"stage", t.progress_stage}, {"percent", t.progress_percent}}},
      {"duration_ms", t.duration_ms},
      {"detected_bpm", OptNum(t.detected_bpm)},
      {"detected_bpm_confidence", OptNum(t.detected_bpm_confidence)},
      {"detected_key", OptStr(t.detected_key)},
      {"detected_key_camelot", KeyCamelot(t.detected_key)},
      {"detected_key_confidence", OptNum(t.detected_key_confidence)},
      {"loudness_lufs", OptNum(t.loudness_lufs)},
      {"true_peak_dbtp", OptNum(t.true_peak_dbtp)},
      {"replay_gain_db", OptNum(t.replay_gain_db)},
      {"original", std::move(original)},
      {"cover_url", OptStr(CoverUrl(t, kBase))},
      {"play_count", t.play_count},
      {"created_at", FormatRfc3339(t.created_ms)},
      {"updated_at", FormatRfc3339(t.updated_ms)},
      {"processed_at", t.processed_ms ? bj::value(FormatRfc3339(*t.processed_ms)) : bj::value(nullptr)}};
  return o;
}

/// Owners of `tracks` in one batch lookup (never one query per track).
Result<std::map<int64_t, TrackOwner>> OwnersOf(const TrackRoutesOptions& options, const std::vector<Track>& tracks) {
  if (!options.owners || tracks.empty()) return std::map<int64_t, TrackOwner>{};
  std::vector<int64_t> ids;
  for (const auto& t : tracks) ids.push_back(t.user_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return options.owners(ids);
}

const TrackOwner* Find(const std::map<int64_t, TrackOwner>& owners, int64_t user_id) {
  auto it = owners.find(user_id);
  return it == owners.end() ? nullptr : &it->second;
}

/// One track with its owner.
Response TrackResponse(int status, const Track& t, const std::optional<Viewer>& viewer,
                       const TrackRoutesOptions& options, const Request& req) {
  auto owners = OwnersOf(options, {t});
  if (!owners.ok()) return Fail(owners.error(), req);
  return Response::Json(status, json::Serialize(TrackJson(t, viewer, Find(*owners, t.user_id))));
}

Response PageResponse(const TrackPage& page, const std::optional<Viewer>& viewer, const TrackRoutesOptions& options,
                      const Request& req) {
  auto owners = OwnersOf(options, page.items);
  if (!owners.ok()) return Fail(owners.error(), req);
  bj::array items;
  for (const auto& t : page.items) items.push_back(TrackJson(t, viewer, Find(*owners, t.user_id)));
  bj::object o{{"items", std::move(items)},
               {"next_cursor", page.next_cursor.empty() ? bj::value(nullptr) : bj::value(page.next_cursor)}};
  return Response::Json(200, json::Serialize(o));
}

Result<PageRequest> PageOf(const Request& req) {
  PageRequest page;
  if (auto limit = req.QueryParam("limit")) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || errno != 0 || v < 1 || v > 100) {
      Error e = BadRequest("limit must be an integer from 1 to 100.", "invalid_query");
      e.fields = {{"limit", "An integer from 1 to 100."}};
      return e;
    }
    page.limit = static_cast<int>(v);
  }
  if (auto cursor = req.QueryParam("cursor")) page.cursor = *cursor;
  return page;
}

/// Reads the editable fields of a JSON object; absent → untouched, null → cleared.
Result<TrackInput> InputFromJson(const bj::object& obj) {
  TrackInput in;
  std::map<std::string, std::string> problems;
  auto string_field = [&](const char* key, auto& target, bool nullable) {
    const bj::value* v = obj.if_contains(key);
    if (!v) return;
    if (v->is_null()) {
      if (nullable)
        target = typename std::decay_t<decltype(target)>::value_type();
      else
        problems[key] = "must be a string";
      return;
    }
    if (!v->is_string()) {
      problems[key] = "must be a string";
      return;
    }
    target = std::string(v->as_string());
  };
  auto bool_field = [&](const char* key, std::optional<bool>& target) {
    const bj::value* v = obj.if_contains(key);
    if (!v) return;
    if (!v->is_bool())
      problems[key] = "must be true or false";
    else
      target = v->as_bool();
  };
  string_field("title", in.title, false);
  string_field("description", in.description, true);
  string_field("genre", in.genre, true);
  string_field("musical_key", in.musical_key, true);
  string_field("lyrics", in.lyrics, true);
  string_field("visibility", in.visibility, false);
  string_field("licence", in.licence, false);
  string_field("release_date", in.release_date, true);
  string_field("isrc", in.isrc, true);
  bool_field("downloadable", in.downloadable);
  bool_field("explicit", in.explicit_content);
  if (const bj::value* v = obj.if_contains("bpm")) {
    if (v->is_null())
      in.bpm = std::optional<double>();
    else if (v->is_number())
      in.bpm = std::optional<double>(v->to_number<double>());
    else
      problems["bpm"] = "must be a number";
  }
  if (const bj::value* v = obj.if_contains("tags")) {
    if (v->is_null()) {
      in.tags = std::optional<std::vector<std::string>>();
    } else if (!v->is_array()) {
      problems["tags"] = "must be an array of strings";
    } else {
      std::vector<std::string> tags;
      for (const auto& e : v->as_array()) {
        if (!e.is_string()) {
          problems["tags"] = "must be an array of strings";
          break;
        }
        tags.emplace_back(e.as_string());
      }
      in.tags = std::optional<std::vector<std::string>>(std::move(tags));
    }
  }
  if (!problems.empty()) return Validation(std::move(problems));
  return in;
}

std::optional<bool> ParseFormBool(const std::string& v) {
  if (v == "true" || v == "1" || v == "on" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "off" || v == "no" || v.empty()) return false;
  return std::nullopt;
}

/// Multipart text fields → TrackInput; tags may repeat or be comma-separated.
Result<TrackInput> InputFromForm(const MultipartForm& form) {
  TrackInput in;
  std::map<std::string, std::string> problems;
  if (auto* v = form.Field("title")) in.title = *v;
  if (auto* v = form.Field("description")) in.description = std::optional<std::string>(*v);
  if (auto* v = form.Field("genre")) in.genre = std::optional<std::string>(*v);
  if (auto* v = form.Field("musical_key")) in.musical_key = std::optional<std::string>(*v);
  if (auto* v = form.Field("lyrics")) in.lyrics = std::optional<std::string>(*v);
  if (auto* v = form.Field("visibility")) in.visibility = *v;
  if (auto* v = form.Field("licence")) in.licence = *v;
  if (auto* v = form.Field("release_date")) in.release_date = std::optional<std::string>(*v);
  if (auto* v = form.Field("isrc")) in.isrc = std::optional<std::string>(*v);
  for (const char* key : {"downloadable", "explicit"}) {
    if (auto* v = form.Field(key)) {
      auto b = ParseFormBool(*v);
      if (!b)
        problems[key] = "must be true or false";
      else
        (std::string_view(key) == "explicit" ? in.explicit_content : in.downloadable) = *b;
    }
  }
  if (auto* v = form.Field("bpm"); v && !v->empty()) {
    char* end = nullptr;
    double d = std::strtod(v->c_str(), &end);
    if (*end != '\0')
      problems["bpm"] = "must be a number";
    else
      in.bpm = std::optional<double>(d);
  }
  auto tag_values = form.All("tags");
  if (!tag_values.empty()) {
    std::vector<std::string> tags;
    for (const auto& value : tag_values) {
      std::stringstream ss(value);
      for (std::string tag; std::getline(ss, tag, ',');) tags.push_back(tag);
    }
    in.tags = std::optional<std::vector<std::string>>(std::move(tags));
  }
  if (!problems.empty()) return Validation(std::move(problems));
  return in;
}

/// Removes extracted multipart files however the handler exits.
struct FormCleanup {
  const MultipartForm* form = nullptr;
  ~FormCleanup() {
    if (form) RemoveFiles(*form);
  }
};

std::string ListenerOf(const Request& req) {
  if (req.principal) return "user:" + std::to_string(req.principal->user_id);
  return "ip:" + crypto::Sha256Hex(req.remote_ip).substr(0, 32);
}

std::string AsciiFileName(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    out.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
  return out;
}

Response Created(const Track& track, const Viewer& viewer) {
  Response r = Response::Json(201, json::Serialize(TrackJson(track, viewer)));
  r.headers.Set("Location", std::string(kBase) + "/tracks/" + IdToString(track.id));
  return r;
}

bool IsJson(const Request& req) {
  std::string_view ct = req.Header("Content-Type").value_or("");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  return ct == "application/json";
}

/// {"upload_id", …the multipart form's fields}: a finished resumable upload becomes a track.
Response UploadFromJson(TrackService& service, const TrackRoutesOptions& options, Request& req,
                        const Viewer& viewer) {
  if (!options.uploads.claim) {
    return Fail(MakeError(ErrorCode::kUnsupportedMediaType, "Send the file as multipart/form-data.",
                          "unsupported_media_type"),
                req);
  }
  constexpr uint64_t kMaxJsonBytes = 1024 * 1024;
  if (req.body_size > kMaxJsonBytes) {
    return Fail(MakeError(ErrorCode::kPayloadTooLarge, "The JSON body is too large.", "payload_too_large"),
                req);
  }
  std::string body;
  if (!req.body_file.empty()) {
    std::ifstream in(req.body_file, std::ios::binary);
    body.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto obj = json::ParseObject(body);
  if (!obj.ok()) return Fail(obj.error(), req);
  const bj::value* id = obj->if_contains("upload_id");
  if (!id || !id->is_string()) {
    return Fail(Validation({{"upload_id", "The id of a finished upload, as a string."}}), req);
  }
  const std::string upload_id(id->as_string());
  auto input = InputFromJson(*obj);
  if (!input.ok()) return Fail(input.error(), req);
  auto file = options.uploads.claim(viewer.user_id, upload_id);
  if (!file.ok()) return Fail(file.error(), req);
  file->move = true;
  auto track = service.CreateFromUpload(viewer, *file, *input);
  if (track.ok()) {
    options.uploads.release(upload_id);
    return Created(*track, viewer);
  }
  std::error_code ec;
  if (!std::filesystem::exists(file->path, ec)) {
    // Moved into storage before the insert failed, or taken by a concurrent request for the same upload.
    options.uploads.release(upload_id);
    if (track.error().code == ErrorCode::kInternal) {
      return Fail(MakeError(ErrorCode::kNotFound, "No such upload.", "upload_not_found"), req);
    }
  }
  return Fail(track.error(), req);
}

Response Upload(TrackService& service, const TrackRoutesOptions& options, Request& req) {
  auto viewer = SignedIn(req);
  if (!viewer.ok()) return Fail(viewer.error(), req);
  if (IsJson(req)) return UploadFromJson(service, options, req, *viewer);
  auto boundary = MultipartBoundary(req.Header("Content-Type").value_or(""));
  if (!boundary.ok()) return Fail(boundary.error(), req);
  if (req.body_file.empty()) return Fail(BadRequest("The upload body is empty.", "invalid_multipart"), req);
  std::string part_dir = options.part_dir.empty()
                             ? std::filesystem::path(req.body_file).parent_path().string()
                             : options.part_dir;
  auto form = ParseMultipartFile(req.body_file, *boundary, part_dir, {"file"});
  if (!form.ok()) return Fail(form.error(), req);
  FormCleanup cleanup{&*form};
  if (form->files.empty()) {
    return Fail(Validation({{"file", "Attach the audio file as the `file` part."}}), req);
  }
  auto input = InputFromForm(*form);
  if (!input.ok()) return Fail(input.error(), req);
  const MultipartFile& file = form->files.front();
  auto track = service.CreateFromUpload(*viewer, {file.path, file.file_name}, *input);
  if (!track.ok()) return Fail(track.error(), req);
  return Created(*track, *viewer);
}

Response ServeHls(TrackService& service, const TrackRoutesOptions& options, Request& req) {
  auto id = TrackId(req);
  if (!id.ok()) return Fail(id.error(), req);
  const std::string token = req.QueryParam("token").value_or("");
  auto object = service.ResolveHls(*id, req.Param("path"), token);
  if (!object.ok()) return Fail(object.error(), req);
  if (!object->playlist) {
    // Segments never change under their name: cache them for a day; with S3 maybe a presigned redirect.
    ServedObject served = ServeObject(req, service.objects(), object->key,
                                      {.content_type = "audio/mp4", .cache_control = "private, max-age=86400, immutable"},
                                      options.delivery);
    if (options.metrics && served.how != Delivered::kNone) {
      options.metrics->SegmentServed(served.how == Delivered::kFile      ? "file"
                                     : served.how == Delivered::kProxied ? "proxy"
                                                                         : "redirect");
      options.metrics->BytesServed("segment", served.body_bytes);
    }
    return std::move(served.response);
  }
  // Playlists always pass through us: each URI in them must carry the token.
  auto text = service.objects().GetBytes(object->key);
  if (!text.ok()) {
    if (text.error().code == ErrorCode::kNotFound)
      return Fail(MakeError(ErrorCode::kNotFound, "No such file.", "not_found"), req);
    return Fail(text.error(), req);
  }
  Response r = Response::Text(200, AddTokenToPlaylist(*text, token), "application/vnd.apple.mpegurl");
  r.headers.Set("Cache-Control", "private, max-age=60");
  if (options.metrics) {
    options.metrics->PlaylistServed();
    options.metrics->BytesServed("playlist", r.body.size());
  }
  return r;
}

Response PutCover(TrackService& service, const TrackRoutesOptions& options, Request& req) {
  auto viewer = SignedIn(req);
  if (!viewer.ok()) return Fail(viewer.error(), req);
  auto id = TrackId(req);
  if (!id.ok()) return Fail(id.error(), req);
  if (Status s = images::CheckImageContentType(req.Header("Content-Type").value_or("")); !s.ok())
    return Fail(s.error(), req);
  if (req.body_file.empty() || req.body_size == 0) {
    Error e = MakeError(ErrorCode::kValidation, "The image is empty.", "image_empty");
    e.fields["file"] = "is empty";
    return Fail(e, req);
  }
  auto track = service.ReplaceCover(*viewer, *id, req.body_file);
  if (!track.ok()) return Fail(track.error(), req);
  return TrackResponse(200, *track, *viewer, options, req);
}

Response GetCover(TrackService& service, const TrackRoutesOptions& options, Request& req) {
  auto id = TrackId(req);
  if (!id.ok()) return Fail(id.error(), req);
  auto cover = service.Cover(ViewerOf(req), *id, req.QueryParam("size").value_or(""));
  if (!cover.ok()) return Fail(cover.error(), req);
  // Only a request naming the current version may be cached for good; others revalidate.
  auto v = req.QueryParam("v");
  const bool versioned = !cover->version.empty() && v && *v == cover->version;
  const std::string scope = cover->public_cache ? "public" : "private";
  ServedObject served =
      ServeObject(req, service.objects(), cover->key,
                  {.content_type = cover->content_type,
                   .cache_control = scope + (versioned ? ", max-age=31536000, immutable" : ", max-age=300")},
                  options.delivery);
  if (options.metrics) options.metrics->BytesServed("cover", served.body_bytes);
  return std::move(served.response);
}

}  // namespace

void RegisterTrackRoutes(http::Router& router, TrackService& service, UsernameLookup lookup,
                         TrackRoutesOptions options) {
  const std::string base = kBase;

  router.Get(base + "/tracks", [&service, options](Request& req) {
    auto page = PageOf(req);
    if (!page.ok()) return Fail(page.error(), req);
    page->tag = req.QueryParam("tag").value_or("");
    auto result = service.ListPublic(*page);
    if (!result.ok()) return Fail(result.error(), req);
    return PageResponse(*result, ViewerOf(req), options, req);
  });

  router.Post(base + "/tracks", [&service, options](Request& req) { return Upload(service, options, req); },
              {.max_body_bytes = static_cast<size_t>(options.max_upload_bytes),
               .body_to_file = true,
               .rate_class = "upload"});

  router.Get(base + "/tracks/{id}", [&service, options](Request& req) {
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto t = service.Get(ViewerOf(req), *id);
    if (!t.ok()) return Fail(t.error(), req);
    return TrackResponse(200, *t, ViewerOf(req), options, req);
  });

  router.Patch(base + "/tracks/{id}", [&service, options](Request& req) {
    auto viewer = SignedIn(req);
    if (!viewer.ok()) return Fail(viewer.error(), req);
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto obj = json::ParseObject(req.body);
    if (!obj.ok()) return Fail(obj.error(), req);
    auto input = InputFromJson(*obj);
    if (!input.ok()) return Fail(input.error(), req);
    auto t = service.Update(*viewer, *id, *input);
    if (!t.ok()) return Fail(t.error(), req);
    return TrackResponse(200, *t, *viewer, options, req);
  });

  router.Delete(base + "/tracks/{id}", [&service](Request& req) {
    auto viewer = SignedIn(req);
    if (!viewer.ok()) return Fail(viewer.error(), req);
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    if (Status s = service.Delete(*viewer, *id); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(204);
  });

  router.Get(base + "/users/{username}/tracks", [&service, lookup, options](Request& req) {
    auto user_id = lookup(req.Param("username"));
    if (!user_id.ok()) return Fail(user_id.error(), req);
    auto page = PageOf(req);
    if (!page.ok()) return Fail(page.error(), req);
    auto result = service.ListByUser(ViewerOf(req), *user_id, *page);
    if (!result.ok()) return Fail(result.error(), req);
    return PageResponse(*result, ViewerOf(req), options, req);
  });

  router.Get(base + "/tracks/{id}/stream", [&service](Request& req) {
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto grant = service.Stream(ViewerOf(req), *id);
    if (!grant.ok()) return Fail(grant.error(), req);
    Response r =
        Response::Json(200, json::Serialize(bj::object{{"hls_url", grant->hls_url},
                                                       {"expires_at", FormatRfc3339(grant->expires_at_ms)}}));
    r.headers.Set("Cache-Control", "no-store");
    return r;
  });

  // Token-checked without the database, so from a local store playlists and segments go out from the I/O
  // threads; a remote store (S3) blocks, so then they run on the handler threads.
  const bool local_objects = service.objects().LocalPath("probe").has_value();
  router.Get(base + "/tracks/{id}/hls/{path...}",
             [&service, options](Request& req) { return ServeHls(service, options, req); },
             {.io_thread = local_objects, .rate_class = "static"});

  router.Get(base + "/tracks/{id}/waveform", [&service](Request& req) {
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto w = service.Waveform(ViewerOf(req), *id, req.QueryParam("resolution").value_or("overview"));
    if (!w.ok()) return Fail(w.error(), req);
    Response r = Response::Text(200, std::move(w->bytes), w->content_type);
    r.headers.Set("Cache-Control", "private, max-age=3600");
    return r;
  });

  router.Get(base + "/tracks/{id}/cover", [&service, options](Request& req) { return GetCover(service, options, req); });

  router.Put(base + "/tracks/{id}/cover", [&service, options](Request& req) { return PutCover(service, options, req); },
             {.max_body_bytes = static_cast<size_t>(service.options().cover_limits.max_file_bytes),
              .body_to_file = true,
              .rate_class = "upload"});

  router.Get(base + "/tracks/{id}/download", [&service, options](Request& req) {
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto file = service.Download(ViewerOf(req), *id);
    if (!file.ok()) return Fail(file.error(), req);
    ServedObject served = ServeObject(req, service.objects(), file->key,
                                      {.content_type = file->content_type, .cache_control = "private, no-cache"},
                                      options.delivery);
    if (options.metrics) options.metrics->BytesServed("download", served.body_bytes);
    Response r = std::move(served.response);
    r.headers.Set("Content-Disposition", "attachment; filename=\"" + AsciiFileName(file->file_name) +
                                             "\"; filename*=UTF-8''" + PercentEncode(file->file_name));
    return r;
  });

  router.Post(base + "/tracks/{id}/plays", [&service](Request& req) {
    auto id = TrackId(req);
    if (!id.ok()) return Fail(id.error(), req);
    auto obj = json::ParseObject(req.body);
    if (!obj.ok()) return Fail(obj.error(), req);
    json::ObjectReader r(*obj);
    PlayEvent event;
    event.kind = r.RequiredString("event", {.max_len = 20});
    event.session = r.RequiredString("session_id", {.min_len = 1, .max_len = 100});
    event.listened_ms = r.OptionalInt("listened_ms", {.min = 0, .max = INT64_MAX / 4}).value_or(0);
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    auto result = service.RecordPlay(ViewerOf(req), ListenerOf(req), *id, event);
    if (!result.ok()) return Fail(result.error(), req);
    return Response::Json(
        200, json::Serialize(bj::object{{"counted", result->counted}, {"play_count", result->play_count}}));
  });
}

}  // namespace veza::tracks
