#pragma once
/// Resumable uploads (tus 1.0.0) as rules: creation with size cap and quota, appends at the exact
/// offset with an optional SHA-256 per chunk, termination, expiry, and handing a finished file to
/// the tracks domain. Bytes go to <dir>/<id>.part; the acknowledged offset lives in the database.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "uploads/upload.h"

namespace veza::uploads {

/// Error slugs the tus routes turn into the protocol's own statuses.
inline constexpr const char* kChecksumMismatch = "checksum_mismatch";  // 460
inline constexpr const char* kUploadExpired = "upload_expired";        // 410

/// Bytes the user already stores elsewhere (tracks' originals), for the shared quota.
using UsedBytesFn = std::function<Result<int64_t>(int64_t user_id)>;

struct UploadServiceOptions {
  std::string dir;                                 // partial files; local disk of this node
  int64_t max_bytes = 2LL * 1024 * 1024 * 1024;    // the track upload cap (tracks.max_upload_bytes)
  int64_t quota_bytes = 5LL * 1024 * 1024 * 1024;  // per user (tracks.quota_bytes)
  int64_t expiry_ms = 24LL * 3600 * 1000;          // after the last byte received (uploads.expiry_s)
  size_t max_metadata_bytes = 4096;
};

/// One PATCH body, already spooled to disk by the transport.
struct Chunk {
  std::string path;  // "" when the body was empty
  int64_t size = 0;
  std::optional<std::string> sha256;  // expected raw digest (Upload-Checksum), if the client sent one
};

/// A complete upload's file, ready to become a track.
struct FinishedUpload {
  std::string path;
  std::string file_name;
};

/// Parses Upload-Metadata ("key base64value,key2,…"); 400 on malformed pairs, bad base64 or repeats.
Result<std::map<std::string, std::string>> ParseMetadata(std::string_view header);
/// Parses Upload-Checksum ("sha256 <base64>") into the raw digest; 400 for another algorithm or bad base64.
Result<std::string> ParseChecksum(std::string_view header);

class UploadService {
 public:
  UploadService(db::Database& db, const Clock& clock, IdGenerator& ids, UsedBytesFn used_bytes,
                UploadServiceOptions options);

  /// 413 above the cap or the quota (which counts unfinished uploads too); creates the empty file.
  Result<Upload> Create(int64_t user_id, int64_t length, const std::string& metadata);
  /// The caller's upload: 404 for anyone else's or an unknown id, 410 once expired.
  Result<Upload> Get(int64_t user_id, int64_t id);
  /// Appends `chunk` at `offset`: 409 when the offset is not the current one (or another request is
  /// writing), 413 past Upload-Length, 460 (slug checksum_mismatch) when the digest differs — then
  /// nothing is kept. Returns the upload with its new offset and expiry.
  Result<Upload> Append(int64_t user_id, int64_t id, int64_t offset, const Chunk& chunk);
  /// Removes the upload and its bytes.
  Status Terminate(int64_t user_id, int64_t id);
  /// The file of a complete upload: 409 while bytes are missing.
  Result<FinishedUpload> Finished(int64_t user_id, int64_t id);
  /// Forgets an upload whose file another domain took (or lost); removes what is left of the file.
  Status Release(int64_t id);
  /// Removes expired uploads (rows and files) and files without a row older than the expiry.
  /// Returns how many uploads or files went.
  Result<int> CleanupExpired();

  std::string PathOf(int64_t id) const;
  const UploadServiceOptions& options() const { return options_; }

 private:
  Result<Upload> LoadOwned(int64_t user_id, int64_t id);
  Status WriteAt(const std::string& path, int64_t offset, const Chunk& chunk);
  bool Lock(int64_t id);
  void Unlock(int64_t id);

  db::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  UsedBytesFn used_bytes_;
  UploadServiceOptions options_;
  std::mutex busy_mu_;
  std::set<int64_t> busy_;  // uploads a request is appending to on this node
};

}  // namespace veza::uploads
