#pragma once
/// Runs the media task in a child process with CPU-time, memory and wall-clock limits, streaming its
/// stderr lines to the caller (for progress). A small function so jobs::RunSandboxed can replace it
/// once that module offers line streaming.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::tracks {

/// 0 means no limit.
struct ChildLimits {
  int64_t cpu_seconds = 0;   // RLIMIT_CPU
  int64_t memory_bytes = 0;  // RLIMIT_AS (ignored in sanitizer builds, whose shadow memory needs terabytes)
  int64_t wall_ms = 0;       // the child's process group is killed past it
};

struct ChildOutcome {
  bool exited = false;  // exit_code is valid; otherwise killed by term_signal
  int exit_code = -1;
  int term_signal = 0;
  bool wall_timeout = false;
  std::string stdout_data;  // capped at 4 MiB
  std::string stderr_tail;  // the last few KiB, for job errors
  int64_t wall_ms = 0;

  bool Succeeded() const { return exited && exit_code == 0 && !wall_timeout; }
  /// "exit code 1", "killed by signal 9 (wall-clock limit)"…
  std::string Describe() const;
};

using StderrLineFn = std::function<void(std::string_view line)>;
/// The signature processing depends on, so tests and the jobs sandbox can stand in.
using ChildRunner = std::function<Result<ChildOutcome>(const std::vector<std::string>& argv,
                                                       const ChildLimits&, const StderrLineFn&)>;

/// fork/exec of argv[0] (an absolute or relative path, not searched in PATH) in a new process group,
/// stdin /dev/null, only fds 0-2 open. An error only when the child cannot be started.
Result<ChildOutcome> RunChild(const std::vector<std::string>& argv, const ChildLimits& limits,
                              const StderrLineFn& on_stderr_line);

}  // namespace veza::tracks
