#include "uploads/upload_routes.h"

#include <charconv>
#include <ctime>

#include "core/ids.h"
#include "http/headers.h"

namespace veza::uploads {

namespace {

using http::Request;
using http::Response;

constexpr const char* kBase = "/api/v1/uploads";
constexpr const char* kTusVersion = "1.0.0";
constexpr const char* kExtensions = "creation,creation-with-upload,termination,checksum,expiration";
constexpr const char* kOffsetStream = "application/offset+octet-stream";

std::string HttpDate(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

/// Every tus answer but OPTIONS names the protocol version; errors keep the JSON envelope.
Response Tus(Response r) {
  r.headers.Set("Tus-Resumable", kTusVersion);
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

/// The envelope with the statuses tus defines beyond our ErrorCode set (410, 460).
Response Fail(const Error& e, const Request& req) {
  Response r = Response::FromError(e, req.request_id);
  if (e.slug == kUploadExpired) r.status = 410;
  if (e.slug == kChecksumMismatch) r.status = 460;
  return Tus(std::move(r));
}

std::optional<int64_t> ParseCount(std::optional<std::string_view> text) {
  if (!text || text->empty()) return std::nullopt;
  int64_t v = -1;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 0) return std::nullopt;
  return v;
}

/// 412 unless the client speaks our version; nullopt when it does.
std::optional<Response> CheckVersion(const Request& req) {
  auto v = req.Header("Tus-Resumable");
  if (v && *v == kTusVersion) return std::nullopt;
  Response r = Response::FromError(
      MakeError(ErrorCode::kBadRequest, "Send Tus-Resumable: 1.0.0; it is the only version served.",
                "unsupported_tus_version"),
      req.request_id);
  r.status = 412;
  r.headers.Set("Tus-Version", kTusVersion);
  return Tus(std::move(r));
}

Result<int64_t> UserOf(const Request& req) {
  if (!req.principal) return MakeError(ErrorCode::kUnauthenticated, "Sign in first.", "unauthenticated");
  return req.principal->user_id;
}

Result<int64_t> UploadId(const Request& req) {
  auto id = ParseId(req.Param("id"));
  if (!id) return MakeError(ErrorCode::kNotFound, "No such upload.", "upload_not_found");
  return *id;
}

bool IsOffsetStream(const Request& req) {
  auto ct = req.Header("Content-Type");
  if (!ct) return false;
  std::string_view type = ct->substr(0, ct->find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return http::IEquals(type, kOffsetStream);
}

void SetState(Response& r, const Upload& u) {
  r.headers.Set("Upload-Offset", std::to_string(u.offset));
  r.headers.Set("Upload-Expires", HttpDate(u.expires_ms));
}

Result<Chunk> ChunkOf(const Request& req) {
  Chunk chunk{.path = req.body_size > 0 ? req.body_file : std::string(),
              .size = static_cast<int64_t>(req.body_size),
              .sha256 = std::nullopt};
  if (auto header = req.Header("Upload-Checksum")) {
    VEZA_ASSIGN_OR_RETURN(std::string digest, ParseChecksum(*header));
    chunk.sha256 = std::move(digest);
  }
  return chunk;
}

Response Options(const UploadService& service) {
  Response r = Response::Empty(204);
  r.headers.Set("Tus-Resumable", kTusVersion);
  r.headers.Set("Tus-Version", kTusVersion);
  r.headers.Set("Tus-Extension", kExtensions);
  r.headers.Set("Tus-Max-Size", std::to_string(service.options().max_bytes));
  r.headers.Set("Tus-Checksum-Algorithm", "sha256");
  return r;
}

Response Create(UploadService& service, Request& req) {
  if (auto refused = CheckVersion(req)) return std::move(*refused);
  auto user = UserOf(req);
  if (!user.ok()) return Fail(user.error(), req);
  if (req.Header("Upload-Defer-Length")) {
    return Fail(
        BadRequest("Upload-Defer-Length is not supported; send Upload-Length.", "invalid_upload_length"),
        req);
  }
  auto length = ParseCount(req.Header("Upload-Length"));
  if (!length) {
    return Fail(BadRequest("Upload-Length must be a non-negative integer.", "invalid_upload_length"), req);
  }
  const bool with_data = req.body_size > 0;
  if (with_data && !IsOffsetStream(req)) {
    return Fail(MakeError(ErrorCode::kUnsupportedMediaType,
                          std::string("Data sent with the creation request must be ") + kOffsetStream + ".",
                          "unsupported_media_type"),
                req);
  }
  Result<Chunk> chunk = Chunk{};
  if (with_data) chunk = ChunkOf(req);
  if (!chunk.ok()) return Fail(chunk.error(), req);
  auto upload = service.Create(*user, *length, std::string(req.Header("Upload-Metadata").value_or("")));
  if (!upload.ok()) return Fail(upload.error(), req);
  const std::string location = std::string(kBase) + "/" + IdToString(upload->id);
  if (with_data) {
    auto appended = service.Append(*user, upload->id, 0, *chunk);
    if (!appended.ok()) {
      Response r = Fail(appended.error(), req);
      r.headers.Set("Location", location);
      return r;
    }
    upload = std::move(appended);
  }
  Response r = Tus(Response::Empty(201));
  r.headers.Set("Location", location);
  SetState(r, *upload);
  return r;
}

Response Head(UploadService& service, Request& req) {
  if (auto refused = CheckVersion(req)) return std::move(*refused);
  auto user = UserOf(req);
  if (!user.ok()) return Fail(user.error(), req);
  auto id = UploadId(req);
  if (!id.ok()) return Fail(id.error(), req);
  auto upload = service.Get(*user, *id);
  if (!upload.ok()) return Fail(upload.error(), req);
  Response r = Tus(Response::Empty(200));
  SetState(r, *upload);
  r.headers.Set("Upload-Length", std::to_string(upload->length));
  if (!upload->metadata.empty()) r.headers.Set("Upload-Metadata", upload->metadata);
  return r;
}

Response Patch(UploadService& service, Request& req) {
  if (auto refused = CheckVersion(req)) return std::move(*refused);
  auto user = UserOf(req);
  if (!user.ok()) return Fail(user.error(), req);
  if (!IsOffsetStream(req)) {
    return Fail(
        MakeError(ErrorCode::kUnsupportedMediaType,
                  std::string("PATCH bodies must be ") + kOffsetStream + ".", "unsupported_media_type"),
        req);
  }
  auto id = UploadId(req);
  if (!id.ok()) return Fail(id.error(), req);
  auto offset = ParseCount(req.Header("Upload-Offset"));
  if (!offset)
    return Fail(BadRequest("Upload-Offset must be a non-negative integer.", "invalid_upload_offset"), req);
  auto chunk = ChunkOf(req);
  if (!chunk.ok()) return Fail(chunk.error(), req);
  auto upload = service.Append(*user, *id, *offset, *chunk);
  if (!upload.ok()) return Fail(upload.error(), req);
  Response r = Tus(Response::Empty(204));
  SetState(r, *upload);
  return r;
}

Response Terminate(UploadService& service, Request& req) {
  if (auto refused = CheckVersion(req)) return std::move(*refused);
  auto user = UserOf(req);
  if (!user.ok()) return Fail(user.error(), req);
  auto id = UploadId(req);
  if (!id.ok()) return Fail(id.error(), req);
  if (Status s = service.Terminate(*user, *id); !s.ok()) return Fail(s.error(), req);
  return Tus(Response::Empty(204));
}

}  // namespace

void RegisterUploadRoutes(http::Router& router, UploadService& service) {
  const std::string base = kBase;
  const std::string one = base + "/{id}";
  // Bodies are spooled to disk by the transport, never held in memory; the cap is the track upload cap.
  const http::RouteOptions streamed{.max_body_bytes = static_cast<size_t>(service.options().max_bytes),
                                    .body_to_file = true,
                                    .rate_class = "upload"};
  router.Add("OPTIONS", base, [&service](Request&) { return Options(service); });
  router.Add("OPTIONS", one, [&service](Request&) { return Options(service); });
  router.Post(
      base, [&service](Request& req) { return Create(service, req); }, streamed);
  router.Add("HEAD", one, [&service](Request& req) { return Head(service, req); });
  // Chunks come in quick succession: they use the default rate class, only creation counts as an upload.
  router.Patch(one, [&service](Request& req) { return Patch(service, req); },
               {.max_body_bytes = streamed.max_body_bytes, .body_to_file = true});
  router.Delete(one, [&service](Request& req) { return Terminate(service, req); });
}

}  // namespace veza::uploads
