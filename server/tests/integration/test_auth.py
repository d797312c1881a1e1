"""Registration, sign-in, tokens, sessions, cookies and brute-force protection over HTTP."""

import time
import unittest

from auth_helpers import JWT_SECRET, PASSWORD, IdentityTestCase, b64url, jwt_claims, make_jwt


class FirstAccount(IdentityTestCase):
    def test_first_account_is_admin_then_users(self):
        first = self.register("firstone", display_name="First One")
        self.assertEqual(first["user"]["role"], "admin")
        self.assertEqual(first["user"]["display_name"], "First One")
        self.assertEqual(first["token_type"], "Bearer")
        self.assertEqual(first["expires_in"], 900)
        self.assertEqual(len(first["refresh_token"]), 43)
        claims = jwt_claims(first["access_token"])
        self.assertEqual(set(claims), {"sub", "sid", "role", "iat", "exp", "jti"})
        self.assertEqual(claims["exp"] - claims["iat"], 900)
        self.assertEqual(claims["sub"], first["user"]["id"])
        second = self.register("secondone")
        self.assertEqual(second["user"]["role"], "user")


class Register(IdentityTestCase):
    def test_duplicates_in_any_case_are_409(self):
        self.register("dupcase")
        r = self.server.request("POST", "/api/v1/auth/register",
                                body={"email": "DUPCASE@Example.COM", "username": "other1", "password": PASSWORD})
        err = self.assertEnvelope(r, 409, "email_taken")
        self.assertIn("email", err["fields"])
        r = self.server.request("POST", "/api/v1/auth/register",
                                body={"email": "x1@example.com", "username": "DupCase", "password": PASSWORD})
        err = self.assertEnvelope(r, 409, "username_taken")
        self.assertIn("username", err["fields"])

    def test_weak_and_common_passwords_name_the_rule(self):
        r = self.server.request("POST", "/api/v1/auth/register",
                                body={"email": "w1@example.com", "username": "weak1", "password": "short"})
        err = self.assertEnvelope(r, 422)
        self.assertIn("at least 10 characters", err["fields"]["password"])
        r = self.server.request("POST", "/api/v1/auth/register",
                                body={"email": "w2@example.com", "username": "weak2", "password": "Password123"})
        err = self.assertEnvelope(r, 422)
        self.assertIn("too common", err["fields"]["password"])
        self.assertIn("too common", err["message"])

    def test_bad_fields(self):
        cases = [
            ({"email": "not-an-email", "username": "gooduser", "password": PASSWORD}, "email"),
            ({"email": "r@example.com", "username": "admin", "password": PASSWORD}, "username"),
            ({"email": "r@example.com", "username": "ab", "password": PASSWORD}, "username"),
            ({"email": "r@example.com", "username": "bad name", "password": PASSWORD}, "username"),
            ({"email": "r@example.com", "username": "x" * 31, "password": PASSWORD}, "username"),
            ({"email": "r@example.com", "username": "gooduser", "password": PASSWORD, "display_name": "d" * 51},
             "display_name"),
            ({"email": "a" * 250 + "@example.com", "username": "gooduser", "password": PASSWORD}, "email"),
            ({"username": "gooduser", "password": PASSWORD}, "email"),
            ({"email": "r@example.com", "username": "gooduser", "password": PASSWORD, "session": "jar"}, "session"),
        ]
        for body, field in cases:
            r = self.server.request("POST", "/api/v1/auth/register", body=body)
            err = self.assertEnvelope(r, 422)
            self.assertIn(field, err["fields"], (body, err))
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/register", body="{nope",
                                                headers={"Content-Type": "application/json"}), 400)


class Login(IdentityTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.request("POST", "/api/v1/auth/register",
                           body={"email": "lena@example.com", "username": "lena", "password": PASSWORD})

    def test_uniform_401_for_unknown_account_and_wrong_password(self):
        wrong = self.login("lena", "wrong-password-123", ip="10.1.0.1")
        unknown = self.login("nobody-here", "wrong-password-123", ip="10.1.0.1")
        e1 = self.assertEnvelope(wrong, 401, "invalid_credentials")
        e2 = self.assertEnvelope(unknown, 401, "invalid_credentials")
        self.assertEqual(e1["message"], e2["message"])
        self.assertEqual(set(e1), set(e2))

    def test_login_by_email_or_username_any_case(self):
        for login in ("lena", "LENA", "Lena@Example.com"):
            r = self.login(login, ip="10.1.0.2")
            self.assertEqual(r.status, 200, r.body)
            doc = r.json()
            self.assertEqual(doc["user"]["username"], "lena")
            self.assertEqual(doc["user"]["email"], "lena@example.com")
            self.assertIn("refresh_token", doc)
            self.assertEqual(r.header("cache-control"), "no-store")

    def test_protected_routes_need_a_token(self):
        for method, path in (("GET", "/api/v1/users/me"), ("GET", "/api/v1/auth/sessions"),
                             ("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/stream-token")):
            self.assertEnvelope(self.server.request(method, path), 401)


class AccessTokens(IdentityTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.request("POST", "/api/v1/auth/register",
                               body={"email": "tok@example.com", "username": "tok", "password": PASSWORD})
        cls.doc = r.json()

    def me(self, token):
        return self.authed("GET", "/api/v1/users/me", token)

    def test_valid_token(self):
        r = self.me(self.doc["access_token"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["username"], "tok")

    def test_alg_none_wrong_signature_expired_and_garbage_are_401(self):
        claims = jwt_claims(self.doc["access_token"])
        none_token = b64url('{"alg":"none","typ":"JWT"}') + "." + b64url(__import__("json").dumps(claims)) + "."
        hs512 = make_jwt(claims, header={"alg": "HS512", "typ": "JWT"})
        wrong_sig = make_jwt(claims, secret="not-the-secret")
        now = int(time.time())
        expired = make_jwt(dict(claims, iat=now - 1000, exp=now - 10))
        for token in (none_token, hs512, wrong_sig, expired, "garbage", self.doc["access_token"] + "x"):
            r = self.me(token)
            self.assertEnvelope(r, 401)
            self.assertIn("Bearer", r.header("www-authenticate"))
        self.assertEqual(self.me(expired).json()["error"]["code"], "token_expired")
        # A well-signed token for a session that does not exist is refused too.
        forged = make_jwt(dict(claims, sid="12345", iat=now, exp=now + 600))
        self.assertEnvelope(self.me(forged), 401, "session_ended")
        self.assertEqual(self.me(make_jwt(dict(claims, iat=now, exp=now + 600))).status, 200)
        r = self.server.request("GET", "/api/v1/users/me", headers={"Authorization": "Basic abc"})
        self.assertEnvelope(r, 401)


class RefreshAndSessions(IdentityTestCase):
    def test_rotation_and_reuse_revokes_the_session(self):
        doc = self.register("rota")
        r1 = self.server.request("POST", "/api/v1/auth/refresh", body={"refresh_token": doc["refresh_token"]})
        self.assertEqual(r1.status, 200, r1.body)
        t1 = r1.json()
        self.assertNotEqual(t1["refresh_token"], doc["refresh_token"])
        self.assertEqual(self.authed("GET", "/api/v1/users/me", t1["access_token"]).status, 200)
        r2 = self.server.request("POST", "/api/v1/auth/refresh", body={"refresh_token": t1["refresh_token"]})
        self.assertEqual(r2.status, 200)
        t2 = r2.json()
        reuse = self.server.request("POST", "/api/v1/auth/refresh", body={"refresh_token": doc["refresh_token"]})
        self.assertEnvelope(reuse, 401, "refresh_token_reused")
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/refresh",
                                                body={"refresh_token": t2["refresh_token"]}), 401)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", t2["access_token"]), 401, "session_ended")
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/refresh",
                                                body={"refresh_token": "x" * 43}), 401)
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/refresh", body={}), 401)

    def test_sessions_list_end_one_logout_and_logout_all(self):
        self.register("sess")
        firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
        iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                  "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
        a = self.server.request("POST", "/api/v1/auth/login", body={"login": "sess", "password": PASSWORD},
                                headers={"User-Agent": firefox, "X-Forwarded-For": "203.0.113.7"}).json()
        b = self.server.request("POST", "/api/v1/auth/login", body={"login": "sess", "password": PASSWORD},
                                headers={"User-Agent": iphone}).json()
        r = self.authed("GET", "/api/v1/auth/sessions", a["access_token"])
        self.assertEqual(r.status, 200, r.body)
        items = r.json()["items"]
        self.assertEqual(len(items), 3)
        mine = [s for s in items if s["current"]]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["id"], a["session_id"])
        self.assertEqual((mine[0]["browser"], mine[0]["os"], mine[0]["device"]), ("Firefox", "Linux", "desktop"))
        self.assertEqual(mine[0]["ip"], "203.0.113.7")
        other = [s for s in items if s["id"] == b["session_id"]][0]
        self.assertEqual((other["browser"], other["os"], other["device"]), ("Safari", "iOS", "mobile"))
        for key in ("created_at", "last_seen_at", "expires_at"):
            self.assertRegex(other[key], r"^\d{4}-\d\d-\d\dT")

        # Ending B stops its access token at once, not at expiry.
        self.assertEqual(self.authed("DELETE", "/api/v1/auth/sessions/" + b["session_id"], a["access_token"]).status, 204)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", b["access_token"]), 401, "session_ended")
        self.assertEnvelope(self.authed("DELETE", "/api/v1/auth/sessions/" + b["session_id"], a["access_token"]), 404)
        self.assertEnvelope(self.authed("DELETE", "/api/v1/auth/sessions/abc", a["access_token"]), 404)
        # Someone else's session is 404 too.
        stranger = self.register("stranger")
        self.assertEnvelope(self.authed("DELETE", "/api/v1/auth/sessions/" + a["session_id"],
                                        stranger["access_token"]), 404)

        self.assertEqual(self.authed("POST", "/api/v1/auth/logout", a["access_token"]).status, 204)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", a["access_token"]), 401)
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/refresh",
                                                body={"refresh_token": a["refresh_token"]}), 401, "session_ended")

        c = self.login("sess").json()
        d = self.login("sess").json()
        self.assertEqual(self.authed("POST", "/api/v1/auth/logout-all", c["access_token"]).status, 204)
        for t in (c, d):
            self.assertEnvelope(self.authed("GET", "/api/v1/users/me", t["access_token"]), 401)


class CookieSessions(IdentityTestCase):
    def cookie_of(self, response):
        header = response.header("set-cookie")
        self.assertIsNotNone(header)
        return header

    def test_cookie_mode_flags_csrf_and_tampering(self):
        self.register("crumb")
        r = self.login("crumb", session="cookie")
        self.assertEqual(r.status, 200, r.body)
        self.assertNotIn("refresh_token", r.json())
        cookie = self.cookie_of(r)
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age="):
            self.assertIn(attr, cookie)
        self.assertNotIn("Secure", cookie)  # the test server's public URL is http
        value = cookie.split(";")[0]
        self.assertTrue(value.startswith("veza_refresh="))

        no_header = self.server.request("POST", "/api/v1/auth/refresh", headers={"Cookie": value})
        self.assertEnvelope(no_header, 403, "csrf_header_missing")
        ok = self.server.request("POST", "/api/v1/auth/refresh",
                                 headers={"Cookie": "theme=dark; " + value, "X-Requested-With": "veza"})
        self.assertEqual(ok.status, 200, ok.body)
        self.assertNotIn("refresh_token", ok.json())
        new_value = self.cookie_of(ok).split(";")[0]
        self.assertNotEqual(new_value, value)

        tampered = new_value[:-3] + ("AAA" if not new_value.endswith("AAA") else "BBB")
        bad = self.server.request("POST", "/api/v1/auth/refresh",
                                  headers={"Cookie": tampered, "X-Requested-With": "veza"})
        self.assertEnvelope(bad, 401)
        self.assertIn("Max-Age=0", self.cookie_of(bad))
        # The real cookie still works after the tampered one was refused.
        again = self.server.request("POST", "/api/v1/auth/refresh",
                                    headers={"Cookie": new_value, "X-Requested-With": "veza"})
        self.assertEqual(again.status, 200)

    def test_register_in_cookie_mode(self):
        r = self.server.request("POST", "/api/v1/auth/register",
                                body={"email": "jar@example.com", "username": "jar", "password": PASSWORD,
                                      "session": "cookie"})
        self.assertEqual(r.status, 201)
        self.assertNotIn("refresh_token", r.json())
        self.assertIn("HttpOnly", self.cookie_of(r))


class BruteForce(IdentityTestCase):
    def test_twenty_failures_from_several_ips_slow_only_that_account(self):
        self.register("target")
        self.register("bystander")
        statuses = []
        for i in range(20):
            r = self.login("target", "wrong-password-000", ip=f"198.51.100.{i % 5 + 1}")
            statuses.append(r.status)
        self.assertEqual(statuses[:5], [401] * 5)
        self.assertIn(429, statuses)
        blocked = self.login("target", PASSWORD, ip="198.51.100.200")
        self.assertEnvelope(blocked, 429, "too_many_attempts")
        self.assertGreaterEqual(int(blocked.header("retry-after")), 1)
        # Others keep signing in, from the attackers' IPs too.
        for i in range(5):
            self.assertEqual(self.login("bystander", ip=f"198.51.100.{i + 1}").status, 200)
        # An unknown account named the same way is delayed identically (no account enumeration).
        for i in range(6):
            self.login("ghost-account", "wrong-password-000", ip="198.51.100.9")
        self.assertEqual(self.login("ghost-account", "wrong-password-000", ip="198.51.100.9").status, 429)


class StreamTokens(IdentityTestCase):
    def test_issue_and_validate_scope(self):
        doc = self.register("streamer")
        for scope in ("track:123", "live:9", "ws"):
            r = self.authed("POST", "/api/v1/auth/stream-token", doc["access_token"], body={"scope": scope})
            self.assertEqual(r.status, 200, r.body)
            out = r.json()
            self.assertEqual(out["scope"], scope)
            self.assertTrue(out["token"].startswith("v1."))
            self.assertRegex(out["expires_at"], r"^\d{4}-")
        for scope in ("track:", "everything", "track:abc"):
            r = self.authed("POST", "/api/v1/auth/stream-token", doc["access_token"], body={"scope": scope})
            self.assertEnvelope(r, 422)


if __name__ == "__main__":
    unittest.main()
