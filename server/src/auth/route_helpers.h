#pragma once
/// Helpers the auth module's route files share (private to the module; no JSON types).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_service.h"
#include "http/request.h"
#include "http/response.h"

namespace veza::auth::internal {

http::Response Fail(const Error& error, const http::Request& req);
Error Unauthenticated();
ClientInfo ClientOf(const http::Request& req);
std::optional<std::string> CookieValue(const http::Request& req, std::string_view name);
/// The sign-in answer: user (when given), access token, and the refresh token in the body or, for
/// `cookie`, as the httpOnly refresh cookie.
http::Response TokensResponse(int status, const Tokens& tokens, const users::User* user, bool cookie,
                              int64_t refresh_ttl_s, bool secure);

}  // namespace veza::auth::internal
