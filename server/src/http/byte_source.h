#pragma once
/// One implementation of conditional and partial GET for anything with a size and a validator: a local
/// file (sent with sendfile) or bytes read on demand (an object proxied from S3). Static files, HLS
/// segments, downloads and images all answer through ServeBytes, so Range, If-Range, If-None-Match and
/// If-Modified-Since behave the same everywhere.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"

namespace veza::http {

/// What a response sends.
struct ByteSource {
  uint64_t size = 0;
  std::string etag;                   // quoted strong validator
  std::optional<int64_t> modified_s;  // epoch seconds: Last-Modified, If-Modified-Since, dated If-Range
  /// Non-empty: the bytes are this file's, sent by the transport with sendfile (never read here).
  std::string file_path;
  /// Otherwise: reads `length` bytes at `offset` (only the range the response needs).
  std::function<Result<std::string>(uint64_t offset, uint64_t length)> read;
};

/// A regular file with an ETag from its size and modification time; nullopt when it is not one.
std::optional<ByteSource> LocalFileSource(const std::string& path);

struct ServeOptions {
  std::string content_type;
  std::string cache_control;
  bool last_modified = true;  // send Last-Modified when the source has a date
};

/// 200, 206 for one satisfiable `bytes=` range (several ranges or bad syntax: the whole thing), 416 for
/// an unsatisfiable one, 304 when If-None-Match (weak comparison) or, without it, If-Modified-Since
/// matches. A stale If-Range (entity tag or date) means the whole thing. HEAD gets the same headers.
Response ServeBytes(const Request& req, const ByteSource& source, const ServeOptions& options);

/// True when an If-None-Match value lists `etag` (weak comparison, RFC 9110) or is "*".
bool NoneMatchHits(std::string_view header, std::string_view etag);

/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and its parser (nullopt for anything else).
std::string HttpDate(int64_t epoch_s);
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace veza::http
