#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "middleware/middleware.h"
#include "middleware/rate_limit_store.h"
#include "middleware/test_chain.h"

namespace veza::middleware {
namespace {

using testing::MakeRequest;
using testing::RunChain;

http::Response Ok200(http::Request&) { return http::Response::Json(200, "{}"); }

constexpr int64_t kT0 = 1'700'000'000'000;

// ---- the in-memory store

TEST(MemoryRateLimitStoreTest, BurstThenDenyThenRefill) {
  MemoryRateLimitStore store;
  BucketSpec spec{.capacity = 3, .refill_per_second = 1};
  for (int64_t expected_remaining : {2, 1, 0}) {
    Decision d = store.Take("k", spec, kT0);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, expected_remaining);
    EXPECT_EQ(d.limit, 3);
  }
  Decision denied = store.Take("k", spec, kT0);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 1000);
  denied = store.Take("k", spec, kT0 + 400);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 600);
  EXPECT_TRUE(store.Take("k", spec, kT0 + 1000).allowed);
  EXPECT_FALSE(store.Take("k", spec, kT0 + 1000).allowed);
  // Long idle: refills to capacity, never past it.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store.Take("k", spec, kT0 + 60'000).allowed);
  EXPECT_FALSE(store.Take("k", spec, kT0 + 60'000).allowed);
  // Other keys are independent.
  EXPECT_TRUE(store.Take("other", spec, kT0 + 60'000).allowed);
}

TEST(MemoryRateLimitStoreTest, FractionalRefillRates) {
  MemoryRateLimitStore store;
  BucketSpec ten_a_minute{.capacity = 1, .refill_per_second = 10.0 / 60};
  EXPECT_TRUE(store.Take("k", ten_a_minute, kT0).allowed);
  Decision d = store.Take("k", ten_a_minute, kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 6000);
  EXPECT_FALSE(store.Take("k", ten_a_minute, kT0 + 5999).allowed);
  EXPECT_TRUE(store.Take("k", ten_a_minute, kT0 + 12'000).allowed);  // 5999 ms already refilled part
}

TEST(MemoryRateLimitStoreTest, UnlimitedSpecAndClockGoingBack) {
  MemoryRateLimitStore store;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(store.Take("k", BucketSpec{}, kT0).allowed);
  EXPECT_EQ(store.Size(), 0u);
  BucketSpec one{.capacity = 1, .refill_per_second = 1};
  EXPECT_TRUE(store.Take("k", one, kT0).allowed);
  EXPECT_FALSE(store.Take("k", one, kT0 - 5000).allowed);  // a step back grants nothing
  EXPECT_FALSE(store.Take("k", one, kT0 + 500).allowed);
  EXPECT_TRUE(store.Take("k", one, kT0 + 1000).allowed);
}

TEST(MemoryRateLimitStoreTest, FullBucketsAreSweptAfterTheInterval) {
  MemoryRateLimitStore store(MemoryRateLimitOptions{.max_buckets = 100'000, .sweep_interval_ms = 10'000});
  BucketSpec spec{.capacity = 5, .refill_per_second = 1};
  for (int i = 0; i < 1000; ++i) store.Take("old:" + std::to_string(i), spec, kT0);
  EXPECT_EQ(store.Size(), 1000u);
  for (int i = 0; i < 1000; ++i) store.Take("new:" + std::to_string(i), spec, kT0 + 11'000);
  EXPECT_EQ(store.Size(), 1000u);  // every old bucket had refilled and was dropped
}

TEST(MemoryRateLimitStoreTest, MemoryStaysBoundedUnderAFloodOfAddresses) {
  MemoryRateLimitStore store(MemoryRateLimitOptions{.max_buckets = 6400, .sweep_interval_ms = 10'000});
  BucketSpec slow{.capacity = 1, .refill_per_second = 0.001};
  EXPECT_TRUE(store.Take("hot", slow, kT0).allowed);
  size_t max_seen = 0;
  for (int i = 0; i < 200'000; ++i) {
    int64_t now = kT0 + i;
    store.Take("ip:default:10." + std::to_string(i), slow, now);
    // The attacked user keeps hammering: being the most recent, their drained bucket survives.
    if (i % 50 == 0) {
      EXPECT_FALSE(store.Take("hot", slow, now).allowed) << i;
    }
    if (i % 1000 == 0) max_seen = std::max(max_seen, store.Size());
  }
  max_seen = std::max(max_seen, store.Size());
  EXPECT_LE(max_seen, 6400u);
  EXPECT_GT(max_seen, 5000u);
}

TEST(MemoryRateLimitStoreTest, ConcurrentTakesNeverOverspend) {
  MemoryRateLimitStore store;
  BucketSpec spec{.capacity = 1000, .refill_per_second = 0};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 600; ++i) {
        if (store.Take("shared", spec, kT0).allowed) ++allowed;
        store.Take("own:" + std::to_string(i), spec, kT0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

// ---- the middleware

/// Records keys and forwards to the real store.
class RecordingStore final : public RateLimitStore {
 public:
  Decision Take(std::string_view key, const BucketSpec& spec, int64_t now_ms) override {
    keys.emplace_back(key);
    return inner.Take(key, spec, now_ms);
  }
  std::vector<std::string> keys;
  MemoryRateLimitStore inner;
};

RateLimitOptions TightAuth() {
  RateLimitOptions o = DefaultRateLimits();
  o.classes["auth"] = {.per_ip = {.capacity = 2, .refill_per_second = 0.5},
                       .per_principal = {.capacity = 3, .refill_per_second = 1}};
  return o;
}

http::Request AuthRequest(std::string ip = "198.51.100.9") {
  http::Request req = MakeRequest("POST", "/api/v1/auth/login", "/api/v1/auth/login", std::move(ip));
  req.route_class = "auth";
  req.request_id = "rid-1";
  return req;
}

TEST(RateLimitTest, BurstThen429WithRetryAfterThenRefill) {
  ManualClock clock;
  MemoryRateLimitStore store;
  http::Middleware mw = RateLimit(store, clock, TightAuth());
  for (const char* remaining : {"1", "0"}) {
    http::Request req = AuthRequest();
    http::Response resp = RunChain({mw}, Ok200, req);
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.headers.Get("RateLimit-Limit"), "2");
    EXPECT_EQ(resp.headers.Get("RateLimit-Remaining"), remaining);
    EXPECT_FALSE(resp.headers.Has("Retry-After"));
  }
  http::Request req = AuthRequest();
  bool reached = false;
  http::Response resp = RunChain({mw}, [&](http::Request& r) {
    reached = true;
    return Ok200(r);
  }, req);
  EXPECT_FALSE(reached);
  EXPECT_EQ(resp.status, 429);
  EXPECT_EQ(resp.headers.Get("Retry-After"), "2");
  EXPECT_EQ(resp.headers.Get("RateLimit-Limit"), "2");
  EXPECT_EQ(resp.headers.Get("RateLimit-Remaining"), "0");
  auto body = json::ParseObject(resp.body);
  ASSERT_TRUE(body.ok()) << resp.body;
  const auto& err = body->at("error").as_object();
  EXPECT_EQ(err.at("code").as_string(), "rate_limited");
  EXPECT_EQ(err.at("message").as_string(), "Too many requests; retry in 2 seconds.");
  EXPECT_EQ(err.at("request_id").as_string(), "rid-1");

  clock.Advance(1500);  // 0.75 token: still 1 s to wait, rounded up
  http::Request again = AuthRequest();
  resp = RunChain({mw}, Ok200, again);
  EXPECT_EQ(resp.status, 429);
  EXPECT_EQ(resp.headers.Get("Retry-After"), "1");
  EXPECT_NE(resp.body.find("retry in 1 second."), std::string::npos) << resp.body;

  clock.Advance(500);
  http::Request later = AuthRequest();
  EXPECT_EQ(RunChain({mw}, Ok200, later).status, 200);
}

TEST(RateLimitTest, PrincipalAndIpKeysAreSeparate) {
  ManualClock clock;
  RecordingStore store;
  http::Middleware mw = RateLimit(store, clock, TightAuth());
  auto as_user = [](int64_t id) {
    http::Request req = AuthRequest();
    req.principal = http::Principal{.user_id = id, .session_id = 1, .role = "user"};
    return req;
  };
  // User 42 spends their 3 tokens; the anonymous bucket of the same IP is untouched.
  for (int i = 0; i < 3; ++i) {
    http::Request req = as_user(42);
    EXPECT_EQ(RunChain({mw}, Ok200, req).status, 200);
  }
  http::Request denied = as_user(42);
  http::Response resp = RunChain({mw}, Ok200, denied);
  EXPECT_EQ(resp.status, 429);
  EXPECT_EQ(resp.headers.Get("RateLimit-Limit"), "3");
  EXPECT_EQ(resp.headers.Get("Retry-After"), "1");
  http::Request other_user = as_user(43);
  EXPECT_EQ(RunChain({mw}, Ok200, other_user).status, 200);
  http::Request anonymous = AuthRequest();
  EXPECT_EQ(RunChain({mw}, Ok200, anonymous).status, 200);
  http::Request other_ip = AuthRequest("2001:db8::1");
  other_ip.route_class = "";  // unset class counts as "default"
  EXPECT_EQ(RunChain({mw}, Ok200, other_ip).status, 200);

  EXPECT_EQ(store.keys, (std::vector<std::string>{"user:auth:42", "user:auth:42", "user:auth:42", "user:auth:42",
                                                  "user:auth:43", "ip:auth:198.51.100.9",
                                                  "ip:default:2001:db8::1"}));
}

TEST(RateLimitTest, StaticIsUnlimitedAndUnknownClassesUseDefault) {
  ManualClock clock;
  RecordingStore store;
  RateLimitOptions options = DefaultRateLimits();
  options.classes["default"] = {.per_ip = {.capacity = 1, .refill_per_second = 1}, .per_principal = {}};
  http::Middleware mw = RateLimit(store, clock, options);
  for (int i = 0; i < 50; ++i) {
    http::Request req = MakeRequest("GET", "/assets/app.js", "/assets/{path...}");
    req.route_class = "static";
    http::Response resp = RunChain({mw}, Ok200, req);
    EXPECT_EQ(resp.status, 200);
    EXPECT_FALSE(resp.headers.Has("RateLimit-Limit"));
  }
  EXPECT_TRUE(store.keys.empty());

  http::Request first = MakeRequest("GET", "/x", "/x");
  first.route_class = "no-such-class";
  EXPECT_EQ(RunChain({mw}, Ok200, first).status, 200);
  http::Request second = MakeRequest("GET", "/x", "/x");
  second.route_class = "no-such-class";
  EXPECT_EQ(RunChain({mw}, Ok200, second).status, 429);
  // Signed-in callers fall back to the per-IP bucket when the class has no per-principal limit.
  http::Request user = MakeRequest("GET", "/x", "/x");
  user.principal = http::Principal{.user_id = 7, .session_id = 1, .role = "user"};
  EXPECT_EQ(RunChain({mw}, Ok200, user).status, 429);
  EXPECT_EQ(store.keys, (std::vector<std::string>{"ip:default:203.0.113.7", "ip:default:203.0.113.7",
                                                  "ip:default:203.0.113.7"}));
}

TEST(RateLimitTest, DefaultClasses) {
  RateLimitOptions o = DefaultRateLimits();
  for (const char* c : {"default", "auth", "upload", "static"}) {
    EXPECT_TRUE(o.classes.contains(c)) << c;
  }
  EXPECT_TRUE(o.classes["static"].per_ip.unlimited());
  EXPECT_TRUE(o.classes["static"].per_principal.unlimited());
  EXPECT_FALSE(o.classes["auth"].per_ip.unlimited());
  EXPECT_LT(o.classes["auth"].per_ip.capacity, o.classes["default"].per_ip.capacity);
}

}  // namespace
}  // namespace veza::middleware
