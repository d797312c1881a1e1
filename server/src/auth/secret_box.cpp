#include "auth/secret_box.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "core/crypto.h"

namespace veza::auth {

namespace {

constexpr std::string_view kV1 = "v1:";
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "vezatotp";  // exactly 8 bytes
constexpr uint64_t kTotpSubkeyId = 1;

// secrets.jwt is text of any length; BLAKE2b makes it the 32-byte master key crypto_kdf wants.
void DeriveKey(std::string_view server_secret, unsigned char out[32]) {
  static_assert(crypto_kdf_KEYBYTES == 32 && crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
  unsigned char master[crypto_kdf_KEYBYTES];
  crypto_generichash(master, sizeof master, reinterpret_cast<const unsigned char*>(server_secret.data()),
                     server_secret.size(), nullptr, 0);
  crypto_kdf_derive_from_key(out, 32, kTotpSubkeyId, kKdfContext, master);
  sodium_memzero(master, sizeof master);
}

std::optional<std::string> OpenWith(const unsigned char key[32], std::string_view raw, std::string_view ad) {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (raw.size() < kNonce + kTag) return std::nullopt;
  std::string out(raw.size() - kNonce - kTag, '\0');
  unsigned long long out_len = 0;
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &out_len, nullptr,
          reinterpret_cast<const unsigned char*>(raw.data() + kNonce), raw.size() - kNonce,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce, key) != 0) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

}  // namespace

SecretBox::SecretBox(std::string_view server_secret, std::string_view previous_server_secret) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  DeriveKey(server_secret, key_);
  has_previous_ = !previous_server_secret.empty() && previous_server_secret != server_secret;
  if (has_previous_) DeriveKey(previous_server_secret, previous_key_);
}

SecretBox::~SecretBox() {
  sodium_memzero(key_, sizeof key_);
  sodium_memzero(previous_key_, sizeof previous_key_);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view ad) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string raw(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  randombytes_buf(nonce, kNonce);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonce, &ct_len, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key_);
  raw.resize(kNonce + ct_len);
  return std::string(kV1) + crypto::Base64UrlEncode(raw);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view ad, bool* with_previous) const {
  if (with_previous) *with_previous = false;
  if (sealed.substr(0, kV1.size()) != kV1) return Internal("sealed secret: unknown format version");
  auto raw = crypto::TryBase64UrlDecode(sealed.substr(kV1.size()));
  if (!raw) return Internal("sealed secret: not base64url");
  if (auto out = OpenWith(key_, *raw, ad)) return std::move(*out);
  if (has_previous_) {
    if (auto out = OpenWith(previous_key_, *raw, ad)) {
      if (with_previous) *with_previous = true;
      return std::move(*out);
    }
  }
  return Internal(
      "sealed secret: no configured key opens it (was secrets.jwt rotated without "
      "secrets.previous_jwt?), or it was tampered with");
}

bool SecretBox::IsSealed(std::string_view stored) {
  return stored.substr(0, kV1.size()) == kV1;
}

}  // namespace veza::auth
