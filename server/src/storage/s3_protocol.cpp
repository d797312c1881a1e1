#include "storage/s3_protocol.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "core/crypto.h"
#include "core/url.h"

namespace veza::storage::s3 {

namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Parses exactly `n` decimal digits at `pos`.
std::optional<int> Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<int64_t> EpochMs(int y, int mo, int d, int h, int mi, int s, int ms) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  int64_t days = sys_days{ymd}.time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * 60'000LL + s * 1000LL + ms;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) { return PercentEncode(text, keep_slash); }

std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = UriEncode(name, false);
    value = UriEncode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string AmzDate(int64_t epoch_s) {
  using namespace std::chrono;
  sys_seconds t{seconds{epoch_s}};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string PresignGetUrl(const PresignInput& in) {
  const std::string date_time = AmzDate(in.epoch_s);
  const std::string date = date_time.substr(0, 8);
  const std::string scope = date + "/" + in.region + "/s3/aws4_request";
  std::vector<std::pair<std::string, std::string>> params = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},           {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"},
      {"X-Amz-Credential", in.access_key + "/" + scope}, {"X-Amz-Date", date_time},
      {"X-Amz-Expires", std::to_string(in.expires_s)},   {"X-Amz-SignedHeaders", "host"},
  };
  const std::string query = CanonicalQuery(params);
  const std::string canonical_request =
      "GET\n" + in.path + "\n" + query + "\nhost:" + in.host + "\n\nhost\nUNSIGNED-PAYLOAD";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + date_time + "\n" + scope + "\n" + crypto::Sha256Hex(canonical_request);
  std::string key = crypto::HmacSha256("AWS4" + in.secret_key, date);
  key = crypto::HmacSha256(key, in.region);
  key = crypto::HmacSha256(key, "s3");
  key = crypto::HmacSha256(key, "aws4_request");
  params.emplace_back("X-Amz-Signature", Hex(crypto::HmacSha256(key, string_to_sign)));
  return in.scheme + "://" + in.host + in.path + "?" + CanonicalQuery(std::move(params));
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string XmlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() >= 2 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      bool ok = !digits.empty();
      for (char c : digits) {
        int v = (c >= '0' && c <= '9')          ? c - '0'
                : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                : -1;
        if (v < 0 || cp > 0x10FFFF) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      if (!ok || cp > 0x10FFFF) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(out, cp);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t after = pos + open.size();
    if (after >= xml.size()) break;
    char next = xml[after];
    if (next != '>' && next != ' ' && next != '/' && next != '\t' && next != '\n' && next != '\r') {
      pos = after;  // a longer tag name sharing the prefix
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) break;
    if (xml[gt - 1] == '/') {  // <tag/>
      out.push_back(xml.substr(gt + 1, 0));
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  auto elements = XmlElements(xml, tag);
  if (elements.empty()) return std::nullopt;
  return XmlDecode(elements.front());
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return Internal("s3 list: not a ListBucketResult: " + std::string(xml.substr(0, 200)));
  }
  ListPage page;
  for (std::string_view contents : XmlElements(xml, "Contents")) {
    ObjectInfo info;
    auto key = XmlText(contents, "Key");
    auto size = XmlText(contents, "Size");
    if (!key || !size) return Internal("s3 list: a Contents entry without Key or Size");
    info.key = std::move(*key);
    try {
      info.size = std::stoull(*size);
    } catch (const std::exception&) {
      return Internal("s3 list: bad Size " + *size);
    }
    if (auto modified = XmlText(contents, "LastModified"))
      info.modified_ms = ParseIso8601Ms(*modified).value_or(0);
    info.etag = XmlText(contents, "ETag").value_or("");
    page.objects.push_back(std::move(info));
  }
  page.truncated = XmlText(xml, "IsTruncated").value_or("false") == "true";
  page.next_token = XmlText(xml, "NextContinuationToken").value_or("");
  if (page.truncated && page.next_token.empty())
    return Internal("s3 list: truncated without a continuation token");
  return page;
}

std::optional<int64_t> ParseIso8601Ms(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  auto y = Digits(t, 0, 4), mo = Digits(t, 5, 2), d = Digits(t, 8, 2);
  auto h = Digits(t, 11, 2), mi = Digits(t, 14, 2), s = Digits(t, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  int ms = 0;
  size_t pos = 19;
  if (t[pos] == '.') {
    ++pos;
    int scale = 100;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      ms += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  if (pos + 1 != t.size() || t[pos] != 'Z') return std::nullopt;
  return EpochMs(*y, *mo, *d, *h, *mi, *s, ms);
}

std::optional<int64_t> ParseHttpDateMs(std::string_view t) {
  // "Wed, 25 Nov 2026 11:43:32 GMT"
  if (t.size() != 29 || t.substr(3, 2) != ", " || t.substr(25) != " GMT") return std::nullopt;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  size_t m = kMonths.find(t.substr(8, 3));
  if (m == std::string_view::npos || m % 3 != 0) return std::nullopt;
  auto d = Digits(t, 5, 2), y = Digits(t, 12, 4), h = Digits(t, 17, 2), mi = Digits(t, 20, 2),
       s = Digits(t, 23, 2);
  if (!d || !y || !h || !mi || !s || t[19] != ':' || t[22] != ':') return std::nullopt;
  return EpochMs(*y, static_cast<int>(m / 3) + 1, *d, *h, *mi, *s, 0);
}

std::string_view ContentTypeForKey(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".m3u8", "application/vnd.apple.mpegurl"},
      {".m4s", "audio/mp4"},
      {".mp4", "audio/mp4"},
      {".m4a", "audio/mp4"},
      {".ts", "video/mp2t"},
      {".aac", "audio/aac"},
      {".mp3", "audio/mpeg"},
      {".flac", "audio/flac"},
      {".wav", "audio/wav"},
      {".ogg", "audio/ogg"},
      {".opus", "audio/ogg"},
      {".json", "application/json"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".webp", "image/webp"},
      {".txt", "text/plain; charset=utf-8"},
  };
  size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& [suffix, type] : kTypes) {
    if (ext == suffix) return type;
  }
  return "application/octet-stream";
}

}  // namespace veza::storage::s3
