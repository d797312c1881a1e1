#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "http/transport.h"

namespace veza::http::transport {

namespace {

constexpr uint64_t kChunk = 1 << 20;
// After this many bytes without the socket pushing back, yield so other connections get a turn.
constexpr uint64_t kYieldEvery = 4 << 20;

}  // namespace

asio::awaitable<bool> SendHeadAndFile(tcp::socket& socket, const std::string& head, int fd, uint64_t offset,
                                      uint64_t length, SteadyClock::time_point* deadline,
                                      SteadyClock::duration step) {
  auto token = asio::as_tuple(asio::use_awaitable);
  const int sock = socket.native_handle();
  // MSG_MORE lets the head and the first file bytes share a segment.
  ssize_t sent = ::send(sock, head.data(), head.size(), MSG_MORE | MSG_NOSIGNAL);
  if (sent < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) co_return false;
    sent = 0;
  }
  if (static_cast<size_t>(sent) < head.size()) {
    *deadline = SteadyClock::now() + step;
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(head.data() + sent, head.size() - sent), token);
    if (ec) co_return false;
  }
  off_t off = static_cast<off_t>(offset);
  uint64_t left = length;
  uint64_t since_yield = 0;
  while (left > 0) {
    ssize_t n = ::sendfile(sock, fd, &off, static_cast<size_t>(std::min(left, kChunk)));
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      since_yield += static_cast<uint64_t>(n);
      if (since_yield >= kYieldEvery && left > 0) {
        since_yield = 0;
        co_await asio::post(socket.get_executor(), asio::use_awaitable);
      }
      continue;
    }
    if (n == 0) co_return false;  // the file shrank under us; the promised length cannot be honoured
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) co_return false;
    *deadline = SteadyClock::now() + step;
    since_yield = 0;
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, token);
    if (ec) co_return false;
  }
  co_return true;
}

}  // namespace veza::http::transport
