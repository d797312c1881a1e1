#pragma once
// A small blocking HTTP/WebSocket client for transport tests: every call has a timeout.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace veza::http::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  TestClient() = default;
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool Connect(uint16_t port);
  bool Send(std::string_view data);
  /// Reads one response; `head_request` means no body follows whatever Content-Length says.
  std::optional<TestResponse> ReadResponse(int timeout_ms = 5000, bool head_request = false);
  /// True when the server closes the connection (EOF or reset) within the timeout.
  bool WaitClosed(int timeout_ms);
  void Close();
  int fd() const { return fd_; }

  /// WebSocket: client handshake on the connected socket, then masked text frames.
  bool WsHandshake(const std::string& path, int timeout_ms = 5000);
  bool WsSendText(std::string_view text);
  bool WsSendClose(uint16_t code);
  struct Frame {
    int opcode = 0;
    std::string payload;
  };
  std::optional<Frame> WsReadFrame(int timeout_ms = 5000);

 private:
  /// Ensures at least `n` buffered bytes; false on timeout, EOF or error.
  bool Fill(size_t n, int timeout_ms);
  bool FillUntil(std::string_view marker, int timeout_ms, size_t* pos);

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace veza::http::testing
