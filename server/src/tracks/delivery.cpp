#include "tracks/delivery.h"

#include <algorithm>

namespace veza::tracks {

namespace {

std::string WithToken(std::string_view uri, std::string_view token) {
  std::string out(uri);
  out += uri.find('?') == std::string_view::npos ? "?token=" : "&token=";
  out += token;
  return out;
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

std::optional<DeliveryMode> ParseDeliveryMode(std::string_view text) {
  if (text == "proxy") return DeliveryMode::kProxy;
  if (text == "redirect") return DeliveryMode::kRedirect;
  return std::nullopt;
}

ServedObject ServeObject(const http::Request& req, storage::ObjectStore& objects, const std::string& key,
                         const http::ServeOptions& options, DeliveryMode mode, int presign_s) {
  auto not_found = [&req] {
    return ServedObject{http::Response::FromError(
        MakeError(ErrorCode::kNotFound, "No such file.", "not_found"), req.request_id)};
  };
  if (!storage::IsValidKey(key)) return not_found();
  if (auto path = objects.LocalPath(key)) {
    auto source = http::LocalFileSource(*path);
    if (!source) return not_found();
    ServedObject out{http::ServeBytes(req, *source, options), Delivered::kFile};
    if (out.response.file && out.response.status < 300) out.body_bytes = out.response.file->length;
    return out;
  }
  if (mode == DeliveryMode::kRedirect) {
    if (auto url = objects.PresignGet(key, presign_s)) {
      // The signed URL expires: caches may keep the redirect only briefly.
      http::Response r = http::Response::Empty(302);
      r.headers.Set("Location", *url);
      r.headers.Set("Cache-Control", "private, max-age=" + std::to_string(std::max(presign_s / 2, 1)));
      return {std::move(r), Delivered::kRedirected};
    }
  }
  auto info = objects.Stat(key);
  if (!info.ok()) {
    if (info.error().code == ErrorCode::kNotFound) return not_found();
    return {http::Response::FromError(info.error(), req.request_id)};
  }
  http::ByteSource source;
  source.size = info->size;
  std::string etag = info->etag;
  if (!etag.starts_with('"')) etag = "\"" + etag + "\"";
  source.etag = etag;
  if (info->modified_ms > 0) source.modified_s = info->modified_ms / 1000;
  source.read = [&objects, key](uint64_t offset, uint64_t length) {
    return objects.GetBytes(key, {.offset = offset, .length = length});
  };
  ServedObject out{http::ServeBytes(req, source, options), Delivered::kProxied};
  if (out.response.status < 300) out.body_bytes = out.response.body.size();
  return out;
}

}  // namespace veza::tracks
