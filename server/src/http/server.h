#pragma once
/// The HTTP/1.1 + WebSocket server (Boost.Beast inside, pimpl outside).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/router.h"

namespace veza::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                 // 0 picks a free port (tests)
  int io_threads = 2;                   // one io_context per thread, SO_REUSEPORT listeners
  int handler_threads = 8;              // blocking domain handlers run here
  size_t max_header_bytes = 16 * 1024;  // larger heads get 431
  int header_timeout_ms = 10'000;       // time to receive a complete request head
  int body_timeout_ms = 60'000;         // time between body chunks before giving up
  int idle_timeout_ms = 75'000;         // keep-alive idle time between requests
  size_t max_connections = 20'000;      // beyond this, new connections are closed at once (logged)
  int shutdown_deadline_ms = 15'000;    // graceful shutdown waits this long for in-flight requests
  std::string spool_dir = "/tmp";       // where body_to_file routes spool request bodies
  bool handle_signals = true;           // SIGTERM/SIGINT trigger a graceful Stop()
};

struct ServerStats {
  int64_t open_connections = 0;
  int64_t in_flight_requests = 0;
  int64_t open_websockets = 0;
  int64_t rejected_connections = 0;
};

class Server {
 public:
  Server(ServerOptions options, Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts listening; returns the bound port. Throws std::runtime_error when it cannot bind.
  uint16_t Listen();
  /// Serves until Stop() (or a signal); returns once every connection is closed or the deadline passed.
  void Run();
  /// Stops accepting, lets in-flight requests finish within the deadline, then closes the rest.
  /// Safe from any thread, including signal-driven shutdown.
  void Stop();

  ServerStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace veza::http
