#include "db/session.h"

#include <gtest/gtest.h>

#include <limits>

#include "db/internal.h"
#include "db/testing/test_database.h"

namespace veza::db {
namespace {

TEST(RowTest, AccessorsConvertBetweenEngineRepresentations) {
  Row row(
      {nullptr, int64_t{42}, 2.5, true, std::string("17"), int64_t{0}, std::string("t"), std::string("x")});
  EXPECT_TRUE(row.IsNull(0));
  EXPECT_EQ(row.Int(0), 0);
  EXPECT_EQ(row.Double(0), 0.0);
  EXPECT_FALSE(row.Bool(0));
  EXPECT_EQ(row.Text(0), "");
  EXPECT_FALSE(row.OptInt(0).has_value());
  EXPECT_FALSE(row.OptText(0).has_value());

  EXPECT_EQ(row.Int(1), 42);
  EXPECT_EQ(row.Double(1), 42.0);
  EXPECT_TRUE(row.Bool(1));
  EXPECT_EQ(row.Text(1), "42");
  EXPECT_EQ(row.Double(2), 2.5);
  EXPECT_EQ(row.Text(2), "2.5");
  EXPECT_TRUE(row.Bool(3));
  EXPECT_EQ(row.Int(3), 1);
  EXPECT_EQ(row.Int(4), 17);
  // SQLite stores booleans as integers 0/1.
  EXPECT_FALSE(row.Bool(5));
  EXPECT_TRUE(row.Bool(6));
  EXPECT_FALSE(row.OptInt(7).has_value());
  EXPECT_THROW(row.raw(8), std::out_of_range);
}

TEST(RedactUrlTest, HidesPasswords) {
  EXPECT_EQ(RedactUrl("postgresql://veza:s3cret@db.example:5432/veza?sslmode=require"),
            "postgresql://veza:***@db.example:5432/veza?sslmode=require");
  EXPECT_EQ(RedactUrl("postgres://veza:p@ss@db/veza"), "postgres://veza:***@db/veza");
  EXPECT_EQ(RedactUrl("postgresql://veza@db/veza"), "postgresql://veza@db/veza");
  EXPECT_EQ(RedactUrl("postgresql://db/veza?user=veza&password=hunter2&sslmode=disable"),
            "postgresql://db/veza?user=veza&password=***&sslmode=disable");
  EXPECT_EQ(RedactUrl("sqlite:data/veza.db"), "sqlite:data/veza.db");
  EXPECT_EQ(RedactUrl("sqlite::memory:"), "sqlite::memory:");
}

TEST(OpenTest, RejectsUnknownSchemesClearly) {
  auto r = Open("mysql://root@localhost/veza");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  EXPECT_NE(r.error().message.find("\"mysql\""), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("sqlite:PATH"), std::string::npos);
  EXPECT_EQ(r.error().fields.count("database_url"), 1u);

  auto none = Open("veza.db");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kValidation);

  auto empty = Open("sqlite:");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kValidation);
}

TEST(OpenTest, UnreachablePostgresIsUnavailableWithoutPassword) {
  DatabaseOptions options;
  options.connect_timeout_ms = 1000;
  // Port 1 on loopback refuses at once.
  auto r = Open("postgresql://veza:topsecret@127.0.0.1:1/veza", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(r.error().retry_after_s, 0);
  EXPECT_EQ(r.error().detail.find("topsecret"), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().message.find("topsecret"), std::string::npos);
}

TEST(OpenTest, MemoryDatabaseIsPrivateAndReadsSeeWrites) {
  auto a = Open("sqlite::memory:");
  auto b = Open("sqlite::memory:");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->Describe(), "sqlite::memory:");
  ASSERT_TRUE((*a)->InTransaction([](Session& s) -> Status {
                    VEZA_TRY(s.ExecuteScript("CREATE TABLE t (x BIGINT)"));
                    return s.Execute("INSERT INTO t VALUES ($1)", {int64_t{7}}).ok() ? Ok()
                                                                                     : Internal("insert");
                  })
                  .ok());
  auto x = (*a)->ReadValue<int64_t>([](Session& s) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT x FROM t"));
    return row->Int(0);
  });
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(*x, 7);
  Status other = (*b)->Read(
      [](Session& s) -> Status { return s.Query("SELECT x FROM t").ok() ? Ok() : Internal("no t"); });
  EXPECT_FALSE(other.ok());
  EXPECT_TRUE((*a)->Ping().ok());
}

TEST(RetryTest, BackoffGrowsWithJitterAndIsCapped) {
  for (int i = 0; i < 50; ++i) {
    auto first = internal::Backoff(1).count();
    EXPECT_GE(first, 1'000);
    EXPECT_LE(first, 2'000);
    auto late = internal::Backoff(30).count();
    EXPECT_GE(late, 100'000);
    EXPECT_LE(late, 200'000);
  }
}

TEST(RetryTest, RetriesOnlyRetryableErrorsAndGivesUp) {
  int calls = 0;
  Status s = internal::RunWithRetries(3, [&]() -> Status {
    ++calls;
    return internal::BusyError("locked");
  });
  EXPECT_EQ(calls, 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(s.error()));
  EXPECT_NE(s.error().detail.find("gave up after 3 attempts"), std::string::npos);

  calls = 0;
  s = internal::RunWithRetries(5, [&]() -> Status {
    ++calls;
    return NotFound();
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);

  calls = 0;
  s = internal::RunWithRetries(
      5, [&]() -> Status { return ++calls < 3 ? Status(internal::BusyError("x")) : Ok(); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
}

TEST(TestingTest, WithDatabaseNameReplacesOnlyThePath) {
  using testing::WithDatabaseName;
  EXPECT_EQ(WithDatabaseName("postgresql://postgres@127.0.0.1:5432/veza_test", "x"),
            "postgresql://postgres@127.0.0.1:5432/x");
  EXPECT_EQ(WithDatabaseName("postgresql://u:p@h:1/db?sslmode=disable", "x"),
            "postgresql://u:p@h:1/x?sslmode=disable");
  EXPECT_EQ(WithDatabaseName("postgresql://h", "x"), "postgresql://h/x");
  EXPECT_EQ(WithDatabaseName("postgresql://h?a=b", "x"), "postgresql://h/x?a=b");
}

}  // namespace
}  // namespace veza::db
