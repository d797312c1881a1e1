#include "storage/s3_store.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "core/crypto.h"
#include "storage/s3_protocol.h"

namespace veza::storage {

namespace {

constexpr std::string_view kUnavailableMessage = "Object storage is not available.";
constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr uint64_t kMaxPartSize = 5ull << 30;
constexpr uint64_t kMaxParts = 10'000;
constexpr int kMaxPresignExpiry = 7 * 24 * 3600;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct Request {
  const char* method = "GET";
  std::string path;   // encoded
  std::string query;  // canonical
  std::string_view body;
  std::string content_type;
  // PUT from a file: `file_length` bytes at `file_offset`, sent as UNSIGNED-PAYLOAD.
  int fd = -1;
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
  std::string range;
  bool transfer = false;
};

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct ReadSource {
  const Request* request;
  uint64_t done = 0;
  int read_errno = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t n, void* user) {
  auto* src = static_cast<ReadSource*>(user);
  const Request& r = *src->request;
  size_t want = size * n;
  if (r.fd >= 0) {
    uint64_t left = r.file_length - src->done;
    want = static_cast<size_t>(std::min<uint64_t>(want, left));
    if (want == 0) return 0;
    for (;;) {
      ssize_t got = ::pread(r.fd, buffer, want, static_cast<off_t>(r.file_offset + src->done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        src->read_errno = got < 0 ? errno : EIO;  // 0: the file shrank under us
        return CURL_READFUNC_ABORT;
      }
      src->done += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
  }
  want = static_cast<size_t>(std::min<uint64_t>(want, r.body.size() - src->done));
  std::memcpy(buffer, r.body.data() + src->done, want);
  src->done += want;
  return want;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  (*headers)[name] = std::string(value);
  return size * n;
}

Error InvalidKey() {
  return Validation({{"key", "is not a valid object key"}});
}

}  // namespace

struct S3ObjectStore::Impl {
  S3Config config;
  const Clock& clock;
  std::string scheme;       // "http" / "https"
  std::string host;         // as in the Host header (virtual-hosted: bucket.host)
  std::string base_url;     // scheme://host
  std::string bucket_path;  // "/bucket" path-style, "" virtual-hosted
  std::string sigv4;        // "aws:amz:<region>:s3"
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  Impl(S3Config c, const Clock& k) : config(std::move(c)), clock(k) {}
  ~Impl() {
    if (share) curl_share_cleanup(share);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Impl*>(self)->locks[static_cast<size_t>(data)].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Impl*>(self)->locks[static_cast<size_t>(data)].unlock();
  }

  std::string ObjectPath(std::string_view key) const { return bucket_path + "/" + s3::UriEncode(key, true); }

  // "s3 PUT /bucket/key" for error details: no query (it may carry upload ids, never secrets, but is noise).
  static std::string Describe(const Request& r) { return std::string("s3 ") + r.method + " " + r.path; }

  Result<Response> Perform(const Request& r) const;
  Error StatusError(const Request& r, const Response& resp) const;
  Status PutRange(std::string_view key, int fd, uint64_t size);
  Status PutMultipart(std::string_view key, int fd, uint64_t size);
};

Result<Response> S3ObjectStore::Impl::Perform(const Request& r) const {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Unavailable(std::string(kUnavailableMessage), "curl_easy_init failed");
  CURL* h = curl.get();
  const std::string url = base_url + r.path + (r.query.empty() ? "" : "?" + r.query);
  const std::string method = r.method;

  // curl 7.88 signs this header and uses its value as the payload hash; S3 (and s3rver) require it.
  std::string payload_hash = r.fd >= 0 ? "UNSIGNED-PAYLOAD" : crypto::Sha256Hex(r.body);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  add_header("x-amz-content-sha256: " + payload_hash);
  add_header("Expect:");  // no 100-continue round trip
  if (!r.range.empty()) add_header("Range: " + r.range);
  if (!r.content_type.empty()) add_header("Content-Type: " + r.content_type);

  char errbuf[CURL_ERROR_SIZE] = "";
  Response resp;
  ReadSource source{&r};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_SHARE, share);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, config.access_key.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, config.secret_key.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout_ms));
  if (r.transfer) {
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config.stall_timeout_s));
  } else {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config.request_timeout_ms));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method == "DELETE") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
  } else if (method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &source);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(r.fd >= 0 ? r.file_length : r.body.size()));
  } else if (method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }

  CURLcode rc = curl_easy_perform(h);
  if (source.read_errno != 0) {
    return Unavailable(std::string(kUnavailableMessage),
                       Describe(r) + ": reading the source file: " + std::strerror(source.read_errno));
  }
  if (rc != CURLE_OK) {
    return Unavailable(std::string(kUnavailableMessage),
                       Describe(r) + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

Error S3ObjectStore::Impl::StatusError(const Request& r, const Response& resp) const {
  std::string code = s3::XmlText(resp.body, "Code").value_or("");
  std::string detail = Describe(r) + ": HTTP " + std::to_string(resp.status);
  if (!code.empty()) detail += " " + code + ": " + s3::XmlText(resp.body, "Message").value_or("");
  if (resp.status == 403) return Unavailable("Object storage refused our credentials.", detail);
  if (resp.status == 404 && code != "NoSuchBucket") {
    Error e = NotFound("Object not found.");
    e.detail = detail;
    return e;
  }
  return Unavailable(std::string(kUnavailableMessage), detail);
}

Status S3ObjectStore::Impl::PutRange(std::string_view key, int fd, uint64_t size) {
  Request r;
  r.method = "PUT";
  r.path = ObjectPath(key);
  r.content_type = s3::ContentTypeForKey(key);
  r.fd = fd;
  r.file_length = size;
  r.transfer = true;
  VEZA_ASSIGN_OR_RETURN(Response resp, Perform(r));
  if (resp.status != 200) return StatusError(r, resp);
  return Ok();
}

Status S3ObjectStore::Impl::PutMultipart(std::string_view key, int fd, uint64_t size) {
  const std::string path = ObjectPath(key);
  // Grow parts rather than exceed S3's part count.
  const uint64_t part_size = std::max(config.part_size, (size + kMaxParts - 1) / kMaxParts);

  Request create;
  create.method = "POST";
  create.path = path;
  create.query = s3::CanonicalQuery({{"uploads", ""}});
  create.content_type = s3::ContentTypeForKey(key);
  VEZA_ASSIGN_OR_RETURN(Response created, Perform(create));
  if (created.status != 200) return StatusError(create, created);
  std::optional<std::string> upload_id = s3::XmlText(created.body, "UploadId");
  if (!upload_id || upload_id->empty()) {
    return Unavailable(std::string(kUnavailableMessage), Describe(create) + ": no UploadId in the answer");
  }

  auto upload = [&]() -> Status {
    std::string complete = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    uint64_t number = 1;
    for (uint64_t offset = 0; offset < size; offset += part_size, ++number) {
      Request part;
      part.method = "PUT";
      part.path = path;
      part.query = s3::CanonicalQuery({{"partNumber", std::to_string(number)}, {"uploadId", *upload_id}});
      part.fd = fd;
      part.file_offset = offset;
      part.file_length = std::min(part_size, size - offset);
      part.transfer = true;
      VEZA_ASSIGN_OR_RETURN(Response resp, Perform(part));
      if (resp.status != 200) return StatusError(part, resp);
      auto etag = resp.headers.find("etag");
      if (etag == resp.headers.end() || etag->second.empty()) {
        return Unavailable(std::string(kUnavailableMessage),
                           Describe(part) + ": no ETag for part " + std::to_string(number));
      }
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  s3::XmlEscape(etag->second) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Request done;
    done.method = "POST";
    done.path = path;
    done.query = s3::CanonicalQuery({{"uploadId", *upload_id}});
    done.body = complete;
    done.content_type = "application/xml";
    VEZA_ASSIGN_OR_RETURN(Response resp, Perform(done));
    // S3 may answer 200 and still fail, with an <Error> body sent once the parts are assembled.
    if (resp.status != 200 || resp.body.find("<Error>") != std::string::npos) return StatusError(done, resp);
    return Ok();
  };

  Status s = upload();
  if (s.ok()) return s;
  // Abandoned parts cost storage until aborted.
  Request abort;
  abort.method = "DELETE";
  abort.path = path;
  abort.query = s3::CanonicalQuery({{"uploadId", *upload_id}});
  auto aborted = Perform(abort);
  Error e = std::move(s).error();
  if (!aborted.ok()) {
    e.detail += "; abort failed: " + aborted.error().detail;
  } else if (aborted->status != 204 && aborted->status != 200) {
    e.detail += "; abort failed: HTTP " + std::to_string(aborted->status);
  }
  return e;
}

S3ObjectStore::S3ObjectStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
S3ObjectStore::~S3ObjectStore() = default;

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(S3Config config, const Clock& clock) {
  std::map<std::string, std::string> problems;
  std::string scheme, authority;
  std::string_view endpoint = config.endpoint;
  while (endpoint.ends_with('/')) endpoint.remove_suffix(1);
  if (endpoint.starts_with("http://")) {
    scheme = "http";
    authority = endpoint.substr(7);
  } else if (endpoint.starts_with("https://")) {
    scheme = "https";
    authority = endpoint.substr(8);
  }
  if (scheme.empty() || authority.empty() || authority.find_first_of("/?#@ ") != std::string::npos) {
    problems["endpoint"] = "must be http(s)://host[:port] with no path";
  }
  // Browsers omit default ports from Host, and presigned URLs sign the Host.
  if (scheme == "http" && authority.ends_with(":80")) authority.resize(authority.size() - 3);
  if (scheme == "https" && authority.ends_with(":443")) authority.resize(authority.size() - 4);
  auto is_bucket_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  };
  if (config.bucket.size() < 3 || config.bucket.size() > 255 ||
      !std::all_of(config.bucket.begin(), config.bucket.end(), is_bucket_char)) {
    problems["bucket"] = "must be 3 to 255 characters of letters, digits, '.', '-', '_'";
  }
  if (config.region.empty() || config.region.find_first_of("/ ") != std::string::npos) {
    problems["region"] = "must be a region name such as us-east-1";
  }
  if (config.access_key.empty()) problems["access_key"] = "is required";
  if (config.secret_key.empty()) problems["secret_key"] = "is required";
  if (config.part_size < kMinPartSize || config.part_size > kMaxPartSize) {
    problems["part_size"] = "must be between 5 MiB and 5 GiB";
  }
  if (config.multipart_threshold == 0) problems["multipart_threshold"] = "must be positive";
  if (config.connect_timeout_ms <= 0) problems["connect_timeout_ms"] = "must be positive";
  if (config.request_timeout_ms <= 0) problems["request_timeout_ms"] = "must be positive";
  if (config.stall_timeout_s <= 0) problems["stall_timeout_s"] = "must be positive";
  if (config.presign_expiry_s <= 0 || config.presign_expiry_s > kMaxPresignExpiry) {
    problems["presign_expiry_s"] = "must be between 1 and 604800 (7 days)";
  }
  if (!problems.empty()) return Validation(std::move(problems), "The S3 storage settings are invalid.");

  InitCurlOnce();
  config.endpoint = scheme + "://" + authority;
  auto impl = std::make_unique<Impl>(std::move(config), clock);
  const S3Config& c = impl->config;
  impl->scheme = scheme;
  impl->host = c.path_style ? authority : c.bucket + "." + authority;
  impl->base_url = scheme + "://" + impl->host;
  impl->bucket_path = c.path_style ? "/" + c.bucket : "";
  impl->sigv4 = "aws:amz:" + c.region + ":s3";
  impl->share = curl_share_init();
  if (!impl->share) return Unavailable(std::string(kUnavailableMessage), "curl_share_init failed");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, &Impl::Lock);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, &Impl::Unlock);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, impl.get());
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  return std::unique_ptr<S3ObjectStore>(new S3ObjectStore(std::move(impl)));
}

Status S3ObjectStore::PutBytes(std::string_view key, std::string_view bytes) {
  if (!IsValidKey(key)) return InvalidKey();
  Request r;
  r.method = "PUT";
  r.path = impl_->ObjectPath(key);
  r.body = bytes;
  r.content_type = s3::ContentTypeForKey(key);
  r.transfer = bytes.size() > (1u << 20);
  VEZA_ASSIGN_OR_RETURN(Response resp, impl_->Perform(r));
  if (resp.status != 200) return impl_->StatusError(r, resp);
  return Ok();
}

Status S3ObjectStore::PutFile(std::string_view key, const std::string& path) {
  if (!IsValidKey(key)) return InvalidKey();
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0)
    return Unavailable(std::string(kUnavailableMessage), "open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) {
    return Unavailable(std::string(kUnavailableMessage), "stat " + path + ": " + std::strerror(errno));
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < impl_->config.multipart_threshold) return impl_->PutRange(key, in.fd, size);
  return impl_->PutMultipart(key, in.fd, size);
}

Result<std::string> S3ObjectStore::GetBytes(std::string_view key, ByteRange range) {
  if (!IsValidKey(key)) return InvalidKey();
  if (range.length && *range.length == 0) {
    VEZA_TRY(Stat(key));  // still "not found" for a missing object
    return std::string();
  }
  Request r;
  r.path = impl_->ObjectPath(key);
  r.transfer = true;
  if (range.offset > 0 || range.length) {
    r.range = "bytes=" + std::to_string(range.offset) + "-" +
              (range.length ? std::to_string(range.offset + *range.length - 1) : "");
  }
  VEZA_ASSIGN_OR_RETURN(Response resp, impl_->Perform(r));
  if (resp.status == 416) return std::string();  // the range starts past the end
  if (resp.status == 206) {
    // Some stand-ins answer more than asked (s3rver reads "bytes=0-0" as "bytes=0-"); trust Content-Range.
    const std::string& content_range = resp.headers["content-range"];
    const std::string expected_start = "bytes " + std::to_string(range.offset) + "-";
    if (!content_range.starts_with(expected_start)) {
      return Unavailable(std::string(kUnavailableMessage),
                         Impl::Describe(r) + ": asked " + r.range + ", got Content-Range " + content_range);
    }
    if (range.length && resp.body.size() > *range.length) resp.body.resize(*range.length);
    return std::move(resp.body);
  }
  if (resp.status != 200) return impl_->StatusError(r, resp);
  if (r.range.empty()) return std::move(resp.body);
  // A server that ignores Range sends everything: cut the range out ourselves.
  if (range.offset >= resp.body.size()) return std::string();
  return resp.body.substr(range.offset, range.length.value_or(std::string::npos));
}

Result<ObjectInfo> S3ObjectStore::Stat(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey();
  Request r;
  r.method = "HEAD";
  r.path = impl_->ObjectPath(key);
  VEZA_ASSIGN_OR_RETURN(Response resp, impl_->Perform(r));
  if (resp.status != 200) return impl_->StatusError(r, resp);
  ObjectInfo info;
  info.key = std::string(key);
  try {
    info.size = std::stoull(resp.headers["content-length"]);
  } catch (const std::exception&) {
    return Unavailable(std::string(kUnavailableMessage), Impl::Describe(r) + ": no Content-Length");
  }
  info.modified_ms = s3::ParseHttpDateMs(resp.headers["last-modified"]).value_or(0);
  info.etag = resp.headers["etag"];
  return info;
}

Status S3ObjectStore::Delete(std::string_view key) {
  if (!IsValidKey(key)) return InvalidKey();
  Request r;
  r.method = "DELETE";
  r.path = impl_->ObjectPath(key);
  VEZA_ASSIGN_OR_RETURN(Response resp, impl_->Perform(r));
  if (resp.status == 204 || resp.status == 200 || resp.status == 404) {
    if (resp.status == 404 && resp.body.find("NoSuchBucket") != std::string::npos)
      return impl_->StatusError(r, resp);
    return Ok();
  }
  return impl_->StatusError(r, resp);
}

Result<std::vector<ObjectInfo>> S3ObjectStore::List(std::string_view prefix) {
  return ListPaged(prefix, 1000);
}

Result<std::vector<ObjectInfo>> S3ObjectStore::ListPaged(std::string_view prefix, int page_size) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"list-type", "2"}, {"max-keys", std::to_string(page_size)}, {"prefix", std::string(prefix)}};
    if (!token.empty()) params.emplace_back("continuation-token", token);
    Request r;
    r.path = impl_->bucket_path.empty() ? "/" : impl_->bucket_path;
    r.query = s3::CanonicalQuery(std::move(params));
    VEZA_ASSIGN_OR_RETURN(Response resp, impl_->Perform(r));
    if (resp.status != 200) return impl_->StatusError(r, resp);
    auto page = s3::ParseListObjectsV2(resp.body);
    if (!page.ok()) {
      Error e = Unavailable(std::string(kUnavailableMessage), page.error().detail);
      return e;
    }
    for (auto& info : page->objects) out.push_back(std::move(info));
    if (!page->truncated) break;
    if (page->next_token == token) {
      return Unavailable(std::string(kUnavailableMessage),
                         Impl::Describe(r) + ": the continuation token repeats");
    }
    token = std::move(page->next_token);
  }
  return out;
}

std::optional<std::string> S3ObjectStore::PresignGet(std::string_view key, int expires_s) const {
  if (!IsValidKey(key)) return std::nullopt;
  const S3Config& c = impl_->config;
  s3::PresignInput in;
  in.scheme = impl_->scheme;
  in.host = impl_->host;
  in.path = impl_->ObjectPath(key);
  in.region = c.region;
  in.access_key = c.access_key;
  in.secret_key = c.secret_key;
  in.epoch_s = impl_->clock.NowMs() / 1000;
  in.expires_s = std::min(expires_s > 0 ? expires_s : c.presign_expiry_s, kMaxPresignExpiry);
  return s3::PresignGetUrl(in);
}

std::string S3ObjectStore::Describe() const {
  return "s3:" + impl_->config.endpoint + "/" + impl_->config.bucket;
}

}  // namespace veza::storage
