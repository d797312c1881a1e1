#include "users/user_store.h"

#include "core/json.h"

namespace veza::users::store {

namespace {

constexpr std::string_view kColumns =
    "id, username, email, email_verified, password_hash, role, status, display_name, bio, location, website, "
    "social_links, is_private, language, avatar_key, banner_key, created_at, updated_at, deleted_at";

std::string Select(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM users WHERE " + std::string(where);
}

std::string EncodeLinks(const std::vector<SocialLink>& links) {
  json::bj::array a;
  for (const auto& l : links) a.push_back(json::bj::object{{"platform", l.platform}, {"url", l.url}});
  return json::Serialize(a);
}

std::vector<SocialLink> DecodeLinks(const std::string& text) {
  std::vector<SocialLink> out;
  auto v = json::Parse(text);
  if (!v.ok() || !v->is_array()) return out;
  for (const auto& item : v->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    auto p = o.if_contains("platform");
    auto u = o.if_contains("url");
    if (p && u && p->is_string() && u->is_string()) out.push_back({std::string(p->as_string()), std::string(u->as_string())});
  }
  return out;
}

User FromRow(const db::Row& r) {
  User u;
  u.id = r.Int(0);
  u.username = r.Text(1);
  u.email = r.Text(2);
  u.email_verified = r.Bool(3);
  u.password_hash = r.Text(4);
  u.role = r.Text(5);
  u.status = r.Text(6);
  u.display_name = r.Text(7);
  u.bio = r.Text(8);
  u.location = r.Text(9);
  u.website = r.Text(10);
  u.social_links = DecodeLinks(r.Text(11));
  u.is_private = r.Bool(12);
  u.language = r.Text(13);
  u.avatar_key = r.Text(14);
  u.banner_key = r.Text(15);
  u.created_at = r.Int(16);
  u.updated_at = r.Int(17);
  u.deleted_at = r.OptInt(18);
  return u;
}

Result<std::optional<User>> FindOne(db::Session& s, std::string_view where, db::Value param) {
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(Select(where), {std::move(param)}));
  if (!row) return std::optional<User>();
  return std::optional<User>(FromRow(*row));
}

Status ExpectOne(Result<int64_t> affected) {
  if (!affected.ok()) return std::move(affected).error();
  if (*affected != 1) return NotFound("No such account.");
  return Ok();
}

}  // namespace

Status Insert(db::Session& s, const User& u) {
  db::Value hash = u.password_hash.empty() ? db::Value(nullptr) : db::Value(u.password_hash);
  VEZA_TRY(s.Execute(
      "INSERT INTO users (id, username, email, email_verified, password_hash, role, status, display_name, bio, "
      "location, website, social_links, is_private, language, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
      {u.id, u.username, u.email, u.email_verified, hash, u.role, u.status, u.display_name, u.bio, u.location,
       u.website, EncodeLinks(u.social_links), u.is_private, u.language, u.created_at, u.updated_at}));
  return Ok();
}

Result<bool> ClaimFirstAccount(db::Session& s, int64_t user_id, int64_t now_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute("INSERT INTO instance_settings (key, value, updated_at) "
                                             "VALUES ('first_account', $1, $2) ON CONFLICT (key) DO NOTHING",
                                             {std::to_string(user_id), now_ms}));
  return n == 1;
}

Result<std::optional<User>> FindById(db::Session& s, int64_t id) { return FindOne(s, "id = $1", id); }

Result<std::vector<User>> FindByIds(db::Session& s, const std::vector<int64_t>& ids) {
  std::vector<User> out;
  // One statement per 100 ids: a single round trip for any page of tracks, bounded parameter lists.
  for (size_t at = 0; at < ids.size(); at += 100) {
    std::string placeholders;
    std::vector<db::Value> params;
    for (size_t i = at; i < ids.size() && i < at + 100; ++i) {
      params.emplace_back(ids[i]);
      placeholders += (placeholders.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    VEZA_ASSIGN_OR_RETURN(db::QueryResult q, s.Query(Select("id IN (" + placeholders + ")"), params));
    for (const auto& row : q.rows) out.push_back(FromRow(row));
  }
  return out;
}

Result<std::optional<User>> FindByUsername(db::Session& s, std::string_view username) {
  return FindOne(s, "username = $1", std::string(username));
}

Result<std::optional<User>> FindByEmail(db::Session& s, std::string_view email) {
  return FindOne(s, "email = $1", std::string(email));
}

Status UpdateProfile(db::Session& s, const User& u) {
  return ExpectOne(s.Execute(
      "UPDATE users SET display_name = $2, bio = $3, location = $4, website = $5, social_links = $6, "
      "is_private = $7, language = $8, updated_at = $9 WHERE id = $1",
      {u.id, u.display_name, u.bio, u.location, u.website, EncodeLinks(u.social_links), u.is_private, u.language,
       u.updated_at}));
}

Status UpdatePasswordHash(db::Session& s, int64_t id, std::string_view hash, int64_t now_ms) {
  return ExpectOne(s.Execute("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1 AND status <> 'deleted'",
                             {id, std::string(hash), now_ms}));
}

Status MarkEmailVerified(db::Session& s, int64_t id, std::string_view email, int64_t now_ms) {
  // Only the address the token was sent to is verified; a changed address stays unverified.
  VEZA_TRY(s.Execute("UPDATE users SET email_verified = TRUE, updated_at = $3 WHERE id = $1 AND email = $2",
                     {id, std::string(email), now_ms}));
  return Ok();
}

Status UpdateRole(db::Session& s, int64_t id, std::string_view role, int64_t now_ms) {
  return ExpectOne(s.Execute("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1 AND status <> 'deleted'", {id, std::string(role), now_ms}));
}

Status UpdateStatus(db::Session& s, int64_t id, std::string_view status, int64_t now_ms) {
  return ExpectOne(
      s.Execute("UPDATE users SET status = $2, updated_at = $3 WHERE id = $1 AND status <> 'deleted'", {id, std::string(status), now_ms}));
}

Result<bool> SwapImageKey(db::Session& s, int64_t id, ImageColumn column, std::string_view expected,
                          std::string_view next, int64_t now_ms) {
  // Both engines (SQLite ≥ 3.39) understand IS NOT DISTINCT FROM, so NULL compares like a value.
  static const std::string kAvatar =
      "UPDATE users SET avatar_key = $2, updated_at = $4 WHERE id = $1 AND status <> 'deleted' "
      "AND avatar_key IS NOT DISTINCT FROM $3";
  static const std::string kBanner =
      "UPDATE users SET banner_key = $2, updated_at = $4 WHERE id = $1 AND status <> 'deleted' "
      "AND banner_key IS NOT DISTINCT FROM $3";
  auto key = [](std::string_view k) { return k.empty() ? db::Value(nullptr) : db::Value(std::string(k)); };
  VEZA_ASSIGN_OR_RETURN(int64_t n, s.Execute(column == ImageColumn::kAvatar ? kAvatar : kBanner,
                                             {id, key(next), key(expected), now_ms}));
  return n == 1;
}

Status MarkDeleted(db::Session& s, int64_t id, std::string_view placeholder_email, int64_t now_ms) {
  return ExpectOne(s.Execute(
      "UPDATE users SET status = 'deleted', deleted_at = $3, email = $2, email_verified = FALSE, "
      "password_hash = NULL, display_name = '', bio = '', location = '', website = '', social_links = '[]', "
      "is_private = TRUE, language = 'en', avatar_key = NULL, banner_key = NULL, updated_at = $3 "
      "WHERE id = $1 AND status <> 'deleted'",
      {id, std::string(placeholder_email), now_ms}));
}

Status ReleaseUsername(db::Session& s, int64_t id, std::string_view tombstone_name) {
  return ExpectOne(s.Execute("UPDATE users SET username = $2 WHERE id = $1 AND status = 'deleted'",
                             {id, std::string(tombstone_name)}));
}

}  // namespace veza::users::store
