#pragma once
/// WebSocket API for domain code: no Boost types. Upgrade requests pass through the same
/// middleware as HTTP requests (request id, rate limit, auth) before the handshake completes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"

namespace veza::http {

/// One open WebSocket. Thread-safe: any thread may Send or Close.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  /// Queues a text frame. False when the connection is closed or its outbound queue is full;
  /// a full queue means the peer cannot keep up, so the connection is closed (1008 policy).
  virtual bool Send(std::string text) = 0;
  /// Starts the closing handshake.
  virtual void Close(int code = 1000, std::string reason = {}) = 0;
  /// The upgrade request (with principal and request id) that opened this connection.
  virtual const Request& request() const = 0;
  /// Unique per process.
  virtual uint64_t id() const = 0;
};

/// Callbacks for one WebSocket route. They run on the handler thread pool, one at a time per
/// connection and in order, so a handler may block briefly without stalling the I/O threads.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void OnOpen(const std::shared_ptr<WsConnection>& /*conn*/) {}
  virtual void OnMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) = 0;
  virtual void OnClose(const std::shared_ptr<WsConnection>& /*conn*/, int /*code*/) {}
};

struct WsOptions {
  size_t max_message_bytes = 64 * 1024;
  size_t max_queued_messages = 256;
  int ping_interval_ms = 20'000;  // a ping each interval; no pong by the next one closes the socket
};

}  // namespace veza::http
