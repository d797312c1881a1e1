#pragma once
/// Hashing, MACs, randomness and base64url over libsodium. Thread-safe; libsodium is initialised once
/// on first use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace veza::crypto {

/// SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);
/// SHA-256 of `data` as 32 raw bytes.
std::string Sha256(std::string_view data);

/// `n` bytes from the OS CSPRNG.
std::string RandomBytes(size_t n);
/// `bytes` random bytes encoded as base64url without padding (32 bytes → 43 characters).
std::string RandomToken(size_t bytes = 32);

/// HMAC-SHA-256 of `data` under `key` (any length) as 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

/// Compares in time independent of where the inputs differ (the length itself is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// RFC 4648 §5 alphabet, no padding.
std::string Base64UrlEncode(std::string_view data);
/// Decodes base64url without padding; nullopt on any invalid character or length.
std::optional<std::string> TryBase64UrlDecode(std::string_view text);
/// As TryBase64UrlDecode, but "" on invalid input (callers that compare the result anyway).
std::string Base64UrlDecode(std::string_view text);

}  // namespace veza::crypto
