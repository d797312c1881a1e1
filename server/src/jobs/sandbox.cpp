#include "jobs/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace veza::jobs {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kCancelPollMs = 20;
constexpr int kNoPidfdPollMs = 10;
// After the child is gone its group is killed; output still buffered in the pipes is read for this long.
constexpr int kDrainMs = 2'000;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Error SystemError(const std::string& what) {
  return Internal("sandbox: " + what + ": " + std::strerror(errno));
}

Status MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return SystemError("pipe2");
  read_end = Fd(fds[0]);
  write_end = Fd(fds[1]);
  return Ok();
}

// The program to exec, resolved before fork (PATH search allocates, which a forked child must not).
Result<std::string> ResolveProgram(const std::string& name) {
  auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (!executable(name)) return Internal("sandbox: not an executable file: " + name);
    return name;
  }
  const char* env_path = std::getenv("PATH");
  std::string path = env_path != nullptr && env_path[0] != '\0' ? env_path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return Internal("sandbox: program not found in PATH: " + name);
}

bool MentionsOutOfMemory(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* needle : {"out of memory", "cannot allocate memory", "bad_alloc", "memory exhausted",
                             "memoryerror", "enomem"}) {
    if (text.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Only async-signal-safe calls between fork and exec: the parent may have other threads holding locks.
[[noreturn]] void ExecFailed(int error_fd, int error) {
  ssize_t ignored = ::write(error_fd, &error, sizeof(error));
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void ExecChild(const char* program, char* const* argv, int stdin_fd, int stdout_fd,
                            int stderr_fd, int error_fd, const SandboxLimits& limits,
                            const char* working_dir) {
  auto fail = [&](int error) { ExecFailed(error_fd, error); };
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);

  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) fail(errno);
  if (error_fd != 3) {
    if (::dup2(error_fd, 3) < 0) fail(errno);
    error_fd = 3;
  }
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  // Sockets and files the server opened without O_CLOEXEC must not leak into the child.
  if (::syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
    for (int fd = 4; fd < 65'536; ++fd) ::close(fd);
  }

  if (limits.cpu_seconds > 0) {
    rlimit cpu{static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds + 1)};
    if (::setrlimit(RLIMIT_CPU, &cpu) != 0) fail(errno);
  }
  if (limits.memory_bytes > 0) {
    rlimit as{static_cast<rlim_t>(limits.memory_bytes), static_cast<rlim_t>(limits.memory_bytes)};
    if (::setrlimit(RLIMIT_AS, &as) != 0) fail(errno);
  }
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail(errno);
  ::execv(program, argv);
  ExecFailed(error_fd, errno);
}

// Reads what is available into `out`, keeping at most `cap` bytes. False at EOF or on error.
bool ReadSome(int fd, std::string& out, bool& truncated, size_t cap) {
  char buffer[16'384];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      size_t room = cap > out.size() ? cap - out.size() : 0;
      size_t keep = std::min(room, static_cast<size_t>(n));
      out.append(buffer, keep);
      if (keep < static_cast<size_t>(n)) truncated = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

void SetNonBlocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Blocks SIGPIPE on this thread while feeding the child's stdin, so a child that exits early gives
// EPIPE instead of killing the server; a SIGPIPE raised meanwhile is consumed before unblocking.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      timespec zero{0, 0};
      ::sigtimedwait(&pipe_only, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

}  // namespace

const char* LimitHitName(LimitHit limit) {
  switch (limit) {
    case LimitHit::kNone:
      return "none";
    case LimitHit::kCpu:
      return "cpu";
    case LimitHit::kMemory:
      return "memory";
    case LimitHit::kWall:
      return "wall";
    case LimitHit::kCancelled:
      return "cancelled";
  }
  return "none";
}

std::string SandboxResult::Describe() const {
  std::string text = exited
                         ? "exit code " + std::to_string(exit_code)
                         : "killed by signal " + std::to_string(term_signal) + " (" +
                               (::strsignal(term_signal) != nullptr ? ::strsignal(term_signal) : "?") + ")";
  if (limit != LimitHit::kNone) text += std::string(", ") + LimitHitName(limit) + " limit";
  return text;
}

Result<SandboxResult> RunSandboxed(const std::vector<std::string>& argv, const SandboxOptions& options) {
  if (argv.empty()) return Internal("sandbox: empty argv");
  VEZA_ASSIGN_OR_RETURN(std::string program, ResolveProgram(argv[0]));
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  Fd in_read, in_write, out_read, out_write, err_read, err_write, status_read, status_write;
  if (options.stdin_data) {
    VEZA_TRY(MakePipe(in_read, in_write));
  } else {
    in_read = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!in_read.valid()) return SystemError("open /dev/null");
  }
  VEZA_TRY(MakePipe(out_read, out_write));
  VEZA_TRY(MakePipe(err_read, err_write));
  VEZA_TRY(MakePipe(status_read, status_write));

  SigpipeGuard sigpipe_guard;
  const char* working_dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  SteadyClock::time_point started = SteadyClock::now();
  pid_t pid = ::fork();
  if (pid < 0) return SystemError("fork");
  if (pid == 0) {
    ExecChild(program.c_str(), args.data(), in_read.get(), out_write.get(), err_write.get(),
              status_write.get(), options.limits, working_dir);
  }
  // Also from the parent, so the group exists before we might signal it.
  ::setpgid(pid, pid);
  in_read.Close();
  out_write.Close();
  err_write.Close();
  status_write.Close();

  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(status_read.get(), &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  if (got == sizeof(exec_errno)) {
    ::waitpid(pid, nullptr, 0);
    errno = exec_errno;
    return SystemError("starting " + program);
  }

  SetNonBlocking(out_read.get());
  SetNonBlocking(err_read.get());
  if (in_write.valid()) SetNonBlocking(in_write.get());
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  SandboxResult result;
  const std::string empty;
  const std::string& input = options.stdin_data ? *options.stdin_data : empty;
  size_t written = 0;
  if (in_write.valid() && input.empty()) in_write.Close();
  LimitHit killed_for = LimitHit::kNone;
  std::optional<SteadyClock::time_point> deadline;
  if (options.limits.wall_ms > 0) deadline = started + std::chrono::milliseconds(options.limits.wall_ms);

  auto kill_group = [&](LimitHit why) {
    if (killed_for == LimitHit::kNone) killed_for = why;
    ::kill(-pid, SIGKILL);
  };

  int status = 0;
  rusage usage{};
  bool out_open = true, err_open = true;
  for (;;) {
    // The child has exited once waitid sees it; WNOWAIT keeps it a zombie, which keeps its process group
    // id reserved while we kill whatever it left behind.
    siginfo_t info{};
    if (::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      ::kill(-pid, SIGKILL);
      while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
      }
      break;
    }
    if (options.cancel != nullptr && options.cancel->load()) kill_group(LimitHit::kCancelled);
    int timeout_ms = pidfd.valid() ? -1 : kNoPidfdPollMs;
    if (options.cancel != nullptr)
      timeout_ms = timeout_ms < 0 ? kCancelPollMs : std::min(timeout_ms, kCancelPollMs);
    if (deadline && killed_for == LimitHit::kNone) {
      // Rounded up, so the group is never killed before the limit.
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - SteadyClock::now()).count();
      if (left <= 0) {
        kill_group(LimitHit::kWall);
        left = 0;
      }
      timeout_ms =
          timeout_ms < 0 ? static_cast<int>(left) : std::min<int>(timeout_ms, static_cast<int>(left));
    }
    pollfd fds[4];
    int n = 0;
    if (out_open) fds[n++] = {out_read.get(), POLLIN, 0};
    if (err_open) fds[n++] = {err_read.get(), POLLIN, 0};
    if (in_write.valid()) fds[n++] = {in_write.get(), POLLOUT, 0};
    if (pidfd.valid()) fds[n++] = {pidfd.get(), POLLIN, 0};
    if (::poll(fds, n, timeout_ms) < 0 && errno != EINTR) return SystemError("poll");
    if (out_open &&
        !ReadSome(out_read.get(), result.stdout_data, result.stdout_truncated, options.max_output_bytes)) {
      out_open = false;
    }
    if (err_open &&
        !ReadSome(err_read.get(), result.stderr_data, result.stderr_truncated, options.max_output_bytes)) {
      err_open = false;
    }
    while (in_write.valid() && written < input.size()) {
      ssize_t w = ::write(in_write.get(), input.data() + written, input.size() - written);
      if (w > 0) {
        written += static_cast<size_t>(w);
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else {
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
          in_write.Close();  // EPIPE: the child stopped reading
        break;
      }
    }
    if (in_write.valid() && written >= input.size()) in_write.Close();
  }
  result.wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();

  // Drain what the group wrote before it died; everything in it is killed, so EOF comes promptly.
  SteadyClock::time_point drain_until = SteadyClock::now() + std::chrono::milliseconds(kDrainMs);
  while ((out_open || err_open) && SteadyClock::now() < drain_until) {
    pollfd fds[2];
    int n = 0;
    if (out_open) fds[n++] = {out_read.get(), POLLIN, 0};
    if (err_open) fds[n++] = {err_read.get(), POLLIN, 0};
    if (::poll(fds, n, 50) < 0 && errno != EINTR) break;
    if (out_open &&
        !ReadSome(out_read.get(), result.stdout_data, result.stdout_truncated, options.max_output_bytes)) {
      out_open = false;
    }
    if (err_open &&
        !ReadSome(err_read.get(), result.stderr_data, result.stderr_truncated, options.max_output_bytes)) {
      err_open = false;
    }
  }

  result.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000LL +
                  (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1'000;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }

  if (killed_for != LimitHit::kNone) {
    result.limit = killed_for;
  } else if (options.limits.cpu_seconds > 0 &&
             // The hard limit's SIGKILL comes a second after the soft one; rusage under-reports a little.
             (result.term_signal == SIGXCPU ||
              (result.term_signal == SIGKILL && result.cpu_ms >= options.limits.cpu_seconds * 750))) {
    result.limit = LimitHit::kCpu;
  } else if (options.limits.memory_bytes > 0 && !(result.exited && result.exit_code == 0)) {
    bool crashed =
        result.term_signal == SIGSEGV || result.term_signal == SIGBUS || result.term_signal == SIGABRT;
    if ((result.exited && result.exit_code == kOutOfMemoryExitCode) || crashed ||
        MentionsOutOfMemory(result.stderr_data)) {
      result.limit = LimitHit::kMemory;
    }
  }
  return result;
}

}  // namespace veza::jobs
