#pragma once
/// Tracks: plain structs shared by the store, the service and the routes. Std only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace veza::tracks {

/// Facts about the uploaded file as probed (never from its name).
struct OriginalFormat {
  std::string format;  // wav aiff flac alac mp3 aac vorbis opus
  std::string container;
  std::string codec;
  std::string mime_type;
  std::string extension;  // of the stored original: "flac", "mp3"…
  std::string file_name;  // as the uploader named it
  int64_t size_bytes = 0;
  int64_t duration_ms = 0;
  int sample_rate = 0;
  int channels = 0;
  int64_t bit_rate = 0;
  int bits_per_sample = 0;
  bool lossless = false;
};

struct Track {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string title;
  std::string description;
  std::string genre;
  std::vector<std::string> tags;
  std::optional<double> bpm;
  std::string musical_key;  // canonical ("A minor"), "" when unknown
  std::string lyrics;
  bool lyrics_synced = false;         // the lyrics are valid LRC with time tags
  std::string visibility = "public";  // public | unlisted | private
  bool downloadable = false;
  std::string licence = "all_rights_reserved";
  std::string release_date;  // YYYY-MM-DD or ""
  bool explicit_content = false;
  std::string isrc;  // 12 characters, upper case, no hyphens, or ""

  std::string status = "processing";  // processing | ready | failed
  std::string status_message;
  std::string progress_stage;  // queued probing processing finalizing uploading done
  int progress_percent = 0;

  int64_t duration_ms = 0;
  std::optional<double> detected_bpm;
  std::optional<double> detected_bpm_confidence;
  std::string detected_key;
  std::optional<double> detected_key_confidence;
  std::optional<double> loudness_lufs;
  std::optional<double> true_peak_dbtp;
  std::optional<double> replay_gain_db;

  OriginalFormat original;
  std::string cover_key;  // object key of the cover art, "" when none
  std::string cover_mime_type;
  int64_t play_count = 0;

  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::optional<int64_t> processed_ms;
};

/// A field the caller may set, leave alone, or clear: absent → unchanged; nullopt inside → cleared.
template <typename T>
using Nullable = std::optional<std::optional<T>>;

/// Editable metadata as the client sent it (already typed, not yet validated). The service validates
/// and normalises every field (trimming, tags lowercased, keys parsed, ISRC checked).
struct TrackInput {
  std::optional<std::string> title;
  Nullable<std::string> description;
  Nullable<std::string> genre;
  Nullable<std::vector<std::string>> tags;
  Nullable<double> bpm;
  Nullable<std::string> musical_key;
  Nullable<std::string> lyrics;
  std::optional<std::string> visibility;
  std::optional<bool> downloadable;
  std::optional<std::string> licence;
  Nullable<std::string> release_date;
  std::optional<bool> explicit_content;
  Nullable<std::string> isrc;
};

/// Who a track belongs to, as track JSON shows it (filled by the users domain at wiring).
struct TrackOwner {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string avatar_url;  // versioned URL, "" when the account has no avatar
};

/// One page of a list, newest first.
struct TrackPage {
  std::vector<Track> items;
  std::string next_cursor;  // "" on the last page
};

struct PageRequest {
  int limit = 20;      // 1–100
  std::string cursor{};  // opaque, from a previous page
  std::string tag{};     // public listing only: tracks carrying this tag (normalised like stored tags)
};

/// A play event from a player.
struct PlayEvent {
  std::string kind;         // started | progress | completed
  std::string session;      // the player's play-session id (client chosen, ≤ 100 chars)
  int64_t listened_ms = 0;  // progress/completed: milliseconds listened so far
};

struct PlayResult {
  bool counted = false;  // this event added a play
  int64_t play_count = 0;
};

}  // namespace veza::tracks
