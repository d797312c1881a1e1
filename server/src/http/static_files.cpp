#include "http/static_files.h"

#include <sys/stat.h>

#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <utility>

namespace veza::http {

namespace {

struct FileInfo {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_s = 0;
  int64_t mtime_ns = 0;
};

std::optional<FileInfo> StatRegular(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  FileInfo info;
  info.path = path;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_s = st.st_mtim.tv_sec;
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return info;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string HttpDate(int64_t epoch_s) {
  time_t t = static_cast<time_t>(epoch_s);
  struct tm tm;
  gmtime_r(&t, &tm);
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  struct tm tm = {};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string ETagFor(const FileInfo& f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(f.size),
                static_cast<unsigned long long>(f.mtime_ns));
  return buf;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// True when If-None-Match lists `etag` (weak comparison, as RFC 9110 asks for this header) or "*".
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

/// q-value of `coding` in Accept-Encoding (0 when absent or refused).
bool AcceptsEncoding(std::string_view header, std::string_view coding) {
  std::optional<bool> star;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = Trim(item.substr(0, semi));
    bool accepted = true;
    if (semi != std::string_view::npos) {
      std::string_view param = Trim(item.substr(semi + 1));
      if (param.starts_with("q=") || param.starts_with("Q=")) {
        std::string q(param.substr(2));
        accepted = std::strtod(q.c_str(), nullptr) > 0.0;
      }
    }
    if (IEquals(name, coding)) return accepted;
    if (name == "*") star = accepted;
  }
  return star.value_or(false);
}

struct ByteRange {
  uint64_t start = 0;
  uint64_t length = 0;
};

enum class RangeKind { kNone, kSatisfiable, kUnsatisfiable };

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

/// One `bytes=` range; several ranges or bad syntax are ignored (the full file is served).
RangeKind ParseRange(std::string_view header, uint64_t size, ByteRange& out) {
  header = Trim(header);
  if (!header.starts_with("bytes=")) return RangeKind::kNone;
  std::string_view spec = Trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeKind::kNone;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kNone;
  std::string_view first = Trim(spec.substr(0, dash));
  std::string_view last = Trim(spec.substr(dash + 1));
  if (first.empty()) {
    auto suffix = ParseU64(last);
    if (!suffix) return RangeKind::kNone;
    if (*suffix == 0 || size == 0) return RangeKind::kUnsatisfiable;
    uint64_t n = std::min(*suffix, size);
    out = {size - n, n};
    return RangeKind::kSatisfiable;
  }
  auto start = ParseU64(first);
  if (!start) return RangeKind::kNone;
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    auto e = ParseU64(last);
    if (!e || *e < *start) return RangeKind::kNone;
    end = std::min(*e, end);
  }
  if (*start >= size) return RangeKind::kUnsatisfiable;
  out = {*start, end - *start + 1};
  return RangeKind::kSatisfiable;
}

/// Vite-style hashed asset names: "/assets/index-3f9a8b2c.js" (8+ hash characters after the last '-').
bool IsHashedAsset(std::string_view url_path) {
  if (!url_path.starts_with("/assets/")) return false;
  std::string_view name = url_path.substr(url_path.rfind('/') + 1);
  std::string_view stem = name.substr(0, name.find('.'));
  size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos || stem.size() - dash - 1 < 8) return false;
  for (char c : stem.substr(dash + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool HasExtension(std::string_view url_path) {
  std::string_view last = url_path.substr(url_path.rfind('/') + 1);
  return last.find('.') != std::string_view::npos;
}

/// A path is safe when no segment is "." or ".." and it holds no NUL or backslash.
bool SafeRelative(std::string_view path) {
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) return false;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg == ".." || seg == ".") return false;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return true;
}

Response NotFoundResponse(const Request& req) {
  return Response::FromError(MakeError(ErrorCode::kNotFound, "No such resource.", "not_found"), req.request_id);
}

}  // namespace

StaticFiles::StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {
  char buf[PATH_MAX];
  if (!::realpath(options_.root.c_str(), buf) || !IsDirectory(buf))
    throw std::runtime_error("static root is not a directory: " + options_.root);
  root_real_ = buf;
}

std::string_view StaticFiles::ContentTypeFor(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"xml", "application/xml"},
      {"wasm", "application/wasm"},
      {"m3u8", "application/vnd.apple.mpegurl"},
      {"m4s", "audio/mp4"},
      {"mp4", "audio/mp4"},
      {"m4a", "audio/mp4"},
      {"aac", "audio/aac"},
      {"mp3", "audio/mpeg"},
      {"ts", "video/mp2t"},
      {"flac", "audio/flac"},
      {"ogg", "audio/ogg"},
  }};
  size_t dot = file_name.rfind('.');
  size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string_view ext = file_name.substr(dot + 1);
  for (const auto& [e, type] : kTypes) {
    if (IEquals(e, ext)) return type;
  }
  return "application/octet-stream";
}

namespace {

std::optional<FileInfo> ContainedFile(const std::string& root_real, const std::string& candidate) {
  char buf[PATH_MAX];
  if (!::realpath(candidate.c_str(), buf)) return std::nullopt;
  std::string_view real(buf);
  // Symlinks may point anywhere; only what resolves inside the root is served.
  if (!real.starts_with(root_real) || (real.size() > root_real.size() && real[root_real.size()] != '/'))
    return std::nullopt;
  return StatRegular(std::string(real));
}

}  // namespace

Response StaticFiles::Serve(const Request& req) const {
  const std::string& path = req.path;
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = Response::FromError(
        MakeError(ErrorCode::kMethodNotAllowed, "Method not allowed on this resource.", "method_not_allowed"),
        req.request_id);
    r.headers.Set("Allow", "GET, HEAD");
    return r;
  }
  for (const std::string& prefix : options_.excluded_prefixes) {
    if (path.starts_with(prefix)) return NotFoundResponse(req);
  }
  if (path.empty() || path.front() != '/' || !SafeRelative(path)) return NotFoundResponse(req);

  std::string url_path = path;
  if (url_path.back() == '/') url_path += options_.index;
  std::optional<FileInfo> file = ContainedFile(root_real_, root_real_ + url_path);
  if (!file && IsDirectory(root_real_ + url_path)) {
    url_path += "/" + options_.index;
    file = ContainedFile(root_real_, root_real_ + url_path);
  }
  if (!file && options_.spa_fallback && !HasExtension(path)) {
    url_path = "/" + options_.index;
    file = ContainedFile(root_real_, root_real_ + url_path);
  }
  if (!file) return NotFoundResponse(req);

  const std::string_view content_type = ContentTypeFor(url_path);
  auto range_header = req.Header("Range");

  // Precompressed siblings, never for ranges (offsets would refer to the compressed bytes).
  Response resp;
  bool has_variants = false;
  FileInfo chosen = *file;
  for (std::string_view coding : {std::string_view("br"), std::string_view("gzip")}) {
    std::string sibling = file->path + (coding == "br" ? ".br" : ".gz");
    std::optional<FileInfo> variant = StatRegular(sibling);
    if (!variant) continue;
    has_variants = true;
    if (range_header || chosen.path != file->path) continue;
    if (AcceptsEncoding(req.Header("Accept-Encoding").value_or(""), coding)) {
      chosen = *variant;
      resp.headers.Set("Content-Encoding", std::string(coding));
    }
  }
  if (has_variants) resp.headers.Set("Vary", "Accept-Encoding");

  const std::string etag = ETagFor(chosen);
  resp.headers.Set("Content-Type", std::string(content_type));
  resp.headers.Set("ETag", etag);
  resp.headers.Set("Last-Modified", HttpDate(file->mtime_s));
  resp.headers.Set("Accept-Ranges", "bytes");
  resp.headers.Set("Cache-Control",
                   IsHashedAsset(url_path) ? "public, max-age=31536000, immutable" : "no-cache");

  bool not_modified = false;
  if (auto inm = req.Header("If-None-Match")) {
    not_modified = NoneMatchHits(*inm, etag);
  } else if (auto ims = req.Header("If-Modified-Since")) {
    auto since = ParseHttpDate(*ims);
    not_modified = since && file->mtime_s <= *since;
  }
  if (not_modified) {
    resp.status = 304;
    resp.headers.Remove("Content-Encoding");
    return resp;
  }

  ByteRange range;
  RangeKind kind = range_header ? ParseRange(*range_header, chosen.size, range) : RangeKind::kNone;
  if (kind != RangeKind::kNone) {
    // If-Range with a stale validator means "send the whole thing".
    if (auto if_range = req.Header("If-Range")) {
      std::string_view v = Trim(*if_range);
      bool fresh = v.starts_with("\"") ? v == etag : ParseHttpDate(v) == std::optional<int64_t>(file->mtime_s);
      if (!fresh) kind = RangeKind::kNone;
    }
  }
  if (kind == RangeKind::kUnsatisfiable) {
    Response r = Response::Text(416, "Range Not Satisfiable\n");
    r.headers.Set("Content-Range", "bytes */" + std::to_string(chosen.size));
    r.headers.Set("Accept-Ranges", "bytes");
    return r;
  }
  if (kind == RangeKind::kSatisfiable) {
    resp.status = 206;
    resp.headers.Set("Content-Range", "bytes " + std::to_string(range.start) + "-" +
                                          std::to_string(range.start + range.length - 1) + "/" +
                                          std::to_string(chosen.size));
    resp.file = FileBody{chosen.path, range.start, range.length};
    return resp;
  }
  resp.status = 200;
  resp.file = FileBody{chosen.path, 0, chosen.size};
  return resp;
}

}  // namespace veza::http
