#include "tracks/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace veza::tracks {

namespace {

constexpr size_t kMaxStdout = 4 << 20;
constexpr size_t kStderrTail = 4096;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void ChildExec(char* const* argv, int out_fd, int err_fd, const ChildLimits& limits) {
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  for (int fd = 3; fd < 4096; ++fd) ::close(fd);
  if (limits.cpu_seconds > 0) {
    rlimit rl{static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds + 1)};
    ::setrlimit(RLIMIT_CPU, &rl);
  }
  if (limits.memory_bytes > 0 && !kSanitized) {
    rlimit rl{static_cast<rlim_t>(limits.memory_bytes), static_cast<rlim_t>(limits.memory_bytes)};
    ::setrlimit(RLIMIT_AS, &rl);
  }
  ::signal(SIGPIPE, SIG_DFL);
  ::execv(argv[0], argv);
  static const char kMsg[] = "veza: cannot execute the media task\n";
  ssize_t ignored = ::write(2, kMsg, sizeof kMsg - 1);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

std::string ChildOutcome::Describe() const {
  if (wall_timeout) return "killed after " + std::to_string(wall_ms) + " ms (wall-clock limit)";
  if (exited) return "exit code " + std::to_string(exit_code);
  std::string s = "killed by signal " + std::to_string(term_signal);
  if (term_signal == SIGXCPU || term_signal == SIGKILL) s += " (CPU or memory limit?)";
  return s;
}

Result<ChildOutcome> RunChild(const std::vector<std::string>& args, const ChildLimits& limits,
                              const StderrLineFn& on_stderr_line) {
  if (args.empty()) return Internal("RunChild: empty argv");
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  const int64_t started = NowMs();
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) ChildExec(argv.data(), out_pipe[1], err_pipe[1], limits);
  ::setpgid(pid, pid);  // also from the parent, so the kill below cannot race the child's own call
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  ChildOutcome outcome;
  std::string err_line;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    int timeout = -1;
    if (limits.wall_ms > 0) {
      int64_t left = started + limits.wall_ms - NowMs();
      if (left <= 0) {
        outcome.wall_timeout = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      timeout = static_cast<int>(std::min<int64_t>(left, 1000));
    }
    int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string_view data(buf, static_cast<size_t>(got));
      if (i == 0) {
        if (outcome.stdout_data.size() < kMaxStdout)
          outcome.stdout_data.append(data.substr(0, kMaxStdout - outcome.stdout_data.size()));
        continue;
      }
      outcome.stderr_tail.append(data);
      if (outcome.stderr_tail.size() > 2 * kStderrTail)
        outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - kStderrTail);
      for (char c : data) {
        if (c != '\n') {
          if (err_line.size() < 4096) err_line.push_back(c);
          continue;
        }
        if (on_stderr_line) on_stderr_line(err_line);
        err_line.clear();
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.wall_ms = NowMs() - started;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.term_signal = WTERMSIG(status);
  }
  if (outcome.stderr_tail.size() > kStderrTail)
    outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - kStderrTail);
  return outcome;
}

}  // namespace veza::tracks
