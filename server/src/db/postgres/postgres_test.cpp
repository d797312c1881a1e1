// PostgreSQL-specific behaviour: real deadlocks and serialization failures, timeouts, lost connections,
// and Ping across a server restart.

#include <gtest/gtest.h>

#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "db/session.h"
#include "db/testing/test_database.h"

namespace veza::db {
namespace {

using testing::Engine;
using testing::EngineTest;

class PostgresTest : public EngineTest {
 protected:
  Status Script(std::string_view sql) {
    return db().InTransaction([&](Session& s) { return s.ExecuteScript(sql); });
  }
};

class SmallPostgresTest : public PostgresTest {
 protected:
  DatabaseOptions Options() const override {
    DatabaseOptions o;
    o.pool_size = 1;
    o.query_timeout_ms = 300;
    return o;
  }
};

TEST_P(PostgresTest, ForcedSerializationFailureAndDeadlockAreRetried) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  for (const char* sqlstate : {"40001", "40P01"}) {
    int calls = 0;
    Status s = db().InTransaction([&](Session& session) -> Status {
      ++calls;
      VEZA_TRY(session.Execute("INSERT INTO t VALUES ($1)", {int64_t{calls}}));
      if (calls == 1) {
        VEZA_TRY(session.ExecuteScript(std::string("DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '") +
                                       sqlstate + "'; END $$"));
      }
      return Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().detail;
    EXPECT_EQ(calls, 2) << sqlstate;
  }
  auto rows = db().ReadValue<QueryResult>([](Session& s) { return s.Query("SELECT x FROM t ORDER BY x"); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 2u);  // only the second attempt of each survived
  EXPECT_EQ(rows->rows[0].Int(0), 2);
}

TEST_P(PostgresTest, RealDeadlockIsRetriedAndBothTransactionsCommit) {
  ASSERT_TRUE(Script("CREATE TABLE acc (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                     "INSERT INTO acc VALUES (1, 0), (2, 0)")
                  .ok());
  std::barrier both_locked(2);
  std::atomic<int> attempts{0};
  auto transfer = [&](int64_t first, int64_t second) {
    bool first_attempt = true;
    return db().InTransaction([&](Session& s) -> Status {
      ++attempts;
      VEZA_TRY(s.Execute("UPDATE acc SET n = n + 1 WHERE id = $1", {first}));
      if (first_attempt) {
        first_attempt = false;
        both_locked.arrive_and_wait();  // each holds one row and now wants the other's
      }
      VEZA_TRY(s.Execute("UPDATE acc SET n = n + 1 WHERE id = $1", {second}));
      return Ok();
    });
  };
  Status a, b;
  std::thread ta([&] { a = transfer(1, 2); });
  std::thread tb([&] { b = transfer(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a.error().detail;
  EXPECT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(attempts.load(), 3);  // the deadlock victim ran twice
  auto sum = db().ReadValue<int64_t>([](Session& s) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT sum(n) FROM acc"));
    return row->Int(0);
  });
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 4);
}

TEST_P(PostgresTest, SerializableConflictIsRetried) {
  ASSERT_TRUE(Script("CREATE TABLE doctors (id BIGINT PRIMARY KEY, on_call BOOLEAN NOT NULL);"
                     "INSERT INTO doctors VALUES (1, true), (2, true)")
                  .ok());
  // Classic write skew: each takes itself off call if someone else is still on call.
  std::barrier both_read(2);
  std::atomic<int> attempts{0};
  auto leave = [&](int64_t id) {
    bool first_attempt = true;
    return db().InTransaction([&](Session& s) -> Status {
      ++attempts;
      VEZA_TRY(s.ExecuteScript("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
      VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT count(*) FROM doctors WHERE on_call"));
      if (first_attempt) {
        first_attempt = false;
        both_read.arrive_and_wait();
      }
      if (row->Int(0) < 2) return Ok();
      VEZA_TRY(s.Execute("UPDATE doctors SET on_call = $1 WHERE id = $2", {false, id}));
      return Ok();
    });
  };
  Status a, b;
  std::thread ta([&] { a = leave(1); });
  std::thread tb([&] { b = leave(2); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a.error().detail;
  EXPECT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(attempts.load(), 3);
  auto on_call = db().ReadValue<int64_t>([](Session& s) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT count(*) FROM doctors WHERE on_call = $1", {true}));
    return row->Int(0);
  });
  EXPECT_EQ(*on_call, 1);
}

TEST_P(SmallPostgresTest, StatementTimeoutIsUnavailableAndTheConnectionSurvives) {
  Status slow = db().Read([](Session& s) -> Status {
    VEZA_TRY(s.Query("SELECT pg_sleep(5)"));
    return Ok();
  });
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(slow.error().detail.find("57014"), std::string::npos) << slow.error().detail;
  EXPECT_TRUE(
      db().Read([](Session& s) -> Status { return s.Query("SELECT 1").ok() ? Ok() : Internal("x"); }).ok());
  EXPECT_EQ(db().Stats().total, 1);
}

TEST_P(SmallPostgresTest, StatementsArePreparedOncePerConnection) {
  Status s = db().Read([](Session& session) -> Status {
    for (int i = 0; i < 3; ++i) VEZA_TRY(session.Query("SELECT $1 + 40", {int64_t{2}}));
    VEZA_ASSIGN_OR_RETURN(
        auto row,
        session.QueryOne("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1 + 40'"));
    if (row->Int(0) != 1) return Internal("prepared " + std::to_string(row->Int(0)) + " times");
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << s.error().detail;
}

TEST_P(PostgresTest, TerminatedConnectionsAreReplaced) {
  // Open a few pooled connections.
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      (void)db().Read(
          [](Session& s) -> Status { return s.Query("SELECT pg_sleep(0.05)").ok() ? Ok() : Internal("x"); });
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_GE(db().Stats().total, 2);

  auto admin = Open(testing::PgTestUrl());
  ASSERT_TRUE(admin.ok());
  std::string name = db().Describe().substr(db().Describe().rfind('/') + 1);
  Status killed = (*admin)->Read([&](Session& s) -> Status {
    VEZA_TRY(s.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {name}));
    for (int i = 0; i < 500; ++i) {
      VEZA_ASSIGN_OR_RETURN(auto row,
                            s.QueryOne("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", {name}));
      if (row->Int(0) == 0) return Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Internal("backends did not exit");
  });
  ASSERT_TRUE(killed.ok()) << killed.error().detail;

  for (int i = 0; i < 5; ++i) {
    Status s = db().Read([](Session& session) -> Status {
      VEZA_ASSIGN_OR_RETURN(auto row, session.QueryOne("SELECT $1 * 2", {int64_t{21}}));
      return row->Int(0) == 42 ? Ok() : Internal("wrong answer");
    });
    EXPECT_TRUE(s.ok()) << s.error().detail;
  }
  EXPECT_TRUE(db().Ping().ok());
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresTest, ::testing::Values(Engine::kPostgres),
                         testing::EngineParamName);
INSTANTIATE_TEST_SUITE_P(Postgres, SmallPostgresTest, ::testing::Values(Engine::kPostgres),
                         testing::EngineParamName);

std::string RunScript(const std::string& args, int* status) {
  std::string command = testing::SourceDir() + "/scripts/pg-test-cluster " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buf[256];
  while (pipe != nullptr && std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  int rc = pipe != nullptr ? ::pclose(pipe) : -1;
  if (status != nullptr) *status = rc;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Starts its own cluster, since it stops the server under a live pool.
TEST(PostgresRestartTest, PingFailsFastWhileTheServerIsDownAndRecovers) {
  if (!std::filesystem::exists("/usr/lib/postgresql/15/bin/initdb")) {
    if (testing::AllowNoPg()) GTEST_SKIP() << "PostgreSQL 15 binaries are not installed";
    FAIL() << "PostgreSQL 15 binaries are not installed (/usr/lib/postgresql/15/bin); run scripts/setup, or "
              "set VEZA_TEST_ALLOW_NO_PG=1 to skip";
  }
  std::string dir =
      (std::filesystem::temp_directory_path() / ("veza-pg-restart-" + std::to_string(::getpid()))).string();
  struct Cleanup {
    std::string dir;
    ~Cleanup() { RunScript("stop " + dir, nullptr); }
  } cleanup{dir};
  int rc = 0;
  std::string url = RunScript("start " + dir, &rc);
  ASSERT_EQ(rc, 0) << url;
  ASSERT_EQ(url.rfind("postgresql://postgres@127.0.0.1:", 0), 0u) << url;

  DatabaseOptions options;
  options.pool_size = 2;
  options.connect_timeout_ms = 2000;
  auto opened = Open(url, options);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  Database& db = **opened;
  ASSERT_TRUE(db.Ping().ok());
  ASSERT_TRUE(
      db.Read([](Session& s) -> Status { return s.Query("SELECT 1").ok() ? Ok() : Internal("x"); }).ok());

  std::string halted = RunScript("halt " + dir, &rc);
  ASSERT_EQ(rc, 0) << halted;
  auto start = std::chrono::steady_clock::now();
  Status down = db.Ping();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(down.error().retry_after_s, 0);
  EXPECT_LT(took, std::chrono::seconds(3));
  Status read_down = db.Read([](Session& s) -> Status {
    VEZA_TRY(s.Query("SELECT 1"));
    return Ok();
  });
  ASSERT_FALSE(read_down.ok());
  EXPECT_EQ(read_down.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(db.Ping().ok());

  std::string restarted = RunScript("start " + dir, &rc);
  ASSERT_EQ(rc, 0) << restarted;
  EXPECT_EQ(restarted, url);  // same port
  Status up = db.Ping();
  EXPECT_TRUE(up.ok()) << up.error().detail;
  Status read_up = db.Read([](Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT $1 + 1", {int64_t{1}}));
    return row->Int(0) == 2 ? Ok() : Internal("wrong");
  });
  EXPECT_TRUE(read_up.ok()) << read_up.error().detail;
  EXPECT_LE(db.Stats().total, 2);
}

}  // namespace
}  // namespace veza::db
