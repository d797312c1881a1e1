#pragma once
/// Test support: a scratch database per test on either engine, and a TEST_P fixture over both.
/// SQLite tests use a file in a fresh temporary directory; PostgreSQL tests create `veza_t_<random>` on
/// the server named by VEZA_TEST_PG_URL and drop it afterwards. Without VEZA_TEST_PG_URL the PostgreSQL
/// instances fail, unless VEZA_TEST_ALLOW_NO_PG=1 makes them skip.

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "core/result.h"
#include "db/session.h"

namespace veza::db::testing {

enum class Engine { kSqlite, kPostgres };

/// "Sqlite" / "Postgres", for INSTANTIATE_TEST_SUITE_P names.
std::string EngineName(Engine engine);
std::string EngineParamName(const ::testing::TestParamInfo<Engine>& info);
/// Lets gtest print the parameter by name.
void PrintTo(Engine engine, std::ostream* os);

/// VEZA_TEST_PG_URL, or "" when unset.
std::string PgTestUrl();
/// VEZA_TEST_ALLOW_NO_PG=1.
bool AllowNoPg();
/// The explanation given when a PostgreSQL test cannot run.
std::string NoPgMessage();

/// The repository's root (for scripts/pg-test-cluster).
std::string SourceDir();

/// `url` with its database name replaced by `name`.
std::string WithDatabaseName(const std::string& url, const std::string& name);

/// Creates a fresh database `veza_t_<random>` on the server behind `admin_url`; returns its name.
Result<std::string> CreatePgDatabase(const std::string& admin_url);
/// Drops it, closing any connection still open to it.
Status DropPgDatabase(const std::string& admin_url, const std::string& name);

/// A throwaway database removed on destruction.
class ScratchDatabase {
 public:
  static Result<std::unique_ptr<ScratchDatabase>> Create(Engine engine, const DatabaseOptions& options = {});
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Database& db() { return *db_; }
  Engine engine() const { return engine_; }
  /// The URL to Open() it again, as a second process would.
  const std::string& url() const { return url_; }
  /// The SQLite file ("" on PostgreSQL).
  const std::string& sqlite_path() const { return sqlite_path_; }
  /// Closes the Database (e.g. before the test reopens it with other options).
  void Close() { db_.reset(); }

 private:
  ScratchDatabase() = default;

  Engine engine_ = Engine::kSqlite;
  std::unique_ptr<Database> db_;
  std::string url_;
  std::string temp_dir_;
  std::string sqlite_path_;
  std::string pg_admin_url_;
  std::string pg_name_;
};

/// TEST_P fixture: `scratch_` is ready in each test; the PostgreSQL instance fails or skips as above.
class EngineTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override;
  void TearDown() override { scratch_.reset(); }
  /// Options for the scratch database; override to change pool size or timeouts.
  virtual DatabaseOptions Options() const { return {}; }

  Database& db() { return scratch_->db(); }

  std::unique_ptr<ScratchDatabase> scratch_;
};

}  // namespace veza::db::testing
