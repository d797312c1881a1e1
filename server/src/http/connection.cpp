#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "core/log.h"
#include "http/request_parser.h"
#include "http/transport.h"

namespace veza::http::transport {

namespace {

namespace beast = boost::beast;
using boost::system::error_code;

constexpr size_t kHeadReadSize = 8 * 1024;
constexpr size_t kBodyReadSize = 64 * 1024;
constexpr size_t kUnmatchedMaxBody = 64 * 1024;  // bodies sent to 404/405 are read, not kept long
constexpr size_t kLingerMaxBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
constexpr auto kFarAway = std::chrono::hours(1);

int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

Response ErrorResponse(ErrorCode code, std::string message, std::string slug) {
  return Response::FromError(MakeError(code, std::move(message), std::move(slug)), "");
}

/// Runs `fn` on the handler pool and resumes the coroutine on its own I/O thread afterwards.
template <typename Fn>
asio::awaitable<void> RunOnPool(asio::thread_pool& pool, Fn& fn) {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool, &fn](auto handler) {
        asio::post(pool, [&fn, handler = std::move(handler)]() mutable {
          fn();
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, std::move(handler));
        });
      },
      asio::use_awaitable);
}

/// A spooled request body: removed when the exchange ends, whatever happened.
struct SpoolFile {
  int fd = -1;
  std::string path;
  ~SpoolFile() { Reset(); }
  void CloseFd() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  void Reset() {
    CloseFd();
    if (!path.empty()) ::unlink(path.c_str());
    path.clear();
  }
};

struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

struct InFlight {
  explicit InFlight(Shared& s) : shared(s) { shared.in_flight.fetch_add(1, std::memory_order_relaxed); }
  ~InFlight() { shared.in_flight.fetch_sub(1, std::memory_order_relaxed); }
  Shared& shared;
};

/// A parse error (as opposed to I/O errors such as end of stream or reset).
bool IsHttpError(const error_code& ec) {
  return ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category();
}

bool IsWebSocketUpgrade(const Request& req) {
  auto upgrade = req.Header("Upgrade");
  return upgrade && IEquals(*upgrade, "websocket");
}

class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Worker& worker, tcp::socket socket)
      : worker_(worker), shared_(worker.shared), socket_(std::move(socket)), timer_(worker.io) {}

  void Start();
  void OnStop() override;
  void ForceClose() override;

 private:
  enum class Phase { kIdle, kHead, kBody, kHandler, kWrite, kWebSocket };

  asio::awaitable<void> Loop();
  asio::awaitable<bool> WaitForRequest(bool first);
  asio::awaitable<bool> HandleOne();
  asio::awaitable<error_code> ReadHead();
  asio::awaitable<error_code> ReadBody();
  asio::awaitable<Response> Invoke(const RouteMatch& match);
  asio::awaitable<bool> WriteResponse(Response& resp, bool keep_alive);
  asio::awaitable<void> SendErrorAndClose(Response resp);
  asio::awaitable<void> Upgrade(const RouteMatch& match);
  asio::awaitable<bool> SendContinue();
  bool PrepareRequest();
  void ResetRequest();
  bool OpenSpool(SpoolFile& spool);
  void End();

  void SetDeadline(SteadyClock::time_point d);
  void SetTimeout(int ms) { SetDeadline(SteadyClock::now() + std::chrono::milliseconds(ms)); }
  void ArmWatchdog();
  void CloseSocket();

  Worker& worker_;
  Shared& shared_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  SteadyClock::time_point deadline_{};
  SteadyClock::time_point armed_{};
  Phase phase_ = Phase::kIdle;
  bool ended_ = false;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  Request req_;
  std::string head_;
  std::shared_ptr<WsSession> ws_;
};

void HttpSession::Start() {
  worker_.Add(this);
  error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  // sendfile(2) is called on the raw descriptor and must never block the I/O thread.
  socket_.native_non_blocking(true, ec);
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) {
    req_.remote_ip = remote.address().to_string();
    req_.remote_port = remote.port();
  }
  SetTimeout(shared_.options.header_timeout_ms);
  ArmWatchdog();
  asio::co_spawn(worker_.io, [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->Loop(); },
                 [self = shared_from_this()](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       log::Error("connection failed", {{"detail", ex.what()}});
                     }
                   }
                   self->End();
                 });
}

void HttpSession::End() {
  if (ended_) return;
  ended_ = true;
  timer_.cancel();
  CloseSocket();
  worker_.Remove(this);
  shared_.ConnectionClosed();
}

void HttpSession::OnStop() {
  if (ws_) {
    CloseWebSocket(*ws_, 1001, "server shutting down");
  } else if (phase_ == Phase::kIdle) {
    CloseSocket();
  }
}

void HttpSession::ForceClose() {
  if (ws_) ForceCloseWebSocket(*ws_);
  CloseSocket();
}

void HttpSession::CloseSocket() {
  if (!socket_.is_open()) return;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void HttpSession::SetDeadline(SteadyClock::time_point d) {
  deadline_ = d;
  // An earlier deadline needs the timer moved; a later one is picked up lazily when it fires.
  if (d < armed_) timer_.cancel();
}

void HttpSession::ArmWatchdog() {
  armed_ = std::min(deadline_, SteadyClock::now() + kFarAway);
  timer_.expires_at(armed_);
  timer_.async_wait([self = shared_from_this()](error_code) {
    if (self->ended_) return;
    if (self->phase_ != Phase::kHandler && self->phase_ != Phase::kWebSocket &&
        SteadyClock::now() >= self->deadline_) {
      self->CloseSocket();
      return;
    }
    self->ArmWatchdog();
  });
}

asio::awaitable<void> HttpSession::Loop() {
  bool first = true;
  while (co_await WaitForRequest(first)) {
    first = false;
    if (!co_await HandleOne()) break;
  }
}

asio::awaitable<bool> HttpSession::WaitForRequest(bool first) {
  if (buffer_.size() > 0) co_return true;  // pipelined bytes already here
  phase_ = Phase::kIdle;
  if (shared_.stopping.load(std::memory_order_relaxed)) co_return false;
  SetTimeout(first ? shared_.options.header_timeout_ms : shared_.options.idle_timeout_ms);
  auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kHeadReadSize),
                                                  asio::as_tuple(asio::use_awaitable));
  if (ec) co_return false;
  buffer_.commit(n);
  co_return true;
}

void HttpSession::ResetRequest() {
  req_.method.clear();
  req_.target.clear();
  req_.path.clear();
  req_.query.clear();
  req_.headers.Clear();
  req_.body.clear();
  req_.body_file.clear();
  req_.body_size = 0;
  req_.keep_alive = true;
  req_.request_id.clear();
  req_.route.clear();
  req_.route_class.clear();
  req_.params.clear();
  req_.principal.reset();
  req_.started_ns = 0;
}

asio::awaitable<error_code> HttpSession::ReadHead() {
  phase_ = Phase::kHead;
  bool deadline_set = false;
  for (;;) {
    if (buffer_.size() > 0) {
      error_code ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (!ec && parser_->is_header_done()) co_return error_code{};
      if (ec && ec != beast::http::error::need_more) co_return ec;
      if (!ec && used > 0) continue;
    }
    if (!deadline_set) {  // most heads arrive in one read: the timer is only touched when they do not
      SetTimeout(shared_.options.header_timeout_ms);
      deadline_set = true;
    }
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kHeadReadSize),
                                                    asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    buffer_.commit(n);
  }
}

asio::awaitable<error_code> HttpSession::ReadBody() {
  phase_ = Phase::kBody;
  while (!parser_->is_done()) {
    if (buffer_.size() > 0) {
      error_code ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != beast::http::error::need_more) co_return ec;
      if (used > 0) continue;
    }
    SetTimeout(shared_.options.body_timeout_ms);
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(kBodyReadSize),
                                                    asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    buffer_.commit(n);
  }
  co_return error_code{};
}

bool HttpSession::PrepareRequest() {
  std::string_view target = req_.target;
  if (target == "*" && req_.method == "OPTIONS") {
    req_.path = "*";
    return true;
  }
  if (target.empty() || target.front() != '/') return false;
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (q != std::string_view::npos) req_.query.assign(target.substr(q + 1));
  if (raw_path.find('%') == std::string_view::npos) {
    req_.path.assign(raw_path);
    return true;
  }
  auto decoded = PercentDecode(raw_path, false);
  if (!decoded) return false;
  req_.path = std::move(*decoded);
  return true;
}

bool HttpSession::OpenSpool(SpoolFile& spool) {
  std::string path = shared_.options.spool_dir + "/veza-body-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) {
    log::Error("cannot create spool file", {{"dir", shared_.options.spool_dir}, {"errno", errno}});
    return false;
  }
  spool.fd = fd;
  spool.path = std::move(path);
  return true;
}

asio::awaitable<bool> HttpSession::SendContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  SetTimeout(shared_.options.body_timeout_ms);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                                            asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

asio::awaitable<bool> HttpSession::HandleOne() {
  ResetRequest();
  parser_.emplace(req_);
  parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
  parser_->body_limit(boost::none);
  error_code ec = co_await ReadHead();
  if (ec == beast::http::error::header_limit) {
    co_await SendErrorAndClose(
        ErrorResponse(ErrorCode::kHeaderTooLarge, "The request header is too large.", "header_too_large"));
    co_return false;
  }
  if (ec) {
    if (IsHttpError(ec)) {
      co_await SendErrorAndClose(ErrorResponse(ErrorCode::kBadRequest, "Malformed HTTP request.", "bad_request"));
    }
    co_return false;  // end of stream, timeout or reset
  }
  InFlight in_flight(shared_);
  req_.started_ns = MonotonicNs();
  req_.keep_alive = parser_->keep_alive();
  if (!PrepareRequest()) {
    co_await SendErrorAndClose(ErrorResponse(ErrorCode::kBadRequest, "Malformed request target.", "bad_request"));
    co_return false;
  }
  RouteMatch match = shared_.router.Match(req_.method, req_.path);
  const bool found = match.kind == RouteMatch::Kind::kFound;
  if (found && match.route->websocket && IsWebSocketUpgrade(req_)) {
    co_await Upgrade(match);
    co_return false;
  }

  SpoolFile spool;
  if (!parser_->is_done()) {
    const size_t limit = found ? match.route->options.max_body_bytes : kUnmatchedMaxBody;
    auto length = parser_->content_length();
    if (length && *length > limit) {
      co_await SendErrorAndClose(
          ErrorResponse(ErrorCode::kPayloadTooLarge, "The request body is too large.", "payload_too_large"));
      co_return false;
    }
    auto expect = req_.Header("Expect");
    if (expect && IEquals(*expect, "100-continue") && buffer_.size() == 0 && !co_await SendContinue())
      co_return false;
    if (found && match.route->options.body_to_file) {
      if (!OpenSpool(spool)) {
        co_await SendErrorAndClose(Response::FromError(Internal("spool"), ""));
        co_return false;
      }
      parser_->SetBodyFile(spool.fd);
      req_.body_file = spool.path;
    }
    parser_->body_limit(limit);
    ec = co_await ReadBody();
    spool.CloseFd();
    if (ec == beast::http::error::body_limit) {
      co_await SendErrorAndClose(
          ErrorResponse(ErrorCode::kPayloadTooLarge, "The request body is too large.", "payload_too_large"));
      co_return false;
    }
    if (ec && parser_->sink_failed()) {
      co_await SendErrorAndClose(Response::FromError(Internal("spool write failed"), ""));
      co_return false;
    }
    if (ec) {
      if (IsHttpError(ec) &&
          ec != beast::http::error::partial_message) {
        co_await SendErrorAndClose(ErrorResponse(ErrorCode::kBadRequest, "Malformed request body.", "bad_request"));
      }
      co_return false;
    }
  }

  Response resp = co_await Invoke(match);
  spool.Reset();
  const bool keep_alive = req_.keep_alive && !shared_.stopping.load(std::memory_order_relaxed);
  const bool written = co_await WriteResponse(resp, keep_alive);
  co_return written && keep_alive;
}

asio::awaitable<Response> HttpSession::Invoke(const RouteMatch& match) {
  phase_ = Phase::kHandler;
  if (match.kind == RouteMatch::Kind::kFound && match.route->options.io_thread) {
    co_return shared_.router.Dispatch(req_, match);
  }
  Response resp;
  auto run = [&] { resp = shared_.router.Dispatch(req_, match); };
  co_await RunOnPool(shared_.pool, run);
  co_return resp;
}

asio::awaitable<bool> HttpSession::WriteResponse(Response& resp, bool keep_alive) {
  phase_ = Phase::kWrite;
  SetTimeout(shared_.options.body_timeout_ms);
  const bool no_body_status = resp.status < 200 || resp.status == 204 || resp.status == 304;
  const bool head_only = no_body_status || req_.method == "HEAD";
  FdCloser file;
  if (resp.file) {
    file.fd = ::open(resp.file->path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (file.fd < 0 || ::fstat(file.fd, &st) != 0 ||
        static_cast<uint64_t>(st.st_size) < resp.file->offset + resp.file->length) {
      resp = Response::FromError(MakeError(ErrorCode::kNotFound, "No such resource.", "not_found"), req_.request_id);
    }
  }
  const uint64_t length = resp.file ? resp.file->length : resp.body.size();
  SerializeHead(resp, length, no_body_status, keep_alive, parser_ ? parser_->version() : 11, head_);
  auto token = asio::as_tuple(asio::use_awaitable);
  if (resp.file && !head_only) {
    co_return co_await SendHeadAndFile(socket_, head_, file.fd, resp.file->offset, resp.file->length, &deadline_,
                                       std::chrono::milliseconds(shared_.options.body_timeout_ms));
  }
  if (head_only || resp.body.empty()) {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(head_), token);
    co_return !ec;
  }
  std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::buffer(resp.body)};
  auto [ec, n] = co_await asio::async_write(socket_, buffers, token);
  co_return !ec;
}

asio::awaitable<void> HttpSession::SendErrorAndClose(Response resp) {
  if (!co_await WriteResponse(resp, false)) co_return;
  // Lingering close: read what the client is still sending so the kernel does not reset the
  // connection (and drop our response) because of unread data.
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  SetDeadline(SteadyClock::now() + kLingerTime);
  phase_ = Phase::kBody;
  size_t drained = 0;
  char scratch[16 * 1024];
  while (drained < kLingerMaxBytes) {
    auto [rec, n] = co_await socket_.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    drained += n;
  }
}

asio::awaitable<void> HttpSession::Upgrade(const RouteMatch& match) {
  Response accept = co_await Invoke(match);
  if (accept.status != 101) {
    co_await WriteResponse(accept, false);
    co_return;
  }
  phase_ = Phase::kWebSocket;
  co_await RunWebSocket(worker_, std::move(socket_), std::move(req_), *match.route, accept, ws_);
}

}  // namespace

void StartHttpSession(Worker& worker, tcp::socket socket) {
  std::make_shared<HttpSession>(worker, std::move(socket))->Start();
}

}  // namespace veza::http::transport
