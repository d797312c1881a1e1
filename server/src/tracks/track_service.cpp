#include "tracks/track_service.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "core/crypto.h"
#include "core/log.h"
#include "media/key.h"
#include "media/probe.h"
#include "storage/quota.h"
#include "tracks/track_fields.h"
#include "tracks/track_store.h"

namespace veza::tracks {

namespace {

namespace fs = std::filesystem;

bool Owns(const std::optional<Viewer>& viewer, const Track& t) {
  return viewer && viewer->user_id == t.user_id;
}

bool MaySee(const std::optional<Viewer>& viewer, const Track& t) {
  if (t.visibility != "private") return true;
  return Owns(viewer, t) || (viewer && viewer->admin);
}

/// Uploaded covers are stored as renditions under a base key without extension
/// (tracks/<id>/cover-<version>); embedded art is one object (tracks/<id>/cover.jpg).
bool IsRenditionBase(std::string_view cover_key) {
  return cover_key.substr(cover_key.rfind('/') + 1).find('.') == std::string_view::npos;
}

Error TrackNotFound() {
  return MakeError(ErrorCode::kNotFound, "No such track.", "track_not_found");
}

int ClampLimit(int limit) {
  return limit < 1 ? 20 : limit > 100 ? 100 : limit;
}

Result<int64_t> BeforeId(const PageRequest& page) {
  if (page.cursor.empty()) return int64_t{0};
  auto id = DecodeCursor(page.cursor);
  if (!id) return BadRequest("The cursor is not one this API returned.", "invalid_cursor");
  return *id;
}

TrackPage ToPage(std::vector<Track> rows, int limit) {
  TrackPage page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<size_t>(limit));
    page.next_cursor = EncodeCursor(rows.back().id);
  }
  page.items = std::move(rows);
  return page;
}

/// Tags in the file become defaults; anything invalid in them is ignored rather than refused.
void ApplyFileTags(const media::AudioTags& tags, const std::string& file_name, Track& t) {
  t.title = tags.title;
  if (t.title.empty()) t.title = fs::path(file_name).stem().string();
  if (Utf8Length(t.title) > kMaxTitle) t.title.clear();
  if (Utf8Length(tags.genre) <= kMaxGenre) t.genre = tags.genre;
  if (tags.bpm) {
    if (auto bpm = media::ValidateBpm(*tags.bpm); bpm.ok()) t.bpm = *bpm;
  }
  if (!tags.key.empty()) {
    if (auto key = media::ParseKey(tags.key); key.ok()) t.musical_key = media::KeyName(*key);
  }
  if (!tags.lyrics.empty() && Utf8Length(tags.lyrics) <= kMaxLyrics) {
    if (auto synced = ValidateLyrics(tags.lyrics); synced.ok()) {
      t.lyrics = tags.lyrics;
      t.lyrics_synced = *synced;
    }
  }
  if (!tags.isrc.empty()) {
    if (auto isrc = NormaliseIsrc(tags.isrc); isrc.ok()) t.isrc = *isrc;
  }
  if (tags.date.size() == 10 && IsValidDate(tags.date)) t.release_date = tags.date;
}

}  // namespace

std::string EncodeCursor(int64_t last_id) {
  return crypto::Base64UrlEncode("t1:" + std::to_string(last_id));
}

std::optional<int64_t> DecodeCursor(std::string_view cursor) {
  auto raw = crypto::TryBase64UrlDecode(cursor);
  if (!raw || !raw->starts_with("t1:")) return std::nullopt;
  return ParseId(std::string_view(*raw).substr(3));
}

std::string ExtensionFor(const std::string& format, const std::string& container) {
  if (format == "alac" || container == "mp4") return "m4a";
  if (format == "vorbis") return "ogg";
  if (format == "opus") return "opus";
  if (format == "aiff") return "aiff";
  if (format == "wav" || format == "flac" || format == "mp3" || format == "aac") return format;
  return "bin";
}

TrackService::TrackService(db::Database& db, storage::ObjectStore& objects, jobs::Queue& queue,
                           const StreamSigner& signer, const Clock& clock, IdGenerator& ids,
                           TrackServiceOptions options)
    : db_(db),
      objects_(objects),
      queue_(queue),
      signer_(signer),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)) {}

Result<Track> TrackService::Load(int64_t id) {
  VEZA_ASSIGN_OR_RETURN(std::optional<Track> t, db_.ReadValue<std::optional<Track>>(
                                                    [&](db::Session& s) { return TrackStore::Get(s, id); }));
  if (!t) return TrackNotFound();
  return std::move(*t);
}

Result<Track> TrackService::LoadVisible(const std::optional<Viewer>& viewer, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Track t, Load(id));
  if (!MaySee(viewer, t)) return TrackNotFound();
  return t;
}

Result<Track> TrackService::LoadOwned(const Viewer& viewer, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Track t, Load(id));
  if (t.user_id == viewer.user_id || viewer.admin) return t;
  if (!MaySee(viewer, t)) return TrackNotFound();
  return MakeError(ErrorCode::kForbidden, "Only the track's owner can change it.", "not_track_owner");
}

Result<Track> TrackService::Get(const std::optional<Viewer>& viewer, int64_t id) {
  return LoadVisible(viewer, id);
}

Result<TrackPage> TrackService::ListPublic(const PageRequest& page) {
  VEZA_ASSIGN_OR_RETURN(int64_t before, BeforeId(page));
  const int limit = ClampLimit(page.limit);
  std::string tag;
  if (!page.tag.empty()) {
    VEZA_ASSIGN_OR_RETURN(std::vector<std::string> tags, NormaliseTags({page.tag}));
    if (!tags.empty()) tag = tags.front();
  }
  VEZA_ASSIGN_OR_RETURN(auto rows, db_.ReadValue<std::vector<Track>>([&](db::Session& s) {
    return TrackStore::ListPublic(s, before, limit + 1, tag);
  }));
  return ToPage(std::move(rows), limit);
}

Result<TrackPage> TrackService::ListByUser(const std::optional<Viewer>& viewer, int64_t user_id,
                                           const PageRequest& page) {
  VEZA_ASSIGN_OR_RETURN(int64_t before, BeforeId(page));
  const int limit = ClampLimit(page.limit);
  const bool all = viewer && (viewer->user_id == user_id || viewer->admin);
  VEZA_ASSIGN_OR_RETURN(auto rows, db_.ReadValue<std::vector<Track>>([&](db::Session& s) {
    return TrackStore::ListByUser(s, user_id, all, before, limit + 1);
  }));
  return ToPage(std::move(rows), limit);
}

Result<Track> TrackService::Update(const Viewer& viewer, int64_t id, const TrackInput& input) {
  return db_.Transaction<Track>([&](db::Session& s) -> Result<Track> {
    VEZA_ASSIGN_OR_RETURN(std::optional<Track> found, TrackStore::Get(s, id));
    if (!found) return TrackNotFound();
    Track t = std::move(*found);
    if (t.user_id != viewer.user_id && !viewer.admin) {
      if (t.visibility == "private") return TrackNotFound();
      return MakeError(ErrorCode::kForbidden, "Only the track's owner can change it.", "not_track_owner");
    }
    VEZA_TRY(ApplyInput(input, t, false));
    t.updated_ms = clock_.NowMs();
    VEZA_TRY(TrackStore::UpdateMetadata(s, t));
    return t;
  });
}

Status TrackService::Delete(const Viewer& viewer, int64_t id) {
  VEZA_TRY(LoadOwned(viewer, id));
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(TrackStore::DeletePlays(s, id));
    VEZA_ASSIGN_OR_RETURN(int64_t n, TrackStore::Delete(s, id));
    if (n == 0) return TrackNotFound();
    return Ok();
  }));
  // The row is gone first: a processing job that finishes later sees that and removes its own uploads.
  if (Status s = DeleteObjects(id); !s.ok()) {
    log::Warn("track objects left behind for the storage gc",
              {{"track_id", id}, {"error", s.error().detail}});
  }
  return Ok();
}

Status TrackService::DeleteObjects(int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto objects, objects_.List(TrackPrefix(id)));
  Status result = Ok();
  for (const auto& o : objects) {
    if (Status s = objects_.Delete(o.key); !s.ok()) result = s;
  }
  return result;
}

Result<int64_t> TrackService::UsedBytes(int64_t user_id) {
  return db_.ReadValue<int64_t>([&](db::Session& s) { return TrackStore::UsedBytes(s, user_id); });
}

Result<Track> TrackService::CreateFromUpload(const Viewer& viewer, const UploadedFile& file,
                                             const TrackInput& input) {
  std::error_code ec;
  const auto size = fs::file_size(file.path, ec);
  if (ec) return Internal("upload file vanished: " + ec.message());
  if (size == 0) {
    Error e = MakeError(ErrorCode::kValidation, "The file is empty.", "invalid_audio");
    e.fields = {{"file", "The file is empty."}};
    return e;
  }
  VEZA_ASSIGN_OR_RETURN(media::ProbeResult probe, media::Probe(file.path));

  const int64_t now = clock_.NowMs();
  Track t;
  t.user_id = viewer.user_id;
  ApplyFileTags(probe.tags, file.file_name, t);
  VEZA_TRY(ApplyInput(input, t, true));
  t.status = "processing";
  t.progress_stage = "queued";
  t.original = {.format = probe.format,
                .container = probe.container,
                .codec = probe.codec,
                .mime_type = probe.mime_type,
                .extension = ExtensionFor(probe.format, probe.container),
                .file_name = fs::path(file.file_name).filename().string().substr(0, 255),
                .size_bytes = static_cast<int64_t>(size),
                .duration_ms = probe.duration_ms,
                .sample_rate = probe.sample_rate,
                .channels = probe.channels,
                .bit_rate = probe.bit_rate,
                .bits_per_sample = probe.bits_per_sample,
                .lossless = probe.lossless};
  t.duration_ms = probe.duration_ms;
  t.created_ms = now;
  t.updated_ms = now;

  // Cheap early refusal before copying gigabytes; checked again inside the transaction.
  VEZA_ASSIGN_OR_RETURN(int64_t used, UsedBytes(viewer.user_id));
  if (used + t.original.size_bytes > options_.quota_bytes) {
    return storage::QuotaExceeded(used, options_.quota_bytes, t.original.size_bytes);
  }

  t.id = ids_.Next();
  const std::string key = OriginalKey(t.id, t.original.extension);
  VEZA_TRY(file.move ? objects_.MoveFile(key, file.path) : objects_.PutFile(key, file.path));
  const std::string payload = "{\"track_id\":\"" + std::to_string(t.id) + "\"}";
  Status committed = db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(int64_t used_now, TrackStore::UsedBytes(s, viewer.user_id));
    if (used_now + t.original.size_bytes > options_.quota_bytes) {
      return storage::QuotaExceeded(used_now, options_.quota_bytes, t.original.size_bytes);
    }
    VEZA_TRY(TrackStore::Insert(s, t));
    jobs::EnqueueOptions opts;
    opts.idempotency_key = "track:" + std::to_string(t.id);
    opts.max_attempts = 3;
    VEZA_TRY(queue_.EnqueueIn(s, kProcessJobKind, payload, opts));
    return Ok();
  });
  if (!committed.ok()) {
    (void)objects_.Delete(key);
    return std::move(committed).error();
  }
  log::Info("track uploaded", {{"track_id", t.id},
                               {"user_id", t.user_id},
                               {"format", t.original.format},
                               {"bytes", t.original.size_bytes}});
  return t;
}

Result<PlayResult> TrackService::RecordPlay(const std::optional<Viewer>& viewer, const std::string& listener,
                                            int64_t id, const PlayEvent& event) {
  std::map<std::string, std::string> problems;
  if (event.kind != "started" && event.kind != "progress" && event.kind != "completed")
    problems["event"] = "One of started, progress, completed.";
  if (event.session.empty() || event.session.size() > 100) problems["session_id"] = "1 to 100 characters.";
  if (event.listened_ms < 0) problems["listened_ms"] = "Must not be negative.";
  if (!problems.empty()) return Validation(std::move(problems));

  VEZA_ASSIGN_OR_RETURN(Track t, LoadVisible(viewer, id));
  if (t.status != "ready")
    return MakeError(ErrorCode::kConflict, "The track is not ready yet.", "track_not_ready");
  const int64_t listened = std::min(event.listened_ms, std::max<int64_t>(t.duration_ms, 0) * 4 + 60'000);
  const bool completed = event.kind == "completed";
  return db_.Transaction<PlayResult>([&](db::Session& s) -> Result<PlayResult> {
    const int64_t now = clock_.NowMs();
    PlayResult r;
    VEZA_ASSIGN_OR_RETURN(bool inserted,
                          TrackStore::InsertPlay(s, id, listener, event.session, listened, completed, now));
    if (inserted) {
      VEZA_ASSIGN_OR_RETURN(r.play_count, TrackStore::IncrementPlayCount(s, id));
      r.counted = true;
      return r;
    }
    VEZA_TRY(TrackStore::UpdatePlay(s, id, listener, event.session, listened, completed, now));
    VEZA_ASSIGN_OR_RETURN(std::optional<Track> fresh, TrackStore::Get(s, id));
    r.play_count = fresh ? fresh->play_count : 0;
    return r;
  });
}

Result<StreamGrant> TrackService::Stream(const std::optional<Viewer>& viewer, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Track t, LoadVisible(viewer, id));
  if (t.status != "ready") {
    return MakeError(ErrorCode::kConflict,
                     t.status == "failed" ? "The track failed processing." : "The track is still processing.",
                     "track_not_ready");
  }
  SignedToken token = signer_.Sign("track:" + std::to_string(id), options_.stream_ttl_ms);
  return StreamGrant{
      options_.api_base + "/tracks/" + std::to_string(id) + "/hls/master.m3u8?token=" + token.token,
      token.expires_at_ms};
}

Result<HlsObject> TrackService::ResolveHls(int64_t id, std::string_view rel_path,
                                           std::string_view token) const {
  if (token.empty() || !signer_.Verify(token, "track:" + std::to_string(id))) {
    return MakeError(ErrorCode::kUnauthenticated, "The stream token is missing, invalid or expired.",
                     "invalid_stream_token");
  }
  const std::string key = TrackPrefix(id) + "hls/" + std::string(rel_path);
  if (!storage::IsValidKey(key)) return MakeError(ErrorCode::kNotFound, "No such file.", "not_found");
  return HlsObject{key, rel_path.ends_with(".m3u8")};
}

Result<MediaBytes> TrackService::Waveform(const std::optional<Viewer>& viewer, int64_t id,
                                          std::string_view resolution) {
  if (resolution != "overview" && resolution != "detail") {
    return Validation({{"resolution", "One of overview, detail."}});
  }
  VEZA_ASSIGN_OR_RETURN(Track t, LoadVisible(viewer, id));
  if (t.status != "ready")
    return MakeError(ErrorCode::kConflict, "The track is still processing.", "track_not_ready");
  VEZA_ASSIGN_OR_RETURN(std::string bytes,
                        objects_.GetBytes(TrackPrefix(id) + "waveform_" + std::string(resolution) + ".json"));
  return MediaBytes{std::move(bytes), "application/json"};
}

Result<MediaFile> TrackService::Download(const std::optional<Viewer>& viewer, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Track t, LoadVisible(viewer, id));
  const bool owner = Owns(viewer, t) || (viewer && viewer->admin);
  if (!t.downloadable && !owner) {
    return MakeError(ErrorCode::kForbidden, "The creator has not made this track downloadable.",
                     "not_downloadable");
  }
  std::string name = t.title.empty() ? "track" : t.title;
  return MediaFile{OriginalKey(id, t.original.extension),
                   t.original.mime_type.empty() ? "application/octet-stream" : t.original.mime_type,
                   name + "." + t.original.extension};
}

const std::vector<images::Rendition>& CoverRenditions() {
  static const std::vector<images::Rendition> kSizes = {
      {"1200", 1200, 1200}, {"500", 500, 500}, {"200", 200, 200}};
  return kSizes;
}

std::string CoverUrl(const Track& t, const std::string& api_base) {
  if (t.cover_key.empty()) return "";
  std::string url = api_base + "/tracks/" + std::to_string(t.id) + "/cover";
  if (IsRenditionBase(t.cover_key)) url += "?v=" + std::string(images::KeyVersion(t.cover_key));
  return url;
}

Result<CoverObject> TrackService::Cover(const std::optional<Viewer>& viewer, int64_t id,
                                        std::string_view size) {
  std::optional<int> wanted;
  if (!size.empty()) {
    int v = 0;
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), v);
    if (ec != std::errc() || end != size.data() + size.size() || v < 1 || v > 10'000) {
      return Validation({{"size", "must be a whole number of pixels from 1 to 10000"}});
    }
    wanted = v;
  }
  VEZA_ASSIGN_OR_RETURN(Track t, LoadVisible(viewer, id));
  if (t.cover_key.empty()) return MakeError(ErrorCode::kNotFound, "This track has no cover art.", "no_cover");
  CoverObject out;
  out.public_cache = t.visibility != "private";
  if (!IsRenditionBase(t.cover_key)) {
    out.key = t.cover_key;
    out.content_type = t.cover_mime_type.empty() ? "image/jpeg" : t.cover_mime_type;
    return out;
  }
  // Nearest: the smallest size at least as large as asked (never upscaled by the client), else the largest.
  const auto& sizes = CoverRenditions();
  const images::Rendition* chosen = &sizes.front();
  if (wanted) {
    for (const auto& r : sizes) {
      if (r.width >= *wanted) chosen = &r;
    }
  }
  out.key = images::RenditionKey(t.cover_key, *chosen);
  out.content_type = "image/jpeg";
  out.version = std::string(images::KeyVersion(t.cover_key));
  return out;
}

Result<Track> TrackService::ReplaceCover(const Viewer& viewer, int64_t id, const std::string& upload_path) {
  VEZA_TRY(LoadOwned(viewer, id));  // 403/404 before any decoding work
  const std::string base = TrackPrefix(id) + "cover-" + std::to_string(ids_.Next());
  VEZA_ASSIGN_OR_RETURN(
      images::StoredSize size,
      images::StoreRenditions(objects_, upload_path, base, CoverRenditions(), options_.cover_limits, 85));
  // Compare-and-swap: of two uploads racing (or processing setting embedded art), each deletes exactly
  // the cover it replaced.
  std::optional<std::string> replaced;
  for (int attempt = 0; attempt < 8 && !replaced; ++attempt) {
    auto current = Load(id);
    if (!current.ok()) {
      images::DeleteRenditions(objects_, base, CoverRenditions());
      return std::move(current).error();
    }
    auto swapped = db_.Transaction<int64_t>([&](db::Session& s) {
      return TrackStore::SwapCover(s, id, current->cover_key, base, "image/jpeg", clock_.NowMs());
    });
    if (!swapped.ok()) {
      images::DeleteRenditions(objects_, base, CoverRenditions());
      return std::move(swapped).error();
    }
    if (*swapped == 1) replaced = current->cover_key;
  }
  if (!replaced) {
    images::DeleteRenditions(objects_, base, CoverRenditions());
    return Unavailable("The track is being changed by another request; try again.", "cover swap contention",
                       1);
  }
  DeleteCoverObjects(*replaced);
  log::Info("track cover replaced",
            {{"track_id", id}, {"key", base}, {"width", size.width}, {"height", size.height}});
  return Load(id);
}

void TrackService::DeleteCoverObjects(const std::string& cover_key) {
  if (cover_key.empty()) return;
  if (IsRenditionBase(cover_key)) {
    images::DeleteRenditions(objects_, cover_key, CoverRenditions());
  } else if (Status s = objects_.Delete(cover_key); !s.ok()) {
    log::Warn("cover object not deleted", {{"key", cover_key}, {"error", s.error().detail}});
  }
}

Result<std::vector<std::string>> TrackService::Orphans(const std::vector<storage::ObjectInfo>& objects) {
  std::map<int64_t, std::optional<Track>> tracks;
  std::vector<std::string> orphans;
  for (const auto& o : objects) {
    if (!std::string_view(o.key).starts_with("tracks/")) continue;
    auto split = storage::SplitOwnedKey(o.key, "tracks/");
    if (!split) {
      orphans.push_back(o.key);
      continue;
    }
    const int64_t id = split->owner_id;
    auto it = tracks.find(id);
    if (it == tracks.end()) {
      VEZA_ASSIGN_OR_RETURN(auto t, db_.ReadValue<std::optional<Track>>(
                                        [&](db::Session& s) { return TrackStore::Get(s, id); }));
      it = tracks.emplace(id, std::move(t)).first;
    }
    if (!it->second) {
      orphans.push_back(o.key);
      continue;
    }
    // Within a live track, only covers it no longer points at are garbage.
    if (!split->file.starts_with("cover")) continue;
    const std::string& current = it->second->cover_key;
    bool owned = o.key == current;
    if (!owned && !current.empty() && IsRenditionBase(current)) {
      for (const auto& r : CoverRenditions()) owned = owned || images::RenditionKey(current, r) == o.key;
    }
    if (!owned) orphans.push_back(o.key);
  }
  return orphans;
}

}  // namespace veza::tracks
