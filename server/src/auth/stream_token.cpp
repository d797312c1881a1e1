#include "auth/stream_token.h"

#include <charconv>

#include "core/crypto.h"
#include "core/ids.h"

namespace veza::auth {

namespace {

Error Invalid() {
  return MakeError(ErrorCode::kUnauthenticated, "The stream token is invalid or expired.", "invalid_stream_token");
}

// Keys are separated by domain so a stream signature can never be replayed as another HMAC use.
std::string Mac(std::string_view secret, std::string_view payload) {
  return crypto::HmacSha256(secret, "veza-stream-token-v1\n" + std::string(payload));
}

}  // namespace

std::optional<std::string> StreamScopeProblem(std::string_view scope) {
  if (scope == "ws") return std::nullopt;
  for (std::string_view prefix : {"track:", "live:"}) {
    if (scope.substr(0, prefix.size()) == prefix) {
      if (ParseId(scope.substr(prefix.size()))) return std::nullopt;
      return "must name a resource id, e.g. " + std::string(prefix) + "123";
    }
  }
  return "must be track:<id>, live:<id> or ws";
}

std::string SignStreamToken(const StreamGrant& g, std::string_view secret) {
  std::string payload = g.scope + "|" + std::to_string(g.user_id) + "|" + std::to_string(g.expires_at_ms);
  return "v1." + crypto::Base64UrlEncode(payload) + "." + crypto::Base64UrlEncode(Mac(secret, payload));
}

Result<StreamGrant> VerifyStreamToken(std::string_view token, std::string_view expected_scope,
                                      std::string_view secret, int64_t now_ms) {
  if (token.size() > 1024 || token.substr(0, 3) != "v1.") return Invalid();
  std::string_view rest = token.substr(3);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return Invalid();
  auto payload = crypto::TryBase64UrlDecode(rest.substr(0, dot));
  auto mac = crypto::TryBase64UrlDecode(rest.substr(dot + 1));
  if (!payload || !mac || !crypto::ConstantTimeEquals(Mac(secret, *payload), *mac)) return Invalid();
  size_t b1 = payload->find('|'), b2 = payload->rfind('|');
  if (b1 == std::string::npos || b1 == b2) return Invalid();
  StreamGrant g;
  g.scope = payload->substr(0, b1);
  std::string_view user = std::string_view(*payload).substr(b1 + 1, b2 - b1 - 1);
  std::string_view exp = std::string_view(*payload).substr(b2 + 1);
  if (std::from_chars(user.data(), user.data() + user.size(), g.user_id).ec != std::errc() ||
      std::from_chars(exp.data(), exp.data() + exp.size(), g.expires_at_ms).ec != std::errc()) {
    return Invalid();
  }
  if (g.expires_at_ms <= now_ms) return Invalid();
  if (!expected_scope.empty() && g.scope != expected_scope) return Invalid();
  return g;
}

}  // namespace veza::auth
