#pragma once
/// GET /api/v1/auth/oauth/providers, GET /api/v1/auth/oauth/{provider}/start|callback,
/// POST /api/v1/auth/oauth/exchange, GET /api/v1/users/me/connections,
/// DELETE /api/v1/users/me/connections/{provider}.

#include <cstdint>

#include "auth/oauth_service.h"
#include "http/router.h"

namespace veza::auth {

/// The cookie that binds an authorization flow to the browser that started it.
inline constexpr const char* kOAuthFlowCookie = "veza_oauth";

struct OAuthRouteOptions {
  bool secure_cookies = false;
  int64_t refresh_ttl_s = 30LL * 24 * 3600;
};

void RegisterOAuthRoutes(http::Router& router, OAuthService& service, OAuthRouteOptions options = {});

}  // namespace veza::auth
