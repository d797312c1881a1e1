#include "auth/oauth_store.h"

namespace veza::auth::oauth_store {

namespace {

constexpr std::string_view kConnectionColumns =
    "id, user_id, provider, subject, email, name, created_at, last_used_at";

ConnectionRow ConnectionFromRow(const db::Row& r) {
  return {r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(6), r.Int(7)};
}

Result<std::optional<ConnectionRow>> OneConnection(db::Session& s, std::string_view where,
                                                   const std::vector<db::Value>& params) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT " + std::string(kConnectionColumns) +
                                                 " FROM auth_oauth_connections WHERE " + std::string(where),
                                             params));
  if (!row) return std::optional<ConnectionRow>();
  return std::optional<ConnectionRow>(ConnectionFromRow(*row));
}

}  // namespace

Status InsertState(db::Session& s, const StateRow& r) {
  db::Value user = r.user_id ? db::Value(*r.user_id) : db::Value(nullptr);
  VEZA_TRY(
      s.Execute("INSERT INTO auth_oauth_states (state_hash, provider, code_verifier, browser_hash, user_id, "
                "redirect_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                {r.state_hash, r.provider, r.code_verifier, r.browser_hash, user, r.redirect_path,
                 r.created_at, r.expires_at}));
  return Ok();
}

Result<std::optional<StateRow>> FindState(db::Session& s, const std::string& hash) {
  VEZA_ASSIGN_OR_RETURN(auto row,
                        s.QueryOne("SELECT state_hash, provider, code_verifier, browser_hash, user_id, "
                                   "redirect_path, created_at, expires_at, used_at FROM auth_oauth_states "
                                   "WHERE state_hash = $1",
                                   {hash}));
  if (!row) return std::optional<StateRow>();
  return std::optional<StateRow>(StateRow{row->Text(0), row->Text(1), row->Text(2), row->Text(3),
                                          row->OptInt(4), row->Text(5), row->Int(6), row->Int(7),
                                          row->OptInt(8)});
}

Result<bool> UseState(db::Session& s, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_oauth_states SET used_at = $2 "
                                             "WHERE state_hash = $1 AND used_at IS NULL",
                                             {hash, now_ms}));
  return n == 1;
}

Status PruneExpired(db::Session& s, int64_t cutoff_ms) {
  VEZA_TRY(s.Execute("DELETE FROM auth_oauth_states WHERE expires_at < $1", {cutoff_ms}));
  VEZA_TRY(s.Execute("DELETE FROM auth_oauth_codes WHERE expires_at < $1", {cutoff_ms}));
  return Ok();
}

Result<std::optional<ConnectionRow>> FindConnection(db::Session& s, const std::string& provider,
                                                    const std::string& subject) {
  return OneConnection(s, "provider = $1 AND subject = $2", {provider, subject});
}

Result<std::optional<ConnectionRow>> FindUserConnection(db::Session& s, int64_t user_id,
                                                        const std::string& provider) {
  return OneConnection(s, "user_id = $1 AND provider = $2", {user_id, provider});
}

Status InsertConnection(db::Session& s, const ConnectionRow& r) {
  VEZA_TRY(s.Execute(
      "INSERT INTO auth_oauth_connections (id, user_id, provider, subject, email, name, created_at, "
      "last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {r.id, r.user_id, r.provider, r.subject, r.email, r.name, r.created_at, r.last_used_at}));
  return Ok();
}

Status TouchConnection(db::Session& s, int64_t id, const std::string& email, const std::string& name,
                       int64_t now_ms) {
  VEZA_TRY(
      s.Execute("UPDATE auth_oauth_connections SET email = $2, name = $3, last_used_at = $4 WHERE id = $1",
                {id, email, name, now_ms}));
  return Ok();
}

Result<std::vector<ConnectionRow>> ListConnections(db::Session& s, int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(db::QueryResult r, s.Query("SELECT " + std::string(kConnectionColumns) +
                                                       " FROM auth_oauth_connections WHERE user_id = $1 "
                                                       "ORDER BY provider",
                                                   {user_id}));
  std::vector<ConnectionRow> out;
  for (const auto& row : r.rows) out.push_back(ConnectionFromRow(row));
  return out;
}

Result<bool> DeleteConnection(db::Session& s, int64_t user_id, const std::string& provider) {
  VEZA_ASSIGN_OR_RETURN(int64_t n,
                        s.Execute("DELETE FROM auth_oauth_connections WHERE user_id = $1 AND provider = $2",
                                  {user_id, provider}));
  return n == 1;
}

Status InsertCode(db::Session& s, const std::string& hash, int64_t user_id, const std::string& provider,
                  int64_t now_ms, int64_t expires_at) {
  VEZA_TRY(
      s.Execute("INSERT INTO auth_oauth_codes (code_hash, user_id, provider, created_at, expires_at) "
                "VALUES ($1, $2, $3, $4, $5)",
                {hash, user_id, provider, now_ms, expires_at}));
  return Ok();
}

Result<std::optional<CodeRow>> FindCode(db::Session& s, const std::string& hash) {
  VEZA_ASSIGN_OR_RETURN(auto row,
                        s.QueryOne("SELECT user_id, provider, expires_at, used_at FROM auth_oauth_codes "
                                   "WHERE code_hash = $1",
                                   {hash}));
  if (!row) return std::optional<CodeRow>();
  return std::optional<CodeRow>(CodeRow{row->Int(0), row->Text(1), row->Int(2), row->OptInt(3)});
}

Result<bool> UseCode(db::Session& s, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_oauth_codes SET used_at = $2 "
                                             "WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                                             {hash, now_ms}));
  return n == 1;
}

}  // namespace veza::auth::oauth_store
