#pragma once
/// Still images from untrusted uploads: content sniffing, bounded decoding, orientation, cover-crop
/// resizing and metadata-free re-encoding. A pimpl over libvips; no vendor header leaks from here.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace veza::images {

/// The formats we accept as input.
enum class Format { kJpeg, kPng, kWebp };
std::string_view FormatName(Format format);  // "JPEG", "PNG", "WebP"

/// The formats we produce.
enum class Output { kJpeg, kWebp };
std::string_view OutputMimeType(Output output);   // "image/jpeg", "image/webp"
std::string_view OutputExtension(Output output);  // "jpg", "webp"

/// Refuses oversized files and decompression bombs before any pixel is decoded.
struct DecodeLimits {
  uint64_t max_file_bytes = 10 * 1024 * 1024;
  uint64_t max_pixels = 40'000'000;  // width × height as stored in the header
  int max_dimension = 16'384;        // either side
};

/// What the first bytes of a file are. For anything but JPEG, PNG or WebP: kUnsupportedMediaType (415)
/// whose message names what was found ("a GIF image", "text", …); for an empty input: kValidation.
Result<Format> Sniff(std::string_view head);

/// A human name for what `head` looks like: "a JPEG image", "a GIF image", "text", "unknown binary data".
std::string DescribeContent(std::string_view head);

/// Lets decoding skip work for a known target: a JPEG larger than needed is decoded at 1/2, 1/4 or 1/8
/// scale as long as the result still covers cover_width × cover_height (0 × 0: full size).
struct DecodeHint {
  int cover_width = 0;
  int cover_height = 0;
};

/// Starts libvips once per process (thread-safe, idempotent); every other function calls it.
void Init();

/// A decoded image, upright (EXIF orientation applied), 8-bit sRGB without alpha (flattened on white),
/// held in memory. Movable, not copyable.
class Image {
 public:
  Image(Image&&) noexcept;
  Image& operator=(Image&&) noexcept;
  ~Image();

  /// Reads `path` within `limits`: 413 when the file is larger than max_file_bytes, 415 for other
  /// formats (Sniff), 422 `image_too_large` for too many pixels, 422 `image_corrupt` for a truncated or
  /// corrupt file (decoding fails on the first error, it never pads a truncated image).
  static Result<Image> DecodeFile(const std::string& path, const DecodeLimits& limits = {},
                                  DecodeHint hint = {});
  /// The same for bytes in memory.
  static Result<Image> DecodeBytes(std::string_view bytes, const DecodeLimits& limits = {},
                                   DecodeHint hint = {});

  int width() const;
  int height() const;
  /// The format the image was decoded from.
  Format source_format() const;

  /// Scales to cover width × height (up or down, aspect kept) and crops the centre to exactly that size.
  Result<Image> CoverCrop(int width, int height) const;

  /// Encodes with no metadata at all (no EXIF, GPS, XMP, IPTC or ICC profile); quality 1–100.
  Result<std::string> Encode(Output output, int quality = 85) const;

 private:
  struct Impl;
  explicit Image(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace veza::images
