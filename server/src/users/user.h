#pragma once
/// Accounts and public profiles: plain structs, std only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace veza::users {

/// Roles in increasing order of power.
enum class Role { kUser, kCreator, kModerator, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct SocialLink {
  std::string platform;  // spotify, soundcloud, bandcamp, youtube, instagram, tiktok, x, …, website
  std::string url;       // https only
};

struct User {
  int64_t id = 0;
  std::string username;  // lower-case
  std::string email;     // normalised
  bool email_verified = false;
  std::string password_hash;  // empty when the account has none
  std::string role = "user";
  std::string status = "active";  // active | disabled | deleted (a tombstone holding the username)
  std::string display_name;
  std::string bio;
  std::string location;
  std::string website;
  std::vector<SocialLink> social_links;
  bool is_private = false;
  std::string language = "en";
  std::string avatar_key;
  std::string banner_key;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> deleted_at;

  bool disabled() const { return status == "disabled"; }
  bool deleted() const { return status == "deleted"; }
};

struct NewUser {
  std::string email;
  std::string username;
  std::string display_name;
  std::string password_hash;
  std::string language = "en";
  std::optional<Role> role;  // nullopt: admin for the first account ever, user otherwise
};

/// A PATCH /users/me: only the fields present change.
struct ProfileUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> bio;
  std::optional<std::string> location;
  std::optional<std::string> website;
  std::optional<std::vector<SocialLink>> social_links;
  std::optional<bool> is_private;
  std::optional<std::string> language;
};

/// The platforms a social link may name.
const std::vector<std::string>& KnownPlatforms();

}  // namespace veza::users
