#pragma once
/// Method + path-template routing and the middleware pipeline. Boost-free.
///
/// Templates: literal segments, `{name}` (one segment) and a final `{name...}` (the rest of the
/// path). Literal segments win over parameters, parameters over the rest-wildcard.
/// GET routes answer HEAD too; OPTIONS answers 204 with `Allow` unless middleware answers first.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"
#include "http/ws.h"

namespace veza::http {

using Handler = std::function<Response(Request&)>;
/// Middleware wraps the rest of the pipeline: call `next(req)` to continue, or answer directly.
using Middleware = std::function<Response(Request&, const Handler& next)>;

struct RouteOptions {
  size_t max_body_bytes = 1024 * 1024;  // larger bodies are refused with 413 before being read
  bool body_to_file = false;            // spool the body to a temp file (uploads) instead of memory
  bool io_thread = false;               // non-blocking handler (static files, HLS): run on the I/O thread
  std::string rate_class = "default";   // token-bucket class for rate limiting
};

struct Route {
  std::string method;
  std::string path_template;
  Handler handler;
  RouteOptions options;
  std::shared_ptr<WsHandler> websocket;  // set for WebSocket routes
  WsOptions ws_options;
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed, kOptions };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  // kFound
  std::map<std::string, std::string, std::less<>> params;
  std::string allow;  // kMethodNotAllowed / kOptions: "GET, HEAD, POST"
  std::string path_template;  // for logs and metrics even when the method did not match
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void Add(std::string_view method, std::string_view path_template, Handler handler,
           RouteOptions options = {});
  void Get(std::string_view path, Handler h, RouteOptions o = {}) { Add("GET", path, std::move(h), std::move(o)); }
  void Post(std::string_view path, Handler h, RouteOptions o = {}) { Add("POST", path, std::move(h), std::move(o)); }
  void Put(std::string_view path, Handler h, RouteOptions o = {}) { Add("PUT", path, std::move(h), std::move(o)); }
  void Patch(std::string_view path, Handler h, RouteOptions o = {}) { Add("PATCH", path, std::move(h), std::move(o)); }
  void Delete(std::string_view path, Handler h, RouteOptions o = {}) { Add("DELETE", path, std::move(h), std::move(o)); }

  /// A WebSocket endpoint (GET + Upgrade). `accept` may refuse the upgrade with an error response;
  /// by default every upgrade that passes the middleware is accepted.
  void AddWebSocket(std::string_view path_template, std::shared_ptr<WsHandler> handler,
                    WsOptions ws_options = {}, RouteOptions options = {}, Handler accept = {});

  /// Answers GET/HEAD requests whose path no route matches (the web client's files and its SPA
  /// fallback). Unlike a `/{path...}` route it never turns another method into a 405.
  void SetFallback(std::string_view path_template, Handler handler, RouteOptions options = {});

  /// Middleware runs in the order added, outermost first, for every request including 404/405.
  void Use(Middleware middleware);

  /// Finds the route for a request head (the transport needs its options before reading the body).
  RouteMatch Match(std::string_view method, std::string_view path) const;

  /// Runs the middleware and the matched handler (or the 404/405/OPTIONS answer).
  /// Fills req.params, req.route and req.route_class from the match.
  Response Dispatch(Request& req, const RouteMatch& match) const;

  /// Match + Dispatch, for tests without a socket.
  Response Handle(Request& req) const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<Middleware> middleware_;
  std::unique_ptr<Route> fallback_;
};

}  // namespace veza::http
