#pragma once
/// The media task protocol between the server and its sandboxed child (`veza media-task process IN OUT`):
/// the child runs media::RunPipeline and prints one JSON document on stdout; with --progress it prints
/// "progress <stage> <percent>" lines on stderr as it goes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::tracks {

/// Exit code of a child that ran out of memory (matches jobs::kOutOfMemoryExitCode).
inline constexpr int kMediaTaskOutOfMemory = 86;

/// Entry point of the child: args are {"process", IN, OUT, [--progress], [--ladder 128,192,256]}.
/// Exit 0 with the result, 1 with {"error": …} on stdout, 2 on bad usage, 86 out of memory.
int MediaTaskMain(const std::vector<std::string>& args);

/// What the parent needs from a finished child.
struct MediaTaskOutput {
  bool ok = false;
  // On failure: the error as the child classified it.
  std::string error_code;  // "validation", "unsupported_media_type", "internal"…
  std::string error_message;
  // On success (paths are inside the output directory).
  int64_t duration_ms = 0;
  std::optional<double> loudness_lufs;
  std::optional<double> true_peak_dbtp;
  std::optional<double> replay_gain_db;
  std::optional<double> bpm;
  std::optional<double> bpm_confidence;
  std::string key;  // canonical name, "" when none
  std::optional<double> key_confidence;
  std::string cover_path;  // "" when none
  std::string cover_mime_type;
};

/// Parses the child's stdout; kInternal when it is not a document the child writes.
Result<MediaTaskOutput> ParseMediaTaskOutput(std::string_view stdout_text);

/// Parses one stderr progress line ("progress processing 42"); false for other lines.
bool ParseProgressLine(std::string_view line, std::string& stage, int& percent);

}  // namespace veza::tracks
