#pragma once
/// Short-lived signed grants carried by media URLs (HLS playlists and segments), so players need no
/// headers. Identity provides the deployment's signer (app/domains.cpp); tests use
/// testing/hmac_stream_signer.h.

#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace veza::tracks
