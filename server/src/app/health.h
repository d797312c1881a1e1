#pragma once
/// Liveness (`GET /health`, no I/O) and readiness (`GET /health/deep`, every dependency probed).

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "db/session.h"
#include "http/router.h"
#include "storage/object_store.h"

namespace veza::app {

struct HealthTargets {
  db::Database& database;
  storage::ObjectStore& objects;
  const Clock& clock;
  std::string data_dir;
  int64_t min_free_disk_bytes = 0;
  std::string redis_url;  // empty: not configured, not checked
  int node_id = 0;
  std::vector<std::pair<std::string, std::string>> summary;  // secret-free config facts to show
};

struct CheckResult {
  std::string name;
  bool ok = false;
  double duration_ms = 0;
  std::string message;  // what failed, safe to show operators; empty when ok
  std::vector<std::pair<std::string, std::string>> facts;  // e.g. schema version, free bytes
};

/// Runs every readiness check in turn; each is bounded in time.
std::vector<CheckResult> RunHealthChecks(HealthTargets& targets);

void RegisterHealthRoutes(http::Router& router, HealthTargets& targets);

}  // namespace veza::app
