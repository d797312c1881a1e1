#pragma once
/// Track rules: who sees what, validation, uploads (probe, quota, store, enqueue), edits, deletion,
/// play counting and the media grants of delivery.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "images/renditions.h"
#include "jobs/queue.h"
#include "storage/object_store.h"
#include "tracks/stream_signer.h"
#include "tracks/track.h"

namespace veza::tracks {

/// Kind of the processing job enqueued for every upload; its payload is {"track_id": "<id>"}.
inline constexpr const char* kProcessJobKind = "track.process";

/// Who is asking: nullopt for anonymous callers.
struct Viewer {
  int64_t user_id = 0;
  bool admin = false;  // admins and moderators may edit and delete any track
};

struct TrackServiceOptions {
  int64_t quota_bytes = 5LL * 1024 * 1024 * 1024;  // per user, sum of original sizes
  int64_t stream_ttl_ms = 4LL * 3600 * 1000;       // long enough to finish a long mix without re-asking
  images::DecodeLimits cover_limits;               // 10 MB, 40 megapixels
  std::string api_base = "/api/v1";                // prefix of the URLs handed to players
};

/// An uploaded audio file waiting on local disk (the multipart part or a finished tus upload).
struct UploadedFile {
  std::string path;
  std::string file_name;  // as the client named it (used for a default title only)
  bool move = false;      // the file is the track's to take (a finished resumable upload): moved, not copied
};

struct StreamGrant {
  std::string hls_url;  // master playlist URL with the token in its query
  int64_t expires_at_ms = 0;
};

struct MediaBytes {
  std::string bytes;
  std::string content_type;
};

/// A stored object to send, with its type and a download name.
struct MediaFile {
  std::string key;
  std::string content_type;
  std::string file_name;
};

/// One HLS object a token holder may fetch; playlists get the token propagated into their URIs.
struct HlsObject {
  std::string key;
  bool playlist = false;
};

/// One cover rendition to send.
struct CoverObject {
  std::string key;
  std::string content_type;
  std::string version;        // of an uploaded cover ("" for embedded art): URLs naming it are immutable
  bool public_cache = false;  // the track is not private, so shared caches may keep it
};

/// Sizes of uploaded covers, largest first (squares; ?size= picks the nearest).
const std::vector<images::Rendition>& CoverRenditions();
/// The cover URL for track JSON: versioned for uploaded covers, null-ish ("") without a cover.
std::string CoverUrl(const Track& t, const std::string& api_base);

inline std::string TrackPrefix(int64_t id) {
  return "tracks/" + std::to_string(id) + "/";
}
/// Key of the original upload: tracks/<id>/original.<ext>.
inline std::string OriginalKey(int64_t id, const std::string& ext) {
  return TrackPrefix(id) + "original." + ext;
}

class TrackService {
 public:
  TrackService(db::Database& db, storage::ObjectStore& objects, jobs::Queue& queue,
               const StreamSigner& signer, const Clock& clock, IdGenerator& ids,
               TrackServiceOptions options = {});

  /// The track if the viewer may see it (private → owner only); 404 otherwise.
  Result<Track> Get(const std::optional<Viewer>& viewer, int64_t id);
  /// Public, ready tracks, newest first.
  Result<TrackPage> ListPublic(const PageRequest& page);
  /// A user's tracks: everything for the owner, public + ready for everyone else.
  Result<TrackPage> ListByUser(const std::optional<Viewer>& viewer, int64_t user_id, const PageRequest& page);
  /// Owner (or admin) edits metadata.
  Result<Track> Update(const Viewer& viewer, int64_t id, const TrackInput& input);
  /// Owner (or admin) deletes the track and every object under tracks/<id>/.
  Status Delete(const Viewer& viewer, int64_t id);

  /// Probes the file (415/422), applies defaults from its tags then `input`, checks the quota (413),
  /// stores the original, inserts the track and enqueues its processing in one transaction.
  Result<Track> CreateFromUpload(const Viewer& viewer, const UploadedFile& file, const TrackInput& input);

  /// Records a play event; `listener` identifies the listener (user or hashed address).
  Result<PlayResult> RecordPlay(const std::optional<Viewer>& viewer, const std::string& listener, int64_t id,
                                const PlayEvent& event);

  /// A signed master playlist URL for a ready track the viewer may see.
  Result<StreamGrant> Stream(const std::optional<Viewer>& viewer, int64_t id);
  /// An HLS file for a token holder: checks the token's scope and resolves the object; no database access,
  /// so it may run on an I/O thread.
  Result<HlsObject> ResolveHls(int64_t id, std::string_view rel_path, std::string_view token) const;
  Result<MediaBytes> Waveform(const std::optional<Viewer>& viewer, int64_t id, std::string_view resolution);
  /// The stored cover size nearest to `size` px (the smallest at least that large, else the largest;
  /// "" for the largest); embedded art has one size. 404 without a cover, 422 for a bad size.
  Result<CoverObject> Cover(const std::optional<Viewer>& viewer, int64_t id, std::string_view size);
  /// Owner (or admin) replaces the cover with the image at `upload_path` (decoded and re-encoded without
  /// metadata, one object per size under a new version) and deletes the previous cover's objects.
  Result<Track> ReplaceCover(const Viewer& viewer, int64_t id, const std::string& upload_path);
  /// The original file, for the owner or when the track is downloadable.
  Result<MediaFile> Download(const std::optional<Viewer>& viewer, int64_t id);

  /// Bytes of originals the user stores.
  Result<int64_t> UsedBytes(int64_t user_id);
  /// Deletes every object under tracks/<id>/ (also used by processing when a track vanished meanwhile).
  Status DeleteObjects(int64_t id);

  /// Of these objects under tracks/, the keys no track owns: everything of a track that no longer
  /// exists, and covers a track no longer uses (storage gc).
  Result<std::vector<std::string>> Orphans(const std::vector<storage::ObjectInfo>& objects);

  const TrackServiceOptions& options() const { return options_; }
  storage::ObjectStore& objects() const { return objects_; }

 private:
  Result<Track> Load(int64_t id);
  Result<Track> LoadVisible(const std::optional<Viewer>& viewer, int64_t id);
  Result<Track> LoadOwned(const Viewer& viewer, int64_t id);
  void DeleteCoverObjects(const std::string& cover_key);

  db::Database& db_;
  storage::ObjectStore& objects_;
  jobs::Queue& queue_;
  const StreamSigner& signer_;
  const Clock& clock_;
  IdGenerator& ids_;
  TrackServiceOptions options_;
};

/// Opaque page cursors.
std::string EncodeCursor(int64_t last_id);
/// nullopt for anything EncodeCursor did not produce.
std::optional<int64_t> DecodeCursor(std::string_view cursor);

/// The file extension for a probed format/container ("flac", "m4a", "ogg"…).
std::string ExtensionFor(const std::string& format, const std::string& container);

}  // namespace veza::tracks
