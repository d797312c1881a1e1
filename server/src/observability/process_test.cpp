#include "observability/process.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <gtest/gtest.h>
#include <string>
#include <thread>

namespace veza::obs {
namespace {

/// The value of an unlabelled sample line `name value`.
double SampleValue(const std::string& text, const std::string& name) {
  size_t pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) {
    ADD_FAILURE() << name << " missing from:\n" << text;
    return -1;
  }
  return std::strtod(text.c_str() + pos + name.size() + 2, nullptr);
}

TEST(ProcessTest, ParsesStatWithAwkwardCommandName) {
  std::string line =
      "4242 (we (ird) ) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 123456 "
      "987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto s = ParseProcStat(line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 75u);
  EXPECT_EQ(s->num_threads, 9);
  EXPECT_EQ(s->start_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 987654321u);
  EXPECT_EQ(s->rss_pages, 2048);
  EXPECT_FALSE(ParseProcStat("12 (truncated) S 1 2 3").has_value());
  EXPECT_FALSE(ParseProcStat("no parens at all").has_value());
}

TEST(ProcessTest, ParsesBootTime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
}

TEST(ProcessTest, CollectsThisProcess) {
  Registry r;
  RegisterProcessCollector(r);
  std::string text = "\n" + r.Render();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds", "process_threads"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_GT(SampleValue(text, "process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_GT(SampleValue(text, "process_virtual_memory_bytes"), SampleValue(text, "process_resident_memory_bytes"));
  EXPECT_GE(SampleValue(text, "process_open_fds"), 3);
  EXPECT_GE(SampleValue(text, "process_max_fds"), SampleValue(text, "process_open_fds"));
  EXPECT_GE(SampleValue(text, "process_cpu_seconds_total"), 0);
  double now = static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  double start = SampleValue(text, "process_start_time_seconds");
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);  // this test process started recently
}

TEST(ProcessTest, OpenFdsAndThreadsFollowTheProcess) {
  Registry r;
  RegisterProcessCollector(r);
  std::string before = "\n" + r.Render();
  int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::string after;
  {
    std::jthread t([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
    after = "\n" + r.Render();
  }
  ::close(a);
  ::close(b);
  EXPECT_EQ(SampleValue(after, "process_open_fds") - SampleValue(before, "process_open_fds"), 2);
  EXPECT_EQ(SampleValue(after, "process_threads") - SampleValue(before, "process_threads"), 1);
}

}  // namespace
}  // namespace veza::obs
