// SQLite-specific behaviour: pragmas, real lock contention, and Ping against the file on disk.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "db/session.h"
#include "db/testing/test_database.h"

namespace veza::db {
namespace {

using testing::Engine;
using testing::ScratchDatabase;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen({}); }

  void Reopen(const DatabaseOptions& options) {
    scratch_.reset();
    auto scratch = ScratchDatabase::Create(Engine::kSqlite, options);
    ASSERT_TRUE(scratch.ok()) << scratch.error().detail;
    scratch_ = std::move(scratch).value();
  }

  Database& db() { return scratch_->db(); }
  const std::string& path() { return scratch_->sqlite_path(); }

  Status Script(std::string_view sql) {
    return db().InTransaction([&](Session& s) { return s.ExecuteScript(sql); });
  }

  std::unique_ptr<ScratchDatabase> scratch_;
};

std::string PragmaText(Session& s, const std::string& pragma) {
  auto row = s.QueryOne("PRAGMA " + pragma);
  return row.ok() && row->has_value() ? (*row)->Text(0) : "?";
}

TEST_F(SqliteTest, ConnectionsUseWalForeignKeysAndNormalSync) {
  Status s = db().InTransaction([](Session& session) -> Status {
    EXPECT_EQ(PragmaText(session, "journal_mode"), "wal");
    EXPECT_EQ(PragmaText(session, "foreign_keys"), "1");
    EXPECT_EQ(PragmaText(session, "synchronous"), "1");
    EXPECT_EQ(PragmaText(session, "busy_timeout"), "5000");
    return Ok();
  });
  ASSERT_TRUE(s.ok());
  // Readers are read-only.
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  Status write_in_read = db().Read([](Session& session) -> Status {
    VEZA_TRY(session.Execute("INSERT INTO t VALUES (1)"));
    return Ok();
  });
  EXPECT_FALSE(write_in_read.ok());
}

TEST_F(SqliteTest, OnlyDollarPlaceholdersAreAccepted) {
  Status s = db().Read([](Session& session) -> Status {
    VEZA_TRY(session.Query("SELECT ?", {int64_t{1}}));
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("$1"), std::string::npos);
  // Several statements need ExecuteScript.
  Status two = db().Read([](Session& session) -> Status {
    VEZA_TRY(session.Query("SELECT 1; SELECT 2"));
    return Ok();
  });
  EXPECT_FALSE(two.ok());
}

TEST_F(SqliteTest, StatementCacheEvictsWithoutBreakingQueries) {
  Status s = db().Read([](Session& session) -> Status {
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 600; ++i) {
        VEZA_ASSIGN_OR_RETURN(auto row,
                              session.QueryOne("SELECT $1 + " + std::to_string(i), {int64_t{round}}));
        if (row->Int(0) != i + round) return Internal("wrong value");
      }
    }
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().detail);
}

// Another process holds the write lock for `hold_ms`.
std::thread HoldWriteLock(const std::string& path, int hold_ms, std::atomic<bool>& locked) {
  return std::thread([path, hold_ms, &locked] {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO t VALUES (100)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    locked = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(other);
  });
}

TEST_F(SqliteTest, BusyWriterIsRetriedUntilTheLockIsReleased) {
  DatabaseOptions options;
  options.busy_timeout_ms = 20;  // so that the lock outlasts the busy handler and retries kick in
  Reopen(options);
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());

  std::atomic<bool> locked{false};
  std::thread holder = HoldWriteLock(path(), 400, locked);
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  // Readers are not blocked by the writer (WAL).
  auto during = db().ReadValue<int64_t>([](Session& s) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT count(*) FROM t"));
    return row->Int(0);
  });
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(*during, 0);

  // Too few attempts: gives up with a retryable 503.
  Status gave_up = db().InTransaction(
      [](Session& s) -> Status {
        VEZA_TRY(s.Execute("INSERT INTO t VALUES (1)"));
        return Ok();
      },
      TransactionOptions{2});
  ASSERT_FALSE(gave_up.ok());
  EXPECT_EQ(gave_up.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(gave_up.error()));
  EXPECT_NE(gave_up.error().detail.find("gave up after 2 attempts"), std::string::npos)
      << gave_up.error().detail;

  auto start = std::chrono::steady_clock::now();
  Status s = db().InTransaction(
      [](Session& session) -> Status {
        VEZA_TRY(session.Execute("INSERT INTO t VALUES (2)"));
        return Ok();
      },
      TransactionOptions{100});
  auto waited = std::chrono::steady_clock::now() - start;
  holder.join();
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_GT(waited, std::chrono::milliseconds(100));
  auto rows = db().ReadValue<int64_t>([](Session& session) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(auto row, session.QueryOne("SELECT count(*) FROM t"));
    return row->Int(0);
  });
  EXPECT_EQ(*rows, 2);  // the other process's row and ours
}

TEST_F(SqliteTest, PingFailsWhileTheFileIsUnreadableAndRecovers) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  ASSERT_TRUE(db().Ping().ok());
  ASSERT_EQ(::chmod(path().c_str(), 0), 0);
  Status down = db().Ping();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(down.error().message, "The database cannot be read.");
  EXPECT_GT(down.error().retry_after_s, 0);
  ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
  Status up = db().Ping();
  EXPECT_TRUE(up.ok()) << up.error().detail;
  // Readable but not writable also counts as down: the server could not save anything.
  ASSERT_EQ(::chmod(path().c_str(), 0444), 0);
  EXPECT_FALSE(db().Ping().ok());
  ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
  EXPECT_TRUE(db().Ping().ok());
}

TEST_F(SqliteTest, PingFailsWhileTheFileIsMovedAwayAndRecovers) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  std::string moved = path() + ".moved";
  ASSERT_EQ(std::rename(path().c_str(), moved.c_str()), 0);
  Status down = db().Ping();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(path()));  // Ping did not create an empty database in its place
  ASSERT_EQ(std::rename(moved.c_str(), path().c_str()), 0);
  Status up = db().Ping();
  EXPECT_TRUE(up.ok()) << up.error().detail;
  EXPECT_TRUE(Script("INSERT INTO t VALUES (1)").ok());
}

TEST_F(SqliteTest, PingReportsAFileReplacedUnderTheServer) {
  ASSERT_TRUE(Script("CREATE TABLE t (x BIGINT)").ok());
  std::string copy = path() + ".copy";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, ("VACUUM INTO '" + copy + "'").c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  ASSERT_EQ(std::rename(copy.c_str(), path().c_str()), 0);
  Status replaced = db().Ping();
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(replaced.error().detail.find("restart"), std::string::npos);
}

TEST_F(SqliteTest, AFileThatIsNotADatabaseIsUnavailable) {
  std::string bogus = std::filesystem::path(path()).parent_path() / "bogus.db";
  {
    std::ofstream out(bogus);
    out << std::string(4096, 'x');
  }
  auto r = Open("sqlite:" + bogus);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "The database cannot be read.");
  EXPECT_NE(r.error().detail.find("not a database"), std::string::npos) << r.error().detail;
}

TEST_F(SqliteTest, OpenCreatesMissingParentDirectories) {
  std::string nested = std::filesystem::path(path()).parent_path() / "a" / "b" / "veza.db";
  auto r = Open("sqlite:" + nested);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_TRUE((*r)->Ping().ok());
  EXPECT_EQ((*r)->Describe(), "sqlite:" + nested);
}

}  // namespace
}  // namespace veza::db
