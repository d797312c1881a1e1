#include "http/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace veza::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/veza-static-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    fs::create_directories(root_ / "assets");
    fs::create_directories(root_ / "media" / "hls");
    Write("index.html", "<html>app</html>");
    Write("assets/index-3f9a8b2c.js", "console.log(1)");
    Write("assets/index-3f9a8b2c.js.br", "BR");
    Write("assets/index-3f9a8b2c.js.gz", "GZIP");
    Write("assets/logo.svg", "<svg/>");
    Write("media/hls/master.m3u8", "#EXTM3U\n");
    Write("media/hls/seg1.m4s", "0123456789");
    Write("robots.txt", "User-agent: *\n");
    // A secret next to the root, and a symlink inside the root pointing at it.
    std::ofstream(base_ / "secret.txt") << "top secret";
    fs::create_symlink(base_ / "secret.txt", root_ / "link.txt");
    StaticFilesOptions opts;
    opts.root = root_.string();
    files_ = std::make_unique<StaticFiles>(opts);
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& rel, const std::string& content) { std::ofstream(root_ / rel) << content; }

  Request Get(std::string path) {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    r.target = r.path;
    r.request_id = "rid";
    return r;
  }

  fs::path base_, root_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFileAsFileBodyWithHeaders) {
  Response r = files_->Serve(Get("/robots.txt"));
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.file.has_value());
  EXPECT_EQ(r.file->length, 14u);
  EXPECT_EQ(r.file->offset, 0u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/plain; charset=utf-8");
  EXPECT_TRUE(r.headers.Get("ETag").value_or("").starts_with("\""));
  EXPECT_TRUE(r.headers.Get("Last-Modified").value_or("").ends_with("GMT"));
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-cache");
}

TEST_F(StaticFilesTest, RootServesIndexNoCache) {
  Response r = files_->Serve(Get("/"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.file->path.ends_with("index.html"));
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-cache");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutable) {
  Response r = files_->Serve(Get("/assets/index-3f9a8b2c.js"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "public, max-age=31536000, immutable");
  Response svg = files_->Serve(Get("/assets/logo.svg"));
  EXPECT_EQ(svg.headers.Get("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(svg.headers.Get("Content-Type").value_or(""), "image/svg+xml");
}

TEST_F(StaticFilesTest, PrecompressedSiblingsByAcceptEncoding) {
  Request br = Get("/assets/index-3f9a8b2c.js");
  br.headers.Set("Accept-Encoding", "gzip, deflate, br");
  Response r = files_->Serve(br);
  EXPECT_EQ(r.headers.Get("Content-Encoding").value_or(""), "br");
  EXPECT_TRUE(r.file->path.ends_with(".js.br"));
  EXPECT_EQ(r.file->length, 2u);
  EXPECT_EQ(r.headers.Get("Vary").value_or(""), "Accept-Encoding");
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/javascript; charset=utf-8");

  Request gz = Get("/assets/index-3f9a8b2c.js");
  gz.headers.Set("Accept-Encoding", "gzip, br;q=0");
  Response g = files_->Serve(gz);
  EXPECT_EQ(g.headers.Get("Content-Encoding").value_or(""), "gzip");
  EXPECT_EQ(g.file->length, 4u);
  EXPECT_NE(g.headers.Get("ETag"), r.headers.Get("ETag"));

  Response plain = files_->Serve(Get("/assets/index-3f9a8b2c.js"));
  EXPECT_FALSE(plain.headers.Has("Content-Encoding"));
  EXPECT_EQ(plain.headers.Get("Vary").value_or(""), "Accept-Encoding");

  Request ranged = Get("/assets/index-3f9a8b2c.js");
  ranged.headers.Set("Accept-Encoding", "br");
  ranged.headers.Set("Range", "bytes=0-3");
  Response rr = files_->Serve(ranged);
  EXPECT_EQ(rr.status, 206);
  EXPECT_FALSE(rr.headers.Has("Content-Encoding"));
}

TEST_F(StaticFilesTest, SingleRange) {
  Request req = Get("/media/hls/seg1.m4s");
  req.headers.Set("Range", "bytes=2-5");
  Response r = files_->Serve(req);
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(r.file->offset, 2u);
  EXPECT_EQ(r.file->length, 4u);
  EXPECT_EQ(r.headers.Get("Content-Range").value_or(""), "bytes 2-5/10");
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "audio/mp4");

  req.headers.Set("Range", "bytes=-3");
  r = files_->Serve(req);
  EXPECT_EQ(r.headers.Get("Content-Range").value_or(""), "bytes 7-9/10");

  req.headers.Set("Range", "bytes=8-");
  r = files_->Serve(req);
  EXPECT_EQ(r.headers.Get("Content-Range").value_or(""), "bytes 8-9/10");
  EXPECT_EQ(r.file->length, 2u);

  req.headers.Set("Range", "bytes=5-100");
  r = files_->Serve(req);
  EXPECT_EQ(r.headers.Get("Content-Range").value_or(""), "bytes 5-9/10");
}

TEST_F(StaticFilesTest, UnsatisfiableRangeIs416) {
  Request req = Get("/media/hls/seg1.m4s");
  req.headers.Set("Range", "bytes=10-20");
  Response r = files_->Serve(req);
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers.Get("Content-Range").value_or(""), "bytes */10");
  EXPECT_FALSE(r.file.has_value());
}

TEST_F(StaticFilesTest, MultipleOrBadRangesServeWholeFile) {
  Request req = Get("/media/hls/seg1.m4s");
  req.headers.Set("Range", "bytes=0-1,4-5");
  EXPECT_EQ(files_->Serve(req).status, 200);
  req.headers.Set("Range", "items=0-1");
  EXPECT_EQ(files_->Serve(req).status, 200);
}

TEST_F(StaticFilesTest, IfRangeWithStaleEtagServesWholeFile) {
  Request req = Get("/media/hls/seg1.m4s");
  req.headers.Set("Range", "bytes=0-1");
  req.headers.Set("If-Range", "\"stale\"");
  EXPECT_EQ(files_->Serve(req).status, 200);
  std::string etag(files_->Serve(Get("/media/hls/seg1.m4s")).headers.Get("ETag").value());
  req.headers.Set("If-Range", etag);
  EXPECT_EQ(files_->Serve(req).status, 206);
}

TEST_F(StaticFilesTest, ConditionalRequests) {
  Response first = files_->Serve(Get("/media/hls/master.m3u8"));
  EXPECT_EQ(first.headers.Get("Content-Type").value_or(""), "application/vnd.apple.mpegurl");
  std::string etag(first.headers.Get("ETag").value());
  Request inm = Get("/media/hls/master.m3u8");
  inm.headers.Set("If-None-Match", "\"other\", " + etag);
  Response r = files_->Serve(inm);
  EXPECT_EQ(r.status, 304);
  EXPECT_FALSE(r.file.has_value());
  EXPECT_EQ(r.headers.Get("ETag").value_or(""), etag);

  Request ims = Get("/media/hls/master.m3u8");
  ims.headers.Set("If-Modified-Since", std::string(first.headers.Get("Last-Modified").value()));
  EXPECT_EQ(files_->Serve(ims).status, 304);
  ims.headers.Set("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT");
  EXPECT_EQ(files_->Serve(ims).status, 200);

  // A changed file gets a new ETag.
  Write("media/hls/master.m3u8", "#EXTM3U\n#EXT-X-VERSION:7\n");
  Response changed = files_->Serve(inm);
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.headers.Get("ETag").value_or(""), etag);
}

TEST_F(StaticFilesTest, SpaFallbackOnlyForExtensionlessPaths) {
  Response r = files_->Serve(Get("/library/playlists/42"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.file->path.ends_with("index.html"));
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(files_->Serve(Get("/assets/missing-12345678.js")).status, 404);
}

TEST_F(StaticFilesTest, NoFallbackWhenDisabled) {
  StaticFilesOptions opts;
  opts.root = root_.string();
  opts.spa_fallback = false;
  StaticFiles files(opts);
  EXPECT_EQ(files.Serve(Get("/library")).status, 404);
}

TEST_F(StaticFilesTest, ExcludedPrefixesAre404Envelopes) {
  Response r = files_->Serve(Get("/api/v1/unknown"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("not_found"), std::string::npos);
  EXPECT_EQ(files_->Serve(Get("/metrics")).status, 404);
  EXPECT_EQ(files_->Serve(Get("/health")).status, 404);
}

TEST_F(StaticFilesTest, TraversalIsImpossible) {
  EXPECT_EQ(files_->Serve(Get("/../secret.txt")).status, 404);
  EXPECT_EQ(files_->Serve(Get("/assets/../../secret.txt")).status, 404);
  // The transport hands over decoded paths; %2e%2e arrives as "..".
  auto decoded = PercentDecode("/%2e%2e/secret.txt", false);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(files_->Serve(Get(*decoded)).status, 404);
  EXPECT_EQ(files_->Serve(Get(std::string("/robots.txt\0.html", 17))).status, 404);
  EXPECT_EQ(files_->Serve(Get("/link.txt")).status, 404);
  EXPECT_EQ(files_->Serve(Get("/..")).status, 404);
  // Not-yet-decoded escapes are literal names, which do not exist.
  EXPECT_EQ(files_->Serve(Get("/%2e%2e/secret.txt")).status, 404);
}

TEST_F(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.wasm"), "application/wasm");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.ts"), "video/mp2t");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.mp3"), "audio/mpeg");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.aac"), "audio/aac");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.webp"), "image/webp");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.ico"), "image/x-icon");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.js.map"), "application/json");
  EXPECT_EQ(StaticFiles::ContentTypeFor("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(StaticFiles::ContentTypeFor("x.PNG"), "image/png");
}

TEST_F(StaticFilesTest, HeadAndOtherMethods) {
  Request head = Get("/robots.txt");
  head.method = "HEAD";
  EXPECT_EQ(files_->Serve(head).status, 200);
  Request post = Get("/robots.txt");
  post.method = "POST";
  EXPECT_EQ(files_->Serve(post).status, 405);
}

TEST(StaticFilesCtorTest, MissingRootThrows) {
  StaticFilesOptions opts;
  opts.root = "/nonexistent/veza/root";
  EXPECT_THROW(StaticFiles files(opts), std::runtime_error);
}

}  // namespace
}  // namespace veza::http
