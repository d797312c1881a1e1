#include "net/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>
#include <thread>

#include "core/url.h"

namespace veza::net {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool InV4(uint32_t addr, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (net & mask);
}

bool PublicV4(uint32_t a) {
  static const std::pair<uint32_t, int> kBlocked[] = {
      {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
      {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0A80000, 16}, {0xC6120000, 15},
      {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
  };
  for (auto [net, bits] : kBlocked) {
    if (InV4(a, net, bits)) return false;
  }
  return true;
}

bool PublicV6(const unsigned char* b) {
  static const unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;  // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) carry an IPv4 address.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kZero, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    uint32_t v4 = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return PublicV4(v4);
  }
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;                         // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;                         // fec0::/10 old site-local
  if ((b[0] & 0xfe) == 0xfc) return false;                                         // fc00::/7 unique local
  if (b[0] == 0xff) return false;                                                  // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // 2001:db8::/32 docs
  if (b[0] == 0x20 && b[1] == 0x02) {  // 6to4 embeds an IPv4 address
    uint32_t v4 = (uint32_t{b[2]} << 24) | (uint32_t{b[3]} << 16) | (uint32_t{b[4]} << 8) | b[5];
    return PublicV4(v4);
  }
  return true;
}

Error InvalidUrl(std::string detail) {
  Error e = MakeError(ErrorCode::kValidation, "The URL is not a valid http(s) URL.", "invalid_url");
  e.detail = std::move(detail);
  return e;
}

Error Upstream(std::string detail) {
  Error e =
      MakeError(ErrorCode::kUnavailable, "An external service could not be reached.", "upstream_unavailable");
  e.detail = std::move(detail);
  e.retry_after_s = 5;
  return e;
}

struct ParsedUrl {
  std::string scheme;
  std::string host;  // without IPv6 brackets
  long port = 0;
};

Result<ParsedUrl> ParseUrl(const std::string& url) {
  CURLU* h = curl_url();
  if (h == nullptr) return Internal("curl_url failed");
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> guard(h, &curl_url_cleanup);
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return InvalidUrl("unparsable URL");
  auto part = [&](CURLUPart which, unsigned flags) -> std::string {
    char* out = nullptr;
    if (curl_url_get(h, which, &out, flags) != CURLUE_OK || out == nullptr) return "";
    std::string s(out);
    curl_free(out);
    return s;
  };
  ParsedUrl p;
  p.scheme = part(CURLUPART_SCHEME, 0);
  p.host = part(CURLUPART_HOST, 0);
  std::string port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (p.scheme != "http" && p.scheme != "https") return InvalidUrl("scheme " + p.scheme);
  if (p.host.empty()) return InvalidUrl("no host");
  if (!part(CURLUPART_USER, 0).empty()) return InvalidUrl("credentials in URL");
  if (p.host.size() > 2 && p.host.front() == '[' && p.host.back() == ']')
    p.host = p.host.substr(1, p.host.size() - 2);
  p.port = std::atol(port.c_str());
  if (p.port <= 0 || p.port > 65535) return InvalidUrl("port");
  return p;
}

// Resolves `host` and returns the first address the policy allows, as text.
Result<std::string> ResolveAllowed(const std::string& host, bool allow_private) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0 || list == nullptr) return Upstream("cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(list, &freeaddrinfo);
  bool saw_blocked = false;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    if (ai->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof text);
    } else if (ai->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (allow_private || IsPublicAddress(text)) return std::string(text);
    saw_blocked = true;
  }
  if (saw_blocked) {
    Error e = MakeError(ErrorCode::kForbidden, "That address is not allowed for outbound requests.",
                        "address_not_allowed");
    e.detail = host + " resolves only to non-public addresses";
    return e;
  }
  return Upstream("no usable address for " + host);
}

struct Sink {
  std::string* body;
  size_t max;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->max) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * n);
  // A new status line (e.g. after 100 Continue) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  headers->emplace_back(std::move(name), std::string(value));
  return size * n;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return std::nullopt;
}

bool IsPublicAddress(std::string_view ip) {
  std::string text(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return PublicV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return PublicV6(v6.s6_addr);
  return false;
}


std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return out;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  GlobalInit();
}
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) const {
  int attempts = std::max(1, request.max_attempts);
  for (int attempt = 1;; ++attempt) {
    auto r = SendOnce(request);
    bool retry =
        (!r.ok() && r.error().code == ErrorCode::kUnavailable && r.error().slug == "upstream_unavailable") ||
        (r.ok() && (r->status == 502 || r->status == 503 || r->status == 504));
    if (!retry || attempt >= attempts) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

Result<HttpResponse> HttpClient::SendOnce(const HttpRequest& request) const {
  VEZA_ASSIGN_OR_RETURN(ParsedUrl url, ParseUrl(request.url));
  VEZA_ASSIGN_OR_RETURN(std::string address, ResolveAllowed(url.host, options_.allow_private_addresses));

  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Internal("curl_easy_init failed");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl, &curl_easy_cleanup);

  // Pin the connection to the checked address: curl must not resolve the name again.
  std::string pin = url.host + ":" + std::to_string(url.port) + ":" +
                    (address.find(':') != std::string::npos ? "[" + address + "]" : address);
  curl_slist* resolve = curl_slist_append(nullptr, pin.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> resolve_guard(resolve, &curl_slist_free_all);
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // curl would otherwise add "Expect: 100-continue" to larger POSTs.
  headers = curl_slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);

  HttpResponse response;
  Sink sink{&response.body, options_.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead past the guard
  curl_easy_setopt(curl, CURLOPT_PROXY, "");           // nor may an environment proxy
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    Error e = Upstream("response from " + url.host + " exceeds " +
                       std::to_string(options_.max_response_bytes) + " bytes");
    e.slug = "upstream_response_too_large";
    return e;
  }
  if (rc != CURLE_OK) return Upstream(url.host + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace veza::net
