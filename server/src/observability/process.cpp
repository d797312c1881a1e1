#include "observability/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace veza::obs {

namespace {

/// Reads a small /proc file whole (their stat size is 0, so read until EOF).
std::optional<std::string> ReadProcFile(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<int64_t> CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  int64_t count = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

void Collect(std::vector<CollectedMetric>& out) {
  static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  static const long page_size = ::sysconf(_SC_PAGESIZE);
  auto add = [&out](const char* name, const char* help, MetricType type, double value) {
    out.push_back({name, help, type, {{{}, value}}});
  };

  std::optional<ProcStat> stat;
  if (auto text = ReadProcFile("/proc/self/stat")) stat = ParseProcStat(*text);
  if (stat && ticks_per_second > 0) {
    add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::kCounter,
        static_cast<double>(stat->utime_ticks + stat->stime_ticks) / static_cast<double>(ticks_per_second));
  }
  if (auto fds = CountOpenFds()) {
    add("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, static_cast<double>(*fds));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    double max = limit.rlim_cur == RLIM_INFINITY ? 0x1p63 : static_cast<double>(limit.rlim_cur);
    add("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge, max);
  }
  if (stat) {
    add("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
        static_cast<double>(stat->vsize_bytes));
    add("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
        static_cast<double>(stat->rss_pages) * static_cast<double>(page_size));
  }
  static const std::optional<int64_t> boot_time = [] {
    auto text = ReadProcFile("/proc/stat");
    return text ? ParseBootTime(*text) : std::nullopt;
  }();
  if (stat && boot_time && ticks_per_second > 0) {
    add("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        MetricType::kGauge,
        static_cast<double>(*boot_time) +
            static_cast<double>(stat->start_ticks) / static_cast<double>(ticks_per_second));
  }
  if (stat) {
    add("process_threads", "Number of OS threads in the process.", MetricType::kGauge,
        static_cast<double>(stat->num_threads));
  }
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view line) {
  // The command name is in parentheses and may itself contain ") ": fields start after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  // Field numbers as in proc(5); the first after ')' is field 3 (state).
  int field = 2;
  ProcStat s;
  int found = 0;
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = rest.find_first_of(" \n");
    std::string_view tok = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    ++field;
    bool ok = true;
    switch (field) {
      case 14: ok = ParseNumber(tok, s.utime_ticks); ++found; break;
      case 15: ok = ParseNumber(tok, s.stime_ticks); ++found; break;
      case 20: ok = ParseNumber(tok, s.num_threads); ++found; break;
      case 22: ok = ParseNumber(tok, s.start_ticks); ++found; break;
      case 23: ok = ParseNumber(tok, s.vsize_bytes); ++found; break;
      case 24: ok = ParseNumber(tok, s.rss_pages); ++found; break;
      default: break;
    }
    if (!ok) return std::nullopt;
    if (field == 24) break;
  }
  if (found != 6) return std::nullopt;
  return s;
}

std::optional<int64_t> ParseBootTime(std::string_view proc_stat) {
  size_t pos = 0;
  while (pos < proc_stat.size()) {
    size_t eol = proc_stat.find('\n', pos);
    std::string_view line = proc_stat.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.starts_with("btime ")) {
      int64_t value = 0;
      if (ParseNumber(line.substr(6), value)) return value;
      return std::nullopt;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return std::nullopt;
}

void RegisterProcessCollector(Registry& registry) { registry.AddCollector(Collect); }

}  // namespace veza::obs
