#pragma once
/// Object storage for audio, images and HLS output: local files by default, S3-compatible later.
/// Keys are relative slash-separated paths ("tracks/123/hls/master.m3u8").

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t modified_ms = 0;
  std::string etag;
};

struct ByteRange {
  uint64_t offset = 0;
  std::optional<uint64_t> length;  // nullopt: to the end
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Status PutBytes(std::string_view key, std::string_view bytes) = 0;
  /// Copies a local file in (the upload spool, a transcoder's output).
  virtual Status PutFile(std::string_view key, const std::string& path) = 0;
  /// Takes a local file in and removes it: a rename where the backend can, otherwise copy then delete.
  virtual Status MoveFile(std::string_view key, const std::string& path) {
    Status s = PutFile(key, path);
    if (s.ok()) std::remove(path.c_str());
    return s;
  }
  virtual Result<std::string> GetBytes(std::string_view key, ByteRange range = {}) = 0;
  /// kNotFound when absent.
  virtual Result<ObjectInfo> Stat(std::string_view key) = 0;
  /// Deleting a missing object succeeds.
  virtual Status Delete(std::string_view key) = 0;
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  /// A local file path for sendfile when the backend is the filesystem; nullopt otherwise.
  virtual std::optional<std::string> LocalPath(std::string_view key) const = 0;
  /// A URL anyone can GET the object from for `expires_s` seconds (<= 0: the backend's default), when the
  /// backend can sign one; nullopt otherwise, and then the object is served through us.
  virtual std::optional<std::string> PresignGet(std::string_view key, int expires_s) const {
    return std::nullopt;
  }
  /// A short, secret-free description for health output.
  virtual std::string Describe() const = 0;
};

/// A key shaped "<prefix><id>/<file>" (e.g. "tracks/123/hls/a.m4s"): whose it is, and the rest.
struct OwnedKey {
  int64_t owner_id = 0;
  std::string_view file;  // after the id's slash; a view into the key
};
/// nullopt when `key` does not start with `prefix` followed by an id and a slash.
std::optional<OwnedKey> SplitOwnedKey(std::string_view key, std::string_view prefix);

/// Writes the object to a local file in chunks of `chunk_bytes` (ranged reads), so an object of any size
/// costs one chunk of memory; the file is replaced. kNotFound when absent.
Status CopyToFile(ObjectStore& store, std::string_view key, const std::string& path,
                  uint64_t chunk_bytes = 8ull << 20);

/// True when `key` is a safe relative key: non-empty segments of [A-Za-z0-9._-], no "." or "..".
bool IsValidKey(std::string_view key);

}  // namespace veza::storage
