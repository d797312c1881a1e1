// PostgreSQL backend over libpq: a bounded connection pool, statements prepared once per connection,
// parameters sent as text with their types declared, results converted by column type.

#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/crypto.h"
#include "core/log.h"
#include "db/internal.h"

namespace veza::db::internal {

namespace {

// Type OIDs from pg_type.h (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr std::string_view kCannotReach = "The database cannot be reached.";
constexpr int kPingTimeoutMs = 2'000;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* handle() const { return conn_; }
  bool broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  void MarkBroken() { broken_ = true; }

  // Cheap liveness check of an idle connection. The server sends nothing unsolicited to an idle
  // connection we never LISTEN on, except when dropping it (a FATAL message, then end of file), so
  // anything readable means the connection is going away: replace it rather than race the close.
  bool Healthy() {
    if (broken() || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    if (pfd.fd < 0 || ::poll(&pfd, 1, 0) != 0) return false;
    return true;
  }

  struct Prepared {
    std::string name;
    int params = 0;  // parameters the statement uses
  };
  std::unordered_map<std::string, Prepared>& prepared() { return prepared_; }

 private:
  PGconn* conn_;
  bool broken_ = false;
  std::unordered_map<std::string, Prepared> prepared_;  // types + SQL → statement
};

Error MapError(Connection& conn, const PGresult* res, std::string_view sql) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string message = res != nullptr ? PQresultErrorMessage(res) : "";
  if (message.empty()) message = PQerrorMessage(conn.handle());
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string detail =
      "postgres " + (sqlstate.empty() ? std::string("(no sqlstate)") : sqlstate) + ": " + message;
  if (const char* constraint = res != nullptr ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr) {
    detail += " [constraint " + std::string(constraint) + "]";
  }
  if (!sql.empty()) detail += " in: " + std::string(sql);

  if (PQstatus(conn.handle()) != CONNECTION_OK || sqlstate.empty() || sqlstate.rfind("08", 0) == 0 ||
      sqlstate.rfind("57P", 0) == 0 || sqlstate == "53300") {
    conn.MarkBroken();
    return UnreachableError(std::string(kCannotReach), std::move(detail), 5);
  }
  if (sqlstate == "23505") return ConflictError(false, std::move(detail));
  if (sqlstate == "23503") return ConflictError(true, std::move(detail));
  if (sqlstate == "40001" || sqlstate == "40P01") return BusyError(std::move(detail));
  if (sqlstate == "57014")
    return UnreachableError("The database took too long to answer.", std::move(detail), 1);
  return Internal(std::move(detail));
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

Value ConvertField(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return nullptr;
  const char* text = PQgetvalue(res, row, col);
  int len = PQgetlength(res, row, col);
  switch (PQftype(res, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(text, text + len, v);
      return v;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      std::string_view s(text, len);
      if (s == "NaN") return std::nan("");
      if (s == "Infinity") return HUGE_VAL;
      if (s == "-Infinity") return -HUGE_VAL;
      double v = 0;
      std::from_chars(text, text + len, v);
      return v;
    }
    case kBoolOid:
      return len > 0 && text[0] == 't';
    default:
      return std::string(text, len);
  }
}

// Runs a parameterless command with the simple protocol (BEGIN, COMMIT, scripts).
Result<ResultPtr> Simple(Connection& conn, std::string_view sql) {
  std::string text(sql);
  ResultPtr res(PQexec(conn.handle(), text.c_str()));
  ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return MapError(conn, res.get(), sql);
  }
  return res;
}

class PgSession final : public Session {
 public:
  explicit PgSession(Connection& conn) : conn_(conn) {}
  Dialect dialect() const override { return Dialect::kPostgres; }

  using Session::Query;
  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Oid> types;
    std::vector<std::string> storage;
    std::vector<const char*> values;
    types.reserve(params.size());
    storage.reserve(params.size());
    std::string key;
    // Declaring non-text types makes `SELECT $1` and arithmetic on parameters behave as on SQLite;
    // text and NULL stay untyped so the server infers them from context (enums, jsonb, citext...).
    for (const Value& v : params) {
      if (std::holds_alternative<std::nullptr_t>(v)) {
        types.push_back(0);
        storage.emplace_back();
        key += 'n';
      } else if (auto* i = std::get_if<int64_t>(&v)) {
        types.push_back(kInt8Oid);
        storage.push_back(std::to_string(*i));
        key += 'i';
      } else if (auto* d = std::get_if<double>(&v)) {
        types.push_back(kFloat8Oid);
        storage.push_back(FormatDouble(*d));
        key += 'd';
      } else if (auto* b = std::get_if<bool>(&v)) {
        types.push_back(kBoolOid);
        storage.emplace_back(*b ? "true" : "false");
        key += 'b';
      } else {
        types.push_back(0);
        storage.push_back(std::get<std::string>(v));
        key += 't';
      }
    }
    for (size_t i = 0; i < params.size(); ++i) {
      values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr : storage[i].c_str());
    }
    key += '|';
    key += sql;

    VEZA_ASSIGN_OR_RETURN(Connection::Prepared prepared, PrepareCached(key, sql, types));
    if (prepared.params > static_cast<int>(params.size())) {
      return Internal("statement uses $" + std::to_string(prepared.params) + " but " +
                      std::to_string(params.size()) + " parameters were given: " + std::string(sql));
    }
    ResultPtr res(PQexecPrepared(conn_.handle(), prepared.name.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0));
    ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return MapError(conn_, res.get(), sql);

    QueryResult result;
    int fields = PQnfields(res.get());
    int rows = PQntuples(res.get());
    result.columns.reserve(fields);
    for (int c = 0; c < fields; ++c) result.columns.emplace_back(PQfname(res.get(), c));
    result.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> row;
      row.reserve(fields);
      for (int c = 0; c < fields; ++c) row.push_back(ConvertField(res.get(), r, c));
      result.rows.emplace_back(std::move(row));
    }
    // Like SQLite, report changed rows only: a SELECT's tuple count is not "affected".
    std::string_view command = PQcmdStatus(res.get());
    const char* tuples = PQcmdTuples(res.get());
    if (command.rfind("SELECT", 0) != 0 && tuples != nullptr && tuples[0] != '\0') {
      std::from_chars(tuples, tuples + std::strlen(tuples), result.affected);
    }
    return result;
  }

  Status ExecuteScript(std::string_view sql) override {
    VEZA_ASSIGN_OR_RETURN(ResultPtr res, Simple(conn_, sql));
    return Ok();
  }

 private:
  Result<Connection::Prepared> PrepareCached(const std::string& key, std::string_view sql,
                                             const std::vector<Oid>& types) {
    auto& cache = conn_.prepared();
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    // 96 bits of SHA-256: distinct statements never share a name in practice.
    std::string name = "veza_" + crypto::Sha256Hex(key).substr(0, 24);
    std::string text(sql);
    ResultPtr res(
        PQprepare(conn_.handle(), name.c_str(), text.c_str(), static_cast<int>(types.size()), types.data()));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) return MapError(conn_, res.get(), sql);
    // The server counts $n beyond the declared types; binding too few would be a protocol error.
    ResultPtr described(PQdescribePrepared(conn_.handle(), name.c_str()));
    if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK) {
      return MapError(conn_, described.get(), sql);
    }
    Connection::Prepared prepared{name, PQnparams(described.get())};
    cache.emplace(key, prepared);
    return prepared;
  }

  Connection& conn_;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string url, const DatabaseOptions& options) : url_(std::move(url)), options_(options) {
    describe_ = DescribeUrl(url_);
  }

  ~PgDatabase() override {
    std::lock_guard lock(mu_);
    idle_.clear();
  }

  // Proves the URL works before the server starts taking requests.
  Status Init() {
    VEZA_ASSIGN_OR_RETURN(Lease lease, Acquire(true));
    return Ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status InTransaction(const std::function<Status(Session&)>& fn, TransactionOptions options) override {
    return RunWithRetries(options.max_attempts, [&]() -> Status {
      VEZA_ASSIGN_OR_RETURN(Lease lease, Acquire(true));
      auto begun = Simple(*lease.conn, "BEGIN");
      if (!begun.ok() && lease.conn->broken()) {
        // Nothing ran yet, so a connection that died while idle in the pool is safe to swap for a new one.
        lease = Lease();
        VEZA_ASSIGN_OR_RETURN(lease, Acquire(true));
        begun = Simple(*lease.conn, "BEGIN");
      }
      if (!begun.ok()) return std::move(begun).error();
      PgSession session(*lease.conn);
      bool finished = false;
      struct Guard {
        Connection& conn;
        bool& finished;
        ~Guard() {
          if (!finished && !conn.broken()) {
            ResultPtr r(PQexec(conn.handle(), "ROLLBACK"));
            if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) conn.MarkBroken();
          }
        }
      } guard{*lease.conn, finished};
      VEZA_TRY(fn(session));
      VEZA_ASSIGN_OR_RETURN(ResultPtr commit, Simple(*lease.conn, "COMMIT"));
      finished = true;
      // COMMIT of a transaction that already failed answers ROLLBACK without an error.
      if (std::string_view(PQcmdStatus(commit.get())) == "ROLLBACK") {
        return Internal("postgres: transaction was rolled back because a statement in it failed");
      }
      return Ok();
    });
  }

  Status Read(const std::function<Status(Session&)>& fn) override {
    VEZA_ASSIGN_OR_RETURN(Lease lease, Acquire(true));
    PgSession session(*lease.conn);
    return fn(session);
  }

  Status Ping() override {
    // Health checks must not queue behind a saturated pool: borrow an idle connection or open one.
    VEZA_ASSIGN_OR_RETURN(Lease lease, Acquire(false));
    Connection& conn = *lease.conn;
    PGconn* pg = conn.handle();
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(std::min(kPingTimeoutMs, options_.connect_timeout_ms));
    auto fail = [&](std::string detail) -> Status {
      conn.MarkBroken();
      return UnreachableError(std::string(kCannotReach), "postgres ping: " + detail, 5);
    };
    if (PQsendQuery(pg, "SELECT 1") == 0) return fail(PQerrorMessage(pg));
    for (;;) {
      int flushed = PQflush(pg);
      if (flushed < 0) return fail(PQerrorMessage(pg));
      if (PQconsumeInput(pg) == 0) return fail(PQerrorMessage(pg));
      if (flushed == 0 && !PQisBusy(pg)) break;
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return fail("no answer in time");
      pollfd pfd{PQsocket(pg), static_cast<short>(POLLIN | (flushed == 1 ? POLLOUT : 0)), 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
        return fail(std::strerror(errno));
    }
    bool ok = false;
    std::string error;
    while (PGresult* r = PQgetResult(pg)) {
      ResultPtr res(r);
      if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        ok = true;
      } else {
        error = PQresultErrorMessage(r);
      }
    }
    if (!ok) return fail(error.empty() ? PQerrorMessage(pg) : error);
    return Ok();
  }

  PoolStats Stats() const override {
    std::lock_guard lock(mu_);
    return PoolStats{total_, in_use_, waits_};
  }

  std::string Describe() const override { return describe_; }

 private:
  struct Lease {
    PgDatabase* owner = nullptr;
    std::unique_ptr<Connection> conn;
    bool pooled = true;
    Lease() = default;
    Lease(PgDatabase* o, std::unique_ptr<Connection> c, bool p) : owner(o), conn(std::move(c)), pooled(p) {}
    Lease(Lease&& other) noexcept
        : owner(std::exchange(other.owner, nullptr)), conn(std::move(other.conn)), pooled(other.pooled) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        if (owner != nullptr && conn) owner->Release(std::move(conn), pooled);
        owner = std::exchange(other.owner, nullptr);
        conn = std::move(other.conn);
        pooled = other.pooled;
      }
      return *this;
    }
    ~Lease() {
      if (owner != nullptr && conn) owner->Release(std::move(conn), pooled);
    }
  };

  // wait=false: never queue; when the pool is exhausted, open a connection outside it.
  Result<Lease> Acquire(bool wait) {
    std::unique_lock lock(mu_);
    bool waited = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.query_timeout_ms);
    for (;;) {
      while (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->Healthy()) {
          ++in_use_;
          return Lease(this, std::move(conn), true);
        }
        --total_;
        lock.unlock();
        log::Warn("postgres connection lost; replacing it", {{"database", describe_}});
        conn.reset();
        lock.lock();
      }
      if (total_ < options_.pool_size) {
        ++total_;
        lock.unlock();
        auto conn = Connect();
        lock.lock();
        if (!conn.ok()) {
          --total_;
          cv_.notify_one();
          return std::move(conn).error();
        }
        ++in_use_;
        return Lease(this, std::move(conn).value(), true);
      }
      if (!wait) {
        lock.unlock();
        VEZA_ASSIGN_OR_RETURN(auto conn, Connect());
        return Lease(this, std::move(conn), false);
      }
      if (!waited) {
        ++waits_;
        waited = true;
      }
      if (!cv_.wait_until(lock, deadline, [&] { return !idle_.empty() || total_ < options_.pool_size; })) {
        return UnreachableError("The database is overloaded; try again.",
                                "postgres: no pooled connection free", 1);
      }
    }
  }

  void Release(std::unique_ptr<Connection> conn, bool pooled) {
    if (!pooled) return;
    bool keep = !conn->broken() && PQtransactionStatus(conn->handle()) == PQTRANS_IDLE;
    std::unique_lock lock(mu_);
    --in_use_;
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --total_;
    }
    cv_.notify_one();
    lock.unlock();
  }

  Result<std::unique_ptr<Connection>> Connect() {
    // libpq's connect_timeout is in whole seconds.
    std::string connect_timeout = std::to_string(std::max(1, (options_.connect_timeout_ms + 999) / 1000));
    std::string pg_options = "-c statement_timeout=" + std::to_string(options_.query_timeout_ms);
    // The URL comes last so that parameters written in it override these defaults.
    const char* keywords[] = {"connect_timeout", "options", "application_name",
                              "client_encoding", "dbname",  nullptr};
    const char* values[] = {
        connect_timeout.c_str(), pg_options.c_str(), "veza", "UTF8", url_.c_str(), nullptr};
    PGconn* pg = PQconnectdbParams(keywords, values, 1);
    auto conn = std::make_unique<Connection>(pg);
    if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
      std::string message = pg != nullptr ? PQerrorMessage(pg) : "out of memory";
      while (!message.empty() && message.back() == '\n') message.pop_back();
      return UnreachableError(std::string(kCannotReach), "postgres connect to " + describe_ + ": " + message,
                              5);
    }
    return conn;
  }

  // postgresql://host:port/db with no credentials or parameters.
  static std::string DescribeUrl(const std::string& url) {
    size_t scheme_end = url.find("://");
    std::string rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    size_t at = authority.rfind('@');
    if (at != std::string::npos) authority = authority.substr(at + 1);
    return "postgresql://" + authority + path;
  }

  const std::string url_;
  const DatabaseOptions options_;
  std::string describe_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int total_ = 0;
  int in_use_ = 0;
  int64_t waits_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const DatabaseOptions& options) {
  auto db = std::make_unique<PgDatabase>(url, options);
  VEZA_TRY(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace veza::db::internal
