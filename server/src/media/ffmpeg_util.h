#pragma once
// Internal to veza_media: included only by its .cpp files, never by other modules' headers.
// RAII handles over FFmpeg objects and the guarded way to open an untrusted input.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
}

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"

namespace veza::media::av {

struct FormatInputDeleter {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};
struct FormatOutputDeleter {
  void operator()(AVFormatContext* ctx) const;
};
struct CodecDeleter {
  void operator()(AVCodecContext* ctx) const { avcodec_free_context(&ctx); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwrDeleter {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct DictDeleter {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

using InputPtr = std::unique_ptr<AVFormatContext, FormatInputDeleter>;
using OutputPtr = std::unique_ptr<AVFormatContext, FormatOutputDeleter>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

/// FFmpeg's message for an AVERROR code.
std::string ErrorText(int code);

/// Cancels blocking libavformat I/O once a wall-clock deadline passes (hostile inputs must not hang).
struct Deadline {
  std::chrono::steady_clock::time_point at;
  static int Interrupt(void* self);
};

/// Demuxers for the accepted formats only; everything else is refused before any parser runs.
inline constexpr const char* kAcceptedDemuxers = "wav,aiff,flac,mov,mp4,m4a,mp3,aac,ogg";

/// Opens `path` with the accepted demuxers, bounded probe size/analysis time and an I/O deadline,
/// and reads stream info. `deadline` must outlive the returned context.
Result<InputPtr> OpenInput(const std::string& path, Deadline& deadline);

/// Index of the best audio stream, or a 415 naming what the container holds instead.
Result<int> FindAudioStream(AVFormatContext* ctx);

}  // namespace veza::media::av
