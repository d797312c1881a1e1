#pragma once
/// "Your data": the export of everything held about an account, and account deletion (personal data
/// purged at once, sessions ended, the username held for a grace period — see UserService::Create).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "db/session.h"
#include "users/profile_media.h"
#include "users/user_service.h"

namespace veza::users {

/// What deletion needs from the auth domain, which depends on users rather than the other way round;
/// app/ binds these to auth::PasswordHasher and auth::AuthService.
struct AccountHooks {
  std::function<bool(const std::string& password_hash, std::string_view password)> verify_password;
  std::function<Status(int64_t user_id)> end_sessions;
  /// For accounts without a password: OK when `session_id` signed in recently (auth/reauth.h).
  std::function<Status(int64_t user_id, int64_t session_id)> require_recent_sign_in;
};

class AccountService {
 public:
  AccountService(db::Database& database, UserService& users, ProfileMediaService& media, const Clock& clock,
                 AccountHooks hooks);

  /// One JSON document: the profile with its private fields, every session (no token material), the
  /// mails sent to the account's address (links' tokens redacted), and `connections` / `tracks` when
  /// those tables exist.
  Result<std::string> Export(int64_t user_id);

  /// Checks the password (422 `wrong_password` naming `password`, as a password change does) or, for an
  /// account without one, that `session_id` signed in recently (403 `recent_sign_in_required`); then ends
  /// every session, purges the profile, email, mails, tokens and links and deletes the images.
  Status Delete(int64_t user_id, std::string_view password, int64_t session_id);

 private:
  db::Database& db_;
  UserService& users_;
  ProfileMediaService& media_;
  const Clock& clock_;
  AccountHooks hooks_;
};

}  // namespace veza::users
