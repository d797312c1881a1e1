#pragma once
/// A parsed HTTP request as handlers see it: no Boost types.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.h"

namespace veza::http {

/// Who is calling, once authentication middleware has run.
struct Principal {
  int64_t user_id = 0;
  int64_t session_id = 0;
  std::string role;  // user, creator, moderator, admin
};

struct Request {
  std::string method;       // upper case: GET, POST…
  std::string target;       // as received: path + query
  std::string path;         // percent-decoded path, no query
  std::string query;        // raw query string without '?'
  Headers headers;
  std::string body;         // in memory unless the route streams bodies to disk
  std::string body_file;    // path of the spooled body when RouteOptions::body_to_file
  uint64_t body_size = 0;   // bytes received either way
  std::string remote_ip;
  uint16_t remote_port = 0;
  bool keep_alive = true;

  // Filled during dispatch.
  std::string request_id;
  std::string route;        // matched template, e.g. "/api/v1/tracks/{id}", for logs and metrics
  std::string route_class;  // rate-limit class of the matched route
  std::map<std::string, std::string, std::less<>> params;  // path parameters by name
  std::optional<Principal> principal;
  int64_t started_ns = 0;   // monotonic time the request head was complete

  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
  /// A path parameter ("" when absent).
  std::string_view Param(std::string_view name) const;
  /// A percent-decoded query parameter (the first if repeated).
  std::optional<std::string> QueryParam(std::string_view name) const;
};

/// Percent-decodes a URL component; '+' becomes a space when `plus_as_space`. nullopt on bad escapes.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space);

}  // namespace veza::http
