#include "uploads/upload_service.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/log.h"
#include "storage/quota.h"
#include "uploads/upload_store.h"

namespace veza::uploads {

namespace {

namespace fs = std::filesystem;

constexpr size_t kCopyBuffer = 256 * 1024;

Error UploadNotFound() {
  return MakeError(ErrorCode::kNotFound, "No such upload.", "upload_not_found");
}

Error IoError(const char* what, const std::string& path, int err) {
  return Internal(std::string(what) + " " + path + ": " + std::strerror(err));
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

/// SHA-256 of a file read through a small buffer.
Result<std::string> Sha256OfFile(const std::string& path) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  std::string buf(kCopyBuffer, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return IoError("read", path, err);
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(n));
  }
  ::close(fd);
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

Status CopyInto(int out, const std::string& source, const std::string& target) {
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return IoError("open", source, errno);
  std::string buf(kCopyBuffer, '\0');
  Status s = Ok();
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = IoError("read", source, errno);
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        s = errno == ENOSPC ? Unavailable("The server is out of disk space.", "write " + target + ": ENOSPC")
                            : IoError("write", target, errno);
        break;
      }
      done += w;
    }
    if (!s.ok()) break;
  }
  ::close(in);
  return s;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseMetadata(std::string_view header) {
  std::map<std::string, std::string> out;
  auto bad = [] { return BadRequest("Upload-Metadata is malformed.", "invalid_upload_metadata"); };
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view pair = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
    if (pair.empty()) return bad();
    size_t space = pair.find(' ');
    std::string key(pair.substr(0, space));
    std::string value;
    if (space != std::string_view::npos) {
      auto decoded = Base64Decode(pair.substr(space + 1));
      if (!decoded) return bad();
      value = std::move(*decoded);
    }
    if (!out.emplace(std::move(key), std::move(value)).second) return bad();
  }
  return out;
}

Result<std::string> ParseChecksum(std::string_view header) {
  size_t space = header.find(' ');
  if (space == std::string_view::npos || header.substr(0, space) != "sha256") {
    return BadRequest("Upload-Checksum must be \"sha256 <base64 digest>\".",
                      "unsupported_checksum_algorithm");
  }
  auto digest = Base64Decode(header.substr(space + 1));
  if (!digest || digest->size() != crypto_hash_sha256_BYTES) {
    return BadRequest("Upload-Checksum is not a base64 SHA-256 digest.", "invalid_checksum");
  }
  return std::move(*digest);
}

UploadService::UploadService(db::Database& db, const Clock& clock, IdGenerator& ids, UsedBytesFn used_bytes,
                             UploadServiceOptions options)
    : db_(db), clock_(clock), ids_(ids), used_bytes_(std::move(used_bytes)), options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) log::Warn("cannot create the uploads directory", {{"path", options_.dir}, {"error", ec.message()}});
}

std::string UploadService::PathOf(int64_t id) const {
  return options_.dir + "/" + std::to_string(id) + ".part";
}

Result<Upload> UploadService::Create(int64_t user_id, int64_t length, const std::string& metadata) {
  if (length < 0) return BadRequest("Upload-Length must be a non-negative integer.", "invalid_upload_length");
  if (length > options_.max_bytes) {
    Error e =
        MakeError(ErrorCode::kPayloadTooLarge,
                  "The file is larger than the " + std::to_string(options_.max_bytes) + "-byte upload limit.",
                  "upload_too_large");
    e.fields = {{"max_bytes", std::to_string(options_.max_bytes)}};
    return e;
  }
  if (metadata.size() > options_.max_metadata_bytes) {
    return BadRequest("Upload-Metadata is too long.", "invalid_upload_metadata");
  }
  VEZA_ASSIGN_OR_RETURN(auto meta, ParseMetadata(metadata));
  VEZA_ASSIGN_OR_RETURN(int64_t stored, used_bytes_(user_id));

  const int64_t now = clock_.NowMs();
  Upload u{.id = ids_.Next(),
           .user_id = user_id,
           .length = length,
           .offset = 0,
           .metadata = metadata,
           .file_name = meta["filename"].substr(0, 255),
           .file_type = meta["filetype"].substr(0, 255),
           .created_ms = now,
           .updated_ms = now,
           .expires_ms = now + options_.expiry_ms};
  const std::string path = PathOf(u.id);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", path, errno);
  ::close(fd);
  Status s = db_.InTransaction([&](db::Session& session) -> Status {
    VEZA_ASSIGN_OR_RETURN(int64_t reserved, UploadStore::ReservedBytes(session, user_id));
    if (stored + reserved + length > options_.quota_bytes) {
      return storage::QuotaExceeded(stored + reserved, options_.quota_bytes, length);
    }
    return UploadStore::Insert(session, u);
  });
  if (!s.ok()) {
    ::unlink(path.c_str());
    return std::move(s).error();
  }
  return u;
}

Result<Upload> UploadService::LoadOwned(int64_t user_id, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(std::optional<Upload> u, db_.ReadValue<std::optional<Upload>>([&](db::Session& s) {
    return UploadStore::Get(s, id);
  }));
  if (!u || u->user_id != user_id) return UploadNotFound();
  if (u->expires_ms <= clock_.NowMs()) {
    return MakeError(ErrorCode::kNotFound, "This upload expired; start a new one.", kUploadExpired);
  }
  return std::move(*u);
}

Result<Upload> UploadService::Get(int64_t user_id, int64_t id) {
  return LoadOwned(user_id, id);
}

bool UploadService::Lock(int64_t id) {
  std::lock_guard lock(busy_mu_);
  return busy_.insert(id).second;
}

void UploadService::Unlock(int64_t id) {
  std::lock_guard lock(busy_mu_);
  busy_.erase(id);
}

Status UploadService::WriteAt(const std::string& path, int64_t offset, const Chunk& chunk) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  // Bytes past the acknowledged offset (a crash between write and commit) are not the client's: drop them.
  Status s = Ok();
  if (::ftruncate(fd, offset) != 0 || ::lseek(fd, offset, SEEK_SET) != offset)
    s = IoError("seek", path, errno);
  if (s.ok() && !chunk.path.empty()) s = CopyInto(fd, chunk.path, path);
  if (s.ok() && ::fdatasync(fd) != 0) s = IoError("fsync", path, errno);
  if (!s.ok() && ::ftruncate(fd, offset) != 0) log::Warn("cannot trim a failed chunk", {{"path", path}});
  ::close(fd);
  return s;
}

Result<Upload> UploadService::Append(int64_t user_id, int64_t id, int64_t offset, const Chunk& chunk) {
  if (!Lock(id)) {
    return MakeError(ErrorCode::kConflict, "Another request is writing to this upload.", "upload_busy");
  }
  struct Unlocker {
    UploadService* self;
    int64_t id;
    ~Unlocker() { self->Unlock(id); }
  } unlocker{this, id};

  VEZA_ASSIGN_OR_RETURN(Upload u, LoadOwned(user_id, id));
  if (offset != u.offset) {
    Error e = MakeError(ErrorCode::kConflict,
                        "Upload-Offset is " + std::to_string(offset) + " but the upload is at " +
                            std::to_string(u.offset) + ".",
                        "offset_mismatch");
    e.fields = {{"upload_offset", std::to_string(u.offset)}};
    return e;
  }
  if (chunk.size > u.length - u.offset) {
    return MakeError(ErrorCode::kPayloadTooLarge, "The chunk goes past Upload-Length.",
                     "upload_length_exceeded");
  }
  if (chunk.sha256) {
    std::string actual;
    if (chunk.path.empty()) {
      actual.resize(crypto_hash_sha256_BYTES);
      crypto_hash_sha256(reinterpret_cast<unsigned char*>(actual.data()), nullptr, 0);
    } else {
      VEZA_ASSIGN_OR_RETURN(actual, Sha256OfFile(chunk.path));
    }
    if (actual != *chunk.sha256) {
      return MakeError(ErrorCode::kBadRequest,
                       "The chunk's SHA-256 does not match Upload-Checksum; it was discarded.",
                       kChecksumMismatch);
    }
  }
  const std::string path = PathOf(id);
  VEZA_TRY(WriteAt(path, offset, chunk));
  const int64_t now = clock_.NowMs();
  const int64_t new_offset = offset + chunk.size;
  const int64_t expires = now + options_.expiry_ms;
  VEZA_ASSIGN_OR_RETURN(int64_t changed, db_.Transaction<int64_t>([&](db::Session& s) {
    return UploadStore::Advance(s, id, offset, new_offset, now, expires);
  }));
  if (changed == 0) {
    return MakeError(ErrorCode::kConflict, "The upload changed meanwhile; ask for its offset again.",
                     "offset_mismatch");
  }
  u.offset = new_offset;
  u.updated_ms = now;
  u.expires_ms = expires;
  return u;
}

Status UploadService::Terminate(int64_t user_id, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Upload u, LoadOwned(user_id, id));
  return Release(u.id);
}

Result<FinishedUpload> UploadService::Finished(int64_t user_id, int64_t id) {
  VEZA_ASSIGN_OR_RETURN(Upload u, LoadOwned(user_id, id));
  if (!u.Complete()) {
    Error e = MakeError(ErrorCode::kConflict,
                        "The upload is not finished: " + std::to_string(u.offset) + " of " +
                            std::to_string(u.length) + " bytes received.",
                        "upload_incomplete");
    e.fields = {{"upload_id", "The upload has " + std::to_string(u.length - u.offset) + " bytes to go."}};
    return e;
  }
  return FinishedUpload{PathOf(id), u.file_name};
}

Status UploadService::Release(int64_t id) {
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(UploadStore::Delete(s, id));
    return Ok();
  }));
  std::error_code ec;
  fs::remove(PathOf(id), ec);
  return Ok();
}

Result<int> UploadService::CleanupExpired() {
  const int64_t now = clock_.NowMs();
  int removed = 0;
  VEZA_ASSIGN_OR_RETURN(std::vector<int64_t> expired,
                        db_.ReadValue<std::vector<int64_t>>(
                            [&](db::Session& s) { return UploadStore::Expired(s, now, 1000); }));
  for (int64_t id : expired) {
    VEZA_TRY(Release(id));
    ++removed;
  }
  // Files whose row went on another node, or whose creation never committed.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".part")) continue;
    auto id = ParseId(std::string_view(name).substr(0, name.size() - 5));
    if (!id) continue;
    std::error_code stat_ec;
    auto mtime = fs::last_write_time(entry.path(), stat_ec);
    if (stat_ec) continue;
    const auto age = fs::file_time_type::clock::now() - mtime;
    if (age < std::chrono::milliseconds(options_.expiry_ms)) continue;
    VEZA_ASSIGN_OR_RETURN(bool exists,
                          db_.ReadValue<bool>([&](db::Session& s) { return UploadStore::Exists(s, *id); }));
    if (exists) continue;
    fs::remove(entry.path(), stat_ec);
    ++removed;
  }
  if (removed > 0) log::Info("expired uploads removed", {{"count", static_cast<int64_t>(removed)}});
  return removed;
}

}  // namespace veza::uploads
