#include "users/profile_media_routes.h"

#include <string>

#include "http/byte_source.h"
#include "images/renditions.h"
#include "users/user_routes.h"

namespace veza::users {

namespace {

http::Response Fail(const Error& e, const http::Request& req) {
  return http::Response::FromError(e, req.request_id);
}

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated, "Sign in to do this.", "unauthenticated");
}

http::Response Serve(const http::Request& req, const Result<StoredImage>& found) {
  if (!found.ok()) return Fail(found.error(), req);
  const StoredImage& img = *found;
  // Only a request naming the current version may be cached for good; others revalidate.
  auto v = req.QueryParam("v");
  const bool versioned = v && *v == img.version;
  http::ByteSource source{.size = img.size, .etag = img.etag};
  if (img.local_path) {
    source.file_path = *img.local_path;
  } else {
    source.read = [&img](uint64_t offset, uint64_t length) -> Result<std::string> {
      return img.bytes.substr(offset, length);
    };
  }
  return http::ServeBytes(req, source,
                          {.content_type = img.content_type,
                           .cache_control = versioned ? "public, max-age=31536000, immutable"
                                                      : "public, max-age=" + std::to_string(kImageMaxAgeS)});
}

void RegisterKind(http::Router& router, ProfileMediaService& service, ImageKind kind) {
  const std::string name(ImageKindName(kind));

  router.Put("/api/v1/users/me/" + name,
             [&service, kind](http::Request& req) {
               if (!req.principal) return Fail(Unauthenticated(), req);
               if (Status s = images::CheckImageContentType(req.Header("Content-Type").value_or("")); !s.ok())
                 return Fail(s.error(), req);
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
