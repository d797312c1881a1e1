#include "tracks/delivery.h"

#include <sys/stat.h>

#include <cstdio>
#include <optional>

namespace veza::tracks {

namespace {

std::string WithToken(std::string_view uri, std::string_view token) {
  std::string out(uri);
  out += uri.find('?') == std::string_view::npos ? "?token=" : "&token=";
  out += token;
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

std::string AddTokenToPlaylist(std::string_view playlist, std::string_view token) {
  std::string out;
  out.reserve(playlist.size() + 64);
  while (!playlist.empty()) {
    size_t nl = playlist.find('\n');
    std::string_view line = playlist.substr(0, nl);
    playlist = nl == std::string_view::npos ? std::string_view() : playlist.substr(nl + 1);
    bool cr = !line.empty() && line.back() == '\r';
    if (cr) line.remove_suffix(1);
    if (line.empty()) {
    } else if (line.front() != '#') {
      out += WithToken(line, token);
      line = {};
    } else {
      // Attribute URIs inside tags, possibly several per line.
      size_t at;
      while ((at = line.find("URI=\"")) != std::string_view::npos) {
        size_t start = at + 5;
        size_t end = line.find('"', start);
        if (end == std::string_view::npos) break;
        out += line.substr(0, start);
        out += WithToken(line.substr(start, end - start), token);
        line.remove_prefix(end);
      }
      out += line;
      line = {};
    }
    if (cr) out += '\r';
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

http::Response FileResponse(const http::Request& req, const std::string& path, std::string_view content_type,
                            std::string_view cache_control) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return http::Response::FromError(MakeError(ErrorCode::kNotFound, "No such file.", "not_found"),
                                     req.request_id);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  char etag_buf[64];
  std::snprintf(etag_buf, sizeof etag_buf, "\"%llx-%llx\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec));
  const std::string etag = etag_buf;

  http::Response resp;
  resp.headers.Set("Content-Type", std::string(content_type));
  resp.headers.Set("ETag", etag);
  resp.headers.Set("Accept-Ranges", "bytes");
  resp.headers.Set("Cache-Control", std::string(cache_control));
  if (auto inm = req.Header("If-None-Match"); inm && NoneMatchHits(*inm, etag)) {
    resp.status = 304;
    return resp;
  }
  auto range = req.Header("Range");
  if (range && req.Header("If-Range") && Trim(*req.Header("If-Range")) != etag) range.reset();
  if (range) {
    std::string_view spec = Trim(*range);
    if (spec.starts_with("bytes=") && spec.find(',') == std::string_view::npos) {
      spec.remove_prefix(6);
      size_t dash = spec.find('-');
      std::optional<uint64_t> start, last;
      bool valid = dash != std::string_view::npos;
      if (valid) {
        std::string_view a = Trim(spec.substr(0, dash));
        std::string_view b = Trim(spec.substr(dash + 1));
        if (a.empty()) {
          auto suffix = ParseU64(b);
          valid = suffix.has_value() && *suffix > 0;
          if (valid) {
            start = size - std::min(*suffix, size);
            last = size == 0 ? 0 : size - 1;
            if (size == 0) start = 1;  // unsatisfiable below
          }
        } else {
          start = ParseU64(a);
          last = b.empty() ? std::optional<uint64_t>(size == 0 ? 0 : size - 1) : ParseU64(b);
          valid = start && last && (b.empty() || *last >= *start);
        }
      }
      if (valid) {
        if (*start >= size) {
          http::Response r = http::Response::Text(416, "Range Not Satisfiable\n");
          r.headers.Set("Content-Range", "bytes */" + std::to_string(size));
          return r;
        }
        uint64_t end = std::min(*last, size - 1);
        resp.status = 206;
        resp.headers.Set("Content-Range", "bytes " + std::to_string(*start) + "-" + std::to_string(end) +
                                              "/" + std::to_string(size));
        resp.file = http::FileBody{path, *start, end - *start + 1};
        return resp;
      }
    }
  }
  resp.status = 200;
  resp.file = http::FileBody{path, 0, size};
  return resp;
}

}  // namespace veza::tracks
