#include "auth/totp_routes.h"

#include "auth/route_helpers.h"
#include "core/json.h"

namespace veza::auth {

namespace {

namespace bj = json::bj;
using http::Request;
using http::Response;
using internal::Fail;

Result<bj::object> Body(const Request& req) {
  return json::ParseObject(req.body.empty() ? "{}" : req.body);
}

Response NoStore(Response r) {
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace

void RegisterTotpRoutes(http::Router& router, TotpService& service) {
  const http::RouteOptions auth_class{.max_body_bytes = 16 * 1024, .rate_class = "auth"};

  router.Get("/api/v1/auth/2fa", [&service](Request& req) {
    if (!req.principal) return Fail(internal::Unauthenticated(), req);
    auto st = service.GetStatus(req.principal->user_id);
    if (!st.ok()) return Fail(st.error(), req);
    bj::object o{
        {"enabled", st->enabled}, {"pending", st->pending}, {"recovery_codes_left", st->recovery_codes_left}};
    return Response::Json(200, json::Serialize(o));
  });

  router.Post(
      "/api/v1/auth/2fa/setup",
      [&service](Request& req) {
        if (!req.principal) return Fail(internal::Unauthenticated(), req);
        auto setup = service.Setup(req.principal->user_id);
        if (!setup.ok()) return Fail(setup.error(), req);
        bj::object o{
            {"secret", setup->secret}, {"otpauth_uri", setup->otpauth_uri}, {"qr_svg", setup->qr_svg}};
        return NoStore(Response::Json(200, json::Serialize(o)));
      },
      auth_class);

  router.Post(
      "/api/v1/auth/2fa/enable",
      [&service](Request& req) {
        if (!req.principal) return Fail(internal::Unauthenticated(), req);
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error(), req);
        json::ObjectReader r(*body);
        std::string code = r.RequiredString("code", {.min_len = 1, .max_len = 16});
        if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
        auto codes = service.Enable(req.principal->user_id, code);
        if (!codes.ok()) return Fail(codes.error(), req);
        bj::array items;
        for (const auto& c : *codes) items.push_back(bj::value(c));
        return NoStore(
            Response::Json(200, json::Serialize(bj::object{{"recovery_codes", std::move(items)}})));
      },
      auth_class);

  router.Post(
      "/api/v1/auth/2fa/disable",
      [&service](Request& req) {
        if (!req.principal) return Fail(internal::Unauthenticated(), req);
        auto body = Body(req);
        if (!body.ok()) return Fail(body.error(), req);
        json::ObjectReader r(*body);
        std::string password = r.OptionalString("password", {.max_len = 1024, .trim = false}).value_or("");
        std::string code = r.RequiredString("code", {.min_len = 1, .max_len = 64});
        if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
        if (Status s = service.Disable(req.principal->user_id, password, code, req.principal->session_id); !s.ok())
          return Fail(s.error(), req);
        return Response::Empty(204);
      },
      auth_class);
}

}  // namespace veza::auth
