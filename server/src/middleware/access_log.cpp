#include <charconv>
#include <memory>

#include "core/log.h"
#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (RFC 3629:
/// no overlong forms, no surrogates, nothing past U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

/// "YYYY-MM-DDTHH:MM:SS.mmmZ" with the formatted second cached per thread: most lines in a busy
/// second share it, so the common case is three digits.
void AppendTime(std::string& out, int64_t epoch_ms) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string cached_prefix;  // up to and including the '.'
  int64_t second = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  if (second != cached_second) {
    std::string full = FormatRfc3339(second * 1000);
    cached_prefix.assign(full, 0, full.size() - 4);
    cached_second = second;
  }
  int ms = static_cast<int>(epoch_ms - second * 1000);
  out += cached_prefix;
  out.push_back(static_cast<char>('0' + ms / 100));
  out.push_back(static_cast<char>('0' + ms / 10 % 10));
  out.push_back(static_cast<char>('0' + ms % 10));
  out.push_back('Z');
}

std::string_view RouteLabel(const http::Request& req) {
  return req.route.empty() ? std::string_view("unmatched") : std::string_view(req.route);
}

uint64_t BodyBytes(const http::Response& resp) { return resp.file ? resp.file->length : resp.body.size(); }

struct State {
  const Clock& clock;
  std::function<void(std::string_view)> sink;
};

void WriteLine(const State& st, const http::Request& req, int status, uint64_t bytes) {
  const int64_t end_ns = st.clock.MonotonicNs();
  const int64_t epoch_ms = st.clock.NowMs();
  thread_local std::string line;  // reused: no allocation once it has grown to a typical line
  line.clear();
  line += "{\"time\":\"";
  AppendTime(line, epoch_ms);
  line += "\",\"request_id\":";
  AppendJsonString(line, req.request_id);
  line += ",\"method\":";
  AppendJsonString(line, req.method);
  line += ",\"route\":";
  AppendJsonString(line, RouteLabel(req));
  line += ",\"path\":";
  AppendJsonString(line, req.path);
  line += ",\"status\":";
  AppendInt(line, status);
  line += ",\"bytes\":";
  AppendInt(line, static_cast<int64_t>(bytes));
  line += ",\"duration_ms\":";
  // Microsecond resolution, printed as milliseconds with three decimals.
  int64_t us = (end_ns - req.started_ns) / 1000;
  if (us < 0) us = 0;
  AppendInt(line, us / 1000);
  line.push_back('.');
  int frac = static_cast<int>(us % 1000);
  line.push_back(static_cast<char>('0' + frac / 100));
  line.push_back(static_cast<char>('0' + frac / 10 % 10));
  line.push_back(static_cast<char>('0' + frac % 10));
  line += ",\"remote_ip\":";
  AppendJsonString(line, req.remote_ip);
  line += ",\"principal\":";
  if (req.principal) {
    line.push_back('"');
    AppendInt(line, req.principal->user_id);
    line.push_back('"');
  } else {
    line += "null";
  }
  line += ",\"user_agent\":";
  if (auto ua = req.Header("User-Agent")) {
    AppendJsonString(line, *ua);
  } else {
    line += "null";
  }
  line.push_back('}');
  st.sink(line);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one append.
    size_t run = i;
    while (run < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    ++i;
  }
  out.push_back('"');
}

http::Middleware AccessLog(const Clock& clock, AccessLogOptions options) {
  if (!options.enabled) {
    return [](http::Request& req, const http::Handler& next) { return next(req); };
  }
  auto state = std::make_shared<const State>(
      State{clock, options.sink ? std::move(options.sink) : std::function<void(std::string_view)>(
                                                                  [](std::string_view l) { log::WriteRawJsonLine(l); })});
  return [state](http::Request& req, const http::Handler& next) {
    if (req.started_ns == 0) req.started_ns = state->clock.MonotonicNs();
    http::Response resp;
    try {
      resp = next(req);
    } catch (...) {
      // Without Recover inside, the transport answers 500; log it as such and let it propagate.
      WriteLine(*state, req, 500, 0);
      throw;
    }
    WriteLine(*state, req, resp.status, BodyBytes(resp));
    return resp;
  };
}

}  // namespace veza::middleware
