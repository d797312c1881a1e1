"""Boots the real `veza` binary on a free loopback port with a temporary data directory and talks
HTTP to it. The engine comes from VEZA_TEST_ENGINE (sqlite | postgres); PostgreSQL tests get a fresh
database on the throwaway cluster at VEZA_TEST_PG_URL."""

import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

BIN = os.environ.get("VEZA_BIN", "build/test/veza")
ENGINE = os.environ.get("VEZA_TEST_ENGINE", "sqlite")
PG_URL = os.environ.get("VEZA_TEST_PG_URL", "")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True, timeout=30)


def with_database(url, name):
    return re.sub(r"/[^/?]*(\?.*)?$", "/" + name, url)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())


class VezaServer:
    def __init__(self, flags=(), env=None, database_url=None, web_root=None):
        self.flags = list(flags)
        self.env = dict(env or {})
        self.data_dir = tempfile.mkdtemp(prefix="veza-it-")
        self.database_url = database_url
        self.pg_database = None
        self.web_root = web_root or os.path.join(self.data_dir, "web")
        self.proc = None
        self.port = None
        self.log_lines = []
        self._log_lock = threading.Lock()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _database(self):
        if self.database_url:
            return self.database_url
        if ENGINE == "postgres":
            if not PG_URL:
                raise RuntimeError("VEZA_TEST_PG_URL is not set: PostgreSQL integration tests need the cluster "
                                   "that scripts/test starts")
            self.pg_database = "veza_it_" + secrets.token_hex(6)
            psql(PG_URL, f"CREATE DATABASE {self.pg_database}")
            return with_database(PG_URL, self.pg_database)
        return "sqlite:" + os.path.join(self.data_dir, "veza.db")

    def start(self, timeout=30):
        os.makedirs(self.web_root, exist_ok=True)
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", "--data", self.data_dir, "--database", self._database(),
               "--web-root", self.web_root, "--log-format", "json", "--set", "debug.routes=true"] + self.flags
        env = dict(os.environ)
        env.update(self.env)
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                                     preexec_fn=raise_fd_limit)
        ready = threading.Event()

        def pump():
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                with self._log_lock:
                    self.log_lines.append(line)
                if self.port is None and "veza is serving" in line:
                    try:
                        self.port = int(json.loads(line)["url"].rsplit(":", 1)[1])
                    except (ValueError, KeyError):
                        pass
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + timeout
        while not ready.wait(0.05):
            if self.proc.poll() is not None or time.time() > deadline:
                self.kill()
                raise RuntimeError("veza did not start:\n" + "\n".join(self.log_lines[-40:]))
        return self

    def logs(self):
        with self._log_lock:
            return list(self.log_lines)

    def json_logs(self):
        out = []
        for line in self.logs():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=30):
        return self.proc.wait(timeout=timeout)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        elif self.proc:
            code = self.proc.returncode
        if self.pg_database:
            try:
                psql(PG_URL, f"DROP DATABASE IF EXISTS {self.pg_database} WITH (FORCE)")
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return code

    # HTTP helpers
    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = self.connection(timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def raw(self, payload, timeout=5, read=True):
        """Sends raw bytes and returns whatever the server answers before closing (or the timeout)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(payload)
            if not read:
                return s
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks):
                    head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                    m = re.search(rb"content-length: *(\d+)", head, re.I)
                    if m and len(rest) >= int(m.group(1)):
                        break
            return b"".join(chunks)
        finally:
            if read:
                s.close()


class ServerTestCase(unittest.TestCase):
    """One server per test class; tests must not depend on each other's state."""

    flags = ()
    env = {}

    @classmethod
    def setUpClass(cls):
        cls.server = VezaServer(flags=cls.flags, env=cls.env).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assertEnvelope(self, response, status, code=None):
        self.assertEqual(response.status, status, response.body[:500])
        self.assertTrue(response.header("content-type").startswith("application/json"))
        err = response.json()["error"]
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"])
        self.assertTrue(err["request_id"])
        if code:
            self.assertEqual(err["code"], code)
        return err
