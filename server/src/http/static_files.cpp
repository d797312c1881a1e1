#include "http/static_files.h"

#include <sys/stat.h>

#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <utility>

#include "http/byte_source.h"

namespace veza::http {

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
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

std::optional<ByteSource> ContainedFile(const std::string& root_real, const std::string& candidate) {
  char buf[PATH_MAX];
  if (!::realpath(candidate.c_str(), buf)) return std::nullopt;
  std::string_view real(buf);
  // Symlinks may point anywhere; only what resolves inside the root is served.
  if (!real.starts_with(root_real) || (real.size() > root_real.size() && real[root_real.size()] != '/'))
    return std::nullopt;
  return LocalFileSource(std::string(real));
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
  std::optional<ByteSource> file = ContainedFile(root_real_, root_real_ + url_path);
  if (!file && IsDirectory(root_real_ + url_path)) {
    url_path += "/" + options_.index;
    file = ContainedFile(root_real_, root_real_ + url_path);
  }
  if (!file && options_.spa_fallback && !HasExtension(path)) {
    url_path = "/" + options_.index;
    file = ContainedFile(root_real_, root_real_ + url_path);
  }
  if (!file) return NotFoundResponse(req);

  // Precompressed siblings, never for ranges (offsets would refer to the compressed bytes).
  const bool ranged = req.Header("Range").has_value();
  bool has_variants = false;
  std::string_view encoding;
  ByteSource chosen = *file;
  for (std::string_view coding : {std::string_view("br"), std::string_view("gzip")}) {
    std::optional<ByteSource> variant = LocalFileSource(file->file_path + (coding == "br" ? ".br" : ".gz"));
    if (!variant) continue;
    has_variants = true;
    if (ranged || !encoding.empty()) continue;
    if (AcceptsEncoding(req.Header("Accept-Encoding").value_or(""), coding)) {
      encoding = coding;
      chosen = std::move(*variant);
      chosen.modified_s = file->modified_s;  // Last-Modified and If-Modified-Since refer to the original
    }
  }

  Response resp = ServeBytes(
      req, chosen,
      {.content_type = std::string(ContentTypeFor(url_path)),
       .cache_control = IsHashedAsset(url_path) ? "public, max-age=31536000, immutable" : "no-cache"});
  if (resp.status == 416) return resp;
  if (has_variants) resp.headers.Set("Vary", "Accept-Encoding");
  if (!encoding.empty() && resp.status != 304) resp.headers.Set("Content-Encoding", std::string(encoding));
  return resp;
}

}  // namespace veza::http
