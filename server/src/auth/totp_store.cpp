#include "auth/totp_store.h"

namespace veza::auth::totp_store {

Result<std::optional<TotpRow>> Find(db::Session& s, int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(auto row,
                        s.QueryOne("SELECT user_id, secret, enabled_at, last_used_step FROM auth_totp "
                                   "WHERE user_id = $1",
                                   {user_id}));
  if (!row) return std::optional<TotpRow>();
  return std::optional<TotpRow>(TotpRow{row->Int(0), row->Text(1), row->OptInt(2), row->Int(3)});
}

Status PutPending(db::Session& s, int64_t user_id, const std::string& secret, int64_t now_ms) {
  VEZA_TRY(
      s.Execute("INSERT INTO auth_totp (user_id, secret, enabled_at, last_used_step, created_at) "
                "VALUES ($1, $2, NULL, 0, $3) ON CONFLICT (user_id) DO UPDATE SET secret = $2, "
                "enabled_at = NULL, last_used_step = 0, created_at = $3",
                {user_id, secret, now_ms}));
  return Ok();
}

Result<bool> Enable(db::Session& s, int64_t user_id, int64_t step, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n,
                        s.Execute("UPDATE auth_totp SET enabled_at = $2, last_used_step = $3 "
                                  "WHERE user_id = $1 AND enabled_at IS NULL AND last_used_step < $3",
                                  {user_id, now_ms, step}));
  return n == 1;
}

Result<bool> UseStep(db::Session& s, int64_t user_id, int64_t step) {
  VEZA_ASSIGN_OR_RETURN(int64_t n,
                        s.Execute("UPDATE auth_totp SET last_used_step = $2 "
                                  "WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_used_step < $2",
                                  {user_id, step}));
  return n == 1;
}

Status Delete(db::Session& s, int64_t user_id) {
  VEZA_TRY(s.Execute("DELETE FROM auth_totp WHERE user_id = $1", {user_id}));
  VEZA_TRY(s.Execute("DELETE FROM auth_recovery_codes WHERE user_id = $1", {user_id}));
  return Ok();
}

Result<std::vector<std::pair<int64_t, std::string>>> ListSecrets(db::Session& s) {
  VEZA_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT user_id, secret FROM auth_totp", {}));
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& r : rows.rows) out.emplace_back(r.Int(0), r.Text(1));
  return out;
}

Result<bool> ReplaceSecret(db::Session& s, int64_t user_id, const std::string& expected, const std::string& sealed) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_totp SET secret = $3 WHERE user_id = $1 AND secret = $2",
                                             {user_id, expected, sealed}));
  return n == 1;
}

Status ReplaceRecoveryCodes(db::Session& s, int64_t user_id, const std::vector<std::string>& hashes,
                            int64_t now_ms) {
  VEZA_TRY(s.Execute("DELETE FROM auth_recovery_codes WHERE user_id = $1", {user_id}));
  for (const auto& h : hashes) {
    VEZA_TRY(s.Execute("INSERT INTO auth_recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
                       {h, user_id, now_ms}));
  }
  return Ok();
}

Result<bool> UseRecoveryCode(db::Session& s, int64_t user_id, const std::string& hash, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("UPDATE auth_recovery_codes SET used_at = $3 "
                                             "WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL",
                                             {hash, user_id, now_ms}));
  return n == 1;
}

Result<int64_t> CountUnusedRecoveryCodes(db::Session& s, int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT COUNT(*) FROM auth_recovery_codes "
                                             "WHERE user_id = $1 AND used_at IS NULL",
                                             {user_id}));
  return row ? row->Int(0) : 0;
}

}  // namespace veza::auth::totp_store
