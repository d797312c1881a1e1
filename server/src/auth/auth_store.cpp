#include "auth/auth_store.h"

namespace veza::auth::store {

namespace {

constexpr std::string_view kSessionColumns =
    "id, user_id, user_agent, ip, created_at, last_seen_at, expires_at, revoked_at";

SessionRow SessionFromRow(const db::Row& r) {
  return {r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.Int(6), r.OptInt(7)};
}

}  // namespace

Status InsertSession(db::Session& s, const SessionRow& r) {
  VEZA_TRY(s.Execute("INSERT INTO auth_sessions (id, user_id, user_agent, ip, created_at, last_seen_at, expires_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     {r.id, r.user_id, r.user_agent, r.ip, r.created_at, r.last_seen_at, r.expires_at}));
  return Ok();
}

Status InsertRefreshToken(db::Session& s, const std::string& hash, int64_t session_id, int64_t now_ms) {
  VEZA_TRY(s.Execute("INSERT INTO auth_refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                     {hash, session_id, now_ms}));
  return Ok();
}

Result<std::optional<RefreshLookup>> FindRefreshToken(db::Session& s, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(
      auto row, s.QueryOne("SELECT t.session_id, s.user_id, t.used_at, s.revoked_at, s.expires_at, u.status, u.role "
                           "FROM auth_refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id "
                           "JOIN users u ON u.id = s.user_id WHERE t.token_hash = $1",
                           {hash}));
  if (!row) return std::optional<RefreshLookup>();
  RefreshLookup l;
  l.session_id = row->Int(0);
  l.user_id = row->Int(1);
  l.used_at = row->OptInt(2);
  l.session_active = row->IsNull(3) && row->Int(4) > now_ms;
  l.user_status = row->Text(5);
  l.role = row->Text(6);
  return std::optional<RefreshLookup>(l);
}

Result<bool> MarkRefreshTokenUsed(db::Session& s, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_refresh_tokens SET used_at = $2 "
                                             "WHERE token_hash = $1 AND used_at IS NULL",
                                             {hash, now_ms}));
  return n == 1;
}

Status TouchSession(db::Session& s, int64_t session_id, const std::string& ip, int64_t now_ms, int64_t expires_at) {
  VEZA_TRY(s.Execute("UPDATE auth_sessions SET last_seen_at = $2, ip = $3, expires_at = $4 WHERE id = $1",
                     {session_id, now_ms, ip, expires_at}));
  return Ok();
}

Result<SessionState> GetSessionState(db::Session& s, int64_t session_id, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT s.user_id, s.revoked_at, s.expires_at, u.status, u.role "
                                             "FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1",
                                             {session_id}));
  SessionState st;
  if (!row) return st;
  st.user_id = row->Int(0);
  st.active = row->IsNull(1) && row->Int(2) > now_ms && row->Text(3) == "active";
  st.role = row->Text(4);
  return st;
}

Result<std::optional<int64_t>> SessionSignedInAt(db::Session& s, int64_t user_id, int64_t session_id,
                                                 int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT created_at FROM auth_sessions WHERE id = $1 AND user_id = $2 "
                                             "AND revoked_at IS NULL AND expires_at > $3",
                                             {session_id, user_id, now_ms}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Result<std::vector<SessionRow>> ListActiveSessions(db::Session& s, int64_t user_id, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(db::QueryResult r,
                        s.Query("SELECT " + std::string(kSessionColumns) +
                                    " FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
                                    "ORDER BY last_seen_at DESC, id DESC",
                                {user_id, now_ms}));
  std::vector<SessionRow> out;
  for (const auto& row : r.rows) out.push_back(SessionFromRow(row));
  return out;
}

Result<bool> RevokeSession(db::Session& s, int64_t user_id, int64_t session_id, const std::string& reason,
                           int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_sessions SET revoked_at = $3, revoked_reason = $4 "
                                             "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                                             {session_id, user_id, now_ms, reason}));
  return n == 1;
}

Result<std::vector<int64_t>> RevokeUserSessions(db::Session& s, int64_t user_id, int64_t keep,
                                                const std::string& reason, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(db::QueryResult r,
                        s.Query("UPDATE auth_sessions SET revoked_at = $3, revoked_reason = $4 "
                                "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id",
                                {user_id, keep, now_ms, reason}));
  std::vector<int64_t> ids;
  for (const auto& row : r.rows) ids.push_back(row.Int(0));
  return ids;
}

Status InsertEmailToken(db::Session& s, const std::string& hash, int64_t user_id, const std::string& purpose,
                        const std::string& email, int64_t now_ms, int64_t expires_at) {
  VEZA_TRY(s.Execute("INSERT INTO auth_email_tokens (token_hash, user_id, purpose, email, created_at, expires_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6)",
                     {hash, user_id, purpose, email, now_ms, expires_at}));
  return Ok();
}

Result<std::optional<EmailTokenRow>> FindEmailToken(db::Session& s, const std::string& hash,
                                                    const std::string& purpose) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT user_id, email, expires_at, used_at FROM auth_email_tokens "
                                             "WHERE token_hash = $1 AND purpose = $2",
                                             {hash, purpose}));
  if (!row) return std::optional<EmailTokenRow>();
  return std::optional<EmailTokenRow>(EmailTokenRow{row->Int(0), row->Text(1), row->Int(2), row->OptInt(3)});
}

Result<bool> MarkEmailTokenUsed(db::Session& s, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_email_tokens SET used_at = $2 "
                                             "WHERE token_hash = $1 AND used_at IS NULL",
                                             {hash, now_ms}));
  return n == 1;
}

Status UseAllEmailTokens(db::Session& s, int64_t user_id, const std::string& purpose, int64_t now_ms) {
  VEZA_TRY(s.Execute("UPDATE auth_email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 "
                     "AND used_at IS NULL",
                     {user_id, purpose, now_ms}));
  return Ok();
}

}  // namespace veza::auth::store
