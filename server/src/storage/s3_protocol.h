#pragma once
/// The S3 wire format pieces S3ObjectStore needs, free of curl so they are tested on their own: RFC 3986
/// encoding, canonical query strings, SigV4 query signing (presigned GET URLs), minimal XML reading and
/// the two date formats S3 answers with. Internal to the storage module.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/object_store.h"

namespace veza::storage::s3 {

/// Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex); keeps '/' when
/// `keep_slash` (object keys in paths).
std::string UriEncode(std::string_view text, bool keep_slash);

/// "name=value&..." with names and values encoded and sorted by name then value, which is both a valid
/// query string and its SigV4 canonical form (curl 7.88 signs the query as given, without sorting).
std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> params);

/// "20231114T221320Z" for epoch seconds.
std::string AmzDate(int64_t epoch_s);

struct PresignInput {
  std::string scheme;  // "http" or "https"
  std::string host;    // host[:port], as the Host header will carry it
  std::string path;    // the request path, already encoded ("/bucket/key")
  std::string region;
  std::string access_key;
  std::string secret_key;
  int64_t epoch_s = 0;
  int expires_s = 900;
};

/// A SigV4 presigned GET URL (UNSIGNED-PAYLOAD, only `host` signed), parameters in the order the AWS
/// SDK emits them.
std::string PresignGetUrl(const PresignInput& in);

/// Escapes & < > " ' for XML text.
std::string XmlEscape(std::string_view text);

/// Replaces the five named XML entities and numeric character references (as UTF-8).
std::string XmlDecode(std::string_view text);

/// The raw contents of every <tag>…</tag> in `xml`, in order (same-named elements must not nest).
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);

/// The decoded text of the first <tag>…</tag>; nullopt when absent.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);

struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_token;
};

/// Reads a ListObjectsV2 result; kInternal when it is not one.
Result<ListPage> ParseListObjectsV2(std::string_view xml);

/// "2026-11-25T11:43:32.000Z" → epoch milliseconds.
std::optional<int64_t> ParseIso8601Ms(std::string_view text);
/// "Wed, 25 Nov 2026 11:43:32 GMT" (RFC 7231 IMF-fixdate) → epoch milliseconds.
std::optional<int64_t> ParseHttpDateMs(std::string_view text);

/// The Content-Type stored with an object, from its key's extension, so presigned URLs serve playlists,
/// segments and images with the right type; "application/octet-stream" when unknown.
std::string_view ContentTypeForKey(std::string_view key);

}  // namespace veza::storage::s3
