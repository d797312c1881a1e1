#include "media/hls_writer.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "media/ffmpeg_util.h"

namespace veza::media {
namespace {

namespace fs = std::filesystem;

Error AvFailure(const char* what, int rc) { return Internal(std::string(what) + ": " + av::ErrorText(rc)); }

}  // namespace

struct HlsRenditionWriter::Impl {
  fs::path dir;
  int bitrate_bps;
  int segment_seconds;
  int channels = 0;
  av::CodecPtr encoder;
  av::OutputPtr muxer;
  av::FramePtr frame;
  av::PacketPtr packet;
  int fill = 0;           // frames already in `frame`
  int64_t next_pts = 0;   // in samples

  Status OpenEncoder(const PcmFormat& format) {
    const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!aac) return Internal("FFmpeg has no AAC encoder");
    encoder.reset(avcodec_alloc_context3(aac));
    encoder->sample_fmt = AV_SAMPLE_FMT_FLTP;
    encoder->sample_rate = format.sample_rate;
    av_channel_layout_default(&encoder->ch_layout, format.channels);
    encoder->bit_rate = bitrate_bps;
    encoder->profile = FF_PROFILE_AAC_LOW;
    encoder->time_base = AVRational{1, format.sample_rate};
    encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    encoder->thread_count = 1;
    int rc = avcodec_open2(encoder.get(), aac, nullptr);
    if (rc < 0) return AvFailure("avcodec_open2(aac)", rc);
    frame.reset(av_frame_alloc());
    frame->nb_samples = encoder->frame_size;
    frame->format = AV_SAMPLE_FMT_FLTP;
    frame->sample_rate = format.sample_rate;
    av_channel_layout_copy(&frame->ch_layout, &encoder->ch_layout);
    rc = av_frame_get_buffer(frame.get(), 0);
    if (rc < 0) return AvFailure("av_frame_get_buffer", rc);
    packet.reset(av_packet_alloc());
    return Ok();
  }

  Status OpenMuxer() {
    std::string playlist = (dir / "index.m3u8").string();
    AVFormatContext* raw = nullptr;
    int rc = avformat_alloc_output_context2(&raw, nullptr, "hls", playlist.c_str());
    if (rc < 0) return AvFailure("avformat_alloc_output_context2(hls)", rc);
    muxer.reset(raw);
    AVStream* st = avformat_new_stream(raw, nullptr);
    if (!st) return Internal("avformat_new_stream failed");
    rc = avcodec_parameters_from_context(st->codecpar, encoder.get());
    if (rc < 0) return AvFailure("avcodec_parameters_from_context", rc);
    st->time_base = encoder->time_base;
    AVDictionary* opts = nullptr;
    av_dict_set_int(&opts, "hls_time", segment_seconds, 0);
    av_dict_set(&opts, "hls_playlist_type", "vod", 0);
    av_dict_set(&opts, "hls_segment_type", "fmp4", 0);
    av_dict_set(&opts, "hls_fmp4_init_filename", "init.mp4", 0);
    av_dict_set(&opts, "hls_segment_filename", (dir / "seg_%05d.m4s").c_str(), 0);
    av_dict_set(&opts, "hls_flags", "independent_segments", 0);
    av_dict_set_int(&opts, "hls_list_size", 0, 0);
    rc = avformat_write_header(raw, &opts);
    av_dict_free(&opts);
    if (rc < 0) return AvFailure("avformat_write_header(hls)", rc);
    return Ok();
  }

  Status WritePackets() {
    AVStream* st = muxer->streams[0];
    while (true) {
      int rc = avcodec_receive_packet(encoder.get(), packet.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Ok();
      if (rc < 0) return AvFailure("avcodec_receive_packet", rc);
      av_packet_rescale_ts(packet.get(), encoder->time_base, st->time_base);
      packet->stream_index = 0;
      rc = av_write_frame(muxer.get(), packet.get());
      av_packet_unref(packet.get());
      if (rc < 0) return AvFailure("av_write_frame(hls)", rc);
    }
  }

  Status EncodeFrame() {
    frame->nb_samples = fill;
    frame->pts = next_pts;
    next_pts += fill;
    int rc = avcodec_send_frame(encoder.get(), frame.get());
    if (rc < 0) return AvFailure("avcodec_send_frame", rc);
    fill = 0;
    VEZA_TRY(WritePackets());
    rc = av_frame_make_writable(frame.get());
    if (rc < 0) return AvFailure("av_frame_make_writable", rc);
    frame->nb_samples = encoder->frame_size;
    return Ok();
  }
};

HlsRenditionWriter::HlsRenditionWriter(fs::path dir, int bitrate_bps, int segment_seconds)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = std::move(dir);
  impl_->bitrate_bps = bitrate_bps;
  impl_->segment_seconds = segment_seconds;
}

HlsRenditionWriter::~HlsRenditionWriter() = default;

std::string HlsRenditionWriter::Name() const { return "hls_" + impl_->dir.filename().string(); }

Status HlsRenditionWriter::Begin(const PcmFormat& format) {
  std::error_code ec;
  fs::create_directories(impl_->dir, ec);
  if (ec) return Internal("create " + impl_->dir.string() + ": " + ec.message());
  impl_->channels = format.channels;
  VEZA_TRY(impl_->OpenEncoder(format));
  return impl_->OpenMuxer();
}

Status HlsRenditionWriter::Consume(const PcmBlock& block) {
  Impl& w = *impl_;
  const int channels = w.channels;
  const int frame_size = w.encoder->frame_size;
  const float* src = block.samples.data();
  int64_t remaining = block.frames;
  while (remaining > 0) {
    int n = static_cast<int>(std::min<int64_t>(remaining, frame_size - w.fill));
    // De-interleave into the encoder's planar frame: the only copy this stage makes.
    for (int c = 0; c < channels; ++c) {
      float* dst = reinterpret_cast<float*>(w.frame->extended_data[c]) + w.fill;
      for (int i = 0; i < n; ++i) dst[i] = src[i * channels + c];
    }
    src += static_cast<ptrdiff_t>(n) * channels;
    remaining -= n;
    w.fill += n;
    if (w.fill == frame_size) VEZA_TRY(w.EncodeFrame());
  }
  return Ok();
}

Status HlsRenditionWriter::Finish() {
  Impl& w = *impl_;
  if (w.fill > 0) VEZA_TRY(w.EncodeFrame());
  int rc = avcodec_send_frame(w.encoder.get(), nullptr);
  if (rc < 0) return AvFailure("avcodec_send_frame(flush)", rc);
  VEZA_TRY(w.WritePackets());
  rc = av_write_trailer(w.muxer.get());
  if (rc < 0) return AvFailure("av_write_trailer(hls)", rc);
  return Ok();
}

// RFC 8216 §4.3.4.2: the peak segment bit rate is the largest rate of any run of contiguous
// segments lasting 0.5–1.5 target durations, so a final sliver's header overhead does not count.
int64_t PeakBandwidth(const std::vector<HlsSegment>& segments, double target_s) {
  int64_t peak = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    double seconds = 0;
    int64_t bytes = 0;
    for (size_t j = i; j < segments.size() && seconds + segments[j].duration_s <= 1.5 * target_s; ++j) {
      seconds += segments[j].duration_s;
      bytes += segments[j].bytes;
      if (seconds >= 0.5 * target_s) peak = std::max<int64_t>(peak, std::llround(bytes * 8 / seconds));
    }
  }
  return peak;
}

Result<HlsVariant> MeasureVariant(const fs::path& dir, const std::string& name, int bitrate_bps) {
  HlsVariant v;
  v.bitrate_bps = bitrate_bps;
  v.name = name;
  v.playlist = dir / "index.m3u8";
  std::ifstream in(v.playlist);
  if (!in) return Internal("cannot read " + v.playlist.string());
  std::error_code ec;
  v.init_bytes = static_cast<int64_t>(fs::file_size(dir / "init.mp4", ec));
  if (ec) return Internal("missing init segment in " + dir.string());
  std::string line;
  double pending = -1;
  double target_s = 0;
  double total_s = 0;
  int64_t segment_bytes = 0;
  while (std::getline(in, line)) {
    if (line.rfind("#EXT-X-TARGETDURATION:", 0) == 0) {
      target_s = std::strtod(line.c_str() + 22, nullptr);
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      pending = std::strtod(line.c_str() + 8, nullptr);
    } else if (!line.empty() && line[0] != '#' && pending >= 0) {
      HlsSegment s{line, pending, static_cast<int64_t>(fs::file_size(dir / line, ec))};
      if (ec) return Internal("missing segment " + line + " in " + dir.string());
      total_s += s.duration_s;
      segment_bytes += s.bytes;
      v.segments.push_back(std::move(s));
      pending = -1;
    }
  }
  if (v.segments.empty() || total_s <= 0) return Internal("no segments in " + v.playlist.string());
  v.total_bytes = v.init_bytes + segment_bytes;
  v.average_bandwidth = std::llround(segment_bytes * 8 / total_s);
  // A track shorter than half a target duration has no qualifying run: its average is its peak.
  v.peak_bandwidth = std::max(PeakBandwidth(v.segments, target_s), v.average_bandwidth);
  return v;
}

Status WriteMasterPlaylist(const fs::path& path, const std::vector<HlsVariant>& variants) {
  std::ostringstream out;
  out << "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const HlsVariant& v : variants) {
    out << "#EXT-X-STREAM-INF:BANDWIDTH=" << v.peak_bandwidth << ",AVERAGE-BANDWIDTH=" << v.average_bandwidth
        << ",CODECS=\"mp4a.40.2\"\n"
        << v.name << "/index.m3u8\n";
  }
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    file << out.str();
    if (!file.flush()) return Internal("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Internal("rename " + tmp.string() + ": " + ec.message());
  return Ok();
}

}  // namespace veza::media
