#pragma once
/// Process metrics from /proc/self, named as the official Prometheus clients name them.

#include <cstdint>
#include <optional>
#include <string_view>

#include "observability/metrics.h"

namespace veza::obs {

/// The fields of /proc/<pid>/stat the collector uses (times in clock ticks, rss in pages).
struct ProcStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  int64_t num_threads = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t vsize_bytes = 0;
  int64_t rss_pages = 0;
};

/// Parses the one line of /proc/<pid>/stat; the command name may contain spaces and parentheses.
std::optional<ProcStat> ParseProcStat(std::string_view line);

/// The `btime` (boot time, seconds since the epoch) line of /proc/stat.
std::optional<int64_t> ParseBootTime(std::string_view proc_stat);

/// Registers process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
/// process_open_fds, process_max_fds, process_start_time_seconds and process_threads, read at
/// scrape time. Metrics whose source cannot be read are left out of that scrape.
void RegisterProcessCollector(Registry& registry);

}  // namespace veza::obs
