#include "tracks/multipart.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

namespace veza::tracks {

namespace {

Error Malformed(std::string message) {
  return BadRequest(std::move(message), "invalid_multipart");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Splits `type; a=b; c="d;e"` into parameters (names lowercased), honouring quoted strings.
std::map<std::string, std::string> Params(std::string_view value, std::string* main_value) {
  std::map<std::string, std::string> out;
  size_t i = value.find(';');
  if (main_value) *main_value = std::string(Trim(value.substr(0, i)));
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name(Trim(value.substr(i, eq - i)));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    size_t j = eq + 1;
    std::string v;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        v.push_back(value[j++]);
      }
      i = value.find(';', j);
    } else {
      size_t end = value.find(';', j);
      v = std::string(
          Trim(value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j)));
      i = end;
    }
    out[name] = std::move(v);
  }
  return out;
}

/// RFC 5987 ext-value: UTF-8''percent-encoded.
std::optional<std::string> DecodeExtValue(std::string_view v) {
  size_t q = v.find("''");
  if (q == std::string_view::npos || !IEq(v.substr(0, q), "utf-8")) return std::nullopt;
  std::string out;
  for (size_t i = q + 2; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

const std::string* MultipartForm::Field(std::string_view name) const {
  auto it = fields.find(std::string(name));
  return it == fields.end() ? nullptr : &it->second;
}

std::vector<std::string> MultipartForm::All(std::string_view name) const {
  std::vector<std::string> out;
  auto [b, e] = fields.equal_range(std::string(name));
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

Result<std::string> MultipartBoundary(std::string_view content_type) {
  std::string type;
  auto params = Params(content_type, &type);
  if (!IEq(type, "multipart/form-data")) {
    return MakeError(ErrorCode::kUnsupportedMediaType, "Send the upload as multipart/form-data.",
                     "unsupported_content_type");
  }
  auto it = params.find("boundary");
  if (it == params.end() || it->second.empty() || it->second.size() > 70) {
    return Malformed("The multipart Content-Type has no valid boundary.");
  }
  return it->second;
}

MultipartParser::MultipartParser(std::string boundary, std::string out_dir,
                                 std::vector<std::string> file_fields, MultipartLimits limits)
    : delimiter_("\r\n--" + boundary),
      out_dir_(std::move(out_dir)),
      file_fields_(std::move(file_fields)),
      limits_(limits) {}

MultipartParser::~MultipartParser() {
  if (fd_ >= 0) ::close(fd_);
}

Status MultipartParser::Feed(std::string_view chunk) {
  if (state_ == State::kDone) return Ok();  // the epilogue is ignored
  buf_.append(chunk);
  bool progressed = true;
  while (progressed && state_ != State::kDone) {
    progressed = false;
    VEZA_TRY(Step(progressed));
  }
  // Drop what was consumed so the buffer only holds a possible partial delimiter or header block.
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return Ok();
}

Status MultipartParser::Step(bool& progressed) {
  std::string_view data(buf_);
  data.remove_prefix(pos_);
  switch (state_) {
    case State::kPreamble: {
      // The first delimiter may open the body without the CRLF that precedes the others.
      std::string_view first = std::string_view(delimiter_).substr(2);
      size_t at = data.find(first);
      if (at == std::string_view::npos) {
        if (data.size() >= first.size()) pos_ += data.size() - (first.size() - 1);
        if (pos_ > 64 * 1024) return Malformed("No multipart boundary found where the body starts.");
        return Ok();
      }
      pos_ += at + first.size();
      state_ = State::kAfterBoundary;
      progressed = true;
      return Ok();
    }
    case State::kAfterBoundary: {
      // Transport padding (spaces, tabs) may follow a delimiter.
      size_t i = 0;
      while (i < data.size() && (data[i] == ' ' || data[i] == '\t')) ++i;
      if (data.size() < i + 2) return Ok();
      if (data.substr(i, 2) == "--") {
        pos_ += i + 2;
        state_ = State::kDone;
      } else if (data.substr(i, 2) == "\r\n") {
        pos_ += i + 2;
        state_ = State::kHeaders;
      } else {
        return Malformed("Malformed multipart boundary line.");
      }
      progressed = true;
      return Ok();
    }
    case State::kHeaders: {
      std::string_view headers;
      if (data.starts_with("\r\n")) {
        pos_ += 2;
      } else {
        size_t end = data.find("\r\n\r\n");
        if (end == std::string_view::npos) {
          if (data.size() > limits_.max_part_header_bytes)
            return Malformed("A multipart part header is too large.");
          return Ok();
        }
        headers = data.substr(0, end);
        pos_ += end + 4;
      }
      VEZA_TRY(StartPart(headers));
      state_ = State::kBody;
      progressed = true;
      return Ok();
    }
    case State::kBody: {
      size_t at = data.find(delimiter_);
      if (at == std::string_view::npos) {
        // Keep a tail that could be the start of the delimiter.
        if (data.size() >= delimiter_.size()) {
          size_t emit = data.size() - (delimiter_.size() - 1);
          VEZA_TRY(EmitBody(data.substr(0, emit)));
          pos_ += emit;
        }
        return Ok();
      }
      VEZA_TRY(EmitBody(data.substr(0, at)));
      VEZA_TRY(EndPart());
      pos_ += at + delimiter_.size();
      state_ = State::kAfterBoundary;
      progressed = true;
      return Ok();
    }
    case State::kDone:
      return Ok();
  }
  return Ok();
}

Status MultipartParser::StartPart(std::string_view headers) {
  std::string name;
  std::string file_name;
  std::string content_type;
  bool has_disposition = false;
  while (!headers.empty()) {
    size_t eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Malformed("Malformed multipart part header.");
    std::string_view key = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (IEq(key, "Content-Disposition")) {
      std::string kind;
      auto params = Params(value, &kind);
      if (!IEq(kind, "form-data")) return Malformed("Multipart parts must be form-data.");
      has_disposition = true;
      name = params["name"];
      if (auto it = params.find("filename*"); it != params.end()) {
        if (auto decoded = DecodeExtValue(it->second)) file_name = *decoded;
      }
      if (file_name.empty()) file_name = params["filename"];
    } else if (IEq(key, "Content-Type")) {
      content_type = std::string(value);
    }
  }
  if (!has_disposition || name.empty()) return Malformed("A multipart part has no name.");
  part_name_ = name;
  part_is_file_ = std::find(file_fields_.begin(), file_fields_.end(), name) != file_fields_.end();
  field_value_.clear();
  if (!part_is_file_) {
    if (form_.fields.size() >= limits_.max_fields) return Malformed("Too many form fields.");
    return Ok();
  }
  if (form_.files.size() >= limits_.max_files) return Malformed("Too many files in one upload.");
  std::string path = out_dir_ + "/veza-part-XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0) return Internal(std::string("cannot create multipart part file: ") + std::strerror(errno));
  form_.files.push_back({name, file_name, content_type, path, 0});
  return Ok();
}

Status MultipartParser::EmitBody(std::string_view bytes) {
  if (bytes.empty()) return Ok();
  if (part_is_file_) {
    if (!WriteAll(fd_, bytes))
      return Internal(std::string("cannot write multipart part: ") + std::strerror(errno));
    form_.files.back().size += bytes.size();
    return Ok();
  }
  if (field_value_.size() + bytes.size() > limits_.max_field_bytes) {
    Error e =
        MakeError(ErrorCode::kPayloadTooLarge, "A form field is larger than 64 KiB.", "field_too_large");
    e.fields = {{part_name_, "At most 64 KiB."}};
    return e;
  }
  field_value_.append(bytes);
  return Ok();
}

Status MultipartParser::EndPart() {
  if (part_is_file_) {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Internal("closing multipart part file failed");
  } else {
    form_.fields.emplace(part_name_, std::move(field_value_));
    field_value_.clear();
  }
  return Ok();
}

Result<MultipartForm> MultipartParser::Finish() {
  if (state_ != State::kDone) return Malformed("The multipart body ended before its closing boundary.");
  return std::move(form_);
}

Result<MultipartForm> ParseMultipartFile(const std::string& body_path, std::string_view boundary,
                                         const std::string& out_dir, std::vector<std::string> file_fields,
                                         MultipartLimits limits, size_t chunk_bytes) {
  int fd = ::open(body_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open the spooled body: " + std::string(std::strerror(errno)));
  MultipartParser parser(std::string(boundary), out_dir, std::move(file_fields), limits);
  std::string chunk(std::max<size_t>(chunk_bytes, 1), '\0');
  Status status = Ok();
  while (status.ok()) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Internal("reading the spooled body failed");
      break;
    }
    if (n == 0) break;
    status = parser.Feed(std::string_view(chunk.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  Result<MultipartForm> form =
      status.ok() ? parser.Finish() : Result<MultipartForm>(std::move(status).error());
  if (!form.ok()) RemoveFiles(parser.partial());
  return form;
}

void RemoveFiles(const MultipartForm& form) {
  for (const auto& f : form.files) ::unlink(f.path.c_str());
}

}  // namespace veza::tracks
