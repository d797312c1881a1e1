#pragma once
/// Sign-up, sign-in, sessions with rotating refresh tokens, access-token checks, password and email
/// flows, and stream tokens. Accounts themselves belong to users::UserService.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/auth_store.h"
#include "auth/login_guard.h"
#include "auth/password.h"
#include "auth/totp_service.h"
#include "auth/user_agent.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "mail/mailer.h"
#include "users/user_service.h"

namespace veza::auth {

struct AuthOptions {
  std::string jwt_secret;
  std::string stream_token_secret;
  std::string public_url = "http://127.0.0.1:8080";  // links in mails point to the web client here
  int64_t access_ttl_s = 15 * 60;
  int64_t refresh_ttl_s = 30 * 24 * 3600;  // sliding: each refresh extends the session
  int64_t reset_ttl_s = 3600;
  int64_t verify_ttl_s = 48 * 3600;
  int64_t stream_token_ttl_s = 300;
  /// How long a positive "session is active" answer is reused by this node; revocations on this node
  /// invalidate it at once, on other nodes within this bound. 0 checks the database every time.
  int64_t session_cache_ms = 0;
  int login_failure_mail_at = 6;  // the owner is told by mail when failures first reach this count
};

struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct Tokens {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in_s = 0;
  int64_t session_id = 0;
};

struct SignIn {
  users::User user;
  Tokens tokens;
};

struct RegisterInput {
  std::string email;
  std::string username;
  std::string password;
  std::string display_name;
  std::string language = "en";
};

/// The caller behind a valid access token of an active session.
struct Caller {
  int64_t user_id = 0;
  int64_t session_id = 0;
  std::string role;
};

struct SessionInfo {
  int64_t id = 0;
  std::string user_agent;
  UserAgentInfo agent;
  std::string ip;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;
  bool current = false;
};

struct StreamToken {
  std::string token;
  std::string scope;
  int64_t expires_at_ms = 0;
};

class AuthService {
 public:
  AuthService(db::Database& database, users::UserService& users, mail::Mailer& mailer, const PasswordHasher& hasher,
              LoginGuard& guard, IdGenerator& ids, const Clock& clock, AuthOptions options,
              TotpService* totp = nullptr);

  /// 422 naming each bad field (password rule included), 409 for a taken email or username.
  Result<SignIn> Register(const RegisterInput& input, const ClientInfo& client);
  /// One uniform 401 `invalid_credentials` for an unknown account or a wrong password, after the same
  /// Argon2id work; 429 with Retry-After while the account or IP is being slowed down; 403 for a
  /// disabled account (only once the password was right). With two-factor sign-in on, the right password
  /// without a code is 401 `totp_required` (no session); a wrong code is 401 `invalid_totp_code` /
  /// `invalid_recovery_code` and counts as a failure for the brute-force guard.
  Result<SignIn> Login(std::string_view login, std::string_view password, const ClientInfo& client,
                       const SecondFactor& second = {});
  /// For sign-ins proven another way (OAuth): 403 for a disabled account, and the two-factor check as in
  /// Login. Call before consuming the proof, then OpenSession.
  Status CheckExternalSignIn(const users::User& user, const SecondFactor& second, const ClientInfo& client);
  /// Opens a session for an account the caller has authenticated (CheckExternalSignIn passed).
  Result<SignIn> OpenSession(const users::User& user, const ClientInfo& client);
  /// Rotates the refresh token. An already-used token revokes its whole session (401 `refresh_token_reused`).
  Result<Tokens> Refresh(std::string_view refresh_token, const ClientInfo& client);

  /// 401 unless the token is a valid HS256 access token of a session that is still active.
  Result<Caller> Authenticate(std::string_view access_token);

  Status Logout(const Caller& caller);
  /// Ends every session of the caller's account, the current one included.
  Status LogoutAll(const Caller& caller);
  Result<std::vector<SessionInfo>> ListSessions(const Caller& caller);
  /// 404 when the session is not one of the caller's active sessions.
  Status EndSession(const Caller& caller, int64_t session_id);
  /// Ends every session of an account (admin disable, password reset).
  Status EndAllSessions(int64_t user_id, const std::string& reason);

  /// Always OK (the caller learns nothing); mails a reset link when the account exists.
  Status RequestPasswordReset(std::string_view email);
  /// Single use, 1 hour; sets the password and ends every session.
  Status ResetPassword(std::string_view token, std::string_view new_password);
  /// Verifies the current password; ends every other session.
  Status ChangePassword(const Caller& caller, std::string_view current_password, std::string_view new_password);
  Status RequestEmailVerification(const Caller& caller);
  Status VerifyEmail(std::string_view token);

  Result<StreamToken> IssueStreamToken(const Caller& caller, std::string_view scope);

  /// Admin: enables or disables an account; disabling ends its sessions.
  Result<users::User> SetAccountStatus(int64_t user_id, std::string_view status);

  const AuthOptions& options() const { return options_; }

 private:
  Result<Tokens> CreateSession(const users::User& user, const ClientInfo& client);
  /// Counts a failed attempt on `account_key` and mails the owner when failures reach the threshold.
  void RecordLoginFailure(const std::string& account_key, const users::User* user, const ClientInfo& client);
  /// 429 while the guard delays this account or IP.
  Status CheckGuard(const std::string& account_key, const std::string& ip, int64_t now_ms);
  void ClearGuard(const std::string& account_key);
  Status CheckSecondFactor(const users::User& user, const SecondFactor& second, const std::string& account_key,
                           const ClientInfo& client);
  Tokens IssueAccess(int64_t user_id, int64_t session_id, const std::string& role, std::string refresh);
  Result<std::string> NewEmailToken(int64_t user_id, const std::string& purpose, const std::string& email,
                                    int64_t ttl_s);
  Result<store::EmailTokenRow> ConsumeEmailToken(std::string_view token, const std::string& purpose);
  void ForgetSessions(const std::vector<int64_t>& session_ids);
  void ForgetUser(int64_t user_id);

  db::Database& db_;
  users::UserService& users_;
  mail::Mailer& mailer_;
  const PasswordHasher& hasher_;
  LoginGuard& guard_;
  IdGenerator& ids_;
  const Clock& clock_;
  AuthOptions options_;
  TotpService* totp_;

  struct CachedSession {
    int64_t user_id = 0;
    std::string role;
    int64_t valid_until_ms = 0;
  };
  std::mutex cache_mu_;
  std::unordered_map<int64_t, CachedSession> session_cache_;
};

}  // namespace veza::auth
