#pragma once
/// Test helper: runs middleware around a handler the way Router::Dispatch does, without a router.

#include <memory>
#include <utility>
#include <vector>

#include "http/router.h"

namespace veza::middleware::testing {

/// `middleware` outermost first, then `handler`.
inline http::Response RunChain(const std::vector<http::Middleware>& middleware, const http::Handler& handler,
                               http::Request& req) {
  std::vector<http::Handler> stages(middleware.size() + 1);
  stages[middleware.size()] = handler;
  for (size_t i = middleware.size(); i-- > 0;) {
    const http::Middleware& mw = middleware[i];
    const http::Handler& inner = stages[i + 1];
    stages[i] = [&mw, &inner](http::Request& r) { return mw(r, inner); };
  }
  return stages[0](req);
}

inline http::Request MakeRequest(std::string method, std::string path, std::string route = {},
                                 std::string remote_ip = "203.0.113.7") {
  http::Request req;
  req.method = std::move(method);
  req.path = path;
  req.target = std::move(path);
  req.route = std::move(route);
  req.remote_ip = std::move(remote_ip);
  return req;
}

}  // namespace veza::middleware::testing
