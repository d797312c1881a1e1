#include "core/crypto.h"

#include <sodium.h>

#include <stdexcept>

namespace veza::crypto {

namespace {

// sodium_init is idempotent, but a static makes the failure check happen once per process.
void EnsureInit() {
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) throw std::runtime_error("libsodium could not be initialised");
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

}  // namespace

std::string Sha256(std::string_view data) {
  EnsureInit();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(Bytes(out), Bytes(data), data.size());
  return out;
}

std::string Sha256Hex(std::string_view data) {
  std::string raw = Sha256(data);
  std::string hex(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), Bytes(raw), raw.size());
  hex.pop_back();
  return hex;
}

std::string RandomBytes(size_t n) {
  EnsureInit();
  std::string out(n, '\0');
  if (n > 0) randombytes_buf(out.data(), n);
  return out;
}

std::string RandomToken(size_t bytes) {
  return Base64UrlEncode(RandomBytes(bytes));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  EnsureInit();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, Bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, Bytes(data), data.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, Bytes(out));
  sodium_memzero(&state, sizeof state);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  EnsureInit();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Base64UrlEncode(std::string_view data) {
  EnsureInit();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(data), data.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> TryBase64UrlDecode(std::string_view text) {
  EnsureInit();
  if (text.empty()) return std::string();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(Bytes(out), out.size(), text.data(), text.size(), nullptr, &out_len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

std::string Base64UrlDecode(std::string_view text) {
  return TryBase64UrlDecode(text).value_or(std::string());
}

}  // namespace veza::crypto
