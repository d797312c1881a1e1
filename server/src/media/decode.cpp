#include "media/decode.h"

#include <chrono>

#include "media/ffmpeg_util.h"

namespace veza::media {
namespace {

constexpr int64_t kBlockFrames = 8192;

Error InvalidAudio(std::string message, std::string detail = {}) {
  Error e = MakeError(ErrorCode::kValidation, std::move(message), "invalid_audio");
  e.detail = std::move(detail);
  return e;
}

std::optional<EmbeddedPicture> ReadPicture(AVFormatContext* ctx) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    if (!(st->disposition & AV_DISPOSITION_ATTACHED_PIC) || st->attached_pic.size <= 0) continue;
    const char* mime = st->codecpar->codec_id == AV_CODEC_ID_MJPEG ? "image/jpeg"
                       : st->codecpar->codec_id == AV_CODEC_ID_PNG ? "image/png"
                                                                   : nullptr;
    if (!mime) continue;
    const uint8_t* data = st->attached_pic.data;
    return EmbeddedPicture{mime, std::vector<uint8_t>(data, data + st->attached_pic.size)};
  }
  return std::nullopt;
}

}  // namespace

Error Cancelled() { return MakeError(ErrorCode::kUnavailable, "Processing was cancelled.", "cancelled"); }

struct Decoder::Impl {
  av::Deadline deadline;
  av::InputPtr input;
  av::CodecPtr codec;
  av::SwrPtr swr;
  AVChannelLayout swr_in_layout{};
  int swr_in_rate = 0;
  int swr_in_format = -1;
  int stream = -1;
  PcmFormat format;
  std::optional<EmbeddedPicture> picture;
  std::shared_ptr<PcmBlock> block;
  int64_t frames_out = 0;
  int64_t packets = 0;
  int64_t bad_packets = 0;

  ~Impl() { av_channel_layout_uninit(&swr_in_layout); }

  Status OpenCodec() {
    const AVCodecParameters* par = input->streams[stream]->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (!decoder) return InvalidAudio("No decoder for this audio.");
    codec.reset(avcodec_alloc_context3(decoder));
    if (!codec) return Internal("avcodec_alloc_context3 failed");
    int rc = avcodec_parameters_to_context(codec.get(), par);
    if (rc >= 0) {
      codec->thread_count = 1;  // the encoders need the cores more than the decoder does
      rc = avcodec_open2(codec.get(), decoder, nullptr);
    }
    if (rc < 0) return InvalidAudio("The audio could not be decoded.", av::ErrorText(rc));
    return Ok();
  }

  // Re-created only when the decoded format really changes (some MP3s switch mid-stream); a
  // needless re-init would drop the resampler's delay line at every frame.
  Status ConfigureResampler(const AVFrame* frame) {
    AVChannelLayout in_layout{};
    if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
      av_channel_layout_default(&in_layout, frame->ch_layout.nb_channels);
    } else if (av_channel_layout_copy(&in_layout, &frame->ch_layout) < 0) {
      return Internal("av_channel_layout_copy failed");
    }
    bool same = swr && swr_in_rate == frame->sample_rate && swr_in_format == frame->format &&
                av_channel_layout_compare(&swr_in_layout, &in_layout) == 0;
    av_channel_layout_uninit(&swr_in_layout);
    swr_in_layout = in_layout;
    if (same) return Ok();
    AVChannelLayout out_layout{};
    av_channel_layout_default(&out_layout, format.channels);
    SwrContext* raw = nullptr;
    int rc = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, format.sample_rate, &swr_in_layout,
                                 static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0, nullptr);
    swr.reset(raw);
    if (rc >= 0) rc = swr_init(swr.get());
    if (rc < 0) return InvalidAudio("The audio's sample layout is not supported.", av::ErrorText(rc));
    swr_in_rate = frame->sample_rate;
    swr_in_format = frame->format;
    return Ok();
  }

  bool Emit(const std::function<bool(PcmBlockPtr)>& sink) {
    if (!block || block->frames == 0) return true;
    block->samples.resize(static_cast<size_t>(block->frames * format.channels));
    frames_out += block->frames;
    std::shared_ptr<PcmBlock> done = std::move(block);
    block.reset();
    return sink(std::move(done));
  }

  // Resamples straight into the current block; a new block starts when the output would not fit.
  bool Convert(const uint8_t** in, int in_frames, const std::function<bool(PcmBlockPtr)>& sink) {
    int64_t needed = swr_get_out_samples(swr.get(), in_frames);
    int64_t capacity = block ? static_cast<int64_t>(block->samples.size()) / format.channels : 0;
    if (!block || capacity - block->frames < needed) {
      if (!Emit(sink)) return false;
      block = std::make_shared<PcmBlock>();
      block->first_frame = frames_out;
      capacity = std::max(kBlockFrames, needed);
      block->samples.resize(static_cast<size_t>(capacity * format.channels));
    }
    auto* out = reinterpret_cast<uint8_t*>(block->samples.data() + block->frames * format.channels);
    int got = swr_convert(swr.get(), &out, static_cast<int>(capacity - block->frames), in, in_frames);
    if (got > 0) block->frames += got;
    return true;
  }

  Status DrainFrames(AVFrame* frame, const std::function<bool(PcmBlockPtr)>& sink) {
    while (true) {
      int rc = avcodec_receive_frame(codec.get(), frame);
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Ok();
      if (rc < 0) {
        ++bad_packets;
        return Ok();
      }
      VEZA_TRY(ConfigureResampler(frame));
      bool go = Convert(const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples, sink);
      av_frame_unref(frame);
      if (!go) return Cancelled();
    }
  }
};

Decoder::Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Decoder::~Decoder() = default;

Result<std::unique_ptr<Decoder>> Decoder::Open(const std::string& path, int64_t expected_ms,
                                               int64_t timeout_ms) {
  auto impl = std::make_unique<Impl>();
  impl->deadline.at = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  VEZA_ASSIGN_OR_RETURN(impl->input, av::OpenInput(path, impl->deadline));
  VEZA_ASSIGN_OR_RETURN(impl->stream, av::FindAudioStream(impl->input.get()));
  for (unsigned i = 0; i < impl->input->nb_streams; ++i) {
    if (static_cast<int>(i) != impl->stream) impl->input->streams[i]->discard = AVDISCARD_ALL;
  }
  VEZA_TRY(impl->OpenCodec());
  impl->format.sample_rate = kOutputRate;
  impl->format.channels = impl->codec->ch_layout.nb_channels == 1 ? 1 : 2;
  impl->format.expected_frames = expected_ms * kOutputRate / 1000;
  impl->picture = ReadPicture(impl->input.get());
  return std::unique_ptr<Decoder>(new Decoder(std::move(impl)));
}

const PcmFormat& Decoder::format() const { return impl_->format; }
const std::optional<EmbeddedPicture>& Decoder::picture() const { return impl_->picture; }
int64_t Decoder::frames_out() const { return impl_->frames_out; }

Status Decoder::Run(const std::function<bool(PcmBlockPtr)>& sink) {
  Impl& d = *impl_;
  av::PacketPtr pkt(av_packet_alloc());
  av::FramePtr frame(av_frame_alloc());
  while (true) {
    int rc = av_read_frame(d.input.get(), pkt.get());
    if (rc == AVERROR_EXIT) return InvalidAudio("Decoding took too long.");
    if (rc < 0) break;  // end of file, or an unreadable tail: keep what decoded
    if (pkt->stream_index != d.stream) {
      av_packet_unref(pkt.get());
      continue;
    }
    ++d.packets;
    rc = avcodec_send_packet(d.codec.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (rc < 0 && rc != AVERROR(EAGAIN)) ++d.bad_packets;
    VEZA_TRY(d.DrainFrames(frame.get(), sink));
  }
  avcodec_send_packet(d.codec.get(), nullptr);
  VEZA_TRY(d.DrainFrames(frame.get(), sink));
  if (d.swr) {
    // Flush the resampler's delay line.
    if (!d.Convert(nullptr, 0, sink)) return Cancelled();
  }
  if (!d.Emit(sink)) return Cancelled();
  if (d.frames_out == 0) return InvalidAudio("No audio could be decoded from the file.");
  if (d.bad_packets > 16 && d.bad_packets * 2 > d.packets) {
    return InvalidAudio("The audio is too damaged to decode.");
  }
  return Ok();
}

}  // namespace veza::media
