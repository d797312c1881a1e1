#include "storage/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace veza::storage {

namespace fs = std::filesystem;

namespace {

Error IoError(std::string_view what, const std::string& path, int err) {
  return Unavailable("Object storage is not available.", std::string(what) + " " + path + ": " + std::strerror(err));
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", "", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rng() % 1000000);
}

std::string ETagFor(const struct stat& st) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec));
  return buf;
}

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > 1024) return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string_view seg = key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Unavailable("Object storage is not available.", "create " + root + ": " + ec.message());
  fs::path abs = fs::absolute(root, ec);
  if (ec) return Unavailable("Object storage is not available.", "resolve " + root + ": " + ec.message());
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(abs.lexically_normal().string()));
}

Result<std::string> LocalObjectStore::PathFor(std::string_view key) const {
  // Validated keys contain no "..", so joined paths cannot leave the root.
  if (!IsValidKey(key)) return Validation({{"key", "is not a valid object key"}});
  return root_ + "/" + std::string(key);
}

Status LocalObjectStore::WriteAtomically(const std::string& target, const std::function<Status(int)>& fill) {
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (ec) return Unavailable("Object storage is not available.", "mkdir for " + target + ": " + ec.message());
  std::string tmp = target + TempSuffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open", tmp, errno);
  Status s = fill(fd);
  if (s.ok() && ::fsync(fd) != 0) s = IoError("fsync", tmp, errno);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) s = IoError("rename", tmp, errno);
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Status LocalObjectStore::PutBytes(std::string_view key, std::string_view bytes) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  return WriteAtomically(path, [&](int fd) { return WriteAll(fd, bytes); });
}

Status LocalObjectStore::PutFile(std::string_view key, const std::string& source) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return IoError("open", source, errno);
  Status s = WriteAtomically(path, [&](int out) -> Status {
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(in, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("read", source, errno);
      if (n == 0) return Ok();
      VEZA_TRY(WriteAll(out, std::string_view(buf, static_cast<size_t>(n))));
    }
  });
  ::close(in);
  return s;
}

Status LocalObjectStore::MoveFile(std::string_view key, const std::string& source) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Unavailable("Object storage is not available.", "mkdir for " + path + ": " + ec.message());
  if (::rename(source.c_str(), path.c_str()) == 0) return Ok();
  if (errno != EXDEV) return IoError("rename", source, errno);
  VEZA_TRY(PutFile(key, source));
  ::unlink(source.c_str());
  return Ok();
}

Result<std::string> LocalObjectStore::GetBytes(std::string_view key, ByteRange range) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("Object not found.");
    return IoError("open", path, errno);
  }
  struct stat st {};
  ::fstat(fd, &st);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t offset = std::min<uint64_t>(range.offset, size);
  uint64_t length = std::min<uint64_t>(range.length.value_or(size - offset), size - offset);
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      return IoError("read", path, n < 0 ? err : EIO);
    }
    done += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return out;
}

Result<ObjectInfo> LocalObjectStore::Stat(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("Object not found.");
    return IoError("stat", path, errno);
  }
  return ObjectInfo{std::string(key), static_cast<uint64_t>(st.st_size),
                    st.st_mtim.tv_sec * 1000LL + st.st_mtim.tv_nsec / 1000000, ETagFor(st)};
}

Status LocalObjectStore::Delete(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(std::string path, PathFor(key));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path, errno);
  return Ok();
}

Result<std::vector<ObjectInfo>> LocalObjectStore::List(std::string_view prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), root_, ec).string();
    if (key.find(".tmp-") != std::string::npos) continue;  // a write in progress
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    auto info = Stat(key);
    if (info.ok()) out.push_back(std::move(info).value());
  }
  if (ec) return Unavailable("Object storage is not available.", "list " + root_ + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

std::optional<std::string> LocalObjectStore::LocalPath(std::string_view key) const {
  auto path = PathFor(key);
  if (!path.ok()) return std::nullopt;
  return std::move(path).value();
}

}  // namespace veza::storage
