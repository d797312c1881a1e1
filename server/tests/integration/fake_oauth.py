"""A small OAuth 2.0 / OpenID Connect provider on 127.0.0.1 for tests, speaking the real protocol:
the authorize endpoint redirects the browser back with code+state (or error=access_denied), the token
endpoint checks client credentials (HTTP Basic or body), redirect_uri and the PKCE S256 code_verifier and
refuses a code used twice, and the userinfo endpoint wants the bearer token it issued."""

import base64
import hashlib
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeProvider:
    def __init__(self, client_id="veza-client", client_secret="s3cret:with/odd&chars", basic_auth=True):
        self.client_id = client_id
        self.client_secret = client_secret
        self.basic_auth = basic_auth
        self.users = {}           # login → userinfo document
        self.next_login = None    # who "signs in" at the next authorize; None denies consent
        self.codes = {}           # code → grant
        self.tokens = {}          # access token → login
        self.token_requests = []  # (outcome, form) for assertions
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/authorize":
                    return provider._authorize(self, dict(urllib.parse.parse_qsl(url.query)))
                if url.path == "/userinfo":
                    auth = self.headers.get("Authorization", "")
                    with provider.lock:
                        login = provider.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                    if login is None:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.users[login])
                self._json(404, {"error": "not_found"})

            def do_POST(self):
                if urllib.parse.urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, doc = provider._token(self.headers.get("Authorization", ""), form)
                self._json(status, doc)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def settings(self, name):
        """`--set` flags configuring this provider as `name` on the server."""
        values = {"client_id": self.client_id, "client_secret": self.client_secret,
                  "authorize_url": self.base + "/authorize", "token_url": self.base + "/token",
                  "userinfo_url": self.base + "/userinfo", "scopes": "openid email profile",
                  "token_auth": "basic" if self.basic_auth else "body"}
        flags = []
        for k, v in values.items():
            flags += ["--set", f"oauth.{name}.{k}={v}"]
        return flags

    def add_user(self, login, sub, email, email_verified=True, name="", preferred_username=""):
        self.users[login] = {"sub": sub, "email": email, "email_verified": email_verified, "name": name,
                             "preferred_username": preferred_username or login}

    # Endpoints

    def _authorize(self, handler, q):
        redirect = q.get("redirect_uri", "")
        if (q.get("response_type") != "code" or q.get("client_id") != self.client_id or not redirect
                or q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43):
            return handler._json(400, {"error": "invalid_request"})
        if self.next_login is None:
            params = {"error": "access_denied", "state": q.get("state", "")}
        else:
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.codes[code] = {"login": self.next_login, "challenge": q["code_challenge"],
                                    "redirect_uri": redirect, "used": False}
            params = {"code": code, "state": q.get("state", "")}
        handler.send_response(302)
        handler.send_header("Location", redirect + "?" + urllib.parse.urlencode(params))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _client_ok(self, authorization, form):
        if self.basic_auth:
            if not authorization.startswith("Basic "):
                return False
            raw = base64.b64decode(authorization[6:]).decode()
            cid, _, secret = raw.partition(":")
            return (urllib.parse.unquote_plus(cid) == self.client_id
                    and urllib.parse.unquote_plus(secret) == self.client_secret)
        return form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret

    def _token(self, authorization, form):
        def refuse(reason, status=400):
            self.token_requests.append((reason, form))
            return status, {"error": reason}

        if not self._client_ok(authorization, form):
            return refuse("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type")
        with self.lock:
            grant = self.codes.get(form.get("code", ""))
            if grant is None or grant["used"]:
                return refuse("invalid_grant")
            grant["used"] = True  # codes are single use (RFC 6749 §4.1.2)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return refuse("invalid_grant")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return refuse("invalid_grant")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = grant["login"]
        self.token_requests.append(("ok", form))
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email"}
