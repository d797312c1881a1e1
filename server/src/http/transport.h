#pragma once
// Internal to the transport (veza_http): includes Asio, so only the transport .cpp files include it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/router.h"
#include "http/server.h"

namespace veza::http::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

struct Shared;

/// A live connection, listed on its worker so shutdown can reach it. Touched only on the worker thread.
class Session {
 public:
  virtual ~Session() = default;
  /// Graceful shutdown began: close if idle, otherwise finish the current exchange and close.
  virtual void OnStop() = 0;
  /// The shutdown deadline passed: close the socket now.
  virtual void ForceClose() = 0;

  Session* prev_session = nullptr;
  Session* next_session = nullptr;
};

/// One io_context, run by one thread, with its own SO_REUSEPORT listener.
struct Worker {
  explicit Worker(Shared& s) : shared(s), io(1), guard(asio::make_work_guard(io)) {}

  void Add(Session* s);
  void Remove(Session* s);
  template <typename Fn>
  void ForEachSession(Fn fn) {
    for (Session* s = sessions; s;) {
      Session* next = s->next_session;  // fn may unlink s
      fn(*s);
      s = next;
    }
  }

  Shared& shared;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> deadline_timer;  // worker 0 only, during shutdown
  std::optional<asio::signal_set> signals;           // worker 0 only
  Session* sessions = nullptr;
};

/// Server-wide state shared by every worker and session.
struct Shared {
  Shared(ServerOptions o, Router& r);

  /// Counts a closed connection; the last one during shutdown lets Run() return.
  void ConnectionClosed();
  void Stop();
  /// Every connection is gone (or the deadline passed): let the io_contexts run out.
  void Finish();
  void ForceCloseAll();
  void WarnCapReached();

  ServerOptions options;
  Router& router;
  asio::thread_pool pool;
  std::vector<std::unique_ptr<Worker>> workers;

  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> open_websockets{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> finished{false};
  std::atomic<int64_t> last_cap_warning_s{-1};
  std::atomic<uint64_t> next_ws_id{1};
};

/// Serves an accepted connection on `worker` (HTTP/1.1 keep-alive, then maybe WebSocket).
void StartHttpSession(Worker& worker, tcp::socket socket);

/// Writes the status line and headers of `resp`, with Content-Length (unless omitted), Date, Server
/// and Connection, into `out` (cleared first; its capacity is reused).
void SerializeHead(const Response& resp, uint64_t content_length, bool omit_length, bool keep_alive,
                   int http_version, std::string& out);

/// Sends `head` then [offset, offset + length) of `fd` with sendfile(2) from the I/O thread, waiting for
/// writability on EAGAIN. `*deadline` is pushed `step` ahead on every wait (send inactivity timeout).
asio::awaitable<bool> SendHeadAndFile(tcp::socket& socket, const std::string& head, int fd, uint64_t offset,
                                      uint64_t length, SteadyClock::time_point* deadline,
                                      SteadyClock::duration step);

class WsSession;

/// Completes the WebSocket handshake for `req` on `socket` and serves the connection until it closes.
/// `session` is set as soon as the WebSocket exists so shutdown can reach it.
asio::awaitable<void> RunWebSocket(Worker& worker, tcp::socket socket, Request req, const Route& route,
                                   const Response& accept_response, std::shared_ptr<WsSession>& session);
void CloseWebSocket(WsSession& session, int code, const char* reason);
void ForceCloseWebSocket(WsSession& session);

}  // namespace veza::http::transport
