#include "tracks/track_routes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "db/testing/test_database.h"
#include "media/test_audio.h"
#include "tracks/delivery.h"
#include "tracks/test_support.h"
#include "tracks/track_store.h"

namespace veza::tracks {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;
using db::testing::Engine;
using media::testutil::FfmpegGenerate;
using media::testutil::TempDir;

TEST(Playlist, TokenReachesEveryUri) {
  const std::string master =
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS=\"mp4a.40.2\"\n128k/index.m3u8\n";
  EXPECT_EQ(AddTokenToPlaylist(master, "T.k"),
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS=\"mp4a.40.2\"\n"
            "128k/index.m3u8?token=T.k\n");
  const std::string media =
      "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:6.0,\r\nseg_00000.m4s\r\n"
      "#EXTINF:2.5,\r\nseg_00001.m4s?x=1\r\n#EXT-X-ENDLIST\r\n";
  EXPECT_EQ(AddTokenToPlaylist(media, "abc"),
            "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4?token=abc\"\r\n#EXTINF:6.0,\r\nseg_00000.m4s?token=abc\r\n"
            "#EXTINF:2.5,\r\nseg_00001.m4s?x=1&token=abc\r\n#EXT-X-ENDLIST\r\n");
}

class TrackRoutesTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(testing::PrepareSchema(db()).ok());
    fx_ = std::make_unique<testing::Fixture>(db(), (tmp_ / "objects").string());
    fs::create_directories(tmp_ / "spool");
    RegisterTrackRoutes(router_, *fx_->service,
                        [](std::string_view name) -> Result<int64_t> {
                          if (name == "alice") return int64_t{1};
                          if (name == "bob") return int64_t{2};
                          return NotFound("No such user.");
                        },
                        {.max_upload_bytes = 50 * 1024 * 1024, .part_dir = (tmp_ / "spool").string()});
  }

  http::Response Call(const std::string& method, const std::string& target, int64_t user = 0,
                      std::string body = {}, std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.body = std::move(body);
    req.body_size = req.body.size();
    req.remote_ip = "127.0.0.1";
    for (auto& [k, v] : headers) req.headers.Set(k, v);
    if (user != 0) req.principal = http::Principal{user, 1, "user"};
    return router_.Handle(req);
  }

  /// POST /api/v1/tracks with a multipart body spooled to a file, as the transport does.
  http::Response UploadBody(int64_t user, const std::string& body, const std::string& boundary = "BoUnDaRy") {
    fs::path spooled = tmp_ / "spool" / ("body-" + std::to_string(++n_));
    std::ofstream(spooled, std::ios::binary) << body;
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/tracks";
    req.body_file = spooled.string();
    req.body_size = body.size();
    req.headers.Set("Content-Type", "multipart/form-data; boundary=" + boundary);
    if (user != 0) req.principal = http::Principal{user, 1, "user"};
    return router_.Handle(req);
  }

  static std::string Form(const std::vector<std::pair<std::string, std::string>>& fields,
                          const fs::path& file) {
    std::string body;
    for (const auto& [k, v] : fields)
      body += "--BoUnDaRy\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    if (!file.empty()) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      body += "--BoUnDaRy\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
              file.filename().string() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes +
              "\r\n";
    }
    return body + "--BoUnDaRy--\r\n";
  }

  fs::path Flac() {
    return FfmpegGenerate(tmp_ / ("a" + std::to_string(++n_) + ".flac"), "sine=frequency=330:duration=2",
                          "-c:a flac");
  }

  static bj::object Obj(const http::Response& r) { return json::ParseObject(r.body).value(); }

  std::string UploadTrack(int64_t user,
                          std::vector<std::pair<std::string, std::string>> fields = {{"title", "T"}}) {
    auto r = UploadBody(user, Form(fields, Flac()));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(Obj(r)["id"].as_string()) : "";
  }

  void MakeReady(const std::string& id) {
    ASSERT_TRUE(db().InTransaction([&](db::Session& s) -> Status {
                      VEZA_TRY(
                          TrackStore::MarkReady(s, *ParseId(id), {.duration_ms = 2000}, fx_->clock.NowMs()));
                      return Ok();
                    })
                    .ok());
  }

  size_t SpoolParts() {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(tmp_ / "spool"))
      n += e.path().filename().string().starts_with("veza-part");
    return n;
  }

  TempDir tmp_;
  std::unique_ptr<testing::Fixture> fx_;
  http::Router router_;
  int n_ = 0;
};

TEST_P(TrackRoutesTest, UploadCreatesTrackWithMetadata) {
  auto r = UploadBody(1, Form({{"title", "Night Drive"},
                               {"tags", "Synthwave, Retro"},
                               {"tags", "night"},
                               {"bpm", "118.04"},
                               {"musical_key", "Am"},
                               {"visibility", "unlisted"},
                               {"downloadable", "true"},
                               {"licence", "cc_by"},
                               {"isrc", "US-RC1-76-07839"},
                               {"release_date", "2024-05-01"},
                               {"explicit", "false"}},
                              Flac()));
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = Obj(r);
  EXPECT_EQ(o["title"].as_string(), "Night Drive");
  EXPECT_EQ(o["tags"].as_array().size(), 3u);
  EXPECT_EQ(o["tags"].as_array()[0].as_string(), "synthwave");
  EXPECT_DOUBLE_EQ(o["bpm"].as_double(), 118.0);
  EXPECT_EQ(o["musical_key"].as_string(), "A minor");
  EXPECT_EQ(o["camelot"].as_string(), "8A");
  EXPECT_EQ(o["visibility"].as_string(), "unlisted");
  EXPECT_EQ(o["isrc"].as_string(), "USRC17607839");
  EXPECT_EQ(o["status"].as_string(), "processing");
  EXPECT_EQ(o["progress"].as_object().at("stage").as_string(), "queued");
  EXPECT_EQ(o["original"].as_object().at("format").as_string(), "flac");
  EXPECT_TRUE(o["id"].is_string());
  EXPECT_TRUE(std::string(o["created_at"].as_string()).ends_with("Z"));
  EXPECT_EQ(r.headers.Get("Location").value_or(""), "/api/v1/tracks/" + std::string(o["id"].as_string()));
  EXPECT_EQ(SpoolParts(), 0u);  // the extracted part is removed after the request
  EXPECT_EQ(fx_->queue.Payloads(kProcessJobKind).size(), 1u);
}

TEST_P(TrackRoutesTest, UploadErrors) {
  EXPECT_EQ(UploadBody(0, Form({{"title", "x"}}, Flac())).status, 401);
  fs::path text = tmp_ / "notes.mp3";
  std::ofstream(text) << "Dear diary, today I uploaded a text file with an mp3 name.\n";
  auto r415 = UploadBody(1, Form({}, text));
  EXPECT_EQ(r415.status, 415) << r415.body;
  auto r422 = UploadBody(1, Form({{"title", "no file"}}, {}));
  EXPECT_EQ(r422.status, 422);
  EXPECT_TRUE(Obj(r422)["error"].as_object()["fields"].as_object().contains("file"));
  auto bad_fields = UploadBody(1, Form({{"bpm", "fast"}, {"visibility", "everyone"}}, Flac()));
  EXPECT_EQ(bad_fields.status, 422);
  auto err = Obj(bad_fields)["error"].as_object()["fields"].as_object();
  EXPECT_TRUE(err.contains("bpm"));
  EXPECT_EQ(
      UploadBody(1, "--BoUnDaRy\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\ntruncated").status,
      400);
  http::Request json_req;
  json_req.method = "POST";
  json_req.path = "/api/v1/tracks";
  json_req.headers.Set("Content-Type", "application/json");
  json_req.principal = http::Principal{1, 1, "user"};
  EXPECT_EQ(router_.Handle(json_req).status, 415);
  EXPECT_EQ(SpoolParts(), 0u);
  EXPECT_TRUE(fx_->queue.Payloads(kProcessJobKind).empty());
}

TEST_P(TrackRoutesTest, ReadEditDelete) {
  std::string id = UploadTrack(1, {{"title", "Mine"}, {"visibility", "private"}});
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id, 2).status, 404);
  auto mine = Call("GET", "/api/v1/tracks/" + id, 1);
  ASSERT_EQ(mine.status, 200);
  EXPECT_TRUE(Obj(mine)["original"].as_object().contains("file_name"));
  EXPECT_EQ(Call("GET", "/api/v1/tracks/nope").status, 404);

  EXPECT_EQ(Call("PATCH", "/api/v1/tracks/" + id, 0, R"({"title":"x"})").status, 401);
  EXPECT_EQ(Call("PATCH", "/api/v1/tracks/" + id, 2, R"({"title":"x"})").status,
            404);  // private: not revealed
  auto patched =
      Call("PATCH", "/api/v1/tracks/" + id, 1,
           R"({"title":"Renamed","visibility":"public","bpm":null,"musical_key":"5B","tags":["A","b"],)"
           R"("lyrics":"[00:01.00]hi\n[00:02.50]there","explicit":true})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto o = Obj(patched);
  EXPECT_EQ(o["title"].as_string(), "Renamed");
  EXPECT_EQ(o["musical_key"].as_string(), "E\u266D major");
  EXPECT_TRUE(o["lyrics_synced"].as_bool());
  EXPECT_TRUE(o["explicit"].as_bool());
  EXPECT_TRUE(o["bpm"].is_null());
  EXPECT_EQ(Call("PATCH", "/api/v1/tracks/" + id, 2, R"({"title":"x"})").status, 403);  // public now
  auto invalid = Call("PATCH", "/api/v1/tracks/" + id, 1, R"({"title":"","tags":"nope","licence":"mine"})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(Call("PATCH", "/api/v1/tracks/" + id, 1, "{not json").status, 400);

  EXPECT_EQ(Call("DELETE", "/api/v1/tracks/" + id, 2).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/tracks/" + id, 1).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id, 1).status, 404);
  EXPECT_TRUE(fx_->objects->List("tracks/" + id + "/")->empty());
}

TEST_P(TrackRoutesTest, ListsPageWithOpaqueCursors) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(UploadTrack(1));
    MakeReady(ids.back());
  }
  std::string hidden = UploadTrack(1, {{"title", "hidden"}, {"visibility", "unlisted"}});
  MakeReady(hidden);
  UploadTrack(2);  // processing: not listed

  auto p1 = Call("GET", "/api/v1/tracks?limit=2");
  ASSERT_EQ(p1.status, 200);
  auto o1 = Obj(p1);
  ASSERT_EQ(o1["items"].as_array().size(), 2u);
  EXPECT_EQ(o1["items"].as_array()[0].as_object().at("id").as_string(), ids[2]);
  ASSERT_TRUE(o1["next_cursor"].is_string());
  auto p2 = Call("GET", "/api/v1/tracks?limit=2&cursor=" + std::string(o1["next_cursor"].as_string()));
  auto o2 = Obj(p2);
  ASSERT_EQ(o2["items"].as_array().size(), 1u);
  EXPECT_EQ(o2["items"].as_array()[0].as_object().at("id").as_string(), ids[0]);
  EXPECT_TRUE(o2["next_cursor"].is_null());
  EXPECT_EQ(Call("GET", "/api/v1/tracks?limit=101").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tracks?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/tracks?cursor=xyz").status, 400);

  EXPECT_EQ(Obj(Call("GET", "/api/v1/users/alice/tracks"))["items"].as_array().size(), 3u);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/users/alice/tracks", 1))["items"].as_array().size(), 4u);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/users/bob/tracks"))["items"].as_array().size(), 0u);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/users/bob/tracks", 2))["items"].as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/users/carol/tracks").status, 404);
}

TEST_P(TrackRoutesTest, StreamingHlsWithPropagatedTokens) {
  std::string id = UploadTrack(1, {{"title", "S"}, {"visibility", "private"}});
  MakeReady(id);
  const std::string prefix = "tracks/" + id + "/hls/";
  ASSERT_TRUE(
      fx_->objects
          ->PutBytes(prefix + "master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n128k/index.m3u8\n")
          .ok());
  ASSERT_TRUE(fx_->objects
                  ->PutBytes(prefix + "128k/index.m3u8",
                             "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6,\nseg_00000.m4s\n")
                  .ok());
  std::string segment(10000, 'x');
  for (size_t i = 0; i < segment.size(); ++i) segment[i] = static_cast<char>(i % 251);
  ASSERT_TRUE(fx_->objects->PutBytes(prefix + "128k/seg_00000.m4s", segment).ok());

  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/stream").status, 404);  // private
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/stream", 2).status, 404);
  auto grant = Call("GET", "/api/v1/tracks/" + id + "/stream", 1);
  ASSERT_EQ(grant.status, 200) << grant.body;
  std::string url(Obj(grant)["hls_url"].as_string());
  EXPECT_TRUE(url.starts_with("/api/v1/tracks/" + id + "/hls/master.m3u8?token="));
  EXPECT_TRUE(Obj(grant)["expires_at"].is_string());
  std::string token = url.substr(url.find("token=") + 6);

  auto master = Call("GET", url);
  ASSERT_EQ(master.status, 200) << master.body;
  EXPECT_EQ(master.headers.Get("Content-Type").value_or(""), "application/vnd.apple.mpegurl");
  EXPECT_NE(master.body.find("128k/index.m3u8?token=" + token), std::string::npos);
  auto variant = Call("GET", "/api/v1/tracks/" + id + "/hls/128k/index.m3u8?token=" + token);
  EXPECT_NE(variant.body.find("URI=\"init.mp4?token=" + token + "\""), std::string::npos);
  EXPECT_NE(variant.body.find("seg_00000.m4s?token=" + token), std::string::npos);

  auto seg = Call("GET", "/api/v1/tracks/" + id + "/hls/128k/seg_00000.m4s?token=" + token, 0, {},
                  {{"Range", "bytes=100-199"}});
  ASSERT_EQ(seg.status, 206);
  ASSERT_TRUE(seg.file.has_value());
  EXPECT_EQ(seg.file->offset, 100u);
  EXPECT_EQ(seg.file->length, 100u);
  EXPECT_EQ(seg.headers.Get("Content-Type").value_or(""), "audio/mp4");
  EXPECT_EQ(seg.headers.Get("Content-Range").value_or(""), "bytes 100-199/10000");
  std::string etag(seg.headers.Get("ETag").value_or(""));
  auto cached = Call("GET", "/api/v1/tracks/" + id + "/hls/128k/seg_00000.m4s?token=" + token, 0, {},
                     {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  auto whole = Call("GET", "/api/v1/tracks/" + id + "/hls/128k/seg_00000.m4s?token=" + token);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.file->length, 10000u);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/hls/128k/seg_00000.m4s?token=" + token, 0, {},
                 {{"Range", "bytes=20000-"}})
                .status,
            416);

  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/hls/master.m3u8").status, 401);
  EXPECT_EQ(
      Call("GET", "/api/v1/tracks/" + id + "/hls/master.m3u8?token=1." + token.substr(token.find('.') + 1))
          .status,
      401);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/hls/nothing.m4s?token=" + token).status, 404);
  fx_->clock.Advance(fx_->service->options().stream_ttl_ms + 1000);
  EXPECT_EQ(Call("GET", url).status, 401);
}

TEST_P(TrackRoutesTest, WaveformCoverDownloadPlays) {
  std::string id = UploadTrack(1);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/waveform").status, 409);
  MakeReady(id);
  ASSERT_TRUE(fx_->objects->PutBytes("tracks/" + id + "/waveform_overview.json", R"({"version":2})").ok());
  ASSERT_TRUE(
      fx_->objects->PutBytes("tracks/" + id + "/waveform_detail.json", R"({"version":2,"d":1})").ok());
  auto w = Call("GET", "/api/v1/tracks/" + id + "/waveform?resolution=detail");
  ASSERT_EQ(w.status, 200);
  EXPECT_EQ(w.body, R"({"version":2,"d":1})");
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/waveform").body, R"({"version":2})");
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/waveform?resolution=huge").status, 422);
  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/cover").status, 404);

  EXPECT_EQ(Call("GET", "/api/v1/tracks/" + id + "/download", 2).status, 403);
  auto dl = Call("GET", "/api/v1/tracks/" + id + "/download", 1, {}, {{"Range", "bytes=0-3"}});
  ASSERT_EQ(dl.status, 206);
  EXPECT_EQ(dl.file->length, 4u);
  EXPECT_NE(dl.headers.Get("Content-Disposition").value_or("").find("attachment; filename=\"T.flac\""),
            std::string::npos);

  auto p1 = Call("POST", "/api/v1/tracks/" + id + "/plays", 0, R"({"event":"started","session_id":"s1"})");
  ASSERT_EQ(p1.status, 200) << p1.body;
  EXPECT_EQ(Obj(p1)["play_count"].as_int64(), 1);
  auto p2 = Call("POST", "/api/v1/tracks/" + id + "/plays", 0,
                 R"({"event":"progress","session_id":"s1","listened_ms":5000})");
  EXPECT_EQ(Obj(p2)["play_count"].as_int64(), 1);
  EXPECT_FALSE(Obj(p2)["counted"].as_bool());
  auto p3 = Call("POST", "/api/v1/tracks/" + id + "/plays", 3, R"({"event":"started","session_id":"s1"})");
  EXPECT_EQ(Obj(p3)["play_count"].as_int64(), 2);
  EXPECT_EQ(Call("POST", "/api/v1/tracks/" + id + "/plays", 0, R"({"event":"started"})").status, 422);
  EXPECT_EQ(Obj(Call("GET", "/api/v1/tracks/" + id))["play_count"].as_int64(), 2);
}

INSTANTIATE_TEST_SUITE_P(Engines, TrackRoutesTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::tracks
