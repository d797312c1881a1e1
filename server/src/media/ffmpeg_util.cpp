#include "media/ffmpeg_util.h"

#include <mutex>

namespace veza::media::av {
namespace {

constexpr int64_t kProbeSizeBytes = 4 << 20;
constexpr int64_t kAnalyzeDurationUs = 10'000'000;

// FFmpeg logs to stderr at "info" by default; hostile uploads would flood the server's log with it.
void QuietLogs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

}  // namespace

void FormatOutputDeleter::operator()(AVFormatContext* ctx) const {
  if (ctx->pb && !(ctx->oformat->flags & AVFMT_NOFILE)) avio_closep(&ctx->pb);
  avformat_free_context(ctx);
}

std::string ErrorText(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof(buf));
  return buf;
}

int Deadline::Interrupt(void* self) {
  return std::chrono::steady_clock::now() > static_cast<Deadline*>(self)->at ? 1 : 0;
}

Result<InputPtr> OpenInput(const std::string& path, Deadline& deadline) {
  QuietLogs();
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return Internal("avformat_alloc_context failed");
  raw->interrupt_callback = {&Deadline::Interrupt, &deadline};
  raw->format_whitelist = av_strdup(kAcceptedDemuxers);
  raw->protocol_whitelist = av_strdup("file");
  raw->probesize = kProbeSizeBytes;
  raw->max_analyze_duration = kAnalyzeDurationUs;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);  // frees raw on failure
  if (rc < 0) {
    Error e = MakeError(ErrorCode::kUnsupportedMediaType, "Unrecognised media.", "unsupported_media_type");
    e.detail = "avformat_open_input: " + ErrorText(rc);
    if (rc == AVERROR_EXIT) {
      e = MakeError(ErrorCode::kValidation, "The file took too long to read.", "invalid_audio");
    }
    return e;
  }
  InputPtr ctx(raw);
  rc = avformat_find_stream_info(ctx.get(), nullptr);
  if (rc < 0) {
    Error e = MakeError(ErrorCode::kValidation, "The audio could not be read.", "invalid_audio");
    e.detail = "avformat_find_stream_info: " + ErrorText(rc);
    return e;
  }
  return ctx;
}

Result<int> FindAudioStream(AVFormatContext* ctx) {
  int index = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (index < 0) {
    return MakeError(ErrorCode::kUnsupportedMediaType, "The file contains no audio.",
                     "unsupported_media_type");
  }
  return index;
}

}  // namespace veza::media::av
