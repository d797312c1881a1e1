#include <deque>
#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "core/log.h"
#include "http/transport.h"

namespace veza::http::transport {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

/// The Beast view of the upgrade request (only built for upgrades, so the copy is fine).
beast::http::request<beast::http::empty_body> ToBeastRequest(const Request& req) {
  beast::http::request<beast::http::empty_body> out;
  out.method_string(req.method);
  out.target(req.target);
  out.version(11);
  for (const auto& [name, value] : req.headers.entries()) out.insert(name, value);
  return out;
}

}  // namespace

class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Worker& worker, tcp::socket socket, Request req, const Route& route)
      : worker_(worker),
        shared_(worker.shared),
        ws_(std::move(socket)),
        close_timer_(worker.io),
        req_(std::move(req)),
        handler_(route.websocket),
        options_(route.ws_options),
        strand_(asio::make_strand(worker.shared.pool)),
        id_(worker.shared.next_ws_id.fetch_add(1)) {}

  asio::awaitable<void> Run(const Response& accept_response);

  bool Send(std::string text) override;
  void Close(int code, std::string reason) override;
  const Request& request() const override { return req_; }
  uint64_t id() const override { return id_; }

  /// Closes the TCP connection at once (I/O thread only).
  void ForceClose() {
    error_code ec;
    beast::get_lowest_layer(ws_).shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close(ec);
  }

 private:
  void Configure(const Response& accept_response);
  void Enqueue(std::string text);
  void WriteNext();
  void StartClose(int code, std::string reason);
  template <typename Fn>
  void OnStrand(Fn fn) {
    asio::post(strand_, [self = shared_from_this(), fn = std::move(fn)]() mutable {
      try {
        fn(self);
      } catch (const std::exception& e) {
        log::Error("websocket handler threw", {{"route", self->req_.route}, {"detail", e.what()}});
      }
    });
  }

  Worker& worker_;
  Shared& shared_;
  websocket::stream<tcp::socket> ws_;
  asio::steady_timer close_timer_;
  Request req_;
  std::shared_ptr<WsHandler> handler_;
  WsOptions options_;
  asio::strand<asio::thread_pool::executor_type> strand_;
  uint64_t id_;

  std::atomic<bool> closing_{false};  // Close() called or the connection ended: Send refuses
  std::atomic<size_t> queued_{0};     // messages accepted by Send and not yet written
  // I/O thread only:
  std::deque<std::string> outbound_;
  bool writing_ = false;
  bool close_started_ = false;
  bool ended_ = false;
  std::optional<std::pair<int, std::string>> pending_close_;
};

void WsSession::Configure(const Response& accept_response) {
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::milliseconds(shared_.options.header_timeout_ms);
  // Beast pings after half the idle time without traffic and closes after the whole of it:
  // one ping per interval, closed when the next one would be due without an answer.
  timeouts.idle_timeout = std::chrono::milliseconds(2 * static_cast<int64_t>(options_.ping_interval_ms));
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(options_.max_message_bytes);
  Headers extra = accept_response.headers;
  ws_.set_option(websocket::stream_base::decorator([extra](websocket::response_type& res) {
    res.set(beast::http::field::server, "veza");
    for (const auto& [name, value] : extra.entries()) res.set(name, value);
  }));
}

asio::awaitable<void> WsSession::Run(const Response& accept_response) {
  Configure(accept_response);
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [accept_ec] = co_await ws_.async_accept(ToBeastRequest(req_), token);
  if (accept_ec) {
    closing_ = true;
    co_return;
  }
  shared_.open_websockets.fetch_add(1);
  OnStrand([](const std::shared_ptr<WsSession>& self) { self->handler_->OnOpen(self); });
  beast::flat_buffer buffer;
  error_code ec;
  for (;;) {
    auto [read_ec, n] = co_await ws_.async_read(buffer, token);
    if (read_ec) {
      ec = read_ec;
      break;
    }
    if (!ws_.got_text()) {
      buffer.consume(buffer.size());
      Close(1003, "text frames only");
      continue;
    }
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    OnStrand([text = std::move(text)](const std::shared_ptr<WsSession>& self) {
      self->handler_->OnMessage(self, text);
    });
  }
  const int code = ec == websocket::error::closed ? static_cast<int>(ws_.reason().code) : 1006;
  closing_ = true;
  ended_ = true;
  close_timer_.cancel();
  ForceClose();
  shared_.open_websockets.fetch_sub(1);
  OnStrand([code](const std::shared_ptr<WsSession>& self) { self->handler_->OnClose(self, code); });
}

bool WsSession::Send(std::string text) {
  if (closing_.load(std::memory_order_acquire)) return false;
  if (queued_.fetch_add(1, std::memory_order_acq_rel) >= options_.max_queued_messages) {
    queued_.fetch_sub(1, std::memory_order_acq_rel);
    // The peer cannot keep up; holding more would grow memory without bound.
    Close(1008, "outbound queue full");
    return false;
  }
  asio::post(worker_.io, [self = shared_from_this(), text = std::move(text)]() mutable {
    self->Enqueue(std::move(text));
  });
  return true;
}

void WsSession::Enqueue(std::string text) {
  if (close_started_ || ended_) {
    queued_.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  outbound_.push_back(std::move(text));
  if (!writing_) WriteNext();
}

void WsSession::WriteNext() {
  if (outbound_.empty()) {
    writing_ = false;
    if (pending_close_ && !close_started_) StartClose(pending_close_->first, std::move(pending_close_->second));
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(outbound_.front()), [self = shared_from_this()](error_code ec, size_t) {
    self->outbound_.pop_front();
    self->queued_.fetch_sub(1, std::memory_order_acq_rel);
    if (ec) {
      self->writing_ = false;
      self->ForceClose();
      return;
    }
    self->WriteNext();
  });
}

void WsSession::Close(int code, std::string reason) {
  if (closing_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(worker_.io, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    if (self->ended_) return;
    if (code == 1008) {
      // Messages not yet on the wire are dropped: the close must not wait behind them.
      while (self->outbound_.size() > (self->writing_ ? 1u : 0u)) {
        self->outbound_.pop_back();
        self->queued_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
    self->pending_close_.emplace(code, std::move(reason));
    if (!self->writing_) self->StartClose(code, std::move(self->pending_close_->second));
    // A peer that stopped reading never lets the close frame out: give up on it after a while.
    self->close_timer_.expires_after(std::chrono::milliseconds(self->shared_.options.header_timeout_ms));
    self->close_timer_.async_wait([self](error_code ec) {
      if (!ec && !self->ended_) self->ForceClose();
    });
  });
}

void WsSession::StartClose(int code, std::string reason) {
  close_started_ = true;
  websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
  ws_.async_close(why, [self = shared_from_this()](error_code ec) {
    if (ec) self->ForceClose();
  });
}

asio::awaitable<void> RunWebSocket(Worker& worker, tcp::socket socket, Request req, const Route& route,
                                   const Response& accept_response, std::shared_ptr<WsSession>& session) {
  session = std::make_shared<WsSession>(worker, std::move(socket), std::move(req), route);
  co_await session->Run(accept_response);
}

void CloseWebSocket(WsSession& session, int code, const char* reason) { session.Close(code, reason); }

void ForceCloseWebSocket(WsSession& session) { session.ForceClose(); }

}  // namespace veza::http::transport
