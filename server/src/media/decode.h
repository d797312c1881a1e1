#pragma once
// Internal to veza_media: the single decode pass (libavformat → libavcodec → libswresample to
// interleaved float at 44.1 kHz, mono kept mono, everything else down-mixed to stereo).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "media/pcm.h"

namespace veza::media {

struct EmbeddedPicture {
  std::string mime_type;  // image/jpeg or image/png
  std::vector<uint8_t> bytes;
};

class Decoder {
 public:
  static constexpr int kOutputRate = 44100;

  /// Opens the source; `timeout_ms` bounds the whole decode (I/O is interrupted past it).
  static Result<std::unique_ptr<Decoder>> Open(const std::string& path, int64_t expected_ms,
                                               int64_t timeout_ms);
  ~Decoder();

  const PcmFormat& format() const;
  /// The embedded cover (JPEG or PNG), if the source has one.
  const std::optional<EmbeddedPicture>& picture() const;

  /// Decodes everything, handing blocks to `sink` in order; `sink` returns false to stop early
  /// (cancellation), which makes Run return a `cancelled` error.
  Status Run(const std::function<bool(PcmBlockPtr)>& sink);

  /// Frames emitted so far.
  int64_t frames_out() const;

 private:
  struct Impl;
  explicit Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The error a cancelled run returns.
Error Cancelled();

}  // namespace veza::media
