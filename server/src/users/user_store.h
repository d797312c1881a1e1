#pragma once
/// SQL over the users table. Every function runs on the caller's session (and transaction).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "db/session.h"
#include "users/user.h"

namespace veza::users::store {

Status Insert(db::Session& s, const User& user);
/// True for exactly one caller ever: the account that becomes the first admin (race-free on both engines).
Result<bool> ClaimFirstAccount(db::Session& s, int64_t user_id, int64_t now_ms);
Result<std::optional<User>> FindById(db::Session& s, int64_t id);
/// The accounts among `ids` that exist (any status), in no particular order.
Result<std::vector<User>> FindByIds(db::Session& s, const std::vector<int64_t>& ids);
Result<std::optional<User>> FindByUsername(db::Session& s, std::string_view normalized_username);
Result<std::optional<User>> FindByEmail(db::Session& s, std::string_view normalized_email);
Status UpdateProfile(db::Session& s, const User& user);
Status UpdatePasswordHash(db::Session& s, int64_t id, std::string_view hash, int64_t now_ms);
Status MarkEmailVerified(db::Session& s, int64_t id, std::string_view email, int64_t now_ms);
Status UpdateRole(db::Session& s, int64_t id, std::string_view role, int64_t now_ms);
Status UpdateStatus(db::Session& s, int64_t id, std::string_view status, int64_t now_ms);

/// The column holding an image's key: "avatar_key" or "banner_key".
enum class ImageColumn { kAvatar, kBanner };
/// Sets the image key to `next` ("" clears it) only if it is still `expected` ("" for none);
/// false when another writer changed it first.
Result<bool> SwapImageKey(db::Session& s, int64_t id, ImageColumn column, std::string_view expected,
                          std::string_view next, int64_t now_ms);
/// Purges the personal fields, ends the password, and marks the account deleted at `now_ms`;
/// the username stays. The email becomes `placeholder_email` (unique, undeliverable).
Status MarkDeleted(db::Session& s, int64_t id, std::string_view placeholder_email, int64_t now_ms);
/// Gives a deleted account's username back: the tombstone is renamed to `tombstone_name`, which no
/// valid username can equal.
Status ReleaseUsername(db::Session& s, int64_t id, std::string_view tombstone_name);

}  // namespace veza::users::store
