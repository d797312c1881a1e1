#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/clock.h"

namespace veza::log {

namespace {

std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_min_level{Level::kInfo};
std::mutex g_write_mu;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendValue(std::string& out, const Field& f, bool json) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (json) AppendJsonString(out, v); else out += v;
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.6g", v);
          out += buf;
        } else {
          out += std::to_string(v);
        }
      },
      f.value);
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Emit(const std::string& line) {
  std::lock_guard lock(g_write_mu);
  // One write per line keeps lines whole when several processes share stderr.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace

void Configure(Format format, Level min_level) {
  g_format = format;
  g_min_level = min_level;
}

bool Enabled(Level level) { return level >= g_min_level.load(std::memory_order_relaxed); }

Level ParseLevel(std::string_view text, Level fallback) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn" || text == "warning") return Level::kWarn;
  if (text == "error") return Level::kError;
  return fallback;
}

void Write(Level level, std::string_view message, Fields fields) {
  std::string line;
  line.reserve(128);
  if (g_format.load() == Format::kJson) {
    line += "{\"time\":";
    AppendJsonString(line, FormatRfc3339(NowMs()));
    line += ",\"level\":";
    AppendJsonString(line, LevelName(level));
    line += ",\"msg\":";
    AppendJsonString(line, message);
    for (const Field& f : fields) {
      line.push_back(',');
      AppendJsonString(line, f.key);
      line.push_back(':');
      AppendValue(line, f, true);
    }
    line += "}\n";
  } else {
    line += FormatRfc3339(NowMs()).substr(11, 12);  // HH:MM:SS.mmm is enough in a terminal
    line += ' ';
    std::string_view name = LevelName(level);
    line.append(5 - std::min<size_t>(5, name.size()), ' ');
    line += name;
    line += "  ";
    line += message;
    for (const Field& f : fields) {
      line += "  ";
      line += f.key;
      line.push_back('=');
      AppendValue(line, f, false);
    }
    line.push_back('\n');
  }
  Emit(line);
}

void WriteRawJsonLine(std::string_view json) {
  std::string line(json);
  line.push_back('\n');
  Emit(line);
}

}  // namespace veza::log
