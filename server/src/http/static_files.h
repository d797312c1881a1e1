#pragma once
/// Static file delivery (web client, media files): Range, ETag, Last-Modified, precompressed
/// siblings, cache policy for hashed assets and an SPA fallback. Boost-free; the response carries a
/// FileBody the transport sends with sendfile, so no file is read into memory.
///
/// Register as `router.Get("/{path...}", [&](Request& r) { return files.Serve(r); }, {.io_thread = true})`.

#include <string>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace veza::http {

struct StaticFilesOptions {
  std::string root;                    // directory served as "/"
  std::string index = "index.html";    // served for directories and the SPA fallback
  bool spa_fallback = true;            // extension-less paths that do not exist serve the index
  std::vector<std::string> excluded_prefixes = {"/api/", "/metrics", "/health"};  // always 404 here
};

class StaticFiles {
 public:
  /// Throws std::runtime_error when the root directory does not exist.
  explicit StaticFiles(StaticFilesOptions options);

  /// Answers GET/HEAD for req.path (already percent-decoded). Never reads the file.
  Response Serve(const Request& req) const;

  /// Content-Type for a file name by extension ("application/octet-stream" when unknown).
  static std::string_view ContentTypeFor(std::string_view file_name);

 private:
  StaticFilesOptions options_;
  std::string root_real_;  // realpath of the root, for the containment check
};

}  // namespace veza::http
