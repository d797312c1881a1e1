#include "db/session.h"

#include <charconv>
#include <cmath>
#include <string>

#include "db/internal.h"

namespace veza::db {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Error BadUrl(std::string message) {
  Error e = Validation({{"database_url", message}}, std::move(message));
  e.slug = "invalid_database_url";
  return e;
}

}  // namespace

bool Row::IsNull(size_t col) const {
  return std::holds_alternative<std::nullptr_t>(values_.at(col));
}

std::optional<int64_t> Row::OptInt(size_t col) const {
  return std::visit(Overloaded{
                        [](std::nullptr_t) -> std::optional<int64_t> { return std::nullopt; },
                        [](int64_t v) -> std::optional<int64_t> { return v; },
                        [](double v) -> std::optional<int64_t> {
                          if (!std::isfinite(v)) return std::nullopt;
                          return static_cast<int64_t>(v);
                        },
                        [](bool v) -> std::optional<int64_t> { return v ? 1 : 0; },
                        [](const std::string& v) -> std::optional<int64_t> { return ParseInt(v); },
                    },
                    values_.at(col));
}

std::optional<double> Row::OptDouble(size_t col) const {
  return std::visit(Overloaded{
                        [](std::nullptr_t) -> std::optional<double> { return std::nullopt; },
                        [](int64_t v) -> std::optional<double> { return static_cast<double>(v); },
                        [](double v) -> std::optional<double> { return v; },
                        [](bool v) -> std::optional<double> { return v ? 1.0 : 0.0; },
                        [](const std::string& v) -> std::optional<double> { return ParseDouble(v); },
                    },
                    values_.at(col));
}

std::optional<std::string> Row::OptText(size_t col) const {
  return std::visit(Overloaded{
                        [](std::nullptr_t) -> std::optional<std::string> { return std::nullopt; },
                        [](int64_t v) -> std::optional<std::string> { return std::to_string(v); },
                        [](double v) -> std::optional<std::string> {
                          char buf[32];
                          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                          return std::string(buf, end);
                        },
                        [](bool v) -> std::optional<std::string> { return v ? "true" : "false"; },
                        [](const std::string& v) -> std::optional<std::string> { return v; },
                    },
                    values_.at(col));
}

int64_t Row::Int(size_t col) const {
  return OptInt(col).value_or(0);
}
double Row::Double(size_t col) const {
  return OptDouble(col).value_or(0.0);
}
std::string Row::Text(size_t col) const {
  return OptText(col).value_or(std::string());
}

bool Row::Bool(size_t col) const {
  // SQLite has no boolean type: BOOLEAN columns come back as integers 0/1.
  return std::visit(Overloaded{
                        [](std::nullptr_t) { return false; },
                        [](int64_t v) { return v != 0; },
                        [](double v) { return v != 0.0; },
                        [](bool v) { return v; },
                        [](const std::string& v) { return v == "t" || v == "true" || v == "1"; },
                    },
                    values_.at(col));
}

Result<int64_t> Session::Execute(std::string_view sql, std::initializer_list<Value> params) {
  return Execute(sql, std::vector<Value>(params));
}

Result<int64_t> Session::Execute(std::string_view sql, const std::vector<Value>& params) {
  VEZA_ASSIGN_OR_RETURN(QueryResult r, Query(sql, params));
  return r.affected;
}

Result<std::optional<Row>> Session::QueryOne(std::string_view sql, std::initializer_list<Value> params) {
  return QueryOne(sql, std::vector<Value>(params));
}

Result<std::optional<Row>> Session::QueryOne(std::string_view sql, const std::vector<Value>& params) {
  VEZA_ASSIGN_OR_RETURN(QueryResult r, Query(sql, params));
  if (r.rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(r.rows.front()));
}

Result<std::unique_ptr<Database>> Open(const std::string& url, const DatabaseOptions& options) {
  if (options.pool_size < 1) {
    return Validation({{"pool_size", "must be at least 1"}}, "The database pool size must be at least 1.");
  }
  if (url == "sqlite::memory:") return internal::OpenSqliteMemory(options);
  if (StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    // Accept sqlite:///abs/path as well as sqlite:/abs/path and sqlite:relative/path.
    if (StartsWith(path, "//")) path = path.substr(2);
    if (path.empty())
      return BadUrl("The SQLite database URL has no path: use sqlite:PATH or sqlite::memory:.");
    return internal::OpenSqlite(path, options);
  }
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    return internal::OpenPostgres(url, options);
  }
  size_t colon = url.find(':');
  std::string scheme = colon == std::string::npos ? std::string() : url.substr(0, colon);
  return BadUrl((scheme.empty() ? std::string("The database URL has no scheme")
                                : "The database URL scheme \"" + scheme + "\" is not supported") +
                ": use sqlite:PATH, sqlite::memory: or postgresql://user:password@host:port/database.");
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t authority = scheme_end + 3;
    size_t authority_end = out.find_first_of("/?#", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    // The last '@' ends the userinfo: a password may itself contain '@' when not percent-encoded.
    size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // libpq also takes the password as a query parameter.
  size_t query = out.find('?');
  while (query != std::string::npos) {
    size_t key = query + 1;
    size_t end = out.find('&', key);
    if (end == std::string::npos) end = out.size();
    if (StartsWith(std::string_view(out).substr(key), "password=")) {
      size_t value = key + 9;
      out.replace(value, end - value, "***");
      end = value + 3;
    }
    query = end < out.size() ? end : std::string::npos;
  }
  return out;
}

}  // namespace veza::db
