#pragma once
/// The cross-cutting HTTP middleware: each factory returns an http::Middleware for Router::Use.
///
/// Order (outermost first), so every answer — 404s, 429s and recovered 500s included — carries a
/// request id, security and CORS headers and is logged and counted:
///   ClientIp, RequestId, AccessLog, Metrics, SecurityHeaders, Cors, Recover, (authentication), RateLimit.
/// RateLimit runs after authentication so that signed-in callers are limited per account.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/router.h"
#include "middleware/rate_limit_store.h"

namespace veza::obs {
class Registry;
}

namespace veza::middleware {

// ---- client ip

/// Behind trusted proxies (exact addresses or CIDR networks, e.g. "127.0.0.1", "10.0.0.0/8"),
/// replaces req.remote_ip with the client address from `X-Forwarded-For`: the rightmost hop that is
/// not itself a trusted proxy. Requests from anyone else keep their socket address, so clients
/// cannot spoof their IP to dodge rate limits.
http::Middleware ClientIp(const std::vector<std::string>& trusted_proxies);
/// Names the entries that are not addresses or networks.
Status ValidateTrustedProxies(const std::vector<std::string>& proxies);

// ---- request id

/// 1–128 characters of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view id);
/// 32 lower-case hex characters (128 random bits from a per-thread generator).
std::string NewRequestId();
/// Keeps a valid client `X-Request-Id`, otherwise generates one; sets req.request_id and echoes
/// `X-Request-Id` on the response.
http::Middleware RequestId();

// ---- access log

struct AccessLogOptions {
  bool enabled = true;
  /// Receives one JSON object per request, without newline. Default: log::WriteRawJsonLine.
  std::function<void(std::string_view line)> sink;
};
/// One JSON line per request: time, request_id, method, route ("unmatched" when no route matched),
/// path, status, bytes, duration_ms, remote_ip, principal (user id string or null), user_agent.
/// Durations run from req.started_ns (set here from `clock` when the transport left it 0).
http::Middleware AccessLog(const Clock& clock, AccessLogOptions options = {});

/// Appends `s` as a JSON string literal (quoted, escaped; invalid UTF-8 bytes become U+FFFD).
void AppendJsonString(std::string& out, std::string_view s);

// ---- metrics

/// veza_http_requests_total{method,route,status}, veza_http_request_duration_seconds{method,route},
/// veza_http_requests_in_flight, veza_http_response_bytes_total. `route` is the template (or
/// "unmatched"), `method` one of the standard methods or "OTHER": the label sets stay bounded.
http::Middleware Metrics(obs::Registry& registry, const Clock& clock);

// ---- rate limit

struct RouteClassLimits {
  BucketSpec per_ip;         // anonymous callers, by remote IP
  BucketSpec per_principal;  // signed-in callers, by user id; if unlimited, they use per_ip
};

struct RateLimitOptions {
  /// Route class (RouteOptions::rate_class) → limits. Classes not listed use "default";
  /// a class with both specs unlimited is not limited at all.
  std::map<std::string, RouteClassLimits, std::less<>> classes;
};

/// "default", "auth" (login, register, password reset: tight per IP), "upload", and "static"
/// (unlimited).
RateLimitOptions DefaultRateLimits();

/// Token buckets keyed `ip:<class>:<ip>` or `user:<class>:<user id>`. Limited classes answer with
/// `RateLimit-Limit` and `RateLimit-Remaining`; a denied request gets the 429 envelope
/// (code rate_limited) and `Retry-After` in whole seconds (at least 1).
http::Middleware RateLimit(RateLimitStore& store, const Clock& clock, RateLimitOptions options = DefaultRateLimits());

// ---- security headers

inline constexpr std::string_view kDefaultContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'";

inline constexpr std::string_view kDefaultPermissionsPolicy =
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()";

struct SecurityHeadersOptions {
  std::string content_security_policy{kDefaultContentSecurityPolicy};
  std::string permissions_policy{kDefaultPermissionsPolicy};
  /// Strict-Transport-Security, only when the public URL is https (browsers ignore it over http,
  /// and sending it from a dev server on localhost would pin https there).
  bool hsts = false;
  std::string hsts_value = "max-age=63072000; includeSubDomains";

  /// Defaults, with HSTS on when `public_url` starts with https://.
  static SecurityHeadersOptions ForPublicUrl(std::string_view public_url);
};

/// Adds CSP, X-Content-Type-Options, Referrer-Policy, X-Frame-Options, Cross-Origin-Opener-Policy,
/// Permissions-Policy (and HSTS when configured) to every response that does not set them itself.
http::Middleware SecurityHeaders(SecurityHeadersOptions options = {});

// ---- CORS

struct CorsOptions {
  /// Exact origins ("https://app.example.com"), or "*" for any origin when credentials are off.
  std::vector<std::string> allowed_origins;
  bool allow_credentials = false;
  std::vector<std::string> allowed_methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::vector<std::string> allowed_headers = {"Authorization", "Content-Type", "Idempotency-Key",
                                              "X-Request-Id", "Tus-Resumable", "Upload-Length",
                                              "Upload-Offset", "Upload-Metadata", "Upload-Checksum",
                                              "Upload-Defer-Length", "Upload-Concat"};
  std::vector<std::string> exposed_headers = {"X-Request-Id", "Retry-After", "RateLimit-Limit",
                                              "RateLimit-Remaining", "Location", "Upload-Offset",
                                              "Upload-Length", "Upload-Expires", "Upload-Metadata",
                                              "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
                                              "Tus-Checksum-Algorithm"};
  int max_age_s = 600;
};

/// Rejects "*" together with credentials (browsers refuse it) and malformed origins.
Status ValidateCorsOptions(const CorsOptions& options);

/// Preflights (OPTIONS with Access-Control-Request-Method) from an allowed origin for an allowed
/// method are answered 204 here; other requests from an allowed origin get Allow-Origin, Vary and
/// Expose-Headers. Disallowed origins get no CORS headers, so the browser blocks the response.
/// A "*" entry is ignored when credentials are allowed.
http::Middleware Cors(CorsOptions options);

// ---- recover

/// Turns an exception escaping the rest of the pipeline into the generic 500 envelope; the
/// exception text goes to the log with the request id, never to the client.
http::Middleware Recover();

}  // namespace veza::middleware
