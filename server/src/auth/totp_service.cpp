#include "auth/totp_service.h"

#include "auth/totp.h"
#include "auth/totp_store.h"
#include "core/crypto.h"

namespace veza::auth {

namespace {

Error InvalidCode() {
  Error e =
      Validation({{"code", "is not a valid code"}}, "The code is not valid; check your authenticator app.");
  e.slug = "invalid_code";
  return e;
}

// Binds a sealed secret to its row: copying it to another user's row makes it unreadable.
std::string SecretAd(int64_t user_id) { return "veza-totp:" + std::to_string(user_id); }

std::string RecoveryHash(std::string_view normalized) {
  return crypto::Sha256Hex("recovery:" + std::string(normalized));
}

// 16 base32 characters = 80 random bits each, grouped by four for reading aloud.
std::string NewRecoveryCode() {
  std::string raw = totp::Base32Encode(crypto::RandomBytes(10));
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i]))));
  }
  return out;
}

}  // namespace

std::string NormalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

TotpService::TotpService(db::Database& database, users::UserService& users, const PasswordHasher& hasher,
                         const Clock& clock, const SecretBox& box, int64_t recent_sign_in_ms, std::string issuer)
    : db_(database),
      users_(users),
      hasher_(hasher),
      clock_(clock),
      box_(box),
      recent_sign_in_ms_(recent_sign_in_ms),
      issuer_(std::move(issuer)) {}

Result<std::string> TotpService::KeyOf(int64_t user_id, const std::string& stored) const {
  std::string base32 = stored;
  if (SecretBox::IsSealed(stored)) {
    VEZA_ASSIGN_OR_RETURN(base32, box_.Open(stored, SecretAd(user_id)));
  }
  auto key = totp::Base32Decode(base32);
  if (!key) return Internal("stored TOTP secret is not base32");
  return std::move(*key);
}

Result<int> TotpService::SealStoredSecrets() {
  using Rows = std::vector<std::pair<int64_t, std::string>>;
  VEZA_ASSIGN_OR_RETURN(Rows rows, db_.ReadValue<Rows>([](db::Session& s) { return totp_store::ListSecrets(s); }));
  int changed = 0;
  for (const auto& [user_id, stored] : rows) {
    std::string plaintext = stored;
    if (SecretBox::IsSealed(stored)) {
      bool with_previous = false;
      auto opened = box_.Open(stored, SecretAd(user_id), &with_previous);
      if (!opened.ok()) return opened.error();  // a key is missing: say so at startup, not at sign-in
      if (!with_previous) continue;
      plaintext = std::move(*opened);
    }
    std::string sealed = box_.Seal(plaintext, SecretAd(user_id));
    VEZA_ASSIGN_OR_RETURN(bool replaced, db_.Transaction<bool>([&](db::Session& s) -> Result<bool> {
      return totp_store::ReplaceSecret(s, user_id, stored, sealed);
    }));
    if (replaced) ++changed;
  }
  return changed;
}

Result<TotpSetup> TotpService::Setup(int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(user_id));
  std::string secret = totp::Base32Encode(crypto::RandomBytes(totp::kSecretBytes));
  int64_t now = clock_.NowMs();
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto row, totp_store::Find(s, user_id));
    if (row && row->enabled_at) {
      return MakeError(ErrorCode::kConflict, "Two-factor sign-in is already on; turn it off first.",
                       "totp_already_enabled");
    }
    return totp_store::PutPending(s, user_id, box_.Seal(secret, SecretAd(user_id)), now);
  }));
  TotpSetup setup;
  setup.secret = secret;
  setup.otpauth_uri = totp::OtpauthUri(issuer_, user.username, secret);
  auto svg = totp::QrSvg(setup.otpauth_uri);
  if (!svg) return Internal("libqrencode could not encode the otpauth URI");
  setup.qr_svg = std::move(*svg);
  return setup;
}

Result<std::vector<std::string>> TotpService::Enable(int64_t user_id, std::string_view code) {
  int64_t now = clock_.NowMs();
  std::vector<std::string> codes, hashes;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    codes.push_back(NewRecoveryCode());
    hashes.push_back(RecoveryHash(NormalizeRecoveryCode(codes.back())));
  }
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto row, totp_store::Find(s, user_id));
    if (!row || row->enabled_at) {
      return MakeError(ErrorCode::kConflict,
                       row ? "Two-factor sign-in is already on." : "Start with POST /auth/2fa/setup.",
                       row ? "totp_already_enabled" : "totp_not_set_up");
    }
    VEZA_ASSIGN_OR_RETURN(std::string key, KeyOf(user_id, row->secret));
    auto step = totp::MatchStep(key, code, now / 1000, row->last_used_step);
    if (!step) return InvalidCode();
    VEZA_ASSIGN_OR_RETURN(bool enabled, totp_store::Enable(s, user_id, *step, now));
    if (!enabled) return InvalidCode();
    return totp_store::ReplaceRecoveryCodes(s, user_id, hashes, now);
  }));
  return codes;
}

Result<bool> TotpService::Consume(int64_t user_id, std::string_view code, bool is_recovery) {
  int64_t now = clock_.NowMs();
  return db_.Transaction<bool>([&](db::Session& s) -> Result<bool> {
    if (is_recovery) {
      std::string normalized = NormalizeRecoveryCode(code);
      if (normalized.empty() || normalized.size() > 64) return false;
      return totp_store::UseRecoveryCode(s, user_id, RecoveryHash(normalized), now);
    }
    VEZA_ASSIGN_OR_RETURN(auto row, totp_store::Find(s, user_id));
    if (!row || !row->enabled_at) return false;
    VEZA_ASSIGN_OR_RETURN(std::string key, KeyOf(user_id, row->secret));
    auto step = totp::MatchStep(key, code, now / 1000, row->last_used_step);
    if (!step) return false;
    return totp_store::UseStep(s, user_id, *step);
  });
}

Status TotpService::Disable(int64_t user_id, std::string_view password, std::string_view code,
                            int64_t session_id) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(user_id));
  VEZA_ASSIGN_OR_RETURN(bool enabled, IsEnabled(user_id));
  if (!enabled) return MakeError(ErrorCode::kConflict, "Two-factor sign-in is not on.", "totp_not_enabled");
  if (user.password_hash.empty()) {
    VEZA_TRY(RequireRecentSignIn(db_, user_id, session_id, clock_.NowMs(), recent_sign_in_ms_));
  } else if (!hasher_.Verify(user.password_hash, password)) {
    Error e = Validation({{"password", "is not correct"}}, "The password is not correct.");
    e.slug = "wrong_password";
    return e;
  }
  std::string trimmed(code);
  bool is_recovery = trimmed.size() != static_cast<size_t>(totp::kDigits);
  VEZA_ASSIGN_OR_RETURN(bool consumed, Consume(user_id, trimmed, is_recovery));
  if (!consumed) return InvalidCode();
  return db_.InTransaction([&](db::Session& s) { return totp_store::Delete(s, user_id); });
}

Result<TotpStatus> TotpService::GetStatus(int64_t user_id) {
  return db_.ReadValue<TotpStatus>([&](db::Session& s) -> Result<TotpStatus> {
    VEZA_ASSIGN_OR_RETURN(auto row, totp_store::Find(s, user_id));
    TotpStatus st;
    if (!row) return st;
    st.enabled = row->enabled_at.has_value();
    st.pending = !st.enabled;
    if (st.enabled) {
      VEZA_ASSIGN_OR_RETURN(st.recovery_codes_left, totp_store::CountUnusedRecoveryCodes(s, user_id));
    }
    return st;
  });
}

Result<bool> TotpService::IsEnabled(int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(TotpStatus st, GetStatus(user_id));
  return st.enabled;
}

Status TotpService::Verify(int64_t user_id, const SecondFactor& factor) {
  if (factor.empty()) {
    return MakeError(ErrorCode::kUnauthenticated, "Enter the code from your authenticator app.",
                     "totp_required");
  }
  bool is_recovery = factor.totp_code.empty();
  VEZA_ASSIGN_OR_RETURN(bool ok,
                        Consume(user_id, is_recovery ? factor.recovery_code : factor.totp_code, is_recovery));
  if (ok) return Ok();
  if (is_recovery) {
    return MakeError(ErrorCode::kUnauthenticated, "This recovery code is not valid or was already used.",
                     "invalid_recovery_code");
  }
  return MakeError(ErrorCode::kUnauthenticated, "The two-factor code is not valid or was already used.",
                   "invalid_totp_code");
}

}  // namespace veza::auth
