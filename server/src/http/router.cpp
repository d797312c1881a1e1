#include "http/router.h"

#include <algorithm>
#include <array>
#include <exception>
#include <map>
#include <stdexcept>

#include "core/log.h"

namespace veza::http {

namespace {

/// One route on a node, with the names of the parameters its template captures in order.
struct Endpoint {
  const Route* route = nullptr;
  std::vector<std::string> param_names;
  std::string rest_name;
};

/// Splits "/a/b/" into {"a", "b", ""}; "/" and "" give no segments.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }
bool IsRest(std::string_view seg) { return IsParam(seg) && seg.size() > 5 && seg.substr(seg.size() - 4) == "...}"; }

// Allow lists are written in this order so they are stable across registrations.
constexpr std::array<std::string_view, 7> kMethodOrder = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                                          "OPTIONS"};

/// State of one match walk: captured segments and the best candidates seen so far.
struct Walk {
  std::string_view method;
  std::vector<std::string_view> segments;
  std::vector<std::string_view> captured;
  const std::vector<Endpoint>* first_path_match = nullptr;  // highest-priority node matching the path
  const std::string* first_template = nullptr;
  std::vector<std::string_view> first_captured;
  std::string_view first_rest;
  const Endpoint* found = nullptr;
  std::string_view rest;
  const std::string* found_template = nullptr;
};

std::string_view RestOf(std::string_view path, const std::vector<std::string_view>& segments, size_t i) {
  if (i >= segments.size()) return {};
  return path.substr(static_cast<size_t>(segments[i].data() - path.data()));
}

}  // namespace

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::vector<Endpoint> endpoints;       // routes ending exactly here
  std::vector<Endpoint> rest_endpoints;  // routes ending with a {name...} after this node
  std::string path_template;
  std::string rest_template;

  bool Visit(size_t i, Walk& w, std::string_view path) const;

  static const Endpoint* Find(const std::vector<Endpoint>& eps, std::string_view method) {
    for (const Endpoint& e : eps) {
      if (e.route->method == method) return &e;
    }
    if (method == "HEAD") return Find(eps, "GET");
    return nullptr;
  }

  static std::string Allow(const std::vector<Endpoint>& eps) {
    std::string allow;
    auto has = [&](std::string_view m) {
      return std::any_of(eps.begin(), eps.end(), [&](const Endpoint& e) { return e.route->method == m; });
    };
    for (std::string_view m : kMethodOrder) {
      if (!has(m) && !(m == "HEAD" && has("GET"))) continue;
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    for (const Endpoint& e : eps) {  // methods outside the usual set keep registration order
      if (std::find(kMethodOrder.begin(), kMethodOrder.end(), e.route->method) != kMethodOrder.end()) continue;
      if (!allow.empty()) allow += ", ";
      allow += e.route->method;
    }
    return allow;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(std::string_view method, std::string_view path_template, Handler handler,
                 RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = std::string(method);
  route->path_template = std::string(path_template);
  route->handler = std::move(handler);
  route->options = std::move(options);
  const Route* r = route.get();
  routes_.push_back(std::move(route));

  Endpoint ep;
  ep.route = r;
  Node* node = root_.get();
  std::vector<std::string_view> segs = SplitPath(path_template);
  for (size_t i = 0; i < segs.size(); ++i) {
    std::string_view seg = segs[i];
    if (IsRest(seg)) {
      if (i + 1 != segs.size()) throw std::invalid_argument("rest parameter must be last: " + r->path_template);
      ep.rest_name = std::string(seg.substr(1, seg.size() - 5));
      for (const Endpoint& e : node->rest_endpoints) {
        if (e.route->method == method) throw std::invalid_argument("duplicate route: " + r->path_template);
      }
      node->rest_template = r->path_template;
      node->rest_endpoints.push_back(std::move(ep));
      return;
    }
    if (IsParam(seg)) {
      ep.param_names.emplace_back(seg.substr(1, seg.size() - 2));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      auto it = node->literals.find(seg);
      if (it == node->literals.end()) it = node->literals.emplace(std::string(seg), std::make_unique<Node>()).first;
      node = it->second.get();
    }
  }
  for (const Endpoint& e : node->endpoints) {
    if (e.route->method == method) throw std::invalid_argument("duplicate route: " + std::string(method) + " " + r->path_template);
  }
  node->path_template = r->path_template;
  node->endpoints.push_back(std::move(ep));
}

void Router::AddWebSocket(std::string_view path_template, std::shared_ptr<WsHandler> handler,
                          WsOptions ws_options, RouteOptions options, Handler accept) {
  if (!accept) accept = [](Request&) { return Response::Empty(101); };
  Add("GET", path_template, std::move(accept), std::move(options));
  Route& route = *routes_.back();
  route.websocket = std::move(handler);
  route.ws_options = ws_options;
}

void Router::SetFallback(std::string_view path_template, Handler handler, RouteOptions options) {
  fallback_ = std::make_unique<Route>();
  fallback_->method = "GET";
  fallback_->path_template = std::string(path_template);
  fallback_->handler = std::move(handler);
  fallback_->options = std::move(options);
}

void Router::Use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

// Depth-first in priority order (literal, parameter, rest); stops at the first node that has the method.
bool Router::Node::Visit(size_t i, Walk& w, std::string_view path) const {
  const Node& node = *this;
  {
    if (i == w.segments.size() && !node.endpoints.empty()) {
      if (!w.first_path_match) {
        w.first_path_match = &node.endpoints;
        w.first_template = &node.path_template;
        w.first_captured = w.captured;
        w.first_rest = {};
      }
      if (const Endpoint* ep = Find(node.endpoints, w.method)) {
        w.found = ep;
        w.found_template = &node.path_template;
        w.rest = {};
        return true;
      }
    }
    if (i < w.segments.size()) {
      auto it = node.literals.find(w.segments[i]);
      if (it != node.literals.end() && it->second->Visit(i + 1, w, path)) return true;
      if (node.param && !w.segments[i].empty()) {
        w.captured.push_back(w.segments[i]);
        if (node.param->Visit(i + 1, w, path)) return true;
        w.captured.pop_back();
      }
    }
    if (!node.rest_endpoints.empty()) {
      std::string_view rest = RestOf(path, w.segments, i);
      if (!w.first_path_match) {
        w.first_path_match = &node.rest_endpoints;
        w.first_template = &node.rest_template;
        w.first_captured = w.captured;
        w.first_rest = rest;
      }
      if (const Endpoint* ep = Find(node.rest_endpoints, w.method)) {
        w.found = ep;
        w.found_template = &node.rest_template;
        w.rest = rest;
        return true;
      }
    }
    return false;
  }
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  Walk w;
  w.method = method;
  w.segments = SplitPath(path);
  w.captured.reserve(w.segments.size());
  RouteMatch m;
  auto fill_params = [&m](const Endpoint& ep, const std::vector<std::string_view>& captured, std::string_view rest) {
    for (size_t k = 0; k < ep.param_names.size() && k < captured.size(); ++k)
      m.params.emplace(ep.param_names[k], std::string(captured[k]));
    if (!ep.rest_name.empty()) m.params.emplace(ep.rest_name, std::string(rest));
  };
  if (root_->Visit(0, w, path)) {
    m.kind = RouteMatch::Kind::kFound;
    m.route = w.found->route;
    m.path_template = *w.found_template;
    fill_params(*w.found, w.captured, w.rest);
    return m;
  }
  if (!w.first_path_match) {
    if (fallback_ && (method == "GET" || method == "HEAD")) {
      m.kind = RouteMatch::Kind::kFound;
      m.route = fallback_.get();
      m.path_template = fallback_->path_template;
    }
    return m;
  }
  m.path_template = *w.first_template;
  m.allow = Node::Allow(*w.first_path_match);
  m.kind = method == "OPTIONS" ? RouteMatch::Kind::kOptions : RouteMatch::Kind::kMethodNotAllowed;
  fill_params(w.first_path_match->front(), w.first_captured, w.first_rest);
  return m;
}

namespace {

/// The middleware chain position, so `next` captures one pointer and std::function does not allocate.
struct Chain {
  const std::vector<Middleware>* middleware;
  const Handler* terminal;
  size_t index;
};

Response RunChain(const Chain& chain, Request& req) {
  if (chain.index == chain.middleware->size()) return (*chain.terminal)(req);
  Chain next_chain{chain.middleware, chain.terminal, chain.index + 1};
  const Chain* next_ptr = &next_chain;
  Handler next = [next_ptr](Request& r) { return RunChain(*next_ptr, r); };
  return (*chain.middleware)[chain.index](req, next);
}

Response Answer(const RouteMatch& match, Request& req) {
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      return Response::FromError(MakeError(ErrorCode::kNotFound, "No such resource.", "not_found"), req.request_id);
    case RouteMatch::Kind::kMethodNotAllowed: {
      Response r = Response::FromError(
          MakeError(ErrorCode::kMethodNotAllowed, "Method not allowed on this resource.", "method_not_allowed"),
          req.request_id);
      r.headers.Set("Allow", match.allow);
      return r;
    }
    case RouteMatch::Kind::kOptions: {
      Response r = Response::Empty(204);
      r.headers.Set("Allow", match.allow);
      return r;
    }
    case RouteMatch::Kind::kFound:
      break;
  }
  return match.route->handler(req);
}

}  // namespace

Response Router::Dispatch(Request& req, const RouteMatch& match) const {
  req.params = match.params;
  if (match.kind == RouteMatch::Kind::kNotFound) {
    req.route = "unmatched";
    req.route_class = "default";
  } else {
    req.route = match.path_template;
    req.route_class = match.route ? match.route->options.rate_class : "default";
  }
  const RouteMatch* m = &match;
  Handler terminal = [m](Request& r) { return Answer(*m, r); };
  try {
    return RunChain(Chain{&middleware_, &terminal, 0}, req);
  } catch (const std::exception& e) {
    log::Error("handler threw", {{"method", req.method}, {"route", req.route}, {"detail", e.what()}});
  } catch (...) {
    log::Error("handler threw", {{"method", req.method}, {"route", req.route}, {"detail", "unknown exception"}});
  }
  return Response::FromError(Internal("handler exception"), req.request_id);
}

Response Router::Handle(Request& req) const {
  RouteMatch match = Match(req.method, req.path);
  return Dispatch(req, match);
}

}  // namespace veza::http
