#include "http/server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "http/static_files.h"
#include "http/test_client.h"

namespace veza::http {
namespace {

using testing::TestClient;
using testing::TestResponse;
namespace fs = std::filesystem;

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra) + "\r\n";
}

bool WaitFor(const std::function<bool()>& cond, int timeout_ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Get("/hello", [](Request&) { return Response::Text(200, "hello"); }, {.io_thread = true});
    router_.Get("/pool", [](Request&) { return Response::Text(200, "pooled"); });
  }

  void Start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.handle_signals = false;
    options.handler_threads = 4;
    server_ = std::make_unique<Server>(options, router_);
    port_ = server_->Listen();
    runner_ = std::thread([this] {
      server_->Run();
      run_returned_ = true;
    });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    runner_.join();
    server_.reset();
  }

  void TearDown() override { StopServer(); }

  std::unique_ptr<TestClient> Connect() {
    auto c = std::make_unique<TestClient>();
    EXPECT_TRUE(c->Connect(port_));
    return c;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::atomic<bool> run_returned_{false};
  uint16_t port_ = 0;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hello")));
  auto r1 = c->ReadResponse();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "hello");
  EXPECT_EQ(r1->Header("server"), "veza");
  EXPECT_TRUE(r1->Header("date").ends_with("GMT"));
  EXPECT_EQ(r1->Header("connection"), "");
  ASSERT_TRUE(c->Send(Get("/pool")));
  auto r2 = c->ReadResponse();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "pooled");
  EXPECT_EQ(server_->Stats().open_connections, 1);
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/pool") + Get("/hello") + Get("/pool")));
  EXPECT_EQ(c->ReadResponse()->body, "pooled");
  EXPECT_EQ(c->ReadResponse()->body, "hello");
  EXPECT_EQ(c->ReadResponse()->body, "pooled");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowedEnvelopes) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/nope")));
  auto nf = c->ReadResponse();
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->Header("content-type"), "application/json");
  EXPECT_NE(nf->body.find("\"code\":\"not_found\""), std::string::npos);
  ASSERT_TRUE(c->Send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  auto na = c->ReadResponse();
  ASSERT_TRUE(na);
  EXPECT_EQ(na->status, 405);
  EXPECT_EQ(na->Header("allow"), "GET, HEAD");
  EXPECT_NE(na->body.find("\"code\":\"method_not_allowed\""), std::string::npos);
}

TEST_F(ServerTest, HugeHeaderGets431ThenClose) {
  Start();
  auto c = Connect();
  std::string big(64 * 1024, 'a');
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("header_too_large"), std::string::npos);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c->WaitClosed(3000));
}

class BodyLimitTest : public ServerTest {
 protected:
  BodyLimitTest() {
    router_.Post("/small", [](Request& req) { return Response::Text(200, req.body); }, {.max_body_bytes = 1024});
  }
};

TEST_F(BodyLimitTest, ContentLengthOverLimitIsRefusedBeforeTheBody) {
  Start();
  auto c = Connect();
  // Only the head is sent: the answer must not wait for 10 MB that never come.
  ASSERT_TRUE(c->Send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n"));
  auto r = c->ReadResponse(2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("payload_too_large"), std::string::npos);
  EXPECT_TRUE(c->WaitClosed(3000));
}

TEST_F(BodyLimitTest, ChunkedBodyOverLimitIs413) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "200\r\n" + std::string(512, 'x') + "\r\n";
  for (int i = 0; i < 4; ++i) c->Send(chunk);
  auto r = c->ReadResponse(2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c->WaitClosed(3000));
}

TEST_F(BodyLimitTest, ChunkedBodyWithinLimitArrivesWhole) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(BodyLimitTest, ExpectContinueGets100) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto cont = c->ReadResponse(2000);
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c->Send("abc"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "abc");
}

TEST_F(ServerTest, MalformedRequestGets400ThenClose) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"error\""), std::string::npos);
  EXPECT_TRUE(c->WaitClosed(3000));
}

TEST_F(ServerTest, SlowHeadIsClosedAfterHeaderTimeout) {
  ServerOptions o;
  o.header_timeout_ms = 300;
  Start(o);
  auto c = Connect();
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(c->WaitClosed(3000));
  auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
}

TEST_F(ServerTest, IdleKeepAliveIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout_ms = 300;
  Start(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hello")));
  ASSERT_TRUE(c->ReadResponse());
  auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->WaitClosed(3000));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(250));
  EXPECT_TRUE(WaitFor([&] { return server_->Stats().open_connections == 0; }, 2000));
}

TEST_F(ServerTest, TwoThousandIdleConnectionsDoNotStarveOthers) {
  rlimit lim;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
  if (lim.rlim_cur < 8192) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 8192);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lim), 0);
  }
  if (lim.rlim_cur < 4200) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low: " << lim.rlim_max;
  Start();
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(std::make_unique<TestClient>());
    ASSERT_TRUE(idle.back()->Connect(port_)) << i;
  }
  EXPECT_TRUE(WaitFor([&] { return server_->Stats().open_connections >= 2000; }, 5000))
      << server_->Stats().open_connections;
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/pool")));
  auto r = c->ReadResponse(2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ConnectionsAboveTheCapAreClosed) {
  ServerOptions o;
  o.max_connections = 5;
  Start(o);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(Connect());
    ASSERT_TRUE(clients.back()->Send(Get("/hello")));
    ASSERT_TRUE(clients.back()->ReadResponse()) << i;
  }
  auto sixth = Connect();
  EXPECT_TRUE(sixth->WaitClosed(2000));
  EXPECT_GE(server_->Stats().rejected_connections, 1);
  // The five keep working, and a freed slot is usable again.
  ASSERT_TRUE(clients[0]->Send(Get("/hello")));
  EXPECT_TRUE(clients[0]->ReadResponse());
  clients[4]->Close();
  ASSERT_TRUE(WaitFor([&] { return server_->Stats().open_connections == 4; }, 2000));
  auto again = Connect();
  ASSERT_TRUE(again->Send(Get("/hello")));
  EXPECT_TRUE(again->ReadResponse());
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  std::atomic<bool> handler_started{false};
  router_.Get("/slow", [&](Request&) {
    handler_started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return Response::Text(200, std::string(100000, 's'));
  });
  Start();
  auto idle = Connect();
  ASSERT_TRUE(idle->Send(Get("/hello")));
  ASSERT_TRUE(idle->ReadResponse());
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/slow")));
  ASSERT_TRUE(WaitFor([&] { return handler_started.load(); }, 2000));
  EXPECT_EQ(server_->Stats().in_flight_requests, 1);
  server_->Stop();
  EXPECT_TRUE(idle->WaitClosed(1000));  // idle keep-alive connections close at once
  EXPECT_FALSE(run_returned_.load());
  auto r = c->ReadResponse(3000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 100000u);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(WaitFor([&] { return run_returned_.load(); }, 3000));
  runner_.join();
  server_.reset();
  TestClient late;
  EXPECT_FALSE(late.Connect(port_));
}

TEST_F(ServerTest, ShutdownDeadlineClosesStragglers) {
  router_.Get("/stuck", [](Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Response::Text(200, "late");
  });
  ServerOptions o;
  o.shutdown_deadline_ms = 200;
  Start(o);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/stuck")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto begin = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_TRUE(WaitFor([&] { return run_returned_.load(); }, 1000));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(1000));
  EXPECT_TRUE(c->WaitClosed(1000));
}

TEST_F(ServerTest, HeadHasGetLengthAndNoBody) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("HEAD /pool HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto h = c->ReadResponse(2000, true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->Header("content-length"), "6");
  // If any body bytes had been sent, this response would be misparsed.
  ASSERT_TRUE(c->Send(Get("/hello")));
  auto g = c->ReadResponse();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(g->body, "hello");
}

class FileTest : public ServerTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/veza-server-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::mt19937 rng(42);
    content_.resize(8 * 1024 * 1024);
    for (char& ch : content_) ch = static_cast<char>(rng());
    std::ofstream(dir_ / "track.m4s", std::ios::binary).write(content_.data(), static_cast<std::streamsize>(content_.size()));
    StaticFilesOptions so;
    so.root = dir_.string();
    files_ = std::make_unique<StaticFiles>(so);
    router_.Get("/{path...}", [this](Request& req) { return files_->Serve(req); }, {.io_thread = true});
  }
  void TearDown() override {
    StopServer();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::string content_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(FileTest, RangeIsSentWithSendfile) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/track.m4s", "Range: bytes=1000-500999\r\n")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->Header("content-range"), "bytes 1000-500999/8388608");
  EXPECT_EQ(r->Header("content-type"), "audio/mp4");
  ASSERT_EQ(r->body.size(), 500000u);
  EXPECT_TRUE(r->body == content_.substr(1000, 500000));
}

TEST_F(FileTest, WholeLargeFileArrivesIntact) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/track.m4s")));
  auto r = c->ReadResponse(10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(r->body.size(), content_.size());
  EXPECT_TRUE(r->body == content_);
  // The connection is still usable: conditional request with the ETag → 304.
  ASSERT_TRUE(c->Send(Get("/track.m4s", "If-None-Match: " + r->Header("etag") + "\r\n")));
  auto nm = c->ReadResponse();
  ASSERT_TRUE(nm);
  EXPECT_EQ(nm->status, 304);
  ASSERT_TRUE(c->Send("HEAD /track.m4s HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto h = c->ReadResponse(2000, true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->Header("content-length"), "8388608");
}

TEST_F(ServerTest, BodyToFileSpoolsFiveMegabytes) {
  char tmpl[] = "/tmp/veza-spool-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string spool = tmpl;
  std::string seen_path;
  std::string received;
  router_.Post("/upload", [&](Request& req) {
    seen_path = req.body_file;
    std::ifstream in(req.body_file, std::ios::binary);
    received.assign(std::istreambuf_iterator<char>(in), {});
    return Response::Text(200, std::to_string(req.body_size) + " " + std::to_string(req.body.size()));
  }, {.max_body_bytes = 16 * 1024 * 1024, .body_to_file = true});
  ServerOptions o;
  o.spool_dir = spool;
  Start(o);
  std::string body(5 * 1024 * 1024, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 31 + 7);
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n"));
  ASSERT_TRUE(c->Send(body));
  auto r = c->ReadResponse(10000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::to_string(body.size()) + " 0");
  EXPECT_TRUE(seen_path.starts_with(spool + "/"));
  EXPECT_TRUE(received == body);
  EXPECT_FALSE(fs::exists(seen_path));  // removed once the handler returned
  fs::remove_all(spool);
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutDetail) {
  router_.Get("/boom", [](Request&) -> Response { throw std::runtime_error("db password is hunter2"); });
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/boom")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("hunter2"), std::string::npos);
}

class EchoHandler : public WsHandler {
 public:
  void OnOpen(const std::shared_ptr<WsConnection>& conn) override { opened++; }
  void OnMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) override {
    if (text == "flood") {
      for (int i = 0; i < 2000; ++i) {
        if (!conn->Send(std::string(64 * 1024, 'f'))) refused++;
      }
      return;
    }
    conn->Send(std::string(text));
  }
  void OnClose(const std::shared_ptr<WsConnection>& conn, int code) override {
    last_code = code;
    closed++;
  }
  std::atomic<int> opened{0}, closed{0}, refused{0}, last_code{0};
};

TEST_F(ServerTest, WebSocketEcho) {
  auto echo = std::make_shared<EchoHandler>();
  router_.AddWebSocket("/ws", echo);
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->WsHandshake("/ws"));
  ASSERT_TRUE(c->WsSendText("hello"));
  auto f = c->WsReadFrame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, 1);
  EXPECT_EQ(f->payload, "hello");
  std::string medium(1000, 'm');
  ASSERT_TRUE(c->WsSendText(medium));
  auto g = c->WsReadFrame();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->payload, medium);
  EXPECT_TRUE(WaitFor([&] { return server_->Stats().open_websockets == 1; }, 1000));
  ASSERT_TRUE(c->WsSendClose(1000));
  auto close = c->WsReadFrame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 8);
  EXPECT_TRUE(c->WaitClosed(2000));
  c->Close();  // the server half-closed first and waits for ours (RFC 6455 §7.1.1)
  EXPECT_TRUE(WaitFor([&] { return echo->closed.load() == 1; }, 2000));
  EXPECT_EQ(echo->opened.load(), 1);
  EXPECT_EQ(echo->last_code.load(), 1000);
  EXPECT_TRUE(WaitFor([&] { return server_->Stats().open_websockets == 0; }, 1000));
}

TEST_F(ServerTest, WebSocketRefusedByAcceptHandler) {
  router_.AddWebSocket("/ws", std::make_shared<EchoHandler>(), {}, {}, [](Request&) {
    return Response::FromError(MakeError(ErrorCode::kUnauthenticated, "Sign in first."), "");
  });
  Start();
  auto c = Connect();
  EXPECT_FALSE(c->WsHandshake("/ws"));
}

TEST_F(ServerTest, WebSocketOversizedMessageClosesConnection) {
  auto echo = std::make_shared<EchoHandler>();
  WsOptions wo;
  wo.max_message_bytes = 1024;
  router_.AddWebSocket("/ws", echo, wo);
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->WsHandshake("/ws"));
  ASSERT_TRUE(c->WsSendText(std::string(4096, 'x')));
  for (;;) {
    auto f = c->WsReadFrame(3000);
    if (!f) break;
    ASSERT_NE(f->opcode, 1) << "an oversized message must not be echoed";
    if (f->opcode == 8) break;
  }
  EXPECT_TRUE(WaitFor([&] { return echo->closed.load() == 1; }, 3000));
}

TEST_F(ServerTest, WebSocketPingsAndClosesWithoutPong) {
  auto echo = std::make_shared<EchoHandler>();
  WsOptions wo;
  wo.ping_interval_ms = 200;
  router_.AddWebSocket("/ws", echo, wo);
  Start();
  auto answering = Connect();
  auto silent = Connect();
  ASSERT_TRUE(answering->WsHandshake("/ws"));
  ASSERT_TRUE(silent->WsHandshake("/ws"));
  auto ping = silent->WsReadFrame(2000);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->opcode, 9);
  // The answering client returns every ping's pong and stays connected.
  auto begin = std::chrono::steady_clock::now();
  int pongs = 0;
  while (std::chrono::steady_clock::now() - begin < std::chrono::milliseconds(1200)) {
    auto f = answering->WsReadFrame(1000);
    ASSERT_TRUE(f) << "answering client was dropped";
    if (f->opcode == 9) {
      ASSERT_TRUE(answering->Send(std::string("\x8a\x80\x00\x00\x00\x00", 6)));  // masked empty pong
      ++pongs;
    }
  }
  EXPECT_GE(pongs, 2);
  EXPECT_TRUE(silent->WaitClosed(2000));
  ASSERT_TRUE(answering->WsSendText("still here"));
  auto f = answering->WsReadFrame(2000);
  while (f && f->opcode == 9) f = answering->WsReadFrame(2000);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "still here");
}

TEST_F(ServerTest, WebSocketOutboundQueueIsBounded) {
  auto echo = std::make_shared<EchoHandler>();
  WsOptions wo;
  wo.max_queued_messages = 4;
  router_.AddWebSocket("/ws", echo, wo);
  ServerOptions o;
  o.header_timeout_ms = 1000;
  Start(o);
  auto c = Connect();
  ASSERT_TRUE(c->WsHandshake("/ws"));
  ASSERT_TRUE(c->WsSendText("flood"));  // and then do not read for a while
  ASSERT_TRUE(WaitFor([&] { return echo->refused.load() > 0; }, 5000));
  // The connection ends (close frame or reset) instead of buffering without bound.
  bool ended = false;
  for (int i = 0; i < 5000 && !ended; ++i) {
    auto f = c->WsReadFrame(3000);
    ended = !f || f->opcode == 8;
  }
  EXPECT_TRUE(ended);
  EXPECT_TRUE(WaitFor([&] { return echo->closed.load() == 1; }, 5000));
  EXPECT_GE(echo->refused.load(), 1);
}

}  // namespace
}  // namespace veza::http
