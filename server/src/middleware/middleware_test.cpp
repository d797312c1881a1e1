#include "middleware/middleware.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.h"
#include "middleware/test_chain.h"
#include "observability/metrics.h"

namespace veza::middleware {
namespace {

using testing::MakeRequest;
using testing::RunChain;

http::Response Ok200(http::Request&) { return http::Response::Json(200, "{\"ok\":true}"); }

// ---- request id

TEST(RequestIdTest, AcceptsValidClientId) {
  http::Request req = MakeRequest("GET", "/x");
  req.headers.Set("X-Request-Id", "abc.DEF_123-xyz");
  std::string seen;
  http::Response resp = RunChain({RequestId()}, [&](http::Request& r) {
    seen = r.request_id;
    return Ok200(r);
  }, req);
  EXPECT_EQ(seen, "abc.DEF_123-xyz");
  EXPECT_EQ(resp.headers.Get("X-Request-Id"), "abc.DEF_123-xyz");
}

TEST(RequestIdTest, RegeneratesInvalidOrMissingIds) {
  const std::string too_long(129, 'a');
  for (std::string bad : {std::string(), std::string("has space"), std::string("semi;colon"), too_long,
                          std::string("new\nline"), std::string("ünï")}) {
    http::Request req = MakeRequest("GET", "/x");
    req.headers.Set("X-Request-Id", bad);
    http::Response resp = RunChain({RequestId()}, Ok200, req);
    EXPECT_NE(req.request_id, bad);
    EXPECT_EQ(req.request_id.size(), 32u);
    EXPECT_EQ(req.request_id.find_first_not_of("0123456789abcdef"), std::string::npos) << req.request_id;
    EXPECT_EQ(resp.headers.Get("X-Request-Id"), req.request_id);
  }
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidRequestId(too_long));
}

TEST(RequestIdTest, GeneratedIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewRequestId());
  EXPECT_EQ(ids.size(), 10000u);
}

TEST(RequestIdTest, EchoedOnAnswersFromInnerMiddleware) {
  http::Request req = MakeRequest("GET", "/x");
  http::Middleware deny = [](http::Request& r, const http::Handler&) {
    return http::Response::FromError(NotFound(), r.request_id);
  };
  http::Response resp = RunChain({RequestId(), deny}, Ok200, req);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.Get("X-Request-Id"), req.request_id);
  EXPECT_NE(resp.body.find(req.request_id), std::string::npos);
}

// ---- access log

struct CapturedLog {
  std::vector<std::string> lines;
  AccessLogOptions Options() {
    AccessLogOptions o;
    o.sink = [this](std::string_view l) { lines.emplace_back(l); };
    return o;
  }
};

json::bj::object ParseLine(const std::string& line) {
  auto parsed = json::ParseObject(line);
  EXPECT_TRUE(parsed.ok()) << line;
  return parsed.ok() ? *parsed : json::bj::object();
}

TEST(AccessLogTest, OneJsonLinePerRequestWithEveryField) {
  ManualClock clock(1'764'067'844'123);
  CapturedLog log;
  http::Request req = MakeRequest("GET", "/api/v1/tracks/42", "/api/v1/tracks/{id}", "198.51.100.4");
  req.headers.Set("X-Request-Id", "req-1");
  req.headers.Set("User-Agent", "Mozilla/5.0 \"quoted\" \\ back");
  req.principal = http::Principal{.user_id = 9007199254740993, .session_id = 1, .role = "user"};
  http::Response resp = RunChain({RequestId(), AccessLog(clock, log.Options())}, [&](http::Request& r) {
    clock.Advance(12);
    return http::Response::Json(201, std::string(1234, ' '));
  }, req);
  EXPECT_EQ(resp.status, 201);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0].find('\n'), std::string::npos);
  json::bj::object o = ParseLine(log.lines[0]);
  EXPECT_EQ(o.at("time").as_string(), FormatRfc3339(1'764'067'844'135));
  EXPECT_EQ(o.at("time").as_string(), "2025-11-25T10:50:44.135Z");
  EXPECT_EQ(o.at("request_id").as_string(), "req-1");
  EXPECT_EQ(o.at("method").as_string(), "GET");
  EXPECT_EQ(o.at("route").as_string(), "/api/v1/tracks/{id}");
  EXPECT_EQ(o.at("path").as_string(), "/api/v1/tracks/42");
  EXPECT_EQ(o.at("status").as_int64(), 201);
  EXPECT_EQ(o.at("bytes").as_int64(), 1234);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").as_double(), 12.0);
  EXPECT_EQ(o.at("remote_ip").as_string(), "198.51.100.4");
  EXPECT_EQ(o.at("principal").as_string(), "9007199254740993");
  EXPECT_EQ(o.at("user_agent").as_string(), "Mozilla/5.0 \"quoted\" \\ back");
  EXPECT_EQ(o.size(), 11u);
}

TEST(AccessLogTest, UnmatchedRouteAnonymousFileBodyAndFractionalDuration) {
  ManualClock clock;
  CapturedLog log;
  http::Request req = MakeRequest("GET", "/nope");
  req.started_ns = clock.MonotonicNs() - 1'234'567;  // the transport saw the head 1.234567 ms ago
  RunChain({AccessLog(clock, log.Options())}, [](http::Request&) {
    http::Response r = http::Response::Empty(404);
    r.file = http::FileBody{"/tmp/x", 0, 777};
    return r;
  }, req);
  ASSERT_EQ(log.lines.size(), 1u);
  json::bj::object o = ParseLine(log.lines[0]);
  EXPECT_EQ(o.at("route").as_string(), "unmatched");
  EXPECT_TRUE(o.at("principal").is_null());
  EXPECT_TRUE(o.at("user_agent").is_null());
  EXPECT_EQ(o.at("bytes").as_int64(), 777);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").as_double(), 1.234);
}

TEST(AccessLogTest, HostileBytesStayValidJson) {
  ManualClock clock;
  CapturedLog log;
  std::string path = std::string("/a\"b\\c\n\r\t\x01\x1f/\x7f") + "\xff\xfe" + "caf\xc3\xa9" + "\xe2\x82" +
                     "\xed\xa0\x80" + "\xf0\x9f\x8e\xb5";
  http::Request req = MakeRequest("GET", path);
  RunChain({AccessLog(clock, log.Options())}, Ok200, req);
  ASSERT_EQ(log.lines.size(), 1u);
  json::bj::object o = ParseLine(log.lines[0]);
  std::string expected = std::string("/a\"b\\c\n\r\t\x01\x1f/\x7f") + "\xef\xbf\xbd\xef\xbf\xbd" + "caf\xc3\xa9" +
                         "\xef\xbf\xbd\xef\xbf\xbd" + "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" + "\xf0\x9f\x8e\xb5";
  EXPECT_EQ(std::string(o.at("path").as_string()), expected);
}

TEST(AccessLogTest, DisabledWritesNothing) {
  ManualClock clock;
  CapturedLog log;
  AccessLogOptions options = log.Options();
  options.enabled = false;
  http::Request req = MakeRequest("GET", "/x");
  http::Response resp = RunChain({AccessLog(clock, options)}, Ok200, req);
  EXPECT_EQ(resp.status, 200);
  EXPECT_TRUE(log.lines.empty());
}

TEST(AccessLogTest, LogsA500WhenTheHandlerThrowsAndRethrows) {
  ManualClock clock;
  CapturedLog log;
  http::Request req = MakeRequest("POST", "/x", "/x");
  EXPECT_THROW(RunChain({AccessLog(clock, log.Options())},
                        [](http::Request&) -> http::Response { throw std::runtime_error("boom"); }, req),
               std::runtime_error);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(ParseLine(log.lines[0]).at("status").as_int64(), 500);
}

// ---- metrics

TEST(MetricsMiddlewareTest, CountsByTemplateNotPath) {
  ManualClock clock;
  obs::Registry registry;
  http::Middleware mw = Metrics(registry, clock);
  std::string in_flight_during;
  auto handler = [&](http::Request& r) {
    clock.Advance(3);
    in_flight_during = registry.Render();
    return http::Response::Text(r.path == "/api/v1/tracks/2" ? 404 : 200, "hello");
  };
  for (const char* path : {"/api/v1/tracks/1", "/api/v1/tracks/2", "/api/v1/tracks/3"}) {
    http::Request req = MakeRequest("GET", path, "/api/v1/tracks/{id}");
    RunChain({mw}, handler, req);
  }
  http::Request unmatched = MakeRequest("BREW", "/coffee");
  RunChain({mw}, [&](http::Request&) { return http::Response::Empty(404); }, unmatched);

  EXPECT_NE(in_flight_during.find("\nveza_http_requests_in_flight 1\n"), std::string::npos) << in_flight_during;
  std::string text = registry.Render();
  for (const char* line : {
           "veza_http_requests_total{method=\"GET\",route=\"/api/v1/tracks/{id}\",status=\"200\"} 2\n",
           "veza_http_requests_total{method=\"GET\",route=\"/api/v1/tracks/{id}\",status=\"404\"} 1\n",
           "veza_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 1\n",
           "veza_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/tracks/{id}\",le=\"0.0025\"} 0\n",
           "veza_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/tracks/{id}\",le=\"0.005\"} 3\n",
           "veza_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/tracks/{id}\"} 3\n",
           "veza_http_request_duration_seconds_count{method=\"OTHER\",route=\"unmatched\"} 1\n",
           "\nveza_http_requests_in_flight 0\n",
           "\nveza_http_response_bytes_total 15\n",
           "# TYPE veza_http_request_duration_seconds histogram\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << text;
  }
  EXPECT_EQ(text.find("/api/v1/tracks/1"), std::string::npos);  // never the raw path
  const std::string sum_key = "veza_http_request_duration_seconds_sum{method=\"GET\",route=\"/api/v1/tracks/{id}\"} ";
  size_t sum_pos = text.find(sum_key);
  ASSERT_NE(sum_pos, std::string::npos) << text;
  EXPECT_NEAR(std::strtod(text.c_str() + sum_pos + sum_key.size(), nullptr), 0.009, 1e-12);
}

TEST(MetricsMiddlewareTest, ThrowingHandlerCountsAs500AndLeavesNothingInFlight) {
  ManualClock clock;
  obs::Registry registry;
  http::Request req = MakeRequest("GET", "/x", "/x");
  EXPECT_THROW(RunChain({Metrics(registry, clock)},
                        [](http::Request&) -> http::Response { throw std::runtime_error("x"); }, req),
               std::runtime_error);
  std::string text = registry.Render();
  EXPECT_NE(text.find("veza_http_requests_total{method=\"GET\",route=\"/x\",status=\"500\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nveza_http_requests_in_flight 0\n"), std::string::npos) << text;
}

// ---- security headers

TEST(SecurityHeadersTest, AddedToEveryResponse) {
  http::Request req = MakeRequest("GET", "/");
  http::Response resp = RunChain({SecurityHeaders()}, Ok200, req);
  EXPECT_EQ(resp.headers.Get("Content-Security-Policy"), kDefaultContentSecurityPolicy);
  EXPECT_EQ(resp.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(resp.headers.Get("Referrer-Policy"), "strict-origin-when-cross-origin");
  EXPECT_EQ(resp.headers.Get("X-Frame-Options"), "DENY");
  EXPECT_EQ(resp.headers.Get("Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(resp.headers.Get("Permissions-Policy"), kDefaultPermissionsPolicy);
  EXPECT_FALSE(resp.headers.Has("Strict-Transport-Security"));
  EXPECT_NE(kDefaultContentSecurityPolicy.find("frame-ancestors 'none'"), std::string_view::npos);
}

TEST(SecurityHeadersTest, ExplicitHeadersWin) {
  http::Request req = MakeRequest("GET", "/embed");
  http::Response resp = RunChain({SecurityHeaders()}, [](http::Request&) {
    http::Response r = http::Response::Text(200, "player");
    r.headers.Set("content-security-policy", "frame-ancestors *");
    r.headers.Set("X-Frame-Options", "SAMEORIGIN");
    return r;
  }, req);
  EXPECT_EQ(resp.headers.Get("Content-Security-Policy"), "frame-ancestors *");
  EXPECT_EQ(resp.headers.Get("X-Frame-Options"), "SAMEORIGIN");
  int csp_count = 0;
  for (const auto& [k, v] : resp.headers.entries()) csp_count += http::IEquals(k, "Content-Security-Policy");
  EXPECT_EQ(csp_count, 1);
  EXPECT_EQ(resp.headers.Get("X-Content-Type-Options"), "nosniff");
}

TEST(SecurityHeadersTest, HstsOnlyForHttpsPublicUrls) {
  EXPECT_FALSE(SecurityHeadersOptions::ForPublicUrl("http://127.0.0.1:8080").hsts);
  EXPECT_TRUE(SecurityHeadersOptions::ForPublicUrl("https://veza.example").hsts);
  http::Request req = MakeRequest("GET", "/");
  http::Response resp =
      RunChain({SecurityHeaders(SecurityHeadersOptions::ForPublicUrl("https://veza.example"))}, Ok200, req);
  EXPECT_EQ(resp.headers.Get("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
}

// ---- CORS

CorsOptions AppOrigin(bool credentials = true) {
  CorsOptions o;
  o.allowed_origins = {"https://app.veza.example", "http://localhost:5173"};
  o.allow_credentials = credentials;
  return o;
}

TEST(CorsTest, PreflightFromAllowedOriginIsAnswered) {
  http::Request req = MakeRequest("OPTIONS", "/api/v1/tracks");
  req.headers.Set("Origin", "http://localhost:5173");
  req.headers.Set("Access-Control-Request-Method", "PATCH");
  req.headers.Set("Access-Control-Request-Headers", "authorization, content-type");
  bool reached = false;
  http::Response resp = RunChain({Cors(AppOrigin())}, [&](http::Request& r) {
    reached = true;
    return Ok200(r);
  }, req);
  EXPECT_FALSE(reached);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Methods"), "GET, HEAD, POST, PUT, PATCH, DELETE");
  auto allow_headers = resp.headers.Get("Access-Control-Allow-Headers");
  ASSERT_TRUE(allow_headers.has_value());
  EXPECT_NE(allow_headers->find("Authorization"), std::string_view::npos);
  EXPECT_NE(allow_headers->find("Content-Type"), std::string_view::npos);
  EXPECT_EQ(resp.headers.Get("Access-Control-Max-Age"), "600");
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Credentials"), "true");
  auto vary = resp.headers.Get("Vary");
  ASSERT_TRUE(vary.has_value());
  EXPECT_NE(vary->find("Origin"), std::string_view::npos);
}

TEST(CorsTest, PreflightFromOtherOriginOrForOtherMethodGetsNoCorsHeaders) {
  for (auto [origin, method] : {std::pair{"https://evil.example", "GET"},
                                std::pair{"https://app.veza.example.evil.example", "GET"},
                                std::pair{"https://app.veza.example", "TRACE"}}) {
    http::Request req = MakeRequest("OPTIONS", "/api/v1/tracks");
    req.headers.Set("Origin", origin);
    req.headers.Set("Access-Control-Request-Method", method);
    http::Response resp = RunChain({Cors(AppOrigin())}, [](http::Request&) {
      http::Response r = http::Response::Empty(204);
      r.headers.Set("Allow", "GET, HEAD, POST");
      return r;
    }, req);
    EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Methods")) << origin;
    EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Credentials")) << origin;
    EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Origin")) << origin;
    EXPECT_EQ(resp.headers.Get("Allow"), "GET, HEAD, POST");
  }
}

TEST(CorsTest, SimpleRequestsFromAllowedAndOtherOrigins) {
  http::Request ok = MakeRequest("GET", "/api/v1/tracks");
  ok.headers.Set("Origin", "https://app.veza.example");
  http::Response resp = RunChain({Cors(AppOrigin())}, Ok200, ok);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Origin"), "https://app.veza.example");
  EXPECT_EQ(resp.headers.Get("Vary"), "Origin");
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Credentials"), "true");
  auto exposed = resp.headers.Get("Access-Control-Expose-Headers");
  ASSERT_TRUE(exposed.has_value());
  for (const char* h : {"X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining"}) {
    EXPECT_NE(exposed->find(h), std::string_view::npos) << h;
  }

  http::Request bad = MakeRequest("GET", "/api/v1/tracks");
  bad.headers.Set("Origin", "https://evil.example");
  resp = RunChain({Cors(AppOrigin())}, Ok200, bad);
  EXPECT_EQ(resp.status, 200);
  EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Origin"));
  EXPECT_FALSE(resp.headers.Has("Access-Control-Expose-Headers"));
  EXPECT_EQ(resp.headers.Get("Vary"), "Origin");

  http::Request none = MakeRequest("GET", "/api/v1/tracks");
  resp = RunChain({Cors(AppOrigin())}, Ok200, none);
  EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Origin"));
}

TEST(CorsTest, WildcardOnlyWithoutCredentials) {
  CorsOptions any;
  any.allowed_origins = {"*"};
  EXPECT_TRUE(ValidateCorsOptions(any).ok());
  http::Request req = MakeRequest("GET", "/api/v1/tracks");
  req.headers.Set("Origin", "https://anyone.example");
  http::Response resp = RunChain({Cors(any)}, Ok200, req);
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Credentials"));

  any.allow_credentials = true;
  EXPECT_FALSE(ValidateCorsOptions(any).ok());
  http::Request req2 = MakeRequest("GET", "/api/v1/tracks");
  req2.headers.Set("Origin", "https://anyone.example");
  resp = RunChain({Cors(any)}, Ok200, req2);
  EXPECT_FALSE(resp.headers.Has("Access-Control-Allow-Origin"));
}

TEST(CorsTest, ValidatesOrigins) {
  EXPECT_TRUE(ValidateCorsOptions(AppOrigin()).ok());
  for (const char* bad : {"app.veza.example", "https://app.veza.example/", "https://x.example/path", "ftp://x"}) {
    CorsOptions o;
    o.allowed_origins = {bad};
    EXPECT_FALSE(ValidateCorsOptions(o).ok()) << bad;
  }
}

// ---- recover

TEST(RecoverTest, ThrowBecomesGeneric500Envelope) {
  http::Request req = MakeRequest("GET", "/x", "/x");
  http::Response resp = RunChain({RequestId(), Recover()}, [](http::Request&) -> http::Response {
    throw std::runtime_error("SELECT secret FROM /var/lib/veza/db");
  }, req);
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body.find("secret"), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find("/var/lib"), std::string::npos) << resp.body;
  auto body = json::ParseObject(resp.body);
  ASSERT_TRUE(body.ok()) << resp.body;
  const auto& err = body->at("error").as_object();
  EXPECT_EQ(err.at("code").as_string(), "internal_error");
  EXPECT_EQ(err.at("message").as_string(), "Something went wrong on our side.");
  EXPECT_EQ(err.at("request_id").as_string(), req.request_id);
  EXPECT_EQ(resp.headers.Get("X-Request-Id"), req.request_id);
}

TEST(RecoverTest, NonStandardThrowAndPassThrough) {
  http::Request req = MakeRequest("GET", "/x");
  http::Response resp = RunChain({Recover()}, [](http::Request&) -> http::Response { throw 42; }, req);
  EXPECT_EQ(resp.status, 500);
  http::Request fine = MakeRequest("GET", "/x");
  EXPECT_EQ(RunChain({Recover()}, Ok200, fine).status, 200);
}

// ---- whole pipeline

TEST(PipelineTest, RecoveredErrorIsLoggedCountedAndCarriesHeaders) {
  ManualClock clock;
  obs::Registry registry;
  CapturedLog log;
  MemoryRateLimitStore store;
  CorsOptions cors = AppOrigin();
  std::vector<http::Middleware> chain = {RequestId(),       AccessLog(clock, log.Options()),
                                         Metrics(registry, clock), SecurityHeaders(),
                                         Cors(cors),        Recover(),
                                         RateLimit(store, clock)};
  http::Request req = MakeRequest("GET", "/api/v1/boom", "/api/v1/boom");
  req.headers.Set("Origin", "https://app.veza.example");
  http::Response resp =
      RunChain(chain, [](http::Request&) -> http::Response { throw std::logic_error("bug"); }, req);
  EXPECT_EQ(resp.status, 500);
  EXPECT_TRUE(resp.headers.Has("X-Request-Id"));
  EXPECT_TRUE(resp.headers.Has("Content-Security-Policy"));
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Origin"), "https://app.veza.example");
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(ParseLine(log.lines[0]).at("status").as_int64(), 500);
  EXPECT_NE(registry.Render().find("status=\"500\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace veza::middleware
