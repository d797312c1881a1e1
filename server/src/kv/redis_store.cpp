#include "kv/redis_store.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <charconv>
#include <cstdio>
#include <mutex>
#include <vector>

#include "kv/gcra.h"

namespace veza::kv {

namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;
  std::string password;
  int db = 0;
};

Result<Endpoint> ParseUrl(std::string_view url) {
  Error bad =
      MakeError(ErrorCode::kValidation, "redis.url must look like redis://[:password@]host[:port][/db]");
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad;
  std::string_view rest = url.substr(kScheme.size());
  Endpoint ep;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = auth.find(':');
    if (colon == std::string_view::npos) {
      ep.password = std::string(auth);
    } else {
      ep.user = std::string(auth.substr(0, colon));
      ep.password = std::string(auth.substr(colon + 1));
    }
  }
  std::string_view path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), ep.port);
    if (ec != std::errc() || end != port.data() + port.size() || ep.port <= 0 || ep.port > 65535) return bad;
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) ep.host = std::string(rest);
  if (!path.empty()) {
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), ep.db);
    if (ec != std::errc() || end != path.data() + path.size() || ep.db < 0) return bad;
  }
  return ep;
}

timeval Timeval(int ms) {
  return timeval{ms / 1000, (ms % 1000) * 1000};
}

Error Down(std::string detail) {
  return Unavailable("The shared state store (Redis) is unavailable.", std::move(detail));
}

std::string Int(int64_t v) {
  return std::to_string(v);
}

// GCRA as in kv/gcra.h, atomically inside Redis. Numbers stay doubles in Lua; the TAT is stored with
// 17 significant digits so no precision is lost between calls.
constexpr const char* kThrottleScript = R"lua(
local now = tonumber(ARGV[1])
local emission = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local eps = 1e-6
local burst = emission * capacity
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + emission
local allow_at = new_tat - burst
if now + eps < allow_at then
  return {0, 0, math.max(1, math.ceil(allow_at - now - eps))}
end
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
return {1, math.max(0, math.floor((now + burst - new_tat) / emission + eps)), 0}
)lua";

}  // namespace

struct RedisStore::Impl {
  RedisOptions options;
  Endpoint endpoint;
  std::mutex mu;
  std::vector<Context> idle;

  Result<Context> Connect() {
    timeval tv = Timeval(options.connect_timeout_ms);
    Context c(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv));
    if (!c) return Down("cannot allocate a Redis context");
    if (c->err) return Down(std::string("connect: ") + c->errstr);
    redisSetTimeout(c.get(), Timeval(options.command_timeout_ms));
    if (!endpoint.password.empty()) {
      Reply r(static_cast<redisReply*>(
          endpoint.user.empty()
              ? redisCommand(c.get(), "AUTH %b", endpoint.password.data(), endpoint.password.size())
              : redisCommand(c.get(), "AUTH %b %b", endpoint.user.data(), endpoint.user.size(),
                             endpoint.password.data(), endpoint.password.size())));
      if (!r || r->type == REDIS_REPLY_ERROR) return Down("Redis refused AUTH");
    }
    if (endpoint.db != 0) {
      Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", endpoint.db)));
      if (!r || r->type == REDIS_REPLY_ERROR) return Down("Redis refused SELECT");
    }
    return c;
  }

  /// Runs one command; a broken connection is dropped, so the next call reconnects.
  Result<Reply> Call(const std::vector<std::string>& args) {
    Context c;
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        c = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!c) {
      VEZA_ASSIGN_OR_RETURN(c, Connect());
    }
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply r(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(args.size()), argv.data(), lens.data())));
    if (!r) return Down(std::string("command: ") + (c->err ? c->errstr : "no reply"));
    {
      std::lock_guard lock(mu);
      if (idle.size() < options.max_idle_connections) idle.push_back(std::move(c));
    }
    if (r->type == REDIS_REPLY_ERROR) return Internal(std::string("redis: ") + std::string(r->str, r->len));
    return r;
  }

  std::string Key(std::string_view key) const { return options.key_prefix + std::string(key); }

  Result<int64_t> Integer(const std::vector<std::string>& args) {
    VEZA_ASSIGN_OR_RETURN(Reply r, Call(args));
    if (r->type != REDIS_REPLY_INTEGER) return Internal("redis: expected an integer reply");
    return static_cast<int64_t>(r->integer);
  }
};

RedisStore::RedisStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::Open(RedisOptions options) {
  VEZA_ASSIGN_OR_RETURN(Endpoint ep, ParseUrl(options.url));
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->endpoint = std::move(ep);
  return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

Result<int64_t> RedisStore::Incr(std::string_view key, int64_t by, int64_t ttl_ms) {
  std::string k = impl_->Key(key);
  if (ttl_ms <= 0) return impl_->Integer({"INCRBY", k, Int(by)});
  // One round trip, atomic: the counter and its expiry move together.
  VEZA_ASSIGN_OR_RETURN(Reply r, impl_->Call({"EVAL",
                                              "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) "
                                              "redis.call('PEXPIRE', KEYS[1], ARGV[2]) return v",
                                              "1", k, Int(by), Int(ttl_ms)}));
  if (r->type != REDIS_REPLY_INTEGER) return Internal("redis: expected an integer reply");
  return static_cast<int64_t>(r->integer);
}

Result<std::optional<int64_t>> RedisStore::GetInt(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(auto s, Get(key));
  if (!s) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || end != s->data() + s->size()) return std::optional<int64_t>();
  return std::optional<int64_t>(v);
}

Status RedisStore::Set(std::string_view key, std::string_view value, int64_t ttl_ms) {
  std::vector<std::string> args{"SET", impl_->Key(key), std::string(value)};
  if (ttl_ms > 0) {
    args.push_back("PX");
    args.push_back(Int(ttl_ms));
  }
  VEZA_TRY(impl_->Call(args));
  return Ok();
}

Result<bool> RedisStore::SetIfAbsent(std::string_view key, std::string_view value, int64_t ttl_ms) {
  std::vector<std::string> args{"SET", impl_->Key(key), std::string(value), "NX"};
  if (ttl_ms > 0) {
    args.push_back("PX");
    args.push_back(Int(ttl_ms));
  }
  VEZA_ASSIGN_OR_RETURN(Reply r, impl_->Call(args));
  return r->type == REDIS_REPLY_STATUS;  // OK when set, nil when the key existed
}

Result<std::optional<std::string>> RedisStore::Get(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(Reply r, impl_->Call({"GET", impl_->Key(key)}));
  if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  if (r->type != REDIS_REPLY_STRING) return Internal("redis: expected a string reply");
  return std::optional<std::string>(std::string(r->str, r->len));
}

Result<bool> RedisStore::Delete(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, impl_->Integer({"DEL", impl_->Key(key)}));
  return n > 0;
}

Result<bool> RedisStore::Expire(std::string_view key, int64_t ttl_ms) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, impl_->Integer({"PEXPIRE", impl_->Key(key), Int(ttl_ms)}));
  return n > 0;
}

Result<int64_t> RedisStore::TtlMs(std::string_view key) {
  return impl_->Integer({"PTTL", impl_->Key(key)});
}

Result<bool> RedisStore::SetAdd(std::string_view key, std::string_view member) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, impl_->Integer({"SADD", impl_->Key(key), std::string(member)}));
  return n > 0;
}

Result<bool> RedisStore::SetRemove(std::string_view key, std::string_view member) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, impl_->Integer({"SREM", impl_->Key(key), std::string(member)}));
  return n > 0;
}

Result<bool> RedisStore::SetContains(std::string_view key, std::string_view member) {
  VEZA_ASSIGN_OR_RETURN(int64_t n, impl_->Integer({"SISMEMBER", impl_->Key(key), std::string(member)}));
  return n > 0;
}

Result<std::vector<std::string>> RedisStore::SetMembers(std::string_view key) {
  VEZA_ASSIGN_OR_RETURN(Reply r, impl_->Call({"SMEMBERS", impl_->Key(key)}));
  if (r->type != REDIS_REPLY_ARRAY) return Internal("redis: expected an array reply");
  std::vector<std::string> out;
  for (size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
  return out;
}

Result<int64_t> RedisStore::SetSize(std::string_view key) {
  return impl_->Integer({"SCARD", impl_->Key(key)});
}

Result<Throttled> RedisStore::Throttle(std::string_view key, const BucketSpec& spec, int64_t now_ms) {
  char emission[32];
  std::snprintf(emission, sizeof emission, "%.17g", internal::EmissionMs(spec));
  VEZA_ASSIGN_OR_RETURN(Reply r, impl_->Call({"EVAL", kThrottleScript, "1", impl_->Key(key), Int(now_ms),
                                              emission, Int(spec.capacity)}));
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) return Internal("redis: unexpected throttle reply");
  return Throttled{.allowed = r->element[0]->integer == 1,
                   .remaining = static_cast<int64_t>(r->element[1]->integer),
                   .retry_after_ms = static_cast<int64_t>(r->element[2]->integer)};
}

}  // namespace veza::kv
