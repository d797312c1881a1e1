#include "app/system_routes.h"

#include <chrono>
#include <thread>

#include "core/json.h"
#include "core/log.h"
#include "observability/metrics.h"

namespace veza::app {

void RegisterSystemRoutes(http::Router& router, obs::Registry& registry, const SystemInfo& info,
                          const Clock& clock, bool debug_routes) {
  router.Get("/metrics", [&registry](http::Request&) {
    return http::Response::Text(200, registry.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  router.Get("/api/v1/openapi.yaml", [](http::Request&) {
    http::Response r = http::Response::Text(200, std::string(OpenApiYaml()), "application/yaml; charset=utf-8");
    r.headers.Set("Cache-Control", "no-cache");
    return r;
  }, {.io_thread = true});

  router.Get("/api/v1/instance", [&info, &clock](http::Request&) {
    json::bj::object o;
    o["name"] = "veza";
    o["version"] = info.version;
    o["env"] = info.env;
    o["node_id"] = info.node_id;
    o["public_url"] = info.public_url;
    o["database"] = info.database_dialect;
    o["started_at"] = FormatRfc3339(info.started_ms);
    o["time"] = FormatRfc3339(clock.NowMs());
    return http::Response::Json(200, json::Serialize(o));
  });

  // Errors the web client caught (error boundary, failed chunk loads): logged so operators see them.
  auto& client_errors = registry.AddCounter("veza_client_errors_total", "Errors reported by web clients.", {});
  router.Post("/api/v1/client-errors", [&client_errors](http::Request& req) {
    auto body = json::ParseObject(req.body);
    if (!body.ok()) return http::Response::FromError(body.error(), req.request_id);
    json::ObjectReader r(*body);
    std::string message = r.RequiredString("message", {.min_len = 1, .max_len = 2000});
    auto stack = r.OptionalString("stack", {.max_len = 10'000, .trim = false});
    auto url = r.OptionalString("url", {.max_len = 2000});
    auto release = r.OptionalString("release", {.max_len = 100});
    if (Status s = r.Finish(); !s.ok()) return http::Response::FromError(s.error(), req.request_id);
    client_errors.Get().Inc();
    log::Warn("client error", {{"request_id", req.request_id},
                               {"message", message},
                               {"url", url.value_or("")},
                               {"release", release.value_or("")},
                               {"stack", stack.value_or("")}});
    return http::Response::Empty(204);
  }, {.max_body_bytes = 16 * 1024});

  if (!debug_routes) return;
  // Holds a handler thread for `ms` milliseconds: lets operators and tests watch graceful shutdown.
  router.Get("/api/v1/debug/sleep", [](http::Request& req) {
    int64_t ms = 0;
    auto text = req.QueryParam("ms").value_or("1000");
    try {
      ms = std::stoll(text);
    } catch (const std::exception&) {
      return http::Response::FromError(Validation({{"ms", "must be an integer"}}), req.request_id);
    }
    if (ms < 0 || ms > 30'000) {
      return http::Response::FromError(Validation({{"ms", "must be between 0 and 30000"}}), req.request_id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    json::bj::object o;
    o["slept_ms"] = ms;
    return http::Response::Json(200, json::Serialize(o));
  });
}

}  // namespace veza::app
