#pragma once
/// Avatars and banners: uploads decoded and re-encoded without metadata (images/), stored as fixed-size
/// JPEG renditions through the object store under a fresh version, served from stable URLs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "images/image.h"
#include "images/renditions.h"
#include "storage/object_store.h"
#include "users/user.h"
#include "users/user_service.h"

namespace veza::users {

enum class ImageKind { kAvatar, kBanner };
std::string_view ImageKindName(ImageKind kind);  // "avatar", "banner"

/// One stored size of an image kind (shared with track covers: images/renditions.h).
using images::KeyVersion;
using images::Rendition;
using images::RenditionKey;

/// Avatar: 512 and 128 px squares; banner: 1500×500. The first is the default and the largest.
const std::vector<Rendition>& Renditions(ImageKind kind);

struct ProfileMediaOptions {
  images::DecodeLimits limits;  // 10 MB, 40 megapixels
  int jpeg_quality = 85;
};

/// A rendition ready to send: from a local file when the store is the filesystem, else its bytes.
struct StoredImage {
  std::string key;
  std::string version;
  std::string etag;  // quoted, strong
  std::string content_type = "image/jpeg";
  uint64_t size = 0;
  std::optional<std::string> local_path;
  std::string bytes;
};

class ProfileMediaService {
 public:
  ProfileMediaService(db::Database& database, storage::ObjectStore& objects, UserService& users,
                      IdGenerator& ids, const Clock& clock, ProfileMediaOptions options = {});

  /// Decodes the uploaded file at `upload_path`, stores every rendition under a new version, points the
  /// account at it and deletes the previous version. 413/415/422 from decoding (see images::Image).
  Result<User> Replace(int64_t user_id, ImageKind kind, const std::string& upload_path);
  /// Clears the image and deletes its objects; OK when there was none.
  Result<User> Remove(int64_t user_id, ImageKind kind);

  /// The rendition named `size` ("" for the default) of an active account's image. 404 when the account
  /// or the image does not exist; 422 naming `size` when the kind has no such rendition.
  Result<StoredImage> Find(std::string_view username, ImageKind kind, std::string_view size);
  /// The same for the signed-in account.
  Result<StoredImage> FindOwn(int64_t user_id, ImageKind kind, std::string_view size);

  /// Deletes every rendition stored under `base_key` (failures are logged: an orphan costs only space).
  void DeleteObjects(std::string_view base_key, ImageKind kind);

  /// Of these objects under users/, the keys no account's current avatar or banner owns (storage gc).
  Result<std::vector<std::string>> Orphans(const std::vector<storage::ObjectInfo>& objects);

  /// The versioned URL of a profile image ("" when there is none).
  static std::string ImageUrl(const User& user, ImageKind kind);

 private:
  Result<StoredImage> Load(const User& user, ImageKind kind, std::string_view size);
  /// Points the account at `next` ("" to clear) whatever it held; returns the base key it replaced.
  Result<std::string> Swap(int64_t user_id, ImageKind kind, const std::string& next);

  db::Database& db_;
  storage::ObjectStore& objects_;
  UserService& users_;
  IdGenerator& ids_;
  const Clock& clock_;
  ProfileMediaOptions options_;
};

}  // namespace veza::users
