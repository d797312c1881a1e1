#include "http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace veza::http {
namespace {

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.request_id = "req-1";
  return r;
}

Handler Reply(std::string text) {
  return [text](Request&) { return Response::Text(200, text); };
}

TEST(RouterTest, LiteralBeatsParamBeatsRest) {
  Router router;
  router.Get("/tracks/{id}", Reply("param"));
  router.Get("/tracks/new", Reply("literal"));
  router.Get("/{path...}", Reply("rest"));
  Request a = Req("GET", "/tracks/new");
  EXPECT_EQ(router.Handle(a).body, "literal");
  Request b = Req("GET", "/tracks/42");
  EXPECT_EQ(router.Handle(b).body, "param");
  EXPECT_EQ(b.Param("id"), "42");
  EXPECT_EQ(b.route, "/tracks/{id}");
  Request c = Req("GET", "/tracks/42/extra");
  EXPECT_EQ(router.Handle(c).body, "rest");
  EXPECT_EQ(c.Param("path"), "tracks/42/extra");
}

TEST(RouterTest, FallbackServesUnmatchedGetsWithoutCausing405) {
  Router router;
  router.Get("/api/v1/instance", Reply("instance"));
  router.SetFallback("/{path...}", Reply("web"), {.io_thread = true});
  Request page = Req("GET", "/@someone/track-1");
  EXPECT_EQ(router.Handle(page).body, "web");
  EXPECT_EQ(page.route, "/{path...}");
  Request head = Req("HEAD", "/settings");
  EXPECT_EQ(router.Handle(head).status, 200);
  Request post = Req("POST", "/api/v1/nothing");
  EXPECT_EQ(router.Handle(post).status, 404) << "an unknown API path is not found for every method";
  Request wrong = Req("DELETE", "/api/v1/instance");
  Response r = router.Handle(wrong);
  EXPECT_EQ(r.status, 405) << "a known path keeps its 405";
  EXPECT_EQ(r.headers.Get("Allow"), "GET, HEAD");
}

TEST(RouterTest, BacktracksFromLiteralToParam) {
  Router router;
  router.Get("/tracks/new", Reply("literal"));
  router.Get("/tracks/{id}/likes", Reply("likes"));
  Request r = Req("GET", "/tracks/new/likes");
  EXPECT_EQ(router.Handle(r).body, "likes");
  EXPECT_EQ(r.Param("id"), "new");
}

TEST(RouterTest, ParamNamesPerRoute) {
  Router router;
  router.Get("/users/{id}", Reply("get"));
  router.Delete("/users/{user_id}", Reply("del"));
  Request g = Req("GET", "/users/7");
  router.Handle(g);
  EXPECT_EQ(g.Param("id"), "7");
  Request d = Req("DELETE", "/users/8");
  EXPECT_EQ(router.Handle(d).body, "del");
  EXPECT_EQ(d.Param("user_id"), "8");
  EXPECT_EQ(d.Param("id"), "");
}

TEST(RouterTest, RestMatchesEmptyAndRoot) {
  Router router;
  router.Get("/{path...}", Reply("rest"));
  Request r = Req("GET", "/");
  EXPECT_EQ(router.Handle(r).body, "rest");
  EXPECT_EQ(r.Param("path"), "");
  Request s = Req("GET", "/assets/");
  EXPECT_EQ(router.Handle(s).body, "rest");
  EXPECT_EQ(s.Param("path"), "assets/");
}

TEST(RouterTest, ParamDoesNotMatchEmptySegment) {
  Router router;
  router.Get("/tracks/{id}", Reply("param"));
  Request r = Req("GET", "/tracks/");
  EXPECT_EQ(router.Handle(r).status, 404);
}

TEST(RouterTest, NotFoundEnvelope) {
  Router router;
  router.Get("/a", Reply("a"));
  Request r = Req("GET", "/b");
  Response resp = router.Handle(r);
  EXPECT_EQ(resp.status, 404);
  EXPECT_NE(resp.body.find("\"code\":\"not_found\""), std::string::npos);
  EXPECT_NE(resp.body.find("\"request_id\":\"req-1\""), std::string::npos);
  EXPECT_EQ(r.route, "unmatched");
}

TEST(RouterTest, MethodNotAllowedWithAllow) {
  Router router;
  router.Get("/items/{id}", Reply("get"));
  router.Put("/items/{id}", Reply("put"));
  Request r = Req("POST", "/items/1");
  Response resp = router.Handle(r);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.Get("Allow").value_or(""), "GET, HEAD, PUT");
  EXPECT_NE(resp.body.find("method_not_allowed"), std::string::npos);
  EXPECT_EQ(r.route, "/items/{id}");
}

TEST(RouterTest, MethodFoundOnLowerPriorityNodeWins) {
  Router router;
  router.Post("/tracks/new", Reply("post-new"));
  router.Get("/tracks/{id}", Reply("get-id"));
  Request r = Req("GET", "/tracks/new");
  EXPECT_EQ(router.Handle(r).body, "get-id");
  Request p = Req("PUT", "/tracks/new");
  Response resp = router.Handle(p);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.Get("Allow").value_or(""), "POST");
}

TEST(RouterTest, HeadUsesGet) {
  Router router;
  router.Get("/x", Reply("x"));
  Request r = Req("HEAD", "/x");
  EXPECT_EQ(router.Handle(r).body, "x");
  EXPECT_EQ(router.Match("HEAD", "/x").kind, RouteMatch::Kind::kFound);
}

TEST(RouterTest, OptionsAnswers204WithAllow) {
  Router router;
  router.Get("/x", Reply("x"));
  router.Post("/x", Reply("x"));
  RouteMatch m = router.Match("OPTIONS", "/x");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kOptions);
  Request r = Req("OPTIONS", "/x");
  Response resp = router.Handle(r);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(resp.headers.Get("Allow").value_or(""), "GET, HEAD, POST");
  Request u = Req("OPTIONS", "/nope");
  EXPECT_EQ(router.Handle(u).status, 404);
}

TEST(RouterTest, MiddlewareOrderAndWrapsErrors) {
  Router router;
  std::string trace;
  router.Use([&](Request& req, const Handler& next) {
    trace += "a";
    Response r = next(req);
    trace += "A";
    r.headers.Set("X-Outer", "1");
    return r;
  });
  router.Use([&](Request& req, const Handler& next) {
    trace += "b";
    Response r = next(req);
    trace += "B";
    return r;
  });
  router.Get("/x", [&](Request&) {
    trace += "h";
    return Response::Empty(204);
  });
  Request r = Req("GET", "/x");
  router.Handle(r);
  EXPECT_EQ(trace, "abhBA");
  trace.clear();
  Request nf = Req("GET", "/missing");
  Response resp = router.Handle(nf);
  EXPECT_EQ(trace, "abBA");
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.Get("X-Outer").value_or(""), "1");
}

TEST(RouterTest, MiddlewareCanShortCircuitOptions) {
  Router router;
  router.Use([](Request& req, const Handler& next) {
    if (req.method == "OPTIONS") return Response::Empty(200);
    return next(req);
  });
  router.Get("/x", Reply("x"));
  Request r = Req("OPTIONS", "/x");
  EXPECT_EQ(router.Handle(r).status, 200);
}

TEST(RouterTest, HandlerExceptionBecomes500WithoutDetail) {
  Router router;
  router.Get("/boom", [](Request&) -> Response { throw std::runtime_error("secret sql text"); });
  Request r = Req("GET", "/boom");
  Response resp = router.Handle(r);
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.body.find("secret"), std::string::npos);
  EXPECT_NE(resp.body.find("internal_error"), std::string::npos);
}

TEST(RouterTest, RouteClassAndOptions) {
  Router router;
  RouteOptions opts;
  opts.rate_class = "auth";
  opts.max_body_bytes = 10;
  router.Post("/login", Reply("ok"), opts);
  RouteMatch m = router.Match("POST", "/login");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->options.max_body_bytes, 10u);
  Request r = Req("POST", "/login");
  router.Dispatch(r, m);
  EXPECT_EQ(r.route_class, "auth");
}

TEST(RouterTest, WebSocketRouteIsGetWithHandler) {
  struct Echo : WsHandler {
    void OnMessage(const std::shared_ptr<WsConnection>& c, std::string_view t) override { c->Send(std::string(t)); }
  };
  Router router;
  router.AddWebSocket("/ws", std::make_shared<Echo>());
  RouteMatch m = router.Match("GET", "/ws");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  ASSERT_TRUE(m.route->websocket);
  Request r = Req("GET", "/ws");
  EXPECT_EQ(router.Dispatch(r, m).status, 101);
}

TEST(RouterTest, DuplicateRouteThrows) {
  Router router;
  router.Get("/a/{id}", Reply("1"));
  EXPECT_THROW(router.Get("/a/{other}", Reply("2")), std::invalid_argument);
  EXPECT_THROW(router.Get("/a/{rest...}/b", Reply("3")), std::invalid_argument);
}

}  // namespace
}  // namespace veza::http
