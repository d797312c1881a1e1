#include "images/image.h"

#include <vips/vips.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/log.h"

namespace veza::images {

using namespace std::string_view_literals;

namespace {

// Owns one reference to a VipsImage.
class Ref {
 public:
  Ref() = default;
  explicit Ref(VipsImage* p) : p_(p) {}
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Ref& operator=(Ref&& o) noexcept {
    if (this != &o) {
      Reset();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { Reset(); }

  VipsImage* get() const { return p_; }
  VipsImage** out() {
    Reset();
    return &p_;
  }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  void Reset() {
    if (p_) g_object_unref(p_);
    p_ = nullptr;
  }
  VipsImage* p_ = nullptr;
};

// libvips keeps its error text in one process-wide buffer; it goes to the log detail, never to clients.
std::string TakeVipsError() {
  std::string text = vips_error_buffer();
  vips_error_clear();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Error Corrupt(std::string_view format) {
  Error e = MakeError(ErrorCode::kValidation,
                      "The " + std::string(format) + " image is truncated or corrupt and cannot be decoded.",
                      "image_corrupt");
  e.fields["file"] = "is a truncated or corrupt " + std::string(format) + " image";
  e.detail = TakeVipsError();
  return e;
}

Error VipsInternal(std::string_view what) {
  return Internal(std::string(what) + ": " + TakeVipsError());
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool LooksLikeText(std::string_view head) {
  if (head.empty()) return false;
  size_t i = 0;
  while (i < head.size()) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f)) {
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (the head may cut the last one short).
    int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0) return false;
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= head.size()) return true;
      if ((static_cast<unsigned char>(head[i + k]) & 0xC0) != 0x80) return false;
    }
    i += 1 + extra;
  }
  return true;
}

std::string_view TrimLeft(std::string_view s) {
  if (StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  return s;
}

std::optional<Format> Detect(std::string_view h) {
  if (StartsWith(h, "\xFF\xD8\xFF")) return Format::kJpeg;
  if (StartsWith(h, "\x89PNG\r\n\x1A\n")) return Format::kPng;
  if (h.size() >= 12 && StartsWith(h, "RIFF") && h.substr(8, 4) == "WEBP") return Format::kWebp;
  return std::nullopt;
}

std::once_flag g_init;

// Header sizes are checked before a pixel is decoded: this is the decompression-bomb guard.
Status CheckDimensions(VipsImage* image, const DecodeLimits& limits, Format format) {
  const int w = vips_image_get_width(image), h = vips_image_get_height(image);
  const uint64_t pixels = static_cast<uint64_t>(w) * static_cast<uint64_t>(h);
  if (w <= 0 || h <= 0) return Corrupt(FormatName(format));
  if (w > limits.max_dimension || h > limits.max_dimension || pixels > limits.max_pixels) {
    Error e = MakeError(ErrorCode::kValidation,
                        "The image is " + std::to_string(w) + "×" + std::to_string(h) + " pixels; at most " +
                            std::to_string(limits.max_dimension) + " pixels a side and " +
                            std::to_string(limits.max_pixels / 1'000'000) + " megapixels are accepted.",
                        "image_too_large");
    e.fields["file"] = "has too many pixels";
    return e;
  }
  return Ok();
}

// Where the encoded bytes come from: a file path or a buffer the caller keeps alive during decoding.
struct Source {
  const std::string* path = nullptr;
  std::string_view bytes;
};

int Load(const Source& src, Format format, int shrink, VipsImage** out) {
  const VipsFailOn fail = VIPS_FAIL_ON_ERROR;  // a truncated file is an error, not a grey bottom half
  const void* buf = src.bytes.data();
  const size_t len = src.bytes.size();
  switch (format) {
    case Format::kJpeg:
      return src.path ? vips_jpegload(src.path->c_str(), out, "fail_on", fail, "shrink", shrink, nullptr)
                      : vips_jpegload_buffer(const_cast<void*>(buf), len, out, "fail_on", fail, "shrink",
                                             shrink, nullptr);
    case Format::kPng:
      return src.path ? vips_pngload(src.path->c_str(), out, "fail_on", fail, nullptr)
                      : vips_pngload_buffer(const_cast<void*>(buf), len, out, "fail_on", fail, nullptr);
    case Format::kWebp:
      return src.path ? vips_webpload(src.path->c_str(), out, "fail_on", fail, nullptr)
                      : vips_webpload_buffer(const_cast<void*>(buf), len, out, "fail_on", fail, nullptr);
  }
  return -1;
}

// The largest JPEG DCT scale-down (1, 2, 4, 8) that still covers the hinted size once upright.
int ShrinkFor(VipsImage* header, Format format, DecodeHint hint) {
  if (format != Format::kJpeg || hint.cover_width <= 0 || hint.cover_height <= 0) return 1;
  int w = vips_image_get_width(header), h = vips_image_get_height(header);
  if (vips_image_get_orientation_swap(header)) std::swap(w, h);
  for (int s : {8, 4, 2}) {
    if (w / s >= hint.cover_width && h / s >= hint.cover_height) return s;
  }
  return 1;
}

}  // namespace

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kJpeg:
      return "JPEG";
    case Format::kPng:
      return "PNG";
    case Format::kWebp:
      return "WebP";
  }
  return "unknown";
}

std::string_view OutputMimeType(Output output) {
  return output == Output::kWebp ? "image/webp" : "image/jpeg";
}
std::string_view OutputExtension(Output output) {
  return output == Output::kWebp ? "webp" : "jpg";
}

std::string DescribeContent(std::string_view h) {
  if (h.empty()) return "empty";
  if (auto f = Detect(h)) return "a " + std::string(FormatName(*f)) + " image";
  if (StartsWith(h, "GIF87a") || StartsWith(h, "GIF89a")) return "a GIF image";
  if (StartsWith(h, "BM")) return "a BMP image";
  if (StartsWith(h, "II*\0"sv) || StartsWith(h, "MM\0*"sv)) return "a TIFF image";
  if (StartsWith(h, "\0\0\1\0"sv)) return "an ICO image";
  if (StartsWith(h, "8BPS")) return "a Photoshop document";
  if (StartsWith(h, "\xFF\x0A") || (h.size() >= 12 && h.substr(4, 8) == "JXL \r\n\x87\n"))
    return "a JPEG XL image";
  if (h.size() >= 12 && h.substr(4, 4) == "ftyp") {
    std::string_view brand = h.substr(8, 4);
    if (brand == "avif" || brand == "avis") return "an AVIF image";
    if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1" || brand == "hevc") {
      return "a HEIF/HEIC image";
    }
    return "an ISO media file (video or audio)";
  }
  if (StartsWith(h, "%PDF")) return "a PDF document";
  if (StartsWith(h, "PK\3\4")) return "a ZIP archive";
  if (StartsWith(h, "RIFF")) return "a RIFF file (WAV or AVI)";
  if (StartsWith(h, "ID3") || StartsWith(h, "fLaC") || StartsWith(h, "OggS")) return "an audio file";
  std::string_view t = TrimLeft(h);
  if (StartsWith(t, "<svg") || (StartsWith(t, "<?xml") && t.find("<svg") != std::string_view::npos)) {
    return "an SVG image";
  }
  if (LooksLikeText(h)) return StartsWith(t, "<") ? "HTML or XML text" : "text";
  return "unknown binary data";
}

Result<Format> Sniff(std::string_view head) {
  if (auto f = Detect(head)) return *f;
  if (head.empty()) {
    Error e = MakeError(ErrorCode::kValidation, "The image is empty.", "image_empty");
    e.fields["file"] = "is empty";
    return e;
  }
  std::string found = DescribeContent(head);
  Error e = MakeError(ErrorCode::kUnsupportedMediaType,
                      "Only JPEG, PNG and WebP images are accepted; this is " + found + ".",
                      "unsupported_image_type");
  e.fields["file"] = "is " + found + "; JPEG, PNG or WebP expected";
  return e;
}

void Init() {
  std::call_once(g_init, [] {
    if (VIPS_INIT("veza") != 0) throw std::runtime_error("libvips failed to start: " + TakeVipsError());
    // Decoder warnings about hostile files belong in our structured log, not raw on stderr.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
        [](const gchar*, GLogLevelFlags, const gchar* message, gpointer) {
          log::Debug("libvips", {{"message", message ? message : ""}});
        },
        nullptr);
    // Loads are keyed by file name in the operation cache; upload spool paths are reused, so no caching.
    vips_cache_set_max(0);
    // Only the three loaders we call by name may run; the rest (ImageMagick, PDF, SVG, …) stay blocked.
    vips_block_untrusted_set(TRUE);
    // Requests run in parallel on the handler pool; one worker thread per image keeps 2 cores usable.
    vips_concurrency_set(1);
  });
}

struct Image::Impl {
  Ref image;
  Format format = Format::kJpeg;
};

Image::Image(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Image::Image(Image&&) noexcept = default;
Image& Image::operator=(Image&&) noexcept = default;
Image::~Image() = default;

int Image::width() const {
  return vips_image_get_width(impl_->image.get());
}
int Image::height() const {
  return vips_image_get_height(impl_->image.get());
}
Format Image::source_format() const {
  return impl_->format;
}

namespace {

Result<Ref> Normalize(Ref in, Format format) {
  Ref cur = std::move(in), next;
  if (vips_autorot(cur.get(), next.out(), nullptr) != 0) return Corrupt(FormatName(format));
  cur = std::move(next);
  // Pixels move into sRGB through the embedded profile when there is one, so stripping it later keeps
  // colours.
  if (vips_image_get_typeof(cur.get(), VIPS_META_ICC_NAME) != 0) {
    if (vips_icc_transform(cur.get(), next.out(), "srgb", "embedded", TRUE, "intent", VIPS_INTENT_RELATIVE,
                           nullptr) == 0) {
      cur = std::move(next);
    } else {
      vips_error_clear();  // a broken profile: fall back to treating the pixels as sRGB
    }
  }
  if (vips_image_guess_interpretation(cur.get()) != VIPS_INTERPRETATION_sRGB ||
      vips_image_get_format(cur.get()) != VIPS_FORMAT_UCHAR) {
    if (vips_colourspace(cur.get(), next.out(), VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
      return Corrupt(FormatName(format));
    }
    cur = std::move(next);
  }
  if (vips_image_hasalpha(cur.get())) {
    VipsArrayDouble* white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
    int rc = vips_flatten(cur.get(), next.out(), "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (rc != 0) return Corrupt(FormatName(format));
    cur = std::move(next);
  }
  if (vips_image_get_bands(cur.get()) > 3) {
    if (vips_extract_band(cur.get(), next.out(), 0, "n", 3, nullptr) != 0) return Corrupt(FormatName(format));
    cur = std::move(next);
  }
  if (vips_image_get_format(cur.get()) != VIPS_FORMAT_UCHAR) {
    if (vips_cast_uchar(cur.get(), next.out(), nullptr) != 0) return Corrupt(FormatName(format));
    cur = std::move(next);
  }
  // Decodes every pixel now: a truncated or corrupt file fails here, with fail_on=error.
  VipsImage* memory = vips_image_copy_memory(cur.get());
  if (!memory) return Corrupt(FormatName(format));
  return Ref(memory);
}

struct Decoded {
  Ref image;
  Format format = Format::kJpeg;
};

Result<Decoded> DecodeSource(const Source& src, std::string_view head, const DecodeLimits& limits,
                             DecodeHint hint) {
  Init();
  VEZA_ASSIGN_OR_RETURN(Format format, Sniff(head));
  Ref header;
  if (Load(src, format, 1, header.out()) != 0) return Corrupt(FormatName(format));
  VEZA_TRY(CheckDimensions(header.get(), limits, format));
  int shrink = ShrinkFor(header.get(), format, hint);
  if (shrink > 1 && Load(src, format, shrink, header.out()) != 0) return Corrupt(FormatName(format));
  VEZA_ASSIGN_OR_RETURN(Ref upright, Normalize(std::move(header), format));
  return Decoded{std::move(upright), format};
}

uint32_t Le32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

void PutLe32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Drops the EXIF, XMP and ICC chunks of a WebP file and clears their flags in VP8X.
Result<std::string> StripWebpMetadata(std::string in) {
  if (in.size() < 12 || in.compare(0, 4, "RIFF") != 0 || in.compare(8, 4, "WEBP") != 0) {
    return Internal("encoder produced no WebP container");
  }
  std::string out = in.substr(0, 12);
  size_t at = 12;
  while (at + 8 <= in.size()) {
    const std::string_view fourcc(in.data() + at, 4);
    const uint64_t size = Le32(in, at + 4);
    const uint64_t whole = 8 + size + (size & 1);
    if (at + whole > in.size()) return Internal("encoder produced a truncated WebP chunk");
    if (fourcc != "EXIF" && fourcc != "XMP " && fourcc != "ICCP") {
      const size_t kept = out.size();
      out.append(in, at, whole);
      if (fourcc == "VP8X" && size >= 1) out[kept + 8] = static_cast<char>(out[kept + 8] & ~0x2C);
    }
    at += whole;
  }
  PutLe32(out, 4, static_cast<uint32_t>(out.size() - 8));
  return out;
}

Error TooLarge(uint64_t size, uint64_t max) {
  Error e = MakeError(ErrorCode::kPayloadTooLarge,
                      "The image is " + std::to_string(size) + " bytes; at most " + std::to_string(max) +
                          " bytes are accepted.",
                      "payload_too_large");
  e.fields["file"] = "is too large";
  return e;
}

}  // namespace

Result<Image> Image::DecodeFile(const std::string& path, const DecodeLimits& limits, DecodeHint hint) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Internal("image file " + path + ": " + ec.message());
  if (size > limits.max_file_bytes) return TooLarge(size, limits.max_file_bytes);
  std::string head(64, '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot open image file " + path);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  VEZA_ASSIGN_OR_RETURN(Decoded d, DecodeSource(Source{.path = &path, .bytes = {}}, head, limits, hint));
  auto impl = std::make_unique<Impl>();
  impl->image = std::move(d.image);
  impl->format = d.format;
  return Image(std::move(impl));
}

Result<Image> Image::DecodeBytes(std::string_view bytes, const DecodeLimits& limits, DecodeHint hint) {
  if (bytes.size() > limits.max_file_bytes) return TooLarge(bytes.size(), limits.max_file_bytes);
  VEZA_ASSIGN_OR_RETURN(Decoded d, DecodeSource(Source{.bytes = bytes}, bytes.substr(0, 64), limits, hint));
  auto impl = std::make_unique<Impl>();
  impl->image = std::move(d.image);
  impl->format = d.format;
  return Image(std::move(impl));
}

Result<Image> Image::CoverCrop(int width, int height) const {
  if (width <= 0 || height <= 0) return Internal("CoverCrop needs a positive size");
  Ref out;
  if (vips_thumbnail_image(impl_->image.get(), out.out(), width, "height", height, "crop",
                           VIPS_INTERESTING_CENTRE, "size", VIPS_SIZE_BOTH, "no_rotate", TRUE,
                           nullptr) != 0) {
    return VipsInternal("thumbnail");
  }
  VipsImage* memory = vips_image_copy_memory(out.get());
  if (!memory) return VipsInternal("thumbnail to memory");
  auto impl = std::make_unique<Impl>();
  impl->image = Ref(memory);
  impl->format = impl_->format;
  return Image(std::move(impl));
}

Result<std::string> Image::Encode(Output output, int quality) const {
  quality = std::clamp(quality, 1, 100);
  // Fields are removed from a copy so no saver can rebuild metadata from them.
  Ref bare;
  if (vips_copy(impl_->image.get(), bare.out(), nullptr) != 0) return VipsInternal("copy for encoding");
  gchar** fields = vips_image_get_fields(bare.get());
  for (gchar** f = fields; f && *f; ++f) vips_image_remove(bare.get(), *f);  // no-op for header fields
  g_strfreev(fields);
  void* buf = nullptr;
  size_t len = 0;
  int rc = output == Output::kWebp
               ? vips_webpsave_buffer(bare.get(), &buf, &len, "Q", quality, "strip", TRUE, nullptr)
               : vips_jpegsave_buffer(bare.get(), &buf, &len, "Q", quality, "strip", TRUE, "optimize_coding",
                                      TRUE, nullptr);
  if (rc != 0) return VipsInternal("encode");
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  // libvips 8.14's WebP saver writes a fresh EXIF chunk even with `strip`; the container is edited instead.
  if (output == Output::kWebp) return StripWebpMetadata(std::move(bytes));
  return bytes;
}

}  // namespace veza::images
