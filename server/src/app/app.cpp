#include "app/app.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <filesystem>

#include "app/components.h"
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
#include "kv/memory_store.h"
#include "kv/redis_store.h"
#include "middleware/rate_limit_kv_store.h"
#include "middleware/rate_limit_store.h"
#include "observability/metrics.h"
#include "observability/process.h"
#include "storage/local_store.h"
#include "storage/s3_store.h"

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
  router.Use(middleware::AccessLog(clock, {.enabled = config.access_log, .sink = {}}));
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
  router.SetFallback("/{path...}", [f = files.get()](http::Request& req) { return f->Serve(req); },
                     {.io_thread = true, .rate_class = "static"});
}

Result<std::unique_ptr<storage::ObjectStore>> OpenObjectStore(const Config& config, const Clock& clock) {
  if (config.storage_backend == "s3") {
    storage::S3Config s3;
    s3.endpoint = config.s3_endpoint;
    s3.region = config.s3_region;
    s3.bucket = config.s3_bucket;
    s3.access_key = config.s3_access_key;
    s3.secret_key = config.s3_secret_key;
    s3.path_style = config.s3_path_style;
    VEZA_ASSIGN_OR_RETURN(auto store, storage::S3ObjectStore::Open(s3, clock));
    return std::unique_ptr<storage::ObjectStore>(std::move(store));
  }
  VEZA_ASSIGN_OR_RETURN(auto store, storage::LocalObjectStore::Open(config.objects_dir));
  return std::unique_ptr<storage::ObjectStore>(std::move(store));
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

namespace {

Result<std::unique_ptr<kv::Store>> OpenKvStore(const Config& config, const Clock& clock) {
  if (config.redis_url.empty()) return std::unique_ptr<kv::Store>(std::make_unique<kv::MemoryStore>(clock));
  VEZA_ASSIGN_OR_RETURN(auto redis, kv::RedisStore::Open({.url = config.redis_url}));
  return std::unique_ptr<kv::Store>(std::move(redis));
}

}  // namespace

Result<std::unique_ptr<Components>> OpenComponents(const Config& config) {
  std::error_code ec;
  fs::create_directories(config.data_dir + "/tmp", ec);
  if (ec) {
    return Unavailable("Cannot create the data directory " + config.data_dir + ": " + ec.message() + ".");
  }
  auto c = std::make_unique<Components>(config);
  VEZA_ASSIGN_OR_RETURN(c->database, OpenDatabase(config));
  VEZA_TRY(EnsureSchema(config, *c->database));
  VEZA_ASSIGN_OR_RETURN(c->objects, OpenObjectStore(config, c->clock));
  c->queue = std::make_unique<jobs::DbQueue>(*c->database, c->ids, c->clock);
  // Without SMTP, mail stays in the outbox (`veza admin outbox`); with it, a job delivers each message.
  jobs::Queue* mail_queue = config.smtp_url.empty() ? nullptr : c->queue.get();
  VEZA_ASSIGN_OR_RETURN(c->kv, OpenKvStore(config, c->clock));
  c->identity = BuildIdentity(config, *c->database, *c->objects, c->ids, c->clock, mail_queue, *c->kv);
  obs::RegisterProcessCollector(c->registry);
  return c;
}

int Serve(const Config& config) {
  auto opened = OpenComponents(config);
  if (!opened.ok()) {
    LogError("cannot start", opened.error());
    return 1;
  }
  Components& c = **opened;
  const int64_t started_ms = c.clock.NowMs();

  std::unique_ptr<http::Server> server;
  RegisterRuntimeMetrics(c.registry, *c.database, server);

  // One node keeps its buckets in the sharded in-memory store; nodes sharing a Redis share buckets.
  std::unique_ptr<middleware::RateLimitStore> rate_limits;
  if (config.redis_url.empty()) {
    rate_limits = std::make_unique<middleware::MemoryRateLimitStore>();
  } else {
    rate_limits = std::make_unique<middleware::KvRateLimitStore>(*c.kv);
  }
  http::Router router;
  UseMiddleware(router, config, c.clock, c.registry, *rate_limits, auth::Authentication(*c.identity->auth));

  HealthTargets health{.database = *c.database,
                       .objects = *c.objects,
                       .clock = c.clock,
                       .data_dir = config.data_dir,
                       .min_free_disk_bytes = config.health_min_free_disk_bytes,
                       .redis_url = config.redis_url,
                       .node_id = config.node_id,
                       .summary = {{"version", VEZA_VERSION},
                                   {"env", config.env},
                                   {"database", c.database->Describe()},
                                   {"objects", c.objects->Describe()},
                                   {"redis", config.redis_url.empty() ? "not configured" : db::RedactUrl(config.redis_url)}}};
  RegisterHealthRoutes(router, health);
  SystemInfo info{.version = VEZA_VERSION,
                  .env = config.env,
                  .node_id = config.node_id,
                  .public_url = config.public_url,
                  .database_dialect = DialectName(c.database->dialect()),
                  .started_ms = started_ms};
  RegisterSystemRoutes(router, c.registry, info, c.clock, config.debug_routes);
  WireDomains(c, router);
  std::unique_ptr<http::StaticFiles> web_client;
  RegisterWebClient(router, config, web_client);

  jobs::Runner runner(*c.queue, c.clock, RunnerOptionsFrom(config), JobMetrics(c.registry, *c.queue));
  if (config.jobs_in_serve && !StartRunner(runner, c.job_handlers)) return 1;

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
                                 {"database", c.database->Describe()},
                                 {"env", config.env}});
  server->Run();
  server.reset();  // before the router and stores it refers to
  runner.Stop(std::chrono::milliseconds(config.http_shutdown_deadline_ms));
  log::Info("veza stopped");
  return 0;
}

int Work(const Config& config) {
  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto opened = OpenComponents(config);
  if (!opened.ok()) {
    LogError("cannot start", opened.error());
    return 1;
  }
  Components& c = **opened;
  http::Router unused_routes;  // domains register routes and handlers together; a worker serves none
  WireDomains(c, unused_routes);
  jobs::Runner runner(*c.queue, c.clock, RunnerOptionsFrom(config), JobMetrics(c.registry, *c.queue));
  if (c.job_handlers.empty()) {
    log::Error("no job kinds are registered in this build; nothing to work on");
    return 1;
  }
  if (!StartRunner(runner, c.job_handlers)) return 1;
  log::Info("veza worker is running", {{"database", c.database->Describe()}});
  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::Info("signal received, finishing running jobs", {{"signal", signal}});
  bool finished = runner.Stop(std::chrono::milliseconds(config.http_shutdown_deadline_ms));
  log::Info("veza worker stopped", {{"all_jobs_finished", finished}});
  return 0;
}

}  // namespace veza::app
