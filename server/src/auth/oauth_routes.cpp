#include "auth/oauth_routes.h"

#include "auth/route_helpers.h"
#include "core/clock.h"
#include "core/json.h"

namespace veza::auth {

namespace {

namespace bj = json::bj;
using http::Request;
using http::Response;
using internal::Fail;

std::string FlowCookie(const std::string& value, int64_t max_age_s, bool secure) {
  // Lax, not Strict: the provider's redirect back to us is a cross-site top-level navigation.
  return std::string(kOAuthFlowCookie) + "=" + value +
         "; Path=/api/v1/auth/oauth; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

Response Redirect(const std::string& location) {
  Response r = Response::Empty(302);
  r.headers.Set("Location", location);
  r.headers.Set("Cache-Control", "no-store");
  r.headers.Set("Referrer-Policy", "no-referrer");
  return r;
}

bool WantsJson(const Request& req) {
  if (req.QueryParam("mode") == std::optional<std::string>("json")) return true;
  auto accept = req.Header("Accept");
  return accept && accept->find("application/json") != std::string_view::npos;
}

}  // namespace

void RegisterOAuthRoutes(http::Router& router, OAuthService& service, OAuthRouteOptions options) {
  const http::RouteOptions auth_class{.max_body_bytes = 16 * 1024, .rate_class = "auth"};
  const bool secure = options.secure_cookies;
  const int64_t refresh_ttl = options.refresh_ttl_s;

  router.Get("/api/v1/auth/oauth/providers", [&service](Request&) {
    bj::array items;
    for (const auto& p : service.providers()) {
      items.push_back(bj::object{{"name", p.name},
                                 {"display_name", p.display_name},
                                 {"start_url", "/api/v1/auth/oauth/" + p.name + "/start"}});
    }
    return Response::Json(200,
                          json::Serialize(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  router.Get(
      "/api/v1/auth/oauth/{provider}/start",
      [&service, secure](Request& req) {
        std::optional<int64_t> link_user;
        if (req.principal) link_user = req.principal->user_id;
        auto start =
            service.Start(req.Param("provider"), link_user, req.QueryParam("redirect").value_or("/"));
        if (!start.ok()) return Fail(start.error(), req);
        Response r =
            WantsJson(req)
                ? Response::Json(200, json::Serialize(bj::object{{"authorize_url", start->authorize_url}}))
                : Redirect(start->authorize_url);
        r.headers.Set("Cache-Control", "no-store");
        r.headers.Add("Set-Cookie", FlowCookie(start->browser_token, 600, secure));
        return r;
      },
      auth_class);

  router.Get(
      "/api/v1/auth/oauth/{provider}/callback",
      [&service, secure](Request& req) {
        OAuthCallbackInput in;
        in.state = req.QueryParam("state").value_or("");
        in.code = req.QueryParam("code").value_or("");
        in.error = req.QueryParam("error").value_or("");
        in.browser_token = internal::CookieValue(req, kOAuthFlowCookie).value_or("");
        Response r = Redirect(service.Callback(req.Param("provider"), in));
        r.headers.Add("Set-Cookie", FlowCookie("", 0, secure));
        return r;
      },
      auth_class);

  router.Post(
      "/api/v1/auth/oauth/exchange",
      [&service, secure, refresh_ttl](Request& req) {
        auto body = json::ParseObject(req.body.empty() ? "{}" : req.body);
        if (!body.ok()) return Fail(body.error(), req);
        json::ObjectReader r(*body);
        std::string code = r.RequiredString("code", {.min_len = 1, .max_len = 200});
        SecondFactor second;
        second.totp_code = r.OptionalString("totp_code", {.max_len = 16}).value_or("");
        second.recovery_code = r.OptionalString("recovery_code", {.max_len = 64}).value_or("");
        auto mode = r.OptionalString("session", {.max_len = 10});
        if (mode && *mode != "cookie" && *mode != "body") r.Fail("session", "must be \"cookie\" or \"body\"");
        if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
        auto signin = service.Exchange(code, second, internal::ClientOf(req));
        if (!signin.ok()) return Fail(signin.error(), req);
        return internal::TokensResponse(200, signin->tokens, &signin->user,
                                        mode == std::optional<std::string>("cookie"), refresh_ttl, secure);
      },
      auth_class);

  router.Get("/api/v1/users/me/connections", [&service](Request& req) {
    if (!req.principal) return Fail(internal::Unauthenticated(), req);
    auto list = service.ListConnections(req.principal->user_id);
    if (!list.ok()) return Fail(list.error(), req);
    bj::array items;
    for (const auto& c : *list) {
      items.push_back(bj::object{{"provider", c.provider},
                                 {"provider_display_name", c.provider_display_name},
                                 {"name", c.name},
                                 {"email", c.email},
                                 {"created_at", FormatRfc3339(c.created_at)},
                                 {"last_used_at", FormatRfc3339(c.last_used_at)}});
    }
    return Response::Json(200,
                          json::Serialize(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  router.Delete("/api/v1/users/me/connections/{provider}", [&service](Request& req) {
    if (!req.principal) return Fail(internal::Unauthenticated(), req);
    if (Status s = service.DeleteConnection(req.principal->user_id, req.Param("provider")); !s.ok()) {
      return Fail(s.error(), req);
    }
    return Response::Empty(204);
  });
}

}  // namespace veza::auth
