#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "middleware/middleware.h"

namespace veza::middleware {

SecurityHeadersOptions SecurityHeadersOptions::ForPublicUrl(std::string_view public_url) {
  SecurityHeadersOptions o;
  o.hsts = public_url.size() >= 8 && http::IEquals(public_url.substr(0, 8), "https://");
  return o;
}

http::Middleware SecurityHeaders(SecurityHeadersOptions options) {
  using List = std::vector<std::pair<std::string, std::string>>;
  auto headers = std::make_shared<List>();
  auto add = [&](std::string name, std::string value) {
    if (!value.empty()) headers->emplace_back(std::move(name), std::move(value));
  };
  add("Content-Security-Policy", std::move(options.content_security_policy));
  add("X-Content-Type-Options", "nosniff");
  add("Referrer-Policy", "strict-origin-when-cross-origin");
  add("X-Frame-Options", "DENY");
  add("Cross-Origin-Opener-Policy", "same-origin");
  add("Permissions-Policy", std::move(options.permissions_policy));
  if (options.hsts) add("Strict-Transport-Security", std::move(options.hsts_value));

  return [headers = std::shared_ptr<const List>(headers)](http::Request& req, const http::Handler& next) {
    http::Response resp = next(req);
    // A handler that sets one (e.g. a looser CSP for an embeddable player) keeps its own.
    for (const auto& [name, value] : *headers) {
      if (!resp.headers.Has(name)) resp.headers.Add(name, value);
    }
    return resp;
  };
}

}  // namespace veza::middleware
