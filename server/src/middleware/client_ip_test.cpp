#include <gtest/gtest.h>

#include "middleware/middleware.h"
#include "middleware/test_chain.h"

namespace veza::middleware {
namespace {

std::string SeenIp(const std::vector<std::string>& trusted, const std::string& peer, const char* forwarded) {
  auto req = testing::MakeRequest("GET", "/x", "/x", peer);
  if (forwarded) req.headers.Set("X-Forwarded-For", forwarded);
  std::string seen;
  testing::RunChain({ClientIp(trusted)}, [&](http::Request& r) {
    seen = r.remote_ip;
    return http::Response::Empty(204);
  }, req);
  return seen;
}

TEST(ClientIp, UntrustedPeersCannotSpoofTheirAddress) {
  EXPECT_EQ(SeenIp({"127.0.0.1"}, "198.51.100.9", "1.2.3.4"), "198.51.100.9");
  EXPECT_EQ(SeenIp({}, "127.0.0.1", "1.2.3.4"), "127.0.0.1");
}

TEST(ClientIp, TrustedProxyRevealsTheClient) {
  EXPECT_EQ(SeenIp({"127.0.0.1"}, "127.0.0.1", "203.0.113.5"), "203.0.113.5");
  // The client's own claim (leftmost) is ignored past the first untrusted hop.
  EXPECT_EQ(SeenIp({"127.0.0.1", "10.0.0.0/8"}, "127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.2.3"), "203.0.113.5");
  EXPECT_EQ(SeenIp({"::1", "fd00::/8"}, "::1", "2001:db8::7, fd00::1"), "2001:db8::7");
}

TEST(ClientIp, GarbageKeepsTheProxyAddress) {
  EXPECT_EQ(SeenIp({"127.0.0.1"}, "127.0.0.1", "not-an-ip"), "127.0.0.1");
  EXPECT_EQ(SeenIp({"127.0.0.1"}, "127.0.0.1", nullptr), "127.0.0.1");
}

TEST(ClientIp, ValidationNamesBadEntries) {
  EXPECT_TRUE(ValidateTrustedProxies({"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"}).ok());
  EXPECT_FALSE(ValidateTrustedProxies({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(ValidateTrustedProxies({"nginx"}).ok());
}

}  // namespace
}  // namespace veza::middleware
