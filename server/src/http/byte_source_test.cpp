#include "http/byte_source.h"

#include <gtest/gtest.h>

#include <vector>

namespace veza::http {
namespace {

// A source read on demand (a proxied object): only the asked range may be read.
struct Reads {
  std::string data = "0123456789";
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  ByteSource Source() {
    ByteSource s{.size = data.size(), .etag = "\"v1\"", .modified_s = 1'700'000'000};
    s.read = [this](uint64_t offset, uint64_t length) -> Result<std::string> {
      calls.emplace_back(offset, length);
      return data.substr(offset, length);
    };
    return s;
  }
};

Request Get(std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
  Request r;
  r.method = "GET";
  for (const auto& [k, v] : headers) r.headers.Set(k, v);
  return r;
}

const ServeOptions kOptions{.content_type = "audio/mp4", .cache_control = "private"};

TEST(ByteSourceTest, WholeAndRangedReadsFetchOnlyWhatIsSent) {
  Reads reads;
  Response whole = ServeBytes(Get(), reads.Source(), kOptions);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "0123456789");
  EXPECT_EQ(whole.headers.Get("ETag").value_or(""), "\"v1\"");
  EXPECT_EQ(whole.headers.Get("Cache-Control").value_or(""), "private");
  Response part = ServeBytes(Get({{"Range", "bytes=2-4"}}), reads.Source(), kOptions);
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  EXPECT_EQ(part.headers.Get("Content-Range").value_or(""), "bytes 2-4/10");
  EXPECT_EQ(reads.calls.back(), (std::pair<uint64_t, uint64_t>{2, 3}));
  Response suffix = ServeBytes(Get({{"Range", "bytes=-3"}}), reads.Source(), kOptions);
  EXPECT_EQ(suffix.body, "789");
}

TEST(ByteSourceTest, ConditionalsAndUnsatisfiableRangesReadNothing) {
  Reads reads;
  EXPECT_EQ(ServeBytes(Get({{"If-None-Match", "\"x\", W/\"v1\""}}), reads.Source(), kOptions).status, 304);
  EXPECT_EQ(
      ServeBytes(Get({{"If-Modified-Since", HttpDate(1'700'000'000)}}), reads.Source(), kOptions).status,
      304);
  Response r416 = ServeBytes(Get({{"Range", "bytes=10-"}}), reads.Source(), kOptions);
  EXPECT_EQ(r416.status, 416);
  EXPECT_EQ(r416.headers.Get("Content-Range").value_or(""), "bytes */10");
  EXPECT_TRUE(reads.calls.empty());
  // A stale If-Range (tag or date) turns the range into the whole thing.
  EXPECT_EQ(
      ServeBytes(Get({{"Range", "bytes=0-1"}, {"If-Range", "\"old\""}}), reads.Source(), kOptions).status,
      200);
  EXPECT_EQ(
      ServeBytes(Get({{"Range", "bytes=0-1"}, {"If-Range", "\"v1\""}}), reads.Source(), kOptions).status,
      206);
  EXPECT_EQ(ServeBytes(Get({{"Range", "bytes=0-1"}, {"If-Range", HttpDate(1'600'000'000)}}), reads.Source(),
                       kOptions)
                .status,
            200);
}

TEST(ByteSourceTest, ReadFailuresBecomeErrorEnvelopes) {
  ByteSource s{.size = 5, .etag = "\"e\""};
  s.read = [](uint64_t, uint64_t) -> Result<std::string> { return Unavailable("store down", "s3 timeout"); };
  Response r = ServeBytes(Get(), s, kOptions);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
}

TEST(ByteSourceTest, HttpDatesRoundTrip) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), std::optional<int64_t>(784111777));
  EXPECT_EQ(ParseHttpDate("yesterday"), std::nullopt);
}

}  // namespace
}  // namespace veza::http
