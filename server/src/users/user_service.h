#pragma once
/// Accounts and profiles: creation rules, profile edits and their validation, roles and status.
/// Other domains (auth, admin) call this service; only it touches the users table.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "users/user.h"

namespace veza::users {

/// What a viewer may see of a profile.
enum class Visibility { kSelf, kPublic, kLimited };

struct ProfileView {
  User user;
  Visibility visibility = Visibility::kPublic;
};

struct UserOptions {
  /// How long a deleted account's username stays held before registration may take it again.
  int64_t username_grace_ms = 30LL * 24 * 3600 * 1000;
};

class UserService {
 public:
  UserService(db::Database& database, IdGenerator& ids, const Clock& clock, UserOptions options = {});

  /// Validates and creates an account (409 naming `email` or `username` when taken in any letter case).
  /// The first account ever created becomes an admin unless `role` says otherwise. A deleted account's
  /// username is taken (409) during its grace period and freed here, on demand, once it has passed.
  /// Accounts marked deleted are absent for every lookup below (404 / nullopt).
  Result<User> Create(NewUser input);

  Result<User> Get(int64_t id);
  /// The live (not deleted) accounts among `ids`, in one query; absent ids are simply missing.
  Result<std::vector<User>> GetMany(const std::vector<int64_t>& ids);
  /// By email (when it contains '@') or username, normalised; nullopt when there is none.
  Result<std::optional<User>> FindByLogin(std::string_view login);
  Result<std::optional<User>> FindByEmail(std::string_view email);
  Result<User> GetByUsername(std::string_view username);

  /// GET /users/{username}: 404 for unknown or disabled accounts; private profiles are limited for others.
  Result<ProfileView> View(std::string_view username, std::optional<int64_t> viewer_id);

  /// Validates every present field (422 naming each bad one) and saves them.
  Result<User> UpdateProfile(int64_t id, const ProfileUpdate& update);

  Status SetPasswordHash(int64_t id, std::string_view hash);
  Status MarkEmailVerified(int64_t id, std::string_view email);
  Result<User> SetRole(int64_t id, Role role);
  /// "active" or "disabled".
  Result<User> SetStatus(int64_t id, std::string_view status);

 private:
  db::Database& db_;
  IdGenerator& ids_;
  const Clock& clock_;
  UserOptions options_;
};

}  // namespace veza::users
