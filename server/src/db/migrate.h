#pragma once
/// Schema migrations embedded in the binary, recorded with a checksum in `schema_migrations`.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/session.h"

namespace veza::db {

struct Migration {
  int64_t version = 0;       // NNNN of NNNN_name.sql
  std::string name;          // name part
  std::string portable_sql;  // NNNN_name.sql
  std::string sqlite_sql;    // NNNN_name.sqlite.sql when present (replaces the portable text on SQLite)
  std::string postgres_sql;  // NNNN_name.postgres.sql when present
};

/// The migrations compiled into this binary, ordered by version.
const std::vector<Migration>& EmbeddedMigrations();

struct MigrationState {
  int64_t applied_version = 0;   // highest applied, 0 when none
  int64_t embedded_version = 0;  // highest this binary knows
  int pending = 0;
};

/// Applies pending migrations in order, each in its own transaction. Refuses (kInternal with a clear
/// message naming the migration) when an applied migration's text no longer matches its checksum,
/// or when the database has migrations newer than this binary.
Result<MigrationState> Migrate(Database& db, const std::vector<Migration>& migrations);

/// Reads the state without changing anything (health checks, `veza migrate --status`).
Result<MigrationState> InspectMigrations(Database& db, const std::vector<Migration>& migrations);

}  // namespace veza::db
