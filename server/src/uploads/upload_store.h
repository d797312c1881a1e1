#pragma once
/// SQL for uploads over db::Session. No rules here: the service decides.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "db/session.h"
#include "uploads/upload.h"

namespace veza::uploads {

class UploadStore {
 public:
  static Status Insert(db::Session& s, const Upload& upload);
  static Result<std::optional<Upload>> Get(db::Session& s, int64_t id);
  /// Moves the offset from `expected` to `offset` and extends the expiry; rows changed (0 when another
  /// request moved it first or the upload vanished).
  static Result<int64_t> Advance(db::Session& s, int64_t id, int64_t expected, int64_t offset, int64_t now_ms,
                                 int64_t expires_ms);
  /// Rows removed (0 or 1).
  static Result<int64_t> Delete(db::Session& s, int64_t id);
  /// Sum of Upload-Length over the user's uploads not yet turned into tracks.
  static Result<int64_t> ReservedBytes(db::Session& s, int64_t user_id);
  /// Ids of uploads whose expiry is at or before `now_ms`, oldest first.
  static Result<std::vector<int64_t>> Expired(db::Session& s, int64_t now_ms, int limit);
  /// Whether a row exists (the cleanup's orphan check for files on disk).
  static Result<bool> Exists(db::Session& s, int64_t id);
};

}  // namespace veza::uploads
