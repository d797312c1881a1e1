#pragma once
/// Wiring of the identity modules (users, auth with 2FA and OAuth, mail) and the `veza admin user|outbox` commands.

#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "auth/auth_routes.h"
#include "auth/auth_service.h"
#include "auth/oauth_service.h"
#include "auth/secret_box.h"
#include "auth/totp_service.h"
#include "core/clock.h"
#include "core/ids.h"
#include "db/session.h"
#include "http/router.h"
#include "jobs/queue.h"
#include "kv/store.h"
#include "mail/mailer.h"
#include "mail/smtp.h"
#include "net/http_client.h"
#include "storage/object_store.h"
#include "users/account_service.h"
#include "users/profile_media.h"
#include "users/user_service.h"

namespace veza::app {

struct Identity {
  std::unique_ptr<users::UserService> users;
  std::unique_ptr<mail::Mailer> mailer;
  std::unique_ptr<mail::SmtpSender> smtp;          // null when smtp.url is empty
  std::unique_ptr<mail::MailDelivery> delivery;    // null when smtp.url is empty
  std::unique_ptr<auth::PasswordHasher> hasher;
  std::unique_ptr<auth::LoginGuard> guard;
  std::unique_ptr<auth::SecretBox> secret_box;  // TOTP secrets at rest
  std::unique_ptr<auth::TotpService> totp;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<net::HttpClient> http;  // outbound HTTP (OAuth providers), SSRF-guarded
  std::unique_ptr<auth::OAuthService> oauth;
  std::unique_ptr<users::ProfileMediaService> media;  // avatars and banners in the object store
  std::unique_ptr<users::AccountService> accounts;    // export and deletion
};

/// `queue` may be null (mail then waits in the outbox for `veza admin outbox --deliver`).
std::unique_ptr<Identity> BuildIdentity(const Config& config, db::Database& database, storage::ObjectStore& objects,
                                        IdGenerator& ids, const Clock& clock, jobs::Queue* queue, kv::Store& kv);

void RegisterIdentityRoutes(http::Router& router, const Config& config, Identity& identity);

/// `veza admin user create|set-role|disable|enable …` and `veza admin outbox [--deliver] [--limit N]`.
/// `args` starts after "admin"; options for the configuration follow the command's own arguments.
int AdminCommand(const std::vector<std::string>& args);

}  // namespace veza::app
