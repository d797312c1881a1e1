#pragma once
/// Objects as files under one root directory. Writes are atomic (temp file, fsync, rename).

#include <functional>
#include <memory>
#include <string>

#include "storage/object_store.h"

namespace veza::storage {

class LocalObjectStore final : public ObjectStore {
 public:
  /// Creates `root` when missing.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root);

  Status PutBytes(std::string_view key, std::string_view bytes) override;
  Status PutFile(std::string_view key, const std::string& path) override;
  /// A rename when `path` is on the same filesystem as the root.
  Status MoveFile(std::string_view key, const std::string& path) override;
  Result<std::string> GetBytes(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  std::optional<std::string> LocalPath(std::string_view key) const override;
  /// Files have no signed URLs: the server sends them itself (sendfile).
  std::optional<std::string> PresignGet(std::string_view, int) const override { return std::nullopt; }
  std::string Describe() const override { return "local:" + root_; }

 private:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}
  Result<std::string> PathFor(std::string_view key) const;
  /// Writes through `fill` into a temp file beside the target, fsyncs, renames.
  Status WriteAtomically(const std::string& target, const std::function<Status(int fd)>& fill);

  std::string root_;
};

}  // namespace veza::storage
