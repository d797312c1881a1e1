#include "storage/local_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace veza::storage {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("veza-store-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto store = LocalObjectStore::Open(root_.string());
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(LocalStoreTest, PutGetStatDeleteRoundTrip) {
  ASSERT_TRUE(store_->PutBytes("tracks/1/original.flac", "hello world").ok());
  auto bytes = store_->GetBytes("tracks/1/original.flac");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "hello world");
  auto info = store_->Stat("tracks/1/original.flac");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 11u);
  EXPECT_FALSE(info->etag.empty());
  ASSERT_TRUE(store_->Delete("tracks/1/original.flac").ok());
  EXPECT_EQ(store_->Stat("tracks/1/original.flac").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->Delete("tracks/1/original.flac").ok()) << "deleting a missing object succeeds";
}

TEST_F(LocalStoreTest, RangesAreClampedToTheObject) {
  ASSERT_TRUE(store_->PutBytes("a/b", "0123456789").ok());
  EXPECT_EQ(*store_->GetBytes("a/b", {.offset = 2, .length = 3}), "234");
  EXPECT_EQ(*store_->GetBytes("a/b", {.offset = 8}), "89");
  EXPECT_EQ(*store_->GetBytes("a/b", {.offset = 20}), "");
}

TEST_F(LocalStoreTest, CopyToFileWritesTheObjectChunkByChunk) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 7);
  ASSERT_TRUE(store_->PutBytes("tracks/1/original.wav", bytes).ok());
  const std::string copy = (root_ / "copy.wav").string();
  ASSERT_TRUE(CopyToFile(*store_, "tracks/1/original.wav", copy, /*chunk_bytes=*/64).ok());
  std::ifstream in(copy, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), bytes);

  auto missing = CopyToFile(*store_, "tracks/1/none.wav", (root_ / "none.wav").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(root_ / "none.wav"));
}

TEST_F(LocalStoreTest, KeysCannotEscapeTheRoot) {
  for (const char* key : {"../etc/passwd", "a/../../b", "/abs", "a//b", "", "a/./b", "a\\b", "a b", "%2e%2e/x"}) {
    EXPECT_FALSE(IsValidKey(key)) << key;
    EXPECT_EQ(store_->PutBytes(key, "x").error().code, ErrorCode::kValidation) << key;
  }
  EXPECT_TRUE(IsValidKey("tracks/123/hls/128k/seg-00001.m4s"));
}

TEST_F(LocalStoreTest, PutFileCopiesAndListFiltersByPrefix) {
  fs::path src = root_.string() + "-src";
  { std::ofstream(src) << std::string(200'000, 'x'); }
  ASSERT_TRUE(store_->PutFile("up/1", src.string()).ok());
  ASSERT_TRUE(store_->PutBytes("up/2", "y").ok());
  ASSERT_TRUE(store_->PutBytes("other/3", "z").ok());
  auto list = store_->List("up/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, "up/1");
  EXPECT_EQ((*list)[0].size, 200'000u);
  fs::remove(src);
}

TEST_F(LocalStoreTest, MoveFileRenamesTheSourceIntoPlace) {
  const fs::path src = root_ / "incoming.part";
  std::ofstream(src, std::ios::binary) << "uploaded bytes";
  struct stat before {};
  ASSERT_EQ(::stat(src.c_str(), &before), 0);
  ASSERT_TRUE(store_->MoveFile("tracks/9/original.flac", src.string()).ok());
  EXPECT_FALSE(fs::exists(src));
  EXPECT_EQ(*store_->GetBytes("tracks/9/original.flac"), "uploaded bytes");
  struct stat after {};
  ASSERT_EQ(::stat(store_->LocalPath("tracks/9/original.flac")->c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // renamed, not copied
  EXPECT_FALSE(store_->MoveFile("../escape", (root_ / "missing").string()).ok());
}

TEST_F(LocalStoreTest, OverwriteLeavesNoTempFiles) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->PutBytes("k", std::to_string(i)).ok());
  EXPECT_EQ(*store_->GetBytes("k"), "4");
  int files = 0;
  for (auto& e : fs::recursive_directory_iterator(root_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace veza::storage
