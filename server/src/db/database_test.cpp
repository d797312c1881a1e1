// The Database contract, run on both engines.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <future>
#include <limits>
#include <set>
#include <thread>

#include "db/internal.h"
#include "db/session.h"
#include "db/testing/test_database.h"

namespace veza::db {
namespace {

using testing::Engine;
using testing::EngineTest;

class DatabaseTest : public EngineTest {
 protected:
  Status Script(std::string_view sql) {
    return db().InTransaction([&](Session& s) { return s.ExecuteScript(sql); });
  }
  Result<int64_t> Count(std::string_view table) {
    return db().ReadValue<int64_t>([&](Session& s) -> Result<int64_t> {
      VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT count(*) FROM " + std::string(table)));
      return row->Int(0);
    });
  }
};

TEST_P(DatabaseTest, DialectPingAndDescribe) {
  EXPECT_EQ(db().dialect(), GetParam() == Engine::kSqlite ? Dialect::kSqlite : Dialect::kPostgres);
  Status ping = db().Ping();
  EXPECT_TRUE(ping.ok()) << (ping.ok() ? "" : ping.error().detail);
  std::string describe = db().Describe();
  EXPECT_EQ(describe.rfind(GetParam() == Engine::kSqlite ? "sqlite:/" : "postgresql://", 0), 0u) << describe;
  EXPECT_EQ(describe.find('@'), std::string::npos) << describe;
}

TEST_P(DatabaseTest, TypedValuesRoundTrip) {
  ASSERT_TRUE(
      Script("CREATE TABLE vals (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, b BOOLEAN, t TEXT)")
          .ok());
  std::string binaryish;
  for (int c = 1; c < 128; ++c) binaryish.push_back(static_cast<char>(c));
  const std::vector<std::vector<Value>> rows = {
      {int64_t{1}, std::numeric_limits<int64_t>::max(), 3.141592653589793, true,
       std::string("héllo wörld ♫ 音楽 🎵")},
      {int64_t{2}, std::numeric_limits<int64_t>::min(), -1e300, false, std::string("")},
      {int64_t{3}, int64_t{-1}, 1e-300, true, binaryish},
      {int64_t{4}, int64_t{0}, 0.1, false, std::string("it's \"quoted\" \\ ; $1 -- not a comment")},
      {int64_t{5}, nullptr, nullptr, nullptr, nullptr},
  };
  Status inserted = db().InTransaction([&](Session& s) -> Status {
    for (const auto& row : rows) {
      VEZA_ASSIGN_OR_RETURN(int64_t n,
                            s.Execute("INSERT INTO vals (id, i, d, b, t) VALUES ($1, $2, $3, $4, $5)", row));
      if (n != 1) return Internal("expected one row");
    }
    return Ok();
  });
  ASSERT_TRUE(inserted.ok()) << inserted.error().detail;

  auto result = db().ReadValue<QueryResult>(
      [](Session& s) { return s.Query("SELECT id, i, d, b, t FROM vals ORDER BY id"); });
  ASSERT_TRUE(result.ok()) << result.error().detail;
  EXPECT_EQ(result->columns, (std::vector<std::string>{"id", "i", "d", "b", "t"}));
  ASSERT_EQ(result->rows.size(), rows.size());
  for (size_t r = 0; r + 1 < rows.size(); ++r) {
    const Row& row = result->rows[r];
    EXPECT_EQ(row.Int(0), std::get<int64_t>(rows[r][0]));
    EXPECT_EQ(row.Int(1), std::get<int64_t>(rows[r][1])) << r;
    EXPECT_EQ(row.Double(2), std::get<double>(rows[r][2])) << r;  // exact: shortest round-trip text on PG
    EXPECT_EQ(row.Bool(3), std::get<bool>(rows[r][3])) << r;
    EXPECT_EQ(row.Text(4), std::get<std::string>(rows[r][4])) << r;
    EXPECT_TRUE(std::holds_alternative<int64_t>(row.raw(1)));
    EXPECT_TRUE(std::holds_alternative<double>(row.raw(2)));
  }
  const Row& nulls = result->rows.back();
  for (size_t c = 1; c < 5; ++c) EXPECT_TRUE(nulls.IsNull(c)) << c;
  EXPECT_FALSE(nulls.OptInt(1).has_value());
  EXPECT_FALSE(nulls.OptDouble(2).has_value());
  EXPECT_FALSE(nulls.OptText(4).has_value());

  // Parameters used in expressions keep their types on both engines.
  auto expr = db().ReadValue<std::optional<Row>>([](Session& s) {
    return s.QueryOne("SELECT $1 + 1, $2 * 2, $3", {int64_t{41}, 1.25, true});
  });
  ASSERT_TRUE(expr.ok()) << expr.error().detail;
  EXPECT_EQ((*expr)->Int(0), 42);
  EXPECT_EQ((*expr)->Double(1), 2.5);
  EXPECT_TRUE((*expr)->Bool(2));

  // Booleans compare the same way on both (SQLite stores them as 0/1).
  auto trues = db().ReadValue<std::optional<Row>>(
      [](Session& s) { return s.QueryOne("SELECT count(*) FROM vals WHERE b = $1", {true}); });
  ASSERT_TRUE(trues.ok()) << trues.error().detail;
  EXPECT_EQ((*trues)->Int(0), 2);
}

TEST_P(DatabaseTest, ReturningAndAffectedCounts) {
  ASSERT_TRUE(
      Script("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL, qty BIGINT NOT NULL)").ok());
  auto inserted = db().Transaction<QueryResult>([](Session& s) {
    return s.Query("INSERT INTO items (id, name, qty) VALUES ($1, $2, $3), ($4, $5, $6) RETURNING id, name",
                   {int64_t{10}, std::string("a"), int64_t{1}, int64_t{20}, std::string("b"), int64_t{2}});
  });
  ASSERT_TRUE(inserted.ok()) << inserted.error().detail;
  EXPECT_EQ(inserted->affected, 2);
  ASSERT_EQ(inserted->rows.size(), 2u);
  EXPECT_EQ(inserted->rows[1].Int(0), 20);
  EXPECT_EQ(inserted->rows[1].Text(1), "b");

  auto updated = db().Transaction<std::optional<Row>>([](Session& s) {
    return s.QueryOne("UPDATE items SET qty = qty + $1 WHERE id = $2 RETURNING qty",
                      {int64_t{5}, int64_t{20}});
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)->Int(0), 7);

  auto none = db().Transaction<std::optional<Row>>([](Session& s) {
    return s.QueryOne("UPDATE items SET qty = 0 WHERE id = $1 RETURNING qty", {int64_t{99}});
  });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto changed = db().Transaction<int64_t>([](Session& s) { return s.Execute("UPDATE items SET qty = 0"); });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2);
  auto selected = db().ReadValue<QueryResult>([](Session& s) { return s.Query("SELECT id FROM items"); });
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(selected->rows.size(), 2u);
  EXPECT_EQ(selected->affected, 0);  // a SELECT changes nothing, even right after an UPDATE
  auto created =
      db().Transaction<int64_t>([](Session& s) { return s.Execute("CREATE TABLE other (x BIGINT)"); });
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created, 0);
  auto deleted = db().Transaction<int64_t>(
      [](Session& s) { return s.Execute("DELETE FROM items WHERE id = $1", {int64_t{10}}); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
}

TEST_P(DatabaseTest, ConstraintViolationsAreConflicts) {
  ASSERT_TRUE(
      Script("CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL UNIQUE);"
             "CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users (id))")
          .ok());
  ASSERT_TRUE(
      db().InTransaction([](Session& s) -> Status {
            return s.Execute("INSERT INTO users VALUES ($1, $2)", {int64_t{1}, std::string("a@x")}).ok()
                       ? Ok()
                       : Internal("insert");
          })
          .ok());
  auto insert_user = [&](int64_t id, std::string email) {
    return db().InTransaction([&](Session& s) -> Status {
      VEZA_TRY(s.Execute("INSERT INTO users VALUES ($1, $2)", {id, email}));
      return Ok();
    });
  };
  Status dup_email = insert_user(2, "a@x");
  ASSERT_FALSE(dup_email.ok());
  EXPECT_EQ(dup_email.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup_email.error().slug, "conflict");
  EXPECT_NE(dup_email.error().detail.find("email"), std::string::npos) << dup_email.error().detail;
  EXPECT_EQ(dup_email.error().message.find("INSERT"), std::string::npos);  // no SQL in the client message

  Status dup_id = insert_user(1, "b@x");
  ASSERT_FALSE(dup_id.ok());
  EXPECT_EQ(dup_id.error().code, ErrorCode::kConflict);

  Status orphan = db().InTransaction([](Session& s) -> Status {
    VEZA_TRY(s.Execute("INSERT INTO posts VALUES ($1, $2)", {int64_t{1}, int64_t{404}}));
    return Ok();
  });
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code, ErrorCode::kConflict) << orphan.error().detail;
  EXPECT_FALSE(IsRetryable(orphan.error()));
  auto n = Count("users");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST_P(DatabaseTest, ErrorStatusRollsBackAndPropagates) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  int calls = 0;
  Status s = db().InTransaction([&](Session& session) -> Status {
    ++calls;
    VEZA_TRY(session.Execute("INSERT INTO t VALUES ($1)", {int64_t{1}}));
    return NotFound("gone");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.error().message, "gone");
  EXPECT_EQ(calls, 1);  // not retried
  EXPECT_EQ(*Count("t"), 0);

  EXPECT_THROW(db().InTransaction([&](Session& session) -> Status {
    (void)session.Execute("INSERT INTO t VALUES ($1)", {int64_t{2}});
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(*Count("t"), 0);

  // The connection is usable afterwards (no transaction left open).
  ASSERT_TRUE(db().InTransaction([](Session& session) -> Status {
                    VEZA_TRY(session.Execute("INSERT INTO t VALUES ($1)", {int64_t{3}}));
                    return Ok();
                  })
                  .ok());
  EXPECT_EQ(*Count("t"), 1);
}

TEST_P(DatabaseTest, RetryableFailureRerunsTheWholeTransaction) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  int calls = 0;
  Status s = db().InTransaction([&](Session& session) -> Status {
    ++calls;
    VEZA_TRY(session.Execute("INSERT INTO t VALUES ($1)", {int64_t{calls}}));
    if (calls < 3) return internal::BusyError("simulated");
    return Ok();
  });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
  auto rows = db().ReadValue<QueryResult>([](Session& session) { return session.Query("SELECT x FROM t"); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].Int(0), 3);

  calls = 0;
  s = db().InTransaction(
      [&](Session&) -> Status {
        ++calls;
        return internal::BusyError("always");
      },
      TransactionOptions{4});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(s.error().retry_after_s, 0);
}

TEST_P(DatabaseTest, BadStatementsAreInternalWithSqlInDetailOnly) {
  Status syntax = db().Read([](Session& s) -> Status {
    VEZA_TRY(s.Query("SELEC nonsense"));
    return Ok();
  });
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code, ErrorCode::kInternal);
  EXPECT_NE(syntax.error().detail.find("SELEC nonsense"), std::string::npos);
  EXPECT_EQ(syntax.error().message.find("SELEC"), std::string::npos);

  Status missing = db().Read([](Session& s) -> Status {
    VEZA_TRY(s.Query("SELECT $1 + $2", {int64_t{1}}));
    return Ok();
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInternal);

  // Extra parameters are ignored on both engines (PostgreSQL accepts declared but unused ones).
  auto extra = db().ReadValue<std::optional<Row>>([](Session& s) {
    return s.QueryOne("SELECT $1 + 1", {int64_t{1}, int64_t{2}});
  });
  ASSERT_TRUE(extra.ok()) << extra.error().detail;
  EXPECT_EQ((*extra)->Int(0), 2);
}

TEST_P(DatabaseTest, ConcurrentIncrementsThroughTransactionsAreExact) {
  ASSERT_TRUE(Script("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                     "INSERT INTO counter VALUES (1, 0)")
                  .ok());
  constexpr int kThreads = 8;
  constexpr int kIncrements = 200;
  std::vector<std::vector<int64_t>> seen(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        auto n = db().Transaction<int64_t>(
            [](Session& s) -> Result<int64_t> {
              VEZA_ASSIGN_OR_RETURN(
                  auto row,
                  s.QueryOne("UPDATE counter SET n = n + 1 WHERE id = $1 RETURNING n", {int64_t{1}}));
              return row->Int(0);
            },
            TransactionOptions{20});
        if (n.ok()) {
          seen[t].push_back(*n);
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto total = db().ReadValue<int64_t>([](Session& s) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT n FROM counter WHERE id = 1"));
    return row->Int(0);
  });
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, kThreads * kIncrements);
  std::set<int64_t> all;
  for (auto& v : seen) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kIncrements));  // every value handed out once
  PoolStats stats = db().Stats();
  EXPECT_EQ(stats.in_use, 0);
  EXPECT_LE(stats.total, 8 + 1);
}

TEST_P(DatabaseTest, ReadsDoNotSeeUncommittedWrites) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  Status s = db().InTransaction([&](Session& session) -> Status {
    VEZA_TRY(session.Execute("INSERT INTO t VALUES ($1)", {int64_t{1}}));
    // A reader on another thread runs while this transaction is open: it must neither block nor see the row.
    auto seen = std::async(std::launch::async, [&] { return Count("t"); });
    if (seen.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
      return Internal("reader blocked");
    auto n = seen.get();
    if (!n.ok()) return std::move(n).error();
    if (*n != 0) return Internal("reader saw an uncommitted row");
    return Ok();
  });
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(*Count("t"), 1);
}

class SmallPoolTest : public testing::EngineTest {
 protected:
  DatabaseOptions Options() const override {
    DatabaseOptions o;
    o.pool_size = 2;
    return o;
  }
};

TEST_P(SmallPoolTest, StatsCountConnectionsAndWaits) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> inside{0};
  auto hold = [&] {
    return db().Read([&](Session& s) -> Status {
      VEZA_TRY(s.Query("SELECT 1"));
      ++inside;
      released.wait();
      return Ok();
    });
  };
  auto a = std::async(std::launch::async, hold);
  auto b = std::async(std::launch::async, hold);
  while (inside.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  PoolStats busy = db().Stats();
  EXPECT_GE(busy.in_use, 2);
  EXPECT_EQ(busy.waits, 0);
  auto c = std::async(std::launch::async, hold);  // the pool is full: this one waits
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (db().Stats().waits < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(db().Stats().waits, 1);
  EXPECT_EQ(inside.load(), 2);
  EXPECT_TRUE(db().Ping().ok());  // health checks do not queue behind a full pool
  release.set_value();
  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
  EXPECT_TRUE(c.get().ok());
  PoolStats after = db().Stats();
  EXPECT_EQ(after.in_use, 0);
  // SQLite: two readers plus the writer; PostgreSQL: the pool.
  EXPECT_EQ(after.total, GetParam() == Engine::kSqlite ? 3 : 2);
}

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName);
INSTANTIATE_TEST_SUITE_P(Engines, SmallPoolTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName);

}  // namespace
}  // namespace veza::db
