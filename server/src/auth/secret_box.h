#pragma once
/// Encryption at rest for small secrets the server must read back (TOTP seeds): XChaCha20-Poly1305
/// with a key derived from the server secret (secrets.jwt) by BLAKE2b then crypto_kdf, so the JWT
/// signing key itself never encrypts anything. Sealed text is versioned: "v1:" + base64url(nonce ‖
/// ciphertext ‖ tag). The associated data binds a ciphertext to its row (it cannot be moved to another).

#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::auth {

class SecretBox {
 public:
  /// `previous_server_secret` (optional) still opens what the secret before a rotation sealed.
  explicit SecretBox(std::string_view server_secret, std::string_view previous_server_secret = {});
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  /// Always seals with the current key.
  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  /// Error (kInternal) when the text is not sealed, was tampered with, or no key opens it.
  /// `*with_previous` tells the caller to re-seal (it opened only with the previous key).
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data,
                           bool* with_previous = nullptr) const;
  /// True for text in a known sealed format (anything else is a legacy plaintext value).
  static bool IsSealed(std::string_view stored);

 private:
  unsigned char key_[32];
  unsigned char previous_key_[32];
  bool has_previous_ = false;
};

}  // namespace veza::auth
