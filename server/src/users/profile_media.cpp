#include "users/profile_media.h"

#include <map>

#include "core/log.h"
#include "users/user_store.h"

namespace veza::users {

namespace {

store::ImageColumn Column(ImageKind kind) {
  return kind == ImageKind::kAvatar ? store::ImageColumn::kAvatar : store::ImageColumn::kBanner;
}

const std::string& BaseKey(const User& u, ImageKind kind) {
  return kind == ImageKind::kAvatar ? u.avatar_key : u.banner_key;
}

Error NoImage(ImageKind kind) {
  return NotFound("This account has no " + std::string(ImageKindName(kind)) + ".");
}

}  // namespace

std::string_view ImageKindName(ImageKind kind) {
  return kind == ImageKind::kAvatar ? "avatar" : "banner";
}

const std::vector<Rendition>& Renditions(ImageKind kind) {
  static const std::vector<Rendition> kAvatar = {{"512", 512, 512}, {"128", 128, 128}};
  static const std::vector<Rendition> kBanner = {{"1500x500", 1500, 500}};
  return kind == ImageKind::kAvatar ? kAvatar : kBanner;
}

ProfileMediaService::ProfileMediaService(db::Database& database, storage::ObjectStore& objects,
                                         UserService& users, IdGenerator& ids, const Clock& clock,
                                         ProfileMediaOptions options)
    : db_(database), objects_(objects), users_(users), ids_(ids), clock_(clock), options_(options) {}

Result<User> ProfileMediaService::Replace(int64_t user_id, ImageKind kind, const std::string& upload_path) {
  VEZA_TRY(users_.Get(user_id));  // 404 before any decoding work for an account that is gone
  // A fresh version per upload: its URLs can be cached forever, and the old one is simply deleted.
  const std::string base =
      "users/" + IdToString(user_id) + "/" + std::string(ImageKindName(kind)) + "-" + IdToString(ids_.Next());
  VEZA_ASSIGN_OR_RETURN(images::StoredSize size,
                        images::StoreRenditions(objects_, upload_path, base, Renditions(kind),
                                                options_.limits, options_.jpeg_quality));
  auto replaced = Swap(user_id, kind, base);
  if (!replaced.ok()) {
    DeleteObjects(base, kind);
    return std::move(replaced).error();
  }
  if (!replaced->empty()) DeleteObjects(*replaced, kind);
  log::Info("profile image replaced", {{"user_id", user_id},
                                       {"kind", std::string(ImageKindName(kind))},
                                       {"key", base},
                                       {"width", size.width},
                                       {"height", size.height}});
  return users_.Get(user_id);
}

Result<User> ProfileMediaService::Remove(int64_t user_id, ImageKind kind) {
  VEZA_ASSIGN_OR_RETURN(std::string replaced, Swap(user_id, kind, ""));
  if (!replaced.empty()) DeleteObjects(replaced, kind);
  return users_.Get(user_id);
}

Result<std::string> ProfileMediaService::Swap(int64_t user_id, ImageKind kind, const std::string& next) {
  // Compare-and-swap: of two uploads racing, each deletes exactly the version it replaced.
  for (int attempt = 0; attempt < 8; ++attempt) {
    VEZA_ASSIGN_OR_RETURN(User current, users_.Get(user_id));
    const std::string old = BaseKey(current, kind);
    VEZA_ASSIGN_OR_RETURN(bool swapped, db_.Transaction<bool>([&](db::Session& s) {
      return store::SwapImageKey(s, user_id, Column(kind), old, next, clock_.NowMs());
    }));
    if (swapped) return old;
  }
  return Unavailable("The profile is being changed by another request; try again.",
                     "image key swap contention", 1);
}

void ProfileMediaService::DeleteObjects(std::string_view base_key, ImageKind kind) {
  images::DeleteRenditions(objects_, base_key, Renditions(kind));
}

std::string ProfileMediaService::ImageUrl(const User& user, ImageKind kind) {
  const std::string& key = BaseKey(user, kind);
  if (key.empty()) return "";
  std::string_view version = KeyVersion(key);
  return "/api/v1/users/" + user.username + "/" + std::string(ImageKindName(kind)) +
         (version.empty() ? "" : "?v=" + std::string(version));
}

Result<std::vector<std::string>> ProfileMediaService::Orphans(
    const std::vector<storage::ObjectInfo>& objects) {
  // users/<id>/<kind>-<version>-<size>.jpg is owned while the account's <kind> key is that base.
  std::map<int64_t, std::optional<User>> accounts;
  std::vector<std::string> orphans;
  for (const auto& o : objects) {
    if (!std::string_view(o.key).starts_with("users/")) continue;
    auto split = storage::SplitOwnedKey(o.key, "users/");
    if (!split) {
      orphans.push_back(o.key);
      continue;
    }
    const int64_t id = split->owner_id;
    auto it = accounts.find(id);
    if (it == accounts.end()) {
      auto user = users_.Get(id);
      if (!user.ok() && user.error().code != ErrorCode::kNotFound) return std::move(user).error();
      it = accounts.emplace(id, user.ok() ? std::optional<User>(*user) : std::nullopt).first;
    }
    bool owned = false;
    if (it->second) {
      for (ImageKind kind : {ImageKind::kAvatar, ImageKind::kBanner}) {
        const std::string& base = BaseKey(*it->second, kind);
        if (base.empty()) continue;
        for (const auto& r : Renditions(kind)) owned = owned || RenditionKey(base, r) == o.key;
      }
    }
    if (!owned) orphans.push_back(o.key);
  }
  return orphans;
}

Result<StoredImage> ProfileMediaService::Find(std::string_view username, ImageKind kind,
                                              std::string_view size) {
  VEZA_ASSIGN_OR_RETURN(User user, users_.GetByUsername(username));
  if (user.disabled()) return NotFound("No such account.");
  return Load(user, kind, size);
}

Result<StoredImage> ProfileMediaService::FindOwn(int64_t user_id, ImageKind kind, std::string_view size) {
  VEZA_ASSIGN_OR_RETURN(User user, users_.Get(user_id));
  return Load(user, kind, size);
}

Result<StoredImage> ProfileMediaService::Load(const User& user, ImageKind kind, std::string_view size) {
  const auto& renditions = Renditions(kind);
  const Rendition* rendition = size.empty() ? &renditions.front() : nullptr;
  std::string names;
  for (const auto& r : renditions) {
    if (r.name == size) rendition = &r;
    names += (names.empty() ? "" : " or ") + r.name;
  }
  if (!rendition) return Validation({{"size", "must be " + names}});
  const std::string& base = BaseKey(user, kind);
  if (base.empty()) return NoImage(kind);

  StoredImage out;
  out.key = RenditionKey(base, *rendition);
  out.version = std::string(KeyVersion(base));
  out.etag = "\"" + out.version + "-" + rendition->name + "\"";
  auto info = objects_.Stat(out.key);
  if (!info.ok()) {
    if (info.error().code == ErrorCode::kNotFound) return NoImage(kind);
    return std::move(info).error();
  }
  out.size = info->size;
  out.local_path = objects_.LocalPath(out.key);
  if (!out.local_path) {
    VEZA_ASSIGN_OR_RETURN(out.bytes, objects_.GetBytes(out.key));
    out.size = out.bytes.size();
  }
  return out;
}

}  // namespace veza::users
