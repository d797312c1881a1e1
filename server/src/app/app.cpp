#include "app/app.h"

#include <filesystem>

#include "app/health.h"
#include "app/system_routes.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/migrate.h"
#include "db/session.h"
#include "http/server.h"
#include "http/static_files.h"
#include "observability/metrics.h"
#include "observability/process.h"
#include "storage/local_store.h"

namespace veza::app {

namespace {

namespace fs = std::filesystem;

Result<std::unique_ptr<db::Database>> OpenDatabase(const Config& config) {
  db::DatabaseOptions options;
  options.pool_size = config.db_pool_size;
  options.busy_timeout_ms = config.db_busy_timeout_ms;
  return db::Open(config.database_url, options);
}

void LogError(std::string_view what, const Error& e) {
  log::Error(what, {{"error", e.message}, {"detail", e.detail}});
}

Status EnsureSchema(const Config& config, db::Database& database) {
  const auto& migrations = db::EmbeddedMigrations();
  if (config.db_migrate_on_start) {
    VEZA_ASSIGN_OR_RETURN(db::MigrationState state, db::Migrate(database, migrations));
    log::Info("database schema ready", {{"version", state.applied_version}});
    return Ok();
  }
  VEZA_ASSIGN_OR_RETURN(db::MigrationState state, db::InspectMigrations(database, migrations));
  if (state.pending > 0) {
    log::Warn("database has pending migrations; run `veza migrate`", {{"pending", state.pending}});
  }
  return Ok();
}

http::ServerOptions ServerOptionsFrom(const Config& config) {
  http::ServerOptions o;
  SplitHostPort(config.listen, o.host, o.port);
  o.io_threads = config.http_io_threads;
  o.handler_threads = config.http_handler_threads;
  o.max_header_bytes = static_cast<size_t>(config.http_max_header_bytes);
  o.header_timeout_ms = config.http_header_timeout_ms;
  o.body_timeout_ms = config.http_body_timeout_ms;
  o.idle_timeout_ms = config.http_idle_timeout_ms;
  o.max_connections = static_cast<size_t>(config.http_max_connections);
  o.shutdown_deadline_ms = config.http_shutdown_deadline_ms;
  o.spool_dir = config.data_dir + "/tmp";
  return o;
}

std::string DialectName(db::Dialect d) { return d == db::Dialect::kSqlite ? "sqlite" : "postgresql"; }

}  // namespace

int MigrateCommand(const Config& config, bool status_only) {
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  auto database = OpenDatabase(config);
  if (!database.ok()) {
    LogError("cannot open the database", database.error());
    return 1;
  }
  const auto& migrations = db::EmbeddedMigrations();
  auto state = status_only ? db::InspectMigrations(**database, migrations) : db::Migrate(**database, migrations);
  if (!state.ok()) {
    LogError(status_only ? "cannot read the migration state" : "migration failed", state.error());
    return 1;
  }
  std::printf("schema version %lld (binary knows %lld), %d pending\n",
              static_cast<long long>(state->applied_version), static_cast<long long>(state->embedded_version),
              state->pending);
  return 0;
}

int Serve(const Config& config) {
  SystemClock clock;
  const int64_t started_ms = clock.NowMs();

  std::error_code ec;
  fs::create_directories(config.data_dir + "/tmp", ec);
  if (ec) {
    log::Error("cannot create the data directory", {{"path", config.data_dir}, {"error", ec.message()}});
    return 1;
  }

  auto database = OpenDatabase(config);
  if (!database.ok()) {
    LogError("cannot open the database", database.error());
    return 1;
  }
  if (Status s = EnsureSchema(config, **database); !s.ok()) {
    LogError("cannot prepare the database schema", s.error());
    return 1;
  }
  auto objects = storage::LocalObjectStore::Open(config.objects_dir);
  if (!objects.ok()) {
    LogError("cannot open object storage", objects.error());
    return 1;
  }

  obs::Registry registry;
  obs::RegisterProcessMetrics(registry);

  http::Router router;
  // MIDDLEWARE_WIRING

  HealthTargets health{.database = **database,
                       .objects = **objects,
                       .clock = clock,
                       .data_dir = config.data_dir,
                       .min_free_disk_bytes = config.health_min_free_disk_bytes,
                       .redis_url = config.redis_url,
                       .node_id = config.node_id,
                       .summary = {{"version", VEZA_VERSION},
                                   {"env", config.env},
                                   {"database", (*database)->Describe()},
                                   {"objects", (*objects)->Describe()},
                                   {"redis", config.redis_url.empty() ? "not configured" : db::RedactUrl(config.redis_url)}}};
  RegisterHealthRoutes(router, health);
  SystemInfo info{.version = VEZA_VERSION,
                  .env = config.env,
                  .node_id = config.node_id,
                  .public_url = config.public_url,
                  .database_dialect = DialectName((*database)->dialect()),
                  .started_ms = started_ms};
  RegisterSystemRoutes(router, registry, info, clock, config.debug_routes);

  http::Server server(ServerOptionsFrom(config), router);
  uint16_t port = server.Listen();
  std::string host;
  uint16_t ignored = 0;
  SplitHostPort(config.listen, host, ignored);
  std::string url = "http://" + host + ":" + std::to_string(port);
  log::Info("veza is serving", {{"url", url},
                                 {"data", fs::absolute(config.data_dir).lexically_normal().string()},
                                 {"database", (*database)->Describe()},
                                 {"env", config.env}});
  server.Run();
  log::Info("veza stopped");
  return 0;
}

}  // namespace veza::app
