#pragma once
/// A self-contained StreamSigner for the tracks tests, which cannot link identity's signer (app/).

#include <string>

#include "core/clock.h"
#include "tracks/stream_signer.h"

namespace veza::tracks::testing {

/// "<expiry ms>.<base64url HMAC-SHA-256(secret, scope '\n' expiry)>": the scope is not in the token, so
/// a token for one track cannot be replayed for another.
class HmacStreamSigner final : public StreamSigner {
 public:
  HmacStreamSigner(std::string secret, const Clock& clock) : secret_(std::move(secret)), clock_(clock) {}
  SignedToken Sign(std::string_view scope, int64_t ttl_ms) const override;
  bool Verify(std::string_view token, std::string_view scope) const override;

 private:
  std::string Mac(std::string_view scope, int64_t expires_at_ms) const;

  std::string secret_;
  const Clock& clock_;
};

}  // namespace veza::tracks::testing
