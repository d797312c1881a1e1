#pragma once
// Internal to veza_media: decoded PCM blocks, the bounded queue that carries them to each consumer,
// and the consumer interface every stage (encoders, analysers) implements.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace veza::media {

/// What every consumer receives: interleaved float samples at a fixed rate.
struct PcmFormat {
  int sample_rate = 44100;
  int channels = 2;
  /// Expected length from the probe (0 = unknown); consumers use it only to size their output.
  int64_t expected_frames = 0;
};

/// One block of interleaved float PCM, shared read-only by every consumer (never copied per consumer).
struct PcmBlock {
  std::vector<float> samples;  // frames * channels
  int64_t frames = 0;
  int64_t first_frame = 0;     // position of the block's first frame in the stream
};

using PcmBlockPtr = std::shared_ptr<const PcmBlock>;

/// A stage fed by the decoder. Called from one thread: Begin, Consume…, Finish.
class PcmConsumer {
 public:
  virtual ~PcmConsumer() = default;
  virtual std::string Name() const = 0;
  virtual Status Begin(const PcmFormat& format) = 0;
  virtual Status Consume(const PcmBlock& block) = 0;
  virtual Status Finish() = 0;
};

/// Single-producer, single-consumer bounded queue; Close() ends the stream for the consumer and
/// Abandon() lets the producer stop waiting on a consumer that failed.
class BlockQueue {
 public:
  explicit BlockQueue(size_t capacity) : capacity_(capacity) {}

  /// Blocks while full. False when the consumer abandoned the queue.
  bool Push(PcmBlockPtr block) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || abandoned_; });
    if (abandoned_) return false;
    items_.push_back(std::move(block));
    not_empty_.notify_one();
    return true;
  }

  /// Next block, or nullopt at the end of the stream.
  std::optional<PcmBlockPtr> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    PcmBlockPtr block = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return block;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

  void Abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    items_.clear();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<PcmBlockPtr> items_;
  size_t capacity_;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace veza::media
