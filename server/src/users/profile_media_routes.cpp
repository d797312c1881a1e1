#include "users/profile_media_routes.h"

#include <cctype>
#include <string>

#include "users/user_routes.h"

namespace veza::users {

namespace {

http::Response Fail(const Error& e, const http::Request& req) {
  return http::Response::FromError(e, req.request_id);
}

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated, "Sign in to do this.", "unauthenticated");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The body is the image itself; its bytes decide the format, the header only has to say it is one.
Status CheckContentType(const http::Request& req) {
  std::string type = Lower(req.Header("Content-Type").value_or(""));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type.rfind("image/", 0) == 0 || type == "application/octet-stream") return Ok();
  Error e =
      MakeError(ErrorCode::kUnsupportedMediaType,
                "Send the image file itself as the request body, with Content-Type image/jpeg, image/png or "
                "image/webp.",
                "unsupported_media_type");
  e.fields["Content-Type"] = type.empty() ? "is missing" : "is " + type + "; an image/* type is expected";
  return e;
}

// RFC 9110 weak comparison over the listed entity tags, or "*".
bool NoneMatch(const http::Request& req, const std::string& etag) {
  auto header = req.Header("If-None-Match");
  if (!header) return false;
  std::string_view list = *header;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

http::Response Serve(const http::Request& req, const Result<StoredImage>& found) {
  if (!found.ok()) return Fail(found.error(), req);
  const StoredImage& img = *found;
  // Only a request naming the current version may be cached for good; others revalidate.
  auto v = req.QueryParam("v");
  const bool versioned = v && *v == img.version;
  http::Response resp;
  resp.status = 200;
  resp.headers.Set("ETag", img.etag);
  resp.headers.Set("Cache-Control", versioned ? "public, max-age=31536000, immutable"
                                              : "public, max-age=" + std::to_string(kImageMaxAgeS));
  if (NoneMatch(req, img.etag)) {
    resp.status = 304;
    return resp;
  }
  resp.headers.Set("Content-Type", img.content_type);
  if (img.local_path) {
    resp.file = http::FileBody{.path = *img.local_path, .offset = 0, .length = img.size};
  } else {
    resp.body = img.bytes;
  }
  return resp;
}

void RegisterKind(http::Router& router, ProfileMediaService& service, ImageKind kind) {
  const std::string name(ImageKindName(kind));

  router.Put("/api/v1/users/me/" + name,
             [&service, kind](http::Request& req) {
               if (!req.principal) return Fail(Unauthenticated(), req);
               if (Status s = CheckContentType(req); !s.ok()) return Fail(s.error(), req);
               if (req.body_file.empty() || req.body_size == 0) {
                 Error e = MakeError(ErrorCode::kValidation, "The image is empty.", "image_empty");
                 e.fields["file"] = "is empty";
                 return Fail(e, req);
               }
               auto user = service.Replace(req.principal->user_id, kind, req.body_file);
               if (!user.ok()) return Fail(user.error(), req);
               return http::Response::Json(200, EncodeUserJson(*user, Visibility::kSelf));
             },
             {.max_body_bytes = kMaxImageUploadBytes, .body_to_file = true, .rate_class = "upload"});

  router.Delete("/api/v1/users/me/" + name, [&service, kind](http::Request& req) {
    if (!req.principal) return Fail(Unauthenticated(), req);
    auto user = service.Remove(req.principal->user_id, kind);
    if (!user.ok()) return Fail(user.error(), req);
    return http::Response::Empty(204);
  });

  router.Get("/api/v1/users/me/" + name, [&service, kind](http::Request& req) {
    if (!req.principal) return Fail(Unauthenticated(), req);
    return Serve(req, service.FindOwn(req.principal->user_id, kind, req.QueryParam("size").value_or("")));
  });

  router.Get("/api/v1/users/{username}/" + name, [&service, kind](http::Request& req) {
    return Serve(req, service.Find(req.Param("username"), kind, req.QueryParam("size").value_or("")));
  });
}

}  // namespace

void RegisterProfileMediaRoutes(http::Router& router, ProfileMediaService& service) {
  RegisterKind(router, service, ImageKind::kAvatar);
  RegisterKind(router, service, ImageKind::kBanner);
}

}  // namespace veza::users
