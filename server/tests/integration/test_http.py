"""The HTTP foundation through the real binary: envelopes, limits, timeouts, shutdown, static files."""

import gzip
import os
import signal
import socket
import threading
import time
import unittest

from harness import ServerTestCase, VezaServer


class ErrorsAndLimits(ServerTestCase):
    flags = ("--set", "http.header_timeout_ms=500")

    def test_unknown_route_is_404_envelope(self):
        r = self.server.get("/api/v1/nothing-here")
        self.assertEnvelope(r, 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        r = self.server.request("DELETE", "/api/v1/instance")
        self.assertEnvelope(r, 405, "method_not_allowed")
        self.assertIn("GET", r.header("allow"))

    def test_malformed_json_is_400_saying_where(self):
        r = self.server.request("POST", "/api/v1/client-errors", body='{"message": "x",\n "url": }',
                                headers={"Content-Type": "application/json"})
        err = self.assertEnvelope(r, 400, "invalid_json")
        self.assertIn("line 2", err["message"])

    def test_wrong_types_and_missing_fields_are_422_with_fields(self):
        r = self.server.request("POST", "/api/v1/client-errors", body={"stack": 5})
        err = self.assertEnvelope(r, 422, "validation_failed")
        self.assertEqual(err["fields"]["message"], "is required")
        self.assertEqual(err["fields"]["stack"], "must be a string")

    def test_valid_client_error_is_accepted_and_logged(self):
        r = self.server.request("POST", "/api/v1/client-errors", body={"message": "chunk failed", "url": "/x"})
        self.assertEqual(r.status, 204)
        time.sleep(0.2)
        self.assertTrue(any(l.get("msg") == "client error" and l.get("message") == "chunk failed"
                            for l in self.server.json_logs()))

    def test_oversized_body_is_413_before_it_is_sent(self):
        # Announce 10 MB but send none of it: the answer must come anyway.
        head = (b"POST /api/v1/client-errors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10000000\r\n\r\n")
        reply = self.server.raw(head, timeout=5)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:200])
        self.assertIn(b'"payload_too_large"', reply)

    def test_oversized_header_is_431(self):
        head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
        reply = self.server.raw(head, timeout=5)
        self.assertTrue(reply.startswith(b"HTTP/1.1 431"), reply[:200])
        self.assertIn(b'"header_too_large"', reply)

    def test_idle_connection_without_full_headers_is_closed_after_timeout(self):
        s = self.server.raw(b"GET /health HTTP/1.1\r\nHost: x\r\n", read=False, timeout=5)
        start = time.monotonic()
        try:
            data = s.recv(1024)  # blocks until the server gives up on us
        except ConnectionResetError:
            data = b""
        elapsed = time.monotonic() - start
        s.close()
        self.assertLess(elapsed, 4.5, "the server kept a slow-loris connection open")
        self.assertFalse(data.startswith(b"HTTP/1.1 200"))

    def test_request_id_is_echoed_or_generated(self):
        r = self.server.get("/health", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(r.header("x-request-id"), "abc-123")
        r = self.server.get("/health", headers={"X-Request-Id": "bad id with spaces"})
        self.assertNotEqual(r.header("x-request-id"), "bad id with spaces")
        self.assertTrue(r.header("x-request-id"))

    def test_security_headers_on_every_response(self):
        for path in ("/health", "/api/v1/nothing"):
            r = self.server.get(path)
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            self.assertIn("frame-ancestors 'none'", r.header("content-security-policy"))
            self.assertTrue(r.header("referrer-policy"))

    def test_head_has_no_body(self):
        r = self.server.request("HEAD", "/api/v1/instance")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = self.server.connection()
        for _ in range(20):
            conn.request("GET", "/health")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            r.read()
        conn.close()


class ManyIdleConnections(ServerTestCase):
    def test_5000_idle_connections_do_not_stop_service(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        idle = []
        try:
            for _ in range(5000):
                s = socket.socket()
                s.setblocking(True)
                s.connect(("127.0.0.1", self.server.port))
                idle.append(s)
            start = time.monotonic()
            r = self.server.get("/health", timeout=10)
            self.assertEqual(r.status, 200)
            self.assertLess(time.monotonic() - start, 5)
            r = self.server.get("/metrics")
            self.assertIn("veza_http_open_connections", r.body.decode())
        finally:
            for s in idle:
                s.close()


class GracefulShutdown(unittest.TestCase):
    def test_sigterm_lets_the_slow_request_finish_then_exits_0(self):
        server = VezaServer().start()
        try:
            result = {}

            def slow():
                result["r"] = server.get("/api/v1/debug/sleep?ms=1500", timeout=15)

            t = threading.Thread(target=slow)
            t.start()
            time.sleep(0.4)
            server.signal(signal.SIGTERM)
            t.join(20)
            self.assertEqual(result["r"].status, 200)
            self.assertEqual(result["r"].json()["slept_ms"], 1500)
            self.assertEqual(server.wait(20), 0)
        finally:
            server.stop()

    def test_new_connections_are_refused_while_draining(self):
        server = VezaServer().start()
        try:
            t = threading.Thread(target=lambda: server.get("/api/v1/debug/sleep?ms=1500", timeout=15))
            t.start()
            time.sleep(0.4)
            server.signal(signal.SIGTERM)
            time.sleep(0.3)
            with self.assertRaises(OSError):
                server.get("/health", timeout=2)
            t.join(20)
            self.assertEqual(server.wait(20), 0)
        finally:
            server.stop()


class RateLimiting(ServerTestCase):
    flags = ("--set", "rate_limit.default.ip_burst=5", "--set", "rate_limit.default.ip_per_second=0.5")

    def test_burst_then_429_with_retry_after(self):
        statuses = [self.server.get("/api/v1/instance").status for _ in range(5)]
        self.assertEqual(statuses, [200] * 5)
        r = self.server.get("/api/v1/instance")
        err = self.assertEnvelope(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.header("retry-after")), 1)
        self.assertIn("retry", err["message"].lower())
        # Liveness is never rate limited: orchestrators must always reach it.
        self.assertEqual(self.server.get("/health").status, 200)


class StaticFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = VezaServer()
        root = cls.server.web_root
        os.makedirs(os.path.join(root, "assets"), exist_ok=True)
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("<!doctype html><title>Veza</title><div id=root></div>")
        cls.js = b"console.log('veza');" * 200
        with open(os.path.join(root, "assets", "index-3f9a8b2c.js"), "wb") as f:
            f.write(cls.js)
        with open(os.path.join(root, "assets", "index-3f9a8b2c.js.gz"), "wb") as f:
            f.write(gzip.compress(cls.js))
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_index_and_spa_fallback(self):
        r = self.server.get("/")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<title>Veza</title>", r.body)
        self.assertTrue(r.header("content-type").startswith("text/html"))
        r = self.server.get("/@someone/some-track")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<title>Veza</title>", r.body)

    def test_unknown_api_path_is_404_for_every_method(self):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            r = self.server.request(method, "/api/v1/no-such-thing", body="{}" if method != "GET" else None)
            self.assertEqual(r.status, 404, method)
            self.assertEqual(r.json()["error"]["code"], "not_found")

    def test_missing_asset_is_404_not_index(self):
        self.assertEqual(self.server.get("/assets/missing-00000000.js").status, 404)

    def test_api_paths_never_fall_back_to_index(self):
        r = self.server.get("/api/v1/unknown")
        self.assertEqual(r.status, 404)
        self.assertTrue(r.header("content-type").startswith("application/json"))

    def test_hashed_assets_are_cached_for_a_year_and_precompressed(self):
        r = self.server.get("/assets/index-3f9a8b2c.js", headers={"Accept-Encoding": "gzip, br"})
        self.assertEqual(r.status, 200)
        self.assertIn("immutable", r.header("cache-control"))
        self.assertEqual(r.header("content-encoding"), "gzip")
        self.assertEqual(gzip.decompress(r.body), self.js)

    def test_range_etag_and_not_modified(self):
        r = self.server.get("/assets/index-3f9a8b2c.js", headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, self.js[10:20])
        etag = self.server.get("/assets/index-3f9a8b2c.js").header("etag")
        r = self.server.get("/assets/index-3f9a8b2c.js", headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304)
        r = self.server.get("/assets/index-3f9a8b2c.js", headers={"Range": "bytes=999999-"})
        self.assertEqual(r.status, 416)

    def test_traversal_is_refused(self):
        for path in ("/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fetc/passwd"):
            r = self.server.get(path)
            self.assertNotIn(b"root:", r.body)
            self.assertIn(r.status, (400, 404))


if __name__ == "__main__":
    unittest.main()
