#include "test_audio.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <regex>
#include <stdexcept>

namespace veza::media::testutil {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("veza-media-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int Run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Capture(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
  return out;
}

fs::path FfmpegGenerate(const fs::path& out, const std::string& source, const std::string& encode_args) {
  std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i " + Quote(source) + " " +
                    encode_args + " " + Quote(out.string());
  if (Run(cmd) != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
  return out;
}

double DecodedSeconds(const std::string& input, const std::string& map) {
  // Decode to mono 44.1 kHz s16 and count the bytes: exact, whatever the container says.
  std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -i " + Quote(input) +
                    (map.empty() ? "" : " -map " + map) + " -ac 1 -ar 44100 -f s16le - | wc -c";
  std::string bytes = Capture(cmd);
  return std::stod(bytes) / 2.0 / 44100.0;
}

double FfmpegLoudness(const std::string& input) {
  std::string out = Capture("ffmpeg -nostdin -hide_banner -nostats -i " + Quote(input) +
                            " -af ebur128 -f null - 2>&1");
  std::smatch m;
  static const std::regex kIntegrated(R"(Integrated loudness:\s*\n\s*I:\s*(-?[0-9.]+) LUFS)");
  if (!std::regex_search(out, m, kIntegrated)) throw std::runtime_error("no ebur128 summary in: " + out);
  return std::stod(m[1]);
}

}  // namespace veza::media::testutil
