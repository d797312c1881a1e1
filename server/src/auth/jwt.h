#pragma once
/// Access tokens: compact JWS with HS256 only. Any other `alg` (including "none") is refused.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::auth {

struct AccessClaims {
  int64_t user_id = 0;     // sub
  int64_t session_id = 0;  // sid
  std::string role;
  int64_t issued_at_s = 0;   // iat
  int64_t expires_at_s = 0;  // exp
  std::string jti;
};

/// header.payload.signature, each base64url without padding; `sub` and `sid` are decimal strings.
std::string SignAccessToken(const AccessClaims& claims, std::string_view secret);

/// 401 (slug `invalid_token` or `token_expired`) for anything but a well-formed, correctly signed,
/// unexpired HS256 token with every claim present.
Result<AccessClaims> VerifyAccessToken(std::string_view token, std::string_view secret, int64_t now_s);

}  // namespace veza::auth
