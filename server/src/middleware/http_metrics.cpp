#include <charconv>
#include <memory>

#include "middleware/middleware.h"
#include "observability/metrics.h"

namespace veza::middleware {

namespace {

/// Method label from a fixed set, so arbitrary client methods cannot grow the series.
std::string_view MethodLabel(std::string_view m) {
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view k : kKnown) {
    if (m == k) return k;
  }
  return "OTHER";
}

struct Families {
  obs::CounterFamily& requests;
  obs::HistogramFamily& duration;
  obs::Gauge& in_flight;
  obs::Counter& bytes;
  const Clock& clock;
};

/// Decrements the in-flight gauge however the handler exits.
struct InFlight {
  explicit InFlight(obs::Gauge& g) : gauge(g) { gauge.Inc(); }
  ~InFlight() { gauge.Dec(); }
  obs::Gauge& gauge;
};

void Record(const Families& f, const http::Request& req, int status, uint64_t bytes) {
  std::string_view method = MethodLabel(req.method);
  std::string_view route = req.route.empty() ? std::string_view("unmatched") : std::string_view(req.route);
  char status_buf[8];
  auto [end, ec] = std::to_chars(status_buf, status_buf + sizeof status_buf, status);
  std::string_view status_label(status_buf, static_cast<size_t>(end - status_buf));
  f.requests.WithLabels({method, route, status_label}).Inc();
  int64_t ns = f.clock.MonotonicNs() - req.started_ns;
  f.duration.WithLabels({method, route}).Observe(ns > 0 ? static_cast<double>(ns) / 1e9 : 0.0);
  f.bytes.Inc(bytes);
}

}  // namespace

http::Middleware Metrics(obs::Registry& registry, const Clock& clock) {
  auto f = std::make_shared<const Families>(Families{
      registry.AddCounter("veza_http_requests_total", "HTTP requests answered, by method, route template and status.",
                          {"method", "route", "status"}),
      registry.AddHistogram("veza_http_request_duration_seconds",
                            "Time from the complete request head to the response, by method and route template.",
                            {"method", "route"}),
      registry.AddGauge("veza_http_requests_in_flight", "HTTP requests being handled.").Get(),
      registry.AddCounter("veza_http_response_bytes_total", "Response body bytes (files included).").Get(),
      clock});
  return [f](http::Request& req, const http::Handler& next) {
    if (req.started_ns == 0) req.started_ns = f->clock.MonotonicNs();
    InFlight in_flight(f->in_flight);
    http::Response resp;
    try {
      resp = next(req);
    } catch (...) {
      Record(*f, req, 500, 0);
      throw;
    }
    Record(*f, req, resp.status, resp.file ? resp.file->length : resp.body.size());
    return resp;
  };
}

}  // namespace veza::middleware
