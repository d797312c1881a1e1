#include "auth/password.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "core/crypto.h"

namespace veza::auth {

std::string_view CommonPasswordsText();  // generated from data/common-passwords.txt

namespace {

void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

const std::unordered_set<std::string_view>& CommonPasswords() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> s;
    std::string_view text = CommonPasswordsText();
    s.reserve(60'000);
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      if (!line.empty()) s.insert(line);
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
    return s;
  }();
  return set;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::optional<std::string> Argon2ParamsProblem(const Argon2Params& p) {
  if (p.ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || p.ops > 20) return "auth.argon2_ops must be between 1 and 20";
  uint64_t bytes = p.mem_kib * 1024;
  if (bytes < 8 * 1024 || bytes > (uint64_t{4} << 30)) return "auth.argon2_mem_kib must be between 8 and 4194304";
  return std::nullopt;
}

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  InitSodium();
  auto dummy = Hash(crypto::RandomToken(16));
  if (!dummy.ok()) throw std::runtime_error("cannot compute the reference password hash: " + dummy.error().detail);
  dummy_hash_ = std::move(*dummy);
}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.ops,
                            static_cast<size_t>(params_.mem_kib * 1024), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("crypto_pwhash_str_alg failed (out of memory?)");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::BurnEquivalentWork(std::string_view password) const { (void)Verify(dummy_hash_, password); }

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
  std::string h(hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), params_.ops, static_cast<size_t>(params_.mem_kib * 1024)) != 0;
}

bool IsCommonPassword(std::string_view password) {
  std::string lower(password);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return CommonPasswords().count(lower) > 0;
}

size_t CommonPasswordCount() { return CommonPasswords().size(); }

std::optional<std::string> PasswordProblem(std::string_view password) {
  if (Utf8Chars(password) < kMinPasswordLength) {
    return "must be at least " + std::to_string(kMinPasswordLength) + " characters";
  }
  if (password.size() > kMaxPasswordBytes) return "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes";
  if (IsCommonPassword(password)) return "is too common: it is on the list of passwords attackers try first";
  bool all_same = std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); });
  if (all_same) return "must not repeat a single character";
  return std::nullopt;
}

}  // namespace veza::auth
