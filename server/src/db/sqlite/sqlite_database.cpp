// SQLite backend: one writer connection (transactions, BEGIN IMMEDIATE) and a pool of read-only
// connections, all in WAL mode so readers never block the writer.

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "db/internal.h"

namespace veza::db::internal {

namespace {

constexpr size_t kStatementCacheLimit = 256;
constexpr std::string_view kCannotRead = "The database cannot be read.";

bool IsUnreachableCode(int primary) {
  switch (primary) {
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PERM:
    case SQLITE_FULL:
      return true;
    default:
      return false;
  }
}

Error MapError(int rc, sqlite3* db, std::string_view sql) {
  int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  if ((extended & 0xff) != (rc & 0xff)) extended = rc;
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string detail =
      "sqlite " + std::to_string(extended) + " (" + sqlite3_errstr(extended) + "): " + message;
  if (!sql.empty()) detail += " in: " + std::string(sql);
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ConflictError(false, std::move(detail));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return ConflictError(true, std::move(detail));
    default:
      break;
  }
  int primary = extended & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return BusyError(std::move(detail));
  if (IsUnreachableCode(primary)) return UnreachableError(std::string(kCannotRead), std::move(detail));
  return Internal(std::move(detail));
}

// The number N of a "$N" parameter name, or 0.
size_t DollarIndex(const char* name) {
  if (name == nullptr || name[0] != '$') return 0;
  size_t n = 0;
  const char* end = name + std::strlen(name);
  auto [ptr, ec] = std::from_chars(name + 1, end, n);
  return ec == std::errc() && ptr == end ? n : 0;
}

class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    ClearCache();
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }

  // Statements are kept prepared per connection, keyed by their SQL text.
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    if (cache_.size() >= kStatementCacheLimit) ClearCache();
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt, &tail);
    if (rc != SQLITE_OK) return MapError(rc, db_, sql);
    if (stmt == nullptr) return Internal("sqlite: empty statement");
    std::string_view rest(tail, key.data() + key.size() - tail);
    if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
      sqlite3_finalize(stmt);
      return Internal("Query() runs one statement; use ExecuteScript for several: " + key);
    }
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

 private:
  void ClearCache() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& filename, bool create, bool reader,
                                                   const DatabaseOptions& options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(filename.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = MapError(rc, db, {});
    e.detail += " opening " + filename;
    sqlite3_close_v2(db);
    if (e.code == ErrorCode::kInternal) return UnreachableError(std::string(kCannotRead), e.detail);
    return e;
  }
  auto conn = std::make_unique<Connection>(db);
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = reader
                            ? "PRAGMA query_only=ON;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
  char* err = nullptr;
  rc = sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = MapError(rc, db, pragmas);
    sqlite3_free(err);
    if (e.code == ErrorCode::kInternal) return UnreachableError(std::string(kCannotRead), e.detail);
    return e;
  }
  return conn;
}

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(Connection& conn) : conn_(conn) {}
  Dialect dialect() const override { return Dialect::kSqlite; }

  using Session::Query;
  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    sqlite3* db = conn_.handle();
    VEZA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn_.Prepare(sql));
    // Leave the cached statement reset and unbound whatever happens below.
    struct Reset {
      sqlite3_stmt* stmt;
      ~Reset() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};

    int count = sqlite3_bind_parameter_count(stmt);
    for (int i = 1; i <= count; ++i) {
      size_t n = DollarIndex(sqlite3_bind_parameter_name(stmt, i));
      if (n == 0) return Internal("use $1…$n placeholders only: " + std::string(sql));
      if (n > params.size()) {
        return Internal("statement uses $" + std::to_string(n) + " but " + std::to_string(params.size()) +
                        " parameters were given: " + std::string(sql));
      }
    }
    for (size_t n = 1; n <= params.size(); ++n) {
      std::string name = "$" + std::to_string(n);
      int index = sqlite3_bind_parameter_index(stmt, name.c_str());
      if (index == 0) continue;  // unused, as PostgreSQL allows
      const Value& v = params[n - 1];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (auto* i = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *i);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (auto* b = std::get_if<bool>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *b ? 1 : 0);
      } else {
        const std::string& s = std::get<std::string>(v);
        // The parameters outlive the statement's use: the Reset guard unbinds before we return.
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return MapError(rc, db, sql);
    }

    QueryResult result;
    int columns = sqlite3_column_count(stmt);
    result.columns.reserve(columns);
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));
    int64_t changes_before = sqlite3_total_changes64(db);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return MapError(rc, db, sql);
      std::vector<Value> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            values.emplace_back(nullptr);
            break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(stmt, c);
            int len = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(static_cast<const char*>(p), p != nullptr ? len : 0));
            break;
          }
          default: {
            const unsigned char* p = sqlite3_column_text(stmt, c);
            int len = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(reinterpret_cast<const char*>(p), p != nullptr ? len : 0));
          }
        }
      }
      result.rows.emplace_back(std::move(values));
    }
    // sqlite3_changes() keeps the count of the last DML statement, so only trust it if this one wrote.
    if (!sqlite3_stmt_readonly(stmt) && sqlite3_total_changes64(db) != changes_before) {
      result.affected = sqlite3_changes64(db);
    }
    return result;
  }

  Status ExecuteScript(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(conn_.handle(), text.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return MapError(rc, conn_.handle(), sql);
    return Ok();
  }

 private:
  Connection& conn_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, bool memory, const DatabaseOptions& options)
      : path_(std::move(path)), memory_(memory), options_(options) {}

  Status Init() {
    if (!memory_) {
      std::error_code ec;
      std::filesystem::path parent = std::filesystem::path(path_).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    }
    VEZA_ASSIGN_OR_RETURN(writer_, OpenConnection(memory_ ? ":memory:" : path_, true, false, options_));
    if (!memory_) identity_ = FileIdentity();
    return Ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status InTransaction(const std::function<Status(Session&)>& fn, TransactionOptions options) override {
    return RunWithRetries(options.max_attempts, [&]() -> Status {
      auto lock = LockWriter();
      Lent lent(in_use_);
      SqliteSession session(*writer_);
      // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock upgrade.
      VEZA_TRY(session.ExecuteScript("BEGIN IMMEDIATE"));
      bool finished = false;
      // Rolls back if fn fails, or throws, or COMMIT fails and leaves the transaction open.
      struct Guard {
        sqlite3* db;
        bool& finished;
        ~Guard() {
          if (!finished && !sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
      } guard{writer_->handle(), finished};
      VEZA_TRY(fn(session));
      VEZA_TRY(session.ExecuteScript("COMMIT"));
      finished = true;
      return Ok();
    });
  }

  Status Read(const std::function<Status(Session&)>& fn) override {
    if (memory_) {
      // A private in-memory database exists on one connection only, so reads share the writer.
      auto lock = LockWriter();
      Lent lent(in_use_);
      SqliteSession session(*writer_);
      return fn(session);
    }
    VEZA_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, AcquireReader());
    struct Return {
      SqliteDatabase* self;
      std::unique_ptr<Connection>& conn;
      ~Return() { self->ReleaseReader(std::move(conn)); }
    } release{this, conn};
    SqliteSession session(*conn);
    return fn(session);
  }

  Status Ping() override {
    if (memory_) {
      auto lock = LockWriter();
      SqliteSession session(*writer_);
      return session.Query("SELECT 1").ok() ? Ok()
                                            : UnreachableError(std::string(kCannotRead), "sqlite: SELECT 1");
    }
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      return UnreachableError(std::string(kCannotRead),
                              "sqlite: stat " + path_ + ": " + std::strerror(errno));
    }
    // Root (CAP_DAC_OVERRIDE) reads any file whatever its mode, so chmod 000 would go unnoticed and the
    // server would keep running on a file an operator took away. As root, judge the owner's bits, which
    // is what the service account would get; otherwise ask the kernel with access().
    if (::geteuid() == 0) {
      if ((st.st_mode & (S_IRUSR | S_IWUSR)) != (S_IRUSR | S_IWUSR)) {
        return UnreachableError(std::string(kCannotRead),
                                "sqlite: " + path_ + " is not readable and writable by its owner");
      }
    } else if (::access(path_.c_str(), R_OK | W_OK) != 0) {
      return UnreachableError(std::string(kCannotRead),
                              "sqlite: access " + path_ + ": " + std::strerror(errno));
    }
    if (std::pair<dev_t, ino_t>(st.st_dev, st.st_ino) != identity_) {
      // Open connections still write to the old inode, and its -wal/-shm files do not belong to the new
      // one, so reopening live is unsafe: report it until the server is restarted.
      return UnreachableError(
          std::string(kCannotRead),
          "sqlite: " + path_ + " was replaced by another file; restart the server to use it");
    }
    // A fresh connection proves the file opens and its header and schema page read; pooled connections
    // keep an open descriptor and would go on working on a deleted or unreadable file.
    VEZA_ASSIGN_OR_RETURN(std::unique_ptr<Connection> probe, OpenConnection(path_, false, true, options_));
    SqliteSession session(*probe);
    auto r = session.Query("SELECT count(*) FROM sqlite_master");
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kUnavailable) return std::move(r).error();
      return UnreachableError(std::string(kCannotRead), r.error().detail);
    }
    return Ok();
  }

  PoolStats Stats() const override {
    std::lock_guard lock(readers_mu_);
    PoolStats stats;
    stats.total = readers_total_ + 1;
    stats.in_use = in_use_.load();
    stats.waits = waits_.load();
    return stats;
  }

  std::string Describe() const override { return memory_ ? "sqlite::memory:" : "sqlite:" + path_; }

 private:
  // Counts a lent connection for Stats() while in scope.
  struct Lent {
    explicit Lent(std::atomic<int>& n) : n_(n) { ++n_; }
    ~Lent() { --n_; }
    std::atomic<int>& n_;
  };

  std::unique_lock<std::recursive_mutex> LockWriter() {
    std::unique_lock lock(writer_mu_, std::try_to_lock);
    if (!lock.owns_lock()) {
      ++waits_;
      lock.lock();
    }
    return lock;
  }

  Result<std::unique_ptr<Connection>> AcquireReader() {
    std::unique_lock lock(readers_mu_);
    bool waited = false;
    for (;;) {
      if (!idle_readers_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        ++in_use_;
        return conn;
      }
      if (readers_total_ < options_.pool_size) {
        ++readers_total_;
        lock.unlock();
        auto conn = OpenConnection(path_, false, true, options_);
        lock.lock();
        if (!conn.ok()) {
          --readers_total_;
          readers_cv_.notify_one();
          return std::move(conn).error();
        }
        ++in_use_;
        return std::move(conn).value();
      }
      if (!waited) {
        ++waits_;
        waited = true;
      }
      if (!readers_cv_.wait_for(lock, std::chrono::milliseconds(options_.query_timeout_ms), [&] {
            return !idle_readers_.empty() || readers_total_ < options_.pool_size;
          })) {
        return UnreachableError("The database is overloaded; try again.", "sqlite: no reader connection free",
                                1);
      }
    }
  }

  void ReleaseReader(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(readers_mu_);
    --in_use_;
    idle_readers_.push_back(std::move(conn));
    readers_cv_.notify_one();
  }

  std::pair<dev_t, ino_t> FileIdentity() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return {0, 0};
    return {st.st_dev, st.st_ino};
  }

  const std::string path_;
  const bool memory_;
  const DatabaseOptions options_;

  std::recursive_mutex
      writer_mu_;  // recursive so a Read() inside a transaction does not deadlock in memory mode
  std::unique_ptr<Connection> writer_;

  mutable std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  int readers_total_ = 0;

  std::atomic<int> in_use_{0};
  std::atomic<int64_t> waits_{0};
  std::pair<dev_t, ino_t> identity_{};  // of the file the connections have open
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options) {
  auto db = std::make_unique<SqliteDatabase>(path, false, options);
  VEZA_TRY(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

Result<std::unique_ptr<Database>> OpenSqliteMemory(const DatabaseOptions& options) {
  auto db = std::make_unique<SqliteDatabase>(std::string(), true, options);
  VEZA_TRY(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace veza::db::internal
