#pragma once
/// Media delivery helpers: HLS playlist token propagation and stored objects served, proxied or redirected.

#include <optional>
#include <string>
#include <string_view>

#include "http/byte_source.h"
#include "http/request.h"
#include "http/response.h"
#include "storage/object_store.h"

namespace veza::tracks {

/// Appends `token=<token>` to every URI of an HLS playlist: variant and media URIs (non-comment lines)
/// and URI="…" attributes (EXT-X-MAP, EXT-X-MEDIA, EXT-X-KEY…), so players need no headers.
std::string AddTokenToPlaylist(std::string_view playlist, std::string_view token);

/// How objects of a store without local files (S3) reach players.
enum class DeliveryMode {
  kProxy,     // read through us (ranges fetched from the store as asked)
  kRedirect,  // 302 to a presigned GET URL of the store, so the bytes never pass through us
};

/// Parses "proxy" | "redirect".
std::optional<DeliveryMode> ParseDeliveryMode(std::string_view text);

/// What ServeObject did, for the delivery metrics.
enum class Delivered { kFile, kProxied, kRedirected, kNone };

struct ServedObject {
  http::Response response;
  Delivered how = Delivered::kNone;
  uint64_t body_bytes = 0;  // bytes this response carries (0 for redirects, 304s and errors)
};

/// Answers GET/HEAD for one stored object through http::ServeBytes (Range, If-Range, If-None-Match):
/// a local store's file goes out with sendfile; otherwise, in kRedirect mode, a 302 to a presigned URL
/// valid for `presign_s` seconds, and in kProxy mode (or when the store cannot presign) the bytes read
/// from the store. 404 when the object does not exist.
ServedObject ServeObject(const http::Request& req, storage::ObjectStore& objects, const std::string& key,
                         const http::ServeOptions& options, DeliveryMode mode, int presign_s = 300);

}  // namespace veza::tracks
