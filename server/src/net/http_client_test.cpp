#include "net/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace veza::net {
namespace {

// A one-thread HTTP/1.1 server on 127.0.0.1 that answers each connection with `respond(request)`.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<std::string(const std::string&)> respond)
      : respond_(std::move(respond)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 8);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::string last_request() const { return last_; }

 private:
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      timeval tv{2, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      while (true) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        size_t head = req.find("\r\n\r\n");
        if (head == std::string::npos) continue;
        size_t cl = req.find("Content-Length: ");
        size_t want = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
        if (req.size() >= head + 4 + want) break;
      }
      last_ = req;
      std::string out = respond_(req);
      if (!out.empty()) send(c, out.data(), out.size(), MSG_NOSIGNAL);
      close(c);
    }
  }

  std::function<std::string(const std::string&)> respond_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::string last_;
};

std::string Reply(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nX-Test: yes\r\n" + extra + "Connection: close\r\n\r\n" + body;
}

TEST(IsPublicAddress, ClassifiesRanges) {
  for (const char* ip : {"127.0.0.1",
                         "10.1.2.3",
                         "172.16.0.1",
                         "172.31.255.255",
                         "192.168.1.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "224.0.0.1",
                         "255.255.255.255",
                         "192.0.2.1",
                         "::1",
                         "::",
                         "fe80::1",
                         "fc00::1",
                         "fd12:3456::1",
                         "::ffff:127.0.0.1",
                         "::ffff:10.0.0.1",
                         "ff02::1",
                         "64:ff9b::a00:1",
                         "2001:db8::1",
                         "2002:a00:1::",
                         "not-an-ip",
                         ""}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "151.101.1.69", "2a00:1450:4007::200e",
                         "::ffff:8.8.8.8", "2606:4700::1111"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(FormEncode, EscapesReservedCharacters) {
  EXPECT_EQ(FormEncode({{"a b", "x&y=z"}, {"c", "é/~"}}), "a%20b=x%26y%3Dz&c=%C3%A9%2F~");
}

TEST(HttpClient, RefusesLoopbackAndPrivateByDefault) {
  LoopbackServer server([](const std::string&) { return Reply(200, "hi"); });
  HttpClient client;
  for (std::string url :
       {"http://127.0.0.1:" + std::to_string(server.port()) + "/",
        "http://localhost:" + std::to_string(server.port()) + "/", std::string("http://[::1]/"),
        std::string("http://169.254.169.254/latest/meta-data/"), std::string("http://10.0.0.1/")}) {
    auto r = client.Send({.url = url});
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().slug, "address_not_allowed") << url;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  }
  EXPECT_TRUE(server.last_request().empty());
}

TEST(HttpClient, RefusesOtherSchemesAndCredentials) {
  HttpClient client({.allow_private_addresses = true});
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "not a url",
                          "http://user:pw@127.0.0.1/"}) {
    auto r = client.Send({.url = url});
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().slug, "invalid_url") << url;
  }
}

TEST(HttpClient, GetAndPostWhenPrivateAddressesAreAllowed) {
  LoopbackServer server([](const std::string& req) {
    return req.rfind("POST", 0) == 0 ? Reply(201, req.substr(req.find("\r\n\r\n") + 4)) : Reply(200, "hello");
  });
  HttpClient client({.allow_private_addresses = true});
  std::string base = "http://localhost:" + std::to_string(server.port());
  auto get = client.Send({.url = base + "/x?y=1", .headers = {{"Authorization", "Bearer abc"}}});
  ASSERT_TRUE(get.ok()) << get.error().detail;
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "hello");
  EXPECT_EQ(get->Header("X-TEST"), "yes");
  EXPECT_NE(server.last_request().find("GET /x?y=1 HTTP/1.1"), std::string::npos);
  EXPECT_NE(server.last_request().find("Authorization: Bearer abc"), std::string::npos);
  auto post = client.Send({.method = "POST", .url = base + "/token", .body = "a=1&b=2"});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 201);
  EXPECT_EQ(post->body, "a=1&b=2");
}

TEST(HttpClient, DoesNotFollowRedirects) {
  LoopbackServer server(
      [](const std::string&) { return Reply(302, "", "Location: http://169.254.169.254/\r\n"); });
  HttpClient client({.allow_private_addresses = true});
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "http://169.254.169.254/");
}

TEST(HttpClient, CapsTheResponseSize) {
  LoopbackServer server([](const std::string&) { return Reply(200, std::string(64 * 1024, 'x')); });
  HttpClient client({.allow_private_addresses = true, .max_response_bytes = 1024});
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "upstream_response_too_large");
}

TEST(HttpClient, TimesOut) {
  LoopbackServer server([](const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return std::string();
  });
  HttpClient client({.allow_private_addresses = true, .timeout_ms = 300});
  auto started = std::chrono::steady_clock::now();
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "upstream_unavailable");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1200));
}

TEST(HttpClient, RetriesIdempotentRequestsOn503) {
  std::atomic<int> calls{0};
  LoopbackServer server(
      [&](const std::string&) { return ++calls < 3 ? Reply(503, "busy") : Reply(200, "ok"); });
  HttpClient client({.allow_private_addresses = true});
  auto r = client.Send({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/", .max_attempts = 3});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls.load(), 3);
}

}  // namespace
}  // namespace veza::net
