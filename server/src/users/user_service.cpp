#include "users/user_service.h"

#include <map>

#include "users/user_store.h"
#include "users/user_validation.h"

namespace veza::users {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kUser: return "user";
    case Role::kCreator: return "creator";
    case Role::kModerator: return "moderator";
    case Role::kAdmin: return "admin";
  }
  return "user";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kUser, Role::kCreator, Role::kModerator, Role::kAdmin}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

namespace {

Error Taken(std::string field, std::string message) {
  Error e = MakeError(ErrorCode::kConflict, std::move(message), field + "_taken");
  e.fields[field] = "is already taken";
  return e;
}

Result<User> Required(Result<std::optional<User>> found) {
  if (!found.ok()) return std::move(found).error();
  if (!*found || (*found)->deleted()) return NotFound("No such account.");
  return std::move(**found);
}

// A deleted account is a tombstone: it exists only to hold its username.
Result<std::optional<User>> Live(Result<std::optional<User>> found) {
  if (found.ok() && *found && (*found)->deleted()) return std::optional<User>();
  return found;
}

// '~' is outside the username alphabet, so a released tombstone can never collide with a real name.
std::string TombstoneName(int64_t id) { return "~deleted-" + IdToString(id); }

}  // namespace

UserService::UserService(db::Database& database, IdGenerator& ids, const Clock& clock, UserOptions options)
    : db_(database), ids_(ids), clock_(clock), options_(options) {}

Result<User> UserService::Create(NewUser input) {
  User u;
  u.username = NormalizeUsername(input.username);
  u.email = NormalizeEmail(input.email);
  std::map<std::string, std::string> problems;
  if (auto p = UsernameProblem(u.username)) problems["username"] = *p;
  if (auto p = EmailProblem(u.email)) problems["email"] = *p;
  if (auto p = LanguageProblem(input.language)) problems["language"] = *p;
  if (!problems.empty()) return Validation(std::move(problems));

  u.id = ids_.Next();
  u.password_hash = std::move(input.password_hash);
  u.display_name = input.display_name.empty() ? u.username : std::move(input.display_name);
  u.language = std::move(input.language);
  u.created_at = u.updated_at = clock_.NowMs();
  auto created = db_.Transaction<User>([&](db::Session& s) -> Result<User> {
    VEZA_ASSIGN_OR_RETURN(auto by_email, store::FindByEmail(s, u.email));
    if (by_email) return Taken("email", "An account with this email already exists.");
    VEZA_ASSIGN_OR_RETURN(auto by_name, store::FindByUsername(s, u.username));
    if (by_name && by_name->deleted() && by_name->deleted_at &&
        *by_name->deleted_at + options_.username_grace_ms <= u.created_at) {
      VEZA_TRY(store::ReleaseUsername(s, by_name->id, TombstoneName(by_name->id)));
    } else if (by_name) {
      return Taken("username", "This username is taken.");
    }
    VEZA_ASSIGN_OR_RETURN(bool first, store::ClaimFirstAccount(s, u.id, u.created_at));
    User row = u;
    row.role = std::string(RoleName(input.role.value_or(first ? Role::kAdmin : Role::kUser)));
    VEZA_TRY(store::Insert(s, row));
    return row;
  });
  // Two registrations racing for one name: the loser hits the unique index.
  if (!created.ok() && created.error().code == ErrorCode::kConflict && created.error().slug.empty()) {
    auto again = db_.ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindByEmail(s, u.email); });
    if (again.ok() && *again) return Taken("email", "An account with this email already exists.");
    return Taken("username", "This username is taken.");
  }
  return created;
}

Result<User> UserService::Get(int64_t id) {
  return Required(db_.ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindById(s, id); }));
}

Result<std::vector<User>> UserService::GetMany(const std::vector<int64_t>& ids) {
  VEZA_ASSIGN_OR_RETURN(std::vector<User> found, db_.ReadValue<std::vector<User>>([&](db::Session& s) {
    return store::FindByIds(s, ids);
  }));
  std::erase_if(found, [](const User& u) { return u.deleted(); });
  return found;
}

Result<std::optional<User>> UserService::FindByLogin(std::string_view login) {
  if (login.find('@') != std::string_view::npos) return FindByEmail(login);
  std::string name = NormalizeUsername(login);
  return Live(db_.ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindByUsername(s, name); }));
}

Result<std::optional<User>> UserService::FindByEmail(std::string_view email) {
  std::string normalized = NormalizeEmail(email);
  return Live(db_.ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindByEmail(s, normalized); }));
}

Result<User> UserService::GetByUsername(std::string_view username) {
  std::string name = NormalizeUsername(username);
  return Required(db_.ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindByUsername(s, name); }));
}

Result<ProfileView> UserService::View(std::string_view username, std::optional<int64_t> viewer_id) {
  auto user = GetByUsername(username);
  if (!user.ok()) return std::move(user).error();
  if (user->disabled()) return NotFound("No such account.");
  ProfileView view{std::move(*user), Visibility::kPublic};
  if (viewer_id && *viewer_id == view.user.id) {
    view.visibility = Visibility::kSelf;
  } else if (view.user.is_private) {
    view.visibility = Visibility::kLimited;
  }
  return view;
}

Result<User> UserService::UpdateProfile(int64_t id, const ProfileUpdate& up) {
  std::map<std::string, std::string> problems;
  auto check_len = [&](const char* field, const std::optional<std::string>& v, size_t max) {
    if (!v) return;
    size_t chars = 0;
    for (unsigned char c : *v) chars += (c & 0xC0) != 0x80;
    if (chars > max) problems[field] = "must be at most " + std::to_string(max) + " characters";
  };
  check_len("display_name", up.display_name, kMaxDisplayName);
  check_len("bio", up.bio, kMaxBio);
  check_len("location", up.location, kMaxLocation);
  if (up.display_name && up.display_name->empty()) problems["display_name"] = "must not be empty";
  if (up.website && !up.website->empty()) {
    if (auto p = HttpsUrlProblem(*up.website)) problems["website"] = *p;
  }
  if (up.language) {
    if (auto p = LanguageProblem(*up.language)) problems["language"] = *p;
  }
  if (up.social_links) {
    if (up.social_links->size() > kMaxSocialLinks) {
      problems["social_links"] = "must have at most " + std::to_string(kMaxSocialLinks) + " links";
    }
    for (size_t i = 0; i < up.social_links->size(); ++i) {
      if (auto p = SocialLinkProblem((*up.social_links)[i])) {
        problems["social_links[" + std::to_string(i) + "]"] = *p;
      }
    }
  }
  if (!problems.empty()) return Validation(std::move(problems));

  return db_.Transaction<User>([&](db::Session& s) -> Result<User> {
    VEZA_ASSIGN_OR_RETURN(User u, Required(store::FindById(s, id)));
    if (up.display_name) u.display_name = *up.display_name;
    if (up.bio) u.bio = *up.bio;
    if (up.location) u.location = *up.location;
    if (up.website) u.website = *up.website;
    if (up.social_links) u.social_links = *up.social_links;
    if (up.is_private) u.is_private = *up.is_private;
    if (up.language) u.language = *up.language;
    u.updated_at = clock_.NowMs();
    VEZA_TRY(store::UpdateProfile(s, u));
    return u;
  });
}

Status UserService::SetPasswordHash(int64_t id, std::string_view hash) {
  return db_.InTransaction([&](db::Session& s) { return store::UpdatePasswordHash(s, id, hash, clock_.NowMs()); });
}

Status UserService::MarkEmailVerified(int64_t id, std::string_view email) {
  return db_.InTransaction([&](db::Session& s) { return store::MarkEmailVerified(s, id, email, clock_.NowMs()); });
}

Result<User> UserService::SetRole(int64_t id, Role role) {
  return db_.Transaction<User>([&](db::Session& s) -> Result<User> {
    VEZA_TRY(store::UpdateRole(s, id, RoleName(role), clock_.NowMs()));
    return Required(store::FindById(s, id));
  });
}

Result<User> UserService::SetStatus(int64_t id, std::string_view status) {
  if (status != "active" && status != "disabled") return Validation({{"status", "must be active or disabled"}});
  return db_.Transaction<User>([&](db::Session& s) -> Result<User> {
    VEZA_TRY(store::UpdateStatus(s, id, status, clock_.NowMs()));
    return Required(store::FindById(s, id));
  });
}

}  // namespace veza::users
