#include "db/migrate.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/crypto.h"
#include "db/testing/test_database.h"

namespace veza::db {
namespace {

using testing::Engine;
using testing::EngineTest;

class MigrateTest : public EngineTest {
 protected:
  Result<bool> TableExists(const std::string& table) {
    return db().ReadValue<bool>([&](Session& s) -> Result<bool> {
      std::string sql = db().dialect() == Dialect::kSqlite
                            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
                            : "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = $1";
      VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, {table}));
      return row->Int(0) > 0;
    });
  }
  Result<QueryResult> Recorded() {
    return db().ReadValue<QueryResult>([](Session& s) {
      return s.Query("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    });
  }
};

std::vector<Migration> Sample() {
  return {
      {1, "first", "CREATE TABLE a (id BIGINT PRIMARY KEY);\nCREATE TABLE b (id BIGINT PRIMARY KEY);", "",
       ""},
      {2, "variants", "CREATE TABLE portable_only (x BIGINT);", "CREATE TABLE on_sqlite (x BIGINT);",
       "CREATE TABLE on_postgres (x BIGINT);"},
      {5, "later", "ALTER TABLE a ADD COLUMN note TEXT;", "", ""},
  };
}

TEST(EmbeddedMigrationsTest, ContainsTheInitialSchema) {
  const auto& migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "init");
  EXPECT_NE(migrations[0].portable_sql.find("CREATE TABLE instance_settings"), std::string::npos);
  for (size_t i = 1; i < migrations.size(); ++i) EXPECT_GT(migrations[i].version, migrations[i - 1].version);
}

TEST_P(MigrateTest, AppliesEmbeddedMigrationsOnceAndTheSchemaWorks) {
  auto before = InspectMigrations(db(), EmbeddedMigrations());
  ASSERT_TRUE(before.ok()) << before.error().detail;
  EXPECT_EQ(before->applied_version, 0);
  EXPECT_EQ(before->pending, static_cast<int>(EmbeddedMigrations().size()));

  auto state = Migrate(db(), EmbeddedMigrations());
  ASSERT_TRUE(state.ok()) << state.error().detail;
  EXPECT_EQ(state->applied_version, EmbeddedMigrations().back().version);
  EXPECT_EQ(state->embedded_version, EmbeddedMigrations().back().version);
  EXPECT_EQ(state->pending, 0);

  Status write = db().InTransaction([](Session& s) -> Status {
    VEZA_TRY(s.Execute("INSERT INTO instance_settings (key, value, updated_at) VALUES ($1, $2, $3)",
                       {std::string("site_name"), std::string("Veza"), int64_t{1'700'000'000'000}}));
    return Ok();
  });
  ASSERT_TRUE(write.ok()) << write.error().detail;
  Status dup = db().InTransaction([](Session& s) -> Status {
    VEZA_TRY(s.Execute("INSERT INTO instance_settings (key, value, updated_at) VALUES ($1, $2, $3)",
                       {std::string("site_name"), std::string("Other"), int64_t{1}}));
    return Ok();
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);

  auto again = Migrate(db(), EmbeddedMigrations());
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again->pending, 0);
  auto rows = Recorded();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), EmbeddedMigrations().size());
  EXPECT_EQ(rows->rows[0].Text(1), "init");
  EXPECT_EQ(rows->rows[0].Text(2), crypto::Sha256Hex(EmbeddedMigrations()[0].portable_sql));
}

TEST_P(MigrateTest, AppliesInOrderWithDialectVariantsAndRecordsChecksums) {
  auto partial = Migrate(db(), {Sample()[0]});
  ASSERT_TRUE(partial.ok()) << partial.error().detail;
  EXPECT_EQ(partial->applied_version, 1);

  auto inspect = InspectMigrations(db(), Sample());
  ASSERT_TRUE(inspect.ok());
  EXPECT_EQ(inspect->applied_version, 1);
  EXPECT_EQ(inspect->embedded_version, 5);
  EXPECT_EQ(inspect->pending, 2);

  auto state = Migrate(db(), Sample());
  ASSERT_TRUE(state.ok()) << state.error().detail;
  EXPECT_EQ(state->applied_version, 5);
  EXPECT_EQ(state->pending, 0);

  bool sqlite = GetParam() == Engine::kSqlite;
  EXPECT_TRUE(*TableExists("a"));
  EXPECT_TRUE(*TableExists("b"));
  EXPECT_FALSE(*TableExists("portable_only"));
  EXPECT_EQ(*TableExists("on_sqlite"), sqlite);
  EXPECT_EQ(*TableExists("on_postgres"), !sqlite);
  auto rows = Recorded();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 3u);
  EXPECT_EQ(rows->rows[1].Int(0), 2);
  EXPECT_EQ(rows->rows[1].Text(2),
            crypto::Sha256Hex(sqlite ? Sample()[1].sqlite_sql : Sample()[1].postgres_sql));
  EXPECT_EQ(rows->rows[2].Int(0), 5);
  // The ALTER of migration 5 ran.
  EXPECT_TRUE(
      db().InTransaction([](Session& s) -> Status {
            VEZA_TRY(s.Execute("INSERT INTO a (id, note) VALUES ($1, $2)", {int64_t{1}, std::string("n")}));
            return Ok();
          })
          .ok());
}

TEST_P(MigrateTest, RefusesAMigrationChangedAfterItWasApplied) {
  ASSERT_TRUE(Migrate(db(), Sample()).ok());
  auto changed = Sample();
  changed[0].portable_sql += "\n-- an innocent comment";
  auto r = Migrate(db(), changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("migration 0001_first was changed after it was applied (checksum "),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("restore the original file or write a new migration"), std::string::npos);
  auto inspect = InspectMigrations(db(), changed);
  ASSERT_FALSE(inspect.ok());
  EXPECT_NE(inspect.error().message.find("0001_first"), std::string::npos);

  // Only the variant used by this engine counts: editing the other dialect's file is not a change here.
  auto other = Sample();
  (GetParam() == Engine::kSqlite ? other[1].postgres_sql : other[1].sqlite_sql) += " ";
  EXPECT_TRUE(Migrate(db(), other).ok());
}

TEST_P(MigrateTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_TRUE(Migrate(db(), Sample()).ok());
  const auto sample = Sample();
  std::vector<Migration> older(sample.begin(), sample.begin() + 2);
  auto r = Migrate(db(), older);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "database schema version 5 is newer than this binary (2)");
  auto inspect = InspectMigrations(db(), older);
  ASSERT_FALSE(inspect.ok());
  EXPECT_EQ(inspect.error().message, "database schema version 5 is newer than this binary (2)");

  std::vector<Migration> gap = {Sample()[0], Sample()[2]};
  auto unknown = Migrate(db(), gap);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("migration 0002_variants is recorded in the database but unknown"),
            std::string::npos)
      << unknown.error().message;
}

TEST_P(MigrateTest, AFailingMigrationIsRolledBackAndNamed) {
  std::vector<Migration> migrations = {
      Sample()[0],
      {2, "broken", "CREATE TABLE half_done (x BIGINT);\nINSERT INTO no_such_table VALUES (1);", "", ""},
  };
  auto r = Migrate(db(), migrations);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("migration 0002_broken failed"), std::string::npos) << r.error().message;
  EXPECT_FALSE(*TableExists("half_done"));
  EXPECT_TRUE(*TableExists("a"));
  auto inspect = InspectMigrations(db(), migrations);
  ASSERT_TRUE(inspect.ok());
  EXPECT_EQ(inspect->applied_version, 1);
  EXPECT_EQ(inspect->pending, 1);
}

TEST_P(MigrateTest, RejectsAnUnorderedList) {
  auto list = Sample();
  std::swap(list[0], list[1]);
  EXPECT_FALSE(Migrate(db(), list).ok());
  list = Sample();
  list[1].version = 1;
  EXPECT_FALSE(Migrate(db(), list).ok());
}

TEST_P(MigrateTest, ConcurrentMigrationsFromSeveralProcessesApplyEachOnce) {
  std::vector<Migration> migrations;
  for (int v = 1; v <= 6; ++v) {
    std::string table = "t" + std::to_string(v);
    migrations.push_back(
        {v, "step" + std::to_string(v),
         "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY);\nINSERT INTO " + table + " VALUES (1);", "",
         ""});
  }
  constexpr int kProcesses = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kProcesses; ++i) {
    auto other = Open(scratch_->url());
    ASSERT_TRUE(other.ok()) << other.error().detail;
    dbs.push_back(std::move(other).value());
  }
  std::vector<Status> results(kProcesses);
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back([&, i] {
      auto r = Migrate(*dbs[i], migrations);
      results[i] = r.ok() ? Ok() : Status(std::move(r).error());
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kProcesses; ++i) {
    EXPECT_TRUE(results[i].ok()) << results[i].error().message << " / " << results[i].error().detail;
  }
  auto rows = Recorded();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows.size(), migrations.size());
}

INSTANTIATE_TEST_SUITE_P(Engines, MigrateTest, ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         testing::EngineParamName);

}  // namespace
}  // namespace veza::db
