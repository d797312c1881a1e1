#pragma once
/// Runs a command in a child process with CPU-time, memory and wall-clock limits, in its own process
/// group, capturing its output, so a hostile input can fail its job and nothing else.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace veza::jobs {

/// 0 means no limit.
struct SandboxLimits {
  int64_t cpu_seconds = 0;   // RLIMIT_CPU: SIGXCPU at the limit, SIGKILL one second later
  int64_t memory_bytes = 0;  // RLIMIT_AS: allocations beyond it fail inside the child
  int64_t wall_ms = 0;       // the whole process group is killed (SIGKILL) when it runs longer
};

/// A child that meets an allocation failure may exit with this code to say so unambiguously
/// (`veza media-task` does); RunSandboxed then reports LimitHit::kMemory.
inline constexpr int kOutOfMemoryExitCode = 86;

struct SandboxOptions {
  SandboxLimits limits;
  std::optional<std::string> stdin_data;  // nullopt: stdin is /dev/null
  size_t max_output_bytes = 1 << 20;      // per stream; the rest is read and dropped
  std::string working_dir;                // "": the parent's
  /// When it becomes true the group is killed (a job told to stop); polled every few milliseconds.
  const std::atomic<bool>* cancel = nullptr;
};

enum class LimitHit { kNone, kCpu, kMemory, kWall, kCancelled };

/// "none", "cpu", "memory", "wall", "cancelled".
const char* LimitHitName(LimitHit limit);

struct SandboxResult {
  bool exited = false;  // true: exit_code is set; false: killed by term_signal
  int exit_code = -1;
  int term_signal = 0;
  /// The limit that ended the child. kMemory is inferred (the kernel does not report RLIMIT_AS): a memory
  /// limit was set and the child exited with kOutOfMemoryExitCode, crashed (SIGSEGV, SIGBUS, SIGABRT),
  /// or failed saying it was out of memory on stderr.
  LimitHit limit = LimitHit::kNone;
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  int64_t wall_ms = 0;
  int64_t cpu_ms = 0;  // user + system time of the child (not of its own children)

  bool Succeeded() const { return exited && exit_code == 0 && limit == LimitHit::kNone; }
  /// A one-line account for logs and job errors ("killed by signal 24 (cpu limit)", "exit code 2", …).
  std::string Describe() const;
};

/// Runs argv[0] (searched in PATH when it has no '/') with argv. The child starts with the parent's
/// environment, signals at their defaults, only fds 0-2 open, in a new process group. An error only
/// when the child cannot be started (no such program, fork or pipe failure); what the child does is
/// in the result. Blocks until the child and its group are gone.
Result<SandboxResult> RunSandboxed(const std::vector<std::string>& argv, const SandboxOptions& options = {});

}  // namespace veza::jobs
