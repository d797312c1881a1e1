#pragma once
/// The /api/v1/auth/* routes and the authentication middleware.

#include <string>

#include "auth/auth_service.h"
#include "http/router.h"

namespace veza::auth {

/// Name of the httpOnly refresh cookie browsers get with `"session": "cookie"`.
inline constexpr const char* kRefreshCookie = "veza_refresh";
/// Header the cookie-authenticated routes require (a cross-site form cannot set it: CSRF protection).
inline constexpr const char* kCsrfHeader = "X-Requested-With";
inline constexpr const char* kCsrfValue = "veza";

struct AuthRouteOptions {
  bool secure_cookies = false;  // Secure attribute: on when the public URL is https
};

void RegisterAuthRoutes(http::Router& router, AuthService& service, AuthRouteOptions options = {});

/// Validates `Authorization: Bearer <token>` when present (401 when invalid or its session ended)
/// and sets req.principal. Requests without the header pass through anonymous.
http::Middleware Authentication(AuthService& service);

}  // namespace veza::auth
