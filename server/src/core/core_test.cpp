#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json.h"

namespace veza {
namespace {

TEST(Ids, StrictlyIncreasingAndCarryTheirTime) {
  ManualClock clock(1'800'000'000'000);
  IdGenerator gen(clock, 5);
  Id prev = 0;
  for (int i = 0; i < 2000; ++i) {  // more than 512 per millisecond: borrows the next millisecond
    Id id = gen.Next();
    ASSERT_GT(id, prev);
    prev = id;
  }
  clock.Advance(10);
  Id later = gen.Next();
  EXPECT_GE(IdGenerator::TimestampMs(later), 1'800'000'000'010);
}

TEST(Ids, NeverGoBackwardsWhenTheClockDoes) {
  ManualClock clock(1'800'000'000'000);
  IdGenerator gen(clock, 1);
  Id a = gen.Next();
  clock.Advance(-5000);
  EXPECT_GT(gen.Next(), a);
}

TEST(Ids, DistinctAcrossNodesAndThreads) {
  SystemClock clock;
  IdGenerator n1(clock, 1), n2(clock, 2);
  std::set<Id> seen;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Id> local;
      for (int i = 0; i < 5000; ++i) local.push_back(t % 2 ? n1.Next() : n2.Next());
      std::lock_guard lock(mu);
      seen.insert(local.begin(), local.end());
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(seen.size(), 20'000u);
}

TEST(Ids, ParseAcceptsOnlyPositiveDecimal) {
  EXPECT_EQ(ParseId("123"), 123);
  EXPECT_EQ(ParseId(IdToString(9'223'372'036'854'775'807)), 9'223'372'036'854'775'807);
  for (const char* bad : {"", "0", "-1", "12a", " 1", "99999999999999999999", "1.5"}) {
    EXPECT_FALSE(ParseId(bad).has_value()) << bad;
  }
}

TEST(Clock, Rfc3339) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'764'067'844'123), "2025-11-25T10:50:44.123Z");
}

TEST(Json, MalformedSaysWhere) {
  auto r = json::Parse("{\n  \"a\": 1,\n  \"b\": }");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(r.error().slug, "invalid_json");
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
  EXPECT_FALSE(json::Parse("").ok());
  EXPECT_FALSE(json::Parse("{} trailing").ok());
}

TEST(Json, ReaderCollectsEveryFieldProblem) {
  auto obj = json::ParseObject(R"({"name": 5, "age": "x", "bio": "  hello  ", "n": 3.0, "flag": "yes"})");
  ASSERT_TRUE(obj.ok());
  json::ObjectReader r(*obj);
  r.RequiredString("name");
  r.OptionalInt("age");
  EXPECT_EQ(r.OptionalString("bio"), "hello");
  EXPECT_EQ(r.OptionalInt("n"), 3);
  r.OptionalBool("flag");
  r.RequiredString("missing");
  auto status = r.Finish();
  ASSERT_FALSE(status.ok());
  const auto& fields = status.error().fields;
  EXPECT_EQ(status.error().code, ErrorCode::kValidation);
  EXPECT_EQ(fields.at("name"), "must be a string");
  EXPECT_EQ(fields.at("age"), "must be an integer");
  EXPECT_EQ(fields.at("flag"), "must be true or false");
  EXPECT_EQ(fields.at("missing"), "is required");
  EXPECT_EQ(fields.size(), 4u);
}

TEST(Json, LengthIsCountedInCharactersNotBytes) {
  auto obj = json::ParseObject(R"({"s": "ééé"})");
  json::ObjectReader r(*obj);
  EXPECT_EQ(r.OptionalString("s", {.max_len = 3}), "ééé");
  EXPECT_TRUE(r.Finish().ok());
}

TEST(Json, NonObjectBodyIs422) {
  auto r = json::ParseObject("[1,2]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
}

}  // namespace
}  // namespace veza
