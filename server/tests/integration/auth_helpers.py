"""Helpers shared by the identity integration tests: a server with cheap Argon2id and roomy auth rate
limits, sign-up/sign-in shortcuts, the `veza admin` CLI on the server's database, JWT crafting and a
minimal SMTP sink on loopback."""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import threading
import time

from harness import BIN, ENGINE, PG_URL, ServerTestCase, with_database

JWT_SECRET = "integration-jwt-secret-0123456789abcdef"
PASSWORD = "tangerine-koala-88"

FAST_FLAGS = ("--set", "auth.argon2_ops=1", "--set", "auth.argon2_mem_kib=8192",
              "--set", "rate_limit.auth.ip_burst=10000", "--set", "rate_limit.auth.ip_per_second=1000",
              "--set", "rate_limit.auth.user_burst=10000", "--set", "rate_limit.auth.user_per_second=1000",
              "--set", "http.trusted_proxies=127.0.0.1")


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(claims, secret=JWT_SECRET, header=None):
    header = header or {"alg": "HS256", "typ": "JWT"}
    signing_input = b64url(json.dumps(header)) + "." + b64url(json.dumps(claims))
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def jwt_claims(token):
    return json.loads(b64url_decode(token.split(".")[1]))


class IdentityTestCase(ServerTestCase):
    flags = FAST_FLAGS
    env = {"VEZA_SECRETS_JWT": JWT_SECRET}

    def register(self, name, password=PASSWORD, **extra):
        body = {"email": f"{name}@example.com", "username": name, "password": password}
        body.update(extra)
        r = self.server.request("POST", "/api/v1/auth/register", body=body)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def login(self, login, password=PASSWORD, ip=None, **extra):
        headers = {"X-Forwarded-For": ip} if ip else {}
        body = {"login": login, "password": password}
        body.update(extra)
        return self.server.request("POST", "/api/v1/auth/login", body=body, headers=headers)

    def authed(self, method, path, token, body=None, headers=None):
        h = {"Authorization": "Bearer " + token}
        h.update(headers or {})
        return self.server.request(method, path, body=body, headers=h)


def database_url(server):
    if server.database_url:
        return server.database_url
    if ENGINE == "postgres":
        return with_database(PG_URL, server.pg_database)
    return "sqlite:" + os.path.join(server.data_dir, "veza.db")


def admin(server, *args, extra=()):
    """Runs `veza admin …` on the server's database; returns (exit code, stdout, stderr)."""
    cmd = [BIN, "admin", *args, "--data", server.data_dir, "--database", database_url(server),
           "--set", "auth.argon2_ops=1", "--set", "auth.argon2_mem_kib=8192", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def outbox_entries(server):
    code, out, err = admin(server, "outbox", "--limit", "200")
    assert code == 0, err
    rows = []
    for line in out.splitlines()[1:]:
        parts = line.split("\t")
        rows.append({"id": parts[0], "status": parts[2], "to": parts[4], "subject": parts[5]})
    return rows


def outbox_text(server, entry_id):
    code, out, err = admin(server, "outbox", "--show", entry_id)
    assert code == 0, err
    return out


def token_from_text(text):
    start = text.index("token=") + len("token=")
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "-_"):
        end += 1
    return text[start:end]


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 (no TLS, no AUTH) that keeps every message it receives."""

    def __init__(self):
        self.messages = []  # (mail_from, [rcpt], data bytes)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        conn.settimeout(10)
        f = conn.makefile("rb")

        def send(line):
            conn.sendall(line.encode() + b"\r\n")

        send("220 sink.test ESMTP")
        mail_from, rcpts = None, []
        try:
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.decode("ascii", "replace").strip()
                upper = cmd.upper()
                if upper.startswith("EHLO") or upper.startswith("HELO"):
                    conn.sendall(b"250-sink.test\r\n250 8BITMIME\r\n")
                elif upper.startswith("MAIL FROM:"):
                    mail_from, rcpts = cmd[10:].strip(), []
                    send("250 OK")
                elif upper.startswith("RCPT TO:"):
                    rcpts.append(cmd[8:].strip())
                    send("250 OK")
                elif upper == "DATA":
                    send("354 End data with <CR><LF>.<CR><LF>")
                    data = []
                    while True:
                        l = f.readline()
                        if l in (b".\r\n", b".\n", b""):
                            break
                        data.append(l[1:] if l.startswith(b"..") else l)
                    self.messages.append((mail_from, rcpts, b"".join(data)))
                    send("250 OK queued")
                elif upper == "QUIT":
                    send("221 Bye")
                    return
                elif upper in ("RSET", "NOOP"):
                    send("250 OK")
                else:
                    send("502 Command not implemented")
        finally:
            conn.close()

    def wait_for(self, count, timeout=10):
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.05)
        return self.messages
