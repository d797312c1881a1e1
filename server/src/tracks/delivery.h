#pragma once
/// Media delivery helpers: HLS playlist token propagation and file responses with Range/ETag.

#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace veza::tracks {

/// Appends `token=<token>` to every URI of an HLS playlist: variant and media URIs (non-comment lines)
/// and URI="…" attributes (EXT-X-MAP, EXT-X-MEDIA, EXT-X-KEY…), so players need no headers.
std::string AddTokenToPlaylist(std::string_view playlist, std::string_view token);

/// A response for a local file, sent with sendfile: 200, 206 for one `bytes=` range, 416, or 304 for a
/// matching If-None-Match; ETag from size and mtime. 404 when the file is not there.
http::Response FileResponse(const http::Request& req, const std::string& path, std::string_view content_type,
                            std::string_view cache_control);

}  // namespace veza::tracks
