#pragma once
/// Short-lived signed grants carried by media URLs (HLS playlists and segments), so players need no
/// headers. Identity provides the deployment's signer; HmacStreamSigner is the tracks-local one.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace veza::tracks {

struct SignedToken {
  std::string token;  // URL-safe
  int64_t expires_at_ms = 0;
};

class StreamSigner {
 public:
  virtual ~StreamSigner() = default;
  /// A token granting `scope` (e.g. "track:123") for `ttl_ms`.
  virtual SignedToken Sign(std::string_view scope, int64_t ttl_ms) const = 0;
  /// True when `token` is authentic, unexpired and grants exactly `scope`.
  virtual bool Verify(std::string_view token, std::string_view scope) const = 0;
};

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

}  // namespace veza::tracks
