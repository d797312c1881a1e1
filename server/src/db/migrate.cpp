#include "db/migrate.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/crypto.h"

namespace veza::db {

namespace {

// Serialises concurrent Migrate calls on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
constexpr int64_t kAdvisoryLockKey = 0x76657a615f6d6967;  // "veza_mig"

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
    "checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

struct Applied {
  std::string name;
  std::string checksum;
};

Error MigrationError(std::string message, std::string slug) {
  Error e = MakeError(ErrorCode::kInternal, message, std::move(slug));
  e.detail = std::move(message);
  return e;
}

std::string Label(int64_t version, const std::string& name) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(version));
  return std::string(buf) + "_" + name;
}

const std::string& EffectiveSql(const Migration& m, Dialect dialect) {
  if (dialect == Dialect::kSqlite && !m.sqlite_sql.empty()) return m.sqlite_sql;
  if (dialect == Dialect::kPostgres && !m.postgres_sql.empty()) return m.postgres_sql;
  return m.portable_sql;
}

Status CheckList(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0) return Internal("migration versions start at 1");
    if (i > 0 && migrations[i].version <= migrations[i - 1].version) {
      return Internal("migrations must be ordered by version without duplicates: " +
                      Label(migrations[i].version, migrations[i].name));
    }
  }
  return Ok();
}

Result<std::map<int64_t, Applied>> LoadApplied(Session& session) {
  VEZA_ASSIGN_OR_RETURN(QueryResult r,
                        session.Query("SELECT version, name, checksum FROM schema_migrations"));
  std::map<int64_t, Applied> applied;
  for (const Row& row : r.rows) applied[row.Int(0)] = Applied{row.Text(1), row.Text(2)};
  return applied;
}

// Compares what the database recorded with what this binary carries; fills `state`.
Status Verify(const std::map<int64_t, Applied>& applied, const std::vector<Migration>& migrations,
              Dialect dialect, MigrationState& state) {
  state.embedded_version = migrations.empty() ? 0 : migrations.back().version;
  state.applied_version = applied.empty() ? 0 : applied.rbegin()->first;
  if (state.applied_version > state.embedded_version) {
    return MigrationError("database schema version " + std::to_string(state.applied_version) +
                              " is newer than this binary (" + std::to_string(state.embedded_version) + ")",
                          "schema_too_new");
  }
  state.pending = 0;
  for (const Migration& m : migrations) {
    auto it = applied.find(m.version);
    if (it == applied.end()) {
      ++state.pending;
      continue;
    }
    std::string checksum = crypto::Sha256Hex(EffectiveSql(m, dialect));
    if (it->second.checksum != checksum) {
      return MigrationError("migration " + Label(m.version, m.name) +
                                " was changed after it was applied (checksum " + it->second.checksum +
                                " in the database, " + checksum +
                                " in this binary); restore the original file or write a new migration",
                            "migration_changed");
    }
  }
  for (const auto& [version, row] : applied) {
    bool known = std::any_of(migrations.begin(), migrations.end(),
                             [&](const Migration& m) { return m.version == version; });
    if (!known) {
      return MigrationError(
          "migration " + Label(version, row.name) + " is recorded in the database but unknown to this binary",
          "migration_unknown");
    }
  }
  return Ok();
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<MigrationState> Migrate(Database& db, const std::vector<Migration>& migrations) {
  VEZA_TRY(CheckList(migrations));
  const Dialect dialect = db.dialect();
  for (;;) {
    // One transaction per migration; the state is re-read under the lock each time, so a concurrent
    // Migrate elsewhere simply finds the work done.
    Result<bool> step = db.Transaction<bool>([&](Session& session) -> Result<bool> {
      if (dialect == Dialect::kPostgres) {
        VEZA_TRY(session.Query("SELECT pg_advisory_xact_lock($1)", {kAdvisoryLockKey}));
      }
      VEZA_TRY(session.ExecuteScript(kCreateTable));
      VEZA_ASSIGN_OR_RETURN(auto applied, LoadApplied(session));
      MigrationState state;
      VEZA_TRY(Verify(applied, migrations, dialect, state));
      auto next = std::find_if(migrations.begin(), migrations.end(),
                               [&](const Migration& m) { return applied.count(m.version) == 0; });
      if (next == migrations.end()) return false;
      const std::string& sql = EffectiveSql(*next, dialect);
      Status applied_ok = session.ExecuteScript(sql);
      if (!applied_ok.ok()) {
        Error e = std::move(applied_ok).error();
        if (IsRetryable(e)) return e;
        return MigrationError("migration " + Label(next->version, next->name) + " failed: " + e.detail,
                              "migration_failed");
      }
      VEZA_TRY(session.Execute(
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
          {next->version, next->name, crypto::Sha256Hex(sql), NowMs()}));
      return true;
    });
    if (!step.ok()) return std::move(step).error();
    if (!*step) break;
  }
  return InspectMigrations(db, migrations);
}

Result<MigrationState> InspectMigrations(Database& db, const std::vector<Migration>& migrations) {
  VEZA_TRY(CheckList(migrations));
  const Dialect dialect = db.dialect();
  return db.ReadValue<MigrationState>([&](Session& session) -> Result<MigrationState> {
    std::string_view exists_sql =
        dialect == Dialect::kSqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND "
              "tablename = 'schema_migrations'";
    VEZA_ASSIGN_OR_RETURN(std::optional<Row> exists, session.QueryOne(exists_sql));
    std::map<int64_t, Applied> applied;
    if (exists && exists->Int(0) > 0) {
      VEZA_ASSIGN_OR_RETURN(applied, LoadApplied(session));
    }
    MigrationState state;
    VEZA_TRY(Verify(applied, migrations, dialect, state));
    return state;
  });
}

}  // namespace veza::db
