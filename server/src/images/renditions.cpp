#include "images/renditions.h"

#include <cctype>

#include "core/log.h"

namespace veza::images {

std::string RenditionKey(std::string_view base_key, const Rendition& rendition) {
  return std::string(base_key) + "-" + rendition.name + ".jpg";
}

std::string_view KeyVersion(std::string_view base_key) {
  size_t dash = base_key.rfind('-');
  if (dash == std::string_view::npos) return {};
  return base_key.substr(dash + 1);
}

Result<StoredSize> StoreRenditions(storage::ObjectStore& objects, const std::string& upload_path,
                                   std::string_view base_key, const std::vector<Rendition>& renditions,
                                   const DecodeLimits& limits, int jpeg_quality) {
  if (renditions.empty()) return Internal("no renditions to store");
  const Rendition& largest = renditions.front();
  VEZA_ASSIGN_OR_RETURN(
      Image image,
      Image::DecodeFile(upload_path, limits, {.cover_width = largest.width, .cover_height = largest.height}));
  // Everything is encoded before anything is stored, so a bad image leaves nothing to clean up.
  std::vector<std::string> encoded;
  for (const auto& r : renditions) {
    VEZA_ASSIGN_OR_RETURN(Image sized, image.CoverCrop(r.width, r.height));
    VEZA_ASSIGN_OR_RETURN(std::string bytes, sized.Encode(Output::kJpeg, jpeg_quality));
    encoded.push_back(std::move(bytes));
  }
  for (size_t i = 0; i < renditions.size(); ++i) {
    if (Status put = objects.PutBytes(RenditionKey(base_key, renditions[i]), encoded[i]); !put.ok()) {
      DeleteRenditions(objects, base_key, renditions);
      return std::move(put).error();
    }
  }
  return StoredSize{image.width(), image.height()};
}

void DeleteRenditions(storage::ObjectStore& objects, std::string_view base_key,
                      const std::vector<Rendition>& renditions) {
  for (const auto& r : renditions) {
    std::string key = RenditionKey(base_key, r);
    if (Status s = objects.Delete(key); !s.ok()) {
      log::Warn("image rendition not deleted", {{"key", key}, {"error", s.error().detail}});
    }
  }
}

Status CheckImageContentType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  if (type.starts_with("image/") || type == "application/octet-stream") return Ok();
  Error e =
      MakeError(ErrorCode::kUnsupportedMediaType,
                "Send the image file itself as the request body, with Content-Type image/jpeg, image/png or "
                "image/webp.",
                "unsupported_media_type");
  e.fields["Content-Type"] = type.empty() ? "is missing" : "is " + type + "; an image/* type is expected";
  return e;
}

}  // namespace veza::images
