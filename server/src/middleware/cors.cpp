#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

struct State {
  std::vector<std::string> origins;  // exact, "*" removed
  bool any_origin = false;           // "*" listed and credentials off
  bool credentials = false;
  std::vector<std::string> methods;
  std::string methods_joined;
  std::string headers_joined;
  std::string exposed_joined;
  std::string max_age;

  bool Allowed(std::string_view origin) const {
    if (any_origin) return true;
    return std::find(origins.begin(), origins.end(), origin) != origins.end();
  }
  bool MethodAllowed(std::string_view m) const {
    return std::find(methods.begin(), methods.end(), m) != methods.end();
  }
  /// With "*" and no credentials the literal "*" is correct and cache-friendly; otherwise echo.
  std::string AllowOriginValue(std::string_view origin) const {
    return any_origin ? std::string("*") : std::string(origin);
  }
};

}  // namespace

Status ValidateCorsOptions(const CorsOptions& options) {
  for (const std::string& o : options.allowed_origins) {
    if (o == "*") {
      if (options.allow_credentials) {
        return BadRequest("CORS: \"*\" cannot be combined with allow_credentials; list the origins.",
                          "invalid_config");
      }
      continue;
    }
    bool scheme = o.starts_with("http://") || o.starts_with("https://");
    size_t host_start = o.find("://") + 3;
    if (!scheme || o.size() <= host_start || o.back() == '/' ||
        o.find('/', host_start) != std::string::npos) {
      return BadRequest("CORS: origin \"" + o + "\" must be scheme://host[:port] without a path.",
                        "invalid_config");
    }
  }
  if (options.max_age_s < 0) return BadRequest("CORS: max_age_s must not be negative.", "invalid_config");
  return Ok();
}

http::Middleware Cors(CorsOptions options) {
  auto st = std::make_shared<State>();
  for (std::string& o : options.allowed_origins) {
    if (o == "*") {
      if (!options.allow_credentials) st->any_origin = true;
    } else {
      st->origins.push_back(std::move(o));
    }
  }
  st->credentials = options.allow_credentials;
  st->methods = options.allowed_methods;
  st->methods_joined = Join(options.allowed_methods);
  st->headers_joined = Join(options.allowed_headers);
  st->exposed_joined = Join(options.exposed_headers);
  st->max_age = std::to_string(options.max_age_s);

  return [st = std::shared_ptr<const State>(st)](http::Request& req, const http::Handler& next) {
    auto origin = req.Header("Origin");
    if (!origin) {
      http::Response resp = next(req);
      // The answer depends on Origin when the allow-list is not "*": keep shared caches honest.
      if (!st->any_origin) resp.headers.Add("Vary", "Origin");
      return resp;
    }
    const bool allowed = st->Allowed(*origin);

    if (req.method == "OPTIONS") {
      auto requested = req.Header("Access-Control-Request-Method");
      if (requested && allowed && st->MethodAllowed(*requested)) {
        http::Response resp = http::Response::Empty(204);
        resp.headers.Set("Access-Control-Allow-Origin", st->AllowOriginValue(*origin));
        resp.headers.Set("Access-Control-Allow-Methods", st->methods_joined);
        resp.headers.Set("Access-Control-Allow-Headers", st->headers_joined);
        resp.headers.Set("Access-Control-Max-Age", st->max_age);
        if (st->credentials) resp.headers.Set("Access-Control-Allow-Credentials", "true");
        resp.headers.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return resp;
      }
      if (requested) {
        // A refused preflight gets the router's own OPTIONS answer and no CORS headers.
        http::Response resp = next(req);
        if (!st->any_origin) resp.headers.Add("Vary", "Origin");
        return resp;
      }
    }

    std::string origin_copy = allowed ? st->AllowOriginValue(*origin) : std::string();
    http::Response resp = next(req);
    if (!st->any_origin) resp.headers.Add("Vary", "Origin");
    if (allowed) {
      resp.headers.Set("Access-Control-Allow-Origin", std::move(origin_copy));
      if (st->credentials) resp.headers.Set("Access-Control-Allow-Credentials", "true");
      if (!st->exposed_joined.empty()) resp.headers.Set("Access-Control-Expose-Headers", st->exposed_joined);
    }
    return resp;
  };
}

}  // namespace veza::middleware
