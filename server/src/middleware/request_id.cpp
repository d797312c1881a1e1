#include <cstdint>
#include <random>

#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

/// xoshiro256**: a few ns per 64 bits, no lock; request ids need uniqueness, not secrecy.
class FastRng {
 public:
  FastRng() {
    std::random_device rd;
    for (uint64_t& s : state_) s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

std::string NewRequestId() {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local FastRng rng;
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t v = rng.Next();
    for (int i = 0; i < 16; ++i) {
      id[half * 16 + i] = kHex[v & 0xf];
      v >>= 4;
    }
  }
  return id;
}

http::Middleware RequestId() {
  return [](http::Request& req, const http::Handler& next) {
    auto client = req.Header("X-Request-Id");
    if (client && IsValidRequestId(*client)) {
      req.request_id.assign(client->data(), client->size());
    } else {
      req.request_id = NewRequestId();
    }
    http::Response resp = next(req);
    resp.headers.Set("X-Request-Id", req.request_id);
    return resp;
  };
}

}  // namespace veza::middleware
