#include <charconv>
#include <memory>
#include <string>

#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

std::string IntString(int64_t v) {
  std::string s;
  AppendInt(s, v);
  return s;
}

struct State {
  RateLimitStore& store;
  const Clock& clock;
  RateLimitOptions options;
  const std::pair<const std::string, RouteClassLimits>* fallback;  // "default", may be null

  /// The class's entry, or "default" (whose buckets unknown classes then share).
  const std::pair<const std::string, RouteClassLimits>* LimitsFor(std::string_view route_class) const {
    auto it = options.classes.find(route_class);
    return it != options.classes.end() ? &*it : fallback;
  }
};

http::Response Denied(const http::Request& req, const Decision& d) {
  int64_t seconds = std::max<int64_t>(1, (d.retry_after_ms + 999) / 1000);
  Error e;
  e.code = ErrorCode::kRateLimited;
  e.slug = "rate_limited";
  e.message = "Too many requests; retry in " + IntString(seconds) + (seconds == 1 ? " second." : " seconds.");
  e.retry_after_s = static_cast<int>(std::min<int64_t>(seconds, INT32_MAX));
  return http::Response::FromError(e, req.request_id);
}

}  // namespace

RateLimitOptions DefaultRateLimits() {
  RateLimitOptions o;
  // Bursts for page loads that fan out into a dozen API calls, steady rates far above human use.
  o.classes["default"] = {.per_ip = {.capacity = 120, .refill_per_second = 20},
                          .per_principal = {.capacity = 240, .refill_per_second = 40}};
  // Login, registration, password reset: brute-force targets, a handful a minute.
  o.classes["auth"] = {.per_ip = {.capacity = 10, .refill_per_second = 10.0 / 60},
                       .per_principal = {.capacity = 10, .refill_per_second = 10.0 / 60}};
  // Resumable uploads send many chunk requests.
  o.classes["upload"] = {.per_ip = {.capacity = 30, .refill_per_second = 2},
                         .per_principal = {.capacity = 120, .refill_per_second = 10}};
  o.classes["static"] = {};
  return o;
}

http::Middleware RateLimit(RateLimitStore& store, const Clock& clock, RateLimitOptions options) {
  auto state = std::make_shared<State>(State{store, clock, std::move(options), nullptr});
  auto def = state->options.classes.find(std::string_view("default"));
  if (def != state->options.classes.end()) state->fallback = &*def;

  return [state = std::shared_ptr<const State>(state)](http::Request& req, const http::Handler& next) {
    const auto* entry =
        state->LimitsFor(req.route_class.empty() ? std::string_view("default") : std::string_view(req.route_class));
    if (entry == nullptr) return next(req);
    const std::string& route_class = entry->first;
    const RouteClassLimits* limits = &entry->second;

    const BucketSpec* spec = nullptr;
    thread_local std::string key;  // reused per thread: no allocation per request
    key.clear();
    if (req.principal && !limits->per_principal.unlimited()) {
      spec = &limits->per_principal;
      key += "user:";
      key += route_class;
      key.push_back(':');
      AppendInt(key, req.principal->user_id);
    } else if (!limits->per_ip.unlimited()) {
      spec = &limits->per_ip;
      key += "ip:";
      key += route_class;
      key.push_back(':');
      key += req.remote_ip;
    } else {
      return next(req);
    }

    Decision d = state->store.Take(key, *spec, state->clock.NowMs());
    http::Response resp = d.allowed ? next(req) : Denied(req, d);
    resp.headers.Set("RateLimit-Limit", IntString(d.limit));
    resp.headers.Set("RateLimit-Remaining", IntString(d.remaining));
    return resp;
  };
}

}  // namespace veza::middleware
