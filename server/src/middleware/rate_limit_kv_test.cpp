// The kv-backed rate-limit store: the same token-bucket answers as the in-memory one, on the memory
// kv store and on a real redis-server, and shared between two stores (two nodes) over one Redis.
#include <gtest/gtest.h>

#include <iostream>

#include "core/clock.h"
#include "kv/memory_store.h"
#include "kv/redis_store.h"
#include "kv/testing/redis_server.h"
#include "middleware/rate_limit_kv_store.h"

namespace veza::middleware {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

kv::testing::RedisServer* SharedRedis() {
  static std::string why;
  static std::unique_ptr<kv::testing::RedisServer> server = [] {
    auto s = kv::testing::RedisServer::Start(&why);
    if (!s) std::cerr << "\n*** WARNING: SKIPPING the Redis half of the rate-limit tests: " << why << "\n\n";
    return s;
  }();
  return server.get();
}

class KvRateLimitStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      kv_ = std::make_unique<kv::MemoryStore>(clock_);
    } else {
      if (!SharedRedis()) GTEST_SKIP() << "NO REDIS (redis-server missing)";
      kv_ = SharedRedis()->NewStore();
    }
    store_ = std::make_unique<KvRateLimitStore>(*kv_);
  }
  ManualClock clock_{kT0};
  std::unique_ptr<kv::Store> kv_;
  std::unique_ptr<KvRateLimitStore> store_;
};

TEST_P(KvRateLimitStoreTest, AnswersLikeTheMemoryStore) {
  MemoryRateLimitStore reference;
  BucketSpec spec{.capacity = 3, .refill_per_second = 1};
  for (int64_t at : {0, 0, 0, 0, 400, 1000, 1000, 60'000, 60'000, 60'000, 60'000}) {
    Decision want = reference.Take("k", spec, kT0 + at);
    Decision got = store_->Take("k", spec, kT0 + at);
    EXPECT_EQ(got.allowed, want.allowed) << "at +" << at;
    EXPECT_EQ(got.remaining, want.remaining) << "at +" << at;
    EXPECT_EQ(got.retry_after_ms, want.retry_after_ms) << "at +" << at;
    EXPECT_EQ(got.limit, 3);
  }
  BucketSpec ten_a_minute{.capacity = 1, .refill_per_second = 10.0 / 60};
  for (int64_t at : {0, 0, 5999, 12'000}) {
    Decision want = reference.Take("m", ten_a_minute, kT0 + at);
    Decision got = store_->Take("m", ten_a_minute, kT0 + at);
    EXPECT_EQ(got.allowed, want.allowed) << "at +" << at;
    EXPECT_EQ(got.retry_after_ms, want.retry_after_ms) << "at +" << at;
  }
  EXPECT_TRUE(store_->Take("u", BucketSpec{}, kT0).allowed);  // unlimited
}

INSTANTIATE_TEST_SUITE_P(Kv, KvRateLimitStoreTest, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

TEST(KvRateLimitStoreRedis, TwoNodesDrawFromOneBucket) {
  if (!SharedRedis()) GTEST_SKIP() << "NO REDIS (redis-server missing)";
  auto a_kv = kv::RedisStore::Open({.url = SharedRedis()->url(), .key_prefix = "two-nodes:"});
  auto b_kv = kv::RedisStore::Open({.url = SharedRedis()->url(), .key_prefix = "two-nodes:"});
  KvRateLimitStore a(**a_kv), b(**b_kv);
  BucketSpec spec{.capacity = 4, .refill_per_second = 0.01};
  int64_t t = kT0 + 123'456;  // keys unique to this run even on a shared server
  std::string key = "ip:auth:" + std::to_string(t);
  EXPECT_TRUE(a.Take(key, spec, t).allowed);
  EXPECT_TRUE(b.Take(key, spec, t).allowed);
  EXPECT_TRUE(a.Take(key, spec, t).allowed);
  Decision last = b.Take(key, spec, t);
  EXPECT_TRUE(last.allowed);
  EXPECT_EQ(last.remaining, 0);
  EXPECT_FALSE(a.Take(key, spec, t).allowed);
  EXPECT_FALSE(b.Take(key, spec, t).allowed);
}

TEST(KvRateLimitStoreRedis, UnreachableStoreLetsRequestsThrough) {
  auto kv = kv::RedisStore::Open({.url = "redis://127.0.0.1:1", .connect_timeout_ms = 200});
  KvRateLimitStore store(**kv);
  Decision d = store.Take("k", {.capacity = 1, .refill_per_second = 1}, kT0);
  EXPECT_TRUE(d.allowed);
}

}  // namespace
}  // namespace veza::middleware
