// One contract, two implementations: every test runs on the memory store and on a real redis-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "kv/memory_store.h"
#include "kv/redis_store.h"
#include "kv/testing/redis_server.h"

namespace veza::kv {
namespace {

testing::RedisServer* g_redis = nullptr;
std::string g_no_redis_reason;

class RedisEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    server_ = testing::RedisServer::Start(&g_no_redis_reason);
    g_redis = server_.get();
    if (!g_redis)
      std::cerr << "\n*** WARNING: SKIPPING the Redis half of kv tests: " << g_no_redis_reason << "\n\n";
  }
  void TearDown() override {
    g_redis = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<testing::RedisServer> server_;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new RedisEnvironment);

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = std::make_unique<MemoryStore>(clock_);
    } else {
      if (!g_redis) GTEST_SKIP() << "NO REDIS: " << g_no_redis_reason;
      store_ = g_redis->NewStore();
      ASSERT_NE(store_, nullptr);
    }
  }
  static void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

  SystemClock clock_;  // both stores see real time, so expiry behaves alike
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, CountersStartAtZeroAndAdd) {
  EXPECT_EQ(*store_->GetInt("c"), std::nullopt);
  EXPECT_EQ(*store_->Incr("c", 1, 0), 1);
  EXPECT_EQ(*store_->Incr("c", 5, 0), 6);
  EXPECT_EQ(*store_->Incr("c", -2, 0), 4);
  EXPECT_EQ(*store_->GetInt("c"), 4);
  EXPECT_EQ(*store_->TtlMs("c"), kNoExpiry);
}

TEST_P(StoreContract, CounterTtlSlidesWithEachIncrement) {
  EXPECT_EQ(*store_->Incr("c", 1, 300), 1);
  int64_t ttl = *store_->TtlMs("c");
  EXPECT_GT(ttl, 200);
  EXPECT_LE(ttl, 300);
  Sleep(200);
  EXPECT_EQ(*store_->Incr("c", 1, 300), 2);  // refreshed: lives 300 ms from now
  Sleep(200);
  EXPECT_EQ(*store_->GetInt("c"), 2);
  Sleep(200);
  EXPECT_EQ(*store_->GetInt("c"), std::nullopt);
  EXPECT_EQ(*store_->Incr("c", 1, 300), 1);  // starts over
}

TEST_P(StoreContract, TtlKeys) {
  ASSERT_TRUE(store_->Set("k", "v", 150).ok());
  EXPECT_EQ(*store_->Get("k"), "v");
  EXPECT_FALSE(*store_->SetIfAbsent("k", "w", 0));
  EXPECT_EQ(*store_->Get("k"), "v");
  Sleep(250);
  EXPECT_EQ(*store_->Get("k"), std::nullopt);
  EXPECT_EQ(*store_->TtlMs("k"), kNoKey);
  EXPECT_TRUE(*store_->SetIfAbsent("k", "w", 0));
  EXPECT_EQ(*store_->Get("k"), "w");
  EXPECT_EQ(*store_->TtlMs("k"), kNoExpiry);
  EXPECT_TRUE(*store_->Expire("k", 10'000));
  EXPECT_GT(*store_->TtlMs("k"), 9'000);
  EXPECT_FALSE(*store_->Expire("absent", 1'000));
  EXPECT_TRUE(*store_->Delete("k"));
  EXPECT_FALSE(*store_->Delete("k"));
  EXPECT_EQ(*store_->Get("k"), std::nullopt);
}

TEST_P(StoreContract, SetOverwritesValueAndExpiry) {
  ASSERT_TRUE(store_->Set("k", "one", 100).ok());
  ASSERT_TRUE(store_->Set("k", "two", 0).ok());
  Sleep(150);
  EXPECT_EQ(*store_->Get("k"), "two");
  std::string binary("a\0b\r\n", 5);
  ASSERT_TRUE(store_->Set("bin", binary, 0).ok());
  EXPECT_EQ(*store_->Get("bin"), binary);
}

TEST_P(StoreContract, Sets) {
  EXPECT_EQ(*store_->SetSize("s"), 0);
  EXPECT_TRUE(store_->SetMembers("s")->empty());
  EXPECT_TRUE(*store_->SetAdd("s", "a"));
  EXPECT_TRUE(*store_->SetAdd("s", "b"));
  EXPECT_FALSE(*store_->SetAdd("s", "a"));
  EXPECT_EQ(*store_->SetSize("s"), 2);
  EXPECT_TRUE(*store_->SetContains("s", "a"));
  EXPECT_FALSE(*store_->SetContains("s", "c"));
  auto members = *store_->SetMembers("s");
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(*store_->SetRemove("s", "a"));
  EXPECT_FALSE(*store_->SetRemove("s", "a"));
  EXPECT_TRUE(*store_->SetRemove("s", "b"));
  EXPECT_EQ(*store_->TtlMs("s"), kNoKey);  // empty sets disappear
  EXPECT_TRUE(*store_->SetAdd("s", "x"));
  EXPECT_TRUE(*store_->Expire("s", 100));
  Sleep(200);
  EXPECT_FALSE(*store_->SetContains("s", "x"));
}

TEST_P(StoreContract, ThrottleIsATokenBucket) {
  BucketSpec spec{.capacity = 3, .refill_per_second = 10};  // a token every 100 ms
  int64_t t = 1'700'000'000'000;
  for (int i = 2; i >= 0; --i) {
    auto d = *store_->Throttle("b", spec, t);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, i);
  }
  auto denied = *store_->Throttle("b", spec, t);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 100);
  denied = *store_->Throttle("b", spec, t + 40);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_ms, 60);
  auto again = *store_->Throttle("b", spec, t + 100);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
  // After a long pause the bucket is full again, never fuller.
  auto full = *store_->Throttle("b", spec, t + 10'000);
  EXPECT_TRUE(full.allowed);
  EXPECT_EQ(full.remaining, 2);
  // Another key is untouched.
  EXPECT_EQ(store_->Throttle("other", spec, t)->remaining, 2);
}

TEST_P(StoreContract, ThrottleSlowRefillArithmetic) {
  BucketSpec spec{.capacity = 10, .refill_per_second = 10.0 / 60};  // the sign-in class: 10 a minute
  int64_t t = 1'700'000'000'000;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Throttle("b", spec, t)->allowed);
  auto d = *store_->Throttle("b", spec, t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 6'000);
  EXPECT_TRUE(store_->Throttle("b", spec, t + 6'000)->allowed);
  EXPECT_FALSE(store_->Throttle("b", spec, t + 6'000)->allowed);
}

TEST_P(StoreContract, ConcurrentIncrementsAreAtomic) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) ASSERT_TRUE(store_->Incr("n", 1, 60'000).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(*store_->GetInt("n"), 400);
}

INSTANTIATE_TEST_SUITE_P(Kv, StoreContract, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST(MemoryStore, StaysWithinItsKeyBound) {
  ManualClock clock;
  MemoryStore store(clock, {.max_keys = 64});
  for (int i = 0; i < 1'000; ++i) ASSERT_TRUE(store.Set("k" + std::to_string(i), "v", 60'000).ok());
  EXPECT_LE(store.Size(), 64u);
  EXPECT_EQ(*store.Get("k999"), "v");  // the newest survive
}

TEST(MemoryStore, ExpiryFollowsTheInjectedClock) {
  ManualClock clock;
  MemoryStore store(clock);
  ASSERT_TRUE(store.Set("k", "v", 1'000).ok());
  clock.Advance(999);
  EXPECT_EQ(*store.Get("k"), "v");
  clock.Advance(1);
  EXPECT_EQ(*store.Get("k"), std::nullopt);
}

TEST(RedisStore, RejectsMalformedUrls) {
  EXPECT_FALSE(RedisStore::Open({.url = "http://x"}).ok());
  EXPECT_FALSE(RedisStore::Open({.url = "redis://h:notaport"}).ok());
  EXPECT_FALSE(RedisStore::Open({.url = "redis://h:6379/x"}).ok());
  EXPECT_TRUE(RedisStore::Open({.url = "redis://:pw@h:6379/2"}).ok());
}

TEST(RedisStore, UnreachableServerIsUnavailableNotACrash) {
  auto store = RedisStore::Open({.url = "redis://127.0.0.1:1", .connect_timeout_ms = 200});
  ASSERT_TRUE(store.ok());
  auto r = (*store)->Incr("k", 1, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace veza::kv
