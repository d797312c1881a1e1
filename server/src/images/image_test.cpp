#include "images/image.h"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace veza::images {
namespace {

// Inputs are made here with libvips; EXIF is spliced in by hand so the test controls every tag.

struct VipsDeleter {
  void operator()(VipsImage* p) const { g_object_unref(p); }
};
using Owned = std::unique_ptr<VipsImage, VipsDeleter>;

Owned Solid(int w, int h, std::vector<double> rgb) {
  VipsImage* black = nullptr;
  EXPECT_EQ(vips_black(&black, w, h, "bands", static_cast<int>(rgb.size()), nullptr), 0);
  VipsImage* lin = nullptr;
  std::vector<double> zero(rgb.size(), 1.0 - 1.0);
  EXPECT_EQ(vips_linear(black, &lin, zero.data(), rgb.data(), static_cast<int>(rgb.size()), nullptr), 0);
  g_object_unref(black);
  VipsImage* cast = nullptr;
  EXPECT_EQ(vips_cast_uchar(lin, &cast, nullptr), 0);
  g_object_unref(lin);
  cast->Type = rgb.size() >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
  return Owned(cast);
}

// Left half red, right half blue: orientation and crops are visible in the pixels.
Owned RedBlue(int w, int h) {
  Owned red = Solid(w / 2, h, {255, 0, 0});
  Owned blue = Solid(w - w / 2, h, {0, 0, 255});
  VipsImage* joined = nullptr;
  EXPECT_EQ(vips_join(red.get(), blue.get(), &joined, VIPS_DIRECTION_HORIZONTAL, nullptr), 0);
  return Owned(joined);
}

std::string Save(VipsImage* image, const char* suffix) {
  void* buf = nullptr;
  size_t len = 0;
  EXPECT_EQ(vips_image_write_to_buffer(image, suffix, &buf, &len, nullptr), 0) << vips_error_buffer();
  std::string out(static_cast<char*>(buf), len);
  g_free(buf);
  return out;
}

void Put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xff), s += static_cast<char>(v >> 8);
}
void Put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void Entry(std::string& s, uint16_t tag, uint16_t type, uint32_t count, uint32_t value) {
  Put16(s, tag), Put16(s, type), Put32(s, count), Put32(s, value);
}

// An APP1 Exif segment: IFD0 with Orientation and a GPS IFD holding a latitude.
std::string ExifSegment(uint16_t orientation) {
  std::string tiff = "II*";
  tiff += '\0';
  Put32(tiff, 8);
  Put16(tiff, 2);
  Entry(tiff, 0x0112, 3, 1, orientation);
  Entry(tiff, 0x8825, 4, 1, 38);
  Put32(tiff, 0);
  Put16(tiff, 2);
  Entry(tiff, 0x0001, 2, 2, 'N');
  Entry(tiff, 0x0002, 5, 3, 68);
  Put32(tiff, 0);
  for (uint32_t v : {48u, 1u, 51u, 1u, 29u, 1u}) Put32(tiff, v);
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  std::string seg = "\xFF\xE1";
  uint16_t len = static_cast<uint16_t>(payload.size() + 2);
  seg += static_cast<char>(len >> 8), seg += static_cast<char>(len & 0xff);
  return seg + payload;
}

std::string WithExif(const std::string& jpeg, uint16_t orientation) {
  return jpeg.substr(0, 2) + ExifSegment(orientation) + jpeg.substr(2);
}

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void PutBe32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}

// A real 16×16 PNG whose header then claims 100000×100000 pixels (CRC fixed): a few hundred bytes
// that would need 30 GB once decoded.
std::string PngBomb() {
  Owned small = Solid(16, 16, {10, 20, 30});
  std::string png = Save(small.get(), ".png");
  PutBe32(png, 16, 100'000);
  PutBe32(png, 20, 100'000);
  PutBe32(png, 29, Crc32(std::string_view(png).substr(12, 17)));
  return png;
}

// The classic 1×1 transparent GIF.
const std::string kGif = std::string(
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00"
    "\x00"
    "\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b",
    43);

Owned Reload(const std::string& bytes) {
  VipsImage* out = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  EXPECT_NE(out, nullptr) << vips_error_buffer();
  return Owned(out);
}

std::vector<double> Pixel(VipsImage* image, int x, int y) {
  double* values = nullptr;
  int n = 0;
  EXPECT_EQ(vips_getpoint(image, &values, &n, x, y, nullptr), 0);
  std::vector<double> out(values, values + n);
  g_free(values);
  return out;
}

bool IsRed(const std::vector<double>& p) {
  return p.size() >= 3 && p[0] > 200 && p[1] < 60 && p[2] < 60;
}
bool IsBlue(const std::vector<double>& p) {
  return p.size() >= 3 && p[0] < 60 && p[1] < 60 && p[2] > 200;
}

class ImagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Init(); }
};

TEST_F(ImagesTest, SniffAcceptsJpegPngWebp) {
  EXPECT_EQ(*Sniff("\xFF\xD8\xFF\xE0rest"), Format::kJpeg);
  EXPECT_EQ(*Sniff("\x89PNG\r\n\x1A\nrest"), Format::kPng);
  EXPECT_EQ(*Sniff(std::string_view("RIFF\x10\0\0\0WEBPVP8 ", 16)), Format::kWebp);
}

TEST_F(ImagesTest, SniffNamesWhatItFound) {
  struct Case {
    std::string head;
    std::string found;
  };
  std::vector<Case> cases = {
      {kGif, "a GIF image"},
      {"BM\x36\x00\x00\x00", "a BMP image"},
      {std::string("II*\0\x08\0\0\0", 8), "a TIFF image"},
      {std::string("\0\0\0\x1c"
                   "ftypheic",
                   12),
       "a HEIF/HEIC image"},
      {std::string("\0\0\0\x1c"
                   "ftypavif",
                   12),
       "an AVIF image"},
      {"%PDF-1.7\n", "a PDF document"},
      {"<?xml version=\"1.0\"?><svg xmlns=", "an SVG image"},
      {"hello, this is a plain text file\n", "text"},
      {"<!doctype html><html>", "HTML or XML text"},
      {std::string("\x00\x01\x02\x03\xfe\xfd", 6), "unknown binary data"},
      {std::string("RIFF\x10\0\0\0WAVEfmt ", 16), "a RIFF file (WAV or AVI)"},
  };
  for (const auto& c : cases) {
    auto r = Sniff(c.head);
    ASSERT_FALSE(r.ok()) << c.found;
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType) << c.found;
    EXPECT_EQ(r.error().slug, "unsupported_image_type");
    EXPECT_NE(r.error().message.find(c.found), std::string::npos) << r.error().message;
  }
  auto empty = Sniff("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kValidation);
}

TEST_F(ImagesTest, JpegIsRotatedByExifThenEncodedWithoutMetadata) {
  Owned source = RedBlue(800, 600);
  std::string jpeg = WithExif(Save(source.get(), ".jpg[Q=95]"), 6);
  ASSERT_NE(jpeg.find("Exif"), std::string::npos);
  auto image = Image::DecodeBytes(jpeg);
  ASSERT_TRUE(image.ok()) << image.error().message << " " << image.error().detail;
  EXPECT_EQ(image->source_format(), Format::kJpeg);
  // Orientation 6: the stored left edge is the displayed top.
  EXPECT_EQ(image->width(), 600);
  EXPECT_EQ(image->height(), 800);
  auto out = image->Encode(Output::kJpeg);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->find("Exif"), std::string::npos);
  EXPECT_EQ(out->find("\xFF\xE1"), std::string::npos);  // no APP1 (EXIF, XMP) at all
  Owned back = Reload(*out);
  EXPECT_EQ(vips_image_get_typeof(back.get(), VIPS_META_EXIF_NAME), 0u);
  EXPECT_EQ(vips_image_get_typeof(back.get(), VIPS_META_ICC_NAME), 0u);
  EXPECT_TRUE(IsRed(Pixel(back.get(), 300, 50)));
  EXPECT_TRUE(IsBlue(Pixel(back.get(), 300, 750)));
}

TEST_F(ImagesTest, CoverCropMakesExactSizesKeepingTheCentre) {
  Owned source = RedBlue(800, 600);
  auto image = Image::DecodeBytes(Save(source.get(), ".png"));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->source_format(), Format::kPng);
  for (auto [w, h] : std::vector<std::pair<int, int>>{{512, 512}, {128, 128}, {1500, 500}, {50, 400}}) {
    auto cropped = image->CoverCrop(w, h);
    ASSERT_TRUE(cropped.ok());
    EXPECT_EQ(cropped->width(), w);
    EXPECT_EQ(cropped->height(), h);
    auto bytes = cropped->Encode(Output::kJpeg);
    ASSERT_TRUE(bytes.ok());
    Owned back = Reload(*bytes);
    EXPECT_EQ(vips_image_get_width(back.get()), w);
    EXPECT_EQ(vips_image_get_height(back.get()), h);
    if (w >= 128) {
      EXPECT_TRUE(IsRed(Pixel(back.get(), w / 8, h / 2)));
      EXPECT_TRUE(IsBlue(Pixel(back.get(), w - w / 8, h / 2)));
    }
  }
}

TEST_F(ImagesTest, SmallImagesAreScaledUpToCover) {
  Owned source = Solid(100, 60, {0, 200, 0});
  auto image = Image::DecodeBytes(Save(source.get(), ".webp"));
  ASSERT_TRUE(image.ok()) << image.error().detail;
  EXPECT_EQ(image->source_format(), Format::kWebp);
  auto banner = image->CoverCrop(1500, 500);
  ASSERT_TRUE(banner.ok());
  EXPECT_EQ(banner->width(), 1500);
  EXPECT_EQ(banner->height(), 500);
  auto webp = banner->Encode(Output::kWebp);
  ASSERT_TRUE(webp.ok());
  EXPECT_EQ(webp->substr(0, 4), "RIFF");
  EXPECT_EQ(webp->substr(8, 4), "WEBP");
  for (const char* chunk : {"EXIF", "XMP ", "ICCP"}) EXPECT_EQ(webp->find(chunk), std::string::npos) << chunk;
  Owned back = Reload(*webp);
  EXPECT_EQ(vips_image_get_width(back.get()), 1500);
  EXPECT_EQ(vips_image_get_typeof(back.get(), VIPS_META_EXIF_NAME), 0u);
}

TEST_F(ImagesTest, AlphaIsFlattenedOnWhite) {
  Owned clear = Solid(64, 64, {0, 0, 0, 0});
  clear->Type = VIPS_INTERPRETATION_sRGB;
  auto image = Image::DecodeBytes(Save(clear.get(), ".png"));
  ASSERT_TRUE(image.ok()) << image.error().detail;
  auto bytes = image->Encode(Output::kJpeg);
  ASSERT_TRUE(bytes.ok());
  Owned back = Reload(*bytes);
  EXPECT_EQ(vips_image_get_bands(back.get()), 3);
  auto p = Pixel(back.get(), 32, 32);
  EXPECT_GT(p[0], 245);
  EXPECT_GT(p[2], 245);
}

TEST_F(ImagesTest, GreyscaleBecomesRgb) {
  Owned grey = Solid(40, 40, {128});
  auto image = Image::DecodeBytes(Save(grey.get(), ".png"));
  ASSERT_TRUE(image.ok());
  auto bytes = image->Encode(Output::kJpeg);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(vips_image_get_bands(Reload(*bytes).get()), 3);
}

TEST_F(ImagesTest, LargeJpegIsShrunkOnLoadOnlyAsFarAsTheTargetAllows) {
  Owned big = RedBlue(4000, 3000);
  std::string jpeg = Save(big.get(), ".jpg");
  auto image = Image::DecodeBytes(jpeg, {}, {.cover_width = 512, .cover_height = 512});
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->width(), 1000);  // 1/8 would give 375 rows, less than 512
  EXPECT_EQ(image->height(), 750);
  auto full = Image::DecodeBytes(jpeg);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->width(), 4000);
}

TEST_F(ImagesTest, TruncatedJpegIsCorrupt) {
  Owned source = RedBlue(400, 300);
  std::string jpeg = Save(source.get(), ".jpg");
  for (size_t keep : {jpeg.size() / 2, size_t{20}, size_t{3}}) {
    auto r = Image::DecodeBytes(jpeg.substr(0, keep));
    ASSERT_FALSE(r.ok()) << keep;
    EXPECT_EQ(r.error().code, ErrorCode::kValidation) << keep;
    EXPECT_EQ(r.error().slug, "image_corrupt") << keep;
  }
}

TEST_F(ImagesTest, TruncatedPngAndWebpAreCorrupt) {
  Owned source = RedBlue(300, 200);
  for (const char* suffix : {".png", ".webp"}) {
    std::string bytes = Save(source.get(), suffix);
    auto r = Image::DecodeBytes(bytes.substr(0, bytes.size() * 2 / 3));
    ASSERT_FALSE(r.ok()) << suffix;
    EXPECT_EQ(r.error().slug, "image_corrupt") << suffix;
  }
}

TEST_F(ImagesTest, PngBombIsRefusedFromItsHeader) {
  std::string bomb = PngBomb();
  EXPECT_LT(bomb.size(), 1000u);
  auto r = Image::DecodeBytes(bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  EXPECT_EQ(r.error().slug, "image_too_large");
  auto small = Image::DecodeBytes(Save(RedBlue(300, 300).get(), ".png"), {.max_pixels = 300 * 299});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().slug, "image_too_large");
}

TEST_F(ImagesTest, GifAndTextAreUnsupported) {
  for (const std::string& bytes : {kGif, std::string("just some text, not an image\n")}) {
    auto r = Image::DecodeBytes(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType);
  }
}

TEST_F(ImagesTest, FilesAreSizeCappedBeforeDecoding) {
  auto dir = std::filesystem::temp_directory_path() / ("veza-images-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string jpeg = Save(RedBlue(200, 100).get(), ".jpg");
  std::string path = (dir / "upload").string();
  std::ofstream(path, std::ios::binary) << jpeg;
  auto ok = Image::DecodeFile(path);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->width(), 200);
  auto too_big = Image::DecodeFile(path, {.max_file_bytes = jpeg.size() - 1});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kPayloadTooLarge);
  // The same path with new content decodes the new content (no stale cache by file name).
  std::ofstream(path, std::ios::binary | std::ios::trunc) << Save(RedBlue(60, 90).get(), ".png");
  auto replaced = Image::DecodeFile(path);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->width(), 60);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace veza::images
