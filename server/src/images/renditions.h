#pragma once
/// Fixed-size renditions of an uploaded picture (avatars, banners, track covers) kept in the object
/// store: decoded once, cover-cropped to each size, re-encoded as metadata-free JPEG under a versioned
/// base key, so every version's URL can be cached for good and a replaced version is simply deleted.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "images/image.h"
#include "storage/object_store.h"

namespace veza::images {

/// One stored size.
struct Rendition {
  std::string name;  // the ?size= value and the key suffix: "512", "1500x500"
  int width = 0;
  int height = 0;
};

/// The object key of one rendition: `<base>-<name>.jpg`, a base being e.g. `users/<id>/avatar-<version>`.
std::string RenditionKey(std::string_view base_key, const Rendition& rendition);
/// The version part of a base key (after its last '-'; "" for none).
std::string_view KeyVersion(std::string_view base_key);

struct StoredSize {
  int width = 0;  // of the decoded upload
  int height = 0;
};

/// Decodes the file at `upload_path` within `limits` (413/415/422 as images::Image::DecodeFile) and puts
/// every rendition under `base_key`; the first rendition must be the largest. On failure no rendition
/// stays behind.
Result<StoredSize> StoreRenditions(storage::ObjectStore& objects, const std::string& upload_path,
                                   std::string_view base_key, const std::vector<Rendition>& renditions,
                                   const DecodeLimits& limits, int jpeg_quality);

/// Deletes every rendition under `base_key`; failures are logged (an orphan costs only space, and
/// `veza admin storage gc` finds it).
void DeleteRenditions(storage::ObjectStore& objects, std::string_view base_key,
                      const std::vector<Rendition>& renditions);

/// Raw image request bodies: the bytes decide the format, the Content-Type only has to say it is an
/// image (image/*) or application/octet-stream; 415 naming the header otherwise.
Status CheckImageContentType(std::string_view content_type);

}  // namespace veza::images
