#pragma once
/// Streaming multipart/form-data (RFC 7578) parser. Text fields are kept in memory up to a cap; file
/// parts are written straight to their own files, so a 2 GiB upload never sits in memory.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::tracks {

struct MultipartLimits {
  size_t max_field_bytes = 64 * 1024;  // per text field
  size_t max_fields = 64;
  size_t max_files = 1;
  size_t max_part_header_bytes = 8 * 1024;
};

struct MultipartFile {
  std::string field_name;
  std::string file_name;     // as the client sent it (may be empty)
  std::string content_type;  // as the client sent it (not trusted)
  std::string path;          // where the bytes are
  uint64_t size = 0;
};

struct MultipartForm {
  std::multimap<std::string, std::string> fields;
  std::vector<MultipartFile> files;  // in order of appearance
  /// First value of a text field.
  const std::string* Field(std::string_view name) const;
  /// Every value of a text field, in order.
  std::vector<std::string> All(std::string_view name) const;
};

/// The boundary parameter of a multipart/form-data Content-Type; 415 for another type, 400 without boundary.
Result<std::string> MultipartBoundary(std::string_view content_type);

/// Incremental parser: feed any chunking of the body, then Finish. Parts named in `file_fields` go to
/// files created in `out_dir` (removed again by the caller, e.g. with the form's paths).
class MultipartParser {
 public:
  MultipartParser(std::string boundary, std::string out_dir, std::vector<std::string> file_fields,
                  MultipartLimits limits = {});
  ~MultipartParser();
  MultipartParser(const MultipartParser&) = delete;
  MultipartParser& operator=(const MultipartParser&) = delete;

  Status Feed(std::string_view chunk);
  /// The form once the closing boundary was seen; 400 if the body ended early.
  Result<MultipartForm> Finish();
  /// Files created so far (for cleanup when parsing fails).
  const MultipartForm& partial() const { return form_; }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kDone };
  Status Step(bool& progressed);
  Status StartPart(std::string_view headers);
  Status EmitBody(std::string_view bytes);
  Status EndPart();

  std::string delimiter_;  // "\r\n--" + boundary
  std::string out_dir_;
  std::vector<std::string> file_fields_;
  MultipartLimits limits_;
  State state_ = State::kPreamble;
  std::string buf_;
  size_t pos_ = 0;  // consumed prefix of buf_
  MultipartForm form_;
  std::string part_name_;
  bool part_is_file_ = false;
  std::string field_value_;
  int fd_ = -1;
};

/// Parses a spooled body file chunk by chunk (`chunk_bytes` at a time).
Result<MultipartForm> ParseMultipartFile(const std::string& body_path, std::string_view boundary,
                                         const std::string& out_dir, std::vector<std::string> file_fields,
                                         MultipartLimits limits = {}, size_t chunk_bytes = 256 * 1024);

/// Removes the files of a form (or of a partial parse).
void RemoveFiles(const MultipartForm& form);

}  // namespace veza::tracks
