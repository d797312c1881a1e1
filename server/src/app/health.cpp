#include "app/health.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>

#include "core/json.h"
#include "db/migrate.h"

namespace veza::app {

namespace {

CheckResult Timed(const Clock& clock, std::string name, const std::function<Status(CheckResult&)>& check) {
  CheckResult result;
  result.name = std::move(name);
  int64_t start = clock.MonotonicNs();
  Status s = check(result);
  result.duration_ms = static_cast<double>(clock.MonotonicNs() - start) / 1e6;
  result.ok = s.ok();
  if (!s.ok()) result.message = s.error().message;
  return result;
}

Status CheckDatabase(db::Database& database, CheckResult&) { return database.Ping(); }

Status CheckMigrations(db::Database& database, CheckResult& result) {
  VEZA_ASSIGN_OR_RETURN(db::MigrationState state, db::InspectMigrations(database, db::EmbeddedMigrations()));
  result.facts.emplace_back("applied_version", std::to_string(state.applied_version));
  result.facts.emplace_back("embedded_version", std::to_string(state.embedded_version));
  if (state.pending > 0) {
    return Unavailable(std::to_string(state.pending) + " migration(s) not applied; run `veza migrate`.");
  }
  return Ok();
}

Status CheckObjects(storage::ObjectStore& objects, const Clock& clock, int node_id, CheckResult& result) {
  std::string key = "_health/probe-" + std::to_string(node_id) + "-" + std::to_string(clock.NowMs());
  std::string payload = "veza health probe " + key;
  result.facts.emplace_back("backend", objects.Describe());
  Status put = objects.PutBytes(key, payload);
  if (!put.ok()) return Unavailable("Cannot write to object storage.");
  auto got = objects.GetBytes(key);
  Status del = objects.Delete(key);
  if (!got.ok()) return Unavailable("Cannot read back from object storage.");
  if (*got != payload) return Unavailable("Object storage returned different bytes than were written.");
  if (!del.ok()) return Unavailable("Cannot delete from object storage.");
  return Ok();
}

Status CheckDisk(const std::string& dir, int64_t min_free, CheckResult& result) {
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) return Unavailable("Cannot read free space of the data directory.");
  int64_t free_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
  result.facts.emplace_back("free_bytes", std::to_string(free_bytes));
  result.facts.emplace_back("threshold_bytes", std::to_string(min_free));
  if (free_bytes < min_free) {
    return Unavailable("Free disk space (" + std::to_string(free_bytes / (1024 * 1024)) +
                       " MiB) is below the threshold (" + std::to_string(min_free / (1024 * 1024)) + " MiB).");
  }
  return Ok();
}

// A RESP PING over a plain socket: enough to know Redis answers, without a client library here.
Status CheckRedis(const std::string& url, CheckResult&) {
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  if (size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find('/'));
  std::string host = rest, port = "6379";
  if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addrs = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &addrs) != 0 || addrs == nullptr) {
    return Unavailable("Cannot resolve the Redis host.");
  }
  int fd = ::socket(addrs->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ::connect(fd, addrs->ai_addr, addrs->ai_addrlen);
  ::freeaddrinfo(addrs);
  auto wait = [&](short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, 1000) == 1 && (p.revents & (POLLERR | POLLHUP)) == 0;
  };
  std::string reply(64, '\0');
  bool ok = wait(POLLOUT) && ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6 && wait(POLLIN);
  ssize_t n = ok ? ::recv(fd, reply.data(), reply.size(), 0) : -1;
  ::close(fd);
  if (n <= 0) return Unavailable("Redis does not answer.");
  reply.resize(static_cast<size_t>(n));
  if (reply.rfind("+PONG", 0) != 0) return Unavailable("Redis answered PING with an error.");
  return Ok();
}

json::bj::object CheckToJson(const CheckResult& c) {
  json::bj::object o;
  o["status"] = c.ok ? "ok" : "fail";
  o["duration_ms"] = c.duration_ms;
  if (!c.ok) o["message"] = c.message;
  for (const auto& [k, v] : c.facts) o[k] = v;
  return o;
}

}  // namespace

std::vector<CheckResult> RunHealthChecks(HealthTargets& t) {
  std::vector<CheckResult> results;
  results.push_back(Timed(t.clock, "database", [&](CheckResult& r) { return CheckDatabase(t.database, r); }));
  results.push_back(Timed(t.clock, "migrations", [&](CheckResult& r) { return CheckMigrations(t.database, r); }));
  results.push_back(Timed(t.clock, "object_storage",
                          [&](CheckResult& r) { return CheckObjects(t.objects, t.clock, t.node_id, r); }));
  results.push_back(Timed(t.clock, "disk", [&](CheckResult& r) { return CheckDisk(t.data_dir, t.min_free_disk_bytes, r); }));
  if (!t.redis_url.empty()) {
    results.push_back(Timed(t.clock, "redis", [&](CheckResult& r) { return CheckRedis(t.redis_url, r); }));
  }
  return results;
}

void RegisterHealthRoutes(http::Router& router, HealthTargets& targets) {
  // Liveness: answers from the I/O thread with no I/O, so it keeps answering when dependencies fail.
  router.Get("/health", [](http::Request&) { return http::Response::Json(200, R"({"status":"ok"})"); },
             {.io_thread = true, .rate_class = "static"});

  router.Get("/health/deep", [&targets](http::Request& req) {
    std::vector<CheckResult> results = RunHealthChecks(targets);
    json::bj::object checks;
    json::bj::array failed;
    for (const CheckResult& c : results) {
      checks[c.name] = CheckToJson(c);
      if (!c.ok) failed.emplace_back(c.name);
    }
    json::bj::object config;
    for (const auto& [k, v] : targets.summary) config[k] = v;
    json::bj::object doc;
    doc["status"] = failed.empty() ? "ok" : "fail";
    doc["checks"] = std::move(checks);
    doc["config"] = std::move(config);
    if (failed.empty()) return http::Response::Json(200, json::Serialize(doc));

    std::string names;
    for (const auto& f : failed) names += (names.empty() ? "" : ", ") + std::string(f.as_string());
    doc["failed"] = std::move(failed);
    json::bj::object error;
    error["code"] = "unhealthy";
    error["message"] = "Failed checks: " + names + ".";
    error["request_id"] = req.request_id;
    doc["error"] = std::move(error);
    http::Response r = http::Response::Json(503, json::Serialize(doc));
    r.headers.Set("Retry-After", "5");
    r.headers.Set("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace veza::app
