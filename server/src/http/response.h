#pragma once
/// A response as handlers produce it: status, headers, and a body in memory or a file region.

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "http/headers.h"

namespace veza::http {

/// A region of a file the transport sends with sendfile from an I/O thread.
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<FileBody> file;  // when set, `body` is ignored

  static Response Json(int status, std::string json_body);
  static Response Text(int status, std::string text, std::string content_type = "text/plain; charset=utf-8");
  static Response Empty(int status);
  /// The error envelope of DESIGN.md §5 with the status the error code maps to.
  static Response FromError(const Error& error, std::string_view request_id);
};

/// The one mapping from error codes to HTTP statuses.
int StatusFor(ErrorCode code);

/// Reason phrase for a status (for logs and the status line).
std::string_view ReasonPhrase(int status);

}  // namespace veza::http
