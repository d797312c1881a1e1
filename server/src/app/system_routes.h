#pragma once
/// Instance-level routes: metrics, the API contract, instance facts and operator debug routes.

#include <string>
#include <string_view>

#include "core/clock.h"
#include "http/router.h"

namespace veza::obs {
class Registry;
}

namespace veza::app {

struct SystemInfo {
  std::string version;
  std::string env;
  int node_id = 0;
  std::string public_url;
  std::string database_dialect;  // sqlite | postgresql
  int64_t started_ms = 0;
};

/// The embedded docs/openapi.yaml.
std::string_view OpenApiYaml();

void RegisterSystemRoutes(http::Router& router, obs::Registry& registry, const SystemInfo& info,
                          const Clock& clock, bool debug_routes);

}  // namespace veza::app
