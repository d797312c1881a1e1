#include "auth/auth_routes.h"

#include "auth/route_helpers.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"
#include "users/user_routes.h"

namespace veza::auth {

namespace {

namespace bj = json::bj;
using http::Request;
using http::Response;

Response Fail(const Error& e, const Request& req) { return Response::FromError(e, req.request_id); }

Error Unauthenticated() { return MakeError(ErrorCode::kUnauthenticated, "Sign in to do this.", "unauthenticated"); }

std::optional<Caller> CallerOf(const Request& req) {
  if (!req.principal) return std::nullopt;
  return Caller{req.principal->user_id, req.principal->session_id, req.principal->role};
}

ClientInfo ClientOf(const Request& req) {
  return {req.remote_ip, std::string(req.Header("User-Agent").value_or(""))};
}

std::optional<std::string> CookieValue(const Request& req, std::string_view name) {
  for (const auto& [key, value] : req.headers.entries()) {
    if (!http::IEquals(key, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return std::nullopt;
}

std::string RefreshCookie(const std::string& value, int64_t max_age_s, bool secure) {
  return std::string(kRefreshCookie) + "=" + value + "; Path=/api/v1/auth; Max-Age=" + std::to_string(max_age_s) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

bool CsrfHeaderOk(const Request& req) { return req.Header(kCsrfHeader) == std::optional<std::string_view>(kCsrfValue); }

Error CsrfMissing() {
  return MakeError(ErrorCode::kForbidden,
                   "Cookie sessions need the header X-Requested-With: veza on this request.", "csrf_header_missing");
}

// "cookie" or "body" (default); anything else is a 422.
std::optional<bool> CookieMode(json::ObjectReader& r) {
  auto mode = r.OptionalString("session", {.max_len = 10});
  if (!mode || *mode == "body") return false;
  if (*mode == "cookie") return true;
  r.Fail("session", "must be \"cookie\" or \"body\"");
  return std::nullopt;
}

Response TokensResponse(int status, const Tokens& t, const users::User* user, bool cookie, int64_t refresh_ttl_s,
                        bool secure) {
  bj::object o;
  if (user) {
    boost::system::error_code ec;
    o["user"] = bj::parse(users::EncodeUserJson(*user, users::Visibility::kSelf), ec);
  }
  o["access_token"] = t.access_token;
  o["token_type"] = "Bearer";
  o["expires_in"] = t.expires_in_s;
  o["session_id"] = IdToString(t.session_id);
  if (!cookie) o["refresh_token"] = t.refresh_token;
  Response r = Response::Json(status, json::Serialize(o));
  r.headers.Set("Cache-Control", "no-store");
  if (cookie) r.headers.Add("Set-Cookie", RefreshCookie(t.refresh_token, refresh_ttl_s, secure));
  return r;
}

Result<bj::object> Body(const Request& req) { return json::ParseObject(req.body.empty() ? "{}" : req.body); }

std::string IsoTime(int64_t ms) { return FormatRfc3339(ms); }

}  // namespace

namespace internal {

http::Response Fail(const Error& error, const http::Request& req) { return auth::Fail(error, req); }
Error Unauthenticated() { return auth::Unauthenticated(); }
ClientInfo ClientOf(const http::Request& req) { return auth::ClientOf(req); }
std::optional<std::string> CookieValue(const http::Request& req, std::string_view name) {
  return auth::CookieValue(req, name);
}
http::Response TokensResponse(int status, const Tokens& tokens, const users::User* user, bool cookie,
                              int64_t refresh_ttl_s, bool secure) {
  return auth::TokensResponse(status, tokens, user, cookie, refresh_ttl_s, secure);
}

}  // namespace internal

void RegisterAuthRoutes(http::Router& router, AuthService& service, AuthRouteOptions options) {
  const http::RouteOptions auth_class{.max_body_bytes = 16 * 1024, .rate_class = "auth"};
  const http::RouteOptions signed_in{.max_body_bytes = 16 * 1024};
  const int64_t refresh_ttl = service.options().refresh_ttl_s;
  const bool secure = options.secure_cookies;

  router.Post("/api/v1/auth/register", [&service, refresh_ttl, secure](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    RegisterInput in;
    in.email = r.RequiredString("email", {.min_len = 1, .max_len = 254});
    in.username = r.RequiredString("username", {.min_len = 1, .max_len = 30});
    in.password = r.RequiredString("password", {.min_len = 1, .max_len = 1024, .trim = false});
    in.display_name = r.OptionalString("display_name", {.max_len = 50}).value_or("");
    in.language = r.OptionalString("language", {.max_len = 10}).value_or("en");
    auto cookie = CookieMode(r);
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    auto signin = service.Register(in, ClientOf(req));
    if (!signin.ok()) return Fail(signin.error(), req);
    return TokensResponse(201, signin->tokens, &signin->user, cookie.value_or(false), refresh_ttl, secure);
  }, auth_class);

  router.Post("/api/v1/auth/login", [&service, refresh_ttl, secure](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string login = r.RequiredString("login", {.min_len = 1, .max_len = 254});
    std::string password = r.RequiredString("password", {.min_len = 1, .max_len = 1024, .trim = false});
    SecondFactor second;
    second.totp_code = r.OptionalString("totp_code", {.max_len = 16}).value_or("");
    second.recovery_code = r.OptionalString("recovery_code", {.max_len = 64}).value_or("");
    if (!second.totp_code.empty() && !second.recovery_code.empty()) {
      r.Fail("recovery_code", "send either totp_code or recovery_code, not both");
    }
    auto cookie = CookieMode(r);
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    auto signin = service.Login(login, password, ClientOf(req), second);
    if (!signin.ok()) return Fail(signin.error(), req);
    return TokensResponse(200, signin->tokens, &signin->user, cookie.value_or(false), refresh_ttl, secure);
  }, auth_class);

  router.Post("/api/v1/auth/refresh", [&service, refresh_ttl, secure](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    auto token = r.OptionalString("refresh_token", {.min_len = 1, .max_len = 200});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    bool from_cookie = false;
    if (!token) {
      token = CookieValue(req, kRefreshCookie);
      from_cookie = token.has_value();
      if (from_cookie && !CsrfHeaderOk(req)) return Fail(CsrfMissing(), req);
    }
    if (!token) {
      return Fail(MakeError(ErrorCode::kUnauthenticated, "No refresh token was sent.", "invalid_refresh_token"), req);
    }
    auto tokens = service.Refresh(*token, ClientOf(req));
    if (!tokens.ok()) {
      Response resp = Fail(tokens.error(), req);
      if (from_cookie) resp.headers.Add("Set-Cookie", RefreshCookie("", 0, secure));
      return resp;
    }
    return TokensResponse(200, *tokens, nullptr, from_cookie, refresh_ttl, secure);
  }, auth_class);

  router.Post("/api/v1/auth/logout", [&service, secure](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    if (Status s = service.Logout(*caller); !s.ok()) return Fail(s.error(), req);
    Response resp = Response::Empty(204);
    resp.headers.Add("Set-Cookie", RefreshCookie("", 0, secure));
    return resp;
  }, signed_in);

  router.Post("/api/v1/auth/logout-all", [&service, secure](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    if (Status s = service.LogoutAll(*caller); !s.ok()) return Fail(s.error(), req);
    Response resp = Response::Empty(204);
    resp.headers.Add("Set-Cookie", RefreshCookie("", 0, secure));
    return resp;
  }, signed_in);

  router.Get("/api/v1/auth/sessions", [&service](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    auto sessions = service.ListSessions(*caller);
    if (!sessions.ok()) return Fail(sessions.error(), req);
    bj::array items;
    for (const auto& s : *sessions) {
      items.push_back(bj::object{{"id", IdToString(s.id)},
                                 {"browser", s.agent.browser},
                                 {"os", s.agent.os},
                                 {"device", s.agent.device},
                                 {"user_agent", s.user_agent},
                                 {"ip", s.ip},
                                 {"created_at", IsoTime(s.created_at)},
                                 {"last_seen_at", IsoTime(s.last_seen_at)},
                                 {"expires_at", IsoTime(s.expires_at)},
                                 {"current", s.current}});
    }
    return Response::Json(200, json::Serialize(bj::object{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  router.Delete("/api/v1/auth/sessions/{id}", [&service](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    auto id = ParseId(req.Param("id"));
    if (!id) return Fail(NotFound("No such session."), req);
    if (Status s = service.EndSession(*caller, *id); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(204);
  });

  router.Post("/api/v1/auth/verify-email/request", [&service](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    if (Status s = service.RequestEmailVerification(*caller); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(202);
  }, auth_class);

  router.Post("/api/v1/auth/verify-email", [&service](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string token = r.RequiredString("token", {.min_len = 1, .max_len = 200});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    if (Status s = service.VerifyEmail(token); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(204);
  }, auth_class);

  router.Post("/api/v1/auth/password/forgot", [&service](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string email = r.RequiredString("email", {.min_len = 1, .max_len = 254});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    // 202 whether or not the account exists; only infrastructure failures surface.
    if (Status s = service.RequestPasswordReset(email); !s.ok() && s.error().code == ErrorCode::kUnavailable) {
      return Fail(s.error(), req);
    }
    return Response::Empty(202);
  }, auth_class);

  router.Post("/api/v1/auth/password/reset", [&service](Request& req) {
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string token = r.RequiredString("token", {.min_len = 1, .max_len = 200});
    std::string password = r.RequiredString("new_password", {.min_len = 1, .max_len = 1024, .trim = false});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    if (Status s = service.ResetPassword(token, password); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(204);
  }, auth_class);

  router.Post("/api/v1/auth/password/change", [&service](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string current = r.RequiredString("current_password", {.min_len = 1, .max_len = 1024, .trim = false});
    std::string next = r.RequiredString("new_password", {.min_len = 1, .max_len = 1024, .trim = false});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    if (Status s = service.ChangePassword(*caller, current, next); !s.ok()) return Fail(s.error(), req);
    return Response::Empty(204);
  }, auth_class);

  router.Post("/api/v1/auth/stream-token", [&service](Request& req) {
    auto caller = CallerOf(req);
    if (!caller) return Fail(Unauthenticated(), req);
    auto body = Body(req);
    if (!body.ok()) return Fail(body.error(), req);
    json::ObjectReader r(*body);
    std::string scope = r.RequiredString("scope", {.min_len = 1, .max_len = 100});
    if (Status s = r.Finish(); !s.ok()) return Fail(s.error(), req);
    auto token = service.IssueStreamToken(*caller, scope);
    if (!token.ok()) return Fail(token.error(), req);
    bj::object o{{"token", token->token}, {"scope", token->scope}, {"expires_at", IsoTime(token->expires_at_ms)}};
    return Response::Json(200, json::Serialize(o));
  }, signed_in);
}

http::Middleware Authentication(AuthService& service) {
  return [&service](Request& req, const http::Handler& next) -> Response {
    auto header = req.Header("Authorization");
    if (!header) return next(req);
    std::string_view value = *header;
    if (value.size() < 7 || !http::IEquals(value.substr(0, 7), "Bearer ")) {
      Response r = Fail(MakeError(ErrorCode::kUnauthenticated, "Use Authorization: Bearer <access token>.",
                                  "invalid_token"),
                        req);
      r.headers.Set("WWW-Authenticate", "Bearer");
      return r;
    }
    auto caller = service.Authenticate(value.substr(7));
    if (!caller.ok()) {
      Response r = Fail(caller.error(), req);
      if (r.status == 401) r.headers.Set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
    req.principal = http::Principal{caller->user_id, caller->session_id, caller->role};
    return next(req);
  };
}

}  // namespace veza::auth
