#include "http/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace veza::http::testing {

namespace {

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TestClient::~TestClient() { Close(); }

void TestClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestClient::Connect(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

bool TestClient::Send(std::string_view data) {
  while (!data.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestClient::Fill(size_t n, int timeout_ms) {
  const int64_t end = NowMs() + timeout_ms;
  while (buffer_.size() < n) {
    int64_t left = end - NowMs();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[65536];
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(r));
  }
  return true;
}

bool TestClient::FillUntil(std::string_view marker, int timeout_ms, size_t* pos) {
  const int64_t end = NowMs() + timeout_ms;
  for (;;) {
    size_t at = buffer_.find(marker);
    if (at != std::string::npos) {
      *pos = at;
      return true;
    }
    int64_t left = end - NowMs();
    if (left <= 0 || !Fill(buffer_.size() + 1, static_cast<int>(left))) return false;
  }
}

std::optional<TestResponse> TestClient::ReadResponse(int timeout_ms, bool head_request) {
  size_t end;
  if (!FillUntil("\r\n\r\n", timeout_ms, &end)) return std::nullopt;
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  TestResponse resp;
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) return std::nullopt;
  resp.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      resp.headers[Lower(line.substr(0, colon))] = value;
    }
    pos = next + 2;
  }
  if (head_request || resp.status == 204 || resp.status == 304 || resp.status < 200) return resp;
  auto cl = resp.headers.find("content-length");
  if (cl == resp.headers.end()) return std::nullopt;  // the server always sends a length
  size_t length = std::stoull(cl->second);
  if (!Fill(length, timeout_ms)) return std::nullopt;
  resp.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return resp;
}

bool TestClient::WaitClosed(int timeout_ms) {
  const int64_t end = NowMs() + timeout_ms;
  for (;;) {
    int64_t left = end - NowMs();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[65536];
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return true;
  }
}

bool TestClient::WsHandshake(const std::string& path, int timeout_ms) {
  std::string req = "GET " + path +
                    " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  if (!Send(req)) return false;
  auto resp = ReadResponse(timeout_ms, true);
  // RFC 6455's example key and its accept value.
  return resp && resp->status == 101 && resp->Header("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
}

namespace {

std::string MaskedFrame(int opcode, std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xff));
  }
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

}  // namespace

bool TestClient::WsSendText(std::string_view text) { return Send(MaskedFrame(1, text)); }

bool TestClient::WsSendClose(uint16_t code) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  return Send(MaskedFrame(8, payload));
}

std::optional<TestClient::Frame> TestClient::WsReadFrame(int timeout_ms) {
  if (!Fill(2, timeout_ms)) return std::nullopt;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(buffer_[i]); };
  Frame frame;
  frame.opcode = byte(0) & 0x0f;
  uint64_t length = byte(1) & 0x7f;
  size_t header = 2;
  if (length == 126) {
    if (!Fill(4, timeout_ms)) return std::nullopt;
    length = (uint64_t{byte(2)} << 8) | byte(3);
    header = 4;
  } else if (length == 127) {
    if (!Fill(10, timeout_ms)) return std::nullopt;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | byte(2 + static_cast<size_t>(i));
    header = 10;
  }
  if (!Fill(header + length, timeout_ms)) return std::nullopt;
  frame.payload = buffer_.substr(header, length);
  buffer_.erase(0, header + length);
  return frame;
}

}  // namespace veza::http::testing
