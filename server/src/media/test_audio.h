#pragma once
// Test helpers for veza_media: temporary directories and audio generated with the ffmpeg and sox CLIs.

#include <filesystem>
#include <string>

namespace veza::media::testutil {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Runs a shell command; returns its exit status.
int Run(const std::string& command);
/// Runs a shell command and returns its stdout.
std::string Capture(const std::string& command);

/// `ffmpeg -f lavfi -i SOURCE ENCODE_ARGS OUT`, throwing on failure. `source` is a lavfi graph such
/// as "sine=frequency=440:duration=5".
std::filesystem::path FfmpegGenerate(const std::filesystem::path& out, const std::string& source,
                                     const std::string& encode_args);

/// Seconds of audio the ffmpeg CLI decodes from `input` (optionally with `-map MAP`).
double DecodedSeconds(const std::string& input, const std::string& map = {});

/// Integrated loudness (LUFS) of `input` as measured by ffmpeg's ebur128 filter.
double FfmpegLoudness(const std::string& input);

/// A shell-quoted argument.
std::string Quote(const std::string& s);

}  // namespace veza::media::testutil
