#pragma once
/// The one validated configuration: defaults < veza.toml < VEZA_* environment < command-line flags.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace veza::app {

struct RateLimitClass {
  double ip_capacity = 0;       // burst per client IP; 0 = unlimited
  double ip_per_second = 0;     // refill per second
  double user_capacity = 0;     // burst per signed-in principal; 0 = unlimited
  double user_per_second = 0;
};

struct Config {
  std::string env = "development";  // development | production
  std::string listen = "127.0.0.1:8080";
  std::string public_url = "http://127.0.0.1:8080";
  std::string data_dir = "data";
  std::string database_url;         // default: sqlite:<data_dir>/veza.db
  std::string objects_dir;          // default: <data_dir>/objects
  std::string storage_backend = "local";  // local | s3
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  std::string s3_bucket;
  std::string s3_access_key;
  std::string s3_secret_key;
  bool s3_path_style = true;
  std::string web_root = "web/dist";
  int node_id = 0;

  std::string log_format;           // text | json; default text in development, json in production
  std::string log_level = "info";
  bool access_log = true;

  int http_io_threads = 2;
  int http_handler_threads = 8;
  int64_t http_max_header_bytes = 16 * 1024;
  int64_t http_max_body_bytes = 1024 * 1024;
  int http_header_timeout_ms = 10'000;
  int http_body_timeout_ms = 60'000;
  int http_idle_timeout_ms = 75'000;
  int64_t http_max_connections = 20'000;
  int http_shutdown_deadline_ms = 15'000;

  int db_pool_size = 8;
  int db_busy_timeout_ms = 5'000;
  bool db_migrate_on_start = true;

  int jobs_workers = 0;             // 0: one per core
  int64_t jobs_lease_ms = 60'000;
  bool jobs_in_serve = true;        // `serve` runs background jobs too; false when `veza worker` nodes do

  std::string redis_url;            // empty: in-process pub/sub, presence and rate limits
  std::vector<std::string> cors_allowed_origins;
  std::vector<std::string> http_trusted_proxies;  // whose X-Forwarded-For names the client
  bool rate_limit_enabled = true;
  std::map<std::string, RateLimitClass> rate_limits;  // by route class

  int64_t health_min_free_disk_bytes = 512LL * 1024 * 1024;
  bool debug_routes = false;        // /api/v1/debug/* for operators testing shutdown and timeouts

  std::string jwt_secret;           // signs access tokens
  std::string previous_jwt_secret;  // after a rotation: still opens TOTP secrets sealed under the old one
  std::string stream_token_secret;  // signs media URLs

  std::string config_file;          // where the file layer came from, if any

  // Identity (auth.*, smtp.*): see IdentitySettings() in config.cpp.
  int64_t auth_access_ttl_s = 15 * 60;
  int64_t auth_recent_sign_in_s = 10 * 60;  // password-less accounts: how recent a sign-in re-authenticates
  int64_t auth_refresh_ttl_s = 30LL * 24 * 3600;
  int64_t auth_argon2_ops = 2;             // Argon2id passes
  int64_t auth_argon2_mem_kib = 64 * 1024; // Argon2id memory
  int64_t auth_session_cache_ms = 0;       // >0: how long one node trusts an "active session" answer
  int64_t auth_stream_token_ttl_s = 300;
  int64_t auth_login_account_free_failures = 5;
  int64_t auth_login_ip_free_failures = 20;
  std::string smtp_url;                    // empty: mail stays in the outbox
  std::string smtp_username;
  std::string smtp_password;
  std::string smtp_from = "Veza <noreply@localhost>";
  std::string smtp_starttls = "required";  // required | opportunistic | off
  int64_t smtp_timeout_ms = 30'000;
  bool smtp_verify_tls = true;

  // OAuth sign-in providers, `oauth.<provider>.<field>` (VEZA_OAUTH_<PROVIDER>_<FIELD>): client_id and
  // client_secret enable the spotify and discord presets; other providers also need their URLs
  // (see auth::OAuthSettingFields). Outbound HTTP, net.*: see OAuthAndNetSettings() in config.cpp.
  std::map<std::string, std::map<std::string, std::string>> oauth_providers;
  bool net_allow_private_addresses = false;  // only tests and closed networks: disables the SSRF guard
  int64_t net_timeout_ms = 15'000;
  int64_t auth_oauth_code_ttl_s = 120;       // the one-time code the web client trades for tokens
  int64_t users_username_grace_days = 30;  // a deleted account's username is held this long
  // Uploads (tracks.*, uploads.*): one cap and one quota for multipart and resumable (tus) uploads.
  int64_t tracks_max_upload_bytes = 2LL * 1024 * 1024 * 1024;
  int64_t tracks_quota_bytes = 5LL * 1024 * 1024 * 1024;  // per user, unfinished uploads included
  int64_t uploads_expiry_s = 24 * 3600;                    // an idle resumable upload is dropped after this
  int64_t uploads_cleanup_interval_s = 600;                // how often expired uploads are removed

  // Media delivery (media.*): with an object store that has no local files (S3), playlists always pass
  // through us (they carry the stream token); segments, downloads and covers are read through us
  // ("proxy") or answered with a 302 to a presigned URL of the store ("redirect").
  std::string media_delivery = "proxy";
};

struct ConfigLoad {
  Config config;
  std::vector<std::string> problems;  // every problem found; empty means valid
};

/// Reads every layer. `argv` holds only option arguments (after the subcommand).
/// `env` is injected so tests can pass their own environment.
ConfigLoad LoadConfig(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

/// Checks values and, when env == "production", refuses insecure defaults, naming each setting.
std::vector<std::string> Validate(const Config& config);

/// The effective configuration as TOML-like text with secrets redacted (`veza config check`).
std::string Describe(const Config& config);

/// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

/// Splits "host:port"; false when malformed.
bool SplitHostPort(const std::string& listen, std::string& host, uint16_t& port);

/// Development-only secrets used when none are configured; production refuses them.
inline constexpr const char* kDevJwtSecret = "veza-development-jwt-secret-change-me";
inline constexpr const char* kDevStreamSecret = "veza-development-stream-secret-change-me";

}  // namespace veza::app
