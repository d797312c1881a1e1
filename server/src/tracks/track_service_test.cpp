#include "tracks/track_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "db/testing/test_database.h"
#include "media/test_audio.h"
#include "tracks/test_support.h"
#include "tracks/track_store.h"

namespace veza::tracks {
namespace {

namespace fs = std::filesystem;
using db::testing::Engine;
using media::testutil::FfmpegGenerate;
using media::testutil::TempDir;

class TrackServiceTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(testing::PrepareSchema(db()).ok());
    fx_ = std::make_unique<testing::Fixture>(db(), (tmp_ / "objects").string(), Options());
  }
  virtual TrackServiceOptions Options() { return {}; }

  TrackService& service() { return *fx_->service; }

  fs::path Flac(const std::string& name = "song.flac", double seconds = 2) {
    return FfmpegGenerate(tmp_ / name, "sine=frequency=440:duration=" + std::to_string(seconds),
                          "-c:a flac -metadata title=FromTags -metadata genre=Ambient");
  }

  Track Upload(int64_t user, TrackInput in = {}) {
    static int n = 0;
    auto t = service().CreateFromUpload({user},
                                        {Flac("u" + std::to_string(n++) + ".flac").string(), "x.flac"}, in);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message + " " + t.error().detail);
    return t.ok() ? *t : Track{};
  }

  /// Marks a track ready the way processing does, so it appears in public lists.
  void MakeReady(int64_t id) {
    ASSERT_TRUE(
        db().InTransaction([&](db::Session& s) -> Status {
              VEZA_TRY(TrackStore::MarkReady(s, id, ProcessedFacts{.duration_ms = 2000}, fx_->clock.NowMs()));
              return Ok();
            })
            .ok());
  }

  TempDir tmp_;
  std::unique_ptr<testing::Fixture> fx_;
};

TEST_P(TrackServiceTest, UploadStoresOriginalInsertsAndEnqueuesTogether) {
  TrackInput in;
  in.tags = std::optional<std::vector<std::string>>({"Chill"});
  Track t = Upload(7, in);
  ASSERT_NE(t.id, 0);
  EXPECT_EQ(t.title, "FromTags");  // default from the file's tags
  EXPECT_EQ(t.genre, "Ambient");
  EXPECT_EQ(t.status, "processing");
  EXPECT_EQ(t.progress_stage, "queued");
  EXPECT_EQ(t.original.format, "flac");
  EXPECT_TRUE(t.original.lossless);
  EXPECT_NEAR(t.original.duration_ms, 2000, 50);
  EXPECT_GT(t.original.size_bytes, 0);
  EXPECT_TRUE(fx_->objects->Stat(OriginalKey(t.id, "flac")).ok());
  auto jobs = fx_->queue.Payloads(kProcessJobKind);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], "{\"track_id\":\"" + std::to_string(t.id) + "\"}");

  auto got = service().Get(std::nullopt, t.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tags, std::vector<std::string>{"chill"});
  EXPECT_EQ(got->original.size_bytes, t.original.size_bytes);
}

TEST_P(TrackServiceTest, UploadRollsBackWhenTheJobCannotBeEnqueued) {
  fx_->queue.fail_next = true;
  auto t = service().CreateFromUpload({7}, {Flac().string(), "a.flac"}, {});
  ASSERT_FALSE(t.ok());
  auto page = service().ListByUser(Viewer{7}, 7, {});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  auto objects = fx_->objects->List("tracks/");
  ASSERT_TRUE(objects.ok());
  EXPECT_TRUE(objects->empty());
}

TEST_P(TrackServiceTest, NonAudioIsRefusedByContent) {
  fs::path fake = tmp_ / "fake.mp3";
  std::ofstream(fake) << "this is plainly text, not MPEG audio, whatever the name says\n";
  auto t = service().CreateFromUpload({7}, {fake.string(), "fake.mp3"}, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kUnsupportedMediaType);
  fs::path empty = tmp_ / "empty.wav";
  std::ofstream{empty};
  auto e = service().CreateFromUpload({7}, {empty.string(), "empty.wav"}, {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kValidation);
}

class TinyQuotaTest : public TrackServiceTest {
 protected:
  TrackServiceOptions Options() override { return {.quota_bytes = 150'000}; }
};

TEST_P(TinyQuotaTest, QuotaRefusesWith413AndSaysWhatIsLeft) {
  Track first = Upload(7);  // ~2 s of FLAC sine: well under 150 kB
  ASSERT_GT(first.original.size_bytes, 0);
  ASSERT_LT(first.original.size_bytes, 150'000);
  auto big = service().CreateFromUpload({7}, {Flac("big.flac", 20).string(), "big.flac"}, {});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(big.error().fields.at("used_bytes"), std::to_string(first.original.size_bytes));
  EXPECT_EQ(big.error().fields.at("left_bytes"), std::to_string(150'000 - first.original.size_bytes));
  EXPECT_NE(big.error().message.find("left"), std::string::npos);
  // Another user's quota is separate.
  EXPECT_TRUE(service().CreateFromUpload({8}, {Flac("other.flac").string(), "o.flac"}, {}).ok());
}

TEST_P(TrackServiceTest, VisibilityRules) {
  TrackInput priv;
  priv.title = "secret";
  priv.visibility = "private";
  Track p = Upload(1, priv);
  TrackInput unl;
  unl.title = "link only";
  unl.visibility = "unlisted";
  Track u = Upload(1, unl);
  Track pub = Upload(1);
  for (auto id : {p.id, u.id, pub.id}) MakeReady(id);

  EXPECT_EQ(service().Get(std::nullopt, p.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service().Get(Viewer{2}, p.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service().Get(Viewer{1}, p.id).ok());
  EXPECT_TRUE(service().Get(Viewer{2, true}, p.id).ok());
  EXPECT_TRUE(service().Get(std::nullopt, u.id).ok());

  auto pub_list = service().ListPublic({});
  ASSERT_TRUE(pub_list.ok());
  ASSERT_EQ(pub_list->items.size(), 1u);
  EXPECT_EQ(pub_list->items[0].id, pub.id);

  auto theirs = service().ListByUser(Viewer{2}, 1, {});
  ASSERT_EQ(theirs->items.size(), 1u);
  auto mine = service().ListByUser(Viewer{1}, 1, {});
  EXPECT_EQ(mine->items.size(), 3u);
}

TEST_P(TrackServiceTest, PublicListPagesNewestFirstAndSkipsUnready) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    fx_->clock.Advance(10);
    Track t = Upload(1);
    ids.push_back(t.id);
    if (i != 2) MakeReady(t.id);
  }
  auto p1 = service().ListPublic({.limit = 2});
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].id, ids[4]);
  EXPECT_EQ(p1->items[1].id, ids[3]);
  ASSERT_FALSE(p1->next_cursor.empty());
  auto p2 = service().ListPublic({.limit = 2, .cursor = p1->next_cursor});
  ASSERT_EQ(p2->items.size(), 2u);
  EXPECT_EQ(p2->items[0].id, ids[1]);  // ids[2] is still processing
  EXPECT_EQ(p2->items[1].id, ids[0]);
  EXPECT_TRUE(p2->next_cursor.empty());  // exactly the last two: no empty third page
  EXPECT_EQ(service().ListPublic({.cursor = "garbage!"}).error().code, ErrorCode::kBadRequest);
}

TEST_P(TrackServiceTest, PublicListFiltersByWholeTag) {
  auto upload_tagged = [&](std::vector<std::string> tags) {
    TrackInput in;
    in.title = "tagged";
    in.tags = std::move(tags);
    Track t = Upload(1, in);
    MakeReady(t.id);
    return t.id;
  };
  const int64_t rock = upload_tagged({"Rock", "lo fi"});
  const int64_t punk = upload_tagged({"punk rock"});
  const int64_t odd = upload_tagged({"100%_real!"});
  auto ids_for = [&](const std::string& tag) {
    auto page = service().ListPublic({.tag = tag});  // kept alive: items lives inside it
    std::vector<int64_t> ids;
    for (const auto& t : page->items) ids.push_back(t.id);
    return ids;
  };
  EXPECT_EQ(ids_for("rock"), std::vector<int64_t>{rock});  // a whole tag, not a substring of "punk rock"
  EXPECT_EQ(ids_for("  LO   FI "), std::vector<int64_t>{rock});  // normalised like stored tags
  EXPECT_EQ(ids_for("punk rock"), std::vector<int64_t>{punk});
  EXPECT_EQ(ids_for("100%_real!"), std::vector<int64_t>{odd});  // LIKE wildcards are literal
  EXPECT_TRUE(ids_for("100").empty());
  EXPECT_EQ(ids_for("").size(), 3u);
}

TEST_P(TrackServiceTest, UpdateByOwnerOnly) {
  Track t = Upload(1);
  TrackInput in;
  in.title = "New title";
  in.musical_key = std::optional<std::string>("Ebmaj");
  in.isrc = std::optional<std::string>("us-rc1-76-07839");
  in.licence = "cc_by_sa";
  auto updated = service().Update({1}, t.id, in);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->musical_key, "E\u266D major");
  auto again = service().Get(std::nullopt, t.id);
  EXPECT_EQ(again->title, "New title");
  EXPECT_EQ(again->isrc, "USRC17607839");
  EXPECT_EQ(again->licence, "cc_by_sa");
  EXPECT_EQ(service().Update({2}, t.id, in).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(service().Update({2, true}, t.id, in).ok());
  TrackInput bad;
  bad.bpm = std::optional<double>(400);
  EXPECT_EQ(service().Update({1}, t.id, bad).error().code, ErrorCode::kValidation);
}

TEST_P(TrackServiceTest, DeleteRemovesRowAndEveryObject) {
  Track t = Upload(1);
  ASSERT_TRUE(fx_->objects->PutBytes(TrackPrefix(t.id) + "hls/master.m3u8", "#EXTM3U\n").ok());
  Track other = Upload(1);
  EXPECT_EQ(service().Delete({2}, t.id).error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(service().Delete({1}, t.id).ok());
  EXPECT_EQ(service().Get(Viewer{1}, t.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(fx_->objects->List(TrackPrefix(t.id))->empty());
  EXPECT_FALSE(fx_->objects->List(TrackPrefix(other.id))->empty());
  EXPECT_EQ(service().Delete({1}, t.id).error().code, ErrorCode::kNotFound);
}

TEST_P(TrackServiceTest, PlaysCountOncePerListenerAndSession) {
  Track t = Upload(1);
  EXPECT_EQ(service().RecordPlay(std::nullopt, "ip:a", t.id, {"started", "s1", 0}).error().code,
            ErrorCode::kConflict);
  MakeReady(t.id);
  auto r1 = service().RecordPlay(std::nullopt, "ip:a", t.id, {"started", "s1", 0});
  ASSERT_TRUE(r1.ok()) << r1.error().message << r1.error().detail;
  EXPECT_TRUE(r1->counted);
  EXPECT_EQ(r1->play_count, 1);
  auto r2 = service().RecordPlay(std::nullopt, "ip:a", t.id, {"progress", "s1", 1500});
  EXPECT_FALSE(r2->counted);
  EXPECT_EQ(r2->play_count, 1);
  auto r3 = service().RecordPlay(std::nullopt, "ip:a", t.id, {"completed", "s1", 2000});
  EXPECT_EQ(r3->play_count, 1);
  auto r4 = service().RecordPlay(Viewer{5}, "user:5", t.id, {"started", "s1", 0});
  EXPECT_EQ(r4->play_count, 2);
  auto r5 = service().RecordPlay(std::nullopt, "ip:a", t.id, {"started", "s2", 0});
  EXPECT_EQ(r5->play_count, 3);
  EXPECT_EQ(service().RecordPlay(std::nullopt, "ip:a", t.id, {"paused", "s2", 0}).error().code,
            ErrorCode::kValidation);
  auto q = db().ReadValue<std::optional<db::Row>>([&](db::Session& s) {
    return s.QueryOne(
        "SELECT listened_ms, completed FROM track_plays WHERE session = 's1' AND listener = 'ip:a'");
  });
  ASSERT_TRUE(q.ok() && *q);
  EXPECT_EQ((*q)->Int(0), 2000);
  EXPECT_TRUE((*q)->Bool(1));
}

TEST_P(TrackServiceTest, StreamGrantsAreScopedToTheTrack) {
  Track a = Upload(1);
  Track b = Upload(1);
  EXPECT_EQ(service().Stream(std::nullopt, a.id).error().code, ErrorCode::kConflict);
  MakeReady(a.id);
  MakeReady(b.id);
  ASSERT_TRUE(fx_->objects->PutBytes(TrackPrefix(a.id) + "hls/master.m3u8", "#EXTM3U\n").ok());
  auto grant = service().Stream(std::nullopt, a.id);
  ASSERT_TRUE(grant.ok());
  std::string token = grant->hls_url.substr(grant->hls_url.find("token=") + 6);
  EXPECT_EQ(grant->expires_at_ms, fx_->clock.NowMs() + service().options().stream_ttl_ms);
  auto hls = service().ResolveHls(a.id, "master.m3u8", token);
  ASSERT_TRUE(hls.ok());
  EXPECT_TRUE(hls->playlist);
  EXPECT_EQ(service().ResolveHls(b.id, "master.m3u8", token).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(service().ResolveHls(a.id, "../original.flac", token).error().code, ErrorCode::kNotFound);
  fx_->clock.Advance(service().options().stream_ttl_ms + 1);
  EXPECT_EQ(service().ResolveHls(a.id, "master.m3u8", token).error().code, ErrorCode::kUnauthenticated);
}

TEST_P(TrackServiceTest, DownloadForOwnerOrWhenDownloadable) {
  Track t = Upload(1);
  EXPECT_EQ(service().Download(Viewer{2}, t.id).error().code, ErrorCode::kForbidden);
  auto mine = service().Download(Viewer{1}, t.id);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->file_name, "FromTags.flac");
  EXPECT_EQ(mine->key, OriginalKey(t.id, "flac"));
  EXPECT_EQ(service().objects().Stat(mine->key)->size, static_cast<uint64_t>(t.original.size_bytes));
  TrackInput in;
  in.downloadable = true;
  ASSERT_TRUE(service().Update({1}, t.id, in).ok());
  EXPECT_TRUE(service().Download(std::nullopt, t.id).ok());
}

TEST_P(TrackServiceTest, UploadedCoverReplacesEmbeddedArtAndServesTheNearestSize) {
  Track t = Upload(1);
  const std::string embedded = TrackPrefix(t.id) + "cover.jpg";
  ASSERT_TRUE(fx_->objects->PutBytes(embedded, "embedded art").ok());
  ASSERT_TRUE(db().InTransaction([&](db::Session& s) -> Status {
                    VEZA_TRY(TrackStore::MarkReady(
                        s, t.id, ProcessedFacts{.cover_key = embedded, .cover_mime_type = "image/jpeg"},
                        fx_->clock.NowMs()));
                    return Ok();
                  })
                  .ok());
  EXPECT_EQ(service().Cover(std::nullopt, t.id, "200")->key, embedded);  // embedded art has one size

  fs::path jpeg = FfmpegGenerate(tmp_ / "cover.jpg", "color=c=red:s=640x480", "-frames:v 1");
  EXPECT_EQ(service().ReplaceCover({2}, t.id, jpeg.string()).error().code, ErrorCode::kForbidden);
  auto replaced = service().ReplaceCover({1}, t.id, jpeg.string());
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  const std::string base = replaced->cover_key;
  EXPECT_TRUE(base.starts_with(TrackPrefix(t.id) + "cover-")) << base;
  EXPECT_EQ(fx_->objects->Stat(embedded).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(CoverUrl(*replaced, "/api/v1"),
            "/api/v1/tracks/" + std::to_string(t.id) + "/cover?v=" + std::string(images::KeyVersion(base)));
  for (auto [asked, stored] : std::vector<std::pair<std::string, std::string>>{
           {"", "1200"}, {"300", "500"}, {"500", "500"}, {"120", "200"}, {"501", "1200"}, {"9999", "1200"}}) {
    auto cover = service().Cover(std::nullopt, t.id, asked);
    ASSERT_TRUE(cover.ok()) << asked;
    EXPECT_EQ(cover->key, base + "-" + stored + ".jpg") << asked;
    EXPECT_TRUE(fx_->objects->Stat(cover->key).ok());
  }
  EXPECT_EQ(service().Cover(std::nullopt, t.id, "big").error().code, ErrorCode::kValidation);

  auto again = service().ReplaceCover({1}, t.id, jpeg.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(fx_->objects->List(base + "-")->size(), 0u);  // the previous version's sizes are gone
}

TEST_P(TrackServiceTest, OrphansAreObjectsOfGoneTracksAndStaleCovers) {
  Track t = Upload(1);
  const std::string prefix = TrackPrefix(t.id);
  for (const std::string& key : {prefix + "hls/master.m3u8", prefix + "cover-1-500.jpg",
                                 std::string("tracks/999/x"), std::string("tracks/abc/x")}) {
    ASSERT_TRUE(fx_->objects->PutBytes(key, "x").ok());
  }
  auto objects = fx_->objects->List("tracks/");
  ASSERT_TRUE(objects.ok());
  auto orphans = service().Orphans(*objects);
  ASSERT_TRUE(orphans.ok());
  std::sort(orphans->begin(), orphans->end());
  EXPECT_EQ(*orphans, (std::vector<std::string>{prefix + "cover-1-500.jpg", "tracks/999/x", "tracks/abc/x"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, TrackServiceTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, TinyQuotaTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::tracks
