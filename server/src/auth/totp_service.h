#pragma once
/// Two-factor sign-in with TOTP: enrolment (setup → enable with a first code → 10 single-use recovery
/// codes), removal, and the check sign-in runs. A code is accepted once: the last used time step is stored.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.h"
#include "auth/reauth.h"
#include "auth/secret_box.h"
#include "core/clock.h"
#include "core/result.h"
#include "db/session.h"
#include "users/user_service.h"

namespace veza::auth {

struct TotpSetup {
  std::string secret;       // base32, for manual entry
  std::string otpauth_uri;  // what the QR code encodes
  std::string qr_svg;
};

struct TotpStatus {
  bool enabled = false;
  bool pending = false;  // set up but not yet confirmed with a code
  int64_t recovery_codes_left = 0;
};

/// What a sign-in may carry besides the password: one of a TOTP code or a recovery code.
struct SecondFactor {
  std::string totp_code;
  std::string recovery_code;
  bool empty() const { return totp_code.empty() && recovery_code.empty(); }
};

inline constexpr int kRecoveryCodeCount = 10;

class TotpService {
 public:
  /// Secrets are stored sealed by `box` (encryption at rest).
  TotpService(db::Database& database, users::UserService& users, const PasswordHasher& hasher,
              const Clock& clock, const SecretBox& box, int64_t recent_sign_in_ms = kDefaultRecentSignInMs,
              std::string issuer = "Veza");

  /// Seals rows still holding a plaintext secret (written before encryption at rest) and re-seals those
  /// only the previous server secret opens. Run at startup; returns how many rows changed.
  Result<int> SealStoredSecrets();

  /// A new pending secret (replacing any earlier pending one); 409 `totp_already_enabled` when on.
  Result<TotpSetup> Setup(int64_t user_id);
  /// Confirms the pending secret with a current code; returns the recovery codes (shown once).
  /// 409 `totp_not_set_up` without a pending secret, 422 `invalid_code` for a wrong code.
  Result<std::vector<std::string>> Enable(int64_t user_id, std::string_view code);
  /// Needs a current TOTP or recovery code and the account password, or, for an account without one,
  /// a recent sign-in of `session_id` (see auth/reauth.h). 422 `wrong_password` / `invalid_code`;
  /// 403 `recent_sign_in_required`; 409 `totp_not_enabled`.
  Status Disable(int64_t user_id, std::string_view password, std::string_view code, int64_t session_id);
  Result<TotpStatus> GetStatus(int64_t user_id);
  Result<bool> IsEnabled(int64_t user_id);

  /// Sign-in check for an account with TOTP on: OK (consuming the code) or 401 `totp_required` when no
  /// factor was given, `invalid_totp_code` / `invalid_recovery_code` when it is wrong or already used.
  Status Verify(int64_t user_id, const SecondFactor& factor);

 private:
  /// Consumes a TOTP code (when it looks like one) or a recovery code; false when neither matches.
  Result<bool> Consume(int64_t user_id, std::string_view code, bool is_recovery);
  /// The raw TOTP key of a stored (sealed, or legacy base32) secret.
  Result<std::string> KeyOf(int64_t user_id, const std::string& stored) const;

  db::Database& db_;
  users::UserService& users_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  const SecretBox& box_;
  int64_t recent_sign_in_ms_;
  std::string issuer_;
};

/// "xxxx-xxxx-xxxx-xxxx" → "xxxxxxxxxxxxxxxx" (lower case, separators dropped).
std::string NormalizeRecoveryCode(std::string_view code);

}  // namespace veza::auth
