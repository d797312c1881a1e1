#include "tracks/track_store.h"

#include "core/json.h"

namespace veza::tracks {

namespace {

namespace bj = boost::json;

constexpr const char* kColumns =
    "id, user_id, title, description, genre, tags, bpm, musical_key, lyrics, lyrics_synced, visibility, "
    "downloadable, licence, release_date, explicit_content, isrc, status, status_message, progress_stage, "
    "progress_percent, duration_ms, detected_bpm, detected_bpm_confidence, detected_key, "
    "detected_key_confidence, loudness_lufs, true_peak_dbtp, replay_gain_db, original_format, "
    "original_container, original_codec, original_mime_type, original_extension, original_file_name, "
    "original_size, original_duration_ms, original_sample_rate, original_channels, original_bit_rate, "
    "original_bits_per_sample, original_lossless, cover_key, cover_mime_type, play_count, created_at, "
    "updated_at, processed_at";

std::string Select(const std::string& tail) {
  return std::string("SELECT ") + kColumns + " FROM tracks " + tail;
}

std::string TagsToJson(const std::vector<std::string>& tags) {
  bj::array a;
  for (const auto& t : tags) a.emplace_back(t);
  return json::Serialize(a);
}

/// A LIKE pattern matching one whole tag inside the stored JSON array: the tag as a JSON string, quotes
/// included (so "rock" does not match "punk rock"), with LIKE's wildcards escaped by '!'. Tags are stored
/// lowercase, so SQLite's case-insensitive LIKE and PostgreSQL's case-sensitive one agree.
std::string TagPattern(std::string_view tag) {
  const std::string array = TagsToJson({std::string(tag)});
  const std::string_view quoted = std::string_view(array).substr(1, array.size() - 2);
  std::string pattern = "%";
  for (char c : quoted) {
    if (c == '%' || c == '_' || c == '!') pattern.push_back('!');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

std::vector<std::string> TagsFromJson(const std::string& text) {
  std::vector<std::string> tags;
  auto v = json::Parse(text);
  if (!v.ok() || !v->is_array()) return tags;
  for (const auto& e : v->as_array()) {
    if (e.is_string()) tags.emplace_back(e.as_string());
  }
  return tags;
}

db::Value Opt(const std::optional<double>& v) {
  return v ? db::Value(*v) : db::Value(nullptr);
}

Track FromRow(const db::Row& r) {
  Track t;
  size_t i = 0;
  t.id = r.Int(i++);
  t.user_id = r.Int(i++);
  t.title = r.Text(i++);
  t.description = r.Text(i++);
  t.genre = r.Text(i++);
  t.tags = TagsFromJson(r.Text(i++));
  t.bpm = r.OptDouble(i++);
  t.musical_key = r.Text(i++);
  t.lyrics = r.Text(i++);
  t.lyrics_synced = r.Bool(i++);
  t.visibility = r.Text(i++);
  t.downloadable = r.Bool(i++);
  t.licence = r.Text(i++);
  t.release_date = r.Text(i++);
  t.explicit_content = r.Bool(i++);
  t.isrc = r.Text(i++);
  t.status = r.Text(i++);
  t.status_message = r.Text(i++);
  t.progress_stage = r.Text(i++);
  t.progress_percent = static_cast<int>(r.Int(i++));
  t.duration_ms = r.Int(i++);
  t.detected_bpm = r.OptDouble(i++);
  t.detected_bpm_confidence = r.OptDouble(i++);
  t.detected_key = r.Text(i++);
  t.detected_key_confidence = r.OptDouble(i++);
  t.loudness_lufs = r.OptDouble(i++);
  t.true_peak_dbtp = r.OptDouble(i++);
  t.replay_gain_db = r.OptDouble(i++);
  t.original.format = r.Text(i++);
  t.original.container = r.Text(i++);
  t.original.codec = r.Text(i++);
  t.original.mime_type = r.Text(i++);
  t.original.extension = r.Text(i++);
  t.original.file_name = r.Text(i++);
  t.original.size_bytes = r.Int(i++);
  t.original.duration_ms = r.Int(i++);
  t.original.sample_rate = static_cast<int>(r.Int(i++));
  t.original.channels = static_cast<int>(r.Int(i++));
  t.original.bit_rate = r.Int(i++);
  t.original.bits_per_sample = static_cast<int>(r.Int(i++));
  t.original.lossless = r.Bool(i++);
  t.cover_key = r.Text(i++);
  t.cover_mime_type = r.Text(i++);
  t.play_count = r.Int(i++);
  t.created_ms = r.Int(i++);
  t.updated_ms = r.Int(i++);
  t.processed_ms = r.OptInt(i++);
  return t;
}

Result<std::vector<Track>> Many(db::Session& s, const std::string& sql,
                                const std::vector<db::Value>& params) {
  VEZA_ASSIGN_OR_RETURN(db::QueryResult q, s.Query(sql, params));
  std::vector<Track> out;
  out.reserve(q.rows.size());
  for (const auto& row : q.rows) out.push_back(FromRow(row));
  return out;
}

constexpr int64_t kNoUpperBound = INT64_MAX;

}  // namespace

Status TrackStore::Insert(db::Session& s, const Track& t) {
  const std::vector<db::Value> params = {t.id,
                                         t.user_id,
                                         t.title,
                                         t.description,
                                         t.genre,
                                         TagsToJson(t.tags),
                                         Opt(t.bpm),
                                         t.musical_key,
                                         t.lyrics,
                                         t.lyrics_synced,
                                         t.visibility,
                                         t.downloadable,
                                         t.licence,
                                         t.release_date,
                                         t.explicit_content,
                                         t.isrc,
                                         t.status,
                                         t.status_message,
                                         t.progress_stage,
                                         static_cast<int64_t>(t.progress_percent),
                                         t.original.format,
                                         t.original.container,
                                         t.original.codec,
                                         t.original.mime_type,
                                         t.original.extension,
                                         t.original.file_name,
                                         t.original.size_bytes,
                                         t.original.duration_ms,
                                         static_cast<int64_t>(t.original.sample_rate),
                                         static_cast<int64_t>(t.original.channels),
                                         t.original.bit_rate,
                                         static_cast<int64_t>(t.original.bits_per_sample),
                                         t.original.lossless,
                                         t.created_ms,
                                         t.updated_ms};
  VEZA_TRY(s.Execute(
      "INSERT INTO tracks (id, user_id, title, description, genre, tags, bpm, musical_key, lyrics, "
      "lyrics_synced, visibility, downloadable, licence, release_date, explicit_content, isrc, status, "
      "status_message, progress_stage, progress_percent, original_format, original_container, "
      "original_codec, original_mime_type, original_extension, original_file_name, original_size, "
      "original_duration_ms, original_sample_rate, original_channels, original_bit_rate, "
      "original_bits_per_sample, original_lossless, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
      "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, "
      "$26, $27, $28, $29, $30, $31, $32, $33, $34, $35)",
      params));
  return Ok();
}

Result<std::optional<Track>> TrackStore::Get(db::Session& s, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(Select("WHERE id = $1"), {id}));
  if (!row) return std::optional<Track>();
  return std::optional<Track>(FromRow(*row));
}

Result<std::vector<Track>> TrackStore::ListPublic(db::Session& s, int64_t before_id, int limit,
                                                  std::string_view tag) {
  const int64_t before = before_id > 0 ? before_id : kNoUpperBound;
  if (tag.empty()) {
    return Many(
        s, Select("WHERE visibility = 'public' AND status = 'ready' AND id < $1 ORDER BY id DESC LIMIT $2"),
        {before, static_cast<int64_t>(limit)});
  }
  return Many(s,
              Select("WHERE visibility = 'public' AND status = 'ready' AND id < $1 AND tags LIKE $3 ESCAPE '!' "
                     "ORDER BY id DESC LIMIT $2"),
              {before, static_cast<int64_t>(limit), TagPattern(tag)});
}

Result<std::vector<Track>> TrackStore::ListByUser(db::Session& s, int64_t user_id, bool all,
                                                  int64_t before_id, int limit) {
  std::string where = all ? "WHERE user_id = $1 AND id < $2"
                          : "WHERE user_id = $1 AND id < $2 AND visibility = 'public' AND status = 'ready'";
  return Many(s, Select(where + " ORDER BY id DESC LIMIT $3"),
              {user_id, before_id > 0 ? before_id : kNoUpperBound, static_cast<int64_t>(limit)});
}

Status TrackStore::UpdateMetadata(db::Session& s, const Track& t) {
  const std::vector<db::Value> params = {t.id,
                                         t.title,
                                         t.description,
                                         t.genre,
                                         TagsToJson(t.tags),
                                         Opt(t.bpm),
                                         t.musical_key,
                                         t.lyrics,
                                         t.lyrics_synced,
                                         t.visibility,
                                         t.downloadable,
                                         t.licence,
                                         t.release_date,
                                         t.explicit_content,
                                         t.isrc,
                                         t.updated_ms};
  VEZA_TRY(s.Execute(
      "UPDATE tracks SET title = $2, description = $3, genre = $4, tags = $5, bpm = $6, musical_key = $7, "
      "lyrics = $8, lyrics_synced = $9, visibility = $10, downloadable = $11, licence = $12, release_date = "
      "$13, "
      "explicit_content = $14, isrc = $15, updated_at = $16 WHERE id = $1",
      params));
  return Ok();
}

Result<int64_t> TrackStore::Delete(db::Session& s, int64_t id) {
  return s.Execute("DELETE FROM tracks WHERE id = $1", {id});
}

Result<int64_t> TrackStore::UsedBytes(db::Session& s, int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(
      auto row,
      s.QueryOne("SELECT COALESCE(SUM(original_size), 0) FROM tracks WHERE user_id = $1", {user_id}));
  return row ? row->Int(0) : 0;
}

Status TrackStore::SetProgress(db::Session& s, int64_t id, const std::string& stage, int percent,
                               int64_t now_ms) {
  VEZA_TRY(
      s.Execute("UPDATE tracks SET progress_stage = $2, progress_percent = $3, updated_at = $4 "
                "WHERE id = $1 AND status = 'processing'",
                {id, stage, static_cast<int64_t>(percent), now_ms}));
  return Ok();
}

Result<int64_t> TrackStore::MarkReady(db::Session& s, int64_t id, const ProcessedFacts& f, int64_t now_ms) {
  const std::vector<db::Value> params = {id,
                                         f.duration_ms,
                                         Opt(f.detected_bpm),
                                         Opt(f.detected_bpm_confidence),
                                         f.detected_key,
                                         Opt(f.detected_key_confidence),
                                         Opt(f.loudness_lufs),
                                         Opt(f.true_peak_dbtp),
                                         Opt(f.replay_gain_db),
                                         f.cover_key,
                                         f.cover_mime_type,
                                         now_ms};
  return s.Execute(
      "UPDATE tracks SET status = 'ready', status_message = '', progress_stage = 'done', progress_percent = "
      "100, "
      "duration_ms = $2, detected_bpm = $3, detected_bpm_confidence = $4, detected_key = $5, "
      "detected_key_confidence = $6, loudness_lufs = $7, true_peak_dbtp = $8, replay_gain_db = $9, "
      // A cover the owner uploaded while the track was processing wins over the embedded art.
      "cover_key = CASE WHEN cover_key = '' THEN $10 ELSE cover_key END, "
      "cover_mime_type = CASE WHEN cover_key = '' THEN $11 ELSE cover_mime_type END, bpm = COALESCE(bpm, "
      "$3), "
      "musical_key = CASE WHEN musical_key = '' THEN $5 ELSE musical_key END, "
      "processed_at = $12, updated_at = $12 WHERE id = $1",
      params);
}

Result<int64_t> TrackStore::SwapCover(db::Session& s, int64_t id, const std::string& expected,
                                      const std::string& key, const std::string& mime_type, int64_t now_ms) {
  return s.Execute(
      "UPDATE tracks SET cover_key = $3, cover_mime_type = $4, updated_at = $5 WHERE id = $1 AND cover_key = "
      "$2",
      {id, expected, key, mime_type, now_ms});
}

Result<int64_t> TrackStore::MarkFailed(db::Session& s, int64_t id, const std::string& message,
                                       int64_t now_ms) {
  return s.Execute(
      "UPDATE tracks SET status = 'failed', status_message = $2, progress_stage = 'failed', processed_at = "
      "$3, "
      "updated_at = $3 WHERE id = $1",
      {id, message, now_ms});
}

Result<bool> TrackStore::InsertPlay(db::Session& s, int64_t track_id, const std::string& listener,
                                    const std::string& session, int64_t listened_ms, bool completed,
                                    int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(
      int64_t n, s.Execute("INSERT INTO track_plays (track_id, listener, session, started_at, updated_at, "
                           "listened_ms, completed) VALUES ($1, $2, $3, $4, $4, $5, $6) "
                           "ON CONFLICT (track_id, listener, session) DO NOTHING",
                           {track_id, listener, session, now_ms, listened_ms, completed}));
  return n > 0;
}

Result<int64_t> TrackStore::UpdatePlay(db::Session& s, int64_t track_id, const std::string& listener,
                                       const std::string& session, int64_t listened_ms, bool completed,
                                       int64_t now_ms) {
  return s.Execute(
      "UPDATE track_plays SET listened_ms = CASE WHEN listened_ms > $4 THEN listened_ms ELSE $4 END, "
      "completed = (completed OR $5), updated_at = $6 WHERE track_id = $1 AND listener = $2 AND session = $3",
      {track_id, listener, session, listened_ms, completed, now_ms});
}

Result<int64_t> TrackStore::IncrementPlayCount(db::Session& s, int64_t track_id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("UPDATE tracks SET play_count = play_count + 1 WHERE id = $1 "
                                             "RETURNING play_count",
                                             {track_id}));
  return row ? row->Int(0) : 0;
}

Status TrackStore::DeletePlays(db::Session& s, int64_t track_id) {
  VEZA_TRY(s.Execute("DELETE FROM track_plays WHERE track_id = $1", {track_id}));
  return Ok();
}

}  // namespace veza::tracks
