#include "kv/memory_store.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "kv/gcra.h"

namespace veza::kv {

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using Members = std::unordered_set<std::string, StringHash, std::equal_to<>>;

struct Entry {
  std::variant<std::string, Members, double> value;  // string (counters too), set, GCRA TAT
  int64_t expires_at_ms = 0;                         // 0: never
};

Error WrongType() {
  return Internal("kv: operation against a key holding the wrong kind of value");
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

struct MemoryStore::Impl {
  const Clock& clock;
  MemoryStoreOptions options;
  mutable std::mutex mu;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> map;

  /// The live entry at `key`, dropping it when expired.
  Entry* Find(std::string_view key, int64_t now) {
    auto it = map.find(key);
    if (it == map.end()) return nullptr;
    if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= now) {
      map.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  Entry& Create(std::string_view key, Entry entry, int64_t now) {
    if (map.size() >= options.max_keys) MakeRoom(now);
    return map.insert_or_assign(std::string(key), std::move(entry)).first->second;
  }

  void MakeRoom(int64_t now) {
    std::erase_if(map, [now](const auto& kv) {
      return kv.second.expires_at_ms != 0 && kv.second.expires_at_ms <= now;
    });
    if (map.size() < options.max_keys) return;
    // Still full of live keys (a flood of addresses, say): drop the eighth expiring soonest.
    std::vector<std::pair<uint64_t, decltype(map)::iterator>> by_expiry;
    by_expiry.reserve(map.size());
    for (auto it = map.begin(); it != map.end(); ++it) {
      by_expiry.emplace_back(static_cast<uint64_t>(it->second.expires_at_ms - 1),
                             it);  // 0 (never) sorts last
    }
    size_t n = std::max<size_t>(1, by_expiry.size() / 8);
    std::nth_element(by_expiry.begin(), by_expiry.begin() + static_cast<ptrdiff_t>(n - 1), by_expiry.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < n; ++i) map.erase(by_expiry[i].second);
  }

  static int64_t ExpiryAt(int64_t now, int64_t ttl_ms) { return ttl_ms > 0 ? now + ttl_ms : 0; }
};

MemoryStore::MemoryStore(const Clock& clock, MemoryStoreOptions options)
    : impl_(new Impl{clock, options, {}, {}}) {}

MemoryStore::~MemoryStore() = default;

Result<int64_t> MemoryStore::Incr(std::string_view key, int64_t by, int64_t ttl_ms) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  Entry* e = impl_->Find(key, now);
  if (e == nullptr) e = &impl_->Create(key, Entry{std::string("0"), 0}, now);
  auto* s = std::get_if<std::string>(&e->value);
  if (s == nullptr) return WrongType();
  auto current = ParseInt(*s);
  if (!current) return WrongType();
  int64_t next = *current + by;
  *s = std::to_string(next);
  if (ttl_ms > 0) e->expires_at_ms = now + ttl_ms;
  return next;
}

Result<std::optional<int64_t>> MemoryStore::GetInt(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  auto* s = e ? std::get_if<std::string>(&e->value) : nullptr;
  if (s == nullptr) return std::optional<int64_t>();
  return ParseInt(*s);
}

Status MemoryStore::Set(std::string_view key, std::string_view value, int64_t ttl_ms) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  impl_->Create(key, Entry{std::string(value), Impl::ExpiryAt(now, ttl_ms)}, now);
  return Ok();
}

Result<bool> MemoryStore::SetIfAbsent(std::string_view key, std::string_view value, int64_t ttl_ms) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  if (impl_->Find(key, now) != nullptr) return false;
  impl_->Create(key, Entry{std::string(value), Impl::ExpiryAt(now, ttl_ms)}, now);
  return true;
}

Result<std::optional<std::string>> MemoryStore::Get(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  if (e == nullptr) return std::optional<std::string>();
  auto* s = std::get_if<std::string>(&e->value);
  if (s == nullptr) return WrongType();
  return std::optional<std::string>(*s);
}

Result<bool> MemoryStore::Delete(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  if (impl_->Find(key, impl_->clock.NowMs()) == nullptr) return false;
  impl_->map.erase(impl_->map.find(key));
  return true;
}

Result<bool> MemoryStore::Expire(std::string_view key, int64_t ttl_ms) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  Entry* e = impl_->Find(key, now);
  if (e == nullptr) return false;
  if (ttl_ms <= 0) {
    impl_->map.erase(impl_->map.find(key));  // as Redis does for a non-positive expiry
    return true;
  }
  e->expires_at_ms = now + ttl_ms;
  return true;
}

Result<int64_t> MemoryStore::TtlMs(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  Entry* e = impl_->Find(key, now);
  if (e == nullptr) return kNoKey;
  return e->expires_at_ms == 0 ? kNoExpiry : e->expires_at_ms - now;
}

Result<bool> MemoryStore::SetAdd(std::string_view key, std::string_view member) {
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->clock.NowMs();
  Entry* e = impl_->Find(key, now);
  if (e == nullptr) e = &impl_->Create(key, Entry{Members{}, 0}, now);
  auto* m = std::get_if<Members>(&e->value);
  if (m == nullptr) return WrongType();
  return m->emplace(member).second;
}

Result<bool> MemoryStore::SetRemove(std::string_view key, std::string_view member) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  if (e == nullptr) return false;
  auto* m = std::get_if<Members>(&e->value);
  if (m == nullptr) return WrongType();
  auto it = m->find(member);
  if (it == m->end()) return false;
  m->erase(it);
  if (m->empty()) impl_->map.erase(impl_->map.find(key));
  return true;
}

Result<bool> MemoryStore::SetContains(std::string_view key, std::string_view member) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  if (e == nullptr) return false;
  auto* m = std::get_if<Members>(&e->value);
  if (m == nullptr) return WrongType();
  return m->find(member) != m->end();
}

Result<std::vector<std::string>> MemoryStore::SetMembers(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  if (e == nullptr) return std::vector<std::string>();
  auto* m = std::get_if<Members>(&e->value);
  if (m == nullptr) return WrongType();
  return std::vector<std::string>(m->begin(), m->end());
}

Result<int64_t> MemoryStore::SetSize(std::string_view key) {
  std::lock_guard lock(impl_->mu);
  Entry* e = impl_->Find(key, impl_->clock.NowMs());
  if (e == nullptr) return int64_t{0};
  auto* m = std::get_if<Members>(&e->value);
  if (m == nullptr) return WrongType();
  return static_cast<int64_t>(m->size());
}

Result<Throttled> MemoryStore::Throttle(std::string_view key, const BucketSpec& spec, int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  // Expiry follows the caller's time here, like the bucket arithmetic.
  Entry* e = impl_->Find(key, now_ms);
  double tat = static_cast<double>(now_ms);
  if (e != nullptr) {
    auto* stored = std::get_if<double>(&e->value);
    if (stored == nullptr) return WrongType();
    tat = *stored;
  }
  internal::GcraStep step = internal::Gcra(tat, spec, now_ms);
  if (step.result.allowed) {
    if (e == nullptr) e = &impl_->Create(key, Entry{0.0, 0}, now_ms);
    e->value = step.new_tat;
    e->expires_at_ms = now_ms + step.ttl_ms;
  }
  return step.result;
}

size_t MemoryStore::Size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->map.size();
}

}  // namespace veza::kv
