#include "app/identity.h"

#include "app/components.h"
#include "app/storage_gc.h"

#include <cstdio>
#include <filesystem>

#include "core/log.h"
#include "db/migrate.h"
#include "auth/oauth_routes.h"
#include "auth/reauth.h"
#include "auth/totp_routes.h"
#include "users/account_routes.h"
#include "users/profile_media_routes.h"
#include "users/user_routes.h"

namespace veza::app {

std::unique_ptr<Identity> BuildIdentity(const Config& config, db::Database& database, storage::ObjectStore& objects,
                                        IdGenerator& ids, const Clock& clock, jobs::Queue* queue, kv::Store& kv) {
  auto id = std::make_unique<Identity>();
  id->users = std::make_unique<users::UserService>(
      database, ids, clock, users::UserOptions{.username_grace_ms = config.users_username_grace_days * 24 * 3600 * 1000});
  id->mailer = std::make_unique<mail::Mailer>(database, ids, clock, queue);
  if (!config.smtp_url.empty()) {
    id->smtp = std::make_unique<mail::SmtpSender>(mail::SmtpOptions{.url = config.smtp_url,
                                                                    .username = config.smtp_username,
                                                                    .password = config.smtp_password,
                                                                    .from = config.smtp_from,
                                                                    .starttls = config.smtp_starttls,
                                                                    .timeout_ms = static_cast<int>(config.smtp_timeout_ms),
                                                                    .verify_tls = config.smtp_verify_tls});
    id->delivery = std::make_unique<mail::MailDelivery>(database, clock, *id->smtp);
  }
  id->hasher = std::make_unique<auth::PasswordHasher>(
      auth::Argon2Params{.ops = static_cast<uint64_t>(config.auth_argon2_ops),
                         .mem_kib = static_cast<uint64_t>(config.auth_argon2_mem_kib)});
  id->guard = std::make_unique<auth::LoginGuard>(
      kv, auth::LoginGuardOptions{.account_free_failures = static_cast<int>(config.auth_login_account_free_failures),
                              .ip_free_failures = static_cast<int>(config.auth_login_ip_free_failures)});
  id->secret_box = std::make_unique<auth::SecretBox>(config.jwt_secret, config.previous_jwt_secret);
  id->totp = std::make_unique<auth::TotpService>(database, *id->users, *id->hasher, clock, *id->secret_box,
                                                 config.auth_recent_sign_in_s * 1000);
  // Rows from before encryption at rest (or sealed under the previous secret) are sealed now, once.
  if (auto sealed = id->totp->SealStoredSecrets(); !sealed.ok()) {
    log::Error("cannot read stored two-factor secrets", {{"error", sealed.error().detail}});
  } else if (*sealed > 0) {
    log::Info("two-factor secrets sealed with the current key", {{"rows", *sealed}});
  }
  id->auth = std::make_unique<auth::AuthService>(database, *id->users, *id->mailer, *id->hasher, *id->guard, ids,
                                                 clock,
                                                 auth::AuthOptions{.jwt_secret = config.jwt_secret,
                                                                   .stream_token_secret = config.stream_token_secret,
                                                                   .public_url = config.public_url,
                                                                   .access_ttl_s = config.auth_access_ttl_s,
                                                                   .refresh_ttl_s = config.auth_refresh_ttl_s,
                                                                   .stream_token_ttl_s = config.auth_stream_token_ttl_s,
                                                                   .session_cache_ms = config.auth_session_cache_ms,
                                                                   .login_failure_mail_at = static_cast<int>(
                                                                       config.auth_login_account_free_failures + 1)},
                                                 id->totp.get());
  id->http = std::make_unique<net::HttpClient>(net::HttpClientOptions{
      .allow_private_addresses = config.net_allow_private_addresses,
      .timeout_ms = static_cast<int>(config.net_timeout_ms),
      .user_agent = std::string("Veza/") + VEZA_VERSION});
  std::vector<auth::OAuthProvider> providers;
  for (const auto& [name, fields] : config.oauth_providers) {
    // LoadConfig already refused invalid providers; this only skips them for callers that did not validate.
    if (auto p = auth::ResolveOAuthProvider(name, fields, config.env == "production"); p.ok()) {
      providers.push_back(std::move(*p));
    }
  }
  id->oauth = std::make_unique<auth::OAuthService>(database, *id->users, *id->auth, *id->http, ids, clock,
                                                   std::move(providers),
                                                   auth::OAuthOptions{.public_url = config.public_url,
                                                                      .code_ttl_s = config.auth_oauth_code_ttl_s});
  id->media = std::make_unique<users::ProfileMediaService>(database, objects, *id->users, ids, clock);
  id->accounts = std::make_unique<users::AccountService>(
      database, *id->users, *id->media, clock,
      users::AccountHooks{.verify_password = [hasher = id->hasher.get()](const std::string& hash,
                                                                       std::string_view password) {
                            return hasher->Verify(hash, password);
                          },
                          .end_sessions = [auth = id->auth.get()](int64_t user_id) {
                            return auth->EndAllSessions(user_id, "account_deleted");
                          },
                          .require_recent_sign_in = [&database, &clock, window = config.auth_recent_sign_in_s * 1000](
                                                        int64_t user_id, int64_t session_id) {
                            return auth::RequireRecentSignIn(database, user_id, session_id, clock.NowMs(), window);
                          }});
  return id;
}

void RegisterIdentityRoutes(http::Router& router, const Config& config, Identity& identity) {
  auth::RegisterAuthRoutes(router, *identity.auth, {.secure_cookies = config.public_url.rfind("https://", 0) == 0});
  users::RegisterUserRoutes(router, *identity.users);
  auth::RegisterTotpRoutes(router, *identity.totp);
  auth::RegisterOAuthRoutes(router, *identity.oauth,
                            {.secure_cookies = config.public_url.rfind("https://", 0) == 0,
                             .refresh_ttl_s = config.auth_refresh_ttl_s});
  users::RegisterProfileMediaRoutes(router, *identity.media);
  users::RegisterAccountRoutes(router, *identity.accounts, *identity.users);
}

namespace {

constexpr const char* kAdminUsage = R"(usage:
  veza admin user create --email EMAIL --username NAME --password PASSWORD [--role ROLE] [options]
  veza admin user set-role USERNAME ROLE [options]      (user | creator | moderator | admin)
  veza admin user disable USERNAME [options]            (signs the account out everywhere)
  veza admin user enable USERNAME [options]
  veza admin outbox [--status pending|sent|failed] [--limit N] [--deliver] [--show ID] [options]
  veza admin storage gc [--apply] [--min-age SECONDS] [options]   (orphaned objects and the space they take)
)";

int Usage() {
  std::fputs(kAdminUsage, stderr);
  return 2;
}

int Report(const Error& e) {
  std::fprintf(stderr, "veza admin: %s", e.message.c_str());
  for (const auto& [field, problem] : e.fields) std::fprintf(stderr, " (%s %s)", field.c_str(), problem.c_str());
  if (!e.detail.empty()) std::fprintf(stderr, " [%s]", e.detail.c_str());
  std::fputc('\n', stderr);
  return 1;
}

// Takes `--name value` out of args; "" when absent.
std::string TakeOption(std::vector<std::string>& args, const std::string& name) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return v;
    }
  }
  return "";
}

bool TakeFlag(std::vector<std::string>& args, const std::string& name) {
  auto it = std::find(args.begin(), args.end(), name);
  if (it == args.end()) return false;
  args.erase(it);
  return true;
}

// Positional arguments come first; everything from the first "--" option on is configuration.
std::vector<std::string> TakePositionals(std::vector<std::string>& args) {
  std::vector<std::string> out;
  while (!args.empty() && args.front().rfind("--", 0) != 0) {
    out.push_back(args.front());
    args.erase(args.begin());
  }
  return out;
}

// Admin commands share the server's components, so they see the same database, migrations and ids.
struct Env {
  Config config;
  std::unique_ptr<Components> components;
  db::Database* database = nullptr;
  Identity* identity = nullptr;
};

std::unique_ptr<Env> OpenEnv(const std::vector<std::string>& config_args) {
  auto load = LoadConfig(config_args, ProcessEnvironment());
  if (!load.problems.empty()) {
    for (const auto& p : load.problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return nullptr;
  }
  auto env = std::make_unique<Env>();
  env->config = load.config;
  auto components = OpenComponents(env->config);
  if (!components.ok()) {
    Report(components.error());
    return nullptr;
  }
  env->components = std::move(*components);
  env->database = env->components->database.get();
  env->identity = env->components->identity.get();
  return env;
}

void PrintUser(const users::User& u) {
  std::printf("%s\t%s\t%s\trole=%s\tstatus=%s\n", IdToString(u.id).c_str(), u.username.c_str(), u.email.c_str(),
              u.role.c_str(), u.status.c_str());
}

int UserCommand(std::vector<std::string> args) {
  if (args.empty()) return Usage();
  std::string sub = args.front();
  args.erase(args.begin());
  if (sub == "create") {
    std::string email = TakeOption(args, "--email"), username = TakeOption(args, "--username");
    std::string password = TakeOption(args, "--password"), role_name = TakeOption(args, "--role");
    if (email.empty() || username.empty() || password.empty()) return Usage();
    std::optional<users::Role> role;
    if (!role_name.empty() && !(role = users::ParseRole(role_name))) return Usage();
    auto env = OpenEnv(args);
    if (!env) return 1;
    if (auto p = auth::PasswordProblem(password)) return Report(Validation({{"password", *p}}, "Weak password."));
    auto hash = env->identity->hasher->Hash(password);
    if (!hash.ok()) return Report(hash.error());
    auto user = env->identity->users->Create(
        {.email = email, .username = username, .password_hash = *hash, .role = role});
    if (!user.ok()) return Report(user.error());
    PrintUser(*user);
    return 0;
  }
  std::vector<std::string> pos = TakePositionals(args);
  bool set_role = sub == "set-role";
  if ((set_role && pos.size() != 2) || (!set_role && pos.size() != 1)) return Usage();
  if (!set_role && sub != "disable" && sub != "enable") return Usage();
  auto role = set_role ? users::ParseRole(pos[1]) : std::nullopt;
  if (set_role && !role) return Usage();
  auto env = OpenEnv(args);
  if (!env) return 1;
  auto user = env->identity->users->GetByUsername(pos[0]);
  if (!user.ok()) return Report(user.error());
  auto updated = set_role ? env->identity->users->SetRole(user->id, *role)
                          : env->identity->auth->SetAccountStatus(user->id, sub == "disable" ? "disabled" : "active");
  if (!updated.ok()) return Report(updated.error());
  if (set_role) (void)env->identity->auth->EndAllSessions(user->id, "role_changed");
  PrintUser(*updated);
  return 0;
}

int OutboxCommand(std::vector<std::string> args) {
  std::string status = TakeOption(args, "--status");
  std::string limit_text = TakeOption(args, "--limit");
  std::string show = TakeOption(args, "--show");
  bool deliver = TakeFlag(args, "--deliver");
  int limit = limit_text.empty() ? 50 : std::atoi(limit_text.c_str());
  if (limit <= 0 || limit > 10'000) return Usage();
  auto env = OpenEnv(args);
  if (!env) return 1;
  if (!show.empty()) {
    auto id = ParseId(show);
    auto entry = id ? mail::GetOutboxEntry(*env->database, *id) : Result<std::optional<mail::OutboxEntry>>(std::nullopt);
    if (!entry.ok()) return Report(entry.error());
    if (!*entry) return Report(NotFound("No such outbox entry."));
    std::printf("id: %s\nto: %s\nsubject: %s\nstatus: %s\n\n%s", IdToString((*entry)->id).c_str(),
                (*entry)->to.c_str(), (*entry)->subject.c_str(), (*entry)->status.c_str(), (*entry)->text.c_str());
    return 0;
  }
  if (deliver) {
    if (!env->identity->delivery) {
      std::fputs("veza admin: smtp.url is not configured; nothing can be delivered\n", stderr);
      return 1;
    }
    auto sent = env->identity->delivery->DeliverPending(limit);
    if (!sent.ok()) return Report(sent.error());
    std::printf("delivered %d message(s)\n", *sent);
    return 0;
  }
  auto entries = mail::ListOutbox(*env->database, limit, status);
  if (!entries.ok()) return Report(entries.error());
  std::printf("ID\tCREATED\tSTATUS\tATTEMPTS\tTO\tSUBJECT\n");
  for (const auto& e : *entries) {
    std::printf("%s\t%s\t%s\t%d\t%s\t%s\n", IdToString(e.id).c_str(), FormatRfc3339(e.created_at).c_str(),
                e.status.c_str(), e.attempts, e.to.c_str(), e.subject.c_str());
  }
  return 0;
}

}  // namespace

int AdminCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) return Usage();
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (argv[0] == "user") return UserCommand(std::move(rest));
  if (argv[0] == "outbox") return OutboxCommand(std::move(rest));
  if (argv[0] == "storage") return StorageCommand(std::move(rest));
  return Usage();
}

}  // namespace veza::app
