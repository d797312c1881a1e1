#include "tracks/multipart.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "media/test_audio.h"

namespace veza::tracks {
namespace {

namespace fs = std::filesystem;
using media::testutil::TempDir;

std::string Body(const std::string& boundary, const std::string& file_bytes) {
  return "preamble to ignore\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nMy \"Song\"\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nhouse\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\ndeep\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.flac\"\r\n"
         "Content-Type: audio/flac\r\n\r\n" +
         file_bytes + "\r\n--" + boundary + "--\r\nepilogue";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(MultipartBoundary("application/json").error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(MultipartBoundary("multipart/form-data").error().code, ErrorCode::kBadRequest);
}

TEST(Multipart, EveryChunkingGivesTheSameForm) {
  TempDir dir;
  // The file part contains near-miss delimiters: CRLF, "--", and the boundary without its CRLF.
  std::string file = "RIFF\r\n--\r\n--XyZ\r\n-XyZzy\r\n--XyZz";
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) file.push_back(static_cast<char>(rng()));
  const std::string body = Body("XyZzy", file);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{8}, size_t{64}, size_t{4096}}) {
    MultipartParser p("XyZzy", dir.path().string(), {"file"});
    for (size_t i = 0; i < body.size(); i += chunk) {
      ASSERT_TRUE(p.Feed(std::string_view(body).substr(i, chunk)).ok()) << chunk;
    }
    auto form = p.Finish();
    ASSERT_TRUE(form.ok()) << chunk << ": " << form.error().message;
    EXPECT_EQ(*form->Field("title"), "My \"Song\"");
    EXPECT_EQ(form->All("tags"), (std::vector<std::string>{"house", "deep"}));
    ASSERT_EQ(form->files.size(), 1u);
    EXPECT_EQ(form->files[0].file_name, "a b.flac");
    EXPECT_EQ(form->files[0].content_type, "audio/flac");
    EXPECT_EQ(form->files[0].size, file.size());
    EXPECT_EQ(ReadFile(form->files[0].path), file) << chunk;
    RemoveFiles(*form);
    EXPECT_FALSE(fs::exists(form->files[0].path));
  }
}

TEST(Multipart, HugeFilePartStreamsToDisk) {
  TempDir dir;
  const std::string boundary = "----veza-boundary-7e3f";
  const fs::path body_path = dir / "body";
  const uint64_t file_size = 64ull * 1024 * 1024 + 13;
  {
    std::ofstream out(body_path, std::ios::binary);
    out << "--" << boundary
        << "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n\r\n";
    std::string block(1 << 20, '\0');
    for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((i * 131) & 0xff);
    uint64_t left = file_size;
    while (left > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
      out.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    out << "\r\n--" << boundary << "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBig\r\n--"
        << boundary << "--\r\n";
  }
  auto form = ParseMultipartFile(body_path.string(), boundary, dir.path().string(), {"file"}, {}, 64 * 1024);
  ASSERT_TRUE(form.ok()) << form.error().message;
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].size, file_size);
  EXPECT_EQ(fs::file_size(form->files[0].path), file_size);
  EXPECT_EQ(*form->Field("title"), "Big");
  RemoveFiles(*form);
}

Result<MultipartForm> ParseString(const TempDir& dir, const std::string& boundary, const std::string& body,
                                  MultipartLimits limits = {}) {
  fs::path p = dir / "body";
  std::ofstream(p, std::ios::binary) << body;
  return ParseMultipartFile(p.string(), boundary, dir.path().string(), {"file"}, limits, 5);
}

size_t PartFiles(const TempDir& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir.path()))
    n += e.path().filename().string().starts_with("veza-part");
  return n;
}

TEST(Multipart, MalformedBodiesAreRefusedAndLeaveNoFiles) {
  TempDir dir;
  // Ends inside the file part.
  auto truncated = ParseString(
      dir, "b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nabc");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(truncated.error().slug, "invalid_multipart");
  EXPECT_EQ(PartFiles(dir), 0u);
  // No boundary at all.
  EXPECT_FALSE(ParseString(dir, "b", "just some bytes").ok());
  // A part without a name.
  EXPECT_FALSE(ParseString(dir, "b", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--").ok());
  // Garbage after a delimiter.
  EXPECT_FALSE(ParseString(dir, "b", "--bXX\r\n\r\nx\r\n--b--").ok());
  // Header line without a colon.
  EXPECT_FALSE(ParseString(dir, "b", "--b\r\nnonsense\r\n\r\nx\r\n--b--").ok());
  // Two files when one is allowed.
  std::string two =
      "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n1\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n2\r\n--b--";
  EXPECT_FALSE(ParseString(dir, "b", two).ok());
  EXPECT_EQ(PartFiles(dir), 0u);
}

TEST(Multipart, OversizedTextFieldIs413) {
  TempDir dir;
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"lyrics\"\r\n\r\n" +
                     std::string(70 * 1024, 'a') + "\r\n--b--";
  auto form = ParseString(dir, "b", body);
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(form.error().fields.count("lyrics"), 1u);
  std::string fits = "--b\r\nContent-Disposition: form-data; name=\"lyrics\"\r\n\r\n" +
                     std::string(64 * 1024, 'a') + "\r\n--b--";
  EXPECT_TRUE(ParseString(dir, "b", fits).ok());
}

TEST(Multipart, Rfc5987FileNameAndEmptyParts) {
  TempDir dir;
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.mp3\"; "
      "filename*=UTF-8''%C3%A9t%C3%A9.mp3\r\n\r\n\r\n--b\r\nContent-Disposition: form-data; "
      "name=\"description\"\r\n\r\n\r\n--b--";
  auto form = ParseString(dir, "b", body);
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->files[0].file_name, "\xC3\xA9t\xC3\xA9.mp3");
  EXPECT_EQ(form->files[0].size, 0u);
  EXPECT_EQ(*form->Field("description"), "");
  RemoveFiles(*form);
}

}  // namespace
}  // namespace veza::tracks
