#include "uploads/upload_service.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "db/migrate.h"
#include "db/testing/test_database.h"
#include "uploads/upload_store.h"

namespace veza::uploads {
namespace {

namespace fs = std::filesystem;
using db::testing::Engine;

std::string Sha256(const std::string& data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class UploadServiceTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
    char tmpl[] = "/tmp/veza-uploads-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    service_ = MakeService();
  }
  void TearDown() override {
    service_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    EngineTest::TearDown();
  }

  std::unique_ptr<UploadService> MakeService() {
    return std::make_unique<UploadService>(
        db(), clock_, ids_, [this](int64_t) -> Result<int64_t> { return stored_bytes_; },
        UploadServiceOptions{
            .dir = dir_ + "/uploads", .max_bytes = 1000, .quota_bytes = 1500, .expiry_ms = 60'000});
  }

  /// A spooled chunk as the transport leaves it.
  Chunk MakeChunk(const std::string& bytes, std::optional<std::string> sha256 = std::nullopt) {
    const std::string path = dir_ + "/chunk" + std::to_string(chunks_++);
    std::ofstream(path, std::ios::binary) << bytes;
    return Chunk{.path = path, .size = static_cast<int64_t>(bytes.size()), .sha256 = std::move(sha256)};
  }

  UploadService& service() { return *service_; }

  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
  int64_t stored_bytes_ = 0;
  std::string dir_;
  int chunks_ = 0;
  std::unique_ptr<UploadService> service_;
};

TEST(UploadMetadata, ParsesPairsAndRefusesMalformed) {
  auto m = ParseMetadata("filename c29uZy5mbGFj,filetype YXVkaW8vZmxhYw==,is_confidential");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)["filename"], "song.flac");
  EXPECT_EQ((*m)["filetype"], "audio/flac");
  EXPECT_EQ((*m)["is_confidential"], "");
  EXPECT_FALSE(ParseMetadata("filename !!!").ok());
  EXPECT_FALSE(ParseMetadata("a YQ==,a YQ==").ok());
  EXPECT_FALSE(ParseMetadata("a YQ==,,b").ok());
  EXPECT_TRUE(ParseMetadata("").ok());
}

TEST(UploadChecksum, OnlySha256WithAFullDigest) {
  auto d = ParseChecksum("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 32u);
  EXPECT_FALSE(ParseChecksum("md5 1B2M2Y8AsgTpgAmY7PhCfg==").ok());
  EXPECT_FALSE(ParseChecksum("sha256 AAAA").ok());
  EXPECT_FALSE(ParseChecksum("sha256").ok());
}

TEST_P(UploadServiceTest, AppendsAtTheOffsetAndSurvivesANewServiceInstance) {
  auto u = service().Create(7, 10, "filename c29uZy5mbGFj");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->file_name, "song.flac");
  EXPECT_TRUE(fs::exists(service().PathOf(u->id)));

  auto a = service().Append(7, u->id, 0, MakeChunk("hello"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->offset, 5);

  auto wrong = service().Append(7, u->id, 3, MakeChunk("xx"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kConflict);

  auto unfinished = service().Finished(7, u->id);
  ASSERT_FALSE(unfinished.ok());
  EXPECT_EQ(unfinished.error().code, ErrorCode::kConflict);

  // A restart: a new service over the same database and directory continues where the last one stopped.
  service_ = MakeService();
  auto head = service().Get(7, u->id);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->offset, 5);
  auto b = service().Append(7, u->id, 5, MakeChunk("world"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->Complete());
  auto done = service().Finished(7, u->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(ReadAll(done->path), "helloworld");
  EXPECT_EQ(done->file_name, "song.flac");
}

TEST_P(UploadServiceTest, ChecksumMismatchKeepsNothing) {
  auto u = service().Create(7, 6, "");
  ASSERT_TRUE(u.ok());
  auto bad = service().Append(7, u->id, 0, MakeChunk("abc", Sha256("abd")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().slug, kChecksumMismatch);
  EXPECT_EQ(service().Get(7, u->id)->offset, 0);
  EXPECT_EQ(fs::file_size(service().PathOf(u->id)), 0u);
  auto good = service().Append(7, u->id, 0, MakeChunk("abc", Sha256("abc")));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->offset, 3);
}

TEST_P(UploadServiceTest, BytesPastTheAcknowledgedOffsetAreDropped) {
  auto u = service().Create(7, 6, "");
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(service().Append(7, u->id, 0, MakeChunk("abc")).ok());
  // A crash after writing but before the offset was committed leaves stray bytes.
  std::ofstream(service().PathOf(u->id), std::ios::binary | std::ios::app) << "zzz";
  ASSERT_TRUE(service().Append(7, u->id, 3, MakeChunk("def")).ok());
  EXPECT_EQ(ReadAll(service().PathOf(u->id)), "abcdef");
}

TEST_P(UploadServiceTest, OthersSeeNothingAndLengthIsEnforced) {
  auto u = service().Create(7, 4, "");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(service().Get(8, u->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service().Append(8, u->id, 0, MakeChunk("ab")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service().Terminate(8, u->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service().Append(7, u->id, 0, MakeChunk("abcde")).error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(service().Create(7, 1001, "").error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(service().Create(7, -1, "").error().code, ErrorCode::kBadRequest);
}

TEST_P(UploadServiceTest, QuotaCountsStoredAndUnfinishedUploads) {
  stored_bytes_ = 500;
  ASSERT_TRUE(service().Create(7, 900, "").ok());
  auto over = service().Create(7, 101, "");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(over.error().fields.at("used_bytes"), "1400");
  EXPECT_EQ(over.error().fields.at("left_bytes"), "100");
  EXPECT_TRUE(service().Create(7, 100, "").ok());
  EXPECT_TRUE(service().Create(8, 1000, "").ok());  // another user's quota is their own
}

TEST_P(UploadServiceTest, TerminationRemovesRowAndFile) {
  auto u = service().Create(7, 4, "");
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(service().Append(7, u->id, 0, MakeChunk("ab")).ok());
  ASSERT_TRUE(service().Terminate(7, u->id).ok());
  EXPECT_FALSE(fs::exists(service().PathOf(u->id)));
  EXPECT_EQ(service().Get(7, u->id).error().code, ErrorCode::kNotFound);
}

TEST_P(UploadServiceTest, ExpiredUploadsAnswerGoneThenCleanupRemovesThem) {
  auto old_one = service().Create(7, 4, "");
  ASSERT_TRUE(old_one.ok());
  clock_.Advance(30'000);
  auto fresh = service().Create(7, 4, "");
  ASSERT_TRUE(fresh.ok());
  clock_.Advance(30'001);
  auto gone = service().Get(7, old_one->id);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().slug, kUploadExpired);
  EXPECT_EQ(service().Append(7, old_one->id, 0, MakeChunk("ab")).error().slug, kUploadExpired);

  // An orphan file with no row (its row went elsewhere) is swept once it is older than the expiry.
  const std::string orphan = service().PathOf(12345);
  std::ofstream(orphan) << "x";
  fs::last_write_time(orphan, fs::file_time_type::clock::now() - std::chrono::hours(2));

  auto removed = service().CleanupExpired();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  EXPECT_FALSE(fs::exists(service().PathOf(old_one->id)));
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_EQ(service().Get(7, old_one->id).error().slug, "upload_not_found");
  EXPECT_TRUE(service().Get(7, fresh->id).ok());
  EXPECT_TRUE(fs::exists(service().PathOf(fresh->id)));
}

TEST_P(UploadServiceTest, ReleaseForgetsTheUploadOnceATrackTookTheFile) {
  auto u = service().Create(7, 2, "");
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(service().Append(7, u->id, 0, MakeChunk("ab")).ok());
  auto done = service().Finished(7, u->id);
  ASSERT_TRUE(done.ok());
  fs::rename(done->path, dir_ + "/taken");
  ASSERT_TRUE(service().Release(u->id).ok());
  EXPECT_EQ(service().Get(7, u->id).error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, UploadServiceTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::uploads
