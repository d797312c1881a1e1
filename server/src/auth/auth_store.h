#pragma once
/// SQL over auth_sessions, auth_refresh_tokens and auth_email_tokens. Tokens are only ever stored as
/// SHA-256 hex; every function runs on the caller's session.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/session.h"

namespace veza::auth::store {

struct SessionRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string user_agent;
  std::string ip;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at;
};

/// A session as the authentication check needs it, joined with the account's role and status.
struct SessionState {
  int64_t user_id = 0;
  bool active = false;  // not revoked, not expired, account not disabled
  std::string role;
};

struct RefreshLookup {
  int64_t session_id = 0;
  int64_t user_id = 0;
  std::optional<int64_t> used_at;
  bool session_active = false;
  std::string user_status;
  std::string role;
};

struct EmailTokenRow {
  int64_t user_id = 0;
  std::string email;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

Status InsertSession(db::Session& s, const SessionRow& row);
Status InsertRefreshToken(db::Session& s, const std::string& hash, int64_t session_id, int64_t now_ms);
Result<std::optional<RefreshLookup>> FindRefreshToken(db::Session& s, const std::string& hash, int64_t now_ms);
/// Marks a refresh token used; false when another request used it first.
Result<bool> MarkRefreshTokenUsed(db::Session& s, const std::string& hash, int64_t now_ms);
Status TouchSession(db::Session& s, int64_t session_id, const std::string& ip, int64_t now_ms, int64_t expires_at);
Result<SessionState> GetSessionState(db::Session& s, int64_t session_id, int64_t now_ms);
/// When the active session `session_id` of `user_id` was signed in (its creation time), or nullopt.
Result<std::optional<int64_t>> SessionSignedInAt(db::Session& s, int64_t user_id, int64_t session_id, int64_t now_ms);
Result<std::vector<SessionRow>> ListActiveSessions(db::Session& s, int64_t user_id, int64_t now_ms);
/// Revokes one session of `user_id`; false when there is no such active session.
Result<bool> RevokeSession(db::Session& s, int64_t user_id, int64_t session_id, const std::string& reason,
                           int64_t now_ms);
/// Revokes every active session of `user_id` except `keep` (0 keeps none); returns the revoked ids.
Result<std::vector<int64_t>> RevokeUserSessions(db::Session& s, int64_t user_id, int64_t keep,
                                                const std::string& reason, int64_t now_ms);

Status InsertEmailToken(db::Session& s, const std::string& hash, int64_t user_id, const std::string& purpose,
                        const std::string& email, int64_t now_ms, int64_t expires_at);
Result<std::optional<EmailTokenRow>> FindEmailToken(db::Session& s, const std::string& hash,
                                                    const std::string& purpose);
Result<bool> MarkEmailTokenUsed(db::Session& s, const std::string& hash, int64_t now_ms);
/// Burns every unused token of one purpose for a user (a reset ends all other reset links).
Status UseAllEmailTokens(db::Session& s, int64_t user_id, const std::string& purpose, int64_t now_ms);

}  // namespace veza::auth::store
