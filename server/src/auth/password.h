#pragma once
/// Password hashing (Argon2id through libsodium's crypto_pwhash) and the password policy.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::auth {

/// Argon2id cost. Defaults: 2 passes over 64 MiB, one lane (libsodium's "interactive" level,
/// above OWASP's minimum of m=19 MiB, t=2). Tests pass cheaper values through the config.
struct Argon2Params {
  uint64_t ops = 2;
  uint64_t mem_kib = 64 * 1024;
};

/// Problems with the parameters libsodium would refuse (too small, too large).
std::optional<std::string> Argon2ParamsProblem(const Argon2Params& params);

class PasswordHasher {
 public:
  explicit PasswordHasher(Argon2Params params);

  /// A self-describing "$argon2id$v=19$m=…,t=…,p=1$salt$hash" string.
  Result<std::string> Hash(std::string_view password) const;
  /// True when `password` matches `hash`; false for a malformed hash too.
  bool Verify(std::string_view hash, std::string_view password) const;
  /// Verifies against a fixed hash with the same parameters, so an unknown account costs the same
  /// work as a known one and its timing does not reveal whether the account exists.
  void BurnEquivalentWork(std::string_view password) const;
  /// True when `hash` was made with other parameters than the current ones (rehash on next sign-in).
  bool NeedsRehash(std::string_view hash) const;

  const Argon2Params& params() const { return params_; }

 private:
  Argon2Params params_;
  std::string dummy_hash_;
};

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

/// The rule a new password breaks ("must be at least 10 characters", "is too common…"), or nullopt.
std::optional<std::string> PasswordProblem(std::string_view password);
/// True when the lower-cased password is in the bundled list of common passwords.
bool IsCommonPassword(std::string_view password);
/// Entries in the bundled list.
size_t CommonPasswordCount();

}  // namespace veza::auth
