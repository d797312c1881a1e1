#include "http/byte_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace veza::http {

namespace {

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

struct Span {
  uint64_t start = 0;
  uint64_t length = 0;
};

enum class RangeKind { kNone, kSatisfiable, kUnsatisfiable };

/// One `bytes=` range; several ranges or bad syntax are ignored (the whole thing is served).
RangeKind ParseRange(std::string_view header, uint64_t size, Span& out) {
  header = Trim(header);
  if (!header.starts_with("bytes=")) return RangeKind::kNone;
  std::string_view spec = Trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeKind::kNone;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeKind::kNone;
  std::string_view first = Trim(spec.substr(0, dash));
  std::string_view last = Trim(spec.substr(dash + 1));
  if (first.empty()) {
    auto suffix = ParseU64(last);
    if (!suffix) return RangeKind::kNone;
    if (*suffix == 0 || size == 0) return RangeKind::kUnsatisfiable;
    uint64_t n = std::min(*suffix, size);
    out = {size - n, n};
    return RangeKind::kSatisfiable;
  }
  auto start = ParseU64(first);
  if (!start) return RangeKind::kNone;
  uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    auto e = ParseU64(last);
    if (!e || *e < *start) return RangeKind::kNone;
    end = std::min(*e, end);
  }
  if (*start >= size) return RangeKind::kUnsatisfiable;
  out = {*start, end - *start + 1};
  return RangeKind::kSatisfiable;
}

bool NotModified(const Request& req, const ByteSource& source) {
  if (auto inm = req.Header("If-None-Match")) return NoneMatchHits(*inm, source.etag);
  if (auto ims = req.Header("If-Modified-Since"); ims && source.modified_s) {
    auto since = ParseHttpDate(*ims);
    return since && *source.modified_s <= *since;
  }
  return false;
}

/// If-Range with a stale validator (or a weak one) means "send the whole thing".
bool IfRangeFresh(const Request& req, const ByteSource& source) {
  auto if_range = req.Header("If-Range");
  if (!if_range) return true;
  std::string_view v = Trim(*if_range);
  if (v.starts_with("\"")) return v == source.etag;
  auto date = ParseHttpDate(v);
  return date && source.modified_s && *date == *source.modified_s;
}

Status Fill(Response& resp, const ByteSource& source, uint64_t start, uint64_t length) {
  if (!source.file_path.empty()) {
    resp.file = FileBody{source.file_path, start, length};
    return Ok();
  }
  if (length == 0) return Ok();
  VEZA_ASSIGN_OR_RETURN(resp.body, source.read(start, length));
  if (resp.body.size() != length) return Internal("the object changed while it was read");
  return Ok();
}

}  // namespace

bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

std::string HttpDate(int64_t epoch_s) {
  time_t t = static_cast<time_t>(epoch_s);
  struct tm tm;
  gmtime_r(&t, &tm);
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  struct tm tm = {};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<ByteSource> LocalFileSource(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  ByteSource source;
  source.size = static_cast<uint64_t>(st.st_size);
  source.modified_s = st.st_mtim.tv_sec;
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(source.size),
                static_cast<unsigned long long>(mtime_ns));
  source.etag = buf;
  source.file_path = path;
  return source;
}

Response ServeBytes(const Request& req, const ByteSource& source, const ServeOptions& options) {
  Response resp;
  resp.headers.Set("Content-Type", options.content_type);
  if (!source.etag.empty()) resp.headers.Set("ETag", source.etag);
  if (options.last_modified && source.modified_s)
    resp.headers.Set("Last-Modified", HttpDate(*source.modified_s));
  resp.headers.Set("Accept-Ranges", "bytes");
  if (!options.cache_control.empty()) resp.headers.Set("Cache-Control", options.cache_control);
  if (NotModified(req, source)) {
    resp.status = 304;
    return resp;
  }

  Span span;
  auto range_header = req.Header("Range");
  RangeKind kind = range_header ? ParseRange(*range_header, source.size, span) : RangeKind::kNone;
  if (kind != RangeKind::kNone && !IfRangeFresh(req, source)) kind = RangeKind::kNone;
  if (kind == RangeKind::kUnsatisfiable) {
    Response r = Response::Text(416, "Range Not Satisfiable\n");
    r.headers.Set("Content-Range", "bytes */" + std::to_string(source.size));
    r.headers.Set("Accept-Ranges", "bytes");
    return r;
  }
  if (kind == RangeKind::kNone) span = {0, source.size};
  Status filled = Fill(resp, source, span.start, span.length);
  if (!filled.ok()) return Response::FromError(filled.error(), req.request_id);
  if (kind == RangeKind::kSatisfiable) {
    resp.status = 206;
    resp.headers.Set("Content-Range", "bytes " + std::to_string(span.start) + "-" +
                                          std::to_string(span.start + span.length - 1) + "/" +
                                          std::to_string(source.size));
  } else {
    resp.status = 200;
  }
  return resp;
}

}  // namespace veza::http
