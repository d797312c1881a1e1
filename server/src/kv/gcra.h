#pragma once
// The token bucket as GCRA over one stored number, the bucket's "theoretical arrival time" (TAT):
// shared by the memory store and, transcribed into Lua, by the Redis store.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kv/store.h"

namespace veza::kv::internal {

// A bucket that never refills still recovers one token an hour, so a stored key can expire.
constexpr double kNoRefillEmissionMs = 3'600'000;
// Absorbs rounding such as 6000 ms × (10/60) / 1000.
constexpr double kEpsilon = 1e-6;

inline double EmissionMs(const BucketSpec& spec) {
  return spec.refill_per_second > 0 ? 1000.0 / spec.refill_per_second : kNoRefillEmissionMs;
}

struct GcraStep {
  Throttled result;
  double new_tat = 0;  // what to store when allowed
  int64_t ttl_ms = 0;  // how long the stored TAT matters (until the bucket is full again)
};

/// `tat` is the stored value, or `now` for an absent key.
inline GcraStep Gcra(double tat, const BucketSpec& spec, int64_t now_ms) {
  double now = static_cast<double>(now_ms);
  double emission = EmissionMs(spec);
  double burst = emission * static_cast<double>(spec.capacity);
  GcraStep step;
  tat = std::max(tat, now);
  double new_tat = tat + emission;
  double allow_at = new_tat - burst;
  if (now + kEpsilon < allow_at) {
    step.result = {
        .allowed = false,
        .remaining = 0,
        .retry_after_ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(allow_at - now - kEpsilon)))};
    return step;
  }
  step.result = {.allowed = true,
                 .remaining = std::max<int64_t>(
                     0, static_cast<int64_t>(std::floor((now + burst - new_tat) / emission + kEpsilon))),
                 .retry_after_ms = 0};
  step.new_tat = new_tat;
  step.ttl_ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(new_tat - now)));
  return step;
}

}  // namespace veza::kv::internal
