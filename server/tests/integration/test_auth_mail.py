"""Email flows over HTTP: verification, forgot/reset (SMTP delivery to a sink on loopback, link works
exactly once), password change; plus the admin CLI."""

import email
import email.policy
import unittest

from auth_helpers import (FAST_FLAGS, PASSWORD, IdentityTestCase, SmtpSink, admin, outbox_entries, outbox_text,
                          token_from_text)
from harness import VezaServer


class EmailFlows(IdentityTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink()
        cls.flags = FAST_FLAGS + ("--set", f"smtp.url=smtp://127.0.0.1:{cls.sink.port}", "--set", "smtp.starttls=off",
                                  "--set", "smtp.from=Veza <noreply@veza.test>")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.sink.close()

    def deliver(self):
        code, out, err = admin(self.server, "outbox", "--deliver",
                               extra=("--set", f"smtp.url=smtp://127.0.0.1:{self.sink.port}",
                                      "--set", "smtp.starttls=off", "--set", "smtp.from=Veza <noreply@veza.test>"))
        self.assertEqual(code, 0, err)
        return out

    def test_verify_email(self):
        doc = self.register("verifier")
        self.assertFalse(doc["user"]["email_verified"])
        entries = [e for e in outbox_entries(self.server) if e["to"] == "verifier@example.com"]
        self.assertEqual(len(entries), 1)
        self.assertIn("Confirm your email", entries[0]["subject"])
        token = token_from_text(outbox_text(self.server, entries[0]["id"]))
        self.assertEqual(self.server.request("POST", "/api/v1/auth/verify-email", body={"token": token}).status, 204)
        self.assertEnvelope(self.server.request("POST", "/api/v1/auth/verify-email", body={"token": token}), 422,
                            "invalid_token")
        me = self.authed("GET", "/api/v1/users/me", doc["access_token"]).json()
        self.assertTrue(me["email_verified"])
        self.assertEnvelope(self.authed("POST", "/api/v1/auth/verify-email/request", doc["access_token"]), 409)

    def test_french_mail_for_french_accounts(self):
        self.register("francais", language="fr")
        entries = [e for e in outbox_entries(self.server) if e["to"] == "francais@example.com"]
        self.assertIn("Confirmez", entries[0]["subject"])

    def test_forgot_is_always_202_and_reset_over_smtp_works_once(self):
        doc = self.register("forgetful")
        other = self.login("forgetful").json()
        before = len(self.sink.messages)
        self.assertEqual(self.server.request("POST", "/api/v1/auth/password/forgot",
                                             body={"email": "nobody@example.com"}).status, 202)
        self.assertEqual(self.server.request("POST", "/api/v1/auth/password/forgot",
                                             body={"email": "Forgetful@Example.com"}).status, 202)
        self.assertIn("delivered", self.deliver())
        messages = self.sink.wait_for(before + 1)
        resets = [m for m in messages[before:] if b"Reset your" in m[2] or b"reset" in m[2].lower()]
        ours = [m for m in resets if m[1] == ["<forgetful@example.com>"]]
        self.assertEqual(len(ours), 1, [m[1] for m in messages[before:]])
        msg = email.message_from_bytes(ours[0][2], policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Reset your Veza password")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        text = msg.get_body(preferencelist=("plain",)).get_content()
        html = msg.get_body(preferencelist=("html",)).get_content()
        self.assertIn("<a href=", html)
        token = token_from_text(text)
        self.assertIn(token, html)
        self.assertFalse(any(e["to"] == "nobody@example.com" for e in outbox_entries(self.server)))
        sent = [e for e in outbox_entries(self.server) if e["to"] == "forgetful@example.com"]
        self.assertTrue(all(e["status"] == "sent" for e in sent), sent)

        weak = self.server.request("POST", "/api/v1/auth/password/reset",
                                   body={"token": token, "new_password": "password1"})
        self.assertEnvelope(weak, 422)
        r = self.server.request("POST", "/api/v1/auth/password/reset",
                                body={"token": token, "new_password": "brand-new-phrase-77"})
        self.assertEqual(r.status, 204, r.body)
        again = self.server.request("POST", "/api/v1/auth/password/reset",
                                    body={"token": token, "new_password": "another-phrase-78"})
        self.assertEnvelope(again, 422, "invalid_token")
        for t in (doc, other):
            self.assertEnvelope(self.authed("GET", "/api/v1/users/me", t["access_token"]), 401)
        self.assertEnvelope(self.login("forgetful"), 401)
        self.assertEqual(self.login("forgetful", "brand-new-phrase-77").status, 200)

    def test_password_change(self):
        doc = self.register("changer")
        other = self.login("changer").json()
        wrong = self.authed("POST", "/api/v1/auth/password/change", doc["access_token"],
                            body={"current_password": "not-my-password", "new_password": "changed-phrase-99"})
        self.assertEnvelope(wrong, 422, "wrong_password")
        weak = self.authed("POST", "/api/v1/auth/password/change", doc["access_token"],
                           body={"current_password": PASSWORD, "new_password": "qwertyuiop"})
        err = self.assertEnvelope(weak, 422)
        self.assertIn("new_password", err["fields"])
        ok = self.authed("POST", "/api/v1/auth/password/change", doc["access_token"],
                         body={"current_password": PASSWORD, "new_password": "changed-phrase-99"})
        self.assertEqual(ok.status, 204, ok.body)
        self.assertEqual(self.authed("GET", "/api/v1/users/me", doc["access_token"]).status, 200)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", other["access_token"]), 401)
        self.assertEqual(self.login("changer", "changed-phrase-99").status, 200)
        self.assertTrue(any(e["to"] == "changer@example.com" and "changed" in e["subject"]
                            for e in outbox_entries(self.server)))


class AdminCli(IdentityTestCase):
    def test_create_set_role_disable_enable(self):
        code, out, err = admin(self.server, "user", "create", "--email", "Boss@Example.com", "--username", "boss",
                               "--password", PASSWORD, "--role", "moderator")
        self.assertEqual(code, 0, err)
        self.assertIn("role=moderator", out)
        code, _, err = admin(self.server, "user", "create", "--email", "boss@example.com", "--username", "boss2",
                             "--password", PASSWORD)
        self.assertEqual(code, 1)
        self.assertIn("already exists", err)
        code, _, err = admin(self.server, "user", "create", "--email", "w@example.com", "--username", "weakling",
                             "--password", "password")
        self.assertEqual(code, 1)

        doc = self.login("boss").json()
        self.assertEqual(doc["user"]["role"], "moderator")
        code, out, err = admin(self.server, "user", "set-role", "boss", "creator")
        self.assertEqual(code, 0, err)
        self.assertIn("role=creator", out)
        doc = self.login("boss").json()
        self.assertEqual(self.authed("GET", "/api/v1/users/me", doc["access_token"]).json()["role"], "creator")

        code, out, err = admin(self.server, "user", "disable", "boss")
        self.assertEqual(code, 0, err)
        self.assertIn("status=disabled", out)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", doc["access_token"]), 401)
        self.assertEnvelope(self.login("boss"), 403, "account_disabled")
        self.assertEnvelope(self.server.get("/api/v1/users/boss"), 404)
        self.assertEqual(admin(self.server, "user", "enable", "boss")[0], 0)
        self.assertEqual(self.login("boss").status, 200)

        self.assertEqual(admin(self.server, "user", "set-role", "boss", "emperor")[0], 2)
        self.assertEqual(admin(self.server, "user", "disable", "no-such-user")[0], 1)

    def test_outbox_lists_mail(self):
        self.register("mailee")
        rows = outbox_entries(self.server)
        self.assertTrue(any(r["to"] == "mailee@example.com" and r["status"] == "pending" for r in rows))
        code, _, err = admin(self.server, "outbox", "--deliver")
        self.assertEqual(code, 1)
        self.assertIn("smtp.url", err)


class AdminOutboxApi(IdentityTestCase):
    """GET /api/v1/admin/outbox[/{id}]: the outbox over HTTP, for admins only."""

    def test_admins_read_the_outbox_others_cannot(self):
        code, _, err = admin(self.server, "user", "create", "--email", "boss@example.com", "--username", "boss",
                             "--password", PASSWORD, "--role", "admin")
        self.assertEqual(code, 0, err)
        boss = self.login("boss").json()["access_token"]
        reader = self.register("lecteur", language="fr")["access_token"]

        self.assertEnvelope(self.server.request("GET", "/api/v1/admin/outbox"), 401)
        self.assertEnvelope(self.authed("GET", "/api/v1/admin/outbox", reader), 403, "forbidden")

        listed = self.authed("GET", "/api/v1/admin/outbox?status=pending", boss)
        self.assertEqual(listed.status, 200, listed.body)
        mine = [e for e in listed.json()["items"] if e["to"] == "lecteur@example.com"]
        self.assertEqual(len(mine), 1)
        entry = mine[0]
        self.assertEqual((entry["template"], entry["language"], entry["status"]), ("verify_email", "fr", "pending"))
        self.assertIn("Confirmez", entry["subject"])
        self.assertNotIn("text", entry)
        self.assertIsNone(entry["sent_at"])
        self.assertEqual(self.authed("GET", "/api/v1/admin/outbox?status=sent", boss).json()["items"], [])
        self.assertEqual(len(self.authed("GET", "/api/v1/admin/outbox?limit=1", boss).json()["items"]), 1)

        one = self.authed("GET", f"/api/v1/admin/outbox/{entry['id']}", boss)
        self.assertEqual(one.status, 200, one.body)
        self.assertIn("token=", one.json()["text"])
        self.assertIn("lang=\"fr\"", one.json()["html"])
        self.assertEqual(token_from_text(one.json()["text"]),
                         token_from_text(outbox_text(self.server, entry["id"])))

        self.assertEnvelope(self.authed("GET", "/api/v1/admin/outbox?status=lost", boss), 400, "invalid_query")
        self.assertEnvelope(self.authed("GET", "/api/v1/admin/outbox?limit=0", boss), 400, "invalid_query")
        self.assertEnvelope(self.authed("GET", "/api/v1/admin/outbox/123456789", boss), 404)
        self.assertEnvelope(self.authed("GET", "/api/v1/admin/outbox/nope", boss), 404)
        self.assertEnvelope(self.authed("GET", f"/api/v1/admin/outbox/{entry['id']}", reader), 403)


if __name__ == "__main__":
    unittest.main()
