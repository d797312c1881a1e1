#include "media/probe.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "media/ffmpeg_util.h"

namespace veza::media {
namespace {

Error Unsupported(std::string_view detected) {
  Error e = MakeError(ErrorCode::kUnsupportedMediaType,
                      "Unsupported media type: " + std::string(detected) +
                          ". Accepted: WAV, AIFF, FLAC, ALAC, MP3, AAC, Ogg Vorbis, Opus.",
                      "unsupported_media_type");
  e.fields["file"] = std::string(detected);
  return e;
}

Error InvalidAudio(std::string message) {
  return MakeError(ErrorCode::kValidation, std::move(message), "invalid_audio");
}

std::vector<unsigned char> ReadHead(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> head(n);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(n));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

bool StartsWith(const std::vector<unsigned char>& head, size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() &&
         std::memcmp(head.data() + offset, magic.data(), magic.size()) == 0;
}

// Printable ASCII/UTF-8 with ordinary whitespace: nothing audio looks like that.
bool LooksLikeText(const std::vector<unsigned char>& head) {
  if (head.empty()) return false;
  for (unsigned char c : head) {
    bool control = c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f';
    if (control || c == 0x7F) return false;
  }
  return true;
}

// Names well-known non-audio types so the 415 says what was uploaded; nullopt = let libavformat judge.
std::optional<std::string> SniffNonAudio(const std::vector<unsigned char>& head) {
  static const std::array<std::pair<std::string_view, const char*>, 11> kMagic = {{
      {"PK\x03\x04", "zip archive"},
      {"PK\x05\x06", "zip archive"},
      {"%PDF", "pdf document"},
      {"\x89PNG", "png image"},
      {"\xFF\xD8\xFF", "jpeg image"},
      {"GIF8", "gif image"},
      {"\x1F\x8B", "gzip archive"},
      {"Rar!", "rar archive"},
      {"7z\xBC\xAF", "7z archive"},
      {"\x7F" "ELF", "executable"},
      {"\x1A\x45\xDF\xA3", "matroska/webm file"},
  }};
  for (const auto& [magic, name] : kMagic) {
    if (StartsWith(head, 0, magic)) return name;
  }
  if (StartsWith(head, 0, "RIFF") && StartsWith(head, 8, "AVI ")) return "avi video";
  if (StartsWith(head, 0, "RIFF") && StartsWith(head, 8, "WEBP")) return "webp image";
  if (LooksLikeText(head)) return "text";
  return std::nullopt;
}

std::string ContainerName(const AVInputFormat* fmt) {
  std::string name = fmt->name;
  if (name.rfind("mov,", 0) == 0) return "mp4";
  return name;
}

// Video that is not cover art makes the upload a video, whatever its audio.
std::optional<std::string> VideoKind(AVFormatContext* ctx) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) continue;
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) continue;
    std::string container = ContainerName(ctx->iformat);
    if (container == "mp4") return "mpeg-4 video";
    return container + " video";
  }
  return std::nullopt;
}

struct FormatFacts {
  const char* format;
  const char* mime;
  bool lossless;
};

std::optional<FormatFacts> FactsFor(AVCodecID codec, const std::string& container) {
  if (container == "wav" || container == "aiff") {
    const AVCodecDescriptor* d = avcodec_descriptor_get(codec);
    if (!d || std::string_view(d->name).rfind("pcm_", 0) != 0) return std::nullopt;
    if (container == "wav") return FormatFacts{"wav", "audio/wav", true};
    return FormatFacts{"aiff", "audio/aiff", true};
  }
  static const std::map<AVCodecID, FormatFacts> kCodecs = {
      {AV_CODEC_ID_FLAC, {"flac", "audio/flac", true}},
      {AV_CODEC_ID_ALAC, {"alac", "audio/mp4", true}},
      {AV_CODEC_ID_MP3, {"mp3", "audio/mpeg", false}},
      {AV_CODEC_ID_AAC, {"aac", "audio/aac", false}},
      {AV_CODEC_ID_VORBIS, {"vorbis", "audio/ogg", false}},
      {AV_CODEC_ID_OPUS, {"opus", "audio/ogg", false}},
  };
  auto it = kCodecs.find(codec);
  if (it == kCodecs.end()) return std::nullopt;
  FormatFacts facts = it->second;
  if (codec == AV_CODEC_ID_AAC && container == "mp4") facts.mime = "audio/mp4";
  return facts;
}

const char* Tag(AVFormatContext* ctx, const AVStream* st, std::initializer_list<const char*> keys,
                int flags = 0) {
  for (const char* key : keys) {
    for (AVDictionary* dict : {ctx->metadata, st->metadata}) {
      if (AVDictionaryEntry* e = av_dict_get(dict, key, nullptr, flags); e && e->value && *e->value) {
        return e->value;
      }
    }
  }
  return "";
}

std::optional<int> YearOf(const std::string& date) {
  for (size_t i = 0; i + 4 <= date.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(date[i])) && std::isdigit(date[i + 1]) &&
        std::isdigit(date[i + 2]) && std::isdigit(date[i + 3])) {
      int year = std::stoi(date.substr(i, 4));
      if (year >= 1000 && year <= 9999) return year;
    }
  }
  return std::nullopt;
}

std::optional<double> NumberOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v)) return std::nullopt;
  return v;
}

AudioTags ReadTags(AVFormatContext* ctx, const AVStream* st) {
  AudioTags t;
  t.title = Tag(ctx, st, {"title"});
  t.artist = Tag(ctx, st, {"artist", "album_artist"});
  t.album = Tag(ctx, st, {"album"});
  t.genre = Tag(ctx, st, {"genre"});
  t.date = Tag(ctx, st, {"date", "year", "TDRC", "TYER", "originaldate"});
  t.year = YearOf(t.date);
  t.bpm = NumberOf(Tag(ctx, st, {"TBPM", "bpm", "tmpo"}));
  t.key = Tag(ctx, st, {"TKEY", "initialkey", "key", "initial_key"});
  t.lyrics = Tag(ctx, st, {"lyrics", "unsyncedlyrics", "USLT"}, AV_DICT_IGNORE_SUFFIX);
  t.isrc = Tag(ctx, st, {"TSRC", "isrc"});
  return t;
}

bool HasPicture(AVFormatContext* ctx) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    if (ctx->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC) return true;
  }
  return false;
}

std::string Clock(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(ms / 3'600'000),
                static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60));
  return buf;
}

// Seeks near the claimed end and reads a packet: a header claiming more audio than the file holds
// (truncated uploads, forged durations) is caught here rather than halfway through processing.
Status CheckEndIsReachable(AVFormatContext* ctx, int stream, int64_t duration_ms) {
  if (duration_ms < 4000) return Ok();
  int64_t target_ms = duration_ms - 2000;
  int64_t target_us = target_ms * 1000;
  if (av_seek_frame(ctx, -1, target_us, AVSEEK_FLAG_BACKWARD) < 0) return Ok();  // unseekable: skip
  av::PacketPtr pkt(av_packet_alloc());
  const AVStream* st = ctx->streams[stream];
  int64_t tolerance_ms = std::max<int64_t>(1500, duration_ms / 20);
  for (int tries = 0; tries < 64; ++tries) {
    int rc = av_read_frame(ctx, pkt.get());
    if (rc < 0) break;
    bool ours = pkt->stream_index == stream;
    int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    av_packet_unref(pkt.get());
    if (!ours) continue;
    if (pts == AV_NOPTS_VALUE) return Ok();
    int64_t at_ms = av_rescale_q(pts, st->time_base, AVRational{1, 1000});
    if (at_ms + tolerance_ms >= target_ms) return Ok();
    break;
  }
  return InvalidAudio("The file is truncated or its header is wrong: it claims " + Clock(duration_ms) +
                      " of audio but ends early.");
}

uint32_t ReadUint(const std::vector<unsigned char>& b, size_t at, bool big_endian) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    uint32_t byte = b[at + (big_endian ? i : 3 - i)];
    v = (v << 8) | byte;
  }
  return v;
}

// Size the RIFF "data" / AIFF "SSND" chunk declares, if it sits in `head`. libavformat quietly clamps
// it to the file, so a forged or truncated header would otherwise pass as a short file.
std::optional<std::pair<uint64_t, uint64_t>> DeclaredPcmChunk(const std::vector<unsigned char>& head) {
  bool riff = StartsWith(head, 0, "RIFF") && StartsWith(head, 8, "WAVE");
  bool aiff = StartsWith(head, 0, "FORM") && (StartsWith(head, 8, "AIFF") || StartsWith(head, 8, "AIFC"));
  if (!riff && !aiff) return std::nullopt;
  const char* wanted = riff ? "data" : "SSND";
  size_t at = 12;
  while (at + 8 <= head.size()) {
    uint64_t size = ReadUint(head, at + 4, aiff);
    if (StartsWith(head, at, wanted)) return std::pair<uint64_t, uint64_t>{at + 8, size};
    at += 8 + size + (size & 1);
  }
  return std::nullopt;
}

Status CheckDeclaredSize(const std::vector<unsigned char>& head, uint64_t file_size, const ProbeResult& r) {
  auto chunk = DeclaredPcmChunk(head);
  if (!chunk) return Ok();
  auto [offset, declared] = *chunk;
  // 0 and 0xFFFFFFFF mean "unknown" (streamed recordings); RF64 files carry the size elsewhere.
  if (declared == 0 || declared >= 0xFFFFFFF0u) return Ok();
  uint64_t present = file_size > offset ? file_size - offset : 0;
  if (declared <= present + present / 100 + 4096) return Ok();
  int64_t bytes_per_second = int64_t{r.sample_rate} * r.channels * std::max(r.bits_per_sample, 8) / 8;
  int64_t claimed_ms = bytes_per_second > 0 ? static_cast<int64_t>(declared * 1000 / bytes_per_second) : 0;
  return InvalidAudio("The file is truncated or its header is wrong: it claims " + Clock(claimed_ms) +
                      " of audio but holds " + Clock(r.duration_ms) + ".");
}

int64_t DurationMs(AVFormatContext* ctx, const AVStream* st) {
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    return av_rescale_q(st->duration, st->time_base, AVRational{1, 1000});
  }
  if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0) return ctx->duration / 1000;
  return 0;
}

Status CheckPlausible(const ProbeResult& r, const ProbeLimits& limits) {
  if (r.channels < 1 || r.channels > limits.max_channels) {
    return InvalidAudio("The audio has " + std::to_string(r.channels) + " channels; at most " +
                        std::to_string(limits.max_channels) + " are supported.");
  }
  if (r.sample_rate < 8000 || r.sample_rate > 384000) {
    return InvalidAudio("The audio's sample rate (" + std::to_string(r.sample_rate) +
                        " Hz) is not supported.");
  }
  if (r.duration_ms > limits.max_duration_ms) {
    return InvalidAudio("The audio is longer than " + Clock(limits.max_duration_ms) + ".");
  }
  return Ok();
}

}  // namespace

Result<ProbeResult> Probe(const std::string& path, const ProbeLimits& limits) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return InvalidAudio("The file could not be read.");
  if (size == 0) return InvalidAudio("The file is empty.");
  auto head = ReadHead(path, 4096);
  if (auto kind = SniffNonAudio(head)) return Unsupported(*kind);

  av::Deadline deadline{std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.timeout_ms)};
  auto opened = av::OpenInput(path, deadline);
  if (!opened.ok()) {
    if (opened.error().code == ErrorCode::kUnsupportedMediaType) return Unsupported("unknown binary data");
    return std::move(opened).error();
  }
  AVFormatContext* ctx = opened->get();
  if (auto video = VideoKind(ctx)) return Unsupported(*video);
  VEZA_ASSIGN_OR_RETURN(int index, av::FindAudioStream(ctx));
  const AVStream* st = ctx->streams[index];
  const AVCodecParameters* par = st->codecpar;

  ProbeResult r;
  r.container = ContainerName(ctx->iformat);
  r.codec = avcodec_get_name(par->codec_id);
  auto facts = FactsFor(par->codec_id, r.container);
  if (!facts) return Unsupported(r.codec + " audio in " + r.container);
  r.format = facts->format;
  r.mime_type = facts->mime;
  r.lossless = facts->lossless;
  r.sample_rate = par->sample_rate;
  r.channels = par->ch_layout.nb_channels;
  r.bit_rate = par->bit_rate > 0 ? par->bit_rate : std::max<int64_t>(ctx->bit_rate, 0);
  if (r.lossless) r.bits_per_sample = par->bits_per_raw_sample ? par->bits_per_raw_sample : par->bits_per_coded_sample;
  r.duration_ms = DurationMs(ctx, st);
  r.has_picture = HasPicture(ctx);
  r.tags = ReadTags(ctx, st);
  VEZA_TRY(CheckPlausible(r, limits));
  VEZA_TRY(CheckDeclaredSize(head, size, r));
  VEZA_TRY(CheckEndIsReachable(ctx, index, r.duration_ms));
  if (av::Deadline::Interrupt(&deadline)) return InvalidAudio("The file took too long to read.");
  return r;
}

}  // namespace veza::media
