#include "kv/testing/redis_server.h"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "kv/redis_store.h"

namespace veza::kv::testing {

namespace {

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Answers(int port) {
  timeval tv{0, 200'000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  bool ok = false;
  if (c != nullptr && c->err == 0) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
  }
  if (c) redisFree(c);
  return ok;
}

std::string FindRedisServer() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return {};
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start(std::string* why) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  if (const char* url = std::getenv("VEZA_TEST_REDIS_URL"); url != nullptr && *url != '\0') {
    server->url_ = url;
    return server;
  }
  std::string binary = FindRedisServer();
  if (binary.empty()) {
    *why =
        "redis-server is not installed, so the Redis half of this test cannot run: `scripts/setup --test` "
        "installs it (or set VEZA_TEST_REDIS_URL).";
    return nullptr;
  }
  char tmpl[] = "/tmp/veza-redis-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    *why = "cannot create a temporary directory for redis-server";
    return nullptr;
  }
  server->dir_ = tmpl;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = FreeLoopbackPort();
    std::string port_s = std::to_string(port);
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(server->dir_.c_str()) != 0) _exit(127);
      execl(binary.c_str(), "redis-server", "--port", port_s.c_str(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", server->dir_.c_str(), "--loglevel", "warning",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    server->pid_ = pid;
    for (int i = 0; i < 100; ++i) {
      if (Answers(port)) {
        server->url_ = "redis://127.0.0.1:" + port_s;
        return server;
      }
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;  // exited: the port was taken, try another
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    server->pid_ = 0;
  }
  *why = "redis-server did not start";
  return nullptr;
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::unique_ptr<Store> RedisServer::NewStore() const {
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string prefix =
      "test:" + std::to_string(getpid()) + ":" + std::to_string(rd()) + ":" + std::to_string(counter++) + ":";
  auto store = RedisStore::Open({.url = url_, .key_prefix = prefix});
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

}  // namespace veza::kv::testing
