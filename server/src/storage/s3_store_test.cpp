// S3ObjectStore against s3rver on loopback (started per test by testing/s3rver.mjs, which also checks every
// request's SigV4 signature with the AWS SDK), and presigned URLs against the SDK's presigner.
#include "storage/s3_store.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/s3_protocol.h"

namespace veza::storage {
namespace {

namespace fs = std::filesystem;

constexpr char kBucket[] = "veza-test";
const std::string kTestingDir = VEZA_STORAGE_TESTING_DIR;

std::string FindNode() {
  if (const char* env = std::getenv("VEZA_NODE"); env && *env) return ::access(env, X_OK) == 0 ? env : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Why the S3 peers cannot run, or "" when they can.
std::string MissingPeers(const std::string& node) {
  const std::string how =
      " Install the test peers with: server/src/storage/testing/prepare (npm ci in that folder; "
      "scripts/setup installs node and npm).";
  if (node.empty()) return "node is not on PATH (or VEZA_NODE)." + how;
  for (const char* package :
       {"s3rver", "@aws-sdk/s3-request-presigner", "@aws-sdk/client-s3", "@smithy/signature-v4"}) {
    if (!fs::exists(fs::path(kTestingDir) / "node_modules" / package / "package.json")) {
      return std::string("npm package ") + package + " is missing from " + kTestingDir + "/node_modules." +
             how;
    }
  }
  return "";
}

struct Child {
  pid_t pid = -1;
  int out = -1;  // its stdout
  int in = -1;   // its stdin; closing it asks the child to exit
};

Child Spawn(const std::vector<std::string>& argv) {
  int out_pipe[2], in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(in_pipe, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(in_pipe[0], STDIN_FILENO);
    if (::chdir(kTestingDir.c_str()) != 0) ::_exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  return {pid, out_pipe[0], in_pipe[1]};
}

// Reads the child's stdout until EOF or `until` appears, within `timeout_ms`.
std::string ReadOutput(int fd, int timeout_ms, std::string_view until = {}) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (!until.empty() && out.find(until) != std::string::npos) break;
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count());
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) break;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void Stop(Child& child) {
  if (child.in >= 0) ::close(child.in);
  if (child.out >= 0) ::close(child.out);
  child.in = child.out = -1;
  if (child.pid <= 0) return;
  ::kill(child.pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(child.pid, nullptr, WNOHANG) == child.pid) {
      child.pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(child.pid, SIGKILL);
  ::waitpid(child.pid, nullptr, 0);
  child.pid = -1;
}

// Runs node on a script of the testing folder and returns its stdout.
std::string RunNode(const std::string& node, std::vector<std::string> args) {
  args.insert(args.begin(), {node, "--no-warnings"});
  Child child = Spawn(args);
  std::string out = ReadOutput(child.out, 60'000);
  int status = 0;
  ::close(child.in);
  ::close(child.out);
  ::waitpid(child.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "node " << args[2] << " failed";
  return out;
}

// An s3rver on a free 127.0.0.1 port with its own data directory.
class S3rverProcess {
 public:
  ~S3rverProcess() {
    Stop(child_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Start(const std::string& node, const std::vector<std::string>& flags = {}) {
    char tmpl[] = "/tmp/veza-s3rver-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
    std::vector<std::string> argv = {node, "--no-warnings", "--openssl-legacy-provider", "s3rver.mjs",
                                     dir_, kBucket};
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_ = Spawn(argv);
    ASSERT_GT(child_.pid, 0);
    std::string line = ReadOutput(child_.out, 30'000, "\n");
    size_t colon = line.find("\"port\":");
    ASSERT_NE(colon, std::string::npos) << "s3rver.mjs did not report its port: " << line;
    port_ = std::stoi(line.substr(colon + 7));
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

 private:
  Child child_;
  std::string dir_;
  int port_ = 0;
};

S3Config ConfigFor(const std::string& endpoint) {
  S3Config c;
  c.endpoint = endpoint;
  c.region = "us-east-1";
  c.bucket = kBucket;
  c.access_key = "S3RVER";  // s3rver's only account
  c.secret_key = "S3RVER";
  c.connect_timeout_ms = 2'000;
  c.request_timeout_ms = 10'000;
  return c;
}

// Plain unauthenticated GET, as a browser would fetch a presigned URL.
std::pair<long, std::string> FetchUrl(const std::string& url) {
  std::string body;
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) {
        static_cast<std::string*>(u)->append(d, s * n);
        return s * n;
      });
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return {status, body};
}

std::string Pseudorandom(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    out[i] = static_cast<char>(x >> 56);
  }
  return out;
}

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = FindNode();
    std::string missing = MissingPeers(node_);
    if (!missing.empty()) FAIL() << missing;
  }

  std::unique_ptr<S3ObjectStore> StartAndOpen(const std::vector<std::string>& flags = {},
                                              S3Config* custom = nullptr) {
    server_.Start(node_, flags);
    S3Config config = custom ? *custom : ConfigFor(server_.endpoint());
    config.endpoint = server_.endpoint();
    auto store = S3ObjectStore::Open(config, clock_);
    EXPECT_TRUE(store.ok());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string TempFile(const std::string& bytes) {
    char tmpl[] = "/tmp/veza-s3-src-XXXXXX";
    int fd = ::mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    ::close(fd);
    std::ofstream(tmpl, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    temp_files_.push_back(tmpl);
    return tmpl;
  }

  void TearDown() override {
    for (const auto& f : temp_files_) fs::remove(f);
  }

  std::string node_;
  SystemClock clock_;
  S3rverProcess server_;
  std::vector<std::string> temp_files_;
};

TEST_F(S3StoreTest, PutGetStatDeleteRoundTrip) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Describe(), "s3:" + server_.endpoint() + "/" + kBucket);
  EXPECT_EQ(store->Describe().find("S3RVER"), std::string::npos) << "no secrets in Describe";
  EXPECT_EQ(store->LocalPath("tracks/1/original.flac"), std::nullopt);

  int64_t before = clock_.NowMs();
  auto put = store->PutBytes("tracks/1/original.flac", "hello world");
  ASSERT_TRUE(put.ok()) << put.error().detail;
  auto bytes = store->GetBytes("tracks/1/original.flac");
  ASSERT_TRUE(bytes.ok()) << bytes.error().detail;
  EXPECT_EQ(*bytes, "hello world");

  auto info = store->Stat("tracks/1/original.flac");
  ASSERT_TRUE(info.ok()) << info.error().detail;
  EXPECT_EQ(info->key, "tracks/1/original.flac");
  EXPECT_EQ(info->size, 11u);
  EXPECT_EQ(info->etag, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
      << "S3's ETag of a single PUT is the body's MD5";
  EXPECT_GE(info->modified_ms, before / 1000 * 1000 - 1000);
  EXPECT_LE(info->modified_ms, clock_.NowMs() + 1000);

  ASSERT_TRUE(store->PutBytes("tracks/1/original.flac", "replaced").ok());
  EXPECT_EQ(*store->GetBytes("tracks/1/original.flac"), "replaced");

  ASSERT_TRUE(store->Delete("tracks/1/original.flac").ok());
  auto gone = store->Stat("tracks/1/original.flac");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBytes("tracks/1/original.flac").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store->Delete("tracks/1/original.flac").ok()) << "deleting a missing object succeeds";

  ASSERT_TRUE(store->PutBytes("empty", "").ok());
  EXPECT_EQ(store->Stat("empty")->size, 0u);
  EXPECT_EQ(*store->GetBytes("empty"), "");
}

TEST_F(S3StoreTest, RangesBehaveLikeLocalFiles) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutBytes("a/b", "0123456789").ok());
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 2, .length = 3}), "234");
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 8, .length = std::nullopt}), "89");
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 0, .length = 1}), "0");
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 7, .length = 100}), "789");
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 20, .length = std::nullopt}), "");
  EXPECT_EQ(*store->GetBytes("a/b", {.offset = 3, .length = 0}), "");
  EXPECT_EQ(store->GetBytes("a/missing", {.offset = 3, .length = 0}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBytes("a/missing", {.offset = 3, .length = 2}).error().code, ErrorCode::kNotFound);
}

TEST_F(S3StoreTest, CopyToFileFetchesInRangedChunks) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  const std::string bytes = Pseudorandom(3'000'000, 7);
  ASSERT_TRUE(store->PutBytes("tracks/5/original.flac", bytes).ok());
  const std::string copy = TempFile("");
  ASSERT_TRUE(CopyToFile(*store, "tracks/5/original.flac", copy, /*chunk_bytes=*/1 << 20).ok());
  std::ifstream in(copy, std::ios::binary);
  EXPECT_TRUE(std::string(std::istreambuf_iterator<char>(in), {}) == bytes) << "the copy differs";
}

TEST_F(S3StoreTest, ListFollowsContinuationTokensInKeyOrder) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  std::vector<std::string> keys;
  for (int i = 6; i >= 0; --i) keys.push_back("up/" + std::to_string(i) + "/f.bin");
  for (const auto& k : keys) ASSERT_TRUE(store->PutBytes(k, k).ok());
  ASSERT_TRUE(store->PutBytes("upx/other", "z").ok());
  ASSERT_TRUE(store->PutBytes("other/3", "z").ok());

  for (int page : {1, 2, 3, 1000}) {
    auto list = store->ListPaged("up/", page);
    ASSERT_TRUE(list.ok()) << list.error().detail;
    ASSERT_EQ(list->size(), 7u) << "page size " << page;
    for (size_t i = 0; i < 7; ++i) {
      EXPECT_EQ((*list)[i].key, "up/" + std::to_string(i) + "/f.bin");
      EXPECT_EQ((*list)[i].size, (*list)[i].key.size());
      EXPECT_FALSE((*list)[i].etag.empty());
      EXPECT_GT((*list)[i].modified_ms, 0);
    }
  }
  auto all = store->List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 9u);
  auto none = store->List("nothing/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(S3StoreTest, KeysWithEveryCharacterIsValidKeyAllows) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  const std::vector<std::string> keys = {"tracks/123/hls/128k/seg-00001.m4s",
                                         "A.B-C_D/-_.x",
                                         "x/..a/b..",
                                         "x/.hidden",
                                         "9/8/7/6/5/4/3/2/1/0",
                                         "MiXeD/Case.TXT"};
  for (const auto& k : keys) {
    ASSERT_TRUE(IsValidKey(k)) << k;
    auto put = store->PutBytes(k, "v:" + k);
    ASSERT_TRUE(put.ok()) << k << ": " << put.error().detail;
  }
  for (const auto& k : keys) {
    auto got = store->GetBytes(k);
    ASSERT_TRUE(got.ok()) << k;
    EXPECT_EQ(*got, "v:" + k);
    EXPECT_EQ(store->Stat(k)->size, k.size() + 2);
  }
  auto list = store->List("");
  ASSERT_TRUE(list.ok());
  std::vector<std::string> listed;
  for (const auto& o : *list) listed.push_back(o.key);
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(listed, sorted);

  for (const char* bad : {"../etc/passwd", "a//b", "", "a b", "a/./b", "%2e%2e/x", "a?b", "a#b"}) {
    EXPECT_EQ(store->PutBytes(bad, "x").error().code, ErrorCode::kValidation) << bad;
    EXPECT_EQ(store->Stat(bad).error().code, ErrorCode::kValidation) << bad;
    EXPECT_EQ(store->PresignGet(bad, 60), std::nullopt) << bad;
  }
}

TEST_F(S3StoreTest, PutFileBelowTheThresholdIsOnePut) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  std::string bytes = Pseudorandom(300'000, 7);
  auto put = store->PutFile("up/small.bin", TempFile(bytes));
  ASSERT_TRUE(put.ok()) << put.error().detail;
  EXPECT_EQ(*store->GetBytes("up/small.bin"), bytes);
  EXPECT_EQ(store->Stat("up/small.bin")->etag.find('-'), std::string::npos) << "not a multipart ETag";
  auto missing = store->PutFile("up/x", "/nonexistent/veza-file");
  EXPECT_FALSE(missing.ok());
}

TEST_F(S3StoreTest, MultipartUploadReassemblesA40MbFile) {
  S3Config config = ConfigFor("");
  config.multipart_threshold = 8ull << 20;
  config.part_size = 5ull << 20;  // S3's minimum
  auto store = StartAndOpen({}, &config);
  ASSERT_TRUE(store);
  const size_t size = 40'000'000;
  std::string bytes = Pseudorandom(size, 42);
  auto put = store->PutFile("tracks/9/original.wav", TempFile(bytes));
  ASSERT_TRUE(put.ok()) << put.error().detail;

  auto info = store->Stat("tracks/9/original.wav");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, size);
  auto got = store->GetBytes("tracks/9/original.wav");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), size);
  EXPECT_TRUE(*got == bytes) << "reassembled bytes differ";
  // A range across the first part boundary.
  const uint64_t boundary = 5ull << 20;
  EXPECT_EQ(*store->GetBytes("tracks/9/original.wav", {.offset = boundary - 10, .length = 20}),
            bytes.substr(boundary - 10, 20));
  EXPECT_FALSE(fs::exists(server_.dir() + "/" + kBucket + "/._S3rver_uploads") &&
               !fs::is_empty(server_.dir() + "/" + kBucket + "/._S3rver_uploads"))
      << "a completed upload leaves no parts behind";
}

TEST_F(S3StoreTest, FailedMultipartUploadIsAbortedAndKeepsTheOldObject) {
  S3Config config = ConfigFor("");
  config.multipart_threshold = 6ull << 20;
  config.part_size = 5ull << 20;
  auto store = StartAndOpen({"--fail-part=3"}, &config);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutBytes("tracks/5/original.flac", "previous version").ok());

  auto put = store->PutFile("tracks/5/original.flac", TempFile(Pseudorandom(16'000'000, 3)));
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(put.error().message, "Object storage is not available.");
  EXPECT_NE(put.error().detail.find("InternalError"), std::string::npos) << put.error().detail;
  EXPECT_EQ(put.error().detail.find("abort failed"), std::string::npos) << put.error().detail;

  EXPECT_EQ(*store->GetBytes("tracks/5/original.flac"), "previous version");
  const fs::path uploads = fs::path(server_.dir()) / kBucket / "._S3rver_uploads";
  ASSERT_TRUE(fs::exists(uploads)) << "s3rver keeps multipart uploads in " << uploads;
  EXPECT_TRUE(fs::is_empty(uploads)) << "the upload was aborted, its parts removed";

  // Below the threshold the faulty part number never comes up.
  ASSERT_TRUE(store->PutFile("tracks/5/small", TempFile("small")).ok());
}

TEST_F(S3StoreTest, AnUnreachableServerIsUnavailable) {
  // A port nothing listens on: bind, read the port, close.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  auto store =
      S3ObjectStore::Open(ConfigFor("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))), clock_);
  ASSERT_TRUE(store.ok());
  std::vector<Error> errors;
  errors.push_back((*store)->PutBytes("a", "b").error());
  errors.push_back((*store)->GetBytes("a").error());
  errors.push_back((*store)->Stat("a").error());
  errors.push_back((*store)->Delete("a").error());
  errors.push_back((*store)->List("").error());
  errors.push_back((*store)->PutFile("a", TempFile("x")).error());
  for (const auto& e : errors) {
    EXPECT_EQ(e.code, ErrorCode::kUnavailable);
    EXPECT_EQ(e.message, "Object storage is not available.");
    EXPECT_GT(e.retry_after_s, 0);
    EXPECT_NE(e.detail.find("onnect"), std::string::npos)
        << e.detail;  // curl's "Couldn't connect" / "Connection refused"
  }
  // Presigning needs no server.
  EXPECT_TRUE((*store)->PresignGet("a", 60).has_value());
}

TEST_F(S3StoreTest, ASilentServerTimesOutAsUnavailable) {
  // A listener that never accepts: the kernel completes the handshake, nobody ever answers.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(s, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  S3Config config = ConfigFor("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  config.request_timeout_ms = 300;
  auto store = S3ObjectStore::Open(config, clock_);
  ASSERT_TRUE(store.ok());
  auto start = std::chrono::steady_clock::now();
  auto stat = (*store)->Stat("a");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(s);
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(stat.error().message, "Object storage is not available.");
  EXPECT_NE(stat.error().detail.find("imed out"), std::string::npos) << stat.error().detail;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(S3StoreTest, RefusedCredentialsAreUnavailableWithTheS3Code) {
  server_.Start(node_);
  S3Config unknown = ConfigFor(server_.endpoint());
  unknown.access_key = "NOT-A-KEY";
  auto store = S3ObjectStore::Open(unknown, clock_);
  ASSERT_TRUE(store.ok());
  auto put = (*store)->PutBytes("a", "b");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(put.error().message, "Object storage refused our credentials.");
  EXPECT_NE(put.error().detail.find("InvalidAccessKeyId"), std::string::npos) << put.error().detail;
  EXPECT_EQ(put.error().detail.find("NOT-A-KEY"), std::string::npos);

  S3Config wrong_secret = ConfigFor(server_.endpoint());
  wrong_secret.secret_key = "not the secret";
  auto store2 = S3ObjectStore::Open(wrong_secret, clock_);
  ASSERT_TRUE(store2.ok());
  auto list = (*store2)->List("");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().message, "Object storage refused our credentials.");
  EXPECT_NE(list.error().detail.find("SignatureDoesNotMatch"), std::string::npos) << list.error().detail;
  EXPECT_EQ(list.error().detail.find("not the secret"), std::string::npos);
}

TEST_F(S3StoreTest, ConcurrentCallsShareConnections) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string key = "c/" + std::to_string(t) + "/" + std::to_string(i);
        if (!store->PutBytes(key, key).ok()) ++failures;
        auto got = store->GetBytes(key);
        if (!got.ok() || *got != key) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->List("c/")->size(), 40u);
}

TEST_F(S3StoreTest, PresignedUrlsMatchTheAwsSdkByteForByte) {
  ManualClock clock(1'700'000'123'456);
  S3Config config = ConfigFor("http://127.0.0.1:9000");
  config.access_key = "AKIDEXAMPLE";
  config.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  config.region = "eu-west-3";
  auto store = S3ObjectStore::Open(config, clock);
  ASSERT_TRUE(store.ok());
  const std::vector<std::string> keys = {"tracks/123/hls/master.m3u8", "A.B-C_D/-_.x", "x/..a/b..", "k"};
  std::vector<std::string> args = {"presign.mjs",     config.endpoint,   config.region,   kBucket,
                                   config.access_key, config.secret_key, "1700000123456", "300"};
  args.insert(args.end(), keys.begin(), keys.end());
  std::string sdk = RunNode(node_, args);
  std::stringstream lines(sdk);
  for (const auto& key : keys) {
    std::string expected;
    std::getline(lines, expected);
    EXPECT_EQ((*store)->PresignGet(key, 300), expected) << key;
  }
  // The configured default, and virtual-hosted addressing on an AWS-style endpoint.
  config.presign_expiry_s = 600;
  config.path_style = false;
  config.endpoint = "https://s3.eu-west-3.amazonaws.com:443/";
  auto vhost = S3ObjectStore::Open(config, clock);
  ASSERT_TRUE(vhost.ok());
  std::string expected = RunNode(
      node_, {"presign.mjs", "--virtual-hosted", "https://s3.eu-west-3.amazonaws.com", config.region, kBucket,
              config.access_key, config.secret_key, "1700000123456", "600", "tracks/1/cover.webp"});
  EXPECT_EQ((*vhost)->PresignGet("tracks/1/cover.webp", 0).value_or("") + "\n", expected);
}

TEST_F(S3StoreTest, PresignedUrlsEncodeKeysLikeTheAwsSdk) {
  // Keys outside IsValidKey (the store refuses them) still go through the signer the same way.
  const std::vector<std::string> keys = {"a b/\xC3\xBC+~=&x.txt",
                                         "p\xC3\xA4th/with spaces/\xF0\x9F\x8E\xB5.mp3", "!*'()[]{}$,;:@",
                                         "x%2Fy/%41", "trailing/"};
  std::vector<std::string> args = {
      "presign.mjs", "http://localhost:4568", "us-east-1",     "bucket.with.dots",
      "AKID",        "secret/with+chars",     "1577836800000", "604800"};
  args.insert(args.end(), keys.begin(), keys.end());
  std::stringstream lines(RunNode(node_, args));
  for (const auto& key : keys) {
    std::string expected;
    std::getline(lines, expected);
    s3::PresignInput in;
    in.scheme = "http";
    in.host = "localhost:4568";
    in.path = "/bucket.with.dots/" + s3::UriEncode(key, true);
    in.region = "us-east-1";
    in.access_key = "AKID";
    in.secret_key = "secret/with+chars";
    in.epoch_s = 1'577'836'800;
    in.expires_s = 604800;
    EXPECT_EQ(s3::PresignGetUrl(in), expected) << key;
  }
}

TEST_F(S3StoreTest, PresignedUrlsWorkAgainstTheServer) {
  auto store = StartAndOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->PutBytes("tracks/7/hls/master.m3u8", "#EXTM3U\n").ok());
  auto url = store->PresignGet("tracks/7/hls/master.m3u8", 60);
  ASSERT_TRUE(url.has_value());
  EXPECT_TRUE(url->starts_with(server_.endpoint() + "/" + kBucket + "/tracks/7/hls/master.m3u8?")) << *url;
  auto [status, body] = FetchUrl(*url);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "#EXTM3U\n");

  // s3rver.mjs checks the query signature with the SDK: a tampered one is refused.
  std::string tampered = *url;
  size_t sig = tampered.find("X-Amz-Signature=") + 16;
  tampered[sig] = tampered[sig] == '0' ? '1' : '0';
  EXPECT_EQ(FetchUrl(tampered).first, 403);

  // Signed an hour ago for a minute: expired.
  ManualClock past(clock_.NowMs() - 3'600'000);
  auto old_store = S3ObjectStore::Open(ConfigFor(server_.endpoint()), past);
  ASSERT_TRUE(old_store.ok());
  auto [old_status, old_body] = FetchUrl(*(*old_store)->PresignGet("tracks/7/hls/master.m3u8", 60));
  EXPECT_EQ(old_status, 403);
  EXPECT_NE(old_body.find("expired"), std::string::npos) << old_body;
}

TEST(S3StoreConfigTest, OpenRejectsBadSettingsByField) {
  SystemClock clock;
  S3Config c;
  c.endpoint = "ftp://host/path";
  c.bucket = "x";
  c.part_size = 1 << 20;
  c.presign_expiry_s = 604801;
  auto store = S3ObjectStore::Open(c, clock);
  ASSERT_FALSE(store.ok());
  const auto& fields = store.error().fields;
  EXPECT_EQ(store.error().code, ErrorCode::kValidation);
  for (const char* f : {"endpoint", "bucket", "access_key", "secret_key", "part_size", "presign_expiry_s"}) {
    EXPECT_TRUE(fields.count(f)) << f;
  }
  EXPECT_FALSE(fields.count("region"));
  c.endpoint = "http://127.0.0.1:9000/some/path";
  EXPECT_TRUE(S3ObjectStore::Open(c, clock).error().fields.count("endpoint"));
}

}  // namespace
}  // namespace veza::storage
