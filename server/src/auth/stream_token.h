#pragma once
/// Stream tokens: short-lived HMAC-SHA-256-signed grants that media URLs (HLS, downloads) and the
/// WebSocket carry instead of an Authorization header. Other domains verify them with VerifyStreamToken.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::auth {

struct StreamGrant {
  std::string scope;  // "track:<id>", "live:<id>" or "ws"
  int64_t user_id = 0;
  int64_t expires_at_ms = 0;
};

/// nullopt when `scope` is not one of track:<id>, live:<id>, ws.
std::optional<std::string> StreamScopeProblem(std::string_view scope);

/// "v1.<base64url payload>.<base64url HMAC>": the payload names scope, user and expiry.
std::string SignStreamToken(const StreamGrant& grant, std::string_view secret);

/// The grant, if the token is authentic, unexpired and for exactly `expected_scope`; otherwise 401
/// (slug `invalid_stream_token`). Pass an empty `expected_scope` to accept any scope.
Result<StreamGrant> VerifyStreamToken(std::string_view token, std::string_view expected_scope,
                                      std::string_view secret, int64_t now_ms);

}  // namespace veza::auth
