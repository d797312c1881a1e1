#pragma once
/// SQL over auth_totp and auth_recovery_codes. Recovery codes are stored only as SHA-256 hex.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/session.h"

namespace veza::auth::totp_store {

struct TotpRow {
  int64_t user_id = 0;
  std::string secret;  // sealed by SecretBox ("v1:…"); base32 plaintext only in rows written before 0.x
  std::optional<int64_t> enabled_at;
  int64_t last_used_step = 0;
};

Result<std::optional<TotpRow>> Find(db::Session& s, int64_t user_id);
/// Inserts or replaces a pending (not enabled) secret.
Status PutPending(db::Session& s, int64_t user_id, const std::string& secret, int64_t now_ms);
/// Enables a pending secret at `step`; false when it was enabled meanwhile or the step is stale.
Result<bool> Enable(db::Session& s, int64_t user_id, int64_t step, int64_t now_ms);
/// Records `step` as used; false when it (or a later one) already was: the code is refused.
Result<bool> UseStep(db::Session& s, int64_t user_id, int64_t step);
Status Delete(db::Session& s, int64_t user_id);
/// Every (user_id, stored secret), for re-sealing at startup.
Result<std::vector<std::pair<int64_t, std::string>>> ListSecrets(db::Session& s);
/// Replaces the stored secret only if it is still `expected` (another node may have re-sealed it).
Result<bool> ReplaceSecret(db::Session& s, int64_t user_id, const std::string& expected, const std::string& sealed);

Status ReplaceRecoveryCodes(db::Session& s, int64_t user_id, const std::vector<std::string>& hashes,
                            int64_t now_ms);
/// Marks an unused code of the user used; false when there is none.
Result<bool> UseRecoveryCode(db::Session& s, int64_t user_id, const std::string& hash, int64_t now_ms);
Result<int64_t> CountUnusedRecoveryCodes(db::Session& s, int64_t user_id);

}  // namespace veza::auth::totp_store
