#include "app/app.h"

#include <filesystem>

#include "app/health.h"
#include "app/identity.h"
#include "app/system_routes.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/migrate.h"
#include "db/session.h"
#include "http/server.h"
#include "http/static_files.h"
#include "middleware/middleware.h"
#include "middleware/rate_limit_store.h"
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

middleware::RateLimitOptions RateLimitsFrom(const Config& config) {
  middleware::RateLimitOptions options = middleware::DefaultRateLimits();
  for (const auto& [name, limits] : config.rate_limits) {
    options.classes[name] = {
        .per_ip = {static_cast<int64_t>(limits.ip_capacity), limits.ip_per_second},
        .per_principal = {static_cast<int64_t>(limits.user_capacity), limits.user_per_second}};
  }
  return options;
}

void UseMiddleware(http::Router& router, const Config& config, const Clock& clock, obs::Registry& registry,
                   middleware::RateLimitStore& rate_limits, const http::Middleware& authentication) {
  router.Use(middleware::ClientIp(config.http_trusted_proxies));
  router.Use(middleware::RequestId());
  router.Use(middleware::AccessLog(clock, {.enabled = config.access_log}));
  router.Use(middleware::Metrics(registry, clock));
  router.Use(middleware::SecurityHeaders(middleware::SecurityHeadersOptions::ForPublicUrl(config.public_url)));
  router.Use(middleware::Cors({.allowed_origins = config.cors_allowed_origins}));
  router.Use(middleware::Recover());
  if (authentication) router.Use(authentication);
  if (config.rate_limit_enabled) router.Use(middleware::RateLimit(rate_limits, clock, RateLimitsFrom(config)));
}

void RegisterRuntimeMetrics(obs::Registry& registry, db::Database& database,
                            const std::unique_ptr<http::Server>& server) {
  auto stat = [&server](int64_t http::ServerStats::*field) {
    return [&server, field] { return server ? static_cast<double>(server->Stats().*field) : 0.0; };
  };
  registry.AddCallbackGauge("veza_http_open_connections", "Open client connections.",
                            stat(&http::ServerStats::open_connections));
  registry.AddCallbackGauge("veza_http_open_websockets", "Open WebSocket connections.",
                            stat(&http::ServerStats::open_websockets));
  registry.AddCallbackCounter("veza_http_rejected_connections_total",
                              "Connections closed at once because http.max_connections was reached.",
                              stat(&http::ServerStats::rejected_connections));
  registry.AddCallbackGauge("veza_db_pool_connections", "Database connections open.",
                            [&database] { return static_cast<double>(database.Stats().total); });
  registry.AddCallbackGauge("veza_db_pool_connections_in_use", "Database connections lent out.",
                            [&database] { return static_cast<double>(database.Stats().in_use); });
  registry.AddCallbackCounter("veza_db_pool_waits_total", "Times a caller waited for a free database connection.",
                              [&database] { return static_cast<double>(database.Stats().waits); });
}

void RegisterWebClient(http::Router& router, const Config& config, std::unique_ptr<http::StaticFiles>& files) {
  if (!fs::is_directory(config.web_root)) {
    log::Warn("the web client is not built; `make build` builds it", {{"web_root", config.web_root}});
    return;
  }
  files = std::make_unique<http::StaticFiles>(http::StaticFilesOptions{.root = config.web_root});
  router.Get("/{path...}", [f = files.get()](http::Request& req) { return f->Serve(req); },
             {.io_thread = true, .rate_class = "static"});
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
  obs::RegisterProcessCollector(registry);
  std::unique_ptr<http::Server> server;
  RegisterRuntimeMetrics(registry, **database, server);

  // Mail waits in the outbox until the job queue is wired here (mail.deliver → identity->delivery).
  std::unique_ptr<Identity> identity = BuildIdentity(config, **database, clock, /*queue=*/nullptr);

  middleware::MemoryRateLimitStore rate_limits;
  http::Router router;
  UseMiddleware(router, config, clock, registry, rate_limits, auth::Authentication(*identity->auth));
  RegisterIdentityRoutes(router, config, *identity);

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
  std::unique_ptr<http::StaticFiles> web_client;
  RegisterWebClient(router, config, web_client);

  server = std::make_unique<http::Server>(ServerOptionsFrom(config), router);
  uint16_t port = 0;
  try {
    port = server->Listen();
  } catch (const std::runtime_error& e) {
    log::Error("cannot listen", {{"listen", config.listen}, {"error", e.what()}});
    return 1;
  }
  std::string host;
  uint16_t ignored = 0;
  SplitHostPort(config.listen, host, ignored);
  std::string url = "http://" + host + ":" + std::to_string(port);
  log::Info("veza is serving", {{"url", url},
                                 {"data", fs::absolute(config.data_dir).lexically_normal().string()},
                                 {"database", (*database)->Describe()},
                                 {"env", config.env}});
  server->Run();
  server.reset();  // before the router and stores it refers to
  log::Info("veza stopped");
  return 0;
}

}  // namespace veza::app
