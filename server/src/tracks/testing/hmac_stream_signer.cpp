#include "tracks/testing/hmac_stream_signer.h"

#include <charconv>

#include "core/crypto.h"

namespace veza::tracks::testing {

std::string HmacStreamSigner::Mac(std::string_view scope, int64_t expires_at_ms) const {
  std::string data(scope);
  data += '\n';
  data += std::to_string(expires_at_ms);
  return crypto::Base64UrlEncode(crypto::HmacSha256(secret_, data));
}

SignedToken HmacStreamSigner::Sign(std::string_view scope, int64_t ttl_ms) const {
  const int64_t expires = clock_.NowMs() + ttl_ms;
  return {std::to_string(expires) + "." + Mac(scope, expires), expires};
}

bool HmacStreamSigner::Verify(std::string_view token, std::string_view scope) const {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  int64_t expires = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + dot, expires);
  if (ec != std::errc() || end != token.data() + dot) return false;
  if (expires <= clock_.NowMs()) return false;
  return crypto::ConstantTimeEquals(token.substr(dot + 1), Mac(scope, expires));
}

}  // namespace veza::tracks::testing
