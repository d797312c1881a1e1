#include "core/ids.h"

#include <charconv>
#include <stdexcept>
#include <thread>

namespace veza {

IdGenerator::IdGenerator(const Clock& clock, int node_id) : clock_(clock), node_(node_id) {
  if (node_id < 0 || node_id > kMaxNode) throw std::invalid_argument("node id out of range 0..63");
}

Id IdGenerator::Next() {
  std::lock_guard lock(mu_);
  int64_t now = clock_.NowMs() - kEpochMs;
  if (now < last_ms_) now = last_ms_;  // clock stepped back: keep ordering
  if (now == last_ms_) {
    sequence_ = (sequence_ + 1) & ((1 << kSequenceBits) - 1);
    if (sequence_ == 0) {
      // Sequence exhausted within this millisecond: borrow the next one.
      ++now;
    }
  } else {
    sequence_ = 0;
  }
  last_ms_ = now;
  return (now << (kNodeBits + kSequenceBits)) | (node_ << kSequenceBits) | sequence_;
}

int64_t IdGenerator::TimestampMs(Id id) { return (id >> (kNodeBits + kSequenceBits)) + kEpochMs; }

std::string IdToString(Id id) { return std::to_string(id); }

std::optional<Id> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  Id value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace veza
