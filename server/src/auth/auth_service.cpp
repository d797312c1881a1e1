#include "auth/auth_service.h"

#include <map>

#include "auth/jwt.h"
#include "auth/stream_token.h"
#include "core/crypto.h"
#include "core/log.h"
#include "users/user_validation.h"

namespace veza::auth {

namespace {

constexpr const char* kPasswordReset = "password_reset";
constexpr const char* kVerifyEmail = "verify_email";

Error InvalidCredentials() {
  return MakeError(ErrorCode::kUnauthenticated, "The login or password is incorrect.", "invalid_credentials");
}

Error InvalidRefresh(std::string slug = "invalid_refresh_token") {
  return MakeError(ErrorCode::kUnauthenticated, "Your session has ended; please sign in again.", std::move(slug));
}

Error SessionEnded() {
  return MakeError(ErrorCode::kUnauthenticated, "This session has ended; please sign in again.", "session_ended");
}

Error InvalidEmailToken() {
  Error e = Validation({{"token", "is invalid, expired or already used"}}, "This link is invalid or has expired.");
  e.slug = "invalid_token";
  return e;
}

std::string TokenHash(std::string_view token) { return crypto::Sha256Hex(token); }

std::string AccountKey(int64_t user_id) { return "user:" + std::to_string(user_id); }

Error TooManyAttempts(int64_t wait_ms) {
  Error e = MakeError(ErrorCode::kRateLimited, "Too many failed sign-ins; try again later.", "too_many_attempts");
  e.retry_after_s = static_cast<int>((wait_ms + 999) / 1000);
  return e;
}

}  // namespace

AuthService::AuthService(db::Database& database, users::UserService& users, mail::Mailer& mailer,
                         const PasswordHasher& hasher, LoginGuard& guard, IdGenerator& ids, const Clock& clock,
                         AuthOptions options, TotpService* totp)
    : db_(database),
      users_(users),
      mailer_(mailer),
      hasher_(hasher),
      guard_(guard),
      ids_(ids),
      clock_(clock),
      options_(std::move(options)),
      totp_(totp) {}

Result<SignIn> AuthService::Register(const RegisterInput& in, const ClientInfo& client) {
  std::map<std::string, std::string> problems;
  if (auto p = users::UsernameProblem(users::NormalizeUsername(in.username))) problems["username"] = *p;
  if (auto p = users::EmailProblem(users::NormalizeEmail(in.email))) problems["email"] = *p;
  if (auto p = PasswordProblem(in.password)) problems["password"] = *p;
  if (auto p = users::LanguageProblem(in.language)) problems["language"] = *p;
  if (!problems.empty()) {
    std::string message = problems.count("password") ? "The password " + problems["password"] + "."
                                                     : "Some fields are invalid.";
    return Validation(std::move(problems), std::move(message));
  }
  VEZA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(in.password));
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Create({.email = in.email,
                                                         .username = in.username,
                                                         .display_name = in.display_name,
                                                         .password_hash = std::move(hash),
                                                         .language = in.language}));
  VEZA_ASSIGN_OR_RETURN(Tokens tokens, CreateSession(user, client));
  // The account exists even if the mail cannot be queued; the user can ask for another.
  auto link = NewEmailToken(user.id, kVerifyEmail, user.email, options_.verify_ttl_s);
  if (link.ok()) {
    auto sent = mailer_.Send({user.email, kVerifyEmail, user.language,
                              {{"username", user.username}, {"link", options_.public_url + "/verify-email?token=" + *link}}});
    if (!sent.ok()) log::Warn("cannot queue the verification mail", {{"error", sent.error().detail}});
  }
  return SignIn{std::move(user), std::move(tokens)};
}

Result<SignIn> AuthService::Login(std::string_view login, std::string_view password, const ClientInfo& client,
                                  const SecondFactor& second) {
  if (login.empty() || login.size() > 254 || password.size() > kMaxPasswordBytes) return InvalidCredentials();
  VEZA_ASSIGN_OR_RETURN(std::optional<users::User> user, users_.FindByLogin(login));
  // One counter per account whichever identifier names it; unknown logins get their own counters
  // so a delay never tells whether an account exists.
  std::string account_key = user ? AccountKey(user->id) : "login:" + users::NormalizeEmail(login);
  int64_t now = clock_.NowMs();
  VEZA_TRY(CheckGuard(account_key, client.ip, now));
  bool ok = false;
  if (user && !user->password_hash.empty()) {
    ok = hasher_.Verify(user->password_hash, password);
  } else {
    hasher_.BurnEquivalentWork(password);
  }
  if (!ok) {
    RecordLoginFailure(account_key, user ? &*user : nullptr, client);
    return InvalidCredentials();
  }
  if (user->disabled()) {
    ClearGuard(account_key);
    return MakeError(ErrorCode::kForbidden, "This account is disabled.", "account_disabled");
  }
  // The guard is cleared only once every factor passed, so guessing codes keeps slowing down.
  VEZA_TRY(CheckSecondFactor(*user, second, account_key, client));
  ClearGuard(account_key);
  if (hasher_.NeedsRehash(user->password_hash)) {
    if (auto rehashed = hasher_.Hash(password); rehashed.ok()) (void)users_.SetPasswordHash(user->id, *rehashed);
  }
  VEZA_ASSIGN_OR_RETURN(Tokens tokens, CreateSession(*user, client));
  return SignIn{std::move(*user), std::move(tokens)};
}

void AuthService::RecordLoginFailure(const std::string& account_key, const users::User* user,
                                     const ClientInfo& client) {
  auto counted = guard_.RecordFailure(account_key, client.ip, clock_.NowMs());
  if (!counted.ok()) {
    log::Warn("cannot count a failed sign-in", {{"error", counted.error().detail}});
    return;
  }
  int failures = *counted;
  if (user && failures == options_.login_failure_mail_at) {
    auto sent = mailer_.Send({user->email, "login_failures", user->language,
                              {{"username", user->username},
                               {"count", std::to_string(failures)},
                               {"link", options_.public_url + "/settings/security"}}});
    if (!sent.ok()) log::Warn("cannot queue the failed sign-in mail", {{"error", sent.error().detail}});
  }
}

Status AuthService::CheckGuard(const std::string& account_key, const std::string& ip, int64_t now_ms) {
  // Unreachable shared counters refuse the attempt (503): guessing must not get cheaper when Redis is down.
  VEZA_ASSIGN_OR_RETURN(int64_t wait, guard_.RetryAfterMs(account_key, ip, now_ms));
  if (wait > 0) return TooManyAttempts(wait);
  return Ok();
}

void AuthService::ClearGuard(const std::string& account_key) {
  if (auto cleared = guard_.RecordSuccess(account_key); !cleared.ok()) {
    log::Warn("cannot clear the sign-in failure counter", {{"error", cleared.error().detail}});
  }
}

Status AuthService::CheckSecondFactor(const users::User& user, const SecondFactor& second,
                                      const std::string& account_key, const ClientInfo& client) {
  if (totp_ == nullptr) return Ok();
  VEZA_ASSIGN_OR_RETURN(bool enabled, totp_->IsEnabled(user.id));
  if (!enabled) return Ok();
  Status verified = totp_->Verify(user.id, second);
  if (!verified.ok() && verified.error().slug != "totp_required") RecordLoginFailure(account_key, &user, client);
  return verified;
}

Status AuthService::CheckExternalSignIn(const users::User& user, const SecondFactor& second,
                                        const ClientInfo& client) {
  std::string account_key = AccountKey(user.id);
  VEZA_TRY(CheckGuard(account_key, client.ip, clock_.NowMs()));
  if (user.disabled()) return MakeError(ErrorCode::kForbidden, "This account is disabled.", "account_disabled");
  VEZA_TRY(CheckSecondFactor(user, second, account_key, client));
  if (!second.empty()) ClearGuard(account_key);
  return Ok();
}

Result<SignIn> AuthService::OpenSession(const users::User& user, const ClientInfo& client) {
  VEZA_ASSIGN_OR_RETURN(Tokens tokens, CreateSession(user, client));
  return SignIn{user, std::move(tokens)};
}

Tokens AuthService::IssueAccess(int64_t user_id, int64_t session_id, const std::string& role, std::string refresh) {
  int64_t now_s = clock_.NowMs() / 1000;
  AccessClaims claims{user_id, session_id, role, now_s, now_s + options_.access_ttl_s, crypto::RandomToken(12)};
  return Tokens{SignAccessToken(claims, options_.jwt_secret), std::move(refresh), options_.access_ttl_s, session_id};
}

Result<Tokens> AuthService::CreateSession(const users::User& user, const ClientInfo& client) {
  int64_t now = clock_.NowMs();
  store::SessionRow row{ids_.Next(), user.id, client.user_agent.substr(0, 512), client.ip, now, now,
                        now + options_.refresh_ttl_s * 1000, std::nullopt};
  std::string refresh = crypto::RandomToken(32);
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(store::InsertSession(s, row));
    return store::InsertRefreshToken(s, TokenHash(refresh), row.id, now);
  }));
  return IssueAccess(user.id, row.id, user.role, std::move(refresh));
}

Result<Tokens> AuthService::Refresh(std::string_view refresh_token, const ClientInfo& client) {
  if (refresh_token.empty() || refresh_token.size() > 128) return InvalidRefresh();
  std::string hash = TokenHash(refresh_token);
  std::string next = crypto::RandomToken(32);
  enum class Outcome { kRotated, kUnknown, kEnded, kReused };
  struct Step {
    Outcome outcome = Outcome::kUnknown;
    store::RefreshLookup lookup;
  };
  int64_t now = clock_.NowMs();
  VEZA_ASSIGN_OR_RETURN(Step step, db_.Transaction<Step>([&](db::Session& s) -> Result<Step> {
    VEZA_ASSIGN_OR_RETURN(auto found, store::FindRefreshToken(s, hash, now));
    if (!found) return Step{Outcome::kUnknown, {}};
    Step st{Outcome::kRotated, *found};
    if (!found->session_active || found->user_status != "active") {
      st.outcome = Outcome::kEnded;
      return st;
    }
    VEZA_ASSIGN_OR_RETURN(bool first_use, store::MarkRefreshTokenUsed(s, hash, now));
    if (found->used_at || !first_use) {
      // A used token came back: whoever holds the newer one may be a thief. End the session for both.
      VEZA_TRY(store::RevokeSession(s, found->user_id, found->session_id, "refresh_token_reuse", now));
      st.outcome = Outcome::kReused;
      return st;
    }
    VEZA_TRY(store::InsertRefreshToken(s, TokenHash(next), found->session_id, now));
    VEZA_TRY(store::TouchSession(s, found->session_id, client.ip, now, now + options_.refresh_ttl_s * 1000));
    return st;
  }));
  switch (step.outcome) {
    case Outcome::kUnknown: return InvalidRefresh();
    case Outcome::kEnded: return InvalidRefresh("session_ended");
    case Outcome::kReused:
      ForgetSessions({step.lookup.session_id});
      log::Warn("refresh token reused; session revoked", {{"session_id", IdToString(step.lookup.session_id)},
                                                          {"user_id", IdToString(step.lookup.user_id)},
                                                          {"ip", client.ip}});
      return InvalidRefresh("refresh_token_reused");
    case Outcome::kRotated: break;
  }
  return IssueAccess(step.lookup.user_id, step.lookup.session_id, step.lookup.role, std::move(next));
}

Result<Caller> AuthService::Authenticate(std::string_view access_token) {
  int64_t now = clock_.NowMs();
  VEZA_ASSIGN_OR_RETURN(AccessClaims claims, VerifyAccessToken(access_token, options_.jwt_secret, now / 1000));
  if (options_.session_cache_ms > 0) {
    std::lock_guard lock(cache_mu_);
    auto it = session_cache_.find(claims.session_id);
    if (it != session_cache_.end() && it->second.valid_until_ms > now && it->second.user_id == claims.user_id) {
      return Caller{claims.user_id, claims.session_id, it->second.role};
    }
  }
  VEZA_ASSIGN_OR_RETURN(store::SessionState state, db_.ReadValue<store::SessionState>([&](db::Session& s) {
    return store::GetSessionState(s, claims.session_id, now);
  }));
  if (!state.active || state.user_id != claims.user_id) return SessionEnded();
  if (options_.session_cache_ms > 0) {
    std::lock_guard lock(cache_mu_);
    if (session_cache_.size() > 100'000) session_cache_.clear();
    session_cache_[claims.session_id] = {state.user_id, state.role, now + options_.session_cache_ms};
  }
  // The role comes from the account, not the token, so a demotion applies at once.
  return Caller{claims.user_id, claims.session_id, state.role};
}

void AuthService::ForgetSessions(const std::vector<int64_t>& ids) {
  std::lock_guard lock(cache_mu_);
  for (int64_t id : ids) session_cache_.erase(id);
}

void AuthService::ForgetUser(int64_t user_id) {
  std::lock_guard lock(cache_mu_);
  std::erase_if(session_cache_, [&](const auto& kv) { return kv.second.user_id == user_id; });
}

Status AuthService::Logout(const Caller& caller) {
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(store::RevokeSession(s, caller.user_id, caller.session_id, "logout", clock_.NowMs()));
    return Ok();
  }));
  ForgetSessions({caller.session_id});
  return Ok();
}

Status AuthService::LogoutAll(const Caller& caller) { return EndAllSessions(caller.user_id, "logout_all"); }

Status AuthService::EndAllSessions(int64_t user_id, const std::string& reason) {
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(store::RevokeUserSessions(s, user_id, 0, reason, clock_.NowMs()));
    return Ok();
  }));
  ForgetUser(user_id);
  return Ok();
}

Result<std::vector<SessionInfo>> AuthService::ListSessions(const Caller& caller) {
  int64_t now = clock_.NowMs();
  VEZA_ASSIGN_OR_RETURN(auto rows, db_.ReadValue<std::vector<store::SessionRow>>([&](db::Session& s) {
    return store::ListActiveSessions(s, caller.user_id, now);
  }));
  std::vector<SessionInfo> out;
  for (const auto& r : rows) {
    out.push_back({r.id, r.user_agent, ParseUserAgent(r.user_agent), r.ip, r.created_at, r.last_seen_at,
                   r.expires_at, r.id == caller.session_id});
  }
  return out;
}

Status AuthService::EndSession(const Caller& caller, int64_t session_id) {
  VEZA_ASSIGN_OR_RETURN(bool revoked, db_.Transaction<bool>([&](db::Session& s) {
    return store::RevokeSession(s, caller.user_id, session_id, "ended_by_user", clock_.NowMs());
  }));
  if (!revoked) return NotFound("No such session.");
  ForgetSessions({session_id});
  return Ok();
}

Result<std::string> AuthService::NewEmailToken(int64_t user_id, const std::string& purpose, const std::string& email,
                                               int64_t ttl_s) {
  std::string token = crypto::RandomToken(32);
  int64_t now = clock_.NowMs();
  VEZA_TRY(db_.InTransaction([&](db::Session& s) {
    return store::InsertEmailToken(s, TokenHash(token), user_id, purpose, email, now, now + ttl_s * 1000);
  }));
  return token;
}

Result<store::EmailTokenRow> AuthService::ConsumeEmailToken(std::string_view token, const std::string& purpose) {
  if (token.empty() || token.size() > 128) return InvalidEmailToken();
  std::string hash = TokenHash(token);
  int64_t now = clock_.NowMs();
  return db_.Transaction<store::EmailTokenRow>([&](db::Session& s) -> Result<store::EmailTokenRow> {
    VEZA_ASSIGN_OR_RETURN(auto row, store::FindEmailToken(s, hash, purpose));
    if (!row || row->used_at || row->expires_at <= now) return InvalidEmailToken();
    VEZA_ASSIGN_OR_RETURN(bool first, store::MarkEmailTokenUsed(s, hash, now));
    if (!first) return InvalidEmailToken();
    return *row;
  });
}

Status AuthService::RequestPasswordReset(std::string_view email) {
  VEZA_ASSIGN_OR_RETURN(auto user, users_.FindByEmail(email));
  if (!user || user->disabled()) return Ok();
  VEZA_ASSIGN_OR_RETURN(std::string token, NewEmailToken(user->id, kPasswordReset, user->email, options_.reset_ttl_s));
  VEZA_TRY(mailer_.Send({user->email, kPasswordReset, user->language,
                         {{"username", user->username},
                          {"link", options_.public_url + "/reset-password?token=" + token}}}));
  return Ok();
}

Status AuthService::ResetPassword(std::string_view token, std::string_view new_password) {
  if (auto p = PasswordProblem(new_password)) {
    return Validation({{"new_password", *p}}, "The new password " + *p + ".");
  }
  VEZA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
  VEZA_ASSIGN_OR_RETURN(store::EmailTokenRow row, ConsumeEmailToken(token, kPasswordReset));
  VEZA_TRY(users_.SetPasswordHash(row.user_id, hash));
  VEZA_TRY(db_.InTransaction([&](db::Session& s) {
    return store::UseAllEmailTokens(s, row.user_id, kPasswordReset, clock_.NowMs());
  }));
  // The link came through the mailbox, which proves the address too.
  VEZA_TRY(users_.MarkEmailVerified(row.user_id, row.email));
  return EndAllSessions(row.user_id, "password_reset");
}

Status AuthService::ChangePassword(const Caller& caller, std::string_view current, std::string_view next) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(caller.user_id));
  if (!hasher_.Verify(user.password_hash, current)) {
    Error e = Validation({{"current_password", "is not correct"}}, "The current password is not correct.");
    e.slug = "wrong_password";
    return e;
  }
  if (auto p = PasswordProblem(next)) return Validation({{"new_password", *p}}, "The new password " + *p + ".");
  VEZA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(next));
  VEZA_TRY(users_.SetPasswordHash(user.id, hash));
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(store::RevokeUserSessions(s, user.id, caller.session_id, "password_changed", clock_.NowMs()));
    return Ok();
  }));
  ForgetUser(user.id);
  auto sent = mailer_.Send({user.email, "password_changed", user.language,
                            {{"username", user.username}, {"link", options_.public_url + "/forgot-password"}}});
  if (!sent.ok()) log::Warn("cannot queue the password-changed mail", {{"error", sent.error().detail}});
  return Ok();
}

Status AuthService::RequestEmailVerification(const Caller& caller) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(caller.user_id));
  if (user.email_verified) {
    return MakeError(ErrorCode::kConflict, "This email address is already verified.", "already_verified");
  }
  VEZA_ASSIGN_OR_RETURN(std::string token, NewEmailToken(user.id, kVerifyEmail, user.email, options_.verify_ttl_s));
  VEZA_TRY(mailer_.Send({user.email, kVerifyEmail, user.language,
                         {{"username", user.username}, {"link", options_.public_url + "/verify-email?token=" + token}}}));
  return Ok();
}

Status AuthService::VerifyEmail(std::string_view token) {
  VEZA_ASSIGN_OR_RETURN(store::EmailTokenRow row, ConsumeEmailToken(token, kVerifyEmail));
  return users_.MarkEmailVerified(row.user_id, row.email);
}

Result<StreamToken> AuthService::IssueStreamToken(const Caller& caller, std::string_view scope) {
  if (auto p = StreamScopeProblem(scope)) return Validation({{"scope", *p}});
  StreamGrant g{std::string(scope), caller.user_id, clock_.NowMs() + options_.stream_token_ttl_s * 1000};
  return StreamToken{SignStreamToken(g, options_.stream_token_secret), g.scope, g.expires_at_ms};
}

Result<users::User> AuthService::SetAccountStatus(int64_t user_id, std::string_view status) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.SetStatus(user_id, status));
  if (status == "disabled") VEZA_TRY(EndAllSessions(user_id, "account_disabled"));
  return user;
}

}  // namespace veza::auth
