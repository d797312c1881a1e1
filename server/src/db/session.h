#pragma once
/// Database access without vendor headers. SQL is written once with $1…$n placeholders and runs on
/// SQLite and PostgreSQL alike; the two backends live in db/sqlite and db/postgres.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace veza::db {

enum class Dialect { kSqlite, kPostgres };

/// A bound parameter or a column value. BIGINT ids and epoch-ms times are int64_t; JSON is text.
using Value = std::variant<std::nullptr_t, int64_t, double, bool, std::string>;

/// One result row; column accessors convert where the engines differ (SQLite booleans are integers).
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  bool IsNull(size_t col) const;
  int64_t Int(size_t col) const;        // 0 when NULL
  double Double(size_t col) const;      // 0 when NULL
  bool Bool(size_t col) const;          // false when NULL
  std::string Text(size_t col) const;   // "" when NULL
  std::optional<int64_t> OptInt(size_t col) const;
  std::optional<double> OptDouble(size_t col) const;
  std::optional<std::string> OptText(size_t col) const;
  const Value& raw(size_t col) const { return values_.at(col); }

 private:
  std::vector<Value> values_;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

/// One connection's worth of statements. Not thread-safe; obtained from a Database.
class Session {
 public:
  virtual ~Session() = default;
  virtual Dialect dialect() const = 0;

  /// Runs one statement. Failures map to: unique/foreign-key violation → kConflict,
  /// connection lost or busy → kUnavailable, anything else → kInternal (SQL text only in `detail`).
  virtual Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) = 0;

  Result<QueryResult> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Query(sql, std::vector<Value>(params));
  }
  /// Rows affected.
  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params = {});
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params);
  /// The first row, or nullopt when the statement returned none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, std::initializer_list<Value> params = {});
  Result<std::optional<Row>> QueryOne(std::string_view sql, const std::vector<Value>& params);
  /// Runs several statements separated by ';' without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
};

struct TransactionOptions {
  int max_attempts = 5;  // retries on SQLITE_BUSY / serialization failure / deadlock
};

struct PoolStats {
  int total = 0;   // connections open
  int in_use = 0;  // connections lent out right now
  int64_t waits = 0;  // times a caller waited for a free connection
};

struct DatabaseOptions {
  int pool_size = 8;              // PostgreSQL connections; SQLite readers
  int busy_timeout_ms = 5'000;    // SQLite busy handler; PostgreSQL statement_timeout uses query_timeout_ms
  int query_timeout_ms = 30'000;
  int connect_timeout_ms = 5'000;
};

/// A pool of sessions on one database. Thread-safe.
class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;

  /// Runs `fn` in a transaction on a writer session: commits when it returns OK, rolls back otherwise.
  /// The whole of `fn` is retried on busy/serialization failures, so it must not have side effects
  /// outside the session.
  virtual Status InTransaction(const std::function<Status(Session&)>& fn,
                               TransactionOptions options = {}) = 0;

  /// Runs `fn` on a session meant for reads (SQLite: the reader pool), each statement on its own.
  virtual Status Read(const std::function<Status(Session&)>& fn) = 0;

  /// One cheap round trip; kUnavailable when the database cannot be reached.
  virtual Status Ping() = 0;
  virtual PoolStats Stats() const = 0;
  /// A short, secret-free description ("sqlite:/path" or "postgresql://host:port/db").
  virtual std::string Describe() const = 0;

  /// Transaction returning a value.
  template <typename T>
  Result<T> Transaction(const std::function<Result<T>(Session&)>& fn, TransactionOptions options = {}) {
    std::optional<T> out;
    Status s = InTransaction(
        [&](Session& session) -> Status {
          Result<T> r = fn(session);
          if (!r.ok()) return std::move(r).error();
          out = std::move(r).value();
          return Ok();
        },
        options);
    if (!s.ok()) return std::move(s).error();
    return std::move(*out);
  }

  /// Read returning a value.
  template <typename T>
  Result<T> ReadValue(const std::function<Result<T>(Session&)>& fn) {
    std::optional<T> out;
    Status s = Read([&](Session& session) -> Status {
      Result<T> r = fn(session);
      if (!r.ok()) return std::move(r).error();
      out = std::move(r).value();
      return Ok();
    });
    if (!s.ok()) return std::move(s).error();
    return std::move(*out);
  }
};

/// Opens `sqlite:PATH` (`sqlite::memory:` for a private in-memory database) or `postgresql://…`
/// (also `postgres://`; libpq URI parameters such as sslmode pass through). An unknown scheme or empty
/// path → kValidation (slug `invalid_database_url`); a file that cannot be opened or a server that cannot
/// be reached → kUnavailable. SQLite creates the file and its parent directories; PostgreSQL connects
/// once here so a wrong URL fails at start-up.
Result<std::unique_ptr<Database>> Open(const std::string& url, const DatabaseOptions& options = {});

/// Removes the password from a database URL for logs and `config check`.
std::string RedactUrl(std::string_view url);

/// True for the transient failures InTransaction retries (SQLite busy/locked, PostgreSQL serialization
/// failure or deadlock): kUnavailable with slug `database_busy`.
bool IsRetryable(const Error& error);

}  // namespace veza::db
