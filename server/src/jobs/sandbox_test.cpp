// RunSandboxed with /bin/sh children: limits enforced, output captured, the group cleaned up.

#include "jobs/sandbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

namespace veza::jobs {
namespace {

using namespace std::chrono_literals;

SandboxResult MustRun(const std::vector<std::string>& argv, const SandboxOptions& options = {}) {
  auto result = RunSandboxed(argv, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().detail);
  return result.ok() ? *result : SandboxResult{};
}

bool ProcessAlive(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

TEST(SandboxTest, NormalExitWithStdinAndOutput) {
  SandboxOptions options;
  options.stdin_data = "hello from the parent\n";
  options.limits = {5, 512LL << 20, 10'000};
  SandboxResult r = MustRun({"sh", "-c", "cat; echo to-stderr >&2; exit 3"}, options);
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_EQ(r.limit, LimitHit::kNone);
  EXPECT_EQ(r.stdout_data, "hello from the parent\n");
  EXPECT_EQ(r.stderr_data, "to-stderr\n");
  EXPECT_FALSE(r.Succeeded());
  EXPECT_EQ(r.Describe(), "exit code 3");

  SandboxResult ok = MustRun({"/bin/sh", "-c", "printf 'a b'"});
  EXPECT_TRUE(ok.Succeeded());
  EXPECT_EQ(ok.stdout_data, "a b");
}

TEST(SandboxTest, LargeStdinAndOutputDoNotDeadlockAndOutputIsCapped) {
  SandboxOptions options;
  options.stdin_data = std::string(3 << 20, 'x');  // larger than any pipe buffer, both ways
  options.max_output_bytes = 1'000;
  SandboxResult r = MustRun({"sh", "-c", "cat; head -c 5000 /dev/zero >&2"}, options);
  EXPECT_TRUE(r.Succeeded()) << r.Describe();
  EXPECT_EQ(r.stdout_data, std::string(1'000, 'x'));
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_EQ(r.stderr_data.size(), 1'000u);
  EXPECT_TRUE(r.stderr_truncated);
}

TEST(SandboxTest, ChildThatStopsReadingStdinDoesNotHurtTheParent) {
  SandboxOptions options;
  options.stdin_data = std::string(4 << 20, 'y');
  SandboxResult r = MustRun({"sh", "-c", "exit 0"}, options);
  EXPECT_TRUE(r.Succeeded()) << r.Describe();
}

TEST(SandboxTest, CpuSpinIsStoppedByTheCpuLimit) {
  SandboxOptions options;
  options.limits.cpu_seconds = 1;
  options.limits.wall_ms = 30'000;
  SandboxResult r = MustRun({"sh", "-c", "while :; do :; done"}, options);
  EXPECT_FALSE(r.exited);
  EXPECT_TRUE(r.term_signal == SIGXCPU || r.term_signal == SIGKILL) << r.term_signal;
  EXPECT_EQ(r.limit, LimitHit::kCpu) << r.Describe();
  // rusage times are tick-sampled and under-report against the scheduler's count the limit uses.
  EXPECT_GE(r.cpu_ms, 500);
  EXPECT_LT(r.wall_ms, 25'000);
  EXPECT_NE(r.Describe().find("cpu limit"), std::string::npos);
}

TEST(SandboxTest, ChildIgnoringSigxcpuIsKilledAtTheHardCpuLimit) {
  SandboxOptions options;
  options.limits.cpu_seconds = 1;
  options.limits.wall_ms = 30'000;
  SandboxResult r = MustRun({"sh", "-c", "trap '' XCPU; while :; do :; done"}, options);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.limit, LimitHit::kCpu) << r.Describe() << " cpu_ms=" << r.cpu_ms;
  EXPECT_LT(r.wall_ms, 25'000);
}

TEST(SandboxTest, BigAllocationFailsUnderTheMemoryLimit) {
  // The shell holds 100 MB of command-substitution output in memory.
  const std::vector<std::string> argv = {"sh", "-c",
                                         "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}"};
  SandboxOptions limited;
  limited.limits.memory_bytes = 48LL << 20;
  limited.limits.wall_ms = 60'000;
  SandboxResult r = MustRun(argv, limited);
  EXPECT_FALSE(r.Succeeded());
  EXPECT_EQ(r.limit, LimitHit::kMemory) << r.Describe() << " stderr: " << r.stderr_data;
  EXPECT_EQ(r.stdout_data.find("100000000"), std::string::npos);

  // The same command with room to spare completes: the limit, not the command, made it fail.
  SandboxOptions roomy;
  roomy.limits.memory_bytes = 2LL << 30;
  roomy.limits.wall_ms = 60'000;
  SandboxResult fine = MustRun(argv, roomy);
  EXPECT_TRUE(fine.Succeeded()) << fine.Describe() << " stderr: " << fine.stderr_data;
  EXPECT_EQ(fine.stdout_data, "100000000\n");
}

TEST(SandboxTest, OutOfMemoryExitCodeIsReportedAsTheMemoryLimit) {
  SandboxOptions options;
  options.limits.memory_bytes = 256LL << 20;
  SandboxResult r = MustRun({"sh", "-c", "exit " + std::to_string(kOutOfMemoryExitCode)}, options);
  EXPECT_EQ(r.limit, LimitHit::kMemory);
  // Without a memory limit the same code is only an exit code.
  SandboxResult plain = MustRun({"sh", "-c", "exit " + std::to_string(kOutOfMemoryExitCode)});
  EXPECT_EQ(plain.limit, LimitHit::kNone);
  EXPECT_EQ(plain.exit_code, kOutOfMemoryExitCode);
}

TEST(SandboxTest, SleepIsKilledAtTheWallLimitWithItsWholeGroup) {
  char pid_file[] = "/tmp/veza-sandbox-XXXXXX";
  int fd = ::mkstemp(pid_file);
  ASSERT_GE(fd, 0);
  ::close(fd);
  SandboxOptions options;
  options.limits.wall_ms = 300;
  // The grandchild keeps stdout open: only killing the group lets the run end on time.
  SandboxResult r = MustRun(
      {"sh", "-c", std::string("sleep 30 & echo $! > ") + pid_file + "; echo started; wait"}, options);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_EQ(r.limit, LimitHit::kWall);
  EXPECT_EQ(r.stdout_data, "started\n");
  EXPECT_GE(r.wall_ms, 300);
  EXPECT_LT(r.wall_ms, 5'000);
  std::ifstream in(pid_file);
  pid_t grandchild = 0;
  in >> grandchild;
  ::unlink(pid_file);
  ASSERT_GT(grandchild, 0);
  // The grandchild was reparented and is reaped by init shortly after the kill.
  auto until = std::chrono::steady_clock::now() + 5s;
  while (ProcessAlive(grandchild) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(ProcessAlive(grandchild));
}

TEST(SandboxTest, CancelFlagKillsTheChild) {
  std::atomic<bool> cancel{false};
  SandboxOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  SandboxResult r = MustRun({"sleep", "30"}, options);
  canceller.join();
  EXPECT_EQ(r.limit, LimitHit::kCancelled);
  EXPECT_EQ(r.term_signal, SIGKILL);
  EXPECT_LT(r.wall_ms, 5'000);
}

TEST(SandboxTest, OnlyStandardDescriptorsReachTheChild) {
  int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 0);
  SandboxResult r = MustRun({"sh", "-c", "ls /proc/self/fd"});
  ::close(leaked);
  EXPECT_TRUE(r.Succeeded());
  // 0, 1, 2 and the descriptor ls opens to list the directory.
  EXPECT_EQ(r.stdout_data, "0\n1\n2\n3\n");
}

TEST(SandboxTest, WorkingDirectoryIsApplied) {
  SandboxOptions options;
  options.working_dir = "/tmp";
  SandboxResult r = MustRun({"pwd"}, options);
  EXPECT_EQ(r.stdout_data, "/tmp\n");
}

TEST(SandboxTest, ProgramsThatCannotStartAreErrors) {
  auto missing = RunSandboxed({"veza-no-such-program-anywhere"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().detail.find("not found"), std::string::npos);
  auto not_executable = RunSandboxed({"/etc/passwd"});
  ASSERT_FALSE(not_executable.ok());
  auto empty = RunSandboxed({});
  ASSERT_FALSE(empty.ok());
  SandboxOptions bad_dir;
  bad_dir.working_dir = "/nonexistent/dir";
  auto no_dir = RunSandboxed({"true"}, bad_dir);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.error().detail.find("No such file"), std::string::npos) << no_dir.error().detail;
}

}  // namespace
}  // namespace veza::jobs
