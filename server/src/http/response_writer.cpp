#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "http/transport.h"

namespace veza::http::transport {

namespace {

/// The Date header value, formatted once per second per thread.
std::string_view CachedDate() {
  thread_local time_t cached_second = 0;
  thread_local char buf[32];
  time_t now = ::time(nullptr);
  if (now != cached_second) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&now, &tm);
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = now;
  }
  return buf;
}

/// Headers the transport owns; a handler's copy would contradict what is actually sent.
bool TransportOwned(std::string_view name) {
  return IEquals(name, "Content-Length") || IEquals(name, "Connection") || IEquals(name, "Date") ||
         IEquals(name, "Server") || IEquals(name, "Transfer-Encoding");
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

/// Header values never carry CR or LF (response splitting); such bytes become spaces.
void AppendSanitized(std::string& out, std::string_view s) {
  if (s.find_first_of("\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

void SerializeHead(const Response& resp, uint64_t content_length, bool omit_length, bool keep_alive,
                   int http_version, std::string& out) {
  out.clear();
  out.append("HTTP/1.1 ");
  AppendNumber(out, static_cast<uint64_t>(resp.status));
  out.push_back(' ');
  out.append(ReasonPhrase(resp.status));
  out.append("\r\nServer: veza\r\nDate: ");
  out.append(CachedDate());
  out.append("\r\n");
  for (const auto& [name, value] : resp.headers.entries()) {
    if (TransportOwned(name)) continue;
    AppendSanitized(out, name);
    out.append(": ");
    AppendSanitized(out, value);
    out.append("\r\n");
  }
  if (!omit_length) {
    out.append("Content-Length: ");
    AppendNumber(out, content_length);
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (http_version < 11) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace veza::http::transport
