#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/login_guard.h"
#include "core/clock.h"
#include "kv/memory_store.h"
#include "kv/redis_store.h"
#include "auth/password.h"
#include "auth/stream_token.h"
#include "auth/user_agent.h"
#include "core/crypto.h"

namespace veza::auth {
namespace {

constexpr std::string_view kSecret = "test-secret-0123456789abcdef0123456789";

AccessClaims Claims() { return {7, 9, "admin", 1000, 1900, "jti1"}; }

TEST(Jwt, RoundTrip) {
  auto c = VerifyAccessToken(SignAccessToken(Claims(), kSecret), kSecret, 1500);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->user_id, 7);
  EXPECT_EQ(c->session_id, 9);
  EXPECT_EQ(c->role, "admin");
  EXPECT_EQ(c->jti, "jti1");
}

TEST(Jwt, ExpiredWrongSignatureAndTamperingRefused) {
  std::string t = SignAccessToken(Claims(), kSecret);
  EXPECT_EQ(VerifyAccessToken(t, kSecret, 1900).error().slug, "token_expired");
  EXPECT_EQ(VerifyAccessToken(t, "other-secret", 1500).error().code, ErrorCode::kUnauthenticated);
  size_t d1 = t.find('.'), d2 = t.rfind('.');
  std::string payload = crypto::Base64UrlEncode(R"({"sub":"1","sid":"9","role":"admin","iat":1000,"exp":1900,"jti":"x"})");
  EXPECT_FALSE(VerifyAccessToken(t.substr(0, d1 + 1) + payload + t.substr(d2), kSecret, 1500).ok());
  EXPECT_FALSE(VerifyAccessToken(t + "x", kSecret, 1500).ok());
  EXPECT_FALSE(VerifyAccessToken("a.b", kSecret, 1500).ok());
  EXPECT_FALSE(VerifyAccessToken("", kSecret, 1500).ok());
}

TEST(Jwt, OnlyHs256Accepted) {
  std::string t = SignAccessToken(Claims(), kSecret);
  std::string body = t.substr(t.find('.') + 1, t.rfind('.') - t.find('.') - 1);
  // alg none with an empty signature, and other algorithms signed with the same HMAC key.
  for (std::string header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT"})",
                             R"({"alg":"hs256","typ":"JWT"})", R"({"typ":"JWT"})"}) {
    std::string input = crypto::Base64UrlEncode(header) + "." + body;
    EXPECT_FALSE(VerifyAccessToken(input + ".", kSecret, 1500).ok()) << header;
    std::string signed_token = input + "." + crypto::Base64UrlEncode(crypto::HmacSha256(kSecret, input));
    EXPECT_FALSE(VerifyAccessToken(signed_token, kSecret, 1500).ok()) << header;
  }
}

TEST(StreamTokens, ScopeUserExpiry) {
  StreamGrant g{"track:123", 5, 10'000};
  std::string t = SignStreamToken(g, kSecret);
  auto ok = VerifyStreamToken(t, "track:123", kSecret, 9'999);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->user_id, 5);
  EXPECT_TRUE(VerifyStreamToken(t, "", kSecret, 9'999).ok());
  EXPECT_FALSE(VerifyStreamToken(t, "track:124", kSecret, 9'999).ok());
  EXPECT_FALSE(VerifyStreamToken(t, "track:123", kSecret, 10'000).ok());
  EXPECT_FALSE(VerifyStreamToken(t, "track:123", "other", 9'999).ok());
  std::string forged = "v1." + crypto::Base64UrlEncode("track:123|5|99999999") + t.substr(t.rfind('.'));
  EXPECT_FALSE(VerifyStreamToken(forged, "track:123", kSecret, 9'999).ok());
  EXPECT_FALSE(StreamScopeProblem("ws"));
  EXPECT_FALSE(StreamScopeProblem("live:77"));
  EXPECT_TRUE(StreamScopeProblem("track:"));
  EXPECT_TRUE(StreamScopeProblem("track:abc"));
  EXPECT_TRUE(StreamScopeProblem("admin"));
}

// The guard's rules on the in-process store; the same counters on Redis are the kv contract's job and
// the two-node integration test's.
TEST(LoginGuardTest, AccountDelaysGrowWithoutTouchingOtherAccounts) {
  ManualClock clock(1'000'000);
  kv::MemoryStore kv(clock);
  LoginGuard g(kv, {.account_free_failures = 5, .ip_free_failures = 20, .base_delay_ms = 1000});
  int64_t now = clock.NowMs();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*g.RecordFailure("user:1", "10.0.0." + std::to_string(i), now), i + 1);
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now), 0);
  EXPECT_EQ(*g.RecordFailure("user:1", "10.0.0.6", now), 6);
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now), 1000);
  (void)g.RecordFailure("user:1", "10.0.0.7", now);
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now), 2000);
  (void)g.RecordFailure("user:1", "10.0.0.8", now);
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now), 4000);
  EXPECT_EQ(*g.RetryAfterMs("user:2", "10.0.0.1", now), 0);
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now + 4000), 0);
  ASSERT_TRUE(g.RecordSuccess("user:1").ok());
  EXPECT_EQ(*g.RetryAfterMs("user:1", "10.0.0.9", now), 0);
  EXPECT_EQ(*g.RecordFailure("user:1", "10.0.0.6", now), 1);
}

TEST(LoginGuardTest, IpDelaysAfterManyFailuresAndForgetting) {
  ManualClock clock(0);
  kv::MemoryStore kv(clock);
  LoginGuard g(kv, {.account_free_failures = 100, .ip_free_failures = 3, .base_delay_ms = 500, .forget_after_ms = 60'000});
  for (int i = 0; i < 4; ++i) (void)g.RecordFailure("user:" + std::to_string(i), "1.2.3.4", 0);
  EXPECT_EQ(*g.RetryAfterMs("user:99", "1.2.3.4", 0), 500);
  EXPECT_EQ(*g.RetryAfterMs("user:99", "5.6.7.8", 0), 0);
  clock.Advance(61'000);
  EXPECT_EQ(*g.RetryAfterMs("user:99", "1.2.3.4", 61'000), 0);
  EXPECT_EQ(*g.RecordFailure("user:0", "1.2.3.4", 61'000), 1);  // forgotten after an hour... here a minute
}

TEST(LoginGuardTest, AnUnreachableStoreIsAnErrorNotASilentPass) {
  auto redis = kv::RedisStore::Open({.url = "redis://127.0.0.1:1", .connect_timeout_ms = 200});
  ASSERT_TRUE(redis.ok());
  LoginGuard g(**redis);
  auto wait = g.RetryAfterMs("user:1", "1.2.3.4", 0);
  ASSERT_FALSE(wait.ok());
  EXPECT_EQ(wait.error().code, ErrorCode::kUnavailable);
}

TEST(UserAgent, CommonBrowsers) {
  auto ff = ParseUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0");
  EXPECT_EQ(ff.browser, "Firefox");
  EXPECT_EQ(ff.os, "Linux");
  EXPECT_EQ(ff.device, "desktop");
  auto iphone = ParseUserAgent(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.0 Mobile/15E148 Safari/604.1");
  EXPECT_EQ(iphone.browser, "Safari");
  EXPECT_EQ(iphone.os, "iOS");
  EXPECT_EQ(iphone.device, "mobile");
  auto edge = ParseUserAgent(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 "
      "Edg/120.0");
  EXPECT_EQ(edge.browser, "Edge");
  EXPECT_EQ(edge.os, "Windows");
  EXPECT_EQ(ParseUserAgent("").browser, "Unknown");
}

TEST(Passwords, HashVerifyAndRehash) {
  PasswordHasher h({.ops = 1, .mem_kib = 8 * 1024});
  auto hash = h.Hash("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(hash->find("m=8192,t=1"), std::string::npos);
  EXPECT_TRUE(h.Verify(*hash, "correct horse battery"));
  EXPECT_FALSE(h.Verify(*hash, "correct horse batterY"));
  EXPECT_FALSE(h.Verify("garbage", "x"));
  EXPECT_FALSE(h.NeedsRehash(*hash));
  PasswordHasher stronger({.ops = 2, .mem_kib = 8 * 1024});
  EXPECT_TRUE(stronger.NeedsRehash(*hash));
}

TEST(Passwords, PolicyNamesTheRule) {
  EXPECT_GE(CommonPasswordCount(), 10'000u);
  EXPECT_TRUE(IsCommonPassword("password"));
  EXPECT_TRUE(IsCommonPassword("PassWord"));
  EXPECT_EQ(PasswordProblem("short"), std::optional<std::string>("must be at least 10 characters"));
  ASSERT_TRUE(PasswordProblem("1234567890"));
  EXPECT_NE(PasswordProblem("1234567890")->find("too common"), std::string::npos);
  EXPECT_NE(PasswordProblem("QWERTYUIOP")->find("too common"), std::string::npos);
  EXPECT_TRUE(PasswordProblem("aaaaaaaaaaaa"));
  EXPECT_FALSE(PasswordProblem("tangerine-koala-88"));
  EXPECT_FALSE(PasswordProblem("éàüöçñßøåæ"));  // 10 characters, 20 bytes
}

}  // namespace
}  // namespace veza::auth
