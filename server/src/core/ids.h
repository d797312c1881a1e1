#pragma once
/// 64-bit, time-ordered ids unique across nodes without coordination:
/// 48 bits of milliseconds since 2024-01-01 UTC, 6 bits of node id, 9 bits of per-node sequence.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace veza {

using Id = int64_t;

class IdGenerator {
 public:
  static constexpr int64_t kEpochMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
  static constexpr int kNodeBits = 6;
  static constexpr int kSequenceBits = 9;
  static constexpr int kMaxNode = (1 << kNodeBits) - 1;

  /// node_id in [0, 63]; distinct per running node in a cluster.
  IdGenerator(const Clock& clock, int node_id);

  /// Strictly increasing on this node; waits out the millisecond when the sequence is exhausted
  /// and never goes backwards if the wall clock does.
  Id Next();

  /// Milliseconds since the Unix epoch encoded in an id.
  static int64_t TimestampMs(Id id);

 private:
  const Clock& clock_;
  const int64_t node_;
  std::mutex mu_;
  int64_t last_ms_ = 0;
  int64_t sequence_ = 0;
};

/// Ids are sent to clients as decimal strings (JavaScript numbers lose precision past 2^53).
std::string IdToString(Id id);
/// Parses a decimal id; nullopt for anything that is not a positive 64-bit integer.
std::optional<Id> ParseId(std::string_view text);

}  // namespace veza
