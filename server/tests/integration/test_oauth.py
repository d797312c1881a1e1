"""OAuth 2.0 / OIDC sign-in and linking against a fake provider on loopback that speaks the real
protocol (authorize redirect, token endpoint with client auth and PKCE, userinfo with bearer)."""

import http.client
import time
import unittest
import urllib.parse

from auth_helpers import FAST_FLAGS, IdentityTestCase, outbox_entries, outbox_text, token_from_text
from fake_oauth import FakeProvider
from test_totp import totp

PUBLIC_URL = "http://127.0.0.1:8080"


class OAuthTestCase(IdentityTestCase):
    """One fake provider configured twice (idp: HTTP Basic client auth; idp2: credentials in the body)."""

    extra_flags = ("--set", "net.allow_private_addresses=true")

    @classmethod
    def setUpClass(cls):
        cls.idp = FakeProvider().__enter__()
        cls.idp2 = FakeProvider(client_id="veza-two", client_secret="two", basic_auth=False).__enter__()
        # Two providers, one directory of people: the same sub is a different identity per provider.
        cls.idp2.users = cls.idp.users
        cls.flags = FAST_FLAGS + tuple(cls.idp.settings("idp")) + tuple(cls.idp2.settings("idp2")) + (
            "--set", "oauth.spotify.client_id=spotify-id", "--set", "oauth.spotify.client_secret=spotify-secret",
            "--set", "public_url=" + PUBLIC_URL) + cls.extra_flags
        try:
            super().setUpClass()
        except Exception:
            cls.idp.__exit__(None, None, None)
            cls.idp2.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.idp.__exit__(None, None, None)
        cls.idp2.__exit__(None, None, None)

    # The browser's part of the dance.

    def start(self, provider="idp", token=None, redirect=None):
        path = f"/api/v1/auth/oauth/{provider}/start"
        if redirect:
            path += "?redirect=" + urllib.parse.quote(redirect)
        headers = {"Authorization": "Bearer " + token} if token else {}
        r = self.server.get(path, headers=headers)
        self.assertEqual(r.status, 302, r.body)
        cookie = r.header("set-cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        return r.header("location"), cookie.split(";")[0].split("=", 1)[1]

    def visit_provider(self, authorize_url):
        url = urllib.parse.urlsplit(authorize_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            conn.request("GET", url.path + "?" + url.query)
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 302)
            return r.getheader("Location")
        finally:
            conn.close()

    def callback(self, callback_url, cookie):
        url = urllib.parse.urlsplit(callback_url)
        self.assertEqual(f"{url.scheme}://{url.netloc}", PUBLIC_URL)
        headers = {"Cookie": "veza_oauth=" + cookie} if cookie else {}
        r = self.server.get(url.path + "?" + url.query, headers=headers)
        self.assertEqual(r.status, 302, r.body)
        location = r.header("location")
        self.assertTrue(location.startswith(PUBLIC_URL + "/oauth/complete?"), location)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def flow(self, login, provider="idp", token=None, redirect=None):
        """Start → provider (as `login`, or a denial for None) → callback; returns the completion params."""
        (self.idp if provider == "idp" else self.idp2).next_login = login
        authorize, cookie = self.start(provider, token, redirect)
        return self.callback(self.visit_provider(authorize), cookie)

    def exchange(self, code, **extra):
        body = {"code": code}
        body.update(extra)
        return self.server.request("POST", "/api/v1/auth/oauth/exchange", body=body)

    def sign_in(self, login, provider="idp"):
        done = self.flow(login, provider)
        self.assertIn("code", done, done)
        r = self.exchange(done["code"])
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def connections(self, token):
        r = self.authed("GET", "/api/v1/users/me/connections", token)
        self.assertEqual(r.status, 200, r.body)
        return {c["provider"]: c for c in r.json()["items"]}

    def verify_email(self, address):
        entry = [e for e in outbox_entries(self.server) if e["to"] == address][0]
        token = token_from_text(outbox_text(self.server, entry["id"]))
        r = self.server.request("POST", "/api/v1/auth/verify-email", body={"token": token})
        self.assertEqual(r.status, 204, r.body)


class Providers(OAuthTestCase):
    def test_configured_providers_are_listed(self):
        r = self.server.get("/api/v1/auth/oauth/providers")
        self.assertEqual(r.status, 200, r.body)
        names = {p["name"]: p for p in r.json()["items"]}
        self.assertEqual(set(names), {"idp", "idp2", "spotify"})
        self.assertEqual(names["spotify"]["display_name"], "Spotify")
        self.assertEqual(names["idp"]["start_url"], "/api/v1/auth/oauth/idp/start")

    def test_start_redirects_with_pkce_and_state(self):
        location, cookie = self.start("spotify", redirect="/settings")
        url = urllib.parse.urlsplit(location)
        self.assertEqual(f"{url.scheme}://{url.netloc}{url.path}", "https://accounts.spotify.com/authorize")
        q = dict(urllib.parse.parse_qsl(url.query))
        self.assertEqual(q["response_type"], "code")
        self.assertEqual(q["client_id"], "spotify-id")
        self.assertEqual(q["redirect_uri"], PUBLIC_URL + "/api/v1/auth/oauth/spotify/callback")
        self.assertEqual(q["scope"], "user-read-email")
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertEqual(len(q["code_challenge"]), 43)
        self.assertGreaterEqual(len(q["state"]), 43)
        self.assertGreaterEqual(len(cookie), 43)
        # JSON mode for clients that must send a bearer token with fetch().
        r = self.server.get("/api/v1/auth/oauth/idp/start?mode=json")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json()["authorize_url"].startswith(self.idp.base + "/authorize?"))

    def test_unknown_provider_and_foreign_redirect(self):
        self.assertEnvelope(self.server.get("/api/v1/auth/oauth/github/start"), 404)
        for bad in ("https://evil.example/", "//evil.example/x"):
            r = self.server.get("/api/v1/auth/oauth/idp/start?redirect=" + urllib.parse.quote(bad))
            err = self.assertEnvelope(r, 422)
            self.assertIn("redirect", err["fields"])
        done = self.callback(PUBLIC_URL + "/api/v1/auth/oauth/github/callback?code=x&state=y", None)
        self.assertEqual(done["error"], "invalid_state")


class SignUpAndSignIn(OAuthTestCase):
    def test_new_identity_creates_an_account_and_signs_in_again(self):
        self.idp.add_user("olga", "sub-olga", "Olga@Example.com", name="Olga K", preferred_username="Olga.K")
        done = self.flow("olga", redirect="/welcome")
        self.assertEqual(done["provider"], "idp")
        self.assertEqual(done["redirect"], "/welcome")
        r = self.exchange(done["code"], session="cookie")
        self.assertEqual(r.status, 200, r.body)
        doc = r.json()
        self.assertNotIn("refresh_token", doc)
        self.assertIn("veza_refresh=", r.header("set-cookie"))
        user = doc["user"]
        self.assertEqual(user["username"], "olga.k")
        self.assertEqual(user["email"], "olga@example.com")
        self.assertTrue(user["email_verified"])
        self.assertEqual(user["display_name"], "Olga K")
        me = self.authed("GET", "/api/v1/users/me", doc["access_token"])
        self.assertEqual(me.status, 200)
        conns = self.connections(doc["access_token"])
        self.assertEqual(set(conns), {"idp"})
        self.assertEqual(conns["idp"]["email"], "olga@example.com")
        self.assertEqual(conns["idp"]["name"], "Olga K")
        # The PKCE verifier went to the token endpoint and matched (the fake checked it).
        outcome, form = self.idp.token_requests[-1]
        self.assertEqual(outcome, "ok")
        self.assertEqual(len(form["code_verifier"]), 64)
        again = self.sign_in("olga")
        self.assertEqual(again["user"]["id"], user["id"])

    def test_username_is_deduplicated(self):
        self.register("nelly")
        self.idp.add_user("nelly-at-idp", "sub-nelly", "nelly.other@example.com", preferred_username="Nelly")
        doc = self.sign_in("nelly-at-idp")
        self.assertEqual(doc["user"]["username"], "nelly2")

    def test_no_email_is_refused(self):
        self.idp.add_user("mute", "sub-mute", "")
        self.assertEqual(self.flow("mute")["error"], "email_required")

    def test_two_factor_applies_to_provider_sign_in(self):
        self.idp.add_user("tf", "sub-tf", "tf@example.com")
        t = self.sign_in("tf")["access_token"]
        secret = self.authed("POST", "/api/v1/auth/2fa/setup", t).json()["secret"]
        self.assertEqual(self.authed("POST", "/api/v1/auth/2fa/enable", t, body={"code": totp(secret)}).status, 200)
        done = self.flow("tf")
        self.assertEnvelope(self.exchange(done["code"]), 401, "totp_required")
        self.assertEnvelope(self.exchange(done["code"], totp_code="000000"), 401, "invalid_totp_code")
        # The one-time code survived the 401s; with the second factor it signs in.
        r = self.exchange(done["code"], totp_code=totp(secret, 1))
        self.assertEqual(r.status, 200, r.body)

    def test_one_time_code_is_single_use(self):
        self.idp.add_user("once", "sub-once", "once@example.com")
        done = self.flow("once")
        self.assertEqual(self.exchange(done["code"]).status, 200)
        self.assertEnvelope(self.exchange(done["code"]), 401, "invalid_code")
        self.assertEnvelope(self.exchange("x" * 43), 401, "invalid_code")
        self.assertEnvelope(self.exchange(done["code"], session="jar"), 422)


class Linking(OAuthTestCase):
    def test_link_when_signed_in_then_sign_in_with_it(self):
        me = self.register("linker")
        self.idp.add_user("linker-idp", "sub-linker", "different@example.com", email_verified=False)
        done = self.flow("linker-idp", token=me["access_token"], redirect="/settings/connections")
        self.assertEqual(done, {"linked": "idp", "provider": "idp", "redirect": "/settings/connections"})
        self.assertEqual(set(self.connections(me["access_token"])), {"idp"})
        doc = self.sign_in("linker-idp")
        self.assertEqual(doc["user"]["id"], me["user"]["id"])
        self.assertEqual(doc["user"]["email"], "linker@example.com")

    def test_identity_of_another_account_is_not_moved(self):
        self.idp.add_user("taken", "sub-taken", "taken@example.com")
        self.sign_in("taken")
        other = self.register("otherone")
        self.assertEqual(self.flow("taken", token=other["access_token"])["error"], "already_linked")
        self.assertEqual(self.connections(other["access_token"]), {})

    def test_verified_email_links_to_a_verified_account(self):
        me = self.register("vera")
        self.idp.add_user("vera-idp", "sub-vera", "VERA@example.com", email_verified=True)
        # Our side has not proved the address yet: no automatic link.
        self.assertEqual(self.flow("vera-idp")["error"], "email_taken")
        self.verify_email("vera@example.com")
        doc = self.sign_in("vera-idp")
        self.assertEqual(doc["user"]["id"], me["user"]["id"])
        self.assertEqual(set(self.connections(me["access_token"])), {"idp"})

    def test_unverified_provider_email_does_not_link(self):
        self.register("uma")
        self.verify_email("uma@example.com")
        self.idp.add_user("uma-idp", "sub-uma", "uma@example.com", email_verified=False)
        self.assertEqual(self.flow("uma-idp")["error"], "email_taken")


class Failures(OAuthTestCase):
    def test_denied_consent(self):
        done = self.flow(None, redirect="/x")
        self.assertEqual(done, {"error": "access_denied", "provider": "idp", "redirect": "/x"})

    def test_bad_state(self):
        self.idp.add_user("bs", "sub-bs", "bs@example.com")
        self.idp.next_login = "bs"
        authorize, cookie = self.start()
        cb = self.visit_provider(authorize)
        forged = cb.replace("state=", "state=x")
        self.assertEqual(self.callback(forged, cookie)["error"], "invalid_state")
        no_state = cb.split("&state=")[0]
        self.assertEqual(self.callback(no_state, cookie)["error"], "invalid_state")
        # Another browser (no flow cookie, or someone else's) cannot use the state...
        self.assertEqual(self.callback(cb, None)["error"], "invalid_state")
        self.assertEqual(self.callback(cb, "x" * 43)["error"], "invalid_state")
        # ...and did not burn it: the browser that started the flow still finishes.
        self.assertIn("code", self.callback(cb, cookie))

    def test_bad_code(self):
        self.idp.add_user("bc", "sub-bc", "bc@example.com")
        self.idp.next_login = "bc"
        authorize, cookie = self.start()
        cb = self.visit_provider(authorize)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cb).query))
        bad = PUBLIC_URL + "/api/v1/auth/oauth/idp/callback?" + urllib.parse.urlencode(
            {"code": "not-a-code", "state": q["state"]})
        self.assertEqual(self.callback(bad, cookie)["error"], "token_exchange_failed")
        self.assertEqual(self.idp.token_requests[-1][0], "invalid_grant")

    def test_replayed_code_and_replayed_state(self):
        self.idp.add_user("rp", "sub-rp", "rp@example.com")
        self.idp.next_login = "rp"
        authorize, cookie = self.start()
        cb = self.visit_provider(authorize)
        self.assertIn("code", self.callback(cb, cookie))
        # The same callback again: the state is spent.
        self.assertEqual(self.callback(cb, cookie)["error"], "invalid_state")
        # The spent code with a fresh state: the provider refuses the second use.
        authorize2, cookie2 = self.start()
        state2 = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize2).query))["state"]
        old_code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(cb).query))["code"]
        replay = PUBLIC_URL + "/api/v1/auth/oauth/idp/callback?" + urllib.parse.urlencode(
            {"code": old_code, "state": state2})
        self.assertEqual(self.callback(replay, cookie2)["error"], "token_exchange_failed")
        self.assertEqual(self.idp.token_requests[-1][0], "invalid_grant")


class ExpiredCode(OAuthTestCase):
    extra_flags = ("--set", "net.allow_private_addresses=true", "--set", "auth.oauth_code_ttl_s=1")

    def test_expired_one_time_code(self):
        self.idp.add_user("late", "sub-late", "late@example.com")
        done = self.flow("late")
        time.sleep(1.5)
        self.assertEnvelope(self.exchange(done["code"]), 401, "invalid_code")


class Connections(OAuthTestCase):
    def test_list_and_delete_with_last_method_guard(self):
        self.idp.add_user("solo", "sub-solo", "solo@example.com")
        doc = self.sign_in("solo")
        token = doc["access_token"]
        # No password and a single connection: removing it would lock the account.
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me/connections/idp", token), 409,
                            "last_sign_in_method")
        done = self.flow("solo", provider="idp2", token=token)
        self.assertEqual(done.get("linked"), "idp2", done)
        self.assertEqual(set(self.connections(token)), {"idp", "idp2"})
        self.assertEqual(self.authed("DELETE", "/api/v1/users/me/connections/idp", token).status, 204)
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me/connections/idp", token), 404)
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me/connections/idp2", token), 409,
                            "last_sign_in_method")
        self.assertEqual(set(self.connections(token)), {"idp2"})

    def test_accounts_with_a_password_may_remove_every_connection(self):
        me = self.register("haspw")
        self.idp.add_user("haspw-idp", "sub-haspw", "haspw.idp@example.com")
        self.assertEqual(self.flow("haspw-idp", token=me["access_token"]).get("linked"), "idp")
        self.assertEqual(self.authed("DELETE", "/api/v1/users/me/connections/idp", me["access_token"]).status, 204)
        self.assertEqual(self.connections(me["access_token"]), {})
        self.assertEnvelope(self.server.get("/api/v1/users/me/connections"), 401)


class ReauthWithoutPassword(OAuthTestCase):
    """OAuth-only accounts have no password to confirm with: a fresh sign-in through the provider does."""

    extra_flags = ("--set", "net.allow_private_addresses=true", "--set", "auth.recent_sign_in_s=2")

    def test_delete_needs_a_recent_sign_in(self):
        self.idp.add_user("nopw", "sub-nopw", "nopw@example.com")
        old = self.sign_in("nopw")["access_token"]
        time.sleep(2.5)
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me", old, body={}), 403, "recent_sign_in_required")
        # A new sign-in proves presence for its own session only, not for the old one.
        fresh = self.sign_in("nopw")["access_token"]
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me", old, body={}), 403, "recent_sign_in_required")
        self.assertEqual(self.authed("DELETE", "/api/v1/users/me", fresh, body={}).status, 204)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", fresh), 401)

    def test_two_factor_off_needs_a_recent_sign_in(self):
        self.idp.add_user("nopw2fa", "sub-nopw2fa", "nopw2fa@example.com")
        token = self.sign_in("nopw2fa")["access_token"]
        secret = self.authed("POST", "/api/v1/auth/2fa/setup", token).json()["secret"]
        enabled = self.authed("POST", "/api/v1/auth/2fa/enable", token, body={"code": totp(secret)})
        self.assertEqual(enabled.status, 200, enabled.body)
        recovery = enabled.json()["recovery_codes"]
        time.sleep(2.5)
        # Checked before the code is consumed, so the refused attempt burns nothing.
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/disable", token, body={"code": recovery[0]}),
                            403, "recent_sign_in_required")
        r = self.exchange(self.flow("nopw2fa")["code"], totp_code=totp(secret, 1))
        self.assertEqual(r.status, 200, r.body)
        fresh = r.json()["access_token"]
        self.assertEqual(self.authed("POST", "/api/v1/auth/2fa/disable", fresh, body={"code": recovery[0]}).status, 204)


class SsrfGuard(OAuthTestCase):
    """Without net.allow_private_addresses the server refuses to call a provider on loopback."""

    extra_flags = ()

    def test_loopback_provider_is_refused(self):
        self.idp.add_user("ssrf", "sub-ssrf", "ssrf@example.com")
        self.assertEqual(self.flow("ssrf")["error"], "token_exchange_failed")
        self.assertEqual(self.idp.token_requests, [])
        self.assertTrue(any("address" in line or "non-public" in line for line in self.server.logs()))


if __name__ == "__main__":
    unittest.main()
