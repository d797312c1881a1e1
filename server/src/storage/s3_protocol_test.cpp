#include "storage/s3_protocol.h"

#include <gtest/gtest.h>

namespace veza::storage::s3 {
namespace {

TEST(S3ProtocolTest, UriEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
  EXPECT_EQ(UriEncode("a b/c+d=e&f", false), "a%20b%2Fc%2Bd%3De%26f");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xC3\xBC", true), "%C3%BC");  // ü as UTF-8, upper-case hex
}

TEST(S3ProtocolTest, CanonicalQuerySortsEncodedNamesAndKeepsEmptyValues) {
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a/b c"}, {"list-type", "2"}, {"continuation-token", "x+y=="}}),
            "continuation-token=x%2By%3D%3D&list-type=2&prefix=a%2Fb%20c");
  // Upper-case sorts before lower-case, as SigV4 compares bytes.
  EXPECT_EQ(CanonicalQuery({{"uploadId", "1"}, {"partNumber", "2"}}), "partNumber=2&uploadId=1");
}

TEST(S3ProtocolTest, AmzDateIsBasicIso8601) {
  EXPECT_EQ(AmzDate(1'700'000'000), "20231114T221320Z");
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
}

TEST(S3ProtocolTest, XmlDecodeHandlesNamedAndNumericEntities) {
  EXPECT_EQ(XmlDecode("a&amp;b&lt;c&gt;d&quot;e&apos;f"), "a&b<c>d\"e'f");
  EXPECT_EQ(XmlDecode("&#38;&#x26;&#X3c;&#252;&#x1F3B5;"), "&&<\xC3\xBC\xF0\x9F\x8E\xB5");
  EXPECT_EQ(XmlDecode("no entity & here; &bogus; &#xZZ;"), "no entity & here; &bogus; &#xZZ;");
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  EXPECT_EQ(XmlDecode(XmlEscape("round & <trip> \"'")), "round & <trip> \"'");
}

TEST(S3ProtocolTest, XmlElementsMatchWholeTagNames) {
  std::string_view xml = "<R><Key>a</Key><KeyCount>2</KeyCount><Key attr=\"1\">b</Key><Key/></R>";
  auto keys = XmlElements(xml, "Key");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], "a");
  EXPECT_EQ(keys[1], "b");
  EXPECT_EQ(keys[2], "");
  EXPECT_EQ(XmlText(xml, "KeyCount"), "2");
  EXPECT_EQ(XmlText(xml, "Missing"), std::nullopt);
}

TEST(S3ProtocolTest, ParsesAListObjectsV2Page) {
  std::string_view xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>up/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>up/a&amp;b &lt;1&gt;.txt</Key><LastModified>2026-11-25T11:43:32.250Z</LastModified>
<ETag>&quot;b1946ac92492d2347c6235b4d2611184&quot;</ETag><Size>6</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>up/b</Key><LastModified>2026-11-25T11:43:33.000Z</LastModified><ETag>"x-2"</ETag><Size>12345678901</Size></Contents>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok()) << page.error().detail;
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "up/a&b <1>.txt");
  EXPECT_EQ(page->objects[0].size, 6u);
  EXPECT_EQ(page->objects[0].etag, "\"b1946ac92492d2347c6235b4d2611184\"");
  EXPECT_EQ(page->objects[0].modified_ms, 1'795'607'012'250);
  EXPECT_EQ(page->objects[1].size, 12'345'678'901u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

  EXPECT_FALSE(ParseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>").ok());
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").ok())
      << "truncated without a token would loop forever";
}

TEST(S3ProtocolTest, ParsesBothDateFormats) {
  EXPECT_EQ(ParseIso8601Ms("2026-11-25T11:43:32.000Z"), 1'795'607'012'000);
  EXPECT_EQ(ParseIso8601Ms("2026-11-25T11:43:32Z"), 1'795'607'012'000);
  EXPECT_EQ(ParseHttpDateMs("Wed, 25 Nov 2026 11:43:32 GMT"), 1'795'607'012'000);
  EXPECT_EQ(ParseHttpDateMs("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseIso8601Ms("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseHttpDateMs("Wed, 25 Xyz 2026 11:43:32 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDateMs(""), std::nullopt);
}

TEST(S3ProtocolTest, ContentTypesFollowTheExtension) {
  EXPECT_EQ(ContentTypeForKey("tracks/1/hls/master.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(ContentTypeForKey("tracks/1/hls/128k/seg-00001.M4S"), "audio/mp4");
  EXPECT_EQ(ContentTypeForKey("tracks/1/cover.webp"), "image/webp");
  EXPECT_EQ(ContentTypeForKey("tracks/1.d/original"), "application/octet-stream");
}

}  // namespace
}  // namespace veza::storage::s3
