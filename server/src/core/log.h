#pragma once
/// Structured logging: readable lines in a terminal, JSON lines in production.
/// The sink is the one process-wide facility (docs/decisions/0002-process-wide-log-sink.md).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace veza::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

/// One key/value attached to a log line.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}

  std::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

using Fields = std::initializer_list<Field>;

/// Configures the sink once at start (before threads). Defaults: text, info, stderr.
void Configure(Format format, Level min_level);
bool Enabled(Level level);
Level ParseLevel(std::string_view text, Level fallback);

void Write(Level level, std::string_view message, Fields fields = {});
/// Writes an already-formed JSON object as one line (the access log builds its own).
void WriteRawJsonLine(std::string_view line);

inline void Debug(std::string_view m, Fields f = {}) { if (Enabled(Level::kDebug)) Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, Fields f = {}) { if (Enabled(Level::kInfo)) Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, Fields f = {}) { if (Enabled(Level::kWarn)) Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, Fields f = {}) { Write(Level::kError, m, f); }

}  // namespace veza::log
