#pragma once
/// SQL for tracks and play events over db::Session. No rules here: the service decides.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/session.h"
#include "tracks/track.h"

namespace veza::tracks {

/// What processing learnt about a track, written when it becomes ready.
struct ProcessedFacts {
  int64_t duration_ms = 0;
  std::optional<double> detected_bpm{};
  std::optional<double> detected_bpm_confidence{};
  std::string detected_key{};  // canonical name or ""
  std::optional<double> detected_key_confidence{};
  std::optional<double> loudness_lufs{};
  std::optional<double> true_peak_dbtp{};
  std::optional<double> replay_gain_db{};
  std::string cover_key{};
  std::string cover_mime_type{};
};

class TrackStore {
 public:
  static Status Insert(db::Session& s, const Track& track);
  static Result<std::optional<Track>> Get(db::Session& s, int64_t id);
  /// Public, ready tracks with id < before_id (0: from the newest), newest first; with a (normalised)
  /// `tag`, only those carrying it.
  static Result<std::vector<Track>> ListPublic(db::Session& s, int64_t before_id, int limit,
                                               std::string_view tag = {});
  /// A user's tracks; `all` includes unlisted, private and unfinished ones (the owner's view).
  static Result<std::vector<Track>> ListByUser(db::Session& s, int64_t user_id, bool all, int64_t before_id,
                                               int limit);
  /// Writes the editable metadata fields and updated_at.
  static Status UpdateMetadata(db::Session& s, const Track& track);
  /// Rows removed (0 or 1).
  static Result<int64_t> Delete(db::Session& s, int64_t id);
  /// Sum of original sizes of the user's tracks.
  static Result<int64_t> UsedBytes(db::Session& s, int64_t user_id);

  /// Progress while processing; ignored once the track is ready or failed.
  static Status SetProgress(db::Session& s, int64_t id, const std::string& stage, int percent,
                            int64_t now_ms);
  /// Marks ready; the uploader's bpm/key stay, the detected ones fill the gaps. Rows changed (0 when
  /// deleted).
  static Result<int64_t> MarkReady(db::Session& s, int64_t id, const ProcessedFacts& facts, int64_t now_ms);
  /// Sets the cover when it still is `expected` (compare-and-swap); rows changed.
  static Result<int64_t> SwapCover(db::Session& s, int64_t id, const std::string& expected,
                                   const std::string& key, const std::string& mime_type, int64_t now_ms);
  static Result<int64_t> MarkFailed(db::Session& s, int64_t id, const std::string& message, int64_t now_ms);

  /// Inserts the play session if new; true when it was.
  static Result<bool> InsertPlay(db::Session& s, int64_t track_id, const std::string& listener,
                                 const std::string& session, int64_t listened_ms, bool completed,
                                 int64_t now_ms);
  /// Raises listened_ms (never lowers it) and sets completed; rows changed.
  static Result<int64_t> UpdatePlay(db::Session& s, int64_t track_id, const std::string& listener,
                                    const std::string& session, int64_t listened_ms, bool completed,
                                    int64_t now_ms);
  /// Increments play_count; returns the new count.
  static Result<int64_t> IncrementPlayCount(db::Session& s, int64_t track_id);
  static Status DeletePlays(db::Session& s, int64_t track_id);
};

}  // namespace veza::tracks
