#include "db/testing/test_database.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "core/crypto.h"

namespace veza::db::testing {

std::string EngineName(Engine engine) {
  return engine == Engine::kSqlite ? "Sqlite" : "Postgres";
}

std::string EngineParamName(const ::testing::TestParamInfo<Engine>& info) {
  return EngineName(info.param);
}

void PrintTo(Engine engine, std::ostream* os) {
  *os << EngineName(engine);
}

std::string PgTestUrl() {
  const char* url = std::getenv("VEZA_TEST_PG_URL");
  return url != nullptr ? url : "";
}

bool AllowNoPg() {
  const char* allow = std::getenv("VEZA_TEST_ALLOW_NO_PG");
  return allow != nullptr && std::string(allow) == "1";
}

std::string NoPgMessage() {
  return "VEZA_TEST_PG_URL is not set, so the PostgreSQL half of this test cannot run. Start a throwaway "
         "cluster with `export VEZA_TEST_PG_URL=$(scripts/pg-test-cluster start /tmp/veza-pg)` (stop it with "
         "`scripts/pg-test-cluster stop /tmp/veza-pg`), or set VEZA_TEST_ALLOW_NO_PG=1 to skip PostgreSQL.";
}

std::string SourceDir() {
  return VEZA_SOURCE_DIR;
}

std::string WithDatabaseName(const std::string& url, const std::string& name) {
  size_t authority = url.find("://");
  authority = authority == std::string::npos ? 0 : authority + 3;
  size_t path = url.find_first_of("/?#", authority);
  if (path == std::string::npos) return url + "/" + name;
  if (url[path] != '/') return url.substr(0, path) + "/" + name + url.substr(path);
  size_t path_end = url.find_first_of("?#", path);
  if (path_end == std::string::npos) path_end = url.size();
  return url.substr(0, path) + "/" + name + url.substr(path_end);
}

namespace {

Status AdminScript(const std::string& admin_url, const std::string& sql) {
  DatabaseOptions options;
  options.pool_size = 1;
  VEZA_ASSIGN_OR_RETURN(auto admin, Open(admin_url, options));
  // CREATE/DROP DATABASE cannot run inside a transaction, so use a plain session.
  return admin->Read([&](Session& s) { return s.ExecuteScript(sql); });
}

}  // namespace

Result<std::string> CreatePgDatabase(const std::string& admin_url) {
  std::string raw = crypto::RandomBytes(6);
  std::string name = "veza_t_";
  for (unsigned char c : raw) {
    static const char* kHex = "0123456789abcdef";
    name.push_back(kHex[c >> 4]);
    name.push_back(kHex[c & 15]);
  }
  VEZA_TRY(AdminScript(admin_url, "CREATE DATABASE " + name));
  return name;
}

Status DropPgDatabase(const std::string& admin_url, const std::string& name) {
  return AdminScript(admin_url, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(Engine engine,
                                                                 const DatabaseOptions& options) {
  std::unique_ptr<ScratchDatabase> scratch(new ScratchDatabase());
  scratch->engine_ = engine;
  if (engine == Engine::kSqlite) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "veza-db-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return Internal("mkdtemp failed");
    scratch->temp_dir_ = tmpl;
    scratch->sqlite_path_ = tmpl + "/veza.db";
    scratch->url_ = "sqlite:" + scratch->sqlite_path_;
  } else {
    std::string admin = PgTestUrl();
    if (admin.empty()) return Internal(NoPgMessage());
    VEZA_ASSIGN_OR_RETURN(scratch->pg_name_, CreatePgDatabase(admin));
    scratch->pg_admin_url_ = admin;
    scratch->url_ = WithDatabaseName(admin, scratch->pg_name_);
  }
  VEZA_ASSIGN_OR_RETURN(scratch->db_, Open(scratch->url_, options));
  return scratch;
}

ScratchDatabase::~ScratchDatabase() {
  db_.reset();
  if (!pg_name_.empty()) {
    Status dropped = DropPgDatabase(pg_admin_url_, pg_name_);
    if (!dropped.ok()) ADD_FAILURE() << "could not drop " << pg_name_ << ": " << dropped.error().detail;
  }
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::permissions(sqlite_path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

void EngineTest::SetUp() {
  if (GetParam() == Engine::kPostgres && PgTestUrl().empty()) {
    if (AllowNoPg()) GTEST_SKIP() << "VEZA_TEST_ALLOW_NO_PG=1 and VEZA_TEST_PG_URL is unset";
    FAIL() << NoPgMessage();
  }
  auto scratch = ScratchDatabase::Create(GetParam(), Options());
  ASSERT_TRUE(scratch.ok()) << scratch.error().message << " / " << scratch.error().detail;
  scratch_ = std::move(scratch).value();
}

}  // namespace veza::db::testing
