#pragma once
/// TOTP (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1) and what authenticator apps need to enrol:
/// base32 secrets, the otpauth:// URI and its QR code as SVG.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace veza::auth::totp {

inline constexpr int64_t kStepSeconds = 30;
inline constexpr int kDigits = 6;
inline constexpr int kWindowSteps = 1;      // codes of the previous and next step are accepted too
inline constexpr size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends

/// RFC 4648 base32, upper case, without padding.
std::string Base32Encode(std::string_view bytes);
/// Accepts either case, ignores spaces and '=' padding; nullopt on any other character.
std::optional<std::string> Base32Decode(std::string_view text);

/// HOTP value of `counter` under `key`, zero-padded to `digits` (6–8).
std::string Hotp(std::string_view key, uint64_t counter, int digits = kDigits);
/// The time step containing `unix_seconds`.
int64_t StepAt(int64_t unix_seconds);
/// The TOTP value at `unix_seconds`.
std::string CodeAt(std::string_view key, int64_t unix_seconds, int digits = kDigits);

/// The step in [now-window, now+window] whose code equals `code` and that is newer than
/// `last_used_step` (so a code is accepted once, and never an older one after a newer); nullopt otherwise.
/// Compares in constant time per candidate.
std::optional<int64_t> MatchStep(std::string_view key, std::string_view code, int64_t unix_seconds,
                                 int64_t last_used_step, int window = kWindowSteps);

/// otpauth://totp/Veza:<account>?secret=…&issuer=Veza&algorithm=SHA1&digits=6&period=30
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret);

/// The QR code of `text` (error correction M) as a standalone SVG with a 4-module quiet zone;
/// nullopt when libqrencode cannot encode it.
std::optional<std::string> QrSvg(std::string_view text);

}  // namespace veza::auth::totp
