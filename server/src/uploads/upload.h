#pragma once
/// A resumable upload in progress (tus 1.0.0): plain data, std only.

#include <cstdint>
#include <string>

namespace veza::uploads {

struct Upload {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t length = 0;     // Upload-Length: the total the client announced
  int64_t offset = 0;     // bytes received, written and acknowledged
  std::string metadata;   // Upload-Metadata as received, echoed on HEAD
  std::string file_name;  // decoded `filename` metadata
  std::string file_type;  // decoded `filetype` metadata (a hint only; content is probed)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t expires_ms = 0;

  bool Complete() const { return offset == length; }
};

}  // namespace veza::uploads
