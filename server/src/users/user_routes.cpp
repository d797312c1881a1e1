#include "users/user_routes.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "users/profile_media.h"

namespace veza::users {

namespace {

namespace bj = json::bj;

http::Response Fail(const Error& e, const http::Request& req) { return http::Response::FromError(e, req.request_id); }

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated, "Sign in to do this.", "unauthenticated");
}

// A versioned URL: a new upload changes it, so clients and caches may keep each version forever.
bj::value ImageUrl(const User& u, ImageKind kind) {
  std::string url = ProfileMediaService::ImageUrl(u, kind);
  return url.empty() ? bj::value(nullptr) : bj::value(url);
}

bj::object Encode(const User& u, Visibility v) {
  bj::object o;
  o["id"] = IdToString(u.id);
  o["username"] = u.username;
  o["display_name"] = u.display_name;
  o["avatar_url"] = ImageUrl(u, ImageKind::kAvatar);
  o["banner_url"] = ImageUrl(u, ImageKind::kBanner);
  o["is_private"] = u.is_private;
  if (v == Visibility::kLimited) return o;
  o["bio"] = u.bio;
  o["location"] = u.location;
  o["website"] = u.website;
  bj::array links;
  for (const auto& l : u.social_links) links.push_back(bj::object{{"platform", l.platform}, {"url", l.url}});
  o["social_links"] = std::move(links);
  o["role"] = u.role;
  o["created_at"] = FormatRfc3339(u.created_at);
  if (v != Visibility::kSelf) return o;
  o["email"] = u.email;
  o["email_verified"] = u.email_verified;
  o["language"] = u.language;
  o["status"] = u.status;
  o["updated_at"] = FormatRfc3339(u.updated_at);
  return o;
}

http::Response Ok(const User& u, Visibility v) { return http::Response::Json(200, json::Serialize(Encode(u, v))); }

Result<ProfileUpdate> ParseUpdate(const std::string& body) {
  VEZA_ASSIGN_OR_RETURN(bj::object obj, json::ParseObject(body));
  json::ObjectReader r(obj);
  ProfileUpdate up;
  // Lengths are the service's rules; the reader only caps absurd input.
  up.display_name = r.OptionalString("display_name", {.max_len = 10'000});
  up.bio = r.OptionalString("bio", {.max_len = 100'000, .trim = false});
  up.location = r.OptionalString("location", {.max_len = 10'000});
  up.website = r.OptionalString("website", {.max_len = 10'000});
  up.is_private = r.OptionalBool("is_private");
  up.language = r.OptionalString("language", {.max_len = 10});
  if (const bj::array* links = r.OptionalArray("social_links")) {
    std::vector<SocialLink> out;
    for (size_t i = 0; i < links->size() && i < 100; ++i) {
      const auto& item = (*links)[i];
      std::string key = "social_links[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        r.Fail(key, "must be an object {platform, url}");
        continue;
      }
      json::ObjectReader lr(item.as_object());
      SocialLink l{lr.RequiredString("platform", {.min_len = 1, .max_len = 50}),
                   lr.RequiredString("url", {.min_len = 1, .max_len = 10'000})};
      if (Status s = lr.Finish(); !s.ok()) {
        for (const auto& [f, m] : s.error().fields) r.Fail(key + "." + f, m);
        continue;
      }
      out.push_back(std::move(l));
    }
    if (links->size() > 100) r.Fail("social_links", "must have at most 10 links");
    up.social_links = std::move(out);
  }
  for (const auto& [key, value] : obj) {
    static const std::vector<std::string_view> kKnown = {"display_name", "bio", "location", "website",
                                                         "social_links", "is_private", "language"};
    if (std::find(kKnown.begin(), kKnown.end(), std::string_view(key)) == kKnown.end()) {
      r.Fail(key, "is not a profile field that can be changed here");
    }
  }
  VEZA_TRY(r.Finish());
  return up;
}

}  // namespace

std::string EncodeUserJson(const User& user, Visibility visibility) {
  return json::Serialize(Encode(user, visibility));
}

void RegisterUserRoutes(http::Router& router, UserService& service) {
  router.Get("/api/v1/users/me", [&service](http::Request& req) {
    if (!req.principal) return Fail(Unauthenticated(), req);
    auto u = service.Get(req.principal->user_id);
    if (!u.ok()) return Fail(u.error(), req);
    return Ok(*u, Visibility::kSelf);
  });

  router.Patch("/api/v1/users/me", [&service](http::Request& req) {
    if (!req.principal) return Fail(Unauthenticated(), req);
    auto up = ParseUpdate(req.body);
    if (!up.ok()) return Fail(up.error(), req);
    auto u = service.UpdateProfile(req.principal->user_id, *up);
    if (!u.ok()) return Fail(u.error(), req);
    return Ok(*u, Visibility::kSelf);
  }, {.max_body_bytes = 64 * 1024});

  router.Get("/api/v1/users/{username}", [&service](http::Request& req) {
    std::optional<int64_t> viewer;
    if (req.principal) viewer = req.principal->user_id;
    auto view = service.View(req.Param("username"), viewer);
    if (!view.ok()) return Fail(view.error(), req);
    return Ok(view->user, view->visibility);
  });
}

}  // namespace veza::users
