#pragma once
/// Outbound HTTP(S) for the whole server (OAuth providers, webhooks, push, payment providers): one client
/// with timeouts, a response size cap, no redirects, and an SSRF guard. The guard resolves the host,
/// refuses private, loopback, link-local and other non-public addresses (unless allowed by config) and
/// then connects to exactly the address it checked, so DNS rebinding cannot slip past it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace veza::net {

struct HttpClientOptions {
  bool allow_private_addresses = false;  // config net.allow_private_addresses (tests on loopback)
  int connect_timeout_ms = 5'000;
  int timeout_ms = 15'000;  // whole exchange
  size_t max_response_bytes = 1024 * 1024;
  std::string user_agent = "Veza";
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Attempts on connection failures and 502/503/504; only idempotent requests should ask for more than 1.
  int max_attempts = 1;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::optional<std::string> Header(std::string_view name) const;
};

/// True for addresses that are globally routable (not private, loopback, link-local, CGNAT,
/// documentation, multicast, reserved or unspecified; IPv4-mapped IPv6 is judged by its IPv4 part).
/// False for text that is not an IP address.
bool IsPublicAddress(std::string_view ip);

/// application/x-www-form-urlencoded body or query string.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Any HTTP status is a successful exchange. Errors: 422 `invalid_url` (not http(s), no host),
  /// 403 `address_not_allowed` (SSRF guard), 503 `upstream_unavailable` (DNS, connect, TLS, timeout),
  /// 502-class `upstream_response_too_large` reported as 503 as well. Blocks the calling thread.
  Result<HttpResponse> Send(const HttpRequest& request) const;

  const HttpClientOptions& options() const { return options_; }

 private:
  Result<HttpResponse> SendOnce(const HttpRequest& request) const;

  HttpClientOptions options_;
};

}  // namespace veza::net
