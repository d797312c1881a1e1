"""TOTP two-factor sign-in over HTTP: setup, enable with recovery codes, the login step, replay refusal,
the brute-force guard, disable. Codes are computed here independently (RFC 6238, HMAC-SHA-1)."""

import base64
import hashlib
import hmac
import struct
import time
import unittest
import urllib.parse

from auth_helpers import PASSWORD, IdentityTestCase


def totp(secret, step_offset=0, at=None):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((at or time.time()) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


class TotpTestCase(IdentityTestCase):
    def enroll(self, token):
        r = self.authed("POST", "/api/v1/auth/2fa/setup", token)
        self.assertEqual(r.status, 200, r.body)
        secret = r.json()["secret"]
        r = self.authed("POST", "/api/v1/auth/2fa/enable", token, body={"code": totp(secret)})
        self.assertEqual(r.status, 200, r.body)
        return secret, r.json()["recovery_codes"]


class Enrolment(TotpTestCase):
    def test_setup_returns_secret_uri_and_qr(self):
        me = self.register("qrcode")
        r = self.authed("POST", "/api/v1/auth/2fa/setup", me["access_token"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("cache-control"), "no-store")
        doc = r.json()
        self.assertRegex(doc["secret"], r"^[A-Z2-7]{32}$")
        uri = urllib.parse.urlsplit(doc["otpauth_uri"])
        self.assertEqual((uri.scheme, uri.netloc, uri.path), ("otpauth", "totp", "/Veza:qrcode"))
        q = dict(urllib.parse.parse_qsl(uri.query))
        self.assertEqual(q, {"secret": doc["secret"], "issuer": "Veza", "algorithm": "SHA1", "digits": "6",
                             "period": "30"})
        self.assertTrue(doc["qr_svg"].startswith("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        self.assertTrue(doc["qr_svg"].endswith("</svg>"))
        status = self.authed("GET", "/api/v1/auth/2fa", me["access_token"]).json()
        self.assertEqual(status, {"enabled": False, "pending": True, "recovery_codes_left": 0})
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/2fa/setup"), 401)

    def test_enable_needs_a_right_code_and_gives_ten_recovery_codes(self):
        me = self.register("enabler")
        t = me["access_token"]
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/enable", t, body={"code": "123456"}), 409,
                            "totp_not_set_up")
        secret = self.authed("POST", "/api/v1/auth/2fa/setup", t).json()["secret"]
        wrong = "%06d" % ((int(totp(secret)) + 1) % 1_000_000)
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/enable", t, body={"code": wrong}), 422,
                            "invalid_code")
        r = self.authed("POST", "/api/v1/auth/2fa/enable", t, body={"code": totp(secret)})
        self.assertEqual(r.status, 200, r.body)
        codes = r.json()["recovery_codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for c in codes:
            self.assertRegex(c, r"^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$")
        self.assertEqual(self.authed("GET", "/api/v1/auth/2fa", t).json(),
                         {"enabled": True, "pending": False, "recovery_codes_left": 10})
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/setup", t), 409, "totp_already_enabled")


class LoginStep(TotpTestCase):
    def test_code_required_then_accepted_once(self):
        me = self.register("twofa")
        secret, recovery = self.enroll(me["access_token"])
        bare = self.login("twofa", ip="10.7.0.1")
        self.assertEnvelope(bare, 401, "totp_required")
        self.assertNotIn("access_token", bare.json())
        self.assertEnvelope(self.login("twofa", "wrong-password-99", ip="10.7.0.1", totp_code=totp(secret)), 401,
                            "invalid_credentials")
        # Enabling used this step's code; the next step's (a phone clock slightly ahead) is accepted, once.
        code = totp(secret, 1)
        ok = self.login("twofa", ip="10.7.0.1", totp_code=code)
        self.assertEqual(ok.status, 200, ok.body)
        self.assertIn("access_token", ok.json())
        # The same code, still inside its window: refused; so is an older step's after a newer one.
        self.assertEnvelope(self.login("twofa", ip="10.7.0.1", totp_code=code), 401, "invalid_totp_code")
        self.assertEnvelope(self.login("twofa", ip="10.7.0.1", totp_code=totp(secret)), 401, "invalid_totp_code")
        # Three steps ahead is outside the window.
        self.assertEnvelope(self.login("twofa", ip="10.7.0.1", totp_code=totp(secret, 3)), 401, "invalid_totp_code")

    def test_recovery_code_works_once(self):
        me = self.register("recover")
        secret, recovery = self.enroll(me["access_token"])
        r = self.login("recover", ip="10.7.0.2", recovery_code=recovery[0].upper())
        self.assertEqual(r.status, 200, r.body)
        self.assertEnvelope(self.login("recover", ip="10.7.0.2", recovery_code=recovery[0]), 401,
                            "invalid_recovery_code")
        self.assertEqual(self.authed("GET", "/api/v1/auth/2fa", r.json()["access_token"]).json()["recovery_codes_left"],
                         9)
        self.assertEnvelope(self.login("recover", ip="10.7.0.2", totp_code="123456", recovery_code=recovery[1]), 422)

    def test_wrong_codes_count_toward_the_guard(self):
        me = self.register("guarded")
        secret, _ = self.enroll(me["access_token"])
        wrong = "%06d" % ((int(totp(secret)) + 500_000) % 1_000_000)
        for i in range(6):
            self.assertEnvelope(self.login("guarded", ip=f"10.8.0.{i}", totp_code=wrong), 401, "invalid_totp_code")
        slowed = self.login("guarded", ip="10.8.1.1", totp_code=totp(secret, 1))
        self.assertEnvelope(slowed, 429, "too_many_attempts")
        self.assertGreaterEqual(int(slowed.header("retry-after")), 1)


class Disable(TotpTestCase):
    def test_disable_needs_password_and_code(self):
        me = self.register("offswitch")
        t = me["access_token"]
        secret, recovery = self.enroll(t)
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/disable", t,
                                        body={"password": "wrong-password-99", "code": recovery[0]}), 422,
                            "wrong_password")
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/disable", t,
                                        body={"password": PASSWORD, "code": "000000"}), 422, "invalid_code")
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/disable", t, body={"password": PASSWORD}), 422)
        r = self.authed("POST", "/api/v1/auth/2fa/disable", t, body={"password": PASSWORD, "code": recovery[1]})
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(self.login("offswitch", ip="10.9.0.1").status, 200)
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/2fa/disable", t,
                                        body={"password": PASSWORD, "code": totp(secret)}), 409, "totp_not_enabled")


if __name__ == "__main__":
    unittest.main()
