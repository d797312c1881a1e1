#include "auth/jwt.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "core/json.h"

namespace veza::auth {

namespace {

namespace bj = json::bj;

Error Invalid(std::string detail) {
  Error e = MakeError(ErrorCode::kUnauthenticated, "The access token is invalid.", "invalid_token");
  e.detail = std::move(detail);
  return e;
}

std::optional<bj::object> DecodeObject(std::string_view part) {
  auto raw = crypto::TryBase64UrlDecode(part);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  bj::value v = bj::parse(*raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<std::string> StringClaim(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<int64_t> IntClaim(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

std::string SignAccessToken(const AccessClaims& c, std::string_view secret) {
  bj::object p;
  p["sub"] = IdToString(c.user_id);
  p["sid"] = IdToString(c.session_id);
  p["role"] = c.role;
  p["iat"] = c.issued_at_s;
  p["exp"] = c.expires_at_s;
  p["jti"] = c.jti;
  std::string signing_input = crypto::Base64UrlEncode(kHeader) + "." + crypto::Base64UrlEncode(json::Serialize(p));
  return signing_input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(secret, signing_input));
}

Result<AccessClaims> VerifyAccessToken(std::string_view token, std::string_view secret, int64_t now_s) {
  if (token.size() > 4096) return Invalid("token too long");
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return Invalid("not three parts");
  }
  auto header = DecodeObject(token.substr(0, d1));
  if (!header) return Invalid("bad header");
  // The algorithm is fixed by the server, never chosen by the token: "none" or RS256 never get here.
  if (StringClaim(*header, "alg") != std::optional<std::string>("HS256")) return Invalid("alg is not HS256");
  if (header->if_contains("crit")) return Invalid("crit header not supported");
  auto signature = crypto::TryBase64UrlDecode(token.substr(d2 + 1));
  if (!signature || signature->size() != 32) return Invalid("bad signature encoding");
  std::string expected = crypto::HmacSha256(secret, token.substr(0, d2));
  if (!crypto::ConstantTimeEquals(expected, *signature)) return Invalid("wrong signature");

  auto payload = DecodeObject(token.substr(d1 + 1, d2 - d1 - 1));
  if (!payload) return Invalid("bad payload");
  auto sub = StringClaim(*payload, "sub");
  auto sid = StringClaim(*payload, "sid");
  auto role = StringClaim(*payload, "role");
  auto jti = StringClaim(*payload, "jti");
  auto iat = IntClaim(*payload, "iat");
  auto exp = IntClaim(*payload, "exp");
  if (!sub || !sid || !role || !jti || !iat || !exp) return Invalid("missing claim");
  auto user_id = ParseId(*sub);
  auto session_id = ParseId(*sid);
  if (!user_id || !session_id) return Invalid("bad sub or sid");
  if (*exp <= now_s) {
    Error e = MakeError(ErrorCode::kUnauthenticated, "The access token has expired.", "token_expired");
    return e;
  }
  if (*iat > now_s + 60) return Invalid("issued in the future");
  return AccessClaims{*user_id, *session_id, *role, *iat, *exp, *jti};
}

}  // namespace veza::auth
