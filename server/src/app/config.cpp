#include "app/config.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <toml.hpp>

#include "auth/oauth.h"
#include "db/session.h"
#include "middleware/middleware.h"

extern char** environ;

namespace veza::app {

namespace {

/// One configurable value: its dotted key (file), derived env name and flag, parser and printer.
struct Setting {
  std::string key;
  bool secret = false;
  // Returns a problem description, or nullopt when the text was accepted.
  std::function<std::optional<std::string>(Config&, const std::string&)> set;
  std::function<std::string(const Config&)> get;
};

std::string EnvName(const std::string& key) {
  std::string out = "VEZA_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

template <typename Int>
Setting IntSetting(std::string key, Int Config::*member, int64_t min, int64_t max) {
  Setting s;
  s.key = key;
  s.set = [member, min, max](Config& c, const std::string& text) -> std::optional<std::string> {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) return "must be an integer, got \"" + text + "\"";
    if (v < min || v > max) {
      return "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text;
    }
    c.*member = static_cast<Int>(v);
    return std::nullopt;
  };
  s.get = [member](const Config& c) { return std::to_string(c.*member); };
  return s;
}

Setting StringSetting(std::string key, std::string Config::*member, bool secret = false) {
  Setting s;
  s.key = key;
  s.secret = secret;
  s.set = [member](Config& c, const std::string& text) -> std::optional<std::string> {
    c.*member = text;
    return std::nullopt;
  };
  s.get = [member](const Config& c) { return c.*member; };
  return s;
}

std::optional<bool> ParseBool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return std::nullopt;
}

Setting BoolSetting(std::string key, bool Config::*member) {
  Setting s;
  s.key = key;
  s.set = [member](Config& c, const std::string& text) -> std::optional<std::string> {
    auto b = ParseBool(text);
    if (!b) return "must be true or false, got \"" + text + "\"";
    c.*member = *b;
    return std::nullopt;
  };
  s.get = [member](const Config& c) { return std::string(c.*member ? "true" : "false"); };
  return s;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

Setting ListSetting(std::string key, std::vector<std::string> Config::*member) {
  Setting s;
  s.key = key;
  s.set = [member](Config& c, const std::string& text) -> std::optional<std::string> {
    c.*member = SplitList(text);
    return std::nullopt;
  };
  s.get = [member](const Config& c) {
    std::string out;
    for (const auto& item : c.*member) out += (out.empty() ? "" : ",") + item;
    return out;
  };
  return s;
}

Setting RateSetting(const std::string& cls, const std::string& field, double RateLimitClass::*member) {
  Setting s;
  s.key = "rate_limit." + cls + "." + field;
  s.set = [cls, member](Config& c, const std::string& text) -> std::optional<std::string> {
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v) || v < 0) {
      return "must be a number ≥ 0, got \"" + text + "\"";
    }
    c.rate_limits[cls].*member = v;
    return std::nullopt;
  };
  s.get = [cls, member](const Config& c) {
    auto it = c.rate_limits.find(cls);
    double v = it == c.rate_limits.end() ? 0 : it->second.*member;
    std::ostringstream os;
    os << v;
    return os.str();
  };
  return s;
}

// auth.*, smtp.* and users.*: the identity modules' settings, kept together for easy merging.
std::vector<Setting> IdentitySettings() {
  return {
      IntSetting("auth.access_ttl_s", &Config::auth_access_ttl_s, 60, 24 * 3600),
      IntSetting("auth.recent_sign_in_s", &Config::auth_recent_sign_in_s, 1, 24 * 3600),
      IntSetting("auth.refresh_ttl_s", &Config::auth_refresh_ttl_s, 300, 365LL * 24 * 3600),
      IntSetting("auth.argon2_ops", &Config::auth_argon2_ops, 1, 20),
      IntSetting("auth.argon2_mem_kib", &Config::auth_argon2_mem_kib, 8, 4 * 1024 * 1024),
      IntSetting("auth.session_cache_ms", &Config::auth_session_cache_ms, 0, 60'000),
      IntSetting("auth.stream_token_ttl_s", &Config::auth_stream_token_ttl_s, 10, 24 * 3600),
      IntSetting("auth.login_account_free_failures", &Config::auth_login_account_free_failures, 1, 1000),
      IntSetting("auth.login_ip_free_failures", &Config::auth_login_ip_free_failures, 1, 100'000),
      StringSetting("smtp.url", &Config::smtp_url),
      StringSetting("smtp.username", &Config::smtp_username),
      StringSetting("smtp.password", &Config::smtp_password, /*secret=*/true),
      StringSetting("smtp.from", &Config::smtp_from),
      StringSetting("smtp.starttls", &Config::smtp_starttls),
      IntSetting("smtp.timeout_ms", &Config::smtp_timeout_ms, 100, 600'000),
      BoolSetting("smtp.verify_tls", &Config::smtp_verify_tls),
      IntSetting("users.username_grace_days", &Config::users_username_grace_days, 0, 3650),
  };
}

void ValidateIdentity(const Config& c, std::vector<std::string>& problems) {
  if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 && c.smtp_url.rfind("smtps://", 0) != 0) {
    problems.push_back("smtp.url must start with smtp:// or smtps://");
  }
  if (c.smtp_starttls != "required" && c.smtp_starttls != "opportunistic" && c.smtp_starttls != "off") {
    problems.push_back("smtp.starttls must be required, opportunistic or off");
  }
  if (c.smtp_from.find('@') == std::string::npos) problems.push_back("smtp.from must contain an email address");
  if (c.env == "production" && (c.auth_argon2_ops < 2 || c.auth_argon2_mem_kib < 19 * 1024)) {
    problems.push_back("production: auth.argon2_ops must be at least 2 and auth.argon2_mem_kib at least 19456");
  }
}

// net.* and oauth.*: outbound HTTP and the OAuth providers, whose names are open-ended.
std::vector<Setting> NetSettings() {
  return {
      BoolSetting("net.allow_private_addresses", &Config::net_allow_private_addresses),
      IntSetting("net.timeout_ms", &Config::net_timeout_ms, 100, 600'000),
      IntSetting("auth.oauth_code_ttl_s", &Config::auth_oauth_code_ttl_s, 1, 600),
  };
}

// tracks.* and uploads.*: upload cap, quota and resumable-upload expiry.
std::vector<Setting> UploadSettings() {
  return {
      IntSetting("tracks.max_upload_bytes", &Config::tracks_max_upload_bytes, 1, int64_t{1} << 42),
      IntSetting("tracks.quota_bytes", &Config::tracks_quota_bytes, 0, int64_t{1} << 50),
      IntSetting("uploads.expiry_s", &Config::uploads_expiry_s, 1, 365LL * 24 * 3600),
      IntSetting("uploads.cleanup_interval_s", &Config::uploads_cleanup_interval_s, 1, 24 * 3600),
  };
}

constexpr std::string_view kOAuthPrefix = "oauth.";

bool IsOAuthSecret(const std::string& field) { return field == "client_secret"; }

// "oauth.<provider>.<field>"; the provider and field are checked by ValidateOAuth.
std::optional<std::string> ApplyOAuth(Config& c, const std::string& key, const std::string& value) {
  std::string rest = key.substr(kOAuthPrefix.size());
  size_t dot = rest.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == rest.size()) return "must be oauth.<provider>.<field>";
  c.oauth_providers[rest.substr(0, dot)][rest.substr(dot + 1)] = value;
  return std::nullopt;
}

// VEZA_OAUTH_<PROVIDER>_<FIELD>: the field is matched from the end, so provider names may hold '_'.
void ApplyOAuthEnv(Config& c, const std::map<std::string, std::string>& env, std::vector<std::string>& problems) {
  const std::string prefix = "VEZA_OAUTH_";
  for (const auto& [name, value] : env) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string rest = name.substr(prefix.size());
    bool matched = false;
    for (const auto& field : auth::OAuthSettingFields()) {
      std::string suffix = "_" + field;
      for (auto& ch : suffix) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (rest.size() > suffix.size() && rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::string provider = rest.substr(0, rest.size() - suffix.size());
        for (auto& ch : provider) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        c.oauth_providers[provider][field] = value;
        matched = true;
        break;
      }
    }
    if (!matched) problems.push_back(name + " does not name a known OAuth provider setting");
  }
}

void ValidateOAuth(const Config& c, std::vector<std::string>& problems) {
  for (const auto& [name, fields] : c.oauth_providers) {
    auto provider = auth::ResolveOAuthProvider(name, fields, c.env == "production");
    if (provider.ok()) continue;
    for (const auto& [key, problem] : provider.error().fields) problems.push_back(key + " " + problem);
  }
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = [] {
    std::vector<Setting> s = {
        StringSetting("env", &Config::env),
        StringSetting("listen", &Config::listen),
        StringSetting("public_url", &Config::public_url),
        StringSetting("data_dir", &Config::data_dir),
        StringSetting("database_url", &Config::database_url, /*secret=*/true),
        StringSetting("objects_dir", &Config::objects_dir),
        StringSetting("web_root", &Config::web_root),
        StringSetting("storage.backend", &Config::storage_backend),
        StringSetting("storage.s3.endpoint", &Config::s3_endpoint),
        StringSetting("storage.s3.region", &Config::s3_region),
        StringSetting("storage.s3.bucket", &Config::s3_bucket),
        StringSetting("storage.s3.access_key", &Config::s3_access_key, /*secret=*/true),
        StringSetting("storage.s3.secret_key", &Config::s3_secret_key, /*secret=*/true),
        BoolSetting("storage.s3.path_style", &Config::s3_path_style),
        IntSetting("node_id", &Config::node_id, 0, 63),
        StringSetting("log.format", &Config::log_format),
        StringSetting("log.level", &Config::log_level),
        BoolSetting("log.access", &Config::access_log),
        IntSetting("http.io_threads", &Config::http_io_threads, 1, 64),
        IntSetting("http.handler_threads", &Config::http_handler_threads, 1, 512),
        IntSetting("http.max_header_bytes", &Config::http_max_header_bytes, 1024, 1024 * 1024),
        IntSetting("http.max_body_bytes", &Config::http_max_body_bytes, 1024, int64_t{1} << 40),
        IntSetting("http.header_timeout_ms", &Config::http_header_timeout_ms, 100, 600'000),
        IntSetting("http.body_timeout_ms", &Config::http_body_timeout_ms, 100, 3'600'000),
        IntSetting("http.idle_timeout_ms", &Config::http_idle_timeout_ms, 100, 3'600'000),
        IntSetting("http.max_connections", &Config::http_max_connections, 1, 1'000'000),
        IntSetting("http.shutdown_deadline_ms", &Config::http_shutdown_deadline_ms, 0, 600'000),
        IntSetting("db.pool_size", &Config::db_pool_size, 1, 256),
        IntSetting("db.busy_timeout_ms", &Config::db_busy_timeout_ms, 0, 600'000),
        BoolSetting("db.migrate_on_start", &Config::db_migrate_on_start),
        IntSetting("jobs.workers", &Config::jobs_workers, 0, 256),
        IntSetting("jobs.lease_ms", &Config::jobs_lease_ms, 1000, 3'600'000),
        BoolSetting("jobs.in_serve", &Config::jobs_in_serve),
        StringSetting("redis.url", &Config::redis_url, /*secret=*/true),
        ListSetting("cors.allowed_origins", &Config::cors_allowed_origins),
        ListSetting("http.trusted_proxies", &Config::http_trusted_proxies),
        BoolSetting("rate_limit.enabled", &Config::rate_limit_enabled),
        IntSetting("health.min_free_disk_bytes", &Config::health_min_free_disk_bytes, 0, int64_t{1} << 50),
        BoolSetting("debug.routes", &Config::debug_routes),
        StringSetting("secrets.jwt", &Config::jwt_secret, /*secret=*/true),
        StringSetting("secrets.stream_token", &Config::stream_token_secret, /*secret=*/true),
        StringSetting("secrets.previous_jwt", &Config::previous_jwt_secret, /*secret=*/true),
    };
    for (const char* cls : {"default", "auth", "upload"}) {
      s.push_back(RateSetting(cls, "ip_burst", &RateLimitClass::ip_capacity));
      s.push_back(RateSetting(cls, "ip_per_second", &RateLimitClass::ip_per_second));
      s.push_back(RateSetting(cls, "user_burst", &RateLimitClass::user_capacity));
      s.push_back(RateSetting(cls, "user_per_second", &RateLimitClass::user_per_second));
    }
    for (auto& setting : IdentitySettings()) s.push_back(std::move(setting));
    for (auto& setting : NetSettings()) s.push_back(std::move(setting));
    for (auto& setting : UploadSettings()) s.push_back(std::move(setting));
    s.push_back(StringSetting("media.delivery", &Config::media_delivery));
    return s;
  }();
  return settings;
}

const Setting* FindSetting(const std::string& key) {
  for (const Setting& s : Settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

void Apply(Config& c, const std::string& key, const std::string& value, const std::string& origin,
           std::vector<std::string>& problems) {
  if (key.rfind(kOAuthPrefix, 0) == 0) {
    if (auto problem = ApplyOAuth(c, key, value)) problems.push_back(origin + ": " + key + " " + *problem);
    return;
  }
  const Setting* s = FindSetting(key);
  if (s == nullptr) {
    problems.push_back(origin + ": unknown setting \"" + key + "\"");
    return;
  }
  if (auto problem = s->set(c, value)) problems.push_back(origin + ": " + key + " " + *problem);
}

// toml values become text so the file, environment and flags share one parser per setting.
std::optional<std::string> TomlScalarText(const toml::value& v) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_integer()) return std::to_string(v.as_integer());
  if (v.is_boolean()) return std::string(v.as_boolean() ? "true" : "false");
  if (v.is_floating()) {
    std::ostringstream os;
    os << v.as_floating();
    return os.str();
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v.as_array()) {
      auto text = TomlScalarText(item);
      if (!text) return std::nullopt;
      out += (out.empty() ? "" : ",") + *text;
    }
    return out;
  }
  return std::nullopt;
}

void ApplyToml(Config& c, const toml::value& table, const std::string& prefix, const std::string& file,
               std::vector<std::string>& problems) {
  for (const auto& [name, value] : table.as_table()) {
    std::string key = prefix.empty() ? name : prefix + "." + name;
    if (value.is_table()) {
      ApplyToml(c, value, key, file, problems);
      continue;
    }
    auto text = TomlScalarText(value);
    if (!text) {
      problems.push_back(file + ": " + key + " has an unsupported value type");
      continue;
    }
    Apply(c, key, *text, file, problems);
  }
}

void LoadFile(Config& c, const std::string& path, std::vector<std::string>& problems) {
  try {
    toml::value root = toml::parse(path);
    ApplyToml(c, root, "", path, problems);
    c.config_file = path;
  } catch (const toml::syntax_error& e) {
    problems.push_back(std::string("config file has a syntax error: ") + e.what());
  } catch (const std::exception& e) {
    problems.push_back("cannot read config file " + path + ": " + e.what());
  }
}

void ApplyDefaults(Config& c) {
  c.rate_limits["default"] = {.ip_capacity = 300, .ip_per_second = 100, .user_capacity = 600, .user_per_second = 200};
  c.rate_limits["auth"] = {.ip_capacity = 20, .ip_per_second = 0.2, .user_capacity = 20, .user_per_second = 0.2};
  c.rate_limits["upload"] = {.ip_capacity = 30, .ip_per_second = 1, .user_capacity = 60, .user_per_second = 2};
}

// Values derived from others are filled after every layer, so a flag's --data moves the database too.
void Derive(Config& c) {
  if (c.database_url.empty()) c.database_url = "sqlite:" + c.data_dir + "/veza.db";
  if (c.objects_dir.empty()) c.objects_dir = c.data_dir + "/objects";
  if (c.log_format.empty()) c.log_format = c.env == "production" ? "json" : "text";
  if (c.jwt_secret.empty()) c.jwt_secret = kDevJwtSecret;
  if (c.stream_token_secret.empty()) c.stream_token_secret = kDevStreamSecret;
}

}  // namespace

bool SplitHostPort(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string p = listen.substr(colon + 1);
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || ptr != p.data() + p.size() || v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

ConfigLoad LoadConfig(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  ConfigLoad load;
  Config& c = load.config;
  ApplyDefaults(c);

  // Flags: the short ones the README documents plus --set key=value for anything else.
  std::optional<std::string> file;
  std::vector<std::pair<std::string, std::string>> flag_values;
  static const std::map<std::string, std::string> kFlagKeys = {
      {"--listen", "listen"}, {"--data", "data_dir"}, {"--database", "database_url"},
      {"--env", "env"}, {"--web-root", "web_root"}, {"--log-level", "log.level"}, {"--log-format", "log.format"}};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_inline = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto take_value = [&]() -> bool {
      if (has_inline) return true;
      if (i + 1 >= args.size()) {
        load.problems.push_back("flag " + arg + " needs a value");
        return false;
      }
      value = args[++i];
      return true;
    };
    if (arg == "--config") {
      if (take_value()) file = value;
    } else if (arg == "--set") {
      if (!take_value()) continue;
      size_t eq = value.find('=');
      if (eq == std::string::npos) {
        load.problems.push_back("--set expects key=value, got \"" + value + "\"");
      } else {
        flag_values.emplace_back(value.substr(0, eq), value.substr(eq + 1));
      }
    } else if (auto it = kFlagKeys.find(arg); it != kFlagKeys.end()) {
      if (take_value()) flag_values.emplace_back(it->second, value);
    } else {
      load.problems.push_back("unknown flag " + arg);
    }
  }

  if (!file) {
    if (auto it = env.find("VEZA_CONFIG"); it != env.end() && !it->second.empty()) file = it->second;
  }
  if (file) LoadFile(c, *file, load.problems);

  for (const Setting& s : Settings()) {
    if (auto it = env.find(EnvName(s.key)); it != env.end()) {
      if (auto problem = s.set(c, it->second)) load.problems.push_back(EnvName(s.key) + " " + *problem);
    }
  }
  ApplyOAuthEnv(c, env, load.problems);
  for (const auto& [key, value] : flag_values) Apply(c, key, value, "flag", load.problems);

  Derive(c);
  for (auto& p : Validate(c)) load.problems.push_back(std::move(p));
  return load;
}

std::vector<std::string> Validate(const Config& c) {
  std::vector<std::string> problems;
  if (c.env != "development" && c.env != "production") {
    problems.push_back("env must be \"development\" or \"production\", got \"" + c.env + "\"");
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(c.listen, host, port)) problems.push_back("listen must be HOST:PORT, got \"" + c.listen + "\"");
  if (c.database_url.rfind("sqlite:", 0) != 0 && c.database_url.rfind("postgresql://", 0) != 0 &&
      c.database_url.rfind("postgres://", 0) != 0) {
    problems.push_back("database_url must start with sqlite: or postgresql://");
  }
  if (c.storage_backend != "local" && c.storage_backend != "s3") {
    problems.push_back("storage.backend must be local or s3, got \"" + c.storage_backend + "\"");
  }
  if (c.storage_backend == "s3") {
    for (auto [key, value] : {std::pair{"storage.s3.endpoint", &c.s3_endpoint}, {"storage.s3.bucket", &c.s3_bucket},
                              {"storage.s3.access_key", &c.s3_access_key}, {"storage.s3.secret_key", &c.s3_secret_key}}) {
      if (value->empty()) problems.push_back(std::string(key) + " is required when storage.backend = \"s3\"");
    }
  }
  if (c.log_format != "text" && c.log_format != "json") problems.push_back("log.format must be text or json");
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error") {
    problems.push_back("log.level must be debug, info, warn or error");
  }
  if (c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0) {
    problems.push_back("public_url must start with http:// or https://");
  }
  if (Status s = middleware::ValidateTrustedProxies(c.http_trusted_proxies); !s.ok()) {
    for (const auto& [field, problem] : s.error().fields) problems.push_back(field + ": " + problem);
  }
  for (const auto& origin : c.cors_allowed_origins) {
    if (origin != "*" && origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
      problems.push_back("cors.allowed_origins entry \"" + origin + "\" must be an http(s) origin or *");
    }
  }
  ValidateIdentity(c, problems);
  if (c.media_delivery != "proxy" && c.media_delivery != "redirect") {
    problems.push_back("media.delivery must be proxy or redirect, got \"" + c.media_delivery + "\"");
  }
  ValidateOAuth(c, problems);
  if (c.env == "production") {
    if (c.jwt_secret == kDevJwtSecret) problems.push_back("production: secrets.jwt (VEZA_SECRETS_JWT) is the development default; set a random secret of at least 32 characters");
    else if (c.jwt_secret.size() < 32) problems.push_back("production: secrets.jwt must be at least 32 characters");
    if (c.stream_token_secret == kDevStreamSecret) problems.push_back("production: secrets.stream_token (VEZA_SECRETS_STREAM_TOKEN) is the development default; set a random secret of at least 32 characters");
    else if (c.stream_token_secret.size() < 32) problems.push_back("production: secrets.stream_token must be at least 32 characters");
    if (c.public_url.rfind("https://", 0) != 0) problems.push_back("production: public_url must use https://, got \"" + c.public_url + "\"");
    for (const auto& origin : c.cors_allowed_origins) {
      if (origin == "*") problems.push_back("production: cors.allowed_origins must not contain *");
    }
  }
  return problems;
}

std::string Describe(const Config& c) {
  std::string out;
  if (!c.config_file.empty()) out += "# from " + c.config_file + ", the environment and flags\n";
  for (const Setting& s : Settings()) {
    std::string value = s.get(c);
    if (s.secret && !value.empty()) {
      if (s.key == "database_url" || s.key == "redis.url") {
        value = db::RedactUrl(value);  // where it points, without the password
      } else {
        value = (value == kDevJwtSecret || value == kDevStreamSecret) ? "<development default>" : "<redacted>";
      }
    }
    out += s.key + " = \"" + value + "\"    # " + EnvName(s.key) + "\n";
  }
  for (const auto& [provider, fields] : c.oauth_providers) {
    for (const auto& [field, value] : fields) {
      std::string key = std::string(kOAuthPrefix) + provider + "." + field;
      out += key + " = \"" + (IsOAuthSecret(field) && !value.empty() ? "<redacted>" : value) + "\"    # " +
             EnvName(key) + "\n";
    }
  }
  return out;
}

}  // namespace veza::app
