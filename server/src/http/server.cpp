#include "http/server.h"

#include <sys/socket.h>

#include <csignal>
#include <stdexcept>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"
#include "http/transport.h"

namespace veza::http {

namespace transport {

using boost::system::error_code;

void Worker::Add(Session* s) {
  s->prev_session = nullptr;
  s->next_session = sessions;
  if (sessions) sessions->prev_session = s;
  sessions = s;
}

void Worker::Remove(Session* s) {
  if (s->prev_session) s->prev_session->next_session = s->next_session;
  if (s->next_session) s->next_session->prev_session = s->prev_session;
  if (sessions == s) sessions = s->next_session;
  s->prev_session = s->next_session = nullptr;
}

Shared::Shared(ServerOptions o, Router& r)
    : options(std::move(o)), router(r), pool(static_cast<size_t>(std::max(1, options.handler_threads))) {}

void Shared::ConnectionClosed() {
  if (open_connections.fetch_sub(1) == 1 && stopping.load()) Finish();
}

void Shared::Stop() {
  if (stopping.exchange(true)) return;
  log::Info("http server stopping", {{"open_connections", open_connections.load()}});
  for (auto& w : workers) {
    asio::post(w->io, [worker = w.get()] {
      error_code ec;
      if (worker->acceptor) worker->acceptor->close(ec);
      worker->ForEachSession([](Session& s) { s.OnStop(); });
    });
  }
  if (!workers.empty()) {
    Worker* first = workers.front().get();
    asio::post(first->io, [this, first] {
      if (finished.load()) return;
      first->deadline_timer.emplace(first->io);
      first->deadline_timer->expires_after(std::chrono::milliseconds(options.shutdown_deadline_ms));
      first->deadline_timer->async_wait([this](error_code ec) {
        if (ec || finished.load()) return;
        log::Warn("shutdown deadline passed; closing remaining connections",
                  {{"open_connections", open_connections.load()}});
        ForceCloseAll();
      });
    });
  }
  if (open_connections.load() == 0) Finish();
}

void Shared::Finish() {
  if (finished.exchange(true)) return;
  for (auto& w : workers) {
    asio::post(w->io, [worker = w.get()] {
      error_code ec;
      if (worker->deadline_timer) worker->deadline_timer->cancel();
      if (worker->signals) worker->signals->cancel(ec);
      if (worker->acceptor) worker->acceptor->close(ec);
      worker->guard.reset();
    });
  }
}

void Shared::ForceCloseAll() {
  finished.store(true);
  for (auto& w : workers) {
    asio::post(w->io, [worker = w.get()] {
      worker->ForEachSession([](Session& s) { s.ForceClose(); });
      // Handlers still running on the pool cannot be waited for any longer.
      worker->io.stop();
    });
  }
}

void Shared::WarnCapReached() {
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now().time_since_epoch()).count();
  int64_t last = last_cap_warning_s.load();
  if (now_s == last || !last_cap_warning_s.compare_exchange_strong(last, now_s)) return;
  log::Warn("connection cap reached; closing new connections",
            {{"max_connections", static_cast<uint64_t>(options.max_connections)},
             {"open_connections", open_connections.load()},
             {"rejected_total", rejected.load()}});
}

namespace {

bool IsResourceExhaustion(const error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

asio::awaitable<void> AcceptLoop(Worker& worker) {
  Shared& shared = worker.shared;
  auto token = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(token);
    if (shared.stopping.load() || ec == asio::error::operation_aborted || !worker.acceptor->is_open()) co_return;
    if (ec) {
      if (IsResourceExhaustion(ec)) {
        log::Warn("accept failed; backing off", {{"error", ec.message()}});
        asio::steady_timer pause(worker.io, std::chrono::milliseconds(50));
        co_await pause.async_wait(token);
      }
      continue;
    }
    if (static_cast<size_t>(shared.open_connections.load()) >= shared.options.max_connections) {
      shared.rejected.fetch_add(1);
      error_code ignored;
      socket.close(ignored);
      shared.WarnCapReached();
      continue;
    }
    shared.open_connections.fetch_add(1);
    StartHttpSession(worker, std::move(socket));
  }
}

void OpenAcceptor(Worker& worker, const asio::ip::address& address, uint16_t port) {
  tcp::endpoint endpoint(address, port);
  tcp::acceptor& acceptor = worker.acceptor.emplace(worker.io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  // One listener per io_context on the same port; the kernel spreads connections over them.
  acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

}  // namespace

}  // namespace transport

struct Server::Impl {
  Impl(ServerOptions options, Router& router) : shared(std::move(options), router) {}
  transport::Shared shared;
  bool listening = false;
};

Server::Server(ServerOptions options, Router& router) : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  // Handlers still on the pool resume into the io_contexts: wait for them before those go away.
  impl_->shared.pool.join();
}

uint16_t Server::Listen() {
  using namespace transport;
  Shared& shared = impl_->shared;
  if (impl_->listening) throw std::runtime_error("Listen() called twice");
  // sendfile(2) to a closed socket raises SIGPIPE; a server handles that as an error code instead.
  std::signal(SIGPIPE, SIG_IGN);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(shared.options.host, ec);
  if (ec) throw std::runtime_error("invalid listen address: " + shared.options.host);
  uint16_t port = shared.options.port;
  const int threads = std::max(1, shared.options.io_threads);
  try {
    for (int i = 0; i < threads; ++i) {
      auto& worker = shared.workers.emplace_back(std::make_unique<Worker>(shared));
      OpenAcceptor(*worker, address, port);
      if (port == 0) port = worker->acceptor->local_endpoint().port();
    }
  } catch (const boost::system::system_error& e) {
    shared.workers.clear();
    throw std::runtime_error("cannot listen on " + shared.options.host + ":" + std::to_string(port) + ": " +
                             e.code().message());
  }
  impl_->listening = true;
  log::Info("http server listening", {{"host", shared.options.host}, {"port", static_cast<int>(port)},
                                       {"io_threads", threads}, {"handler_threads", shared.options.handler_threads}});
  return port;
}

void Server::Run() {
  using namespace transport;
  Shared& shared = impl_->shared;
  if (!impl_->listening) throw std::runtime_error("Run() before Listen()");
  for (auto& w : shared.workers) asio::co_spawn(w->io, AcceptLoop(*w), asio::detached);
  Worker& first = *shared.workers.front();
  if (shared.options.handle_signals) {
    first.signals.emplace(first.io, SIGINT, SIGTERM);
    first.signals->async_wait([&shared](boost::system::error_code ec, int signal) {
      if (ec) return;
      log::Info("signal received", {{"signal", signal}});
      shared.Stop();
    });
  }
  std::vector<std::thread> threads;
  for (size_t i = 1; i < shared.workers.size(); ++i) {
    threads.emplace_back([w = shared.workers[i].get()] { w->io.run(); });
  }
  first.io.run();
  for (auto& t : threads) t.join();
  log::Info("http server stopped");
}

void Server::Stop() { impl_->shared.Stop(); }

ServerStats Server::Stats() const {
  const auto& s = impl_->shared;
  ServerStats stats;
  stats.open_connections = s.open_connections.load();
  stats.in_flight_requests = s.in_flight.load();
  stats.open_websockets = s.open_websockets.load();
  stats.rejected_connections = s.rejected.load();
  return stats;
}

}  // namespace veza::http
