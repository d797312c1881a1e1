#include "users/account_routes.h"

#include "core/json.h"

namespace veza::users {

namespace {

http::Response Fail(const Error& e, const http::Request& req) {
  return http::Response::FromError(e, req.request_id);
}

Error Unauthenticated() {
  return MakeError(ErrorCode::kUnauthenticated, "Sign in to do this.", "unauthenticated");
}

}  // namespace

void RegisterAccountRoutes(http::Router& router, AccountService& service, UserService& users) {
  router.Get("/api/v1/users/me/export",
             [&service, &users](http::Request& req) {
               if (!req.principal) return Fail(Unauthenticated(), req);
               auto user = users.Get(req.principal->user_id);
               if (!user.ok()) return Fail(user.error(), req);
               auto doc = service.Export(user->id);
               if (!doc.ok()) return Fail(doc.error(), req);
               http::Response resp = http::Response::Json(200, std::move(*doc));
               // Usernames are [a-z0-9_.-], so the file name needs no quoting beyond the quotes.
               resp.headers.Set("Content-Disposition",
                                "attachment; filename=\"veza-" + user->username + "-export.json\"");
               resp.headers.Set("Cache-Control", "no-store");
               return resp;
             },
             {.rate_class = "auth"});

  router.Delete("/api/v1/users/me",
                [&service](http::Request& req) {
                  if (!req.principal) return Fail(Unauthenticated(), req);
                  auto obj = json::ParseObject(req.body);
                  if (!obj.ok()) return Fail(obj.error(), req);
                  json::ObjectReader r(*obj);
                  // Optional: accounts without a password prove a recent sign-in instead.
                  std::string password =
                      r.OptionalString("password", {.max_len = 1024, .trim = false}).value_or("");
                  if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
                  if (Status s = service.Delete(req.principal->user_id, password, req.principal->session_id);
                      !s.ok())
                    return Fail(s.error(), req);
                  return http::Response::Empty(204);
                },
                {.max_body_bytes = 16 * 1024, .rate_class = "auth"});
}

}  // namespace veza::users
